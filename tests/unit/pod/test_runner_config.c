/* The runner configuration: [runners.kubernetes] keys, warnings for unknown keys, errors with positions. */
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

static void expect(const char *yaml, const char *message, unsigned int line, unsigned int column)
{
	cicd_runner_config *cfg = NULL;
	const cicd_error *e;
	CU_ASSERT_EQUAL(cicd_runner_config_load(&cfg, yaml, strlen(yaml), "r.yml", NULL), CICD_EPARSE);
	CU_ASSERT_PTR_NULL(cfg);
	e = cicd_error_last();
	CICD_ASSERT_STR(e->message, message);
	CU_ASSERT_EQUAL(e->line, line);
	CU_ASSERT_EQUAL(e->column, column);
}

static void test_runner_config_loads_and_warns_on_unknown_keys(void)
{
	cicd_runner_config *cfg = NULL;
	const char *y = "name: r\nkubernetes:\n  namespace: ci\n  cpu_limt: 2\n  host: https://k8s\nconcurrent: 4\n";
	const cicd_diagnostics *w;
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load(&cfg, y, strlen(y), "r.yml", NULL), 0);
	w = cicd_runner_config_diagnostics(cfg);
	CU_ASSERT_EQUAL_FATAL(cicd_diagnostics_count(w), 2);
	CICD_ASSERT_STR(cicd_diagnostics_get(w, 0)->message, "unknown key \"concurrent\" in the runner is ignored");
	CICD_ASSERT_STR(cicd_diagnostics_get(w, 1)->message, "unknown key \"cpu_limt\" in kubernetes is ignored");
	CU_ASSERT_EQUAL(cicd_diagnostics_get(w, 1)->line, 4);
	CU_ASSERT_EQUAL(cicd_diagnostics_get(w, 1)->column, 3);
	cicd_runner_config_free(cfg);
	CU_ASSERT_EQUAL(cicd_runner_config_load_file(&cfg, cicd_test_data_path("runner_basic.yml"), NULL), 0);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(cicd_runner_config_diagnostics(cfg)), 0);
	cicd_runner_config_free(cfg);
}

static void test_runner_config_rejects_bad_values(void)
{
	expect("kubernetes:\n  cpu_limit: lots\n",
	       "runner config: \"cpu_limit\" is not a Kubernetes quantity: \"lots\"", 2, 14);
	expect("kubernetes:\n  pull_policy: [sometimes]\n",
	       "runner config: pull policy \"sometimes\" is not always, if-not-present or never", 2, 16);
	expect("kubernetes:\n  privileged: maybe\n", "runner config: \"privileged\" must be true or false", 2, 15);
	expect("kubernetes:\n  node_selector: [a]\n", "runner config: \"node_selector\" must be a mapping of strings",
	       2, 18);
	expect("kubernetes:\n  namespace: Not_A_Label\n",
	       "runner config: namespace \"Not_A_Label\" is not a DNS-1123 label", 2, 3);
	expect("kubernetes:\n  volumes:\n    pvc:\n      - name: cache\n",
	       "runner config: a pvc volume needs name and mount_path", 4, 9);
	expect("kubernetes:\n  volumes:\n    [pvc]: 1\n",
	       "runner config: \"volumes\" must be a mapping of volume kinds (names as keys)", 3, 5);
	expect("kubernetes:\n  volumes:\n    nfs: []\n",
	       "runner config: unknown volume kind \"nfs\" (host_path, pvc, config_map, secret, empty_dir)", 3, 5);
	expect("kubernetes:\n  volumes:\n    host_path:\n      - {name: d, mount_path: rel}\n",
	       "runner config: mount_path \"rel\" is not absolute", 4, 9);
	expect("short_token: glrt-this-is-the-whole-token\n",
	       "runner config: short_token is longer than 16 characters (give the first 8 characters of the runner "
	       "token, never the token)",
	       1, 1);
}

static void test_runner_config_rejects_bad_regex(void)
{
	cicd_runner_config *cfg = NULL;
	const char *y = "kubernetes:\n  namespace_overwrite_allowed: \"(\"\n";
	CU_ASSERT_EQUAL(cicd_runner_config_load(&cfg, y, strlen(y), "r.yml", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(
	    cicd_error_last()->message,
	    "runner config: \"namespace_overwrite_allowed\" is not a valid regular expression: missing ): (");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
}

CICD_SUITE(pod_runner_config, CICD_TEST(test_runner_config_loads_and_warns_on_unknown_keys),
           CICD_TEST(test_runner_config_rejects_bad_values), CICD_TEST(test_runner_config_rejects_bad_regex))
