/* What a runner derives from a job payload: its trace masker and the failure_reason the server accepts. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pod_internal.h"

CICD_EXTERN(int) cicd_job_payload_mask_new(cicd_mask **out, const cicd_job_payload *job, const cicd_mask_options *opts)
{
	cicd_mask_options o = CICD_MASK_OPTIONS_INIT;
	const char **values = NULL, **prefixes = NULL;
	size_t *lens = NULL, n = 0, np = 0, i, cap;
	int rc;
	if (!out || !job)
		return cicd__error_set(CICD_EINVALID, "cicd_job_payload_mask_new: out and job are required");
	*out = NULL;
	if (opts) {
		if (opts->version != CICD_MASK_OPTIONS_VERSION)
			return cicd__error_set(CICD_EINVALID, "cicd_job_payload_mask_new: unknown options version %u",
			                       opts->version);
		o = *opts;
	}
	cap = job->variable_count + job->credential_count + 1;
	values = cicd__calloc(cap, sizeof *values);
	lens = cicd__calloc(cap, sizeof *lens);
	prefixes = cicd__calloc(o.extra_prefix_count + job->token_mask_prefixes.count + 1, sizeof *prefixes);
	if (!values || !lens || !prefixes) {
		rc = cicd__error_oom();
		goto out;
	}
	for (i = 0; i < job->variable_count; i++)
		if (job->variables[i].flags & CICD_JOB_PAYLOAD_VAR_MASKED) {
			values[n] = job->variables[i].value;
			lens[n++] = job->variables[i].value_len;
		}
	if (job->token && job->token[0]) {
		values[n] = job->token;
		lens[n++] = strlen(job->token);
	}
	for (i = 0; i < job->credential_count; i++)
		if (job->credentials[i].password && job->credentials[i].password[0]) {
			values[n] = job->credentials[i].password;
			lens[n++] = strlen(job->credentials[i].password);
		}
	for (i = 0; i < o.extra_prefix_count; i++)
		prefixes[np++] = o.extra_prefixes[i];
	for (i = 0; i < job->token_mask_prefixes.count; i++)
		if (job->token_mask_prefixes.items[i][0])
			prefixes[np++] = job->token_mask_prefixes.items[i];
	o.extra_prefixes = prefixes;
	o.extra_prefix_count = np;
	rc = cicd_mask_new(out, values, lens, n, &o);
out:
	cicd__free(values);
	cicd__free(lens);
	cicd__free(prefixes);
	return rc;
}

static int accepted(const cicd_job_payload *job, const char *reason)
{
	size_t i;
	if (!strcmp(reason, "script_failure") || !strcmp(reason, "runner_system_failure") ||
	    !strcmp(reason, "job_execution_timeout"))
		return 1;
	for (i = 0; job && i < job->failure_reasons.count; i++)
		if (!strcmp(job->failure_reasons.items[i], reason))
			return 1;
	return 0;
}

CICD_EXTERN(const char *) cicd_job_payload_failure_reason(const cicd_job_payload *job, const char *reason)
{
	static const char *const KNOWN[] = {"script_failure",
	                                    "runner_system_failure",
	                                    "job_execution_timeout",
	                                    "image_pull_failure",
	                                    "unknown_failure",
	                                    "runner_configuration_error",
	                                    "runner_external_dependency_failure",
	                                    "runner_interrupted"};
	static const struct {
		const char *from, *to;
	} OLDER[] = {{"image_pull_failure", "runner_system_failure"},
	             {"runner_configuration_error", "script_failure"},
	             {"runner_external_dependency_failure", "runner_system_failure"}};
	size_t i;
	if (!reason || !reason[0])
		return "script_failure";
	for (i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
		if (!strcmp(KNOWN[i], reason) && accepted(job, reason))
			return KNOWN[i];
	for (i = 0; i < sizeof OLDER / sizeof OLDER[0]; i++)
		if (!strcmp(OLDER[i].from, reason))
			return OLDER[i].to; /* always accepted */
	return "unknown_failure";
}
