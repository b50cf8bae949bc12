/* Runs every suite registered with CICD_SUITE; an optional argument filters suites by name. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

typedef struct {
	const char *name;
	const cicd_test_case *cases;
	size_t count;
} suite_entry;

static suite_entry g_suites[256];
static size_t g_suite_count;

void cicd_test_register(const char *suite, const cicd_test_case *cases, size_t count)
{
	if (g_suite_count == sizeof g_suites / sizeof g_suites[0]) {
		fprintf(stderr, "too many suites\n");
		exit(2);
	}
	g_suites[g_suite_count].name = suite;
	g_suites[g_suite_count].cases = cases;
	g_suites[g_suite_count].count = count;
	g_suite_count++;
}

const char *cicd_test_data_path(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, name);
	return path;
}

char *cicd_test_read_data(const char *name, size_t *len)
{
	const char *path = cicd_test_data_path(name);
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;
	if (!f) {
		fprintf(stderr, "cannot open test data %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "cannot read test data %s\n", path);
		exit(2);
	}
	fclose(f);
	buf[size] = '\0';
	if (len)
		*len = (size_t)size;
	return buf;
}

void cicd_test_assert_str(const char *actual, const char *expected, unsigned int line, const char *file)
{
	int same = actual && expected ? strcmp(actual, expected) == 0 : actual == expected;
	if (!same)
		fprintf(stderr, "\n%s:%u: strings differ\n  actual:   %s\n  expected: %s\n", file, line,
			actual ? actual : "(null)", expected ? expected : "(null)");
	CU_assertImplementation(same, line, "strings differ", file, "", CU_FALSE);
}

int main(int argc, char **argv)
{
	size_t i, j;
	unsigned int failures;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (i = 0; i < g_suite_count; i++) {
		CU_pSuite s;
		if (argc > 1 && !strstr(g_suites[i].name, argv[1]))
			continue;
		s = CU_add_suite(g_suites[i].name, NULL, NULL);
		if (!s)
			return 2;
		for (j = 0; j < g_suites[i].count; j++)
			if (!CU_add_test(s, g_suites[i].cases[j].name, g_suites[i].cases[j].fn))
				return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
