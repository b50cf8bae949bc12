/* The rules:if language: GitLab's lexer, precedence, values and errors. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

/* Variables as "NAME=value" strings, NULL-terminated. */
static int lookup(const char **value, size_t *len, const char *name, void *payload)
{
	const char *const *vars = payload;
	size_t n = strlen(name);
	for (; vars && *vars; vars++)
		if (strncmp(*vars, name, n) == 0 && (*vars)[n] == '=') {
			*value = *vars + n + 1;
			*len = strlen(*value);
			return 1;
		}
	return 0;
}

/* 1 true, 0 false, -100 when it does not compile. */
static int eval_with(const char *text, const char *const *vars)
{
	cicd_expr *e = NULL;
	int result = -1;
	if (cicd_expr_compile(&e, text, strlen(text), NULL) != 0)
		return -100;
	if (cicd_expr_eval(&result, e, lookup, (void *)vars) != 0)
		result = -200;
	cicd_expr_free(e);
	return result;
}

static const char *const flow_vars[] = {"CI_COMMIT_BRANCH=feature/80-optimize-allocate",
					"CI_PIPELINE_SOURCE=push",
					"CI_DEFAULT_BRANCH=master",
					"EMPTY=",
					"BLANK=  ",
					"ONE=1",
					"PAT=/^feature\\//",
					"PATI=/^FEATURE/i",
					"PLAIN=feature/80-optimize-allocate dev master",
					"BADPAT=/(/",
					NULL};

#define T(text) CU_ASSERT_EQUAL(eval_with(text, flow_vars), 1)
#define F(text) CU_ASSERT_EQUAL(eval_with(text, flow_vars), 0)

/* Compiles text expecting failure; checks the message and the column. */
static void assert_error(const char *text, int code, const char *message, unsigned int column)
{
	cicd_expr *e = NULL;
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, text, strlen(text), NULL), code);
	CU_ASSERT_PTR_NULL(e);
	CICD_ASSERT_STR(cicd_error_last()->message, message);
	CU_ASSERT_EQUAL(cicd_error_last()->column, column);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 1);
}

static void test_equality_of_strings_and_variables(void)
{
	T("$CI_COMMIT_BRANCH == \"feature/80-optimize-allocate\"");
	T("'feature/80-optimize-allocate' == $CI_COMMIT_BRANCH");
	F("$CI_COMMIT_BRANCH == \"dev\"");
	T("$CI_COMMIT_BRANCH != \"dev\"");
	F("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH");
	T("$CI_PIPELINE_SOURCE == \"push\"");
	T("\"a\" == 'a'");
	T("'it\"s' == \"it\" || 'it\"s' != 'x'");
}

static void test_undefined_and_empty_variables(void)
{
	T("$UNDEFINED == null");
	F("$EMPTY == null");
	T("$EMPTY == \"\"");
	F("$UNDEFINED == \"\"");
	T("$UNDEFINED != \"a\"");
	T("$UNDEFINED == $ALSO_UNDEFINED");
	T("null == null");
	F("$CI_COMMIT_TAG");
	T("$CI_COMMIT_BRANCH");
	F("$EMPTY");
	F("$UNDEFINED");
	T("$ONE");
}

static void test_blank_value_is_false_as_in_gitlab(void)
{
	/* ActiveSupport's present?: a whitespace-only string is blank. */
	F("$BLANK");
	T("$BLANK == \"  \"");
}

static void test_and_or_return_operands_as_ruby_does(void)
{
	/* An empty string is truthy inside && and || (Ruby), blank at the end. */
	T("$EMPTY && $ONE");
	F("$EMPTY || $ONE");
	T("$UNDEFINED || $ONE");
	F("$UNDEFINED && $ONE");
	F("$ONE && $EMPTY");
}

static void test_and_binds_tighter_than_or(void)
{
	T("$ONE || $UNDEFINED && $UNDEFINED");
	F("($ONE || $UNDEFINED) && $UNDEFINED");
	T("$UNDEFINED && $UNDEFINED || $ONE");
	T("$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_BRANCH =~ /^feature/ || $X == \"y\"");
	F("$CI_PIPELINE_SOURCE == \"web\" && ($CI_COMMIT_BRANCH =~ /^feature/ || $ONE)");
	T("(($ONE))");
	T("($CI_COMMIT_BRANCH == \"dev\" || $CI_COMMIT_BRANCH =~ /^feature\\//) && $DEPLOY != \"false\"");
}

