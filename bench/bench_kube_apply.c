/*
 * Applying 500 objects to a real control plane and waiting until they are
 * ready: libcicd (one client, parallel requests multiplexed over HTTP/2,
 * rollout waits driven by watches) against `kubectl apply --server-side`
 * followed by `kubectl wait --for=condition=Available`, on the same server
 * in the same run, each side in fresh namespaces. Prints times and ratios.
 *
 *   bench_kube_apply [OBJECTS] [RUNS]     (KUBECONFIG and CICD_K8S_BIN from the test env)
 *
 * bench/bench_kube.sh starts a control plane and runs this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cicd/cicd.h>
#include <cicd/kube.h>

#include "util.h"

static void die(const char *what)
{
	fprintf(stderr, "bench_kube_apply: %s: %s\n", what, cicd_error_last()->message);
	exit(1);
}

/* One Namespace, a fifth Deployments (1 replica each), the rest ConfigMaps. */
static char *generate(const char *ns, int objects, int *deployments)
{
	size_t cap = (size_t)objects * 600 + 1024, len = 0;
	char *text = malloc(cap);
	int i, deploys = objects / 5;
	len += (size_t)snprintf(text + len, cap - len, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns);
	for (i = 0; i < objects - 1 - deploys; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d, namespace: %s, "
					"labels: {app: bench}}\ndata: {index: '%d', payload: 'some configuration text'}\n",
					i, ns, i);
	for (i = 0; i < deploys; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-%d, namespace: %s}\n"
					"spec:\n  replicas: 1\n  selector: {matchLabels: {app: web-%d}}\n  template:\n"
					"    metadata: {labels: {app: web-%d}}\n    spec: {containers: [{name: app, image: nginx}]}\n",
					i, ns, i, i);
	*deployments = deploys;
	return text;
}

static void run_cicd(double *apply_s, double *ready_s, const char *ns, int objects)
{
	cicd_kube_config *cfg = NULL;
	cicd_kube_client *client = NULL;
	cicd_document *doc = NULL;
	const cicd_document *docs[1];
	cicd_kube_rollout_options ro = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	int deploys, i;
	char *yaml = generate(ns, objects, &deploys);
	char name[64];
	double t0, t1;
	if (cicd_document_load_buffer(&doc, yaml, strlen(yaml), "bench.yaml", NULL))
		die("load");
	t0 = bench_now();
	if (cicd_kube_config_load(&cfg, NULL) || cicd_kube_client_new(&client, cfg, NULL))
		die("client");
	docs[0] = doc;
	if (cicd_kube_apply_set(client, docs, 1, NULL, NULL, NULL))
		die("apply");
	t1 = bench_now();
	ro.timeout_ms = 600000;
	for (i = 0; i < deploys; i++) {
		snprintf(name, sizeof name, "web-%d", i);
		if (cicd_kube_rollout_wait(NULL, client, "apps/v1", "Deployment", ns, name, &ro))
			die("rollout");
	}
	*apply_s = t1 - t0;
	*ready_s = bench_now() - t0;
	cicd_kube_client_free(client);
	cicd_kube_config_free(cfg);
	cicd_document_free(doc);
	free(yaml);
}

static void run_kubectl(double *apply_s, double *ready_s, const char *ns, int objects)
{
	const char *bin = getenv("CICD_K8S_BIN");
	char path[256], cmd[1024];
	int deploys;
	char *yaml = generate(ns, objects, &deploys);
	FILE *f;
	double t0, t1;
	snprintf(path, sizeof path, "/tmp/bench-kube-%d-%s.yaml", (int)getpid(), ns);
	f = fopen(path, "w");
	fputs(yaml, f);
	fclose(f);
	free(yaml);
	t0 = bench_now();
	snprintf(cmd, sizeof cmd, "'%s/kubectl' apply --server-side -f '%s' >/dev/null", bin, path);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_kube_apply: kubectl apply failed\n");
		exit(1);
	}
	t1 = bench_now();
	snprintf(cmd, sizeof cmd, "'%s/kubectl' wait --for=condition=Available deployment --all -n %s --timeout=600s >/dev/null",
		 bin, ns);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_kube_apply: kubectl wait failed\n");
		exit(1);
	}
	*apply_s = t1 - t0;
	*ready_s = bench_now() - t0;
	remove(path);
}

int main(int argc, char **argv)
{
	int objects = argc > 1 ? atoi(argv[1]) : 500, runs = argc > 2 ? atoi(argv[2]) : 2, r;
	double best_ca = 1e9, best_cr = 1e9, best_ka = 1e9, best_kr = 1e9;
	if (!getenv("KUBECONFIG") || !getenv("CICD_K8S_BIN")) {
		fprintf(stderr, "bench_kube_apply: KUBECONFIG and CICD_K8S_BIN must point at a test control plane\n");
		return 2;
	}
	if (objects < 10 || runs < 1 || cicd_init())
		return 2;
	for (r = 0; r < runs; r++) {
		char ns[64];
		double a, b;
		/* alternate who goes first, so neither always meets a warmer server */
		snprintf(ns, sizeof ns, "bench-kubectl-%d-%d", (int)getpid(), r);
		if (r % 2)
			run_kubectl(&a, &b, ns, objects);
		snprintf(ns, sizeof ns, "bench-cicd-%d-%d", (int)getpid(), r);
		{
			double ca, cr;
			run_cicd(&ca, &cr, ns, objects);
			if (ca < best_ca)
				best_ca = ca;
			if (cr < best_cr)
				best_cr = cr;
		}
		if (!(r % 2)) {
			snprintf(ns, sizeof ns, "bench-kubectl-%d-%d", (int)getpid(), r);
			run_kubectl(&a, &b, ns, objects);
		}
		if (a < best_ka)
			best_ka = a;
		if (b < best_kr)
			best_kr = b;
	}
	printf("apply %d objects (1 Namespace, %d ConfigMaps, %d Deployments) to a real control plane, best of %d\n",
	       objects, objects - 1 - objects / 5, objects / 5, runs);
	printf("%-26s %12s %12s %10s\n", "", "libcicd s", "kubectl s", "speedup");
	printf("%-26s %12.2f %12.2f %9.2fx\n", "server-side apply", best_ca, best_ka, best_ka / best_ca);
	printf("%-26s %12.2f %12.2f %9.2fx\n", "apply + wait until ready", best_cr, best_kr, best_kr / best_cr);
	cicd_shutdown();
	return 0;
}
