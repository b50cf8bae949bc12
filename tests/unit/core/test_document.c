/* The YAML/JSON loader: positions, anchors, merge keys, tags, duplicates, limits, hostile input. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "core/document.h"
#include "test.h"

static cicd_document *load(const char *yaml)
{
	cicd_document *doc = NULL;
	int rc = cicd_document_load_buffer(&doc, yaml, strlen(yaml), "test.yml", NULL);
	if (rc)
		fprintf(stderr, "\nunexpected load failure: %s:%u:%u: %s\n", cicd_error_last()->file,
			cicd_error_last()->line, cicd_error_last()->column, cicd_error_last()->message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return doc;
}

static int load_fails(const char *yaml, const cicd_document_options *opts)
{
	cicd_document *doc = NULL;
	int rc = cicd_document_load_buffer(&doc, yaml, strlen(yaml), "bad.yml", opts);
	CU_ASSERT_PTR_NULL(doc);
	cicd_document_free(doc);
	return rc;
}

static const char *scalar(const cicd_node *n)
{
	return cicd_node_scalar(n, NULL);
}

static void test_loader_keeps_one_based_positions(void)
{
	cicd_document *doc = load("stages:\n  - build\n  - test\njob:\n  script: [\"make\", 'check']\n");
	const cicd_node *root = cicd_document_root(doc, 0);
	const cicd_node *stages = cicd_node_get(root, "stages");
	const cicd_node *script = cicd_node_get(cicd_node_get(root, "job"), "script");
	CU_ASSERT_EQUAL(cicd_node_line(root), 1);
	CU_ASSERT_EQUAL(cicd_node_column(root), 1);
	CU_ASSERT_EQUAL(cicd_node_line(stages), 2);
	CU_ASSERT_EQUAL(cicd_node_column(stages), 3);
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_item(stages, 1)), 3);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_item(stages, 1)), 5);
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_item(script, 1)), 5);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_item(script, 1)), 20);
	CICD_ASSERT_STR(cicd_node_file(script), "test.yml");
	CU_ASSERT_EQUAL(cicd_node_scalar_style(cicd_node_item(script, 0)), CICD_SCALAR_DOUBLE_QUOTED);
	CU_ASSERT_EQUAL(cicd_node_scalar_style(cicd_node_item(script, 1)), CICD_SCALAR_SINGLE_QUOTED);
	cicd_document_free(doc);
}

static void test_mapping_keeps_insertion_order(void)
{
	cicd_document *doc = load("zeta: 1\nalpha: 2\nmid: 3\n");
	const cicd_node *root = cicd_document_root(doc, 0);
	CU_ASSERT_EQUAL(cicd_node_size(root), 3);
	CICD_ASSERT_STR(scalar(cicd_node_key(root, 0)), "zeta");
	CICD_ASSERT_STR(scalar(cicd_node_key(root, 1)), "alpha");
	CICD_ASSERT_STR(scalar(cicd_node_key(root, 2)), "mid");
	CU_ASSERT_PTR_NULL(cicd_node_get(root, "missing"));
	cicd_document_free(doc);
}

static void test_large_mapping_lookup_uses_every_key(void)
{
	char yaml[8192] = "";
	char key[32];
	int i;
	cicd_document *doc;
	const cicd_node *root;
	for (i = 0; i < 200; i++) {
		char line[64];
		snprintf(line, sizeof line, "key%d: %d\n", i, i);
		strcat(yaml, line);
	}
	doc = load(yaml);
	root = cicd_document_root(doc, 0);
	CU_ASSERT_EQUAL(cicd_node_size(root), 200);
	for (i = 0; i < 200; i++) {
		char want[16];
		snprintf(key, sizeof key, "key%d", i);
		snprintf(want, sizeof want, "%d", i);
		CICD_ASSERT_STR(scalar(cicd_node_get(root, key)), want);
	}
	cicd_document_free(doc);
}

static void test_scalar_types_follow_yaml_1_1(void)
{
	cicd_document *doc = load("a: true\nb: yes\nc: Off\nd: 42\ne: 0x1F\nf: 1.5\ng: ~\nh: \"true\"\ni: hello\n"
				  "j: 1_000\nk: .inf\nl: 010\nm: !!str 12\nn:\no: 1.2.3\n");
	const cicd_node *r = cicd_document_root(doc, 0);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "a")), CICD_VALUE_BOOL);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "b")), CICD_VALUE_BOOL);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "c")), CICD_VALUE_BOOL);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "d")), CICD_VALUE_INT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "e")), CICD_VALUE_INT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "f")), CICD_VALUE_FLOAT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "g")), CICD_VALUE_NULL);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "h")), CICD_VALUE_STRING);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "i")), CICD_VALUE_STRING);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "j")), CICD_VALUE_INT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "k")), CICD_VALUE_FLOAT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "l")), CICD_VALUE_INT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "m")), CICD_VALUE_STRING);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "n")), CICD_VALUE_NULL);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "o")), CICD_VALUE_STRING);
	cicd_document_free(doc);
}

static void test_aliases_share_the_anchored_node(void)
{
	cicd_document *doc = load("base: &b {image: alpine, tags: [k8s]}\nx: *b\ny: *b\n");
	const cicd_node *r = cicd_document_root(doc, 0);
	CU_ASSERT_PTR_EQUAL(cicd_node_get(r, "x"), cicd_node_get(r, "base"));
	CU_ASSERT_PTR_EQUAL(cicd_node_get(r, "y"), cicd_node_get(r, "base"));
	CICD_ASSERT_STR(scalar(cicd_node_get(cicd_node_get(r, "y"), "image")), "alpine");
	cicd_document_free(doc);
}

static void test_merge_key_single_map_explicit_keys_win(void)
{
	cicd_document *doc = load(".defaults: &d\n  image: alpine\n  stage: test\n  retry: 2\njob:\n  stage: build\n"
				  "  <<: *d\n  script: make\n");
	const cicd_node *job = cicd_node_get(cicd_document_root(doc, 0), "job");
	CU_ASSERT_EQUAL(cicd_node_size(job), 4);
	CICD_ASSERT_STR(scalar(cicd_node_get(job, "stage")), "build");
	CICD_ASSERT_STR(scalar(cicd_node_get(job, "image")), "alpine");
	CICD_ASSERT_STR(scalar(cicd_node_get(job, "retry")), "2");
	CU_ASSERT_PTR_NULL(cicd_node_get(job, "<<"));
	/* merged keys take the place of the << key */
	CICD_ASSERT_STR(scalar(cicd_node_key(job, 0)), "stage");
	CICD_ASSERT_STR(scalar(cicd_node_key(job, 1)), "image");
	CICD_ASSERT_STR(scalar(cicd_node_key(job, 3)), "script");
	cicd_document_free(doc);
}

