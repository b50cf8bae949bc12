/* Allocator hook (with an allocation-failure loop over the loaders), logging and redaction, regex. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "core/log.h"
#include "core/regex.h"
#include "test.h"
#include "failing_alloc.h"

static void test_allocator_requires_all_three_functions(void)
{
	CU_ASSERT_EQUAL(cicd_allocator_set(NULL, realloc, free), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_allocator_set(malloc, realloc, free), 0);
	cicd_allocator_reset();
}

/*
 * Fails allocation 1, 2, 3, ... until the load succeeds. Every failing run
 * must return CICD_ENOMEM and give back every byte it took.
 */
static void failure_loop(int json)
{
	const char *yaml = "a: &x {k: [1, 2, 3], m: {n: o}}\nb:\n  <<: *x\n  c: d\nlist: [*x, *x]\n---\nz: 1\nz: 2\n";
	const char *jtext = "{\"a\": [1, 2, {\"b\": null}], \"c\": \"d\", \"c\": true}";
	long n;
	int succeeded = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = 0; n < 10000 && !succeeded; n++) {
		cicd_document *doc = NULL;
		int rc;
		cicd_test_alloc_budget = n;
		cicd_test_alloc_live = 0;
		rc = json ? cicd_document_load_json(&doc, jtext, strlen(jtext), "j", NULL)
			  : cicd_document_load_buffer(&doc, yaml, strlen(yaml), "y", NULL);
		cicd_test_alloc_budget = -1;
		if (rc == 0) {
			cicd_buf out = CICD_BUF_INIT;
			succeeded = 1;
			CU_ASSERT_EQUAL(cicd_node_to_json(&out, cicd_document_root(doc, 0), CICD_FORMAT_SORT_KEYS), 0);
			cicd_buf_dispose(&out);
			cicd_document_free(doc);
		} else {
			CU_ASSERT_EQUAL(rc, CICD_ENOMEM);
			CU_ASSERT_PTR_NULL(doc);
		}
		CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
	}
	cicd_allocator_reset();
	CU_ASSERT(succeeded);
	CU_ASSERT(n > 5);
}

static void test_yaml_loader_survives_every_allocation_failure(void)
{
	failure_loop(0);
}

static void test_json_loader_survives_every_allocation_failure(void)
{
	failure_loop(1);
}

static char g_last_line[4096];
static int g_lines;

static void capture(cicd_log_level level, const char *message, void *payload)
{
	(void)level;
	*(int *)payload += 1;
	snprintf(g_last_line, sizeof g_last_line, "%s", message);
}

static void test_logging_is_off_by_default_and_filtered_by_level(void)
{
	g_lines = 0;
	cicd__log(CICD_LOG_ERROR, "nobody listens");
	CU_ASSERT_EQUAL(g_lines, 0);
	cicd_log_set(CICD_LOG_WARN, capture, &g_lines);
	cicd__log(CICD_LOG_INFO, "too detailed");
	CU_ASSERT_EQUAL(g_lines, 0);
	cicd__log(CICD_LOG_WARN, "warned %d", 1);
	CU_ASSERT_EQUAL(g_lines, 1);
	CICD_ASSERT_STR(g_last_line, "warned 1");
	cicd_log_set(CICD_LOG_NONE, NULL, NULL);
	cicd__log(CICD_LOG_ERROR, "off again");
	CU_ASSERT_EQUAL(g_lines, 1);
}

static void test_log_lines_are_redacted(void)
{
	g_lines = 0;
	cicd_log_set(CICD_LOG_TRACE, capture, &g_lines);
	cicd__log(CICD_LOG_DEBUG, "GET https://deploy:s3cr3t@registry.local/v2/ Authorization: Bearer abc.def-123");
	CICD_ASSERT_STR(g_last_line, "GET https://deploy:[MASKED]@registry.local/v2/ Authorization: Bearer [MASKED]");
	cicd__log(CICD_LOG_DEBUG, "token glpat-xxxxxxxxxxxxxxxxxxxx and ?private_token=abc&x=1");
	CICD_ASSERT_STR(g_last_line, "token [MASKED] and ?private_token=[MASKED]&x=1");
	cicd_log_set(CICD_LOG_NONE, NULL, NULL);
}

