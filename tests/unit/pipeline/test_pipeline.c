/* The pipeline module's API: loading, the typed model, includes, inputs, limits, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/pipeline.h"
#include "test.h"

static cicd_pipeline *load_ok(const char *yaml, const cicd_pipeline_options *opts)
{
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	int rc = cicd_pipeline_load_buffer(&p, &d, yaml, strlen(yaml), "ci.yml", opts);
	if (rc) {
		size_t i;
		for (i = 0; i < cicd_diagnostics_count(d); i++) {
			const cicd_diagnostic *x = cicd_diagnostics_get(d, i);
			fprintf(stderr, "\n%s:%u:%u: %s", x->file, x->line, x->column, x->message);
		}
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	cicd_diagnostics_free(d);
	return p;
}

/* Loads invalid YAML and returns the diagnostics as "L:C: message" lines joined by '\n'. */
static char *load_errors(const char *yaml, const cicd_pipeline_options *opts)
{
	static char out[8192];
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	size_t i, n = 0;
	int rc = cicd_pipeline_load_buffer(&p, &d, yaml, strlen(yaml), "ci.yml", opts);
	CU_ASSERT_EQUAL(rc, CICD_EVALIDATE);
	CU_ASSERT_PTR_NULL(p);
	out[0] = 0;
	for (i = 0; i < cicd_diagnostics_count(d); i++) {
		const cicd_diagnostic *x = cicd_diagnostics_get(d, i);
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s:%u:%u: %s", i ? "\n" : "", x->file, x->line,
		                      x->column, x->message);
	}
	cicd_diagnostics_free(d);
	return out;
}

static void test_jobs_come_in_file_order_with_defaults(void)
{
	cicd_pipeline *p =
	    load_ok("stages: [build, test]\n"
	            "default:\n  image: alpine\n  tags: [k8s]\n  retry: {max: 2, when: [script_failure]}\n"
	            "zeta:\n  stage: build\n  script: [a, [b, c]]\n"
	            ".hidden:\n  script: x\n"
	            "alpha:\n  script: y\n  image: {name: ruby}\n  inherit: {default: [tags]}\n",
	            NULL);
	const cicd_job *z = cicd_pipeline_job(p, 0), *a = cicd_pipeline_job(p, 1);
	CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), 2);
	CICD_ASSERT_STR(cicd_job_name(z), "zeta");
	CICD_ASSERT_STR(cicd_job_name(a), "alpha");
	CICD_ASSERT_STR(cicd_job_stage(z), "build");
	CICD_ASSERT_STR(cicd_job_stage(a), "test");
	CICD_ASSERT_STR(cicd_job_when(z), "on_success");
	CU_ASSERT_EQUAL(cicd_job_allow_failure(z), -1);
	CU_ASSERT_EQUAL(cicd_job_script_count(z, "script"), 3);
	CICD_ASSERT_STR(cicd_job_script(z, "script", 2), "c");
	CICD_ASSERT_STR(cicd_job_image(z), "alpine");
	CICD_ASSERT_STR(cicd_job_image(a), "ruby");
	CU_ASSERT_EQUAL(cicd_job_retry_max(z), 2);
	CU_ASSERT_EQUAL(cicd_job_retry_max(a), 0); /* inherit:default lists only tags */
	CICD_ASSERT_STR(cicd_job_tag(a, 0), "k8s");
	CU_ASSERT_TRUE(cicd_job_inherits_default(a, "tags"));
	CU_ASSERT_FALSE(cicd_job_inherits_default(a, "image"));
	CU_ASSERT_EQUAL(cicd_job_line(a), 11);
	CU_ASSERT_EQUAL(cicd_job_column(a), 1);
	CU_ASSERT_EQUAL(cicd_pipeline_stage_count(p), 4);
	CICD_ASSERT_STR(cicd_pipeline_stage(p, 0), ".pre");
	CICD_ASSERT_STR(cicd_pipeline_stage(p, 3), ".post");
	/* the default `only` applies without rules and workflow:rules */
	CU_ASSERT_TRUE(cicd_job_policy_is_default(cicd_job_only(z)));
	CICD_ASSERT_STR(cicd_job_policy_ref(cicd_job_only(z), 1), "tags");
	{
		const cicd_job *j = NULL;
		CU_ASSERT_EQUAL(cicd_pipeline_job_by_name(&j, p, "alpha"), 0);
		CU_ASSERT_PTR_EQUAL(j, a);
		CU_ASSERT_EQUAL(cicd_pipeline_job_by_name(&j, p, ".hidden"), CICD_ENOTFOUND);
	}
	{
		cicd_job_iterator *it = NULL;
		const cicd_job *j;
		int n = 0;
		CU_ASSERT_EQUAL(cicd_job_iterator_new(&it, p), 0);
		while (cicd_job_iterator_next(&j, it) == 0)
			n++;
		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT_EQUAL(cicd_job_iterator_next(&j, it), CICD_ITEROVER);
		cicd_job_iterator_free(it);
	}
	cicd_pipeline_free(p);
}

