/* cicd_pipeline_options.include_variables: variables expanded in include locations, as GitLab does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cicd/cicd.h"
#include "cicd/pipeline.h"
#include "test.h"

/* BRANCH=jobs, GROUP=group, REF=v1; FAIL stops the expansion; the rest are undefined. */
static int lookup(const char **value, size_t *len, const char *name, void *payload)
{
	static const char *const vars[][2] = {{"BRANCH", "jobs"}, {"GROUP", "group"}, {"REF", "v1"}};
	size_t i;
	(*(int *)payload)++;
	if (!strcmp(name, "FAIL"))
		return CICD_EUSER;
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (!strcmp(name, vars[i][0])) {
			*value = vars[i][1];
			*len = strlen(vars[i][1]);
			return 1;
		}
	return 0;
}

/* Records every request as "kind location project ref" lines. */
static int recorder(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	char *log = payload;
	size_t n = strlen(log);
	snprintf(log + n, 1024 - n, "%d %s %s %s\n", (int)req->kind, req->location, req->project ? req->project : "-",
		 req->ref ? req->ref : "-");
	return cicd_include_result_set(res, "shared:\n  script: s\n", 20, NULL);
}

static cicd_pipeline *load(const char *yaml, const cicd_pipeline_options *opts, cicd_diagnostics **d)
{
	cicd_pipeline *p = NULL;
	cicd_diagnostics *mine = NULL;
	cicd_pipeline_load_buffer(&p, d ? d : &mine, yaml, strlen(yaml), "ci.yml", opts);
	if (!p && !d) {
		size_t i;
		for (i = 0; i < cicd_diagnostics_count(mine); i++)
			fprintf(stderr, "\n%s", cicd_diagnostics_get(mine, i)->message);
	}
	cicd_diagnostics_free(mine);
	return p;
}

/* Options that record requests into log and expand through lookup(), counting lookups. */
static cicd_pipeline_options recording(char *log, int *lookups)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	opts.resolver = recorder;
	opts.resolver_payload = log;
	opts.include_variables = lookup;
	opts.include_variables_payload = lookups;
	return opts;
}

static void test_locations_project_ref_and_files_are_expanded(void)
{
	char log[1024] = "";
	int lookups = 0;
	cicd_pipeline_options opts = recording(log, &lookups);
	cicd_pipeline *p;
	p = load("include:\n  - project: $GROUP/tools\n    ref: ${REF}\n    file: [ci/$BRANCH.yml, '/x/${BRANCH}.yml']\n"
		 "  - remote: https://example.com/$GROUP/$UNDEFINED.yml\n  - template: ${BRANCH}.gitlab-ci.yml\n"
		 "  - component: example.com/$GROUP/c@$REF\n"
		 "  - remote: https://example.com/$$GROUP.yml\n"
		 "job:\n  script: echo $BRANCH\n",
		 &opts, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CICD_ASSERT_STR(log, "2 ci/jobs.yml group/tools v1\n"
			     "2 /x/jobs.yml group/tools v1\n"
			     "3 https://example.com/group/.yml - -\n"
			     "4 jobs.gitlab-ci.yml - -\n"
			     "5 example.com/group/c@v1 - -\n"
			     "3 https://example.com/$$GROUP.yml - -\n");
	cicd_pipeline_free(p);
}

/* Options that expand through lookup() for local includes under root (NULL: none). */
static cicd_pipeline_options local_root(const char *root, int *lookups)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	opts.project_root = root;
	opts.include_variables = lookup;
	opts.include_variables_payload = lookups;
	return opts;
}

static void test_local_includes_see_the_expanded_path_and_globs_the_written_one(void)
{
	cicd_diagnostics *d = NULL;
	int lookups = 0;
	cicd_pipeline_options opts = local_root(cicd_test_data_path("root"), &lookups);
	cicd_pipeline *p;
	p = load("include: ci/$BRANCH.yml\njob:\n  script: j\n", &opts, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CICD_ASSERT_STR(cicd_job_name(cicd_pipeline_job(p, 0)), "test");
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
	d = NULL;
	p = load("include:\n  - local: 'ci/*.yml'\njob:\n  script: j\n", &opts, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), 2);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(d), 0);
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
	d = NULL;
	/* as GitLab's LocationExpander, a wildcard is matched as written: `c${UNDEFINED}i` is no
	 * directory, and a pattern that matches nothing includes nothing, with a warning */
	p = load("include:\n  - local: 'c${UNDEFINED}i/*.yml'\njob:\n  script: j\n", &opts, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), 1);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(d), 1);
	CU_ASSERT_EQUAL(cicd_diagnostics_get(d, 0)->severity, CICD_SEVERITY_WARNING);
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 0)->message,
			"Included file `c${UNDEFINED}i/*.yml` matches no file; nothing is included");
	CU_ASSERT_EQUAL(cicd_diagnostics_get(d, 0)->line, 2);
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
}

