/* Versions: parsing (strict, loose, limits), precedence, sorting, inc, diff, coerce. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/semver.h"
#include "test.h"

static cicd_semver *parse_flags(const char *s, unsigned int flags)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver *v = NULL;
	o.flags = flags;
	if (cicd_semver_parse(&v, s, strlen(s), &o) < 0)
		return NULL;
	return v;
}

static cicd_semver *parse(const char *s)
{
	cicd_semver *v = parse_flags(s, 0);
	if (!v)
		fprintf(stderr, "\nunexpected parse failure of %s: %s\n", s, cicd_error_last()->message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return v;
}

static int cmp(const char *a, const char *b)
{
	int c = 99;
	CU_ASSERT_EQUAL(cicd_semver_compare_str(&c, a, b, NULL), 0);
	return c;
}

static void test_parse_gives_parts_and_normalized_text(void)
{
	cicd_semver *v = parse("1.20.300-alpha.1+build.007");
	CICD_ASSERT_STR(cicd_semver_text(v), "1.20.300-alpha.1+build.007");
	CU_ASSERT_EQUAL(cicd_semver_text_length(v), strlen("1.20.300-alpha.1"));
	CICD_ASSERT_STR(cicd_semver_major(v), "1");
	CICD_ASSERT_STR(cicd_semver_minor(v), "20");
	CICD_ASSERT_STR(cicd_semver_patch(v), "300");
	CICD_ASSERT_STR(cicd_semver_prerelease(v), "alpha.1");
	CICD_ASSERT_STR(cicd_semver_build(v), "build.007");
	cicd_semver_free(v);
}

static void test_strict_parse_follows_the_spec_grammar(void)
{
	static const char *bad[] = {"v1.2.3",     " 1.2.3",    "1.2.3 ", "01.2.3", "1.02.3",    "1.2.03",
	                            "1.2",        "1.2.3.4",   "1.2.3-", "1.2.3+", "1.2.3-01",  "1.2.3-a..b",
	                            "1.2.3+a..b", "1.2.3beta", "=1.2.3", "",       "1.2.3-a_b", "-1.2.3"};
	static const char *good[] = {
	    "0.0.0",         "1.2.3-0", "1.2.3--", "1.2.3-0a", "1.2.3-a-b.c", "1.2.3+001", "1.2.3-rc.1+build.1",
	    "1.0.0-x.7.z.92"};
	size_t i;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cicd_semver *v = parse_flags(bad[i], 0);
		if (v)
			fprintf(stderr, "\naccepted %s\n", bad[i]);
		CU_ASSERT_PTR_NULL(v);
		cicd_semver_free(v);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cicd_semver *v = parse(good[i]);
		CICD_ASSERT_STR(cicd_semver_text(v), good[i]);
		cicd_semver_free(v);
	}
}

static void test_parse_error_names_the_column(void)
{
	cicd_semver *v = NULL;
	CU_ASSERT_EQUAL(cicd_semver_parse(&v, "1.02.3", 6, NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "not a version: \"1.02.3\" (column 3: leading zero)");
	CU_ASSERT_EQUAL(cicd_error_last()->column, 3);
	CU_ASSERT_EQUAL(cicd_semver_parse(&v, "1.2.x", 5, NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "not a version: \"1.2.x\" (column 5: expected a number)");
	CU_ASSERT_EQUAL(cicd_semver_parse(&v, "1.2.3-a..b", 10, NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "not a version: \"1.2.3-a..b\" (column 9: expected an identifier)");
	CU_ASSERT_PTR_NULL(v);
}

static void test_loose_parse_normalizes_as_node_semver(void)
{
	static const char *cases[][2] = {{" v1.2.3 ", "1.2.3"},
	                                 {"=v 01.02.03", "1.2.3"},
	                                 {"1.2.3beta.01", "1.2.3-beta.1"},
	                                 {"1.2.34.5", "1.2.3-4.5"},
	                                 {"1.2.3-", "1.2.3--"},
	                                 {"\xc2\xa0"
	                                  "1.2.3\xef\xbb\xbf",
	                                  "1.2.3"},
	                                 {"1.2.3-+b", "1.2.3--+b"}};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cicd_semver *v = parse_flags(cases[i][0], CICD_SEMVER_LOOSE);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CICD_ASSERT_STR(cicd_semver_text(v), cases[i][1]);
		cicd_semver_free(v);
	}
	CU_ASSERT_PTR_NULL(parse_flags("1.2.3.4", CICD_SEMVER_LOOSE));
}

static void test_length_limit_is_an_option(void)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver *v = NULL;
	char text[400];
	memset(text, 'a', sizeof text);
	memcpy(text, "1.2.3-", 6);
	CU_ASSERT_EQUAL(cicd_semver_parse(&v, text, 257, NULL), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "version longer than 256 characters");
	CU_ASSERT_EQUAL(cicd_semver_parse(&v, text, 256, NULL), 0);
	cicd_semver_free(v);
	o.max_length = 0; /* no limit */
	CU_ASSERT_EQUAL(cicd_semver_parse(&v, text, sizeof text, &o), 0);
	cicd_semver_free(v);
	CU_ASSERT_EQUAL(cicd_semver_options_init(&o, 99), CICD_EINVALID);
}