static void test_rules_needs_variables_are_typed(void)
{
	cicd_pipeline *p = load_ok(
	    "workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n      variables: {KIND: release}\n    - when: never\n"
	    "variables:\n  G: {value: b, description: pick, options: [a, b], expand: false}\n"
	    "build:\n  stage: build\n  script: make\n  parallel: 2\n"
	    "deploy:\n  stage: deploy\n  script: d\n"
	    "  needs: [build, {job: other, optional: true, artifacts: false}]\n"
	    "  allow_failure: {exit_codes: [3, 4]}\n"
	    "  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: delayed\n      start_in: 1 hour\n"
	    "      allow_failure: true\n      changes: {paths: [src/**], compare_to: main}\n"
	    "      variables: {R: \"1\"}\n      needs: []\n"
	    "other:\n  script: o\n  only: {refs: [main], variables: [$X == \"1\"], kubernetes: active}\n"
	    "  parallel:\n    matrix:\n      - OS: [linux, mac]\n        ARCH: amd64\n",
	    NULL);
	const cicd_job *b = cicd_pipeline_job(p, 0), *d = cicd_pipeline_job(p, 1), *o = cicd_pipeline_job(p, 2);
	const cicd_rule *r = cicd_job_rule(d, 0);
	const cicd_variable *g = cicd_pipeline_variable(p, 0);
	const char *name, *value;
	CU_ASSERT_TRUE(cicd_pipeline_has_workflow_rules(p));
	CU_ASSERT_EQUAL(cicd_pipeline_workflow_rule_count(p), 2);
	CICD_ASSERT_STR(cicd_rule_if(cicd_pipeline_workflow_rule(p, 0)), "$CI_COMMIT_TAG");
	CICD_ASSERT_STR(cicd_variable_value(cicd_rule_variable(cicd_pipeline_workflow_rule(p, 0), 0)), "release");
	CICD_ASSERT_STR(cicd_rule_when(cicd_pipeline_workflow_rule(p, 1)), "never");
	CICD_ASSERT_STR(cicd_variable_name(g), "G");
	CICD_ASSERT_STR(cicd_variable_value(g), "b");
	CICD_ASSERT_STR(cicd_variable_description(g), "pick");
	CU_ASSERT_EQUAL(cicd_variable_expand(g), 0);
	CU_ASSERT_EQUAL(cicd_variable_option_count(g), 2);
	/* workflow:rules remove the default only */
	CU_ASSERT_PTR_NULL(cicd_job_only(b));
	CU_ASSERT_EQUAL(cicd_job_parallel(b), 2);
	CU_ASSERT_EQUAL(cicd_job_instance_count(b), 2);
	CICD_ASSERT_STR(cicd_job_instance_name(b, 1), "build 2/2");
	CU_ASSERT_EQUAL(cicd_job_need_count(d), 2);
	CICD_ASSERT_STR(cicd_need_job(cicd_job_need(d, 0)), "build");
	CU_ASSERT_TRUE(cicd_need_artifacts(cicd_job_need(d, 0)));
	CU_ASSERT_TRUE(cicd_need_optional(cicd_job_need(d, 1)));
	CU_ASSERT_FALSE(cicd_need_artifacts(cicd_job_need(d, 1)));
	CU_ASSERT_EQUAL(cicd_job_allow_failure(d), 0);
	CU_ASSERT_EQUAL(cicd_job_allow_failure_exit_code_count(d), 2);
	CU_ASSERT_EQUAL(cicd_job_allow_failure_exit_code(d, 1), 4);
	CU_ASSERT_EQUAL(cicd_job_need_count(b), -1);
	CU_ASSERT_TRUE(cicd_job_has_rules(d));
	CICD_ASSERT_STR(cicd_rule_if(r), "$CI_COMMIT_BRANCH == \"main\"");
	CU_ASSERT_EQUAL(cicd_node_line(cicd_rule_if_node(r)), 18);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_rule_if_node(r)), 11);
	CICD_ASSERT_STR(cicd_rule_when(r), "delayed");
	CICD_ASSERT_STR(cicd_rule_start_in(r), "1 hour");
	CU_ASSERT_EQUAL(cicd_rule_allow_failure(r), 1);
	CU_ASSERT_TRUE(cicd_rule_has_changes(r));
	CICD_ASSERT_STR(cicd_rule_changes(r, 0), "src/**");
	CICD_ASSERT_STR(cicd_rule_changes_compare_to(r), "main");
	CU_ASSERT_FALSE(cicd_rule_has_exists(r));
	CICD_ASSERT_STR(cicd_variable_value(cicd_rule_variable(r, 0)), "1");
	CU_ASSERT_EQUAL(cicd_rule_need_count(r), 0);
	CU_ASSERT_FALSE(cicd_job_policy_is_default(cicd_job_only(o)));
	CICD_ASSERT_STR(cicd_job_policy_ref(cicd_job_only(o), 0), "main");
	CICD_ASSERT_STR(cicd_job_policy_variable(cicd_job_only(o), 0), "$X == \"1\"");
	CICD_ASSERT_STR(cicd_job_policy_kubernetes(cicd_job_only(o)), "active");
	CU_ASSERT_EQUAL(cicd_job_instance_count(o), 2);
	CICD_ASSERT_STR(cicd_job_instance_name(o, 0), "other: [linux, amd64]");
	CICD_ASSERT_STR(cicd_job_instance_name(o, 1), "other: [mac, amd64]");
	CU_ASSERT_EQUAL(cicd_job_instance_variable(&name, &value, o, 1, 0), 0);
	CICD_ASSERT_STR(name, "OS");
	CICD_ASSERT_STR(value, "mac");
	cicd_pipeline_free(p);
}

