/* Validation: every rule, with exact messages and positions, on real-world manifests. */
#include <stdlib.h>

#include "helpers.h"

static char g_text[16384];

/* Validates text and returns the "line:col: message" lines; rc gets the return code. */
static const char *validate_text(const char *text, int *rc)
{
	cicd_manifest_set *set = set_from(text, "t.yaml");
	cicd_diagnostics *d = NULL;
	*rc = cicd_manifest_set_validate(&d, set, NULL);
	diag_text(g_text, sizeof g_text, d);
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
	return g_text;
}

static void test_real_world_manifests_are_valid(void)
{
	static const char *const files[] = {"deployment.yaml", "service.yaml", "ingress.yaml", "configmap-secret.yaml",
	                                    "crd.yaml",        "job.yaml",     "rbac.yaml",    "list.json"};
	cicd_manifest_set *set = set_from_data(files, sizeof files / sizeof files[0]);
	cicd_diagnostics *d = NULL;
	int rc = cicd_manifest_set_validate(&d, set, NULL);
	diag_text(g_text, sizeof g_text, d);
	CICD_ASSERT_STR(g_text, "");
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_count(set), 18);
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
}

static void test_invalid_file_reports_every_problem_with_position(void)
{
	static const char *const files[] = {"invalid.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	cicd_diagnostics *d = NULL;
	const cicd_diagnostic *first;
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(&d, set, NULL), CICD_EVALIDATE);
	diag_text(g_text, sizeof g_text, d);
	CICD_ASSERT_STR(
	    g_text, "4:9: metadata.name: invalid value \"Web_App\": a lowercase RFC 1123 subdomain must consist of "
	            "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
	            "character\n"
	            "5:14: metadata.namespace: invalid value \"Prod\": a lowercase RFC 1123 label must consist of "
	            "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
	            "character\n"
	            "8:14: metadata.labels[\"version\"] must be a string, not an integer (quote it)\n"
	            "9:5: metadata.labels: invalid value \"-bad\": name part must consist of alphanumeric characters, "
	            "'-', '_' or '.', and must start and end with an alphanumeric character\n"
	            "10:11: metadata.labels: invalid value \"front end\": a valid label must be an empty string or "
	            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
	            "alphanumeric character\n"
	            "13:5: metadata.annotations: invalid value \"Bad Key\": name part must consist of alphanumeric "
	            "characters, '-', '_' or '.', and must start and end with an alphanumeric character\n"
	            "16:1: apiVersion is required\n"
	            "18:9: metadata.name: invalid value \"1web\": a DNS-1035 label must consist of lower case "
	            "alphanumeric characters or '-', start with an alphabetic character, and end with an "
	            "alphanumeric character\n"
	            "24:14: metadata.namespace: not allowed: ClusterRole is cluster-scoped\n"
	            "26:1: document is not a mapping\n"
	            "36:11: metadata.name or metadata.generateName is required\n"
	            "41:9: metadata.name: invalid value \"widgets.example.com\": must be "
	            "spec.names.plural+\".\"+spec.group\n"
	            "44:10: spec.scope: invalid value \"Everywhere\": must be Namespaced or Cluster\n");
	first = cicd_diagnostics_get(d, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(first->file, "data/invalid.yaml"));
	CU_ASSERT_EQUAL(cicd_error_last()->code, CICD_EVALIDATE);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 4);
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
}

