/*
 * pod: render the Pod of a CI job from a job payload and a runner
 * configuration (the files given, or small built-in ones), then mask a
 * trace line with the job's secrets.
 *
 * check-args:
 */
#include <stdio.h>
#include <string.h>

#include <cicd/cicd.h>

static const char JOB[] = "{\"id\": 7, \"token\": \"glcbt-example\", \"job_info\": {\"project_id\": 3},"
                          " \"variables\": [{\"key\": \"GREETING\", \"value\": \"hi\", \"public\": true},"
                          " {\"key\": \"PASSWORD\", \"value\": \"hunter2hunter2\", \"masked\": true}],"
                          " \"steps\": [{\"name\": \"script\", \"script\": [\"echo $GREETING\"]}],"
                          " \"image\": {\"name\": \"alpine:3.20\"}}";
static const char RUNNER[] = "name: example\nkubernetes:\n  namespace: ci\n  cpu_limit: 500m\n";

static int fail(void)
{
	const cicd_error *e = cicd_error_last();
	fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
	return 1;
}

int main(int argc, char **argv)
{
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_mask *mask = NULL;
	cicd_buf out = CICD_BUF_INIT, masked = CICD_BUF_INIT;
	const char *values[1];
	const char *line = "login with hunter2hunter2 and glpat-abcdef\n";
	int rc = 0;
	if (argc == 3 ? cicd_job_payload_load_file(&job, argv[1], NULL)
	              : cicd_job_payload_parse(&job, JOB, strlen(JOB), "job.json", NULL))
		return fail();
	if (argc == 3 ? cicd_runner_config_load_file(&cfg, argv[2], NULL)
	              : cicd_runner_config_load(&cfg, RUNNER, strlen(RUNNER), "runner.yml", NULL)) {
		cicd_job_payload_free(job);
		return fail();
	}
	if (cicd_pod_render(&out, job, cfg, NULL) < 0) {
		rc = fail();
		goto done;
	}
	fputs(out.ptr, stdout);
	/* the runner masks every trace byte with the job's masked values before sending it */
	values[0] = "hunter2hunter2";
	if (cicd_mask_new(&mask, values, NULL, 1, NULL) < 0 || cicd_mask_write(mask, &masked, line, strlen(line)) < 0 ||
	    cicd_mask_finish(mask, &masked) < 0) {
		rc = fail();
		goto done;
	}
	printf("# %s# crc32:%08x %llu bytes\n", masked.ptr, (unsigned)cicd_mask_crc32(mask),
	       (unsigned long long)cicd_mask_bytes(mask));
done:
	cicd_mask_free(mask);
	cicd_buf_dispose(&out);
	cicd_buf_dispose(&masked);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
	return rc;
}
