/* The node builder: making objects from scratch, copy-on-write edits, deterministic output. */
#include <string.h>

#include "cicd/cicd.h"
#include "core/node_build.h"
#include "test.h"

static void test_builder_makes_a_tree_that_renders_deterministically(void)
{
	cicd_arena arena;
	cicd_node_builder b;
	cicd_node *pod, *meta, *labels, *spec, *containers, *c;
	cicd_buf yaml = CICD_BUF_INIT, json = CICD_BUF_INIT;
	cicd__arena_init(&arena, 4096);
	cicd__node_builder_init(&b, &arena, 1);
	pod = cicd__node_new_map(&b);
	CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, pod, "apiVersion", "v1"), 0);
	CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, pod, "kind", "Pod"), 0);
	meta = cicd__node_edit_child(&b, pod, "metadata", CICD_NODE_MAPPING);
	CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, meta, "name", "job-1"), 0);
	labels = cicd__node_edit_child(&b, meta, "labels", CICD_NODE_MAPPING);
	CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, labels, "version", "1.10"),
	                0); /* a string that looks like a float */
	spec = cicd__node_edit_child(&b, pod, "spec", CICD_NODE_MAPPING);
	CU_ASSERT_EQUAL(cicd__node_map_set(&b, spec, "activeDeadlineSeconds", 21, cicd__node_new_int(&b, 3600)), 0);
	CU_ASSERT_EQUAL(cicd__node_map_set(&b, spec, "hostNetwork", 11, cicd__node_new_bool(&b, 0)), 0);
	containers = cicd__node_edit_child(&b, spec, "containers", CICD_NODE_SEQUENCE);
	for (int i = 0; i < 6; i++) { /* past the initial capacity of 4 */
		char name[16];
		snprintf(name, sizeof name, "c%d", i);
		c = cicd__node_new_map(&b);
		CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, c, "name", name), 0);
		CU_ASSERT_EQUAL(cicd__node_seq_push(&b, containers, c), 0);
	}
	/* Replacing a key keeps its place. */
	CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, pod, "apiVersion", "v1"), 0);
	CU_ASSERT_EQUAL(cicd_node_to_json(&json, pod, 0), 0);
	CICD_ASSERT_STR(json.ptr,
	                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"job-1\",\"labels\":"
	                "{\"version\":\"1.10\"}},\"spec\":{\"activeDeadlineSeconds\":3600,\"hostNetwork\":false,"
	                "\"containers\":[{\"name\":\"c0\"},{\"name\":\"c1\"},{\"name\":\"c2\"},{\"name\":\"c3\"},"
	                "{\"name\":\"c4\"},{\"name\":\"c5\"}]}}");
	CU_ASSERT_EQUAL(cicd_node_to_yaml(&yaml, labels, 0), 0);
	CICD_ASSERT_STR(yaml.ptr, "version: \"1.10\"\n");
	CU_ASSERT_EQUAL(cicd__node_map_remove(spec, "hostNetwork", 11), 1);
	CU_ASSERT_EQUAL(cicd__node_map_remove(spec, "hostNetwork", 11), 0);
	CU_ASSERT_EQUAL(cicd_node_size(spec), 2);
	cicd_buf_dispose(&json);
	cicd_buf_dispose(&yaml);
	cicd__arena_release(&arena);
}