static void test_extends_merges_hashes_deeply_and_replaces_arrays(void)
{
	cicd_pipeline *p = load_ok(".a:\n  variables: {X: a, Y: a}\n  script: [from-a]\n  rules: [{if: $A}]\n"
	                           ".b:\n  variables: {Y: b}\n  tags: [b]\n"
	                           "job:\n  extends: [.a, .b]\n  variables: {Z: j}\n  script: [own]\n",
	                           NULL);
	const cicd_job *j = cicd_pipeline_job(p, 0);
	CU_ASSERT_EQUAL(cicd_job_variable_count(j), 3);
	CICD_ASSERT_STR(cicd_variable_value(cicd_job_variable(j, 0)), "a");
	CICD_ASSERT_STR(cicd_variable_value(cicd_job_variable(j, 1)), "b");
	CICD_ASSERT_STR(cicd_variable_value(cicd_job_variable(j, 2)), "j");
	CU_ASSERT_EQUAL(cicd_job_script_count(j, "script"), 1);
	CICD_ASSERT_STR(cicd_job_script(j, "script", 0), "own");
	CU_ASSERT_EQUAL(cicd_job_rule_count(j), 1);
	CICD_ASSERT_STR(cicd_job_tag(j, 0), "b");
	CU_ASSERT_EQUAL(cicd_job_extends_count(j), 2);
	CICD_ASSERT_STR(cicd_job_extends(j, 1), ".b");
	/* positions survive merging: Y's value came from .b on line 6 */
	CU_ASSERT_EQUAL(cicd_node_line(cicd_variable_node(cicd_job_variable(j, 1))), 6);
	cicd_pipeline_free(p);
}

typedef struct resolver_log {
	int calls;
	char last[256];
} resolver_log;

static int test_resolver(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	resolver_log *log = payload;
	log->calls++;
	snprintf(log->last, sizeof log->last, "%d %s %s %s %u", (int)req->kind, req->location,
	         req->project ? req->project : "-", req->ref ? req->ref : "-", req->depth);
	if (!strcmp(req->location, "missing.yml"))
		return CICD_ENOTFOUND;
	if (!strcmp(req->location, "https://example.com/broken.yml")) {
		cicd_include_result_fail(res, "connection refused");
		return CICD_EHTTP;
	}
	if (req->rules)
		return CICD_ITEROVER;
	if (!strcmp(req->location, "https://example.com/ci.yml"))
		return cicd_include_result_set(res, "remote:\n  script: r\n", 20, "remote.yml");
	return cicd_include_result_set(res, "shared:\n  script: s\n  stage: build\n", 35, NULL);
}

