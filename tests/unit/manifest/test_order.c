/* Apply and delete order: Namespaces and CRDs first, Helm's install order, unknown kinds last, stable. */
#include "helpers.h"

static const char MIXED[] =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: a}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d2, namespace: a}\n---\n"
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: a}\n---\n"
    "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: a}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d1, namespace: a}\n---\n"
    "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\n---\n"
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: sec, namespace: a}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\n---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w0, namespace: a}\n---\n"
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\n---\n"
    "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: a}\n---\n"
    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: a}\n---\n"
    "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n";

static void test_apply_order_puts_namespaces_and_crds_first(void)
{
	cicd_manifest_set *set = set_from(MIXED, "mixed.yaml");
	char text[2048];
	CU_ASSERT_EQUAL(cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_APPLY), 0);
	order_text(text, sizeof text, set);
	CICD_ASSERT_STR(text, "Namespace a\nCustomResourceDefinition widgets.example.com\nPriorityClass high\n"
	                      "ServiceAccount a/sa\nSecret a/sec\nConfigMap a/cm\nRoleBinding a/rb\nService a/s\n"
	                      "Deployment a/d2\nDeployment a/d1\nJob a/j\nIngress a/i\nGadget a/g\nWidget a/w1\n"
	                      "Widget a/w0\n");
	cicd_manifest_set_free(set);
}

static void test_delete_order_is_the_reverse_and_source_restores(void)
{
	cicd_manifest_set *set = set_from(MIXED, "mixed.yaml");
	char text[2048];
	CU_ASSERT_EQUAL(cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_DELETE), 0);
	order_text(text, sizeof text, set);
	CICD_ASSERT_STR(text, "Widget a/w0\nWidget a/w1\nGadget a/g\nIngress a/i\nJob a/j\nDeployment a/d1\n"
	                      "Deployment a/d2\nService a/s\nRoleBinding a/rb\nConfigMap a/cm\nSecret a/sec\n"
	                      "ServiceAccount a/sa\nPriorityClass high\nCustomResourceDefinition widgets.example.com\n"
	                      "Namespace a\n");
	CU_ASSERT_EQUAL(cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_SOURCE), 0);
	CICD_ASSERT_STR(cicd_manifest_name(cicd_manifest_set_get(set, 0)), "w1");
	CICD_ASSERT_STR(cicd_manifest_name(cicd_manifest_set_get(set, 14)), "high");
	CU_ASSERT_EQUAL(cicd_manifest_set_sort(set, (cicd_manifest_order)9), CICD_EINVALID);
	cicd_manifest_set_free(set);
}

static void test_example_resource_set_orders_for_apply(void)
{
	cicd_manifest_set *set = NULL;
	char text[1024], dir[4096];
	snprintf(dir, sizeof dir, "%s/examples/deploy/web/v2", TEST_SOURCE_DIR);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_path(set, dir, NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_APPLY), 0);
	order_text(text, sizeof text, set);
	CICD_ASSERT_STR(text, "Namespace web\nSecret web/web-credentials\nService web/web\nService web/web-metrics\n"
	                      "Deployment web/web\nHorizontalPodAutoscaler web/web\nIngress web/web\n");
	cicd_manifest_set_free(set);
}

CICD_SUITE(manifest_order, CICD_TEST(test_apply_order_puts_namespaces_and_crds_first),
           CICD_TEST(test_delete_order_is_the_reverse_and_source_restores),
           CICD_TEST(test_example_resource_set_orders_for_apply))
