/* Internal utilities: buffer, arena, vector, hash map, diagnostics, file reading. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cicd/cicd.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/diagnostics.h"
#include "core/file.h"
#include "core/hashmap.h"
#include "core/vec.h"
#include "test.h"

static void test_buf_appends_and_stays_terminated(void)
{
	cicd_buf b = CICD_BUF_INIT;
	int i;
	CU_ASSERT_EQUAL(cicd__buf_puts(&b, "ab"), 0);
	CU_ASSERT_EQUAL(cicd__buf_putc(&b, 'c'), 0);
	CU_ASSERT_EQUAL(cicd__buf_printf(&b, "-%d-%s", 42, "x"), 0);
	CICD_ASSERT_STR(b.ptr, "abc-42-x");
	CU_ASSERT_EQUAL(b.size, 8);
	for (i = 0; i < 10000; i++)
		cicd__buf_put(&b, "0123456789", 10);
	CU_ASSERT_EQUAL(b.size, 100008);
	CU_ASSERT_EQUAL(b.ptr[b.size], '\0');
	cicd__buf_clear(&b);
	CU_ASSERT_EQUAL(b.size, 0);
	CICD_ASSERT_STR(b.ptr, "");
	cicd_buf_dispose(&b);
	CU_ASSERT_PTR_NULL(b.ptr);
	cicd_buf_dispose(NULL);
}

static void test_buf_detach_hands_over_ownership(void)
{
	cicd_buf b = CICD_BUF_INIT;
	char *s;
	s = cicd__buf_detach(&b);
	CICD_ASSERT_STR(s, "");
	cicd__free(s);
	cicd__buf_puts(&b, "owned");
	s = cicd__buf_detach(&b);
	CICD_ASSERT_STR(s, "owned");
	CU_ASSERT_PTR_NULL(b.ptr);
	cicd__free(s);
}

static void test_arena_aligns_and_handles_large_blocks(void)
{
	cicd_arena a;
	int i;
	char *big;
	cicd__arena_init(&a, 1024);
	for (i = 0; i < 1000; i++) {
		void *p = cicd__arena_alloc(&a, (size_t)(i % 13) + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 0xAB, (size_t)(i % 13) + 1);
	}
	big = cicd__arena_alloc(&a, 100000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 1, 100000);
	CICD_ASSERT_STR(cicd__arena_strndup(&a, "hello world", 5), "hello");
	CICD_ASSERT_STR(cicd__arena_strdup(&a, "x"), "x");
	CU_ASSERT(a.allocated >= 100000);
	cicd__arena_release(&a);
	CU_ASSERT_EQUAL(a.allocated, 0);
}

static void test_vec_grows_and_pops(void)
{
	cicd_vec v = CICD_VEC_INIT;
	long i;
	for (i = 1; i <= 1000; i++)
		CU_ASSERT_EQUAL(cicd__vec_push(&v, (void *)i), 0);
	CU_ASSERT_EQUAL(v.count, 1000);
	CU_ASSERT_EQUAL((long)cicd__vec_pop(&v), 1000);
	CU_ASSERT_EQUAL((long)v.items[0], 1);
	cicd__vec_dispose(&v);
	CU_ASSERT_PTR_NULL(cicd__vec_pop(&v));
}

static void test_hashmap_put_get_replace_remove(void)
{
	cicd_hashmap m = CICD_HASHMAP_INIT;
	char keys[2000][16];
	void *prev = (void *)1;
	int i;
	for (i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof keys[i], "key-%d", i);
		CU_ASSERT_EQUAL(cicd__hashmap_put(&m, keys[i], strlen(keys[i]), (void *)(intptr_t)(i + 1), NULL), 0);
	}
	CU_ASSERT_EQUAL(m.count, 2000);
	for (i = 0; i < 2000; i++)
		CU_ASSERT_EQUAL((intptr_t)cicd__hashmap_get(&m, keys[i], strlen(keys[i])), i + 1);
	CU_ASSERT_EQUAL(cicd__hashmap_put(&m, keys[4], strlen(keys[4]), (void *)99, &prev), 0);
	CU_ASSERT_EQUAL((intptr_t)prev, 5);
	CU_ASSERT_EQUAL((intptr_t)cicd__hashmap_get(&m, keys[4], strlen(keys[4])), 99);
	CU_ASSERT_EQUAL(m.count, 2000);
	for (i = 0; i < 2000; i += 2)
		CU_ASSERT_EQUAL(cicd__hashmap_remove(&m, keys[i], strlen(keys[i])), 1);
	CU_ASSERT_EQUAL(cicd__hashmap_remove(&m, "nope", 4), 0);
	CU_ASSERT_EQUAL(m.count, 1000);
	for (i = 1; i < 2000; i += 2)
		CU_ASSERT_EQUAL((intptr_t)cicd__hashmap_get(&m, keys[i], strlen(keys[i])), i + 1);
	for (i = 0; i < 2000; i += 2)
		CU_ASSERT_EQUAL(cicd__hashmap_find(&m, keys[i], strlen(keys[i]), NULL), 0);
	{
		size_t it = 0, n = 0;
		const cicd_hashmap_entry *e;
		while (cicd__hashmap_next(&m, &it, &e))
			n++;
		CU_ASSERT_EQUAL(n, 1000);
	}
	cicd__hashmap_dispose(&m);
}

static void test_hashmap_keys_with_nul_bytes(void)
{
	cicd_hashmap m = CICD_HASHMAP_INIT;
	cicd__hashmap_put(&m, "a\0b", 3, (void *)1, NULL);
	cicd__hashmap_put(&m, "a\0c", 3, (void *)2, NULL);
	CU_ASSERT_EQUAL((intptr_t)cicd__hashmap_get(&m, "a\0b", 3), 1);
	CU_ASSERT_EQUAL((intptr_t)cicd__hashmap_get(&m, "a\0c", 3), 2);
	CU_ASSERT_PTR_NULL(cicd__hashmap_get(&m, "a", 1));
	cicd__hashmap_dispose(&m);
}

static void test_diagnostics_collect_sort_and_raise(void)
{
	cicd_diagnostics *d = cicd__diagnostics_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	cicd__diagnostics_add(d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, "b.yml", 1, 1, "second file");
	cicd__diagnostics_add(d, CICD_SEVERITY_WARNING, CICD_EPARSE, "a.yml", 9, 1, "a warning");
	cicd__diagnostics_add(d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, "a.yml", 3, 5, "first %s", "error");
	cicd__diagnostics_add(d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, "a.yml", 3, 2, "earlier column");
	cicd__diagnostics_sort(d);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(d), 4);
	CU_ASSERT_EQUAL(cicd_diagnostics_count_severity(d, CICD_SEVERITY_ERROR), 3);
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 0)->message, "earlier column");
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 1)->message, "first error");
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 2)->message, "a warning");
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 3)->file, "b.yml");
	CU_ASSERT_PTR_NULL(cicd_diagnostics_get(d, 4));
	CU_ASSERT_EQUAL(cicd__diagnostics_raise(d), CICD_EVALIDATE);
	CICD_ASSERT_STR(cicd_error_last()->message, "earlier column (and 2 more errors)");
	CU_ASSERT_EQUAL(cicd_error_last()->column, 2);
	cicd_diagnostics_free(d);
	cicd_diagnostics_free(NULL);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(NULL), 0);
}

static void test_diagnostics_cap_drops_and_counts(void)
{
	cicd_diagnostics d;
	int i;
	cicd__diagnostics_init(&d);
	d.max = 3;
	for (i = 0; i < 10; i++)
		cicd__diagnostics_add(&d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, "", 0, 0, "e%d", i);
	CU_ASSERT_EQUAL(d.count, 3);
	CU_ASSERT_EQUAL(d.dropped, 7);
	cicd__diagnostics_dispose(&d);
}

static void test_file_read_respects_limit(void)
{
	char path[] = "/tmp/cicd-test-XXXXXX";
	int fd = mkstemp(path);
	char *data = NULL;
	size_t len = 0;
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "0123456789", 10), 10);
	close(fd);
	CU_ASSERT_EQUAL(cicd__file_read(path, 100, &data, &len), 0);
	CU_ASSERT_EQUAL(len, 10);
	CICD_ASSERT_STR(data, "0123456789");
	cicd__free(data);
	CU_ASSERT_EQUAL(cicd__file_read(path, 5, &data, &len), CICD_ELIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "over the limit of 5 bytes"));
	CU_ASSERT_EQUAL(cicd__file_read("/tmp", 5, &data, &len), CICD_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "is a directory"));
	unlink(path);
}

CICD_SUITE(utils,
	   CICD_TEST(test_buf_appends_and_stays_terminated),
	   CICD_TEST(test_buf_detach_hands_over_ownership),
	   CICD_TEST(test_arena_aligns_and_handles_large_blocks),
	   CICD_TEST(test_vec_grows_and_pops),
	   CICD_TEST(test_hashmap_put_get_replace_remove),
	   CICD_TEST(test_hashmap_keys_with_nul_bytes),
	   CICD_TEST(test_diagnostics_collect_sort_and_raise),
	   CICD_TEST(test_diagnostics_cap_drops_and_counts),
	   CICD_TEST(test_file_read_respects_limit))
