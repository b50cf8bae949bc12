/* The error model: codes, names, thread-local last error, owned copies. */
#include <pthread.h>
#include <string.h>

#include "cicd/cicd.h"
#include "core/error.h"
#include "test.h"

static void test_error_set_keeps_code_message_and_position(void)
{
	int rc = cicd__error_set_at(CICD_EPARSE, "ci.yml", 3, 7, "unexpected '%s'", "}");
	const cicd_error *e = cicd_error_last();
	CU_ASSERT_EQUAL(rc, CICD_EPARSE);
	CU_ASSERT_EQUAL(e->code, CICD_EPARSE);
	CICD_ASSERT_STR(e->message, "unexpected '}'");
	CICD_ASSERT_STR(e->file, "ci.yml");
	CU_ASSERT_EQUAL(e->line, 3);
	CU_ASSERT_EQUAL(e->column, 7);
}

static void test_error_without_position_has_empty_file(void)
{
	cicd__error_set(CICD_EINVALID, "bad option");
	CICD_ASSERT_STR(cicd_error_last()->file, "");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 0);
	cicd_error_clear();
	CU_ASSERT_EQUAL(cicd_error_last()->code, CICD_OK);
	CICD_ASSERT_STR(cicd_error_last()->message, "");
}

static void test_long_messages_are_truncated_not_overflowed(void)
{
	char big[5000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cicd__error_set_at(CICD_ERROR, big, 1, 1, "%s", big);
	CU_ASSERT_EQUAL(strlen(cicd_error_last()->message), 1023);
	CU_ASSERT_EQUAL(strlen(cicd_error_last()->file), 1023);
}

static void test_error_dup_is_an_independent_copy(void)
{
	cicd_error *copy = NULL;
	cicd__error_set_at(CICD_ELIMIT, "a.yml", 9, 2, "too deep");
	CU_ASSERT_EQUAL_FATAL(cicd_error_dup(&copy), 0);
	cicd__error_set(CICD_EIO, "other");
	CU_ASSERT_EQUAL(copy->code, CICD_ELIMIT);
	CICD_ASSERT_STR(copy->message, "too deep");
	CICD_ASSERT_STR(copy->file, "a.yml");
	CU_ASSERT_EQUAL(copy->line, 9);
	cicd_error_free(copy);
	cicd_error_free(NULL);
	CU_ASSERT_EQUAL(cicd_error_dup(NULL), CICD_EINVALID);
}

static void test_every_code_has_a_name_and_text(void)
{
	static const int codes[] = {CICD_OK, CICD_ERROR, CICD_ENOMEM, CICD_ENOTFOUND, CICD_EINVALID, CICD_EPARSE,
				    CICD_ELIMIT, CICD_EIO, CICD_EHTTP, CICD_ETIMEOUT, CICD_EVALIDATE, CICD_EEXISTS,
				    CICD_ECONFLICT, CICD_EAUTH, CICD_ETLS, CICD_EUNSUPPORTED, CICD_EDENIED,
				    CICD_ESTORE, CICD_ECANCELED, CICD_EUSER, CICD_ITEROVER};
	size_t i;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		CU_ASSERT_NOT_EQUAL(strcmp(cicd_error_name(codes[i]), "CICD_UNKNOWN"), 0);
		CU_ASSERT_NOT_EQUAL(strcmp(cicd_strerror(codes[i]), "unknown error code"), 0);
	}
	CICD_ASSERT_STR(cicd_error_name(CICD_ENOMEM), "CICD_ENOMEM");
	CICD_ASSERT_STR(cicd_strerror(CICD_ENOTFOUND), "not found");
	CICD_ASSERT_STR(cicd_error_name(-999), "CICD_UNKNOWN");
	CICD_ASSERT_STR(cicd_strerror(-999), "unknown error code");
}

static void test_error_codes_are_stable(void)
{
	/* Numbers are part of the ABI: never renumber. */
	CU_ASSERT_EQUAL(CICD_ERROR, -1);
	CU_ASSERT_EQUAL(CICD_ENOMEM, -2);
	CU_ASSERT_EQUAL(CICD_EPARSE, -5);
	CU_ASSERT_EQUAL(CICD_ELIMIT, -6);
	CU_ASSERT_EQUAL(CICD_EVALIDATE, -10);
	CU_ASSERT_EQUAL(CICD_ECANCELED, -18);
	CU_ASSERT_EQUAL(CICD_EUSER, -30);
	CU_ASSERT_EQUAL(CICD_ITEROVER, -31);
}

static void *other_thread(void *arg)
{
	int *seen = arg;
	*seen = cicd_error_last()->code;
	cicd__error_set(CICD_EIO, "from the other thread");
	return NULL;
}

static void test_last_error_is_thread_local(void)
{
	pthread_t t;
	int seen = 12345;
	cicd__error_set(CICD_EPARSE, "main thread");
	pthread_create(&t, NULL, other_thread, &seen);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(seen, CICD_OK);
	CU_ASSERT_EQUAL(cicd_error_last()->code, CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "main thread");
}

static void test_error_prefix_adds_context(void)
{
	cicd__error_set(CICD_EIO, "disk full");
	cicd__error_prefix("writing %s: ", "store.db");
	CICD_ASSERT_STR(cicd_error_last()->message, "writing store.db: disk full");
}

static void test_version_matches_header(void)
{
	int major = -1, minor = -1, patch = -1;
	char want[32];
	cicd_version_numbers(&major, &minor, &patch);
	CU_ASSERT_EQUAL(major, CICD_VERSION_MAJOR);
	CU_ASSERT_EQUAL(minor, CICD_VERSION_MINOR);
	CU_ASSERT_EQUAL(patch, CICD_VERSION_PATCH);
	snprintf(want, sizeof want, "%d.%d.%d", major, minor, patch);
	CICD_ASSERT_STR(cicd_version(), want);
	CICD_ASSERT_STR(cicd_version(), CICD_VERSION);
	cicd_version_numbers(NULL, NULL, NULL);
}

static void test_init_is_reference_counted(void)
{
	CU_ASSERT_EQUAL(cicd_init(), 0);
	CU_ASSERT_EQUAL(cicd_init(), 0);
	cicd_shutdown();
	cicd_shutdown();
	cicd_shutdown(); /* one too many is harmless */
}

CICD_SUITE(errors,
	   CICD_TEST(test_error_set_keeps_code_message_and_position),
	   CICD_TEST(test_error_without_position_has_empty_file),
	   CICD_TEST(test_long_messages_are_truncated_not_overflowed),
	   CICD_TEST(test_error_dup_is_an_independent_copy),
	   CICD_TEST(test_every_code_has_a_name_and_text),
	   CICD_TEST(test_error_codes_are_stable),
	   CICD_TEST(test_last_error_is_thread_local),
	   CICD_TEST(test_error_prefix_adds_context),
	   CICD_TEST(test_version_matches_header),
	   CICD_TEST(test_init_is_reference_counted))
