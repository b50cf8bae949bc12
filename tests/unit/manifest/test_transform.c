/* Transforms: images (kustomize semantics), labels, annotations, namespace; rendering; copy-on-write. */
#include <stdlib.h>

#include "helpers.h"

static char *render_yaml(const cicd_manifest_set *set)
{
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_render(&out, set, CICD_MANIFEST_FORMAT_YAML, 0), 0);
	return out.ptr;
}

static const char *image_at(const cicd_manifest *o, const char *list, size_t i)
{
	const cicd_node *spec =
	    cicd_node_get(cicd_node_get(cicd_node_get(cicd_manifest_node(o), "spec"), "template"), "spec");
	return cicd_node_scalar(cicd_node_get(cicd_node_item(cicd_node_get(spec, list), i), "image"), NULL);
}

static void test_set_image_by_name_like_kustomize(void)
{
	static const char *const files[] = {"deployment.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	const cicd_manifest *o = cicd_manifest_set_get(set, 0);
	const cicd_node *before = cicd_manifest_node(o);
	size_t changed = 99;
	/* new tag only */
	CU_ASSERT_EQUAL(cicd_manifest_set_image(&changed, set, "nginx", NULL, "1.25.3", NULL), 0);
	CU_ASSERT_EQUAL(changed, 1);
	CICD_ASSERT_STR(image_at(o, "containers", 0), "nginx:1.25.3");
	/* "nginx" does not match "nginx/nginx-prometheus-exporter" */
	CICD_ASSERT_STR(image_at(o, "containers", 1), "nginx/nginx-prometheus-exporter:0.11.0");
	/* new name keeps the tag; a registry with a port is part of the name */
	CU_ASSERT_EQUAL(cicd_manifest_set_image(&changed, set, "nginx", "registry.local:5000/mirror/nginx", NULL, NULL),
	                0);
	CICD_ASSERT_STR(image_at(o, "containers", 0), "registry.local:5000/mirror/nginx:1.25.3");
	/* a digest replaces the tag */
	CU_ASSERT_EQUAL(cicd_manifest_set_image(&changed, set, "registry.local:5000/mirror/nginx", NULL, NULL,
	                                        "sha256:0123456789abcdef"),
	                0);
	CICD_ASSERT_STR(image_at(o, "containers", 0), "registry.local:5000/mirror/nginx@sha256:0123456789abcdef");
	/* then a tag replaces the digest */
	CU_ASSERT_EQUAL(cicd_manifest_set_image(&changed, set, "registry.local:5000/mirror/nginx", NULL, "2", NULL), 0);
	CICD_ASSERT_STR(image_at(o, "containers", 0), "registry.local:5000/mirror/nginx:2");
	/* init containers too */
	CU_ASSERT_EQUAL(cicd_manifest_set_image(&changed, set, "registry.example.com/tools/migrate", NULL, "2.2", NULL),
	                0);
	CU_ASSERT_EQUAL(changed, 1);
	CICD_ASSERT_STR(image_at(o, "initContainers", 0), "registry.example.com/tools/migrate:2.2");
	CU_ASSERT_EQUAL(cicd_manifest_set_image(&changed, set, "absent", NULL, "1", NULL), 0);
	CU_ASSERT_EQUAL(changed, 0);
	/* copy-on-write: the loaded tree still has the original images */
	CICD_ASSERT_STR(
	    cicd_node_scalar(
	        cicd_node_get(
	            cicd_node_item(
	                cicd_node_get(cicd_node_get(cicd_node_get(cicd_node_get(before, "spec"), "template"), "spec"),
	                              "containers"),
	                0),
	            "image"),
	        NULL),
	    "nginx:1.14.2");
	CU_ASSERT_EQUAL(cicd_manifest_set_image(NULL, set, "nginx", NULL, "a:b", NULL), CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message, "image nginx: invalid tag \"a:b\"");
	CU_ASSERT_EQUAL(cicd_manifest_set_image(NULL, set, "nginx", NULL, NULL, "abc"), CICD_EINVALID);
	cicd_manifest_set_free(set);
}

static void test_cronjob_images_and_template_labels(void)
{
	static const char *const files[] = {"job.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	char *yaml;
	CU_ASSERT_EQUAL(cicd_manifest_set_image(NULL, set, "busybox", "busybox", "1.36", NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_label(set, "cicd.example.com/version", "v2", CICD_MANIFEST_META_TEMPLATES),
	                0);
	yaml = render_yaml(set);
	CICD_ASSERT_STR(
	    yaml,
	    "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\n  namespace: batch\n  labels:\n"
	    "    cicd.example.com/version: v2\nspec:\n  backoffLimit: 4\n  template:\n    spec:\n"
	    "      restartPolicy: Never\n      containers:\n      - name: pi\n        image: perl:5.34.0\n"
	    "        command:\n        - perl\n        - -Mbignum=bpi\n        - -wle\n        - print bpi(2000)\n"
	    "    metadata:\n      labels:\n        cicd.example.com/version: v2\n"
	    "---\n"
	    "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: hello\n  namespace: batch\n  labels:\n"
	    "    cicd.example.com/version: v2\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n"
	    "      template:\n        spec:\n          containers:\n          - name: hello\n"
	    "            image: busybox:1.36\n            imagePullPolicy: IfNotPresent\n"
	    "            command:\n            - /bin/sh\n            - -c\n"
	    "            - date; echo Hello from the Kubernetes cluster\n          restartPolicy: OnFailure\n"
	    "        metadata:\n          labels:\n            cicd.example.com/version: v2\n"
	    "    metadata:\n      labels:\n        cicd.example.com/version: v2\n");
	free(yaml);
	cicd_manifest_set_free(set);
}

static void test_labels_and_annotations_go_to_metadata_only_by_default(void)
{
	cicd_manifest_set *set =
	    set_from("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: null\n"
	             "spec:\n  selector: {matchLabels: {app: web}}\n"
	             "  template: {metadata: {labels: {app: web}}}\n---\n"
	             "apiVersion: v1\nkind: Service\nmetadata: {name: web, annotations: {a: b}}\n"
	             "spec: {template: {}}\n",
	             "t.yaml");
	char *yaml;
	CU_ASSERT_EQUAL(cicd_manifest_set_label(set, "app.kubernetes.io/version", "1.2.3", 0), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_annotation(set, "cicd.example.com/deploy-job", "42", 0), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_annotation(set, "a", "replaced", CICD_MANIFEST_META_TEMPLATES), 0);
	yaml = render_yaml(set);
	CICD_ASSERT_STR(
	    yaml, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n"
	          "    app.kubernetes.io/version: 1.2.3\n  annotations:\n    cicd.example.com/deploy-job: \"42\"\n"
	          "    a: replaced\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n"
	          "    metadata:\n      labels:\n        app: web\n      annotations:\n        a: replaced\n"
	          "---\n"
	          "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    a: replaced\n"
	          "    cicd.example.com/deploy-job: \"42\"\n  labels:\n    app.kubernetes.io/version: 1.2.3\n"
	          "spec:\n  template: {}\n");
	free(yaml);
	CICD_ASSERT_STR(cicd_manifest_label(cicd_manifest_set_get(set, 0), "app.kubernetes.io/version"), "1.2.3");
	CU_ASSERT_EQUAL(cicd_manifest_set_label(set, "bad key", "x", 0), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_manifest_set_label(set, "ok", "not ok", 0), CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "label ok: value \"not ok\": a valid label must be an empty string or consist of alphanumeric "
	                "characters, '-', '_' or '.', and must start and end with an alphanumeric character");
	cicd_manifest_set_free(set);
}

static void test_namespace_skips_cluster_scoped_and_follows_service_accounts(void)
{
	static const char *const files[] = {"rbac.yaml", "crd.yaml"};
	cicd_manifest_set *set = set_from_data(files, 2);
	const cicd_manifest *o = NULL;
	const cicd_node *subjects;
	char text[2048];
	CU_ASSERT_EQUAL(cicd_manifest_set_namespace(set, "staging"), 0);
	order_text(text, sizeof text, set);
	CICD_ASSERT_STR(text,
	                "ServiceAccount staging/deployer\nRole staging/pod-reader\nRoleBinding staging/read-pods\n"
	                "ClusterRole system:secret-reader\nClusterRoleBinding read-secrets-global\n"
	                "CustomResourceDefinition crontabs.stable.example.com\n"
	                "CustomResourceDefinition clusterbackups.backup.example.com\n"
	                "CronTab staging/my-new-cron-object\nClusterBackup nightly\n");
	CU_ASSERT_EQUAL(cicd_manifest_set_find(&o, set, "rbac.authorization.k8s.io", "ClusterRoleBinding", "",
	                                       "read-secrets-global"),
	                0);
	subjects = cicd_node_get(cicd_manifest_node(o), "subjects");
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(cicd_node_item(subjects, 0), "namespace"), NULL), "staging");
	CU_ASSERT_EQUAL(
	    cicd_manifest_set_find(&o, set, "rbac.authorization.k8s.io", "RoleBinding", "staging", "read-pods"), 0);
	subjects = cicd_node_get(cicd_manifest_node(o), "subjects");
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(cicd_node_item(subjects, 0), "namespace"), NULL), "staging");
	CU_ASSERT_PTR_NULL(cicd_node_get(cicd_node_item(subjects, 1), "namespace")); /* a User */
	CU_ASSERT_EQUAL(cicd_manifest_set_namespace(set, "Bad"), CICD_EINVALID);
	cicd_manifest_set_free(set);
}

