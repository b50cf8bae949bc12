/* Policy files: loading errors with positions, push / merge-request / tag events, next versions. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/policy.h"
#include "test.h"

static const char FLOW[] = "version: 1\n"
                           "branches:\n"
                           "  master: {pattern: master, protected: true, release: true}\n"
                           "  dev: {pattern: dev, protected: yes}\n"
                           "  feature:\n"
                           "    pattern: 'feature/(?P<issue>[1-9][0-9]*)-(?P<slug>[a-z0-9-]+)'\n"
                           "    description: feature/<issue>-<slug>\n"
                           "  hotfix: {pattern: 'hotfix/(?P<slug>.+)'}\n"
                           "merge_requests:\n"
                           "  feature: [dev]\n"
                           "  dev: master\n"
                           "  hotfix: [master, dev]\n"
                           "tags:\n"
                           "  release: 'v{major}.{minor}.{patch}'\n";

static cicd_policy *load(const char *yaml)
{
	cicd_policy *p = NULL;
	int rc = cicd_policy_load_buffer(&p, yaml, strlen(yaml), "policy.yml", NULL);
	if (rc)
		fprintf(stderr, "\nload failed: %s\n", cicd_error_last()->message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return p;
}

static void load_fails(const char *yaml, int code, unsigned int line, unsigned int col, const char *msg)
{
	cicd_policy *p = NULL;
	CU_ASSERT_EQUAL(cicd_policy_load_buffer(&p, yaml, strlen(yaml), "policy.yml", NULL), code);
	CU_ASSERT_PTR_NULL(p);
	CICD_ASSERT_STR(cicd_error_last()->message, msg);
	CICD_ASSERT_STR(cicd_error_last()->file, "policy.yml");
	CU_ASSERT_EQUAL(cicd_error_last()->line, line);
	CU_ASSERT_EQUAL(cicd_error_last()->column, col);
}

static void test_policy_errors_point_at_the_node(void)
{
	load_fails("branches:\n  a: {pattern: 'x(', protected: true}\n", CICD_EVALIDATE, 2, 16,
	           "invalid pattern 'x(': missing ): x(");
	load_fails("branches:\n  a: {pattern: x, protect: true}\n", CICD_EVALIDATE, 2, 19,
	           "unknown key 'protect' in branch kind 'a'");
	load_fails("branches:\n  a: {pattern: x, protected: maybe}\n", CICD_EVALIDATE, 2, 30,
	           "protected must be true or false");
	load_fails("branches:\n  a: {pattern: x}\nmerge_requests:\n  a: [b]\n", CICD_EVALIDATE, 4, 7,
	           "merge_requests target 'b' is not a branch kind");
	load_fails("branches:\n  a: {pattern: x}\ntags:\n  release: 'v{major}.{minor}'\n", CICD_EVALIDATE, 4, 12,
	           "tag pattern v{major}.{minor} has no {patch}");
	load_fails("branches:\n  a: {pattern: x}\ntags:\n  release: 'v{major}.{minor}.{build}'\n", CICD_EVALIDATE, 4,
	           12,
	           "tag pattern v{major}.{minor}.{build}: unknown placeholder (use {major}, {minor}, {patch}, "
	           "{prerelease})");
	load_fails("version: 2\nbranches: {}\n", CICD_EUNSUPPORTED, 1, 10,
	           "policy version 2 is not supported (this is 1)");
	load_fails("tags: {}\n", CICD_EVALIDATE, 1, 1, "the policy has no branches");
	load_fails("branches: {}\n", CICD_EVALIDATE, 1, 11, "branches has no branch kind");
	load_fails("branches:\n  a: {description: x}\n", CICD_EVALIDATE, 2, 6, "branch kind 'a' has no pattern");
	/* YAML allows a mapping as a key (the fuzzer found this one) */
	load_fails("branches:\n  {}: !\n", CICD_EVALIDATE, 2, 3, "a branch kind's name must be a string");
}

static cicd_policy_result *push(cicd_policy *p, const char *branch)
{
	cicd_policy_result *r = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_policy_check_push(&r, p, branch), 0);
	return r;
}

