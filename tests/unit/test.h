/*
 * The unit-test harness: CUnit suites that register themselves.
 *
 *   static void test_loader_keeps_positions(void) { ... CU_ASSERT_EQUAL(...); }
 *   CICD_SUITE(yaml_loader,
 *       CICD_TEST(test_loader_keeps_positions),
 *       ...)
 *
 * Every tests/unit/<module>/ directory becomes one executable (unit_<module>)
 * built from its .c files and runner.c, linked to the static library so
 * tests can reach internals. TEST_DATA_DIR is that directory's data/ folder.
 */
#ifndef CICD_TEST_H
#define CICD_TEST_H

#include <CUnit/CUnit.h>
#include <stddef.h>

typedef struct {
	const char *name;
	CU_TestFunc fn;
} cicd_test_case;

void cicd_test_register(const char *suite, const cicd_test_case *cases, size_t count);

#define CICD_TEST(fn) {#fn, fn}

#define CICD_SUITE(name, ...)                                                                              \
	static const cicd_test_case cicd_suite_cases_##name[] = {__VA_ARGS__};                                \
	__attribute__((constructor)) static void cicd_suite_register_##name(void)                             \
	{                                                                                                     \
		cicd_test_register(#name, cicd_suite_cases_##name,                                            \
				   sizeof cicd_suite_cases_##name / sizeof cicd_suite_cases_##name[0]);       \
	}

/* Reads TEST_DATA_DIR/name into a NUL-terminated malloc'd buffer; aborts the test run on failure. */
char *cicd_test_read_data(const char *name, size_t *len);

/* The full path of a data file, in a static buffer. */
const char *cicd_test_data_path(const char *name);

/* Asserts that two C strings are equal, printing both when they differ. */
#define CICD_ASSERT_STR(actual, expected) cicd_test_assert_str((actual), (expected), __LINE__, __FILE__)
void cicd_test_assert_str(const char *actual, const char *expected, unsigned int line, const char *file);

#endif