static void test_resolver_gets_project_remote_template_component(void)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	resolver_log log;
	cicd_pipeline *p;
	memset(&log, 0, sizeof log);
	opts.resolver = test_resolver;
	opts.resolver_payload = &log;
	p = load_ok("include:\n  - project: group/p\n    ref: v1\n    file: [a.yml]\n"
	            "  - https://example.com/ci.yml\n  - template: Auto.gitlab-ci.yml\n"
	            "  - remote: https://example.com/other.yml\n    rules: [{if: $NEVER}]\n"
	            "job:\n  script: j\n",
	            &opts);
	CU_ASSERT_EQUAL(log.calls, 4);
	CICD_ASSERT_STR(log.last, "3 https://example.com/other.yml - - 1");
	CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), 3);
	CICD_ASSERT_STR(cicd_job_name(cicd_pipeline_job(p, 0)), "shared");
	CICD_ASSERT_STR(cicd_job_file(cicd_pipeline_job(p, 1)), "remote.yml");
	CU_ASSERT_EQUAL(cicd_pipeline_file_count(p), 4);
	cicd_pipeline_free(p);
	CICD_ASSERT_STR(
	    load_errors(
	        "include:\n  - project: group/p\n    file: missing.yml\n"
	        "  - remote: https://user:glpat-abcdefghijklmnopqrst@example.com/broken.yml\njob:\n  script: j\n",
	        &opts),
	    "ci.yml:3:11: Project `group/p` file `missing.yml` does not exist!");
	CICD_ASSERT_STR(
	    load_errors("include:\n  - remote: https://example.com/broken.yml\njob:\n  script: j\n", &opts),
	    "ci.yml:2:13: Remote file `https://example.com/broken.yml` could not be included: connection refused");
	CICD_ASSERT_STR(
	    load_errors("include:\n  - component: example.com/a/b@1.0\njob:\n  script: j\n", NULL),
	    "ci.yml:2:16: Component `example.com/a/b@1.0` cannot be included: no include resolver is configured");
}

static int skip_rules(const cicd_node *rules, const cicd_include_request *req, void *payload)
{
	const char *cond = cicd_node_scalar(cicd_node_get(cicd_node_item(rules, 0), "if"), NULL);
	(void)req;
	(*(int *)payload)++;
	if (cond && strstr(cond, "FAIL"))
		return CICD_EUSER;
	return cond && strstr(cond, "SKIP") ? 0 : 1;
}

static void test_include_rules_go_to_the_callback(void)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	resolver_log log;
	cicd_pipeline *p;
	int calls = 0;
	memset(&log, 0, sizeof log);
	opts.resolver = test_resolver;
	opts.resolver_payload = &log;
	opts.include_rules = skip_rules;
	opts.include_rules_payload = &calls;
	p = load_ok("include:\n  - template: a.yml\n    rules: [{if: $SKIP}]\n"
	            "  - project: g/p\n    file: b.yml\n    rules: [{if: $KEEP}]\n  - template: c.yml\n"
	            "job:\n  script: j\n",
	            &opts);
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_EQUAL(log.calls, 2); /* a.yml was never asked for */
	CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), 2);
	cicd_pipeline_free(p);
	CICD_ASSERT_STR(
	    load_errors("include:\n  - template: a.yml\n    rules: [{if: $FAIL}]\njob:\n  script: j\n", &opts),
	    "ci.yml:2:5: include rules could not be evaluated: callback error");
	CICD_ASSERT_STR(
	    load_errors("include:\n  - template: a.yml\n    rules: [{when: manual, foo: 1}]\njob:\n  script: j\n",
	                &opts),
	    "ci.yml:3:20: include:rules:rule when unknown value: manual\n"
	    "ci.yml:3:28: include:rules:rule config contains unknown keys: foo");
}

