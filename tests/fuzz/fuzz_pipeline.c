/*
 * libFuzzer target: load + resolve + validate a pipeline from the input,
 * with a resolver that serves the same bytes for every non-local include
 * (so includes, inputs, extends and !reference all see hostile input) and
 * a trigger's include variables and include:rules, then read the model and
 * write the merged configuration as JSON.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/pipeline.h"
#include "cicd/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input {
	const uint8_t *data;
	size_t size;
} input;

static int resolver(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	const input *in = payload;
	if (req->kind == CICD_INCLUDE_REMOTE && strstr(req->location, "missing"))
		return CICD_ENOTFOUND;
	return cicd_include_result_set(res, (const char *)in->data, in->size, NULL);
}

/*
 * One trigger for every input: a branch, a pipeline variable that refers to
 * itself, and two secrets, one a prefix of the other, that every include
 * error masks.
 */
static cicd_trigger *trigger(void)
{
	static cicd_trigger *t;
	if (!t && cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "feature/fuzz") == 0) {
		cicd_trigger_set_variable(t, "FUZZ", "ci/$FUZZ/${CI_COMMIT_REF_SLUG}");
		cicd_trigger_set_masked_variable(t, "SECRET", "ci");
		cicd_trigger_set_masked_variable(t, "SECRET2", "ci/s3cr3t");
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	input in = {data, size};
	size_t i, j;
	opts.resolver = resolver;
	opts.resolver_payload = &in;
	opts.max_includes = 8;
	opts.max_include_depth = 4;
	opts.max_file_bytes = 65536;
	opts.flags = CICD_PIPELINE_RESOLVE_LOCAL | CICD_PIPELINE_CHECK_EXPRESSIONS;
	if (trigger()) {
		opts.include_variables = cicd_trigger_lookup;
		opts.include_variables_payload = trigger();
		opts.include_rules = cicd_trigger_include_rules;
		opts.include_rules_payload = trigger();
		opts.masked_values = cicd_trigger_masked_values(trigger(), &opts.masked_value_count);
	}
	if (cicd_pipeline_load_buffer(&p, &d, (const char *)data, size, "fuzz.yml", &opts) == 0) {
		cicd_buf out = CICD_BUF_INIT;
		cicd_pipeline_to_json(&out, p, CICD_FORMAT_PRETTY);
		cicd_buf_dispose(&out);
		for (i = 0; i < cicd_pipeline_job_count(p); i++) {
			const cicd_job *job = cicd_pipeline_job(p, i);
			for (j = 0; j < cicd_job_rule_count(job); j++)
				(void)cicd_rule_if(cicd_job_rule(job, j));
			for (j = 0; j < cicd_job_instance_count(job); j++)
				(void)cicd_job_instance_name(job, j);
			(void)cicd_job_script_count(job, "script");
			(void)cicd_job_only(job);
		}
	}
	for (i = 0; i < cicd_diagnostics_count(d); i++)
		(void)cicd_diagnostics_get(d, i)->message;
	cicd_diagnostics_free(d);
	cicd_pipeline_free(p);
	return 0;
}
