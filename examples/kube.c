/*
 * kube: decide a rollout's state the way `kubectl rollout status` does, from
 * an object saved as JSON (`kubectl get deploy web -o json > web.json`). With
 * a cluster at hand, cicd_kube_rollout_wait() runs the same rules live:
 *
 *   cicd_kube_config *cfg; cicd_kube_client *client;
 *   cicd_kube_config_load(&cfg, NULL);            // KUBECONFIG, ~/.kube/config or in-cluster
 *   cicd_kube_client_new(&client, cfg, NULL);
 *   cicd_kube_rollout_wait(&msg, client, "apps/v1", "Deployment", "shop", "web", NULL);
 *
 * check-args: kube/deployment.json
 */
#include <stdio.h>
#include <stdlib.h>

#include <cicd/cicd.h>
#include <cicd/kube.h>

int main(int argc, char **argv)
{
	static const char *const states[] = {"progressing", "done", "failed"};
	cicd_document *doc = NULL;
	cicd_kube_rollout_state state;
	cicd_buf msg = CICD_BUF_INIT;
	FILE *f;
	char text[65536];
	size_t len;
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT.json\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	len = fread(text, 1, sizeof text, f);
	fclose(f);
	if (cicd_document_load_json(&doc, text, len, argv[1], NULL) ||
	    cicd_kube_rollout_decide(&state, &msg, cicd_document_root(doc, 0))) {
		const cicd_error *e = cicd_error_last();
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
		cicd_document_free(doc);
		return 1;
	}
	printf("%s: %s\n", states[state], msg.ptr);
	cicd_buf_dispose(&msg);
	cicd_document_free(doc);
	return 0;
}
