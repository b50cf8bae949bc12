/*
 * libFuzzer target: a pipeline from arbitrary bytes, planned for a branch,
 * a tag and a merge request, with the DAG and JSON read back. Also the
 * glob matcher on the first line as pattern and the rest as path. Any
 * crash, leak, sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int exists_any(int *found, const char *glob, void *payload)
{
	(void)payload;
	*found = glob[0] == 'D';
	return 0;
}

/* compare_to: refs starting with 'm' changed two paths, others name no commit. */
static int compare_m(cicd_path_list *changed, const char *ref, void *payload)
{
	(void)payload;
	if (ref[0] != 'm')
		return CICD_ENOTFOUND;
	return cicd_path_list_add(changed, "src/main.c") ? CICD_ENOMEM : cicd_path_list_add(changed, "Dockerfile");
}

static void plan_one(const cicd_planner *pl, cicd_trigger_kind kind, const char *ref)
{
	cicd_trigger *t = NULL;
	cicd_plan *plan = NULL;
	cicd_buf out = CICD_BUF_INIT;
	size_t i, k;
	if (cicd_trigger_new(&t, kind, ref))
		return;
	cicd_trigger_set_exists(t, exists_any, NULL);
	if (kind != CICD_TRIGGER_TAG)
		cicd_trigger_set_compare(t, compare_m, NULL);
	if (kind == CICD_TRIGGER_BRANCH)
		cicd_trigger_add_changed(t, "src/main.c");
	if (cicd_plan_create(&plan, pl, t) == 0) {
		for (i = 0; i < cicd_plan_job_count(plan); i++) {
			cicd_plan_topological(plan, i);
			for (k = 0; k < cicd_plan_job_prerequisite_count(plan, i) && k < 64; k++)
				cicd_plan_job_prerequisite(plan, i, k);
		}
		for (i = 0; i < cicd_plan_critical_path_count(plan); i++)
			cicd_plan_critical_path(plan, i);
		cicd_plan_to_json(&out, plan, 0);
		cicd_buf_dispose(&out);
		cicd_plan_free(plan);
	}
	cicd_trigger_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	cicd_pipeline *p = NULL;
	cicd_planner *pl = NULL;
	const uint8_t *nl = memchr(data, '\n', size);
	if (nl && (size_t)(nl - data) < 256 && size - (size_t)(nl - data) < 512) {
		char pattern[256], path[512];
		size_t plen = (size_t)(nl - data), rest = size - plen - 1;
		memcpy(pattern, data, plen);
		pattern[plen] = '\0';
		memcpy(path, nl + 1, rest);
		path[rest] = '\0';
		cicd_plan_glob_match(pattern, path);
	}
	opts.max_yaml_depth = 32;
	if (cicd_pipeline_load_buffer(&p, NULL, (const char *)data, size, ".gitlab-ci.yml", &opts) != 0)
		return 0;
	if (cicd_planner_new(&pl, p, NULL) == 0) {
		plan_one(pl, CICD_TRIGGER_BRANCH, "feature/80-optimize-allocate");
		plan_one(pl, CICD_TRIGGER_TAG, "v1.1.1");
		plan_one(pl, CICD_TRIGGER_MERGE_REQUEST, "dev");
		cicd_planner_free(pl);
	}
	cicd_pipeline_free(p);
	return 0;
}
