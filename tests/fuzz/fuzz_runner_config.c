/*
 * libFuzzer target: the runner configuration loader, then the Pod renderer
 * with a fixed job that sets overwrites, services and credentials, so the
 * configuration's caps, patterns and pass-through nodes are all exercised.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char JOB[] =
    "{\"id\": 9, \"token\": \"t\", \"job_info\": {\"project_id\": 1, \"project_full_path\": \"a/b\"},"
    " \"variables\": [{\"key\": \"KUBERNETES_CPU_LIMIT\", \"value\": \"1\", \"public\": true},"
    " {\"key\": \"KUBERNETES_NAMESPACE_OVERWRITE\", \"value\": \"ci-x\", \"public\": true},"
    " {\"key\": \"KUBERNETES_POD_LABELS_1\", \"value\": \"a=b\", \"public\": true},"
    " {\"key\": \"KUBERNETES_NODE_TOLERATIONS_1\", \"value\": \"k=v:NoSchedule\", \"public\": true},"
    " {\"key\": \"S\", \"value\": \"s\", \"masked\": true}],"
    " \"steps\": [{\"name\": \"script\", \"script\": [\"true\"]}],"
    " \"image\": {\"name\": \"alpine:3\", \"pull_policy\": [\"always\"]},"
    " \"services\": [{\"name\": \"db:1\", \"alias\": \"db\"}],"
    " \"credentials\": [{\"type\": \"registry\", \"url\": \"r.example\", \"username\": \"u\", \"password\": \"p\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_pod_render_options ropts = CICD_POD_RENDER_OPTIONS_INIT;
	cicd_runner_config *cfg = NULL;
	cicd_job_payload *job = NULL;
	cicd_buf out = CICD_BUF_INIT;
	if (cicd_runner_config_load(&cfg, (const char *)data, size, "fuzz.yml", NULL) != 0)
		return 0;
	if (cicd_job_payload_parse(&job, JOB, sizeof JOB - 1, "job.json", NULL) == 0) {
		ropts.flags = size && (data[0] & 1) ? CICD_POD_IGNORE_DISABLED_OVERWRITES : 0;
		cicd_pod_render(&out, job, cfg, &ropts);
		cicd_buf_dispose(&out);
		cicd_pod_script_render(&out, job, cfg, "script", NULL);
		cicd_buf_dispose(&out);
		cicd_job_payload_free(job);
	}
	cicd_runner_config_free(cfg);
	return 0;
}