static void test_edits_with_a_new_mark_leave_earlier_trees_alone(void)
{
	cicd_document *doc = NULL;
	const char *text = "a: {b: {c: 1}, d: [x, y]}\n";
	const cicd_node *orig;
	cicd_node *root, *a, *bnode, *d, *again;
	cicd_arena arena;
	cicd_node_builder first, second;
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_buffer(&doc, text, strlen(text), "t.yaml", NULL), 0);
	orig = cicd_document_root(doc, 0);
	cicd__arena_init(&arena, 4096);
	cicd__node_builder_init(&first, &arena, 1);
	cicd__node_builder_init(&second, &arena, 2);
	root = cicd__node_own(&first, orig);
	CU_ASSERT_PTR_NOT_EQUAL(root, orig);
	CU_ASSERT_PTR_EQUAL(cicd__node_own(&first, root), root); /* already this builder's */
	a = cicd__node_edit_child(&first, root, "a", CICD_NODE_MAPPING);
	bnode = cicd__node_edit_child(&first, a, "b", CICD_NODE_MAPPING);
	CU_ASSERT_EQUAL(cicd__node_map_set(&first, bnode, "c", 1, cicd__node_new_int(&first, 2)), 0);
	d = cicd__node_edit_child(&first, a, "d", CICD_NODE_SEQUENCE);
	CU_ASSERT_EQUAL(cicd__node_seq_push(&first, d, cicd__node_new_string(&first, "z")), 0);
	/* A second builder copies first's nodes instead of writing to them. */
	again = cicd__node_own(&second, root);
	CU_ASSERT_PTR_NOT_EQUAL(again, root);
	CU_ASSERT_EQUAL(cicd__node_map_set_string(&second, again, "e", "f"), 0);
	CU_ASSERT_EQUAL(cicd_node_to_json(&out, orig, 0), 0);
	CICD_ASSERT_STR(out.ptr, "{\"a\":{\"b\":{\"c\":1},\"d\":[\"x\",\"y\"]}}");
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_node_to_json(&out, root, 0), 0);
	CICD_ASSERT_STR(out.ptr, "{\"a\":{\"b\":{\"c\":2},\"d\":[\"x\",\"y\",\"z\"]}}");
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_node_to_json(&out, again, 0), 0);
	CICD_ASSERT_STR(out.ptr, "{\"a\":{\"b\":{\"c\":2},\"d\":[\"x\",\"y\",\"z\"]},\"e\":\"f\"}");
	cicd_buf_dispose(&out);
	/* `a: null` style values are replaced by an empty container of the kind asked for. */
	CU_ASSERT_PTR_NOT_NULL(cicd__node_edit_child(&second, again, "e", CICD_NODE_SEQUENCE));
	CU_ASSERT_EQUAL(cicd_node_kind_of(cicd_node_get(again, "e")), CICD_NODE_SEQUENCE);
	cicd__arena_release(&arena);
	cicd_document_free(doc);
}

/* Editing a mapping that has a lookup index keeps lookups right (the index sits in front of the pairs). */
static void test_edits_of_an_indexed_map_keep_lookups_right(void)
{
	cicd_arena arena;
	cicd_node_builder b;
	cicd_node *map;
	char key[8];
	int i;
	cicd__arena_init(&arena, 4096);
	cicd__node_builder_init(&b, &arena, 1);
	map = cicd__node_new_map(&b);
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "k%d", i);
		CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, map, key, key), 0);
	}
	CU_ASSERT_EQUAL(cicd__node_index_map(&arena, map), 0);
	CU_ASSERT_PTR_NOT_NULL(cicd__node_map_index(map));
	CU_ASSERT_EQUAL(cicd__node_map_remove(map, "k3", 2), 1);
	CU_ASSERT_PTR_NULL(cicd_node_get(map, "k3"));
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(map, "k9"), NULL), "k9");
	for (i = 10; i < 20; i++) { /* growing moves the pairs away from the index */
		snprintf(key, sizeof key, "k%d", i);
		CU_ASSERT_EQUAL(cicd__node_map_set_string(&b, map, key, key), 0);
	}
	CU_ASSERT_EQUAL(cicd_node_size(map), 19);
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof key, "k%d", i);
		if (i == 3) {
			CU_ASSERT_PTR_NULL(cicd_node_get(map, key));
		} else {
			CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(map, key), NULL), key);
		}
	}
	cicd__arena_release(&arena);
}

CICD_SUITE(node_build, CICD_TEST(test_builder_makes_a_tree_that_renders_deterministically),
           CICD_TEST(test_edits_with_a_new_mark_leave_earlier_trees_alone),
           CICD_TEST(test_edits_of_an_indexed_map_keep_lookups_right))
