/* Ranges: node-semver's desugaring, satisfies, includePrerelease, max/min satisfying, errors. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/semver.h"
#include "test.h"

static const char *desugar(const char *range, unsigned int flags)
{
	static char out[512];
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver_range *r = NULL;
	o.flags = flags;
	if (cicd_semver_range_parse(&r, range, strlen(range), &o) < 0)
		return "invalid";
	snprintf(out, sizeof out, "%s", cicd_semver_range_text(r));
	cicd_semver_range_free(r);
	return out;
}

static int sat(const char *range, const char *version, unsigned int flags)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	int out = -1;
	o.flags = flags;
	CU_ASSERT_EQUAL(cicd_semver_satisfies(&out, range, version, &o), 0);
	return out;
}

static void test_ranges_desugar_as_node_semver(void)
{
	static const char *cases[][2] = {
	    {"^1.2.3", ">=1.2.3 <2.0.0-0"},
	    {"^0.2.3", ">=0.2.3 <0.3.0-0"},
	    {"^0.0.3", ">=0.0.3 <0.0.4-0"},
	    {"^1.2.3-beta.2", ">=1.2.3-beta.2 <2.0.0-0"},
	    {"^0.x", "<1.0.0-0"}, /* >=0.0.0 is dropped as any */
	    {"~1.2.3", ">=1.2.3 <1.3.0-0"},
	    {"~>1.2", ">=1.2.0 <1.3.0-0"},
	    {"~1", ">=1.0.0 <2.0.0-0"},
	    {"1.2.x", ">=1.2.0 <1.3.0-0"},
	    {"1.x || >=2.5.0 || 5.0.0 - 7.2.3", ">=1.0.0 <2.0.0-0||>=2.5.0||>=5.0.0 <=7.2.3"},
	    {"1.2 - 2.3", ">=1.2.0 <2.4.0-0"},
	    {">1", ">=2.0.0"},
	    {">1.2", ">=1.3.0"},
	    {"<=1.2", "<1.3.0-0"},
	    {"<1.x", "<1.0.0-0"},
	    {">*", "<0.0.0-0"},
	    {"", "*"},
	    {"x", "*"},
	    {">=0.0.0", "*"},
	    {"1.2.3+build", "1.2.3"},
	    {">= 1.2.3   < 2", ">=1.2.3 <2.0.0-0"},
	    {"=1.2.3 1.2.3", "1.2.3"},
	    {"<0.0.0-0 || 1.2.3", "1.2.3"},
	    {"1.2.3 || *", "*"},
	    {"v1.2.3", "1.2.3"},
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CICD_ASSERT_STR(desugar(cases[i][0], 0), cases[i][1]);
	CICD_ASSERT_STR(desugar("^1.2", CICD_SEMVER_INCLUDE_PRERELEASE), ">=1.2.0-0 <2.0.0-0");
	CICD_ASSERT_STR(desugar("1.2.3 - 2.3.4", CICD_SEMVER_INCLUDE_PRERELEASE), ">=1.2.3-0 <2.3.5-0");
	CICD_ASSERT_STR(desugar("~1.2", CICD_SEMVER_INCLUDE_PRERELEASE), ">=1.2.0-0 <1.3.0-0");
}