static void test_precedence_follows_the_spec_example(void)
{
	static const char *order[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
	                              "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
	                              "1.0.0-rc.1",  "1.0.0",         "1.0.1",
	                              "1.1.0",       "2.0.0",         "10.0.0"};
	size_t i, j;
	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		for (j = 0; j < sizeof order / sizeof order[0]; j++)
			CU_ASSERT_EQUAL(cmp(order[i], order[j]), i < j ? -1 : i > j ? 1 : 0);
	CU_ASSERT_EQUAL(cmp("1.0.0+a", "1.0.0+b"), 0);
	CU_ASSERT_EQUAL(cmp("1.0.0-1", "1.0.0-a"), -1);
	CU_ASSERT_EQUAL(cmp("1.0.0-a", "1.0.0-a-"), -1);
}

static void test_compare_str_parses_without_allocating(void)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	int c = 99;
	o.flags = CICD_SEMVER_LOOSE;
	CU_ASSERT_EQUAL(cicd_semver_compare_str(&c, "v01.2.3-01", "1.2.3-1", &o), 0);
	CU_ASSERT_EQUAL(c, 0);
	CU_ASSERT_EQUAL(cicd_semver_compare_str(&c, "1.2.3beta", "=1.2.3-alpha.9", &o), 0);
	CU_ASSERT_EQUAL(c, 1);
	CU_ASSERT_EQUAL(cicd_semver_compare_str(&c, "1.2.3", "1.2", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "not a version: \"1.2\" (column 4: expected '.')");
}

static void test_numbers_beyond_2_53_compare_exactly(void)
{
	CU_ASSERT_EQUAL(cmp("9007199254740993.0.0", "9007199254740992.0.0"), 1);
	CU_ASSERT_EQUAL(cmp("1.0.0-9007199254740993", "1.0.0-9007199254740992"), 1);
	CU_ASSERT_EQUAL(cmp("123456789012345678901234567890.0.0", "123456789012345678901234567889.0.0"), 1);
	CU_ASSERT_EQUAL(cmp("99999999999999999999.0.0", "100000000000000000000.0.0"), -1);
}

static void test_sort_is_stable_and_orders_build_metadata(void)
{
	static const char *in[] = {"1.0.0+b", "1.0.0-rc.1", "0.9.0", "1.0.0+a", "1.0.0", "1.0.0+a"};
	static const char *want[] = {"0.9.0", "1.0.0-rc.1", "1.0.0", "1.0.0+a", "1.0.0+a", "1.0.0+b"};
	cicd_semver *v[6], *first_a;
	size_t i;
	for (i = 0; i < 6; i++)
		v[i] = parse(in[i]);
	first_a = v[3];
	CU_ASSERT_EQUAL(cicd_semver_sort(v, 6, 0), 0);
	for (i = 0; i < 6; i++)
		CICD_ASSERT_STR(cicd_semver_text(v[i]), want[i]);
	CU_ASSERT_PTR_EQUAL(v[3], first_a);
	CU_ASSERT_EQUAL(cicd_semver_sort(v, 6, CICD_SEMVER_SORT_REVERSE), 0);
	CICD_ASSERT_STR(cicd_semver_text(v[0]), "1.0.0+b");
	CU_ASSERT_PTR_EQUAL(v[1], first_a);
	CICD_ASSERT_STR(cicd_semver_text(v[5]), "0.9.0");
	for (i = 0; i < 6; i++)
		cicd_semver_free(v[i]);
}

