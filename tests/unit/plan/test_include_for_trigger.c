/* Includes decided for a trigger: cicd_trigger_lookup (include variables) and cicd_trigger_include_rules. */
#include <stdio.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

/* Answers every include with one job named after the location ("ci/dev.yml" -> "from ci/dev.yml"); remote ones do not exist. */
static int resolver(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	char text[256];
	int n = snprintf(text, sizeof text, "'from %s':\n  script: s\n", req->location);
	(void)payload;
	if (req->kind == CICD_INCLUDE_REMOTE)
		return CICD_ENOTFOUND;
	return cicd_include_result_set(res, text, (size_t)n, NULL);
}

static int readme_exists(int *found, const char *glob, void *payload)
{
	(void)payload;
	*found = !strcmp(glob, "README.md") || !strcmp(glob, "docs/*.md");
	return 0;
}

/* The jobs GitLab would read for the trigger, joined by ", ", or the first diagnostic. */
static const char *jobs_for(const char *yaml, cicd_trigger *t)
{
	static char out[1024];
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	size_t i, n = 0;
	opts.resolver = resolver;
	opts.include_variables = cicd_trigger_lookup;
	opts.include_variables_payload = t;
	opts.include_rules = cicd_trigger_include_rules;
	opts.include_rules_payload = t;
	opts.masked_values = cicd_trigger_masked_values(t, &opts.masked_value_count);
	out[0] = 0;
	if (cicd_pipeline_load_buffer(&p, &d, yaml, strlen(yaml), "ci.yml", &opts)) {
		snprintf(out, sizeof out, "%s", cicd_diagnostics_get(d, 0)->message);
	} else {
		for (i = 0; i < cicd_pipeline_job_count(p); i++)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? ", " : "",
					      cicd_job_name(cicd_pipeline_job(p, i)));
	}
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
	return out;
}

static void test_lookup_gives_pipeline_variables_over_predefined_ones(void)
{
	cicd_trigger *t = NULL;
	const char *v = NULL;
	size_t len = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "feature/x"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "CI_COMMIT_REF_NAME", t), 1);
	CICD_ASSERT_STR(v, "feature/x");
	CU_ASSERT_EQUAL(len, 9);
	CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "CI_COMMIT_REF_SLUG", t), 1);
	CICD_ASSERT_STR(v, "feature-x");
	CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "CI_COMMIT_TAG", t), 0);
	/* setters keep the predefined variables current */
	CU_ASSERT_EQUAL(cicd_trigger_set_project(t, "acme/shop"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "CI_PROJECT_NAME", t), 1);
	CICD_ASSERT_STR(v, "shop");
	CU_ASSERT_EQUAL(cicd_trigger_set_sha(t, "0123456789abcdef0123456789abcdef01234567"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "CI_COMMIT_SHORT_SHA", t), 1);
	CICD_ASSERT_STR(v, "01234567");
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "CI_COMMIT_REF_NAME", "override"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "CI_COMMIT_REF_NAME", t), 1);
	CICD_ASSERT_STR(v, "override");
	cicd_trigger_free(t);
}

static void test_include_locations_expand_the_triggers_variables(void)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "TOOLS_REF", "v2"), 0);
	CICD_ASSERT_STR(jobs_for("include:\n  - template: 'ci/${CI_COMMIT_REF_NAME}.yml'\n"
				 "  - project: $CI_PROJECT_NAMESPACE/tools\n    ref: $TOOLS_REF\n    file: $TOOLS_REF.yml\n"
				 "job:\n  script: j\n",
				 t),
			"from ci/dev.yml, from v2.yml, job");
	cicd_trigger_free(t);
}

static void test_include_rules_decide_for_the_trigger(void)
{
	static const char *const yaml =
		"include:\n"
		"  - template: dev.yml\n    rules: [{if: '$CI_COMMIT_BRANCH == \"dev\"'}]\n"
		"  - template: tag.yml\n    rules: [{if: $CI_COMMIT_TAG}]\n"
		"  - template: never.yml\n    rules: [{if: $CI_COMMIT_BRANCH, when: never}, {when: always}]\n"
		"  - template: docs.yml\n    rules: [{changes: ['docs/*.md']}]\n"
		"  - template: readme.yml\n    rules: [{exists: [README.md]}]\n"
		"  - template: nothing.yml\n    rules: [{exists: {paths: [NOTHING]}}]\n"
		"  - template: manual.yml\n    rules: [{if: $DEPLOY == \"yes\"}]\n"
		"job:\n  script: j\n";
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
	/* changes unknown: `changes` holds; no exists callback: `exists` does not */
	CICD_ASSERT_STR(jobs_for(yaml, t), "from dev.yml, from docs.yml, job");
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "src/main.c"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_exists(t, readme_exists, NULL), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "DEPLOY", "yes"), 0);
	CICD_ASSERT_STR(jobs_for(yaml, t), "from dev.yml, from readme.yml, from manual.yml, job");
	cicd_trigger_free(t);
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_TAG, "v1.0.0"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "docs/guide.md"), 0);
	CICD_ASSERT_STR(jobs_for(yaml, t), "from tag.yml, from never.yml, from docs.yml, job");
	cicd_trigger_free(t);
}

static void test_a_bad_include_rule_fails_the_load(void)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
	CICD_ASSERT_STR(jobs_for("include:\n  - template: a.yml\n    rules: [{if: '$A ==='}]\njob:\n  script: j\n", t),
			"include rules could not be evaluated: invalid expression syntax: unexpected character '='");
	CU_ASSERT_EQUAL(cicd_trigger_include_rules(NULL, NULL, NULL), CICD_EINVALID);
	cicd_trigger_free(t);
}