static void test_push_classifies_branches_with_captures(void)
{
	cicd_policy *p = load(FLOW);
	cicd_policy_result *r = push(p, "feature/80-optimize-allocate");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 1);
	CICD_ASSERT_STR(cicd_policy_result_kind(r), "feature");
	CU_ASSERT_EQUAL(cicd_policy_result_capture_count(r), 2);
	CICD_ASSERT_STR(cicd_policy_result_capture_name(r, 0), "issue");
	CICD_ASSERT_STR(cicd_policy_result_capture_value(r, 0), "80");
	CICD_ASSERT_STR(cicd_policy_result_capture_value(r, 1), "optimize-allocate");
	CU_ASSERT_PTR_NULL(cicd_policy_result_capture_name(r, 2));
	cicd_policy_result_free(r);

	r = push(p, "master");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 0);
	CICD_ASSERT_STR(cicd_policy_result_violation_rule(r, 0), "protected-branch");
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0),
	                "branch 'master' is protected: changes reach it by merge request, not by a direct push");
	cicd_policy_result_free(r);

	r = push(p, "feature/0-x");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 0);
	CICD_ASSERT_STR(cicd_policy_result_violation_rule(r, 0), "branch-name");
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0),
	                "branch 'feature/0-x' matches no branch kind of the policy (allowed: master, dev, "
	                "feature/<issue>-<slug>, hotfix/(?P<slug>.+))");
	cicd_policy_result_free(r);

	/* the pattern must match the whole name */
	r = push(p, "xdev");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 0);
	cicd_policy_result_free(r);
	r = push(p, "");
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0), "branch name is empty");
	cicd_policy_result_free(r);
	cicd_policy_free(p);
}

static cicd_policy_result *mr(cicd_policy *p, const char *s, const char *t)
{
	cicd_policy_result *r = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_policy_check_merge_request(&r, p, s, t), 0);
	return r;
}

static void test_merge_requests_follow_the_flows(void)
{
	cicd_policy *p = load(FLOW);
	cicd_policy_result *r = mr(p, "feature/7-a", "dev");
	cicd_buf json = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 1);
	CICD_ASSERT_STR(cicd_policy_result_capture_name(r, 0), "source.issue");
	cicd_policy_result_free(r);
	r = mr(p, "dev", "master");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 1);
	cicd_policy_result_free(r);
	r = mr(p, "hotfix/login", "dev");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 1);
	cicd_policy_result_free(r);
	r = mr(p, "feature/7-a", "master");
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 0);
	CU_ASSERT_EQUAL(cicd_policy_result_to_json(&json, r), 0);
	CICD_ASSERT_STR(json.ptr, "{\"event\":\"merge_request\",\"allowed\":false,\"kind\":\"feature\",\"violations\":["
	                          "{\"rule\":\"merge-flow\",\"message\":\"merge requests from feature into master are "
	                          "not allowed (feature merges into: dev)\"}],\"captures\":{\"source.issue\":\"7\","
	                          "\"source.slug\":\"a\"}}");
	cicd_buf_dispose(&json);
	cicd_policy_result_free(r);
	r = mr(p, "master", "dev");
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0),
	                "merge requests from master are not allowed (asked: into dev)");
	cicd_policy_result_free(r);
	r = mr(p, "wip", "dev");
	CU_ASSERT_EQUAL(cicd_policy_result_violation_count(r), 1);
	CICD_ASSERT_STR(cicd_policy_result_violation_rule(r, 0), "branch-name");
	cicd_policy_result_free(r);
	r = mr(p, "dev", "dev");
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0), "branch 'dev' cannot be merged into itself");
	cicd_policy_result_free(r);
	cicd_policy_free(p);
}