static void test_earlier_trees_never_change(void)
{
	cicd_manifest_set *set =
	    set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: y}}\n", "t.yaml");
	const cicd_manifest *o = cicd_manifest_set_get(set, 0);
	const cicd_node *v0 = cicd_manifest_node(o), *v1, *v2;
	CU_ASSERT_EQUAL(cicd_manifest_set_label(set, "one", "1", 0), 0);
	v1 = cicd_manifest_node(o);
	CU_ASSERT_EQUAL(cicd_manifest_set_label(set, "two", "2", 0), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_namespace(set, "ns"), 0);
	v2 = cicd_manifest_node(o);
	CU_ASSERT_EQUAL(cicd_node_size(cicd_node_get(cicd_node_get(v0, "metadata"), "labels")), 1);
	CU_ASSERT_EQUAL(cicd_node_size(cicd_node_get(cicd_node_get(v1, "metadata"), "labels")), 2);
	CU_ASSERT_EQUAL(cicd_node_size(cicd_node_get(cicd_node_get(v2, "metadata"), "labels")), 3);
	CU_ASSERT_PTR_NULL(cicd_node_get(cicd_node_get(v1, "metadata"), "namespace"));
	CICD_ASSERT_STR(cicd_manifest_namespace(o), "ns");
	CICD_ASSERT_STR(cicd_manifest_label(o, "two"), "2");
	cicd_manifest_set_free(set);
}

