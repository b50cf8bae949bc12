/* The streaming trace masker and CRC-32. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

/* Bit-at-a-time CRC-32, the definition, to check the table-driven one against. */
static uint32_t crc32_reference(const unsigned char *p, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;
	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

static void test_crc32_matches_known_vectors(void)
{
	unsigned char data[1000];
	size_t i, cut;
	CU_ASSERT_EQUAL(cicd_crc32(0, "123456789", 9), 0xCBF43926u);
	CU_ASSERT_EQUAL(cicd_crc32(0, "", 0), 0u);
	CU_ASSERT_EQUAL(cicd_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
	srand(7);
	for (i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)rand();
	for (i = 0; i <= sizeof data; i += 37)
		CU_ASSERT_EQUAL(cicd_crc32(0, data, i), crc32_reference(data, i));
	/* running updates equal one pass */
	for (cut = 0; cut <= 64; cut++)
		CU_ASSERT_EQUAL(cicd_crc32(cicd_crc32(0, data, cut), data + cut, 200 - cut),
		                crc32_reference(data, 200));
}

/* Masks `in` written in pieces cut at the given offsets; returns a malloc'd string. */
static char *mask_pieces(cicd_mask *m, const char *in, const size_t *cuts, size_t ncuts)
{
	cicd_buf out = CICD_BUF_INIT;
	size_t len = strlen(in), at = 0, k;
	char *res;
	for (k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : len;
		CU_ASSERT_EQUAL_FATAL(cicd_mask_write(m, &out, in + at, end - at), 0);
		at = end;
	}
	CU_ASSERT_EQUAL_FATAL(cicd_mask_finish(m, &out), 0);
	res = strdup(out.ptr ? out.ptr : "");
	CU_ASSERT_EQUAL(cicd_mask_bytes(m), out.size);
	CU_ASSERT_EQUAL(cicd_mask_crc32(m), cicd_crc32(0, out.ptr, out.size));
	cicd_buf_dispose(&out);
	return res;
}

static char *mask_once(const char *const *values, size_t count, const char *in)
{
	cicd_mask *m = NULL;
	char *res;
	CU_ASSERT_EQUAL_FATAL(cicd_mask_new(&m, values, NULL, count, NULL), 0);
	res = mask_pieces(m, in, NULL, 0);
	cicd_mask_free(m);
	return res;
}

/* Every split into two writes, and byte-by-byte writes, give `expected`. */
static void check_every_split(const char *const *values, size_t count, const char *in, const char *expected)
{
	size_t len = strlen(in), cut, k;
	size_t *all = malloc(len * sizeof *all + 1);
	char *got = mask_once(values, count, in);
	CICD_ASSERT_STR(got, expected);
	free(got);
	for (cut = 0; cut <= len; cut++) {
		cicd_mask *m = NULL;
		CU_ASSERT_EQUAL_FATAL(cicd_mask_new(&m, values, NULL, count, NULL), 0);
		got = mask_pieces(m, in, &cut, 1);
		CICD_ASSERT_STR(got, expected);
		free(got);
		cicd_mask_free(m);
	}
	for (k = 0; k < len; k++)
		all[k] = k;
	{
		cicd_mask *m = NULL;
		CU_ASSERT_EQUAL_FATAL(cicd_mask_new(&m, values, NULL, count, NULL), 0);
		got = mask_pieces(m, in, all, len);
		CICD_ASSERT_STR(got, expected);
		free(got);
		cicd_mask_free(m);
	}
	free(all);
}

static void test_mask_replaces_value_split_at_every_byte(void)
{
	const char *values[] = {"s3cr3t-Value!", "hunter2hunter2"};
	check_every_split(values, 2, "login with s3cr3t-Value! and hunter2hunter2 done\n",
	                  "login with [MASKED] and [MASKED] done\n");
	check_every_split(values, 2, "s3cr3t-Value!s3cr3t-Value!", "[MASKED][MASKED]");
	check_every_split(values, 2, "s3cr3t-Value", "s3cr3t-Value");
	check_every_split(values, 2, "xx hunter2hunter", "xx hunter2hunter");
}

static void test_mask_prefers_longest_value(void)
{
	const char *values[] = {"abcd", "abcdefgh", "  abcdefgh  ", "", "efgh"};
	check_every_split(values, 5, "[abcdefgh][abcdefg][abcd]", "[[MASKED]][[MASKED]efg][[MASKED]]");
}

static void test_mask_token_prefixes_keep_prefix(void)
{
	const char *none[] = {"unused-value"};
	check_every_split(none, 1, "token glpat-AbC_123.x=y-z end", "token glpat-[MASKED] end");
	check_every_split(none, 1, "glrt-t1_abc\nGR1348941xyz gldt-", "glrt-[MASKED]\nGR1348941[MASKED] gldt-");
	check_every_split(none, 1, "gl glpa glpat- x", "gl glpa glpat- x");
	check_every_split(none, 1, "ends with glrtr-abcdef", "ends with glrtr-[MASKED]");
}

static void test_mask_secret_url_parameters(void)
{
	const char *none[] = {"unused-value"};
	check_every_split(none, 1, "GET https://h/p?private_token=abc123&x=1 200",
	                  "GET https://h/p?private_token=[MASKED]&x=1 200");
	check_every_split(none, 1, "s3?X-Amz-Credential=AK%2F1&X-Amz-Signature=deadbeef\n",
	                  "s3?X-Amz-Credential=[MASKED]&X-Amz-Signature=[MASKED]\n");
	check_every_split(none, 1, "u?token=t0k&tokens=x", "u?token=[MASKED]&tokens=x");
	check_every_split(none, 1, "a?private_token=", "a?private_token=[MASKED]");
}

static void test_mask_handles_binary_and_single_byte_values(void)
{
	const char *values[] = {"Z"};
	static const char in[] = "aZbZZ";
	check_every_split(values, 1, in, "a[MASKED]b[MASKED][MASKED]");
}

static void test_mask_options_and_limits(void)
{
	cicd_mask_options o;
	cicd_mask *m = NULL;
	const char *values[] = {"a-long-secret", "another-one"};
	const char *extra[] = {"myco_"};
	char *got;
	CU_ASSERT_EQUAL(cicd_mask_options_init(&o, 99), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_mask_options_init(&o, CICD_MASK_OPTIONS_VERSION), 0);
	o.max_phrases = 1;
	CU_ASSERT_EQUAL(cicd_mask_new(&m, values, NULL, 2, &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "2 masked values, more than the limit of 1");
	o.max_phrases = 0;
	o.max_phrase_len = 5;
	CU_ASSERT_EQUAL(cicd_mask_new(&m, values, NULL, 2, &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "masked value 0 is 13 bytes long, more than the limit of 5");
	CU_ASSERT_PTR_NULL(m);
	o.max_phrase_len = 0;
	o.flags = CICD_MASK_NO_TOKEN_PREFIXES | CICD_MASK_NO_URL_PARAMS;
	o.extra_prefixes = extra;
	o.extra_prefix_count = 1;
	CU_ASSERT_EQUAL_FATAL(cicd_mask_new(&m, values, NULL, 2, &o), 0);
	got = mask_pieces(m, "glpat-abc ?token=x myco_123 another-one", NULL, 0);
	CICD_ASSERT_STR(got, "glpat-abc ?token=x myco_[MASKED] [MASKED]");
	free(got);
	cicd_mask_free(m);
	cicd_mask_free(NULL);
}

static void test_mask_crc_and_bytes_cover_emitted_text(void)
{
	const char *values[] = {"password1"};
	cicd_mask *m = NULL;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_mask_new(&m, values, NULL, 1, NULL), 0);
	CU_ASSERT_EQUAL(cicd_mask_write(m, &out, "pw=passw", 8), 0);
	CU_ASSERT_EQUAL(cicd_mask_write(m, &out, "ord1\n", 5), 0);
	CU_ASSERT_EQUAL(cicd_mask_finish(m, &out), 0);
	CICD_ASSERT_STR(out.ptr, "pw=[MASKED]\n");
	CU_ASSERT_EQUAL(cicd_mask_bytes(m), 12u);
	CU_ASSERT_EQUAL(cicd_mask_crc32(m), crc32_reference((const unsigned char *)"pw=[MASKED]\n", 12));
	cicd_buf_dispose(&out);
	cicd_mask_free(m);
}

static void test_mask_finish_without_writes_is_empty(void)
{
	const char *values[] = {"abc"};
	cicd_mask *m = NULL;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_mask_new(&m, values, NULL, 1, NULL), 0);
	CU_ASSERT_EQUAL(cicd_mask_finish(m, &out), 0);
	CU_ASSERT_EQUAL(out.size, 0);
	CU_ASSERT_EQUAL(cicd_mask_bytes(m), 0);
	CU_ASSERT_EQUAL(cicd_mask_crc32(m), 0);
	cicd_mask_free(m);
}

CICD_SUITE(mask, CICD_TEST(test_mask_finish_without_writes_is_empty), CICD_TEST(test_crc32_matches_known_vectors),
           CICD_TEST(test_mask_replaces_value_split_at_every_byte), CICD_TEST(test_mask_prefers_longest_value),
           CICD_TEST(test_mask_token_prefixes_keep_prefix), CICD_TEST(test_mask_secret_url_parameters),
           CICD_TEST(test_mask_handles_binary_and_single_byte_values), CICD_TEST(test_mask_options_and_limits),
           CICD_TEST(test_mask_crc_and_bytes_cover_emitted_text))