static void test_local_includes_stay_inside_the_project_root(void)
{
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	char root[4096];
	int rc;
	snprintf(root, sizeof root, "%s", cicd_test_data_path("root"));
	rc = cicd_pipeline_load_file(&p, &d, cicd_test_data_path("root/.gitlab-ci.yml"), NULL);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), 2);
	CICD_ASSERT_STR(cicd_job_name(cicd_pipeline_job(p, 0)), "test");
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
	opts.project_root = root;
	CICD_ASSERT_STR(load_errors("include: ../outside.yml\njob:\n  script: j\n", &opts),
	                "ci.yml:1:10: Local file `../outside.yml` is outside the project root");
	CICD_ASSERT_STR(load_errors("include: ci/link.yml\njob:\n  script: j\n", &opts),
	                "ci.yml:1:10: Local file `ci/link.yml` is outside the project root");
	CICD_ASSERT_STR(load_errors("include: ci/nope.yml\njob:\n  script: j\n", &opts),
	                "ci.yml:1:10: Local file `ci/nope.yml` does not exist!");
	CICD_ASSERT_STR(load_errors("include: ci/jobs.txt\njob:\n  script: j\n", &opts),
	                "ci.yml:1:10: Included file `ci/jobs.txt` does not have YAML extension!");
	CICD_ASSERT_STR(load_errors("include: ci/jobs.yml\njob:\n  script: j\n", NULL),
	                "ci.yml:1:10: Local file `ci/jobs.yml` cannot be included: no project root is set");
}

static int cyclic_resolver(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	(void)payload;
	if (!strcmp(req->location, "a.yml"))
		return cicd_include_result_set(res, "include: {template: b.yml}\na:\n  script: a\n", 41, NULL);
	return cicd_include_result_set(res, "include: {template: a.yml}\nb:\n  script: b\n", 41, NULL);
}

static void test_include_cycles_and_limits_are_errors(void)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	opts.resolver = cyclic_resolver;
	CICD_ASSERT_STR(load_errors("include: {template: a.yml}\njob:\n  script: j\n", &opts),
	                "b.yml:1:21: Include `a.yml` was already included! (circular include)");
	opts.max_includes = 1;
	CICD_ASSERT_STR(load_errors("include: {template: a.yml}\njob:\n  script: j\n", &opts),
	                "a.yml:1:21: Maximum of 1 nested includes are allowed!");
}

static void test_inputs_are_checked_and_interpolated(void)
{
	cicd_pipeline *p =
	    load_ok("spec:\n  inputs:\n    stage: {default: test}\n    n: {type: number, default: 2}\n"
	            "    flag: {type: boolean, default: true}\n---\n"
	            "job-$[[ inputs.stage ]]:\n  stage: $[[ inputs.stage ]]\n  parallel: $[[ inputs.n ]]\n"
	            "  script: echo $[[ inputs.flag ]] $[[ inputs.stage | truncate(1,2) ]]\n",
	            NULL);
	const cicd_job *j = cicd_pipeline_job(p, 0);
	CICD_ASSERT_STR(cicd_job_name(j), "job-test");
	CU_ASSERT_EQUAL(cicd_job_parallel(j), 2);
	CICD_ASSERT_STR(cicd_job_script(j, "script", 0), "echo true es");
	cicd_pipeline_free(p);
	CICD_ASSERT_STR(
	    load_errors("spec:\n  inputs:\n    env: {options: [a, b]}\n    x: {type: number, default: nope}\n"
	                "    r: {default: abc, regex: ^x}\n---\njob:\n  script: $[[ inputs.env ]] $[[ inputs.y ]]\n",
	                NULL),
	    "ci.yml:3:5: `env` input: required value has not been provided\n"
	    "ci.yml:4:32: `x` input: provided value is not a number\n"
	    "ci.yml:5:18: `r` input: provided value does not match required RegEx pattern");
}

