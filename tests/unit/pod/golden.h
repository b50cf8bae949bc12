/* Field-by-field comparison of rendered objects against golden YAML files. */
#ifndef CICD_TEST_POD_GOLDEN_H
#define CICD_TEST_POD_GOLDEN_H

#include "cicd/cicd.h"

/*
 * Loads both YAML streams and compares them node by node. Returns NULL when
 * equal, else a malloc'd description of the first difference with its path
 * ("doc 2: spec.containers[0].env[1].value: expected \"a\", got \"b\"").
 */
char *golden_diff(const char *expected_yaml, size_t elen, const char *actual_yaml, size_t alen);

/* Renders job + runner data files and asserts the result equals the golden file. */
void golden_check(const char *job_file, const char *runner_file, const char *golden_file);

#endif