static void test_name_rules_follow_the_kind(void)
{
	int rc;
	/* A Namespace name is a DNS-1123 label: no dots. A ConfigMap's is a subdomain: dots are fine. */
	CICD_ASSERT_STR(
	    validate_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}\n---\n"
	                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: team.a, namespace: x}\n",
	                  &rc),
	    "3:18: metadata.name: invalid value \"team.a\": a lowercase RFC 1123 label must consist of lower "
	    "case alphanumeric characters or '-', and must start and end with an alphanumeric character\n");
	CU_ASSERT_EQUAL(rc, CICD_EVALIDATE);
	/* RBAC names are path segments: "system:node" is fine, "a/b" is not. */
	CICD_ASSERT_STR(validate_text("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
	                              "metadata: {name: \"system:node\"}\n---\n"
	                              "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a/b}\n",
	                              &rc),
	                "7:18: metadata.name: invalid value \"a/b\": may not contain '/' or '%'\n");
	/* CronJob names leave room for the Job suffix: at most 52 characters. */
	CICD_ASSERT_STR(validate_text("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: "
	                              "a23456789012345678901234567890123456789012345678901234\n",
	                              &rc),
	                "4:9: metadata.name: invalid value \"a23456789012345678901234567890123456789012345678901234\": "
	                "must be no more than 52 characters\n");
	/* A generateName prefix may end in '-'. */
	CICD_ASSERT_STR(validate_text("apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n---\n"
	                              "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: Migrate-}\n",
	                              &rc),
	                "7:26: metadata.generateName: invalid value \"Migrate-\": a lowercase RFC 1123 subdomain must "
	                "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
	                "alphanumeric character\n");
	CICD_ASSERT_STR(validate_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 42}\n", &rc),
	                "3:18: metadata.name must be a string, not an integer\n");
}

static void test_required_fields_and_types(void)
{
	int rc;
	CICD_ASSERT_STR(
	    validate_text("kind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n"
	                  "---\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: ConfigMap\n"
	                  "metadata: [a]\n---\napiVersion: 1\nkind: configMap\nmetadata: {name: c}\n",
	                  &rc),
	    "1:1: apiVersion is required\n"
	    "4:1: kind is required\n"
	    "7:1: metadata is required\n"
	    "12:11: metadata must be a mapping, not a sequence\n"
	    "14:13: apiVersion must be a string, not an integer\n"
	    "15:7: kind: invalid value \"configMap\": must start with an upper case letter and contain only "
	    "letters and digits\n");
	CICD_ASSERT_STR(validate_text("apiVersion: /v1\nkind: A\nmetadata: {name: a}\n---\n"
	                              "apiVersion: Example.com/v1\nkind: A\nmetadata: {name: a}\n",
	                              &rc),
	                "1:13: apiVersion: invalid value \"/v1\": must be VERSION or GROUP/VERSION\n"
	                "5:13: apiVersion: invalid value \"Example.com/v1\": the group must be a DNS-1123 subdomain\n");
}

static void test_annotation_values_and_total_size(void)
{
	size_t big = 200 * 1024, n;
	char *text = malloc(2 * big + 512);
	int rc;
	n = (size_t)sprintf(text, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
	                          "    replicas: 3\n    a: \"");
	memset(text + n, 'x', big);
	n += big;
	n += (size_t)sprintf(text + n, "\"\n    b: \"");
	memset(text + n, 'y', big);
	n += big;
	strcpy(text + n, "\"\n");
	CICD_ASSERT_STR(validate_text(text, &rc),
	                "6:5: metadata.annotations: too long: 409610 bytes: must have at most 262144 bytes\n"
	                "6:15: metadata.annotations[\"replicas\"] must be a string, not an integer (quote it)\n");
	free(text);
	/* Annotation keys are checked in lower case, as the API server does: upper case is fine. */
	CICD_ASSERT_STR(
	    validate_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
	                  "    Example.COM/Owner: team\n    example.com/a/b: x\n",
	                  &rc),
	    "7:5: metadata.annotations: invalid value \"example.com/a/b\": a qualified name must consist of an "
	    "optional DNS subdomain prefix and '/' followed by a name part\n");
}

static void test_duplicates_by_group_kind_namespace_name(void)
{
	int rc;
	CICD_ASSERT_STR(
	    validate_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
	                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n---\n"
	                  "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: x}\n---\n"
	                  "apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
	                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
	                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a, namespace: x}\n---\n"
	                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a, namespace: x}\n",
	                  &rc),
	    "17:1: duplicate ConfigMap x/a (first defined at t.yaml:1)\n");
	CU_ASSERT_EQUAL(rc, CICD_EVALIDATE);
}