static void test_yaml_errors_and_duplicate_keys_are_reported(void)
{
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	const char *dup = "job:\n  script: a\n  script: b\n";
	CICD_ASSERT_STR(
	    load_errors("job: [unclosed\n", NULL),
	    "ci.yml:2:1: did not find expected ',' or ']' while parsing a flow sequence at line 1 column 6");
	CICD_ASSERT_STR(load_errors("", NULL), "ci.yml:0:0: Please provide content of ci.yml");
	CICD_ASSERT_STR(load_errors("- a\n- b\n", NULL), "ci.yml:1:1: Invalid configuration format");
	CU_ASSERT_EQUAL(cicd_pipeline_load_buffer(&p, &d, dup, strlen(dup), "ci.yml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_diagnostics_count_severity(d, CICD_SEVERITY_WARNING), 1);
	cicd_diagnostics_free(d);
	cicd_pipeline_free(p);
	{
		cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
		opts.flags = CICD_PIPELINE_STRICT_KEYS;
		CU_ASSERT_EQUAL(cicd_pipeline_load_buffer(&p, &d, dup, strlen(dup), "ci.yml", &opts), CICD_EVALIDATE);
		CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
		cicd_diagnostics_free(d);
	}
}

static void test_expressions_are_checked_on_request(void)
{
	static const char yaml[] = "job:\n  script: x\n  rules:\n    - if: $A == ${B}\n";
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	cicd_pipeline *p = load_ok(yaml, NULL); /* not checked by default: planning compiles them */
	cicd_diagnostics *d = NULL;
	CICD_ASSERT_STR(cicd_rule_if(cicd_job_rule(cicd_pipeline_job(p, 0), 0)), "$A == ${B}");
	cicd_pipeline_free(p);
	opts.flags = CICD_PIPELINE_CHECK_EXPRESSIONS;
	CU_ASSERT_EQUAL(cicd_pipeline_load_buffer(&p, &d, yaml, strlen(yaml), "ci.yml", &opts), CICD_EVALIDATE);
	CU_ASSERT_EQUAL_FATAL(cicd_diagnostics_count(d), 1);
	CU_ASSERT_EQUAL(cicd_diagnostics_get(d, 0)->code, CICD_EPARSE);
	CU_ASSERT_EQUAL(cicd_diagnostics_get(d, 0)->line, 4);
	CU_ASSERT_EQUAL(cicd_diagnostics_get(d, 0)->column, 17);
	CICD_ASSERT_STR(
	    cicd_diagnostics_get(d, 0)->message,
	    "jobs:job:rules:rule if invalid expression syntax: ${NAME} is not a variable in rules:if, write $NAME");
	cicd_diagnostics_free(d);
}

static void test_nested_stages_are_flattened_between_pre_and_post(void)
{
	cicd_pipeline *p =
	    load_ok("stages: [build, [.post, lint, [unit]], .pre]\nj:\n  stage: unit\n  script: x\n", NULL);
	const char *want[] = {".pre", "build", "lint", "unit", ".post"};
	size_t i;
	CU_ASSERT_EQUAL_FATAL(cicd_pipeline_stage_count(p), 5);
	for (i = 0; i < 5; i++)
		CICD_ASSERT_STR(cicd_pipeline_stage(p, i), want[i]);
	cicd_pipeline_free(p);
}

static void test_bad_arguments_and_options(void)
{
	cicd_pipeline *p = NULL;
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	CU_ASSERT_EQUAL(cicd_pipeline_load_buffer(NULL, NULL, "a", 1, NULL, NULL), CICD_EINVALID);
	opts.version = 99;
	CU_ASSERT_EQUAL(cicd_pipeline_load_buffer(&p, NULL, "a", 1, NULL, &opts), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_pipeline_options_init(&opts, 1), 0);
	CU_ASSERT_EQUAL(cicd_pipeline_load_file(&p, NULL, "/nonexistent/.gitlab-ci.yml", NULL), CICD_EIO);
	CU_ASSERT_PTR_NULL(p);
	cicd_pipeline_free(NULL);
}

CICD_SUITE(pipeline, CICD_TEST(test_jobs_come_in_file_order_with_defaults),
           CICD_TEST(test_rules_needs_variables_are_typed),
           CICD_TEST(test_extends_merges_hashes_deeply_and_replaces_arrays),
           CICD_TEST(test_resolver_gets_project_remote_template_component),
           CICD_TEST(test_include_rules_go_to_the_callback),
           CICD_TEST(test_local_includes_stay_inside_the_project_root),
           CICD_TEST(test_include_cycles_and_limits_are_errors), CICD_TEST(test_inputs_are_checked_and_interpolated),
           CICD_TEST(test_yaml_errors_and_duplicate_keys_are_reported),
           CICD_TEST(test_expressions_are_checked_on_request),
           CICD_TEST(test_nested_stages_are_flattened_between_pre_and_post), CICD_TEST(test_bad_arguments_and_options))