static void test_sort_orders_pre_releases_before_builds(void)
{
	static const char *in[] = {"1.0.0-alpha+b", "1.0.0+z", "1.0.0-beta", "1.0.0",
	                           "1.0.0-alpha",   "1.0.0+a", "1.0.0",      "0.9.0+x"};
	static const char *want[] = {"0.9.0+x", "1.0.0-alpha", "1.0.0-alpha+b", "1.0.0-beta",
	                             "1.0.0",   "1.0.0",       "1.0.0+a",       "1.0.0+z"};
	cicd_semver *v[8], *first_plain;
	size_t i;
	for (i = 0; i < 8; i++)
		v[i] = parse(in[i]);
	first_plain = v[3];
	CU_ASSERT_EQUAL(cicd_semver_sort(v, 8, 0), 0);
	for (i = 0; i < 8; i++)
		CICD_ASSERT_STR(cicd_semver_text(v[i]), want[i]);
	CU_ASSERT_PTR_EQUAL(v[4], first_plain); /* stable among equal plain versions */
	CU_ASSERT_EQUAL(cicd_semver_sort(v, 8, CICD_SEMVER_SORT_REVERSE), 0);
	for (i = 0; i < 8; i++)
		CICD_ASSERT_STR(cicd_semver_text(v[i]), i == 2 || i == 3 ? "1.0.0" : want[7 - i]);
	CU_ASSERT_PTR_EQUAL(v[2], first_plain);
	for (i = 0; i < 8; i++)
		cicd_semver_free(v[i]);
}

static void test_sort_orders_numbers_of_any_length(void)
{
	static const char *in[] = {"100000000000000000000.0.0", "9.0.0",
	                           "99999999999999999999.1.0",  "99999999999999999999.0.0",
	                           "18446744073709551615.0.0",  "9.0.0-rc.1"};
	static const char *want[] = {"9.0.0-rc.1",
	                             "9.0.0",
	                             "18446744073709551615.0.0",
	                             "99999999999999999999.0.0",
	                             "99999999999999999999.1.0",
	                             "100000000000000000000.0.0"};
	cicd_semver *v[6];
	size_t i;
	for (i = 0; i < 6; i++)
		v[i] = parse(in[i]);
	CU_ASSERT_EQUAL(cicd_semver_sort(v, 6, 0), 0);
	for (i = 0; i < 6; i++) {
		CICD_ASSERT_STR(cicd_semver_text(v[i]), want[i]);
		cicd_semver_free(v[i]);
	}
}

static char *inc(const char *from, const char *kind, const char *preid, unsigned int flags)
{
	static char out[128];
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver_release k;
	cicd_semver *v = parse_flags(from, flags), *n = NULL;
	o.flags = flags;
	if (!v || cicd_semver_release_parse(&k, kind) < 0 || cicd_semver_inc(&n, v, k, preid, &o) < 0) {
		cicd_semver_free(v);
		return NULL;
	}
	snprintf(out, sizeof out, "%s", cicd_semver_text(n));
	cicd_semver_free(v);
	cicd_semver_free(n);
	return out;
}

static void test_inc_follows_node_semver(void)
{
	CICD_ASSERT_STR(inc("1.2.3", "major", NULL, 0), "2.0.0");
	CICD_ASSERT_STR(inc("1.0.0-5", "major", NULL, 0), "1.0.0");
	CICD_ASSERT_STR(inc("1.2.0-5", "minor", NULL, 0), "1.2.0");
	CICD_ASSERT_STR(inc("1.2.1", "minor", NULL, 0), "1.3.0");
	CICD_ASSERT_STR(inc("1.2.3-rc.1", "patch", NULL, 0), "1.2.3");
	CICD_ASSERT_STR(inc("1.2.3+build", "patch", NULL, 0), "1.2.4");
	CICD_ASSERT_STR(inc("1.2.3", "premajor", "rc", 0), "2.0.0-rc.0");
	CICD_ASSERT_STR(inc("1.2.3", "preminor", NULL, 0), "1.3.0-0");
	CICD_ASSERT_STR(inc("1.2.3-1", "prepatch", "dev", 0), "1.2.4-dev.0");
	CICD_ASSERT_STR(inc("1.2.3", "prerelease", NULL, 0), "1.2.4-0");
	CICD_ASSERT_STR(inc("1.2.3-beta.9", "prerelease", "beta", 0), "1.2.3-beta.10");
	CICD_ASSERT_STR(inc("1.2.3-beta.9", "prerelease", "alpha", 0), "1.2.3-alpha.0");
	CICD_ASSERT_STR(inc("1.2.3-beta", "prerelease", "beta", 0), "1.2.3-beta.0");
	CICD_ASSERT_STR(inc("1.2.3-a.1.b", "prerelease", NULL, 0), "1.2.3-a.2.b");
	CICD_ASSERT_STR(inc("1.2.3-a.b", "prerelease", NULL, 0), "1.2.3-a.b.0");
	CICD_ASSERT_STR(inc("1.2.3-rc.2", "release", NULL, 0), "1.2.3");
	/* node keeps what follows the preid when JavaScript reads it as a number (-1, 0x1f, 1e3) */
	CICD_ASSERT_STR(inc("1.2.3-1.-1.1", "prerelease", "1", 0), "1.2.3-1.-1.2");
	CICD_ASSERT_STR(inc("1.2.3-1.e3", "prerelease", "1", 0), "1.2.3-1.0");
	CU_ASSERT_PTR_NULL(inc("1.2.3", "release", NULL, 0));
	CU_ASSERT_PTR_NULL(inc("1.2.3", "prerelease", "a..b", 0));
	CU_ASSERT_PTR_NULL(inc("1.2.3", "prerelease", "01", 0));
	CICD_ASSERT_STR(inc("1.2.3", "prerelease", "01", CICD_SEMVER_LOOSE), "1.2.4-01.0");
	CU_ASSERT_PTR_NULL(inc("1.2.3", "bogus", NULL, 0));
	CICD_ASSERT_STR(cicd_error_last()->message, "unknown release type \"bogus\"");
	/* no 2^53 cap: node-semver would give up here */
	CICD_ASSERT_STR(inc("9007199254740991.0.0", "major", NULL, 0), "9007199254740992.0.0");
	CICD_ASSERT_STR(inc("1.2.3-99999999999999999999", "prerelease", NULL, 0), "1.2.3-100000000000000000000");
}