static void test_release_tags_on_release_branch_and_increasing(void)
{
	cicd_policy *p = load(FLOW);
	const char *existing[] = {"v1.2.3", "v1.10.0", "nightly", "v2.0"};
	cicd_policy_result *r = NULL;
	cicd_semver *v = NULL;
	CU_ASSERT_EQUAL(cicd_policy_check_tag(&r, p, "v1.11.0", "master", existing, 4), 0);
	CU_ASSERT_EQUAL(cicd_policy_result_allowed(r), 1);
	CICD_ASSERT_STR(cicd_policy_result_capture_value(r, 1), "11");
	cicd_policy_result_free(r);
	CU_ASSERT_EQUAL(cicd_policy_check_tag(&r, p, "v1.9.0", "dev", existing, 4), 0);
	CU_ASSERT_EQUAL(cicd_policy_result_violation_count(r), 2);
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0),
	                "release tag 'v1.9.0' is on branch 'dev'; release tags are made only on master");
	CICD_ASSERT_STR(cicd_policy_result_violation_rule(r, 1), "tag-order");
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 1),
	                "release tag 'v1.9.0' is not greater than the existing release tag 'v1.10.0'");
	cicd_policy_result_free(r);
	CU_ASSERT_EQUAL(cicd_policy_check_tag(&r, p, "v1.10.0", "master", existing, 4), 0);
	CICD_ASSERT_STR(cicd_policy_result_violation_rule(r, 0), "tag-order");
	cicd_policy_result_free(r);
	CU_ASSERT_EQUAL(cicd_policy_check_tag(&r, p, "v01.2.3", "master", NULL, 0), 0);
	CICD_ASSERT_STR(cicd_policy_result_violation_message(r, 0),
	                "tag 'v01.2.3' does not match the release tag pattern v{major}.{minor}.{patch}");
	cicd_policy_result_free(r);
	CU_ASSERT_EQUAL(cicd_policy_tag_version(&v, p, "v3.4.5"), 0);
	CICD_ASSERT_STR(cicd_semver_text(v), "3.4.5");
	cicd_semver_free(v);
	CU_ASSERT_EQUAL(cicd_policy_tag_version(&v, p, "3.4.5"), CICD_ENOTFOUND);
	cicd_policy_free(p);
}

static void test_release_tag_formats_versions_with_the_pattern(void)
{
	cicd_policy *p = load("branches: {m: {pattern: m, release: true}}\n"
	                             "tags: {release: 'rel-{major}_{minor}_{patch}-{prerelease}'}\n");
	cicd_semver *v = NULL, *back = NULL;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_semver_parse(&v, "2.3.4-rc.1", 10, NULL), 0);
	CU_ASSERT_EQUAL(cicd_policy_release_tag(&out, p, v), 0);
	CICD_ASSERT_STR(out.ptr, "rel-2_3_4-rc.1");
	CU_ASSERT_EQUAL(cicd_policy_tag_version(&back, p, out.ptr), 0);
	CU_ASSERT_EQUAL(cicd_semver_compare(back, v), 0);
	cicd_semver_free(back);
	cicd_semver_free(v);
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL_FATAL(cicd_semver_parse(&v, "2.3.4", 5, NULL), 0);
	CU_ASSERT_EQUAL(cicd_policy_release_tag(&out, p, v), CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "version 2.3.4 does not fit the release tag pattern rel-{major}_{minor}_{patch}-{prerelease}");
	cicd_semver_free(v);
	cicd_buf_dispose(&out);
	cicd_policy_free(p);
}