static void test_merge_key_list_earlier_maps_win(void)
{
	cicd_document *doc = load("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  w: 0\n");
	const cicd_node *c = cicd_node_get(cicd_document_root(doc, 0), "c");
	CICD_ASSERT_STR(scalar(cicd_node_get(c, "x")), "1");
	CICD_ASSERT_STR(scalar(cicd_node_get(c, "y")), "1");
	CICD_ASSERT_STR(scalar(cicd_node_get(c, "z")), "2");
	CICD_ASSERT_STR(scalar(cicd_node_get(c, "w")), "0");
	CU_ASSERT_EQUAL(cicd_node_size(c), 4);
	cicd_document_free(doc);
}

static void test_merge_key_rejects_scalars_with_position(void)
{
	CU_ASSERT_EQUAL(load_fails("a:\n  <<: notamap\n", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "merge key '<<' expects a mapping or a list of mappings");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 7);
}

static void test_quoted_merge_key_is_an_ordinary_key(void)
{
	cicd_document *doc = load("a:\n  '<<': {x: 1}\n");
	const cicd_node *a = cicd_node_get(cicd_document_root(doc, 0), "a");
	CU_ASSERT_PTR_NOT_NULL(cicd_node_get(a, "<<"));
	cicd_document_free(doc);
}