static const char *diff(const char *a, const char *b)
{
	cicd_semver *x = parse(a), *y = parse(b);
	const char *r = cicd_semver_release_name(cicd_semver_diff(x, y));
	cicd_semver_free(x);
	cicd_semver_free(y);
	return r;
}

static void test_diff_names_the_largest_change(void)
{
	CICD_ASSERT_STR(diff("1.2.3", "1.2.3+b"), "none");
	CICD_ASSERT_STR(diff("1.2.3", "2.0.0"), "major");
	CICD_ASSERT_STR(diff("1.2.3", "1.3.0-rc.1"), "preminor");
	CICD_ASSERT_STR(diff("1.0.0-1", "1.0.0"), "major");
	CICD_ASSERT_STR(diff("1.1.0-1", "1.1.0"), "minor");
	CICD_ASSERT_STR(diff("1.1.1-1", "1.1.1"), "patch");
	CICD_ASSERT_STR(diff("1.2.3-a", "1.2.3-b"), "prerelease");
	CICD_ASSERT_STR(diff("1.2.4", "1.2.3"), "patch");
}

static const char *coerce(const char *s)
{
	static char out[128];
	cicd_semver *v = NULL;
	if (cicd_semver_coerce(&v, s, strlen(s), NULL) < 0)
		return "none";
	snprintf(out, sizeof out, "%s", cicd_semver_text(v));
	cicd_semver_free(v);
	return out;
}

static void test_coerce_finds_the_first_version_like_run(void)
{
	CICD_ASSERT_STR(coerce("v2"), "2.0.0");
	CICD_ASSERT_STR(coerce("release 1.4 final"), "1.4.0");
	CICD_ASSERT_STR(coerce("1.2.3.4"), "1.2.3");
	CICD_ASSERT_STR(coerce("12345678901234567.1"), "1.0.0");
	CICD_ASSERT_STR(coerce("no digits"), "none");
	CU_ASSERT_EQUAL(cicd_error_last()->code, CICD_ENOTFOUND);
}

CICD_SUITE(semver, CICD_TEST(test_parse_gives_parts_and_normalized_text),
           CICD_TEST(test_strict_parse_follows_the_spec_grammar), CICD_TEST(test_parse_error_names_the_column),
           CICD_TEST(test_loose_parse_normalizes_as_node_semver), CICD_TEST(test_length_limit_is_an_option),
           CICD_TEST(test_precedence_follows_the_spec_example), CICD_TEST(test_numbers_beyond_2_53_compare_exactly),
           CICD_TEST(test_compare_str_parses_without_allocating),
           CICD_TEST(test_sort_is_stable_and_orders_build_metadata), CICD_TEST(test_sort_orders_numbers_of_any_length),
           CICD_TEST(test_sort_orders_pre_releases_before_builds), CICD_TEST(test_inc_follows_node_semver),
           CICD_TEST(test_diff_names_the_largest_change), CICD_TEST(test_coerce_finds_the_first_version_like_run))
