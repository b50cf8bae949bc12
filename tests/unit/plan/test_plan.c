/* Planning: which jobs GitLab puts in a pipeline for a trigger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

/* The pipeline of the last plan_for(): a plan borrows from it, release() frees both. */
static cicd_pipeline *last_pipeline;

/* Plans `yaml` for a trigger (consumed); returns the plan, or NULL with the error kept. */
static cicd_plan *plan_for(const char *yaml, cicd_trigger *t, int *rc_out)
{
	cicd_pipeline *p = NULL;
	cicd_planner *pl = NULL;
	cicd_plan *plan = NULL;
	int rc = cicd_pipeline_load_buffer(&p, NULL, yaml, strlen(yaml), ".gitlab-ci.yml", NULL);
	if (rc != 0)
		printf("\nload failed: %s\n", cicd_error_last()->message);
	if (rc == 0)
		rc = cicd_planner_new(&pl, p, NULL);
	if (rc == 0)
		rc = cicd_plan_create(&plan, pl, t);
	if (rc_out)
		*rc_out = rc;
	cicd_planner_free(pl);
	cicd_trigger_free(t);
	cicd_pipeline_free(last_pipeline);
	last_pipeline = NULL;
	if (plan)
		last_pipeline = p;
	else
		cicd_pipeline_free(p);
	return plan;
}

static void release(cicd_plan *plan)
{
	cicd_plan_free(plan);
	cicd_pipeline_free(last_pipeline);
	last_pipeline = NULL;
}

static cicd_trigger *branch(const char *name)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, name), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_default_branch(t, "master"), 0);
	return t;
}

static cicd_trigger *tag(const char *name)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_TAG, name), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_default_branch(t, "master"), 0);
	return t;
}

static cicd_trigger *mr(const char *source, const char *target)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_MERGE_REQUEST, source), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_merge_request(t, target, 12, NULL, "ci,urgent", "Draft: x"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_default_branch(t, "master"), 0);
	return t;
}

/* "stage/name:when[!][+start_in][>need,need]" per job, joined by spaces ('!' = allow_failure). */
static const char *summary(const cicd_plan *plan)
{
	static char out[4096];
	size_t i, n = cicd_plan_job_count(plan);
	out[0] = '\0';
	if (!plan)
		return "(error)";
	if (!cicd_plan_created(plan))
		return "(none)";
	for (i = 0; i < n; i++) {
		const cicd_plan_job *j = cicd_plan_job_at(plan, i);
		long k, nn = cicd_plan_job_need_count(j);
		char item[512];
		snprintf(item, sizeof item, "%s%s/%s:%s%s", i ? " " : "", cicd_plan_job_stage(j), cicd_plan_job_name(j),
			 cicd_plan_job_when(j), cicd_plan_job_allow_failure(j) ? "!" : "");
		strcat(out, item);
		if (cicd_plan_job_start_in(j)) {
			strcat(out, "+");
			strcat(out, cicd_plan_job_start_in(j));
		}
		if (nn >= 0)
			strcat(out, ">");
		for (k = 0; k < nn; k++) {
			if (k)
				strcat(out, ",");
			strcat(out, cicd_plan_job_need(j, (size_t)k));
		}
	}
	return out;
}