static void test_regex_literals_and_flags(void)
{
	T("$CI_COMMIT_BRANCH =~ /^feature\\/\\d+-/");
	T("$CI_COMMIT_BRANCH =~ /OPTIMIZE/i");
	F("$CI_COMMIT_BRANCH =~ /OPTIMIZE/");
	T("$CI_COMMIT_BRANCH =~ /optimize/");  /* unanchored search */
	F("$CI_COMMIT_BRANCH !~ /optimize/");
	T("$CI_DEFAULT_BRANCH =~ /^master$/");
	F("$CI_COMMIT_TAG =~ /^v\\d+\\.\\d+\\.\\d+$/");
	T("/ab/ == /ab/");
	F("/ab/ == /ab/i");
}

static void test_match_with_undefined_variable(void)
{
	F("$UNDEFINED =~ /xy/");
	T("$UNDEFINED !~ /xy/");
	T("$UNDEFINED =~ /^$/"); /* nil.to_s is "" */
	F("$CI_COMMIT_BRANCH =~ $UNDEFINED");
	T("$CI_COMMIT_BRANCH !~ $UNDEFINED");
	F("$CI_COMMIT_BRANCH =~ null");
}

static void test_pattern_held_by_a_variable(void)
{
	T("$CI_COMMIT_BRANCH =~ $PAT");
	F("$CI_COMMIT_BRANCH !~ $PAT");
	T("\"feature\" =~ $PATI");
	F("$CI_DEFAULT_BRANCH =~ $PAT");
}

static void test_variable_that_is_not_a_pattern_is_a_substring_test(void)
{
	/* GitLab falls back to String#scan: the left side searched in the right. */
	T("$CI_COMMIT_BRANCH =~ $PLAIN");
	T("\"dev\" =~ $PLAIN");
	F("\"hotfix\" =~ $PLAIN");
	T("$UNDEFINED =~ $PLAIN"); /* "" is in every string */
	T("\"(/\" =~ $BADPAT");     /* an invalid pattern is a plain string too */
	T("'dev' =~ 'a dev b'");
}

static void test_booleans(void)
{
	T("true");
	F("false");
	F("\"true\" == true");
	T("true == true");
	T("false || $ONE");
}

static void test_variables_listed_in_order_of_first_use(void)
{
	cicd_expr *e = NULL;
	const char *text = "$B == $A || $B =~ /xy/ && $C";
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, text, strlen(text), NULL), 0);
	CU_ASSERT_EQUAL(cicd_expr_variable_count(e), 3);
	CICD_ASSERT_STR(cicd_expr_variable_name(e, 0), "B");
	CICD_ASSERT_STR(cicd_expr_variable_name(e, 1), "A");
	CICD_ASSERT_STR(cicd_expr_variable_name(e, 2), "C");
	CU_ASSERT_PTR_NULL(cicd_expr_variable_name(e, 3));
	CICD_ASSERT_STR(cicd_expr_text(e), text);
	cicd_expr_free(e);
}

static void test_curly_variable_is_a_syntax_error(void)
{
	assert_error("$CI_COMMIT_BRANCH == ${CI_DEFAULT_BRANCH}", CICD_EPARSE,
		     "invalid expression syntax: ${NAME} is not a variable in rules:if, write $NAME", 22);
	assert_error("${X}", CICD_EPARSE,
		     "invalid expression syntax: ${NAME} is not a variable in rules:if, write $NAME", 1);
}

static void test_syntax_errors_have_positions(void)
{
	assert_error("$A ==", CICD_EPARSE, "invalid expression syntax: == has no right operand", 4);
	assert_error("== $A", CICD_EPARSE, "invalid expression syntax: == has no left operand", 1);
	assert_error("$A && ||", CICD_EPARSE, "invalid expression syntax: && has no right operand", 4);
	assert_error("$A $B", CICD_EPARSE, "invalid expression syntax: value without an operator before it", 4);
	assert_error("($A == \"x\"", CICD_EPARSE, "invalid expression syntax: unclosed parenthesis", 1);
	assert_error("$A == \"x\")", CICD_EPARSE, "invalid expression syntax: unmatched parenthesis", 10);
	assert_error("", CICD_EPARSE, "invalid expression syntax: empty expression", 1);
	assert_error("   ", CICD_EPARSE, "invalid expression syntax: empty expression", 1);
	assert_error("()", CICD_EPARSE, "invalid expression syntax: empty expression", 1);
	assert_error("$A == \"x", CICD_EPARSE, "invalid expression syntax: unterminated string starting with \"", 7);
	assert_error("$A = \"x\"", CICD_EPARSE, "invalid expression syntax: unexpected character '='", 4);
	assert_error("nullx", CICD_EPARSE, "invalid expression syntax: unexpected character 'x'", 5);
	assert_error("$A == truex", CICD_EPARSE, "invalid expression syntax: unexpected character 't'", 7);
	assert_error("$ == \"a\"", CICD_EPARSE, "invalid expression syntax: $ without a variable name", 1);
	/* GitLab's pattern lexeme needs two characters between the slashes. */
	assert_error("$A =~ /a/", CICD_EPARSE,
		     "invalid expression syntax: unterminated or too short regular expression", 7);
	assert_error("$A =~ /ab", CICD_EPARSE,
		     "invalid expression syntax: unterminated or too short regular expression", 7);
}

