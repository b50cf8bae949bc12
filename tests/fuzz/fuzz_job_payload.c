/*
 * libFuzzer target: the job payload parser, then the Pod renderer and the
 * stage script renderer over whatever it accepted, with a fixed runner
 * configuration that allows every kind of overwrite. Any crash, leak,
 * sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char RUNNER[] = "name: fuzz\nshort_token: fz\nkubernetes:\n"
                             "  image: alpine\n"
                             "  namespace_overwrite_allowed: .*\n"
                             "  service_account_overwrite_allowed: .*\n"
                             "  cpu_limit_overwrite_max_allowed: \"4\"\n"
                             "  memory_request_overwrite_max_allowed: 8Gi\n"
                             "  service_memory_limit_overwrite_max_allowed: 1Gi\n"
                             "  pod_labels_overwrite_allowed: .*\n"
                             "  pod_annotations_overwrite_allowed: .*\n"
                             "  node_selector_overwrite_allowed: .*\n"
                             "  node_tolerations_overwrite_allowed: .*\n"
                             "  allowed_images: [\"**\"]\n"
                             "  volumes:\n    empty_dir: [{name: x, mount_path: /x}]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_job_payload_options opts = CICD_JOB_PAYLOAD_OPTIONS_INIT;
	cicd_pod_render_options ropts = CICD_POD_RENDER_OPTIONS_INIT;
	cicd_pod_script_options sopts = CICD_POD_SCRIPT_OPTIONS_INIT;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	size_t i;
	opts.max_depth = 32;
	opts.max_variables = 1000;
	if (cicd_job_payload_parse(&job, (const char *)data, size, "fuzz.json", &opts) != 0)
		return 0;
	if (cicd_runner_config_load(&cfg, RUNNER, sizeof RUNNER - 1, "runner.yml", NULL) == 0) {
		ropts.format = size && (data[0] & 1) ? CICD_POD_FORMAT_JSON : CICD_POD_FORMAT_YAML;
		ropts.flags = size && (data[0] & 2) ? CICD_POD_IGNORE_DISABLED_OVERWRITES : 0;
		cicd_pod_render(&out, job, cfg, &ropts);
		cicd_buf_dispose(&out);
		sopts.shell = size && (data[0] & 4) ? CICD_SHELL_SH : CICD_SHELL_BASH;
		for (i = 0; i < cicd_job_payload_step_count(job); i++) {
			cicd_pod_script_render(&out, job, cfg, cicd_job_payload_step_name(job, i), &sopts);
			cicd_buf_dispose(&out);
		}
		cicd_runner_config_free(cfg);
	}
	cicd_job_payload_free(job);
	return 0;
}