static void expect(const char *yaml, cicd_trigger *t, const char *jobs)
{
	int rc = 0;
	cicd_plan *plan = plan_for(yaml, t, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		printf("\nplan failed: %s\n", cicd_error_last()->message);
	CICD_ASSERT_STR(summary(plan), jobs);
	release(plan);
}

static void expect_var(const cicd_plan *plan, const char *name, const char *value)
{
	const char *v = NULL;
	int rc = cicd_plan_variable(&v, plan, name);
	if (!value) {
		CU_ASSERT_EQUAL(rc, CICD_ENOTFOUND);
		return;
	}
	CU_ASSERT_EQUAL(rc, 0);
	CICD_ASSERT_STR(v, value);
}

static const char FLOW_RULES[] = "stages: [build, test, deploy]\n"
				 "build:\n  stage: build\n  script: [b]\n"
				 "test:\n  script: [t]\n"
				 "deploy:\n  stage: deploy\n  script: [d]\n  when: manual\n";

static void test_predefined_variables_per_trigger(void)
{
	cicd_plan *plan = plan_for(FLOW_RULES, branch("feature/80-Optimize_allocate"), NULL);
	expect_var(plan, "CI_PIPELINE_SOURCE", "push");
	expect_var(plan, "CI_COMMIT_BRANCH", "feature/80-Optimize_allocate");
	expect_var(plan, "CI_COMMIT_REF_NAME", "feature/80-Optimize_allocate");
	expect_var(plan, "CI_COMMIT_REF_SLUG", "feature-80-optimize-allocate");
	expect_var(plan, "CI_DEFAULT_BRANCH", "master");
	expect_var(plan, "CI_PROJECT_PATH", "group/project");
	expect_var(plan, "CI_COMMIT_TAG", NULL);
	expect_var(plan, "CI_OPEN_MERGE_REQUESTS", NULL);
	expect_var(plan, "CI_MERGE_REQUEST_IID", NULL);
	release(plan);

	plan = plan_for(FLOW_RULES, tag("v1.1.1"), NULL);
	expect_var(plan, "CI_COMMIT_TAG", "v1.1.1");
	expect_var(plan, "CI_COMMIT_BRANCH", NULL);
	expect_var(plan, "CI_COMMIT_REF_SLUG", "v1-1-1");
	release(plan);

	plan = plan_for(FLOW_RULES, mr("feature/x", "dev"), NULL);
	expect_var(plan, "CI_PIPELINE_SOURCE", "merge_request_event");
	expect_var(plan, "CI_COMMIT_BRANCH", NULL);
	expect_var(plan, "CI_COMMIT_REF_NAME", "feature/x");
	expect_var(plan, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/x");
	expect_var(plan, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "dev");
	expect_var(plan, "CI_MERGE_REQUEST_IID", "12");
	expect_var(plan, "CI_MERGE_REQUEST_EVENT_TYPE", "detached");
	expect_var(plan, "CI_MERGE_REQUEST_LABELS", "ci,urgent");
	expect_var(plan, "CI_OPEN_MERGE_REQUESTS", "group/project!12");
	release(plan);
}

static void test_ref_slug_is_trimmed_to_63(void)
{
	cicd_plan *plan = plan_for(FLOW_RULES,
				   branch("--Feature/" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbb"), NULL);
	expect_var(plan, "CI_COMMIT_REF_SLUG", "feature-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	release(plan);
}

static void test_default_only_excludes_merge_request_pipelines(void)
{
	expect(FLOW_RULES, branch("dev"), "build/build:on_success test/test:on_success deploy/deploy:manual!");
	expect(FLOW_RULES, tag("v1"), "build/build:on_success test/test:on_success deploy/deploy:manual!");
	expect(FLOW_RULES, mr("feature/x", "dev"), "(none)");
}

static void test_workflow_rules_drop_the_default_only(void)
{
	static const char yaml[] = "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"
				   "    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS\n      when: never\n"
				   "    - if: $CI_COMMIT_BRANCH\n"
				   "test:\n  script: [t]\n";
	cicd_trigger *t = branch("feature/x");
	int rc;
	cicd_plan *plan;
	expect(yaml, mr("feature/x", "dev"), "test/test:on_success");
	expect(yaml, branch("feature/x"), "test/test:on_success");
	CU_ASSERT_EQUAL(cicd_trigger_set_open_merge_requests(t, "group/project!3"), 0);
	plan = plan_for(yaml, t, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(cicd_plan_created(plan), 0);
	CICD_ASSERT_STR(cicd_plan_reason(plan), "Pipeline filtered out by workflow rules.");
	CU_ASSERT_EQUAL(cicd_plan_job_count(plan), 0);
	release(plan);
	expect(yaml, tag("v1"), "(none)");
}

static void test_workflow_variables_and_name(void)
{
	static const char yaml[] = "variables:\n  TARGET: staging\n  LABEL: $TARGET-$CI_COMMIT_REF_SLUG\n"
				   "workflow:\n  name: 'deploy to $TARGET ($LABEL)'\n  rules:\n"
				   "    - if: $CI_COMMIT_BRANCH == \"master\"\n      variables:\n        TARGET: production\n"
				   "    - when: always\n"
				   "prod:\n  script: [x]\n  rules:\n    - if: $TARGET == \"production\"\n"
				   "stage:\n  script: [x]\n  rules:\n    - if: $LABEL =~ /^staging-dev$/\n";
	cicd_plan *plan = plan_for(yaml, branch("master"), NULL);
	CICD_ASSERT_STR(cicd_plan_name(plan), "deploy to production (production-master)");
	CICD_ASSERT_STR(summary(plan), "test/prod:on_success");
	release(plan);
	plan = plan_for(yaml, branch("dev"), NULL);
	CICD_ASSERT_STR(cicd_plan_name(plan), "deploy to staging (staging-dev)");
	CICD_ASSERT_STR(summary(plan), "test/stage:on_success");
	release(plan);
}

static void test_pipeline_variables_win_over_the_file(void)
{
	static const char yaml[] = "variables:\n  DEPLOY: \"no\"\n"
				   "deploy:\n  script: [x]\n  variables:\n    DEPLOY: maybe\n"
				   "  rules:\n    - if: $DEPLOY == \"yes\"\n";
	cicd_trigger *t = branch("dev");
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "DEPLOY", "yes"), 0);
	expect(yaml, t, "test/deploy:on_success");
	expect(yaml, branch("dev"), "(none)");
}

static void test_rules_first_match_and_overrides(void)
{
	static const char yaml[] =
		"stages: [a, b]\n"
		"j1:\n  stage: a\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n"
		"    - if: $CI_COMMIT_BRANCH == \"dev\"\n      when: delayed\n      start_in: 5 minutes\n    - when: manual\n"
		"j2:\n  stage: b\n  script: [x]\n  when: manual\n  rules:\n    - if: $CI_COMMIT_BRANCH\n"
		"    - if: $CI_COMMIT_TAG\n      when: on_success\n      allow_failure: true\n"
		"j3:\n  stage: b\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH\n      when: always\n"
		"      needs: []\n      variables:\n        EXTRA: \"1\"\n";
	expect(yaml, branch("dev"), "a/j1:delayed+5 minutes b/j2:manual! b/j3:always>");
	expect(yaml, branch("feature"), "a/j1:manual b/j2:manual! b/j3:always>");
	expect(yaml, tag("v1"), "b/j2:on_success!");
}

static void test_allow_failure_defaults(void)
{
	static const char yaml[] = "job-manual:\n  script: [x]\n  when: manual\n"
				   "rule-manual:\n  script: [x]\n  rules:\n    - when: manual\n"
				   "job-manual-rules:\n  script: [x]\n  when: manual\n  rules:\n    - if: $CI\n"
				   "written:\n  script: [x]\n  when: manual\n  allow_failure: false\n";
	expect(yaml, branch("dev"),
	       "test/job-manual:manual! test/rule-manual:manual test/job-manual-rules:manual! test/written:manual");
}

static void test_only_and_except(void)
{
	static const char yaml[] = "a:\n  script: [x]\n  only: [branches]\n"
				   "b:\n  script: [x]\n  only: [tags, merge_requests]\n"
				   "c:\n  script: [x]\n  only: [/^feature\\/.*$/, master]\n"
				   "d:\n  script: [x]\n  only:\n    refs: [dev]\n    variables: [$DEPLOY]\n"
				   "e:\n  script: [x]\n  except: [schedules, /^release/]\n"
				   "f:\n  script: [x]\n  only: [schedules, web]\n"
				   "g:\n  script: [x]\n  only: [dev@other/project]\n";
	cicd_trigger *t = branch("dev");
	expect(yaml, branch("feature/x"), "test/a:on_success test/c:on_success test/e:on_success");
	expect(yaml, branch("dev"), "test/a:on_success test/e:on_success");
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "DEPLOY", "1"), 0);
	expect(yaml, t, "test/a:on_success test/d:on_success test/e:on_success");
	expect(yaml, tag("release-1"), "test/b:on_success");
	/* `except` alone keeps the implicit `only: [branches, tags]`. */
	expect(yaml, mr("feature/x", "dev"), "test/b:on_success");
	t = branch("master");
	CU_ASSERT_EQUAL(cicd_trigger_set_source(t, "schedule"), 0);
	expect(yaml, t, "test/a:on_success test/c:on_success test/f:on_success");
}

static void test_parallel_and_matrix_names_and_needs(void)
{
	static const char yaml[] = "stages: [build, test]\n"
				   "build:\n  stage: build\n  script: [x]\n  parallel:\n    matrix:\n"
				   "      - ARCH: [amd64, arm64]\n        OS: linux\n"
				   "  rules:\n    - if: $ARCH == \"arm64\"\n      when: manual\n    - when: on_success\n"
				   "shard:\n  stage: test\n  script: [x]\n  parallel: 2\n  needs: [build]\n"
				   "one:\n  stage: test\n  script: [x]\n  needs:\n    - job: build\n"
				   "      parallel:\n        matrix:\n          - ARCH: amd64\n            OS: linux\n";
	expect(yaml, branch("dev"),
	       "build/build: [amd64, linux]:on_success build/build: [arm64, linux]:manual "
	       "test/shard 1/2:on_success>build: [amd64, linux],build: [arm64, linux] "
	       "test/shard 2/2:on_success>build: [amd64, linux],build: [arm64, linux] "
	       "test/one:on_success>build: [amd64, linux]");
}

static void test_missing_need_is_a_creation_error(void)
{
	static const char yaml[] = "stages: [build, test]\n"
				   "build:\n  stage: build\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_TAG\n"
				   "opt:\n  stage: test\n  script: [x]\n  needs:\n    - job: build\n      optional: true\n"
				   "test:\n  stage: test\n  script: [x]\n  needs: [build]\n";
	int rc = 0;
	cicd_plan *plan = plan_for(yaml, branch("dev"), &rc);
	CU_ASSERT_PTR_NULL(plan);
	CU_ASSERT_EQUAL(rc, CICD_EVALIDATE);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"'test' job needs 'build' job, but 'build' does not exist in the pipeline. This might be "
			"because of the only, except, or rules keywords. To need a job that sometimes does not exist "
			"in the pipeline, use needs:optional.");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 16);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 11);
	expect(yaml, tag("v1"), "build/build:on_success test/opt:on_success>build test/test:on_success>build");
}