static void test_custom_tags_are_kept(void)
{
	cicd_document *doc = load("job:\n  script:\n    - !reference [.setup, script]\n    - echo hi\n");
	const cicd_node *script = cicd_node_get(cicd_node_get(cicd_document_root(doc, 0), "job"), "script");
	const cicd_node *ref = cicd_node_item(script, 0);
	CICD_ASSERT_STR(cicd_node_tag(ref), "!reference");
	CU_ASSERT_EQUAL(cicd_node_kind_of(ref), CICD_NODE_SEQUENCE);
	CICD_ASSERT_STR(scalar(cicd_node_item(ref, 0)), ".setup");
	CICD_ASSERT_STR(cicd_node_tag(cicd_node_item(script, 1)), "");
	cicd_document_free(doc);
}

static void test_duplicate_key_warns_with_both_positions_and_last_wins(void)
{
	cicd_document *doc = load("job:\n  script: a\n  stage: test\n  script: b\n");
	const cicd_diagnostics *d = cicd_document_diagnostics(doc);
	const cicd_node *job = cicd_node_get(cicd_document_root(doc, 0), "job");
	const cicd_diagnostic *w;
	CU_ASSERT_EQUAL_FATAL(cicd_diagnostics_count(d), 1);
	w = cicd_diagnostics_get(d, 0);
	CU_ASSERT_EQUAL(w->severity, CICD_SEVERITY_WARNING);
	CU_ASSERT_EQUAL(w->line, 4);
	CU_ASSERT_EQUAL(w->column, 3);
	CICD_ASSERT_STR(w->message, "duplicate key 'script' (first defined at line 2 column 3); the last value wins");
	CICD_ASSERT_STR(scalar(cicd_node_get(job, "script")), "b");
	CICD_ASSERT_STR(scalar(cicd_node_key(job, 0)), "script");
	CU_ASSERT_EQUAL(cicd_node_size(job), 2);
	cicd_document_free(doc);
}

static void test_duplicate_key_is_an_error_in_strict_mode(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.flags = CICD_DOCUMENT_STRICT_KEYS;
	CU_ASSERT_EQUAL(load_fails("a: 1\nb: 2\na: 3\n", &o), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "duplicate key 'a' (first defined at line 1 column 1)");
	CICD_ASSERT_STR(cicd_error_last()->file, "bad.yml");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 1);
}

static void test_duplicate_keys_in_large_maps_are_found(void)
{
	char yaml[4096] = "";
	int i;
	cicd_document *doc;
	for (i = 0; i < 50; i++) {
		char line[32];
		snprintf(line, sizeof line, "k%d: %d\n", i, i);
		strcat(yaml, line);
	}
	strcat(yaml, "k7: again\n");
	doc = load(yaml);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(cicd_document_diagnostics(doc)), 1);
	CICD_ASSERT_STR(scalar(cicd_node_get(cicd_document_root(doc, 0), "k7")), "again");
	cicd_document_free(doc);
}

static void test_multi_document_stream(void)
{
	cicd_document *doc = load("---\nkind: A\n---\n---\nkind: B\n...\n");
	CU_ASSERT_EQUAL(cicd_document_count(doc), 3);
	CICD_ASSERT_STR(scalar(cicd_node_get(cicd_document_root(doc, 0), "kind")), "A");
	CU_ASSERT_PTR_NULL(cicd_document_root(doc, 1));
	CICD_ASSERT_STR(scalar(cicd_node_get(cicd_document_root(doc, 2), "kind")), "B");
	CU_ASSERT_EQUAL(cicd_document_line(doc, 2), 4);
	CU_ASSERT_PTR_NULL(cicd_document_root(doc, 3));
	cicd_document_free(doc);
}

static void test_anchors_do_not_cross_documents(void)
{
	CU_ASSERT_EQUAL(load_fails("a: &x 1\n---\nb: *x\n", NULL), CICD_EPARSE);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "unknown anchor"));
}

static void test_recursive_alias_is_rejected(void)
{
	CU_ASSERT_EQUAL(load_fails("a: &x [1, *x]\n", NULL), CICD_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "alias '*x'"));
}

static void test_billion_laughs_fails_fast(void)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
			   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
			   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	CU_ASSERT_EQUAL(load_fails(bomb, NULL), CICD_ELIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "aliases expand to more than 1000000 nodes"));
	CU_ASSERT(cicd_error_last()->line >= 6);
}

static void test_alias_limit_is_an_option(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.max_alias_expansion = 10;
	CU_ASSERT_EQUAL(load_fails("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", &o), CICD_ELIMIT);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 13);
}

