/* Loading manifests: identity, positions, multi-document streams, JSON, List expansion, directories. */
#include <stdlib.h>

#include "helpers.h"

static void test_deployment_identity_and_fields(void)
{
	static const char *const files[] = {"deployment.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	const cicd_manifest *o;
	const cicd_node *spec;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_count(set), 1);
	o = cicd_manifest_set_get(set, 0);
	CICD_ASSERT_STR(cicd_manifest_api_version(o), "apps/v1");
	CICD_ASSERT_STR(cicd_manifest_group(o), "apps");
	CICD_ASSERT_STR(cicd_manifest_version(o), "v1");
	CICD_ASSERT_STR(cicd_manifest_kind(o), "Deployment");
	CICD_ASSERT_STR(cicd_manifest_name(o), "nginx-deployment");
	CICD_ASSERT_STR(cicd_manifest_namespace(o), "");
	CICD_ASSERT_STR(cicd_manifest_generate_name(o), "");
	CICD_ASSERT_STR(cicd_manifest_label(o, "app"), "nginx");
	CU_ASSERT_PTR_NULL(cicd_manifest_label(o, "missing"));
	CU_ASSERT_PTR_NULL(cicd_manifest_annotations(o));
	CU_ASSERT_EQUAL(cicd_node_size(cicd_manifest_labels(o)), 1);
	CU_ASSERT_EQUAL(cicd_manifest_line(o), 2);
	CU_ASSERT_EQUAL(cicd_manifest_document_index(o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_manifest_file(o), "data/deployment.yaml"));
	spec = cicd_node_get(cicd_manifest_node(o), "spec");
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(spec, "replicas"), NULL), "3");
	CU_ASSERT_EQUAL(cicd_manifest_set_scope(set, o), CICD_MANIFEST_SCOPE_NAMESPACED);
	cicd_manifest_set_free(set);
}

static void test_empty_documents_are_skipped_and_indexes_kept(void)
{
	static const char *const files[] = {"configmap-secret.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	const cicd_manifest *secret;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_count(set), 2);
	secret = cicd_manifest_set_get(set, 1);
	CICD_ASSERT_STR(cicd_manifest_kind(secret), "Secret");
	CU_ASSERT_EQUAL(cicd_manifest_document_index(secret), 2); /* "---" then an empty document */
	CU_ASSERT_EQUAL(cicd_manifest_line(secret), 14);
	cicd_manifest_set_free(set);
}

static void test_json_list_items_become_objects_recursively(void)
{
	static const char *const files[] = {"list.json"};
	cicd_manifest_set *set = set_from_data(files, 1);
	const cicd_manifest *found = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_count(set), 2);
	CICD_ASSERT_STR(cicd_manifest_kind(cicd_manifest_set_get(set, 0)), "ConfigMap");
	CU_ASSERT_EQUAL(cicd_manifest_line(cicd_manifest_set_get(set, 0)), 5);
	CU_ASSERT_EQUAL(cicd_manifest_set_find(&found, set, "", "Service", "x", "b"), 0);
	CU_ASSERT_EQUAL(cicd_manifest_line(found), 7);
	CU_ASSERT_EQUAL(cicd_manifest_set_find(&found, set, "", "Service", "", "b"), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "no Service b in the set");
	cicd_manifest_set_free(set);
}

static void test_directory_loads_manifest_files_in_name_order(void)
{
	cicd_manifest_set *set = NULL;
	char order[1024];
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/examples/deploy/web/v1", TEST_SOURCE_DIR);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_path(set, dir, NULL), 0);
	order_text(order, sizeof order, set);
	CICD_ASSERT_STR(order, "Namespace web\nConfigMap web/web-config\nSecret web/web-credentials\n"
	                       "Deployment web/web\nService web/web\nIngress web/web\n");
	cicd_manifest_set_free(set);
}

static void test_syntax_error_leaves_set_unchanged(void)
{
	cicd_manifest_set *set = set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "a.yaml");
	const char *bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\nkey: [unclosed\n";
	CU_ASSERT_EQUAL(cicd_manifest_set_add_buffer(set, bad, strlen(bad), "b.yaml", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->file, "b.yaml");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 6);
	CU_ASSERT_EQUAL(cicd_manifest_set_count(set), 1);
	cicd_manifest_set_free(set);
}