static void test_cluster_scope_from_crd_in_the_set(void)
{
	static const char *const files[] = {"crd.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	const char *extra = "apiVersion: backup.example.com/v1alpha1\nkind: ClusterBackup\n"
	                    "metadata: {name: weekly, namespace: ops}\n";
	cicd_diagnostics *d = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, extra, strlen(extra), "cr.yaml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(&d, set, NULL), CICD_EVALIDATE);
	diag_text(g_text, sizeof g_text, d);
	CICD_ASSERT_STR(g_text, "3:37: metadata.namespace: not allowed: ClusterBackup is cluster-scoped\n");
	CICD_ASSERT_STR(cicd_diagnostics_get(d, 0)->file, "cr.yaml");
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
}

static void test_validate_without_output_list_still_raises(void)
{
	cicd_manifest_set *set = set_from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: A}\n", "t.yaml");
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(NULL, set, NULL), CICD_EVALIDATE);
	CICD_ASSERT_STR(cicd_error_last()->file, "t.yaml");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 18);
	cicd_manifest_set_free(set);
}

static const char OPENAPI[] =
    "{\"swagger\":\"2.0\",\"definitions\":{"
    "\"io.k8s.api.apps.v1.Deployment\":{\"type\":\"object\",\"required\":[\"spec\"],\"properties\":{"
    "\"apiVersion\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},"
    "\"metadata\":{\"$ref\":\"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta\"},"
    "\"spec\":{\"$ref\":\"#/definitions/io.k8s.api.apps.v1.DeploymentSpec\"}},"
    "\"x-kubernetes-group-version-kind\":[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]},"
    "\"io.k8s.api.apps.v1.DeploymentSpec\":{\"type\":\"object\",\"required\":[\"selector\",\"template\"],"
    "\"properties\":{\"replicas\":{\"type\":\"integer\",\"format\":\"int32\"},"
    "\"paused\":{\"type\":\"boolean\"},"
    "\"selector\":{\"type\":\"object\",\"additionalProperties\":true},"
    "\"template\":{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"properties\":{"
    "\"containers\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"image\":{\"type\":\"string\"},"
    "\"ports\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"containerPort\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}},"
    "\"resources\":{\"type\":\"object\",\"properties\":{\"limits\":{\"type\":\"object\",\"additionalProperties\":"
    "{\"$ref\":\"#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity\"}}}},"
    "\"livenessProbe\":{\"type\":\"object\",\"properties\":{\"httpGet\":{\"type\":\"object\",\"properties\":{"
    "\"port\":{\"type\":\"string\",\"format\":\"int-or-string\"}}}}}"
    "}}}}}}}}},"
    "\"io.k8s.apimachinery.pkg.api.resource.Quantity\":{\"type\":\"string\"},"
    "\"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta\":{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"labels\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}}}"
    "}}";

static void test_openapi_schema_checks_types_required_and_unknown_fields(void)
{
	cicd_manifest_validate_options vo = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_manifest_set *set =
	    set_from("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: \"3\"\n"
	             "  paused: no\n  replica: 2\n  template:\n    spec:\n      containers:\n        - name: web\n"
	             "          image: nginx\n          ports: [{containerPort: http}]\n"
	             "          resources: {limits: {cpu: 1, memory: 1Gi}}\n"
	             "          livenessProbe: {httpGet: {port: 8080}}\n"
	             "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: not-in-schema}\nbogus: 1\n",
	             "t.yaml");
	cicd_diagnostics *d = NULL;
	vo.openapi = OPENAPI;
	vo.openapi_len = strlen(OPENAPI);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(&d, set, &vo), CICD_EVALIDATE);
	diag_text(g_text, sizeof g_text, d);
	CICD_ASSERT_STR(g_text, "5:3: spec: missing required field \"selector\"\n"
	                        "5:13: spec.replicas: expected integer, got string\n"
	                        "7:3: spec.replica: unknown field \"replica\"\n"
	                        "13:35: spec.template.spec.containers[0].ports[0].containerPort: expected integer, got "
	                        "string\n");
	cicd_diagnostics_free(d);
	vo.openapi = "{\"swagger\": \"2.0\"}";
	vo.openapi_len = strlen(vo.openapi);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(&d, set, &vo), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "the OpenAPI document has no definitions");
	CU_ASSERT_PTR_NULL(d);
	cicd_manifest_set_free(set);
}