static void test_stages_pre_post_and_empty(void)
{
	static const char yaml[] = "stages: [build, empty, deploy]\n"
				   "post:\n  stage: .post\n  script: [x]\n"
				   "deploy:\n  stage: deploy\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_TAG\n"
				   "pre:\n  stage: .pre\n  script: [x]\n";
	cicd_plan *plan = plan_for(yaml, tag("v1"), NULL);
	CICD_ASSERT_STR(summary(plan), ".pre/pre:on_success deploy/deploy:on_success .post/post:on_success");
	CU_ASSERT_EQUAL(cicd_plan_stage_count(plan), 3);
	CICD_ASSERT_STR(cicd_plan_stage(plan, 0), ".pre");
	CICD_ASSERT_STR(cicd_plan_stage(plan, 1), "deploy");
	CICD_ASSERT_STR(cicd_plan_stage(plan, 2), ".post");
	CU_ASSERT_PTR_NULL(cicd_plan_stage(plan, 3));
	release(plan);
	plan = plan_for(yaml, branch("dev"), NULL);
	CU_ASSERT_EQUAL(cicd_plan_created(plan), 0);
	CICD_ASSERT_STR(cicd_plan_reason(plan),
			"Pipeline will not run for the selected trigger. The rules configuration prevented any jobs "
			"from being added to the pipeline.");
	release(plan);
}