/* Each alias adds its anchor's whole subtree, nested aliases included: 5 + 5 + 11 + 11. */
static void test_alias_expansion_counts_nested_aliases(void)
{
	const char *text = "a: &a {x: 1, y: 2}\nb: &b [*a, *a]\nc: [*b, *b]\n";
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	o.max_alias_expansion = 31;
	CU_ASSERT_EQUAL(load_fails(text, &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "aliases expand to more than 31 nodes (alias '*b')");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 9);
	o.max_alias_expansion = 32;
	CU_ASSERT_EQUAL(cicd_document_load_buffer(&doc, text, strlen(text), "t.yml", &o), 0);
	cicd_document_free(doc);
	/* A merge key's source counts like any alias: {<<: *m} adds m's 2 * 10 + 1 nodes. */
	o.max_alias_expansion = 20;
	CU_ASSERT_EQUAL(load_fails("m: &m {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
				   "n: {<<: *m, k: 11}\n",
				   &o),
			CICD_ELIMIT);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 9);
}

/* A merged mapping past the small size gets its lookup index like any other (merged keys first, at the merge key). */
static void test_merged_large_mapping_is_indexed(void)
{
	cicd_document *doc = load("m: &m {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}\n"
				  "n: {<<: *m, b: 20, k: 11}\n");
	const cicd_node *n = cicd_node_get(cicd_document_root(doc, 0), "n");
	static const char *const keys[] = {"a", "c", "d", "e", "f", "g", "h", "i", "b", "k"};
	size_t i;
	CU_ASSERT_EQUAL(cicd_node_size(n), 10);
	CU_ASSERT_PTR_NOT_NULL(cicd__node_map_index(n));
	for (i = 0; i < 10; i++)
		CICD_ASSERT_STR(scalar(cicd_node_key(n, i)), keys[i]);
	CICD_ASSERT_STR(scalar(cicd_node_get(n, "b")), "20");
	CICD_ASSERT_STR(scalar(cicd_node_get(n, "i")), "9");
	CICD_ASSERT_STR(scalar(cicd_node_get(n, "k")), "11");
	CU_ASSERT_PTR_NULL(cicd_node_get(n, "<<"));
	CU_ASSERT_PTR_NULL(cicd_node_get(n, "z"));
	cicd_document_free(doc);
}

/* Repeated short keys and very short values share their text; each node keeps its own position. */
static void test_repeated_keys_share_text_not_positions(void)
{
	cicd_document *doc = load("- {name: a, image: name, tag: registry.example.com}\n"
				  "- name: b\n  image: name\n  tag: registry.example.com\n---\nname: c\n");
	const cicd_node *first = cicd_node_item(cicd_document_root(doc, 0), 0);
	const cicd_node *second = cicd_node_item(cicd_document_root(doc, 0), 1);
	const cicd_node *third = cicd_document_root(doc, 1);
	CU_ASSERT_PTR_EQUAL(scalar(cicd_node_key(first, 0)), scalar(cicd_node_key(second, 0)));
	CU_ASSERT_PTR_EQUAL(scalar(cicd_node_key(first, 0)), scalar(cicd_node_key(third, 0)));
	CU_ASSERT_PTR_EQUAL(scalar(cicd_node_value(first, 1)), scalar(cicd_node_key(first, 0)));
	/* values longer than 8 bytes are copied each time */
	CU_ASSERT_PTR_NOT_EQUAL(scalar(cicd_node_value(first, 2)), scalar(cicd_node_value(second, 2)));
	CICD_ASSERT_STR(scalar(cicd_node_value(second, 2)), "registry.example.com");
	CICD_ASSERT_STR(scalar(cicd_node_value(first, 1)), "name");
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_value(second, 1)), 3);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_value(second, 1)), 10);
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_key(second, 0)), 2);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_key(second, 0)), 3);
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_key(third, 0)), 6);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_key(third, 0)), 1);
	CICD_ASSERT_STR(cicd_node_file(cicd_node_key(third, 0)), "test.yml");
	cicd_document_free(doc);
}