static void test_render_json_list_is_deterministic(void)
{
	cicd_manifest_set *set =
	    set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {z: \"1\", a: yes}\n"
	             "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
	             "t.yaml");
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_APPLY), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_render(&out, set, CICD_MANIFEST_FORMAT_JSON, CICD_FORMAT_SORT_KEYS), 0);
	CICD_ASSERT_STR(out.ptr,
	                "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":"
	                "\"Namespace\",\"metadata\":{\"name\":\"a\"}},{\"apiVersion\":\"v1\",\"data\":{\"a\":true,"
	                "\"z\":\"1\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\"}}]}");
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_manifest_render(&out, cicd_manifest_set_get(set, 0), CICD_MANIFEST_FORMAT_YAML, 0), 0);
	CICD_ASSERT_STR(out.ptr, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_manifest_render(&out, cicd_manifest_set_get(set, 0), CICD_MANIFEST_FORMAT_AUTO, 0),
	                CICD_EINVALID);
	cicd_manifest_set_free(set);
}

CICD_SUITE(manifest_transform, CICD_TEST(test_set_image_by_name_like_kustomize),
           CICD_TEST(test_cronjob_images_and_template_labels),
           CICD_TEST(test_labels_and_annotations_go_to_metadata_only_by_default),
           CICD_TEST(test_namespace_skips_cluster_scoped_and_follows_service_accounts),
           CICD_TEST(test_earlier_trees_never_change), CICD_TEST(test_render_json_list_is_deterministic))