static void test_each_glob_match_is_expanded_after_matching(void)
{
	char dir[] = "/tmp/cicd-glob-XXXXXX", vars[64], path[96];
	cicd_diagnostics *d = NULL;
	int lookups = 0;
	cicd_pipeline_options opts = local_root(dir, &lookups);
	FILE *f;
	/* the file `vars/$BRANCH.yml` matches the glob, then is read as vars/jobs.yml */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(vars, sizeof vars, "%s/vars", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(vars, 0700), 0);
	snprintf(path, sizeof path, "%s/$BRANCH.yml", vars);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fputs("literal:\n  script: x\n", f);
	fclose(f);
	CU_ASSERT_PTR_NULL(load("include:\n  - local: 'vars/*.yml'\njob:\n  script: j\n", &opts, &d));
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 0)->message, "Local file `vars/jobs.yml` does not exist!");
	cicd_diagnostics_free(d);
	unlink(path);
	rmdir(vars);
	rmdir(dir);
}

static void test_a_glob_needs_a_project_root(void)
{
	cicd_diagnostics *d = NULL;
	int lookups = 0;
	cicd_pipeline_options opts = local_root(NULL, &lookups);
	/* from memory without a project root, a wildcard has nothing to search */
	CU_ASSERT_PTR_NULL(load("include:\n  - local: 'ci/*.yml'\njob:\n  script: j\n", &opts, &d));
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 0)->message, "Local file `ci/*.yml` cannot be included: no project root is set");
	cicd_diagnostics_free(d);
}

static void test_a_failing_lookup_is_reported_at_the_include(void)
{
	cicd_diagnostics *d = NULL;
	char log[1024] = "";
	int lookups = 0;
	cicd_pipeline_options opts = recording(log, &lookups);
	CU_ASSERT_PTR_NULL(load("include:\n  - template: $FAIL.yml\njob:\n  script: j\n", &opts, &d));
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 0)->message,
			"variables in include location `$FAIL.yml` could not be expanded: callback error");
	CU_ASSERT_EQUAL(cicd_diagnostics_get(d, 0)->line, 2);
	CICD_ASSERT_STR(log, "");
	cicd_diagnostics_free(d);
}

/* Include rules that record the location they were asked about and read only what is under ci/. */
static int rules_record(const cicd_node *rules, const cicd_include_request *req, void *payload)
{
	char *seen = payload;
	size_t n = strlen(seen);
	(void)rules;
	snprintf(seen + n, 256 - n, "%s\n", req->location);
	return !strncmp(req->location, "ci/", 3);
}

static void test_rules_decide_before_the_location_is_expanded(void)
{
	cicd_diagnostics *d = NULL;
	char log[1024] = "", seen[256] = "";
	int lookups = 0;
	cicd_pipeline_options opts = recording(log, &lookups);
	cicd_pipeline *p;
	opts.include_rules = rules_record;
	opts.include_rules_payload = seen;
	/* the first include's lookup would fail, but its rules leave it out first */
	p = load("include:\n  - template: $FAIL.yml\n    rules: [{if: $X}]\n"
		 "  - project: g/p\n    file: ci/$BRANCH.yml\n    rules: [{if: $X}]\n"
		 "job:\n  script: j\n",
		 &opts, &d);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(d), 0);
	CICD_ASSERT_STR(seen, "$FAIL.yml\nci/$BRANCH.yml\n");
	CICD_ASSERT_STR(log, "2 ci/jobs.yml g/p -\n");
	CU_ASSERT_EQUAL(lookups, 1);
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
}

/* SECRET=abc-secret-value and SEC=abc (a prefix of it). */
static int secret_lookup(const char **value, size_t *len, const char *name, void *payload)
{
	(void)payload;
	*value = !strcmp(name, "SECRET") ? "abc-secret-value" : !strcmp(name, "SEC") ? "abc" : NULL;
	*len = *value ? strlen(*value) : 0;
	return *value != NULL;
}

