/* GitLab's variable expansion in strings. */
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

static int lookup(const char **value, size_t *len, const char *name, void *payload)
{
	(void)payload;
	if (strcmp(name, "A") == 0)
		*value = "alpha";
	else if (strcmp(name, "B_2") == 0)
		*value = "beta";
	else if (strcmp(name, "EMPTY") == 0)
		*value = "";
	else
		return 0;
	*len = strlen(*value);
	return 1;
}

static void check(const char *in, unsigned int flags, const char *expected)
{
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_expand(&out, in, strlen(in), flags, lookup, NULL), 0);
	CICD_ASSERT_STR(out.ptr ? out.ptr : "", expected);
	cicd_buf_dispose(&out);
}

static void test_expand_dollar_brace_and_percent_forms(void)
{
	check("$A-${B_2}-%A%", 0, "alpha-beta-alpha");
	check("x$A.y", 0, "xalpha.y");
	check("${A}B", 0, "alphaB");
	check("$EMPTY|", 0, "|");
	check("no refs", 0, "no refs");
	check("", 0, "");
}

static void test_expand_undefined_is_empty_or_kept(void)
{
	check("a$NOPE-b", 0, "a-b");
	check("a${NOPE}-%NOPE%b", 0, "a-b");
	check("a$NOPE-${NOPE}-%NOPE%", CICD_EXPAND_KEEP_UNDEFINED, "a$NOPE-${NOPE}-%NOPE%");
}

static void test_expand_keeps_escapes_and_loose_signs(void)
{
	check("$$A %%A%", 0, "$$A %%A%");
	check("$$A", CICD_EXPAND_UNESCAPE, "$A");
	check("${} $1 a$ 50% ${A", 0, "${} $1 a$ 50% ${A");
	check("$$$A", 0, "$$alpha");
}

static void test_expand_stops_on_lookup_error(void)
{
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_expand(&out, "$A", 2, 0, NULL, NULL), 0);
	CICD_ASSERT_STR(out.ptr ? out.ptr : "", "");
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_expand(NULL, "$A", 2, 0, NULL, NULL), CICD_EINVALID);
}

CICD_SUITE(expand, CICD_TEST(test_expand_dollar_brace_and_percent_forms),
	   CICD_TEST(test_expand_undefined_is_empty_or_kept), CICD_TEST(test_expand_keeps_escapes_and_loose_signs),
	   CICD_TEST(test_expand_stops_on_lookup_error))