static void test_dag_prerequisites_topology_and_critical_path(void)
{
	static const char yaml[] = "stages: [a, b, c]\n"
				   "a1:\n  stage: a\n  script: [x]\n"
				   "a2:\n  stage: a\n  script: [x]\n"
				   "b1:\n  stage: b\n  script: [x]\n  needs: [b2]\n"
				   "b2:\n  stage: b\n  script: [x]\n  needs: [a2]\n"
				   "c1:\n  stage: c\n  script: [x]\n"
				   "quick:\n  stage: c\n  script: [x]\n  needs: []\n";
	cicd_plan *plan = plan_for(yaml, branch("dev"), NULL);
	size_t order[6], i;
	CU_ASSERT_EQUAL_FATAL(cicd_plan_job_count(plan), 6);
	CU_ASSERT_EQUAL(cicd_plan_job_prerequisite_count(plan, 0), 0);
	CU_ASSERT_EQUAL(cicd_plan_job_prerequisite_count(plan, 2), 1);
	CU_ASSERT_EQUAL(cicd_plan_job_prerequisite(plan, 2, 0), 3);
	CU_ASSERT_EQUAL(cicd_plan_job_prerequisite_count(plan, 4), 4); /* c1: every job of a and b */
	CU_ASSERT_EQUAL(cicd_plan_job_prerequisite(plan, 4, 3), 3);
	CU_ASSERT_EQUAL(cicd_plan_job_prerequisite_count(plan, 5), 0);
	for (i = 0; i < 6; i++)
		order[i] = cicd_plan_topological(plan, i);
	CU_ASSERT_EQUAL(order[0], 0);
	CU_ASSERT_EQUAL(order[1], 1);
	CU_ASSERT_EQUAL(order[2], 3); /* b2 before b1, which needs it */
	CU_ASSERT_EQUAL(order[3], 2);
	CU_ASSERT_EQUAL(order[4], 4);
	CU_ASSERT_EQUAL(order[5], 5);
	CU_ASSERT_EQUAL(cicd_plan_topological(plan, 6), (size_t)-1);
	CU_ASSERT_EQUAL_FATAL(cicd_plan_critical_path_count(plan), 4);
	CICD_ASSERT_STR(cicd_plan_job_name(cicd_plan_job_at(plan, cicd_plan_critical_path(plan, 0))), "a2");
	CICD_ASSERT_STR(cicd_plan_job_name(cicd_plan_job_at(plan, cicd_plan_critical_path(plan, 1))), "b2");
	CICD_ASSERT_STR(cicd_plan_job_name(cicd_plan_job_at(plan, cicd_plan_critical_path(plan, 2))), "b1");
	CICD_ASSERT_STR(cicd_plan_job_name(cicd_plan_job_at(plan, cicd_plan_critical_path(plan, 3))), "c1");
	release(plan);
}