static void test_commit_bumps_follow_conventional_commits(void)
{
	static const struct {
		const char *msg;
		cicd_semver_release want;
	} cases[] = {
	    {"feat: add x", CICD_SEMVER_MINOR},
	    {"feat(api): add x\n\nbody", CICD_SEMVER_MINOR},
	    {"Feat: case does not matter", CICD_SEMVER_MINOR},
	    {"fix: y", CICD_SEMVER_PATCH},
	    {"perf(db): faster", CICD_SEMVER_PATCH},
	    {"docs: z", CICD_SEMVER_NONE},
	    {"refactor!: drop the old API", CICD_SEMVER_MAJOR},
	    {"feat(api)!: new shape", CICD_SEMVER_MAJOR},
	    {"chore: deps\n\nBREAKING CHANGE: node 20 needed", CICD_SEMVER_MAJOR},
	    {"fix: y\n\nBREAKING-CHANGE: gone", CICD_SEMVER_MAJOR},
	    {"fix: y\n\nbreaking change: lower case is not the footer", CICD_SEMVER_PATCH},
	    {"feat:no space", CICD_SEMVER_NONE},
	    {"feat(): empty scope", CICD_SEMVER_NONE},
	    {"Merge branch 'feature/80-x' into 'dev'", CICD_SEMVER_NONE},
	    {"feature: not a type we bump", CICD_SEMVER_NONE},
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cicd_semver_release got = cicd_policy_commit_bump(cases[i].msg, strlen(cases[i].msg));
		if (got != cases[i].want)
			fprintf(stderr, "\n%s: got %s\n", cases[i].msg, cicd_semver_release_name(got));
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
}

static const char *next(const char *from, const char *const *msgs, size_t n, const char *pre, cicd_semver_release *bump)
{
	static char out[128];
	cicd_policy_next_options o = CICD_POLICY_NEXT_OPTIONS_INIT;
	cicd_semver *last = NULL, *v = NULL;
	o.pre_id = pre;
	CU_ASSERT_EQUAL_FATAL(cicd_semver_parse(&last, from, strlen(from), NULL), 0);
	if (cicd_policy_next_version(&v, bump, last, msgs, NULL, n, &o) < 0) {
		cicd_semver_free(last);
		return "error";
	}
	snprintf(out, sizeof out, "%s", cicd_semver_text(v));
	cicd_semver_free(last);
	cicd_semver_free(v);
	return out;
}

static void test_next_version_takes_the_largest_bump_and_the_0x_rules(void)
{
	const char *feat_fix[] = {"fix: a", "feat: b", "docs: c"};
	const char *breaking[] = {"fix: a", "feat!: b"};
	const char *chores[] = {"chore: a", "docs: b"};
	cicd_semver_release bump;
	CICD_ASSERT_STR(next("1.2.3", feat_fix, 3, NULL, &bump), "1.3.0");
	CU_ASSERT_EQUAL(bump, CICD_SEMVER_MINOR);
	CICD_ASSERT_STR(next("1.2.3", breaking, 2, NULL, &bump), "2.0.0");
	CICD_ASSERT_STR(next("1.2.3", feat_fix, 1, NULL, &bump), "1.2.4");
	/* below 1.0.0: breaking bumps minor, feat bumps patch */
	CICD_ASSERT_STR(next("0.4.1", breaking, 2, NULL, &bump), "0.5.0");
	CU_ASSERT_EQUAL(bump, CICD_SEMVER_MINOR);
	CICD_ASSERT_STR(next("0.4.1", feat_fix, 3, NULL, &bump), "0.4.2");
	/* nothing to release: the same version; a dev build still sorts after the release */
	CICD_ASSERT_STR(next("1.2.3", chores, 2, NULL, &bump), "1.2.3");
	CU_ASSERT_EQUAL(bump, CICD_SEMVER_NONE);
	CICD_ASSERT_STR(next("1.2.3", chores, 2, "dev", &bump), "1.2.4-dev.2");
	CICD_ASSERT_STR(next("1.2.3", feat_fix, 3, "dev", &bump), "1.3.0-dev.3");
	CICD_ASSERT_STR(next("1.2.3", feat_fix, 3, "a..b", &bump), "error");
	CICD_ASSERT_STR(cicd_error_last()->message, "invalid pre-release identifier \"a..b\"");
	/* exact beyond 2^53 */
	CICD_ASSERT_STR(next("9007199254740993.0.0", breaking, 2, NULL, &bump), "9007199254740994.0.0");
}

CICD_SUITE(policy, CICD_TEST(test_policy_errors_point_at_the_node),
           CICD_TEST(test_push_classifies_branches_with_captures), CICD_TEST(test_merge_requests_follow_the_flows),
           CICD_TEST(test_release_tags_on_release_branch_and_increasing),
           CICD_TEST(test_commit_bumps_follow_conventional_commits),
           CICD_TEST(test_release_tag_formats_versions_with_the_pattern),
           CICD_TEST(test_next_version_takes_the_largest_bump_and_the_0x_rules))
