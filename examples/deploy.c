/*
 * deploy: push two versions of a resource set into a throwaway store, show
 * that pushing identical content returns the existing version, diff them,
 * queue a deploy job to a target and cancel it, then print its history.
 * (Running the job needs a cluster: see `cicd deploy run --wait`.)
 *
 * check-args: deploy/web/v1 deploy/web/v2
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cicd/cicd.h>

static int fail(void)
{
	const cicd_error *e = cicd_error_last();
	if (e->file[0] && e->line)
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
	else
		fprintf(stderr, "deploy: %s\n", e->message);
	return 1;
}

int main(int argc, char **argv)
{
	cicd_deploy_push_options push = CICD_DEPLOY_PUSH_OPTIONS_INIT;
	cicd_deploy_target_options target = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	cicd_deploy_run_options run = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_deploy_store *store = NULL;
	cicd_buf out = CICD_BUF_INIT;
	char path[256];
	const char *state;
	long long job;
	int i, rc = 1;
	if (argc != 3) {
		fprintf(stderr, "usage: deploy V1_DIR V2_DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/deploy-example-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	         (int)getpid());
	if (cicd_deploy_store_open(&store, path, NULL) < 0)
		return fail();
	push.who = "example";
	push.commit = "0123abc";
	/* v1, v2, then v1 again: the third push finds the first version. */
	for (i = 0; i < 3; i++) {
		const char *dir = argv[i == 1 ? 2 : 1];
		if (cicd_deploy_push_paths(&out, store, "shop/web", &dir, 1, &push) < 0)
			goto done;
		printf("pushed %s: %s\n", dir, out.ptr);
		cicd_buf_dispose(&out);
	}
	if (cicd_deploy_diff_versions(&out, store, "shop/web@1", "shop/web@2", CICD_DEPLOY_DIFF_TEXT) < 0)
		goto done;
	printf("diff 1 -> 2:\n%s", out.ptr);
	cicd_buf_dispose(&out);

	target.kubeconfig = "/nonexistent/kubeconfig";
	target.namespace_name = "web";
	run.who = "example";
	if (cicd_deploy_target_add(store, "dev", &target) < 0 ||
	    cicd_deploy_run(&job, store, "shop/web@2", "dev", &run) < 0 ||
	    cicd_deploy_cancel(store, job, "example") < 0 || cicd_deploy_job_state(&state, store, job) < 0)
		goto done;
	printf("job %lld: %s\n", job, state);
	if (cicd_deploy_jobs_json(&out, store, "dev", 0) < 0)
		goto done;
	printf("history: %s\n", out.ptr);
	rc = 0;
done:
	if (rc)
		fail();
	cicd_buf_dispose(&out);
	cicd_deploy_store_free(store);
	unlink(path);
	{
		char side[300];
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
	}
	return rc;
}
