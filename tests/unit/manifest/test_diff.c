/* Content hashes over the canonical form, and diffs of realistic version changes. */
#include <stdlib.h>

#include "helpers.h"

static cicd_manifest_set *example(const char *version)
{
	cicd_manifest_set *set = NULL;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/examples/deploy/web/%s", TEST_SOURCE_DIR, version);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_path(set, dir, NULL), 0);
	return set;
}

static void test_canonical_form_sorts_keys_and_normalizes_scalars(void)
{
	cicd_manifest_set *set = set_from("kind: ConfigMap\napiVersion: v1\nmetadata: {name: a, labels: {}}\n"
	                                  "spec: {b: 0x1F, a: 1.50, c: 2.0, d: yes, e: ~, f: \"tab\\tquote\\\"\", "
	                                  "g: [1e3, 1.0e+3, -0.0, .inf], \"1\": on}\n",
	                                  "t.yaml");
	cicd_buf out = CICD_BUF_INIT;
	/* YAML 1.1: 1e3 (no dot) is a string, 1.0e+3 a float; .inf has no JSON form and stays text. */
	CU_ASSERT_EQUAL(cicd_manifest_canonical(&out, cicd_manifest_set_get(set, 0)), 0);
	CICD_ASSERT_STR(out.ptr,
	                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"labels\":{},\"name\":\"a\"},"
	                "\"spec\":{\"1\":true,\"a\":1.5,\"b\":31,\"c\":2,\"d\":true,\"e\":null,"
	                "\"f\":\"tab\\tquote\\\"\",\"g\":[\"1e3\",1000,0,\".inf\"]}}");
	cicd_buf_dispose(&out);
	cicd_manifest_set_free(set);
}

static void test_hash_ignores_formatting_but_not_content(void)
{
	cicd_manifest_set *a =
	    set_from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"v\"\n", "a.yaml");
	cicd_manifest_set *b = set_from("{\"metadata\": {\"name\": \"a\"}, \"data\": {\"k\": 'v'}, kind: ConfigMap, "
	                                "apiVersion: v1}  # flow style, other key order\n",
	                                "b.yaml");
	cicd_manifest_set *c =
	    set_from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"w\"\n", "c.yaml");
	char ha[CICD_MANIFEST_HASH_SIZE], hb[CICD_MANIFEST_HASH_SIZE], hc[CICD_MANIFEST_HASH_SIZE];
	CU_ASSERT_EQUAL(cicd_manifest_hash(ha, sizeof ha, cicd_manifest_set_get(a, 0)), 0);
	CU_ASSERT_EQUAL(cicd_manifest_hash(hb, sizeof hb, cicd_manifest_set_get(b, 0)), 0);
	CU_ASSERT_EQUAL(cicd_manifest_hash(hc, sizeof hc, cicd_manifest_set_get(c, 0)), 0);
	CICD_ASSERT_STR(ha, hb);
	CU_ASSERT_STRING_NOT_EQUAL(ha, hc);
	/* SHA-256 of the canonical text {"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"name":"a"}}
	 */
	CICD_ASSERT_STR(ha, "aae63a7522bc839f98cf9483cc04545219005f9630c34a551c8626d003a15496");
	CU_ASSERT_EQUAL(cicd_manifest_hash(ha, 64, cicd_manifest_set_get(a, 0)), CICD_EINVALID);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
	cicd_manifest_set_free(c);
}

static void test_set_hash_is_independent_of_order(void)
{
	cicd_manifest_set *a = set_from("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n"
	                                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n",
	                                "a.yaml");
	cicd_manifest_set *b = set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
	                                "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
	                                "b.yaml");
	char ha[CICD_MANIFEST_HASH_SIZE], hb[CICD_MANIFEST_HASH_SIZE], h1[CICD_MANIFEST_HASH_SIZE];
	CU_ASSERT_EQUAL(cicd_manifest_set_hash(ha, sizeof ha, a), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_hash(hb, sizeof hb, b), 0);
	CICD_ASSERT_STR(ha, hb);
	CU_ASSERT_EQUAL(cicd_manifest_set_label(b, "v", "2", 0), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_hash(hb, sizeof hb, b), 0);
	CU_ASSERT_STRING_NOT_EQUAL(ha, hb);
	CU_ASSERT_EQUAL(cicd_manifest_hash(h1, sizeof h1, cicd_manifest_set_get(a, 0)), 0);
	CU_ASSERT_STRING_NOT_EQUAL(ha, h1);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
}