static void test_invalid_ranges_fail_with_the_comparator(void)
{
	cicd_semver_range *r = NULL;
	CU_ASSERT_EQUAL(cicd_semver_range_parse(&r, "foo", 3, NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "invalid range: comparator \"foo\"");
	CU_ASSERT_EQUAL(cicd_semver_range_parse(&r, ">=1.2.3 || <01.2", 16, NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "invalid range: comparator \"<01.2\"");
	CU_ASSERT_PTR_NULL(r);
	/* loose mode drops what is not a comparator, and fails only when nothing is left */
	CICD_ASSERT_STR(desugar("foo || 1.2.3", CICD_SEMVER_LOOSE), "1.2.3");
	CICD_ASSERT_STR(desugar("foo", CICD_SEMVER_LOOSE), "invalid");
	CICD_ASSERT_STR(desugar("01.2.3", CICD_SEMVER_LOOSE), "1.2.3");
	/* a null set does not hide an invalid comparator after it */
	CICD_ASSERT_STR(desugar("<0.0.0-0 foo", 0), "invalid");
}

static void test_runs_over_250_characters_follow_node_bounds(void)
{
	char text[400];
	memcpy(text, "~1.2.3-", 7);
	memset(text + 7, 'a', 255);
	strcpy(text + 262, " || 2");
	/* node's patterns stop at 250 characters: the tilde is not desugared and loose mode drops it */
	CICD_ASSERT_STR(desugar(text, CICD_SEMVER_LOOSE), ">=2.0.0 <3.0.0-0");
	text[262] = '\0';
	CICD_ASSERT_STR(desugar(text, CICD_SEMVER_LOOSE), "invalid");
	CICD_ASSERT_STR(desugar(text, 0), "invalid");
}

static void test_range_length_limit_is_an_option(void)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver_range *r = NULL;
	o.max_range_length = 8;
	CU_ASSERT_EQUAL(cicd_semver_range_parse(&r, "^1.2.3 || 2", 11, &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "range longer than 8 bytes");
}

static void test_satisfies_applies_comparators_and_prerelease_rule(void)
{
	CU_ASSERT_EQUAL(sat("^1.2.3", "1.9.9", 0), 1);
	CU_ASSERT_EQUAL(sat("^1.2.3", "2.0.0", 0), 0);
	CU_ASSERT_EQUAL(sat("^1.2.3", "1.2.2", 0), 0);
	CU_ASSERT_EQUAL(sat("1.2.3 - 1.2.5", "1.2.5", 0), 1);
	CU_ASSERT_EQUAL(sat("<1.0.0 || >=2", "0.9.0", 0), 1);
	/* a pre-release matches only through a comparator with a pre-release on the same tuple */
	CU_ASSERT_EQUAL(sat("^1.2.3-beta.2", "1.2.3-beta.4", 0), 1);
	CU_ASSERT_EQUAL(sat("^1.2.3-beta.2", "1.2.4-beta.1", 0), 0);
	CU_ASSERT_EQUAL(sat("^1.2.3-beta.2", "1.2.4-beta.1", CICD_SEMVER_INCLUDE_PRERELEASE), 1);
	CU_ASSERT_EQUAL(sat("*", "1.0.0-rc.1", 0), 0);
	CU_ASSERT_EQUAL(sat("*", "1.0.0-rc.1", CICD_SEMVER_INCLUDE_PRERELEASE), 1);
	CU_ASSERT_EQUAL(sat("<2.0.0", "2.0.0-rc.1", 0), 0);
	CU_ASSERT_EQUAL(sat("<2.0.0", "2.0.0-rc.1", CICD_SEMVER_INCLUDE_PRERELEASE), 1);
	/* exact beyond 2^53 */
	CU_ASSERT_EQUAL(sat(">9007199254740992.0.0", "9007199254740993.0.0", 0), 1);
	CU_ASSERT_EQUAL(sat("^9007199254740993", "9007199254740994.0.0", 0), 0);
}

static void test_range_test_str_uses_the_range_options(void)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver_range *r = NULL;
	int ok = -1;
	char long_pre[300];
	CU_ASSERT_EQUAL_FATAL(cicd_semver_range_parse(&r, "^1.2.3", 6, NULL), 0);
	CU_ASSERT_EQUAL(cicd_semver_range_test_str(&ok, r, "1.4.0", 5), 0);
	CU_ASSERT_EQUAL(ok, 1);
	CU_ASSERT_EQUAL(cicd_semver_range_test_str(&ok, r, "v1.4.0", 6), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "not a version: \"v1.4.0\" (column 1: expected a number)");
	cicd_semver_range_free(r);
	o.flags = CICD_SEMVER_LOOSE;
	o.max_length = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_semver_range_parse(&r, "^1.2.3-a", 8, &o), 0);
	CU_ASSERT_EQUAL(cicd_semver_range_test_str(&ok, r, " v1.4.0 ", 8), 0);
	CU_ASSERT_EQUAL(ok, 1);
	/* longer than the stack room: allocated and freed */
	memcpy(long_pre, "1.2.3-", 6);
	memset(long_pre + 6, 'b', sizeof long_pre - 6);
	CU_ASSERT_EQUAL(cicd_semver_range_test_str(&ok, r, long_pre, sizeof long_pre), 0);
	CU_ASSERT_EQUAL(ok, 1);
	cicd_semver_range_free(r);
}

static void test_max_and_min_satisfying_pick_the_first_of_equals(void)
{
	static const char *in[] = {"1.2.3", "1.2.4+b", "1.3.0-rc.1", "1.2.4", "2.0.0", "1.0.0"};
	cicd_semver *v[6];
	cicd_semver_range *r = NULL;
	size_t i, at = 99;
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL_FATAL(cicd_semver_parse(&v[i], in[i], strlen(in[i]), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_semver_range_parse(&r, "~1.2", 4, NULL), 0);
	CU_ASSERT_EQUAL(cicd_semver_max_satisfying(&at, v, 6, r), 0);
	CU_ASSERT_EQUAL(at, 1);
	CU_ASSERT_EQUAL(cicd_semver_min_satisfying(&at, v, 6, r), 0);
	CU_ASSERT_EQUAL(at, 0);
	cicd_semver_range_free(r);
	CU_ASSERT_EQUAL_FATAL(cicd_semver_range_parse(&r, ">3", 2, NULL), 0);
	CU_ASSERT_EQUAL(cicd_semver_max_satisfying(&at, v, 6, r), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "no version satisfies >=4.0.0");
	cicd_semver_range_free(r);
	for (i = 0; i < 6; i++)
		cicd_semver_free(v[i]);
}

CICD_SUITE(semver_range, CICD_TEST(test_ranges_desugar_as_node_semver),
           CICD_TEST(test_invalid_ranges_fail_with_the_comparator), CICD_TEST(test_range_length_limit_is_an_option),
           CICD_TEST(test_runs_over_250_characters_follow_node_bounds),
           CICD_TEST(test_satisfies_applies_comparators_and_prerelease_rule),
           CICD_TEST(test_max_and_min_satisfying_pick_the_first_of_equals),
           CICD_TEST(test_range_test_str_uses_the_range_options))
