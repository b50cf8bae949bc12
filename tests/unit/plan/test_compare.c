/* `changes:compare_to` through the trigger's compare callback, as GitLab's Clause::Changes decides it. */
#include <stdio.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

/* A repository where main is a valid ref: since its merge base, src/app.c and README.md changed. */
typedef struct repo {
	int calls;
	char refs[256];
	int fail; /* a code to return instead */
} repo;

static int compare(cicd_path_list *changed, const char *ref, void *payload)
{
	repo *r = payload;
	size_t n = strlen(r->refs);
	r->calls++;
	snprintf(r->refs + n, sizeof r->refs - n, "%s;", ref);
	if (r->fail)
		return r->fail;
	if (strcmp(ref, "refs/heads/main") != 0 && strcmp(ref, "main") != 0)
		return CICD_ENOTFOUND;
	if (cicd_path_list_add(changed, "src/app.c") || cicd_path_list_add(changed, "README.md"))
		return CICD_ENOMEM;
	return 0;
}

/* The plan's job names joined by " ", or the error message; *rc_out gets the code. */
static const char *plan_names(const char *yaml, cicd_trigger *t, int *rc_out)
{
	static char out[512];
	cicd_pipeline *p = NULL;
	cicd_planner *pl = NULL;
	cicd_plan *plan = NULL;
	size_t i, n = 0;
	int rc = cicd_pipeline_load_buffer(&p, NULL, yaml, strlen(yaml), "ci.yml", NULL);
	if (!rc)
		rc = cicd_planner_new(&pl, p, NULL);
	if (!rc)
		rc = cicd_plan_create(&plan, pl, t);
	out[0] = 0;
	if (rc)
		snprintf(out, sizeof out, "%s", cicd_error_last()->message);
	else if (!cicd_plan_created(plan))
		snprintf(out, sizeof out, "(none: %s)", cicd_plan_reason(plan));
	else
		for (i = 0; i < cicd_plan_job_count(plan); i++)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? " " : "",
					      cicd_plan_job_name(cicd_plan_job_at(plan, i)));
	if (rc_out)
		*rc_out = rc;
	cicd_plan_free(plan);
	cicd_planner_free(pl);
	cicd_pipeline_free(p);
	return out;
}

static cicd_trigger *new_branch(repo *r)
{
	cicd_trigger *t = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "feature/x"), 0);
	if (r)
		CU_ASSERT_EQUAL(cicd_trigger_set_compare(t, compare, r), 0);
	return t;
}

static const char JOBS[] = "variables:\n  BASE: main\n"
			   "app:\n  script: x\n  rules:\n"
			   "    - changes: {paths: ['src/**/*'], compare_to: 'refs/heads/$CI_DEFAULT_BRANCH'}\n"
			   "docs:\n  script: x\n  rules:\n    - changes: {paths: ['docs/*'], compare_to: $BASE}\n"
			   "readme:\n  script: x\n  rules:\n    - changes: {paths: ['*.md'], compare_to: $BASE}\n"
			   "plain:\n  script: x\n  rules:\n    - changes: ['docs/*']\n";

static void test_compare_to_compares_since_the_ref_even_on_a_new_branch(void)
{
	repo r;
	cicd_trigger *t;
	memset(&r, 0, sizeof r);
	t = new_branch(&r);
	CU_ASSERT_EQUAL(cicd_trigger_set_default_branch(t, "main"), 0);
	/* a new branch: plain `changes` holds (nothing to compare with), compare_to compares */
	CICD_ASSERT_STR(plan_names(JOBS, t, NULL), "app readme plain");
	/* the ref as written, variables expanded; each ref asked once per plan */
	CICD_ASSERT_STR(r.refs, "refs/heads/main;main;");
	CU_ASSERT_EQUAL(r.calls, 2);
	/* a push that changed one other file: plain `changes` follows the push, compare_to the ref */
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "other/file.txt"), 0);
	CICD_ASSERT_STR(plan_names(JOBS, t, NULL), "app readme");
	CU_ASSERT_EQUAL(r.calls, 4); /* kept for one plan only */
	cicd_trigger_free(t);
}

static void test_without_a_callback_compare_to_uses_the_triggers_changes(void)
{
	cicd_trigger *t = new_branch(NULL);
	CU_ASSERT_EQUAL(cicd_trigger_set_default_branch(t, "main"), 0);
	CICD_ASSERT_STR(plan_names(JOBS, t, NULL), "app docs readme plain");
	CU_ASSERT_EQUAL(cicd_trigger_add_changed(t, "src/x.c"), 0);
	CICD_ASSERT_STR(plan_names(JOBS, t, NULL), "app");
	cicd_trigger_free(t);
}

static void test_a_ref_that_names_no_commit_fails_as_gitlab_does(void)
{
	repo r;
	cicd_trigger *t;
	int rc = 0;
	memset(&r, 0, sizeof r);
	t = new_branch(&r);
	/* a job: the pipeline is not created, and the error names the job and the rule */
	CICD_ASSERT_STR(plan_names("a:\n  script: x\n  rules:\n    - changes: {paths: [x], compare_to: nope}\n", t, &rc),
			"Failed to parse rule for a: rules:changes:compare_to is not a valid ref");
	CU_ASSERT_EQUAL(rc, CICD_EVALIDATE);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 4);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 7);
	/* the workflow: no pipeline, as GitLab's workflow rules then pass nothing */
	CICD_ASSERT_STR(plan_names("workflow:\n  rules:\n    - changes: {paths: [x], compare_to: nope}\n"
				   "a:\n  script: x\n",
				   t, &rc),
			"(none: Pipeline filtered out by workflow rules.)");
	CU_ASSERT_EQUAL(rc, 0);
	/* another failure of the callback stops the plan with its code */
	r.fail = CICD_EUSER;
	plan_names(JOBS, t, &rc);
	CU_ASSERT_EQUAL(rc, CICD_EUSER);
	cicd_trigger_free(t);
}

static void test_path_list_and_setter_reject_null(void)
{
	CU_ASSERT_EQUAL(cicd_path_list_add(NULL, "x"), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_trigger_set_compare(NULL, compare, NULL), CICD_EINVALID);
}

CICD_SUITE(compare_to, CICD_TEST(test_compare_to_compares_since_the_ref_even_on_a_new_branch),
	   CICD_TEST(test_without_a_callback_compare_to_uses_the_triggers_changes),
	   CICD_TEST(test_a_ref_that_names_no_commit_fails_as_gitlab_does), CICD_TEST(test_path_list_and_setter_reject_null))