static void test_diff_of_example_versions(void)
{
	cicd_manifest_set *v1 = example("v1"), *v2 = example("v2");
	cicd_manifest_diff *diff = NULL;
	cicd_buf out = CICD_BUF_INIT;
	const cicd_manifest_field_change *f;
	cicd_manifest_change change;
	const cicd_manifest *o, *n;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_diff_new(&diff, v1, v2), 0);
	CU_ASSERT_EQUAL(cicd_manifest_diff_count(diff), 5);
	CU_ASSERT_EQUAL(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_TEXT), 0);
	CICD_ASSERT_STR(
	    out.ptr,
	    "~ Secret web/web-credentials (v1)\n"
	    "    stringData.DATABASE_PASSWORD: (secret value changed)\n"
	    "    stringData.SESSION_KEY: (secret value added)\n"
	    "+ Service web/web-metrics (v1)\n"
	    "~ Deployment web/web (apps/v1)\n"
	    "    metadata.labels[\"app.kubernetes.io/version\"]: \"1.0.0\" -> \"1.1.0\"\n"
	    "    spec.replicas: 2 -> 3\n"
	    "    spec.template.spec.containers[name=web].args: (absent) -> [\"--log-level=info\",\"--cache-ttl=300\"]\n"
	    "    spec.template.spec.containers[name=web].envFrom[0].configMapRef: {\"name\":\"web-config\"} -> "
	    "(absent)\n"
	    "    spec.template.spec.containers[name=web].envFrom[0].secretRef: (absent) -> "
	    "{\"name\":\"web-credentials\"}\n"
	    "    spec.template.spec.containers[name=web].envFrom[1]: {\"secretRef\":{\"name\":\"web-credentials\"}} -> "
	    "(absent)\n"
	    "    spec.template.spec.containers[name=web].image: \"registry.example.com/web/frontend:1.0.0\" -> "
	    "\"registry.example.com/web/frontend:1.1.0\"\n"
	    "    spec.template.spec.containers[name=web].ports[name=metrics]: (absent) -> "
	    "{\"containerPort\":9090,\"name\":\"metrics\"}\n"
	    "+ HorizontalPodAutoscaler web/web (autoscaling/v2)\n"
	    "- ConfigMap web/web-config (v1)\n"
	    "2 added, 1 removed, 2 changed\n");
	/* Secret values never appear, in any form. */
	CU_ASSERT_PTR_NULL(strstr(out.ptr, "s3cr3t"));
	CU_ASSERT_EQUAL(cicd_manifest_diff_get(&change, &o, &n, diff, 0), 0);
	CU_ASSERT_EQUAL(change, CICD_MANIFEST_CHANGED);
	CICD_ASSERT_STR(cicd_manifest_kind(o), "Secret");
	f = cicd_manifest_diff_field(diff, 0, 0);
	CU_ASSERT_EQUAL(f->hidden, 1);
	CU_ASSERT_EQUAL(f->change, CICD_MANIFEST_CHANGED);
	CU_ASSERT_PTR_NULL(f->old_value);
	CU_ASSERT_PTR_NULL(f->new_value);
	CU_ASSERT_EQUAL(cicd_manifest_diff_field_count(diff, 2), 8);
	f = cicd_manifest_diff_field(diff, 2, 1);
	CICD_ASSERT_STR(f->path, "spec.replicas");
	CICD_ASSERT_STR(f->old_value, "2");
	CICD_ASSERT_STR(f->new_value, "3");
	CU_ASSERT_EQUAL(cicd_manifest_diff_get(&change, &o, &n, diff, 4), 0);
	CU_ASSERT_EQUAL(change, CICD_MANIFEST_REMOVED);
	CU_ASSERT_PTR_NULL(n);
	CU_ASSERT_EQUAL(cicd_manifest_diff_get(&change, &o, &n, diff, 5), CICD_ENOTFOUND);
	CU_ASSERT_PTR_NULL(cicd_manifest_diff_field(diff, 0, 2));
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(v1);
	cicd_manifest_set_free(v2);
}

