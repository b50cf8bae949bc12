/*
 * Allocation-failure loop: fail allocation 1, 2, 3, ... of a whole manifest
 * workflow (load, validate, transforms, sort, render, hash, diff) until it
 * succeeds. Every failing run must report CICD_ENOMEM and, once the set is
 * freed, give back every byte it took.
 */
#include <stdlib.h>

#include "helpers.h"
#include "failing_alloc.h"

static const char OLD[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: web}\nstringData: {a: b}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: web, labels: {app: web}}\n"
    "spec:\n  replicas: 1\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
    "      containers: [{name: web, image: 'nginx:1', ports: [{name: http, containerPort: 80}]}]\n---\n"
    "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: web}}]\n---\n"
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: web}\n"
    "subjects: [{kind: ServiceAccount, name: sa, namespace: web}]\n---\n"
    "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: web}\n---\n"
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n"
    "spec: {group: example.com, scope: Namespaced, names: {plural: ws, kind: W}}\n---\n"
    "apiVersion: example.com/v1\nkind: W\nmetadata: {name: Bad_Name, labels: {v: 1}}\n---\n- not an object\n";

static int workflow(void)
{
	cicd_manifest_set *a = NULL, *b = NULL;
	cicd_diagnostics *d = NULL;
	cicd_manifest_diff *diff = NULL;
	cicd_buf out = CICD_BUF_INIT;
	char hash[CICD_MANIFEST_HASH_SIZE];
	int rc = 0;
#define STEP(call)                                                                                                     \
	do {                                                                                                           \
		if (!rc)                                                                                               \
			rc = (call);                                                                                   \
	} while (0)
	STEP(cicd_manifest_set_new(&a));
	STEP(cicd_manifest_set_new(&b));
	STEP(cicd_manifest_set_add_buffer(a, OLD, strlen(OLD), "old.yaml", NULL));
	STEP(cicd_manifest_set_add_buffer(b, OLD, strlen(OLD), "new.yaml", NULL));
	if (!rc) {
		rc = cicd_manifest_set_validate(&d, a, NULL);
		rc = rc == CICD_EVALIDATE ? 0 : rc; /* the input has errors on purpose */
		cicd_diagnostics_free(d);
	}
	STEP(cicd_manifest_set_image(NULL, b, "nginx", "mirror/nginx", "2", NULL));
	STEP(cicd_manifest_set_label(b, "v", "2", CICD_MANIFEST_META_TEMPLATES));
	STEP(cicd_manifest_set_annotation(b, "job", "7", 0));
	STEP(cicd_manifest_set_namespace(b, "staging"));
	STEP(cicd_manifest_set_sort(b, CICD_MANIFEST_ORDER_APPLY));
	STEP(cicd_manifest_set_render(&out, b, CICD_MANIFEST_FORMAT_YAML, 0));
	STEP(cicd_manifest_set_render(&out, b, CICD_MANIFEST_FORMAT_JSON, 0));
	STEP(cicd_manifest_set_hash(hash, sizeof hash, b));
	STEP(cicd_manifest_diff_new(&diff, a, b));
	STEP(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_TEXT));
	STEP(cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_JSON));
#undef STEP
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
	return rc;
}

static void test_manifest_workflow_survives_every_allocation_failure(void)
{
	long n;
	int succeeded = 0;
	CU_ASSERT_EQUAL_FATAL(workflow(), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = 0; n < 100000 && !succeeded; n++) {
		int rc;
		cicd_test_alloc_budget = n;
		cicd_test_alloc_live = 0;
		rc = workflow();
		cicd_test_alloc_budget = -1;
		if (rc == 0)
			succeeded = 1;
		else if (rc != CICD_ENOMEM)
			fprintf(stderr, "\nallocation %ld: %s (%s)\n", n, cicd_error_name(rc),
			        cicd_error_last()->message);
		CU_ASSERT(rc == 0 || rc == CICD_ENOMEM);
		CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
		if (cicd_test_alloc_live)
			fprintf(stderr, "\nallocation %ld: %ld blocks leaked\n", n, cicd_test_alloc_live);
	}
	cicd_allocator_reset();
	CU_ASSERT(succeeded);
	CU_ASSERT(n > 50);
}

/* A transform that runs out of memory leaves the set exactly as it was. */
static void test_failed_transform_changes_nothing(void)
{
	long n;
	int done = 0;
	for (n = 0; n < 10000 && !done; n++) {
		cicd_manifest_set *set = NULL;
		char before[CICD_MANIFEST_HASH_SIZE], after[CICD_MANIFEST_HASH_SIZE];
		int rc;
		CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, OLD, strlen(OLD), "t.yaml", NULL), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_label(set, "first", "1", 0), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_hash(before, sizeof before, set), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
		cicd_test_alloc_budget = n;
		switch (n % 3) {
		case 0:
			rc = cicd_manifest_set_label(set, "second", "2", CICD_MANIFEST_META_TEMPLATES);
			break;
		case 1:
			rc = cicd_manifest_set_namespace(set, "other");
			break;
		default:
			rc = cicd_manifest_set_image(NULL, set, "nginx", NULL, "9", NULL);
			break;
		}
		cicd_test_alloc_budget = -1;
		cicd_allocator_reset();
		CU_ASSERT(rc == 0 || rc == CICD_ENOMEM);
		CU_ASSERT_EQUAL(cicd_manifest_set_hash(after, sizeof after, set), 0);
		if (rc == CICD_ENOMEM)
			CICD_ASSERT_STR(after, before);
		else
			done = n > 30;
		cicd_manifest_set_free(set);
	}
	CU_ASSERT(done);
}

CICD_SUITE(manifest_alloc, CICD_TEST(test_manifest_workflow_survives_every_allocation_failure),
           CICD_TEST(test_failed_transform_changes_nothing))