/* Projects do not exist; other includes fail with a message that names the location. */
static int failing_resolver(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	char why[256];
	(void)payload;
	if (req->kind == CICD_INCLUDE_PROJECT)
		return CICD_ENOTFOUND;
	snprintf(why, sizeof why, "fetching %s failed", req->location);
	cicd_include_result_fail(res, why);
	return CICD_EIO;
}

/* The first diagnostic (error or warning) of loading yaml with the secrets masked (or not, in a version 2 struct). */
static const char *first_error(const char *yaml, unsigned int version, const char *root)
{
	static const char *const secrets[] = {"abc", "", "abc-secret-value"};
	static char msg[512];
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	cicd_diagnostics *d = NULL;
	cicd_pipeline *p = NULL;
	opts.version = version;
	opts.project_root = root;
	opts.resolver = failing_resolver;
	opts.include_variables = secret_lookup;
	opts.masked_values = secrets;
	opts.masked_value_count = 3;
	cicd_pipeline_load_buffer(&p, &d, yaml, strlen(yaml), "ci.yml", &opts);
	snprintf(msg, sizeof msg, "%s", cicd_diagnostics_count(d) ? cicd_diagnostics_get(d, 0)->message : "");
	cicd_pipeline_free(p);
	cicd_diagnostics_free(d);
	return msg;
}

static void test_masked_values_never_show_in_include_errors(void)
{
	char root[4096];
	snprintf(root, sizeof root, "%s", cicd_test_data_path("root"));
	/* the longest secret that starts at a place wins; the resolver's message is masked too */
	CICD_ASSERT_STR(first_error("include:\n  - template: $SECRET/$SEC.yml\njob:\n  script: j\n", 3, NULL),
			"Template file `[MASKED]/[MASKED].yml` could not be included: fetching "
			"[MASKED]/[MASKED].yml failed");
	CICD_ASSERT_STR(first_error("include:\n  - project: g/$SECRET\n    file: x.yml\njob:\n  script: j\n", 3, NULL),
			"Project `g/[MASKED]` file `x.yml` does not exist!");
	CICD_ASSERT_STR(first_error("include:\n  - local: ci/$SECRET.yml\njob:\n  script: j\n", 3, root),
			"Local file `ci/[MASKED].yml` does not exist!");
	CICD_ASSERT_STR(first_error("include:\n  - local: ci/$SECRET/*.yml\njob:\n  script: j\n", 3, root),
			"Included file `ci/$SECRET/*.yml` matches no file; nothing is included");
	CICD_ASSERT_STR(first_error("include:\n  - local: ../$SECRET.yml\njob:\n  script: j\n", 3, root),
			"Local file `../[MASKED].yml` is outside the project root");
	/* a version 2 caller has no such fields: whatever lies there is not read */
	CICD_ASSERT_STR(first_error("include:\n  - template: $SECRET.yml\njob:\n  script: j\n", 2, NULL),
			"Template file `abc-secret-value.yml` could not be included: fetching abc-secret-value.yml failed");
}

static void test_without_a_lookup_or_in_a_version_1_struct_locations_stay_as_written(void)
{
	char log[1024] = "";
	int lookups = 0;
	cicd_pipeline_options opts = recording(log, &lookups);
	cicd_pipeline *p;
	opts.include_variables = NULL;
	p = load("include:\n  - template: $BRANCH.yml\njob:\n  script: j\n", &opts, NULL);
	CICD_ASSERT_STR(log, "4 $BRANCH.yml - -\n");
	cicd_pipeline_free(p);
	/* a version 1 caller has no such fields: whatever lies there is not read */
	log[0] = 0;
	opts.version = 1;
	opts.include_variables = lookup;
	p = load("include:\n  - template: $BRANCH.yml\njob:\n  script: j\n", &opts, NULL);
	CICD_ASSERT_STR(log, "4 $BRANCH.yml - -\n");
	CU_ASSERT_EQUAL(lookups, 0);
	cicd_pipeline_free(p);
}

CICD_SUITE(include_variables, CICD_TEST(test_locations_project_ref_and_files_are_expanded),
	   CICD_TEST(test_local_includes_see_the_expanded_path_and_globs_the_written_one),
	   CICD_TEST(test_each_glob_match_is_expanded_after_matching), CICD_TEST(test_a_glob_needs_a_project_root),
	   CICD_TEST(test_a_failing_lookup_is_reported_at_the_include),
	   CICD_TEST(test_rules_decide_before_the_location_is_expanded),
	   CICD_TEST(test_masked_values_never_show_in_include_errors),
	   CICD_TEST(test_without_a_lookup_or_in_a_version_1_struct_locations_stay_as_written))