static void test_patterns_re2_rejects_are_errors(void)
{
	assert_error("$A =~ /(?<=a)b/", CICD_EPARSE,
		     "invalid expression syntax: invalid regular expression: invalid perl operator: (?<", 7);
	assert_error("$A =~ /(a)\\1/", CICD_EPARSE,
		     "invalid expression syntax: invalid regular expression: invalid escape sequence: \\1", 7);
	assert_error("$A =~ /(ab/", CICD_EPARSE,
		     "invalid expression syntax: invalid regular expression: missing ): (ab", 7);
}

static void test_error_position_is_in_file_coordinates(void)
{
	cicd_expr_options opts;
	cicd_expr *e = NULL;
	const char *text = "$A == \"x\" &&\n  $B = 1";
	CU_ASSERT_EQUAL(cicd_expr_options_init(&opts, CICD_EXPR_OPTIONS_VERSION), 0);
	opts.file = ".gitlab-ci.yml";
	opts.line = 7;
	opts.column = 11;
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, "$A $B", 5, &opts), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->file, ".gitlab-ci.yml");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 7);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 14);
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, text, strlen(text), &opts), CICD_EPARSE);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 8);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 6);
	CU_ASSERT_EQUAL(cicd_expr_options_init(&opts, 99), CICD_EINVALID);
}

static void test_token_and_size_limits(void)
{
	char text[1024] = "$A";
	cicd_expr *e = NULL;
	cicd_expr_options opts = CICD_EXPR_OPTIONS_INIT;
	int i;
	/* 49 comparisons joined by && make 99 tokens: GitLab's most. */
	for (i = 0; i < 49; i++)
		strcat(text, " && $A");
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, text, strlen(text), NULL), 0);
	cicd_expr_free(e);
	e = NULL;
	strcat(text, " &&");
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, text, strlen(text), NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "invalid expression syntax: too many tokens");
	CU_ASSERT_EQUAL(cicd_error_last()->column, strlen(text) - 1);
	opts.max_bytes = 10;
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, text, strlen(text), &opts), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "expression longer than 10 bytes");
	opts.max_bytes = 0;
	opts.max_tokens = 100000;
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, "$A", 2, &opts), CICD_EINVALID);
}

static int failing_lookup(const char **value, size_t *len, const char *name, void *payload)
{
	(void)value;
	(void)len;
	(void)name;
	(void)payload;
	return CICD_EUSER;
}

static void test_lookup_errors_stop_the_evaluation(void)
{
	cicd_expr *e = NULL;
	int result = 7;
	CU_ASSERT_EQUAL(cicd_expr_compile(&e, "$A == null", 10, NULL), 0);
	CU_ASSERT_EQUAL(cicd_expr_eval(&result, e, failing_lookup, NULL), CICD_EUSER);
	CU_ASSERT_EQUAL(result, 0);
	CU_ASSERT_EQUAL(cicd_expr_eval(&result, e, NULL, NULL), 0);
	CU_ASSERT_EQUAL(result, 1);
	cicd_expr_free(e);
	cicd_expr_free(NULL);
}

CICD_SUITE(expr, CICD_TEST(test_equality_of_strings_and_variables),
	   CICD_TEST(test_undefined_and_empty_variables), CICD_TEST(test_blank_value_is_false_as_in_gitlab),
	   CICD_TEST(test_and_or_return_operands_as_ruby_does), CICD_TEST(test_and_binds_tighter_than_or),
	   CICD_TEST(test_regex_literals_and_flags), CICD_TEST(test_match_with_undefined_variable),
	   CICD_TEST(test_pattern_held_by_a_variable),
	   CICD_TEST(test_variable_that_is_not_a_pattern_is_a_substring_test), CICD_TEST(test_booleans),
	   CICD_TEST(test_variables_listed_in_order_of_first_use), CICD_TEST(test_curly_variable_is_a_syntax_error),
	   CICD_TEST(test_syntax_errors_have_positions), CICD_TEST(test_patterns_re2_rejects_are_errors),
	   CICD_TEST(test_error_position_is_in_file_coordinates), CICD_TEST(test_token_and_size_limits),
	   CICD_TEST(test_lookup_errors_stop_the_evaluation))