static void test_masked_variables_are_listed_while_they_are_masked(void)
{
	cicd_trigger *t = NULL;
	const char *const *values;
	size_t n = 99;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
	CU_ASSERT_PTR_NULL(cicd_trigger_masked_values(t, &n));
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(t, "TOKEN", "s3cr3t-t0ken"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "PLAIN", "visible"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(t, "EMPTY", ""), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(t, "OTHER", "hunter2-hunter2"), 0);
	values = cicd_trigger_masked_values(t, &n);
	CU_ASSERT_EQUAL_FATAL(n, 2); /* an empty value has nothing to mask */
	CICD_ASSERT_STR(values[0], "s3cr3t-t0ken");
	CICD_ASSERT_STR(values[1], "hunter2-hunter2");
	/* a new value replaces the listed one; a plain set unmasks the name */
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(t, "TOKEN", "rotated-t0ken"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "OTHER", "no longer secret"), 0);
	values = cicd_trigger_masked_values(t, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CICD_ASSERT_STR(values[0], "rotated-t0ken");
	/* the value is still a variable like any other */
	{
		const char *v = NULL;
		size_t len = 0;
		CU_ASSERT_EQUAL(cicd_trigger_lookup(&v, &len, "TOKEN", t), 1);
		CICD_ASSERT_STR(v, "rotated-t0ken");
	}
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(t, "bad-name", "x"), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(NULL, "A", "x"), CICD_EINVALID);
	CU_ASSERT_PTR_NULL(cicd_trigger_masked_values(NULL, &n));
	CU_ASSERT_EQUAL(n, 0);
	cicd_trigger_free(t);
}

static void test_include_errors_mask_the_triggers_secrets(void)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_masked_variable(t, "TOKEN", "s3cr3t-t0ken"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "HOST", "ci.example.com"), 0);
	CICD_ASSERT_STR(jobs_for("include:\n  - remote: 'https://$HOST/$TOKEN/ci.yml'\njob:\n  script: s\n", t),
			"Remote file `https://ci.example.com/[MASKED]/ci.yml` does not exist!");
	CICD_ASSERT_STR(jobs_for("include:\n  - remote: 'https://$HOST/x$TOKEN$TOKEN.yml'\njob:\n  script: s\n", t),
			"Remote file `https://ci.example.com/x[MASKED][MASKED].yml` does not exist!");
	/* the file an include read is named without the secret, in positions and the file list */
	{
		const char *yaml = "include:\n  - project: 'g/p'\n    file: 'ci/$TOKEN.yml'\n";
		cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
		cicd_pipeline *p = NULL;
		opts.resolver = resolver;
		opts.include_variables = cicd_trigger_lookup;
		opts.include_variables_payload = t;
		opts.masked_values = cicd_trigger_masked_values(t, &opts.masked_value_count);
		CU_ASSERT_EQUAL_FATAL(cicd_pipeline_load_buffer(&p, NULL, yaml, strlen(yaml), "ci.yml", &opts), 0);
		CICD_ASSERT_STR(cicd_job_name(cicd_pipeline_job(p, 0)), "from ci/s3cr3t-t0ken.yml"); /* the content is data */
		CICD_ASSERT_STR(cicd_job_file(cicd_pipeline_job(p, 0)), "ci/[MASKED].yml");
		CICD_ASSERT_STR(cicd_pipeline_file(p, 1), "ci/[MASKED].yml");
		cicd_pipeline_free(p);
	}
	cicd_trigger_free(t);
}

/* Since main's merge base, only src/app.c changed; no other ref exists. */
static int compare_main(cicd_path_list *changed, const char *ref, void *payload)
{
	(void)payload;
	if (strcmp(ref, "main") != 0)
		return CICD_ENOTFOUND;
	return cicd_path_list_add(changed, "src/app.c");
}

static void test_include_rules_compare_to_asks_the_trigger(void)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "feature/x"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_compare(t, compare_main, NULL), 0);
	CICD_ASSERT_STR(jobs_for("include:\n"
				 "  - template: app.yml\n    rules: [{changes: {paths: ['src/*'], compare_to: main}}]\n"
				 "  - template: docs.yml\n    rules: [{changes: {paths: ['docs/*'], compare_to: main}}]\n"
				 "a:\n  script: x\n",
				 t),
			"from app.yml, a");
	CICD_ASSERT_STR(jobs_for("include:\n  - template: app.yml\n    rules: [{changes: {paths: [x], compare_to: gone}}]\n"
				 "a:\n  script: x\n",
				 t),
			"include rules could not be evaluated: include:rules:changes:compare_to is not a valid ref");
	cicd_trigger_free(t);
}

CICD_SUITE(include_for_trigger, CICD_TEST(test_lookup_gives_pipeline_variables_over_predefined_ones),
	   CICD_TEST(test_include_locations_expand_the_triggers_variables),
	   CICD_TEST(test_include_rules_decide_for_the_trigger), CICD_TEST(test_a_bad_include_rule_fails_the_load),
	   CICD_TEST(test_masked_variables_are_listed_while_they_are_masked),
	   CICD_TEST(test_include_errors_mask_the_triggers_secrets),
	   CICD_TEST(test_include_rules_compare_to_asks_the_trigger))