static void test_object_limit_is_enforced(void)
{
	cicd_manifest_options opts = CICD_MANIFEST_OPTIONS_INIT;
	cicd_manifest_set *set = NULL;
	const char *text = "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\n"
	                   "{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
	opts.max_objects = 1;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_add_buffer(set, text, strlen(text), "two.yaml", &opts), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "more than 1 objects in the set");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_EQUAL(cicd_manifest_set_count(set), 0);
	cicd_manifest_set_free(set);
}

static void test_missing_path_is_an_io_error(void)
{
	cicd_manifest_set *set = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_add_path(set, "/nonexistent/x.yaml", NULL), CICD_EIO);
	CICD_ASSERT_STR(cicd_error_last()->file, "/nonexistent/x.yaml");
	cicd_manifest_set_free(set);
}

static void test_json_format_is_chosen_by_name_or_option(void)
{
	cicd_manifest_options opts = CICD_MANIFEST_OPTIONS_INIT;
	cicd_manifest_set *set = NULL;
	/* Valid YAML but not JSON: a JSON load must refuse it. */
	const char *text = "{\"apiVersion\": \"v1\", kind: ConfigMap}";
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_add_buffer(set, text, strlen(text), "x.yaml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_add_buffer(set, text, strlen(text), "x.json", NULL), CICD_EPARSE);
	opts.format = CICD_MANIFEST_FORMAT_JSON;
	CU_ASSERT_EQUAL(cicd_manifest_set_add_buffer(set, text, strlen(text), "x.yaml", &opts), CICD_EPARSE);
	CU_ASSERT_EQUAL(cicd_manifest_set_count(set), 1);
	opts.version = 99;
	CU_ASSERT_EQUAL(cicd_manifest_set_add_buffer(set, text, strlen(text), "x.yaml", &opts), CICD_EINVALID);
	cicd_manifest_set_free(set);
}

static void test_scope_comes_from_table_then_crds(void)
{
	static const char *const files[] = {"crd.yaml", "rbac.yaml"};
	cicd_manifest_set *set = set_from_data(files, 2);
	const cicd_manifest *o = NULL;
	CU_ASSERT_EQUAL(cicd_manifest_set_find(&o, set, "stable.example.com", "CronTab", "jobs", "my-new-cron-object"),
	                0);
	CU_ASSERT_EQUAL(cicd_manifest_set_scope(set, o), CICD_MANIFEST_SCOPE_NAMESPACED);
	CU_ASSERT_EQUAL(cicd_manifest_set_find(&o, set, "backup.example.com", "ClusterBackup", "", "nightly"), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_scope(set, o), CICD_MANIFEST_SCOPE_CLUSTER);
	CU_ASSERT_EQUAL(
	    cicd_manifest_set_find(&o, set, "rbac.authorization.k8s.io", "ClusterRole", "", "system:secret-reader"), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_scope(set, o), CICD_MANIFEST_SCOPE_CLUSTER);
	CU_ASSERT_EQUAL(cicd_manifest_set_scope(NULL, o), CICD_MANIFEST_SCOPE_CLUSTER);
	CU_ASSERT_EQUAL(cicd_manifest_set_find(&o, set, "stable.example.com", "CronTab", "jobs", "my-new-cron-object"),
	                0);
	CU_ASSERT_EQUAL(cicd_manifest_set_scope(NULL, o), CICD_MANIFEST_SCOPE_UNKNOWN);
	cicd_manifest_set_free(set);
}

CICD_SUITE(manifest_load, CICD_TEST(test_deployment_identity_and_fields),
           CICD_TEST(test_empty_documents_are_skipped_and_indexes_kept),
           CICD_TEST(test_json_list_items_become_objects_recursively),
           CICD_TEST(test_directory_loads_manifest_files_in_name_order),
           CICD_TEST(test_syntax_error_leaves_set_unchanged), CICD_TEST(test_object_limit_is_enforced),
           CICD_TEST(test_missing_path_is_an_io_error), CICD_TEST(test_json_format_is_chosen_by_name_or_option),
           CICD_TEST(test_scope_comes_from_table_then_crds))