static void test_changes_and_exists(void)
{
	static const char yaml[] = "docs:\n  script: [x]\n  rules:\n    - changes: [\"docs/**/*.md\", README.md]\n"
				   "code:\n  script: [x]\n  rules:\n    - changes: [\"src/*.{c,h}\"]\n"
				   "docker:\n  script: [x]\n  rules:\n    - exists: [Dockerfile]\n";
	cicd_trigger *t = branch("dev");
	expect(yaml, branch("dev"), "test/docs:on_success test/code:on_success");
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "docs/guide/intro.md"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "src/lib/x.c"), 0);
	expect(yaml, t, "test/docs:on_success");
	t = branch("dev");
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "src/main.h"), 0);
	expect(yaml, t, "test/code:on_success");
}

static int has_dockerfile(int *found, const char *glob, void *payload)
{
	(*(int *)payload)++;
	*found = strcmp(glob, "Dockerfile") == 0;
	return 0;
}

static void test_exists_asks_the_callback(void)
{
	static const char yaml[] = "docker:\n  script: [x]\n  rules:\n    - exists: [Dockerfile]\n"
				   "node:\n  script: [x]\n  rules:\n    - exists: [package.json]\n";
	int calls = 0;
	cicd_trigger *t = branch("dev");
	CU_ASSERT_EQUAL(cicd_trigger_set_exists(t, has_dockerfile, &calls), 0);
	expect(yaml, t, "test/docker:on_success");
	CU_ASSERT_EQUAL(calls, 2);
}

static void test_json_output_is_exact(void)
{
	static const char yaml[] = "workflow:\n  name: $CI_COMMIT_REF_NAME pipeline\n  rules:\n    - when: always\n"
				   "stages: [build, deploy]\n"
				   "build:\n  stage: build\n  script: [x]\n  variables:\n    GOFLAGS: -mod=vendor\n"
				   "deploy:\n  stage: deploy\n  script: [x]\n  needs: [build]\n  rules:\n"
				   "    - when: delayed\n      start_in: 1 hour\n      variables:\n        ENV: prod\n";
	cicd_plan *plan = plan_for(yaml, branch("dev"), NULL);
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_plan_to_json(&out, plan, 0), 0);
	CICD_ASSERT_STR(out.ptr, "{\"created\":true,\"name\":\"dev pipeline\",\"stages\":[\"build\",\"deploy\"],\"jobs\":["
				 "{\"name\":\"build\",\"stage\":\"build\",\"when\":\"on_success\",\"allow_failure\":false,"
				 "\"needs\":null,\"start_in\":null,\"variables\":{\"GOFLAGS\":\"-mod=vendor\"}},"
				 "{\"name\":\"deploy\",\"stage\":\"deploy\",\"when\":\"delayed\",\"allow_failure\":false,"
				 "\"needs\":[\"build\"],\"start_in\":\"1 hour\",\"variables\":{\"ENV\":\"prod\"}}]}");
	cicd_buf_dispose(&out);
	release(plan);
}

static void test_invalid_expression_is_reported_at_its_position(void)
{
	static const char yaml[] = "test:\n  script: [x]\n  rules:\n    - if: $A == ${B}\n";
	int rc = 0;
	cicd_plan *plan = plan_for(yaml, branch("dev"), &rc);
	CU_ASSERT_PTR_NULL(plan);
	CU_ASSERT_EQUAL(rc, CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"jobs:test:rules:rule if invalid expression syntax: ${NAME} is not a variable in rules:if, write $NAME");
	CICD_ASSERT_STR(cicd_error_last()->file, ".gitlab-ci.yml");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 4);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 17);
}