static void test_deep_nesting_fails_with_limit(void)
{
	size_t depth = 100000, i;
	char *yaml = malloc(depth * 2 + 1);
	cicd_document *doc = NULL;
	for (i = 0; i < depth; i++)
		yaml[i] = '[';
	for (i = 0; i < depth; i++)
		yaml[depth + i] = ']';
	yaml[2 * depth] = '\0';
	CU_ASSERT_EQUAL(cicd_document_load_buffer(&doc, yaml, 2 * depth, "deep.yml", NULL), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "nesting deeper than 256 levels");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 1);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 257);
	free(yaml);
}

static void test_depth_limit_is_an_option(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.max_depth = 3;
	CU_ASSERT_EQUAL(load_fails("a:\n  b:\n    c:\n      d: 1\n", &o), CICD_ELIMIT);
	CU_ASSERT_EQUAL(cicd_error_last()->line, 4);
}

static void test_size_limit_is_checked_before_parsing(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.max_bytes = 8;
	CU_ASSERT_EQUAL(load_fails("a: 123456789\n", &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "input is 13 bytes, over the limit of 8 bytes");
}

static void test_node_limit(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.max_nodes = 5;
	CU_ASSERT_EQUAL(load_fails("[1, 2, 3, 4, 5, 6]\n", &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "more than 5 nodes in the input");
}

static void test_invalid_utf8_reports_position(void)
{
	CU_ASSERT_EQUAL(load_fails("a: ok\nb: caf\xC3\x28\n", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "invalid trailing utf-8 octet (byte 0x28)");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 8);
}

static void test_tab_indentation_is_rejected_with_position(void)
{
	CU_ASSERT_EQUAL(load_fails("job:\n\tscript: make\n", NULL), CICD_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "found character that cannot start any token"));
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 1);
}

static void test_truncated_input_is_an_error(void)
{
	CU_ASSERT_EQUAL(load_fails("job:\n  script: \"unterminated\n", NULL), CICD_EPARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "found unexpected end of stream"));
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_EQUAL(load_fails("a: [1, 2\n", NULL), CICD_EPARSE);
	CU_ASSERT_EQUAL(load_fails("a: {b: 1\n", NULL), CICD_EPARSE);
}

static void test_bad_indentation_message(void)
{
	CU_ASSERT_EQUAL(load_fails("a:\n  b: 1\n c: 2\n", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"did not find expected key while parsing a block mapping at line 1 column 1");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 2);
}

static void test_huge_scalar_round_trips(void)
{
	size_t n = 4 * 1024 * 1024, i;
	char *yaml = malloc(n + 8);
	cicd_document *doc = NULL;
	size_t len = 0;
	memcpy(yaml, "k: ", 3);
	for (i = 0; i < n; i++)
		yaml[3 + i] = (char)('a' + i % 26);
	yaml[3 + n] = '\n';
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_buffer(&doc, yaml, n + 4, NULL, NULL), 0);
	cicd_node_scalar(cicd_node_get(cicd_document_root(doc, 0), "k"), &len);
	CU_ASSERT_EQUAL(len, n);
	CICD_ASSERT_STR(cicd_document_name(doc), "<buffer>");
	cicd_document_free(doc);
	free(yaml);
}

static void test_empty_input_has_no_documents(void)
{
	cicd_document *doc = NULL;
	CU_ASSERT_EQUAL(cicd_document_load_buffer(&doc, "", 0, NULL, NULL), 0);
	CU_ASSERT_EQUAL(cicd_document_count(doc), 0);
	CU_ASSERT_PTR_NULL(cicd_document_root(doc, 0));
	cicd_document_free(doc);
	doc = load("# only a comment\n");
	CU_ASSERT_EQUAL(cicd_document_count(doc), 0);
	cicd_document_free(doc);
}

static void test_embedded_nul_is_kept_with_length(void)
{
	cicd_document *doc = load("a: \"x\\0y\"\n");
	size_t len;
	const char *s = cicd_node_scalar(cicd_node_get(cicd_document_root(doc, 0), "a"), &len);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(s[1], '\0');
	cicd_document_free(doc);
}

static void test_load_file_reports_missing_file(void)
{
	cicd_document *doc = NULL;
	CU_ASSERT_EQUAL(cicd_document_load_file(&doc, "/nonexistent/x.yml", NULL), CICD_EIO);
	CICD_ASSERT_STR(cicd_error_last()->message, "cannot read '/nonexistent/x.yml': no such file or directory");
	CICD_ASSERT_STR(cicd_error_last()->file, "/nonexistent/x.yml");
}