static void test_custom_resources_follow_their_crd_schema(void)
{
	static const char *const files[] = {"crd.yaml"};
	cicd_manifest_set *set = set_from_data(files, 1);
	const char *crs =
	    "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: bad, namespace: jobs}\n"
	    "spec:\n  cronSpec: 5\n  replicas: \"3\"\n  imag: typo\n---\n"
	    "apiVersion: backup.example.com/v1alpha1\nkind: ClusterBackup\nmetadata: {name: any}\n"
	    "spec: {whatever: [1, 2]}\n---\n"
	    "apiVersion: stable.example.com/v2\nkind: CronTab\nmetadata: {name: unknown-version, namespace: jobs}\n"
	    "spec: {replicas: many}\n";
	cicd_diagnostics *d = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, crs, strlen(crs), "cr.yaml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(&d, set, NULL), CICD_EVALIDATE);
	diag_text(g_text, sizeof g_text, d);
	CICD_ASSERT_STR(g_text, "5:13: spec.cronSpec: expected string, got integer\n"
	                        "6:13: spec.replicas: expected integer, got string\n"
	                        "7:3: spec.imag: unknown field \"imag\"\n");
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
}

static void test_openapi_v3_components_all_of_and_int_or_string(void)
{
	static const char v3[] =
	    "{\"openapi\":\"3.0.0\",\"components\":{\"schemas\":{"
	    "\"io.k8s.api.core.v1.Service\":{\"type\":\"object\",\"properties\":{"
	    "\"apiVersion\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"metadata\":{\"type\":\"object\"},"
	    "\"spec\":{\"allOf\":[{\"$ref\":\"#/components/schemas/io.k8s.api.core.v1.ServiceSpec\"}],\"default\":{}}},"
	    "\"x-kubernetes-group-version-kind\":[{\"group\":\"\",\"kind\":\"Service\",\"version\":\"v1\"}]},"
	    "\"io.k8s.api.core.v1.ServiceSpec\":{\"type\":\"object\",\"properties\":{\"ports\":{\"type\":\"array\","
	    "\"items\":{\"type\":\"object\",\"required\":[\"port\"],\"properties\":{"
	    "\"port\":{\"type\":\"integer\"},\"targetPort\":{\"x-kubernetes-int-or-string\":true}}}}}}}}}";
	cicd_manifest_validate_options vo = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_manifest_set *set = set_from("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n"
	                                  "    - {port: 80, targetPort: http}\n    - {port: 81, targetPort: 8081}\n"
	                                  "    - {targetPort: [1]}\n",
	                                  "t.yaml");
	cicd_diagnostics *d = NULL;
	vo.openapi = v3;
	vo.openapi_len = strlen(v3);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(&d, set, &vo), CICD_EVALIDATE);
	diag_text(g_text, sizeof g_text, d);
	CICD_ASSERT_STR(g_text, "8:7: spec.ports[2]: missing required field \"port\"\n"
	                        "8:20: spec.ports[2].targetPort: expected integer or string, got array\n");
	cicd_diagnostics_free(d);
	cicd_manifest_set_free(set);
}

CICD_SUITE(manifest_validate, CICD_TEST(test_real_world_manifests_are_valid),
           CICD_TEST(test_invalid_file_reports_every_problem_with_position), CICD_TEST(test_name_rules_follow_the_kind),
           CICD_TEST(test_required_fields_and_types), CICD_TEST(test_annotation_values_and_total_size),
           CICD_TEST(test_duplicates_by_group_kind_namespace_name), CICD_TEST(test_cluster_scope_from_crd_in_the_set),
           CICD_TEST(test_validate_without_output_list_still_raises),
           CICD_TEST(test_openapi_schema_checks_types_required_and_unknown_fields),
           CICD_TEST(test_custom_resources_follow_their_crd_schema),
           CICD_TEST(test_openapi_v3_components_all_of_and_int_or_string))