static void test_trigger_arguments_are_checked(void)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, ""), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_new(&t, (cicd_trigger_kind)9, "x"), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_merge_request(t, "master", 1, NULL, NULL, NULL), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "BAD-NAME", "x"), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_set_sha(t, "abc"), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_set_project(t, "noslash"), CICD_EINVALID);
	cicd_trigger_free(t);
	cicd_trigger_free(NULL);
	CU_ASSERT_EQUAL(cicd_trigger_new(&t, CICD_TRIGGER_MERGE_REQUEST, "f"), 0);
	CU_ASSERT_EQUAL(cicd_trigger_set_merge_request(t, "dev", 0, NULL, NULL, NULL), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_set_merge_request(t, "dev", 3, "push", NULL, NULL), CICD_EINVALID);
	cicd_trigger_free(t);
}

static void test_glob_matching_as_ruby_fnmatch(void)
{
	CU_ASSERT_EQUAL(cicd_plan_glob_match("*.md", "README.md"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("*.md", "docs/README.md"), 0);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("**/*.md", "README.md"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("**/*.md", "a/b/c.md"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("docs/**/*", "docs/a/b"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("*", ".hidden"), 1); /* FNM_DOTMATCH */
	CU_ASSERT_EQUAL(cicd_plan_glob_match("src/{a,b}/*.[ch]", "src/b/x.h"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("src/{a,b}/*.[ch]", "src/c/x.h"), 0);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("file?.txt", "file1.txt"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("[!a]*", "abc"), 0);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("\\*", "*"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("Dockerfile", "Dockerfile"), 1);
	CU_ASSERT_EQUAL(cicd_plan_glob_match("Dockerfile", "sub/Dockerfile"), 0);
}

static void test_kubernetes_active_follows_the_triggers_variable(void)
{
	static const char yaml[] = "deploy:\n  script: [x]\n  only:\n    kubernetes: active\n"
				   "review:\n  script: [x]\n  except:\n    kubernetes: active\n"
				   "both:\n  script: [x]\n  only:\n    refs: [dev]\n    kubernetes: active\n";
	cicd_trigger *t = branch("dev");
	/* no deployment platform: only kubernetes never holds, except never excludes */
	expect(yaml, branch("dev"), "test/review:on_success");
	/* CI_KUBERNETES_ACTIVE=true is how GitLab says the project has one */
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "CI_KUBERNETES_ACTIVE", "true"), 0);
	expect(yaml, t, "test/deploy:on_success test/both:on_success");
	t = branch("main");
	CU_ASSERT_EQUAL(cicd_trigger_set_variable(t, "CI_KUBERNETES_ACTIVE", "true"), 0);
	expect(yaml, t, "test/deploy:on_success");
	/* only the trigger says so: a file variable of that name does not */
	expect("variables:\n  CI_KUBERNETES_ACTIVE: 'true'\n" "deploy:\n  script: [x]\n  only:\n    kubernetes: active\n",
	       branch("dev"), "(none)");
}

CICD_SUITE(plan, CICD_TEST(test_predefined_variables_per_trigger), CICD_TEST(test_ref_slug_is_trimmed_to_63),
	   CICD_TEST(test_default_only_excludes_merge_request_pipelines),
	   CICD_TEST(test_workflow_rules_drop_the_default_only), CICD_TEST(test_workflow_variables_and_name),
	   CICD_TEST(test_pipeline_variables_win_over_the_file), CICD_TEST(test_rules_first_match_and_overrides),
	   CICD_TEST(test_allow_failure_defaults), CICD_TEST(test_only_and_except),
	   CICD_TEST(test_parallel_and_matrix_names_and_needs), CICD_TEST(test_missing_need_is_a_creation_error),
	   CICD_TEST(test_stages_pre_post_and_empty), CICD_TEST(test_dag_prerequisites_topology_and_critical_path),
	   CICD_TEST(test_changes_and_exists), CICD_TEST(test_exists_asks_the_callback),
	   CICD_TEST(test_json_output_is_exact), CICD_TEST(test_invalid_expression_is_reported_at_its_position),
	   CICD_TEST(test_trigger_arguments_are_checked), CICD_TEST(test_glob_matching_as_ruby_fnmatch),
	   CICD_TEST(test_kubernetes_active_follows_the_triggers_variable))