static void test_load_file_real_pipeline(void)
{
	cicd_document *doc = NULL;
	const char *path = TEST_SOURCE_DIR "/examples/pipeline/.gitlab-ci.yml";
	const cicd_node *root, *lint;
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_file(&doc, path, NULL), 0);
	root = cicd_document_root(doc, 0);
	lint = cicd_node_get(root, "lint");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lint);
	CU_ASSERT_EQUAL(cicd_node_size(cicd_node_get(lint, "rules")), 5);
	CICD_ASSERT_STR(cicd_node_file(lint), path);
	CU_ASSERT_EQUAL(cicd_diagnostics_count(cicd_document_diagnostics(doc)), 0);
	cicd_document_free(doc);
}

static void test_options_version_is_checked(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	o.version = 99;
	CU_ASSERT_EQUAL(cicd_document_load_buffer(&doc, "a: 1", 4, NULL, &o), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_document_options_init(&o, 0), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_document_options_init(&o, CICD_DOCUMENT_OPTIONS_VERSION), 0);
	CU_ASSERT_EQUAL(o.version, CICD_DOCUMENT_OPTIONS_VERSION);
}

static void test_null_arguments_are_rejected(void)
{
	CU_ASSERT_EQUAL(cicd_document_load_buffer(NULL, "a", 1, NULL, NULL), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_node_size(NULL), 0);
	CU_ASSERT_PTR_NULL(cicd_node_get(NULL, "a"));
	CU_ASSERT_PTR_NULL(cicd_node_scalar(NULL, NULL));
	cicd_document_free(NULL);
}

CICD_SUITE(document_yaml,
	   CICD_TEST(test_loader_keeps_one_based_positions),
	   CICD_TEST(test_mapping_keeps_insertion_order),
	   CICD_TEST(test_large_mapping_lookup_uses_every_key),
	   CICD_TEST(test_scalar_types_follow_yaml_1_1),
	   CICD_TEST(test_aliases_share_the_anchored_node),
	   CICD_TEST(test_merge_key_single_map_explicit_keys_win),
	   CICD_TEST(test_merge_key_list_earlier_maps_win),
	   CICD_TEST(test_merge_key_rejects_scalars_with_position),
	   CICD_TEST(test_quoted_merge_key_is_an_ordinary_key),
	   CICD_TEST(test_custom_tags_are_kept),
	   CICD_TEST(test_duplicate_key_warns_with_both_positions_and_last_wins),
	   CICD_TEST(test_duplicate_key_is_an_error_in_strict_mode),
	   CICD_TEST(test_duplicate_keys_in_large_maps_are_found),
	   CICD_TEST(test_multi_document_stream),
	   CICD_TEST(test_anchors_do_not_cross_documents),
	   CICD_TEST(test_recursive_alias_is_rejected),
	   CICD_TEST(test_billion_laughs_fails_fast),
	   CICD_TEST(test_alias_limit_is_an_option),
	   CICD_TEST(test_alias_expansion_counts_nested_aliases),
	   CICD_TEST(test_merged_large_mapping_is_indexed),
	   CICD_TEST(test_repeated_keys_share_text_not_positions),
	   CICD_TEST(test_deep_nesting_fails_with_limit),
	   CICD_TEST(test_depth_limit_is_an_option),
	   CICD_TEST(test_size_limit_is_checked_before_parsing),
	   CICD_TEST(test_node_limit),
	   CICD_TEST(test_invalid_utf8_reports_position),
	   CICD_TEST(test_tab_indentation_is_rejected_with_position),
	   CICD_TEST(test_truncated_input_is_an_error),
	   CICD_TEST(test_bad_indentation_message),
	   CICD_TEST(test_huge_scalar_round_trips),
	   CICD_TEST(test_empty_input_has_no_documents),
	   CICD_TEST(test_embedded_nul_is_kept_with_length),
	   CICD_TEST(test_load_file_reports_missing_file),
	   CICD_TEST(test_load_file_real_pipeline),
	   CICD_TEST(test_options_version_is_checked),
	   CICD_TEST(test_null_arguments_are_rejected))