static void test_diff_json_and_identical_sets(void)
{
	cicd_manifest_set *a = set_from("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: x}\n"
	                                "data: {password: b2xk}\n",
	                                "a.yaml");
	cicd_manifest_set *b = set_from("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: x}\n"
	                                "data: {password: bmV3}\n",
	                                "b.yaml");
	cicd_manifest_diff *diff = NULL;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_diff_new(&diff, a, b), 0);
	CU_ASSERT_EQUAL(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_JSON), 0);
	CICD_ASSERT_STR(out.ptr,
	                "{\n  \"added\": [\n\n  ],\n  \"removed\": [\n\n  ],\n  \"changed\": [\n    {\n"
	                "      \"apiVersion\": \"v1\",\n      \"kind\": \"Secret\",\n      \"namespace\": \"x\",\n"
	                "      \"name\": \"s\",\n      \"fields\": [\n        {\n"
	                "          \"path\": \"data.password\",\n          \"change\": \"changed\",\n"
	                "          \"hidden\": true,\n          \"old\": null,\n          \"new\": null\n"
	                "        }\n      ]\n    }\n  ]\n}\n");
	CU_ASSERT_PTR_NULL(strstr(out.ptr, "b2xk"));
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_diff_new(&diff, a, a), 0);
	CU_ASSERT_EQUAL(cicd_manifest_diff_count(diff), 0);
	CU_ASSERT_EQUAL(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_TEXT), 0);
	CICD_ASSERT_STR(out.ptr, "0 added, 0 removed, 0 changed\n");
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
}

static void test_diff_lists_by_index_and_type_changes(void)
{
	cicd_manifest_set *a = set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	                                "data: {list: [a, b, c], n: \"1\", weird key: x}\n",
	                                "a.yaml");
	cicd_manifest_set *b = set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	                                "data: {list: [a, z], n: 1, weird key: y}\n",
	                                "b.yaml");
	cicd_manifest_diff *diff = NULL;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_diff_new(&diff, a, b), 0);
	CU_ASSERT_EQUAL(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_TEXT), 0);
	CICD_ASSERT_STR(out.ptr,
	                "~ ConfigMap c (v1)\n    data.list[1]: \"b\" -> \"z\"\n    data.list[2]: \"c\" -> (absent)\n"
	                "    data.n: \"1\" -> 1\n    data[\"weird key\"]: \"x\" -> \"y\"\n"
	                "0 added, 0 removed, 1 changed\n");
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
}

static void test_secret_last_applied_annotation_is_hidden_too(void)
{
	cicd_manifest_set *a =
	    set_from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n"
	             "    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"p\":\"b2xk\"}}'\n"
	             "    team: a\n",
	             "a.yaml");
	cicd_manifest_set *b =
	    set_from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n"
	             "    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"p\":\"bmV3\"}}'\n"
	             "    team: b\n",
	             "b.yaml");
	cicd_manifest_diff *diff = NULL;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_diff_new(&diff, a, b), 0);
	CU_ASSERT_EQUAL(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_TEXT), 0);
	CICD_ASSERT_STR(out.ptr, "~ Secret s (v1)\n"
	                         "    metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]: "
	                         "(secret value changed)\n"
	                         "    metadata.annotations.team: \"a\" -> \"b\"\n0 added, 0 removed, 1 changed\n");
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
}

CICD_SUITE(manifest_diff, CICD_TEST(test_canonical_form_sorts_keys_and_normalizes_scalars),
           CICD_TEST(test_hash_ignores_formatting_but_not_content), CICD_TEST(test_set_hash_is_independent_of_order),
           CICD_TEST(test_diff_of_example_versions), CICD_TEST(test_diff_json_and_identical_sets),
           CICD_TEST(test_diff_lists_by_index_and_type_changes),
           CICD_TEST(test_secret_last_applied_annotation_is_hidden_too))