static void test_redact_hides_short_values_within_the_buffer(void)
{
	char text[64] = "password=ab";
	char tight[12] = "password=ab";
	size_t n = cicd__redact(text, strlen(text), sizeof text);
	CICD_ASSERT_STR(text, "password=[MASKED]");
	CU_ASSERT_EQUAL(n, strlen("password=[MASKED]"));
	/* no room to grow: the mask is cut, the secret still gone */
	n = cicd__redact(tight, strlen(tight), sizeof tight);
	CU_ASSERT_EQUAL(n, 11);
	CU_ASSERT_PTR_NULL(strstr(tight, "ab"));
	strcpy(text, "nothing secret here");
	CU_ASSERT_EQUAL(cicd__redact(text, strlen(text), sizeof text), strlen("nothing secret here"));
	CICD_ASSERT_STR(text, "nothing secret here");
}

static void test_regex_is_re2(void)
{
	cicd_regex *re = NULL;
	char err[256];
	cicd_regex_span spans[3];
	CU_ASSERT_EQUAL_FATAL(cicd__regex_compile(&re, "^feature/(?P<issue>\\d+)-(?P<slug>[a-z-]+)$", 41, 0, err, sizeof err), 0);
	CU_ASSERT_EQUAL(cicd__regex_group_count(re), 2);
	CICD_ASSERT_STR(cicd__regex_group_name(re, 1), "issue");
	CU_ASSERT_EQUAL(cicd__regex_group_index(re, "slug"), 2);
	CU_ASSERT_EQUAL(cicd__regex_group_index(re, "nope"), -1);
	CU_ASSERT_EQUAL(cicd__regex_match(re, "feature/80-optimize-allocate", 28, 1, spans, 3), 1);
	CU_ASSERT_EQUAL(spans[1].start, 8);
	CU_ASSERT_EQUAL(spans[1].end, 10);
	CU_ASSERT_EQUAL(spans[2].start, 11);
	CU_ASSERT_EQUAL(cicd__regex_search(re, "dev", 3), 0);
	cicd__regex_free(re);

	CU_ASSERT_EQUAL(cicd__regex_compile(&re, "(a)\\1", 5, 0, err, sizeof err), CICD_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid escape sequence"));
	CU_ASSERT_EQUAL(cicd__regex_compile(&re, "a(?=b)", 6, 0, err, sizeof err), CICD_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid perl operator"));

	CU_ASSERT_EQUAL_FATAL(cicd__regex_compile(&re, "^DEV$", 5, CICD_REGEX_ICASE | CICD_REGEX_MULTILINE, err, sizeof err), 0);
	CU_ASSERT_EQUAL(cicd__regex_search(re, "x\ndev\ny", 7), 1);
	CU_ASSERT_EQUAL(cicd__regex_full_match(re, "dev", 3), 1);
	cicd__regex_free(re);
	cicd__regex_free(NULL);
}

static void test_regex_hostile_pattern_is_linear(void)
{
	/* (a+)+$ on "aaaa...!" takes exponential time in backtracking engines; RE2 is linear. */
	cicd_regex *re = NULL;
	char err[256], text[20001];
	memset(text, 'a', 20000);
	text[19999] = '!';
	text[20000] = '\0';
	CU_ASSERT_EQUAL_FATAL(cicd__regex_compile(&re, "(a+)+$", 6, 0, err, sizeof err), 0);
	CU_ASSERT_EQUAL(cicd__regex_full_match(re, text, 20000), 0);
	cicd__regex_free(re);
}

CICD_SUITE(alloc_log_regex,
	   CICD_TEST(test_allocator_requires_all_three_functions),
	   CICD_TEST(test_yaml_loader_survives_every_allocation_failure),
	   CICD_TEST(test_json_loader_survives_every_allocation_failure),
	   CICD_TEST(test_logging_is_off_by_default_and_filtered_by_level),
	   CICD_TEST(test_log_lines_are_redacted),
	   CICD_TEST(test_redact_hides_short_values_within_the_buffer),
	   CICD_TEST(test_regex_is_re2),
	   CICD_TEST(test_regex_hostile_pattern_is_linear))
