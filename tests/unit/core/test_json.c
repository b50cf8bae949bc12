/* JSON: loading into the document model with positions, writing over yajl, node conversions. */
#include <string.h>

#include "cicd/cicd.h"
#include "core/json_writer.h"
#include "test.h"

static cicd_document *load_json(const char *text)
{
	cicd_document *doc = NULL;
	int rc = cicd_document_load_json(&doc, text, strlen(text), "in.json", NULL);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return doc;
}

static void test_json_loads_types_and_positions(void)
{
	cicd_document *doc = load_json("{\n  \"name\": \"web\",\n  \"replicas\": 3,\n  \"ratio\": 0.5,\n"
				       "  \"on\": true,\n  \"gone\": null,\n  \"ports\": [80, 443]\n}");
	const cicd_node *r = cicd_document_root(doc, 0);
	const cicd_node *ports = cicd_node_get(r, "ports");
	CU_ASSERT_EQUAL(cicd_node_kind_of(r), CICD_NODE_MAPPING);
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(r, "name"), NULL), "web");
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "name")), CICD_VALUE_STRING);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "replicas")), CICD_VALUE_INT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "ratio")), CICD_VALUE_FLOAT);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "on")), CICD_VALUE_BOOL);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "gone")), CICD_VALUE_NULL);
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_get(r, "name")), 2);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_get(r, "name")), 11);
	CU_ASSERT_EQUAL(cicd_node_line(cicd_node_key(r, 1)), 3);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_key(r, 1)), 3);
	CU_ASSERT_EQUAL(cicd_node_line(ports), 7);
	CU_ASSERT_EQUAL(cicd_node_column(ports), 12);
	CU_ASSERT_EQUAL(cicd_node_column(cicd_node_item(ports, 1)), 17);
	cicd_document_free(doc);
}

static void test_json_strings_that_look_like_yaml_stay_strings(void)
{
	cicd_document *doc = load_json("{\"a\": \"yes\", \"b\": \"12\", \"c\": \"null\", \"d\": \"q\\\"x\"}");
	const cicd_node *r = cicd_document_root(doc, 0);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "a")), CICD_VALUE_STRING);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "b")), CICD_VALUE_STRING);
	CU_ASSERT_EQUAL(cicd_node_value_type(cicd_node_get(r, "c")), CICD_VALUE_STRING);
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(r, "d"), NULL), "q\"x");
	cicd_document_free(doc);
}

static void test_json_merge_key_is_ordinary(void)
{
	cicd_document *doc = load_json("{\"<<\": {\"x\": 1}}");
	CU_ASSERT_PTR_NOT_NULL(cicd_node_get(cicd_document_root(doc, 0), "<<"));
	cicd_document_free(doc);
}

static void test_json_syntax_error_has_position(void)
{
	cicd_document *doc = NULL;
	const char *bad = "{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}";
	CU_ASSERT_EQUAL(cicd_document_load_json(&doc, bad, strlen(bad), "bad.json", NULL), CICD_EPARSE);
	CU_ASSERT_PTR_NULL(doc);
	CICD_ASSERT_STR(cicd_error_last()->file, "bad.json");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "parse error"));
}

static void test_json_truncated_and_empty_inputs_fail(void)
{
	cicd_document *doc = NULL;
	CU_ASSERT_EQUAL(cicd_document_load_json(&doc, "{\"a\": [1, 2", 11, NULL, NULL), CICD_EPARSE);
	CU_ASSERT_EQUAL(cicd_document_load_json(&doc, "", 0, NULL, NULL), CICD_EPARSE);
	CU_ASSERT_EQUAL(cicd_document_load_json(&doc, "\"\xff\xfe\"", 4, NULL, NULL), CICD_EPARSE);
}

static void test_json_depth_limit(void)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	o.max_depth = 4;
	CU_ASSERT_EQUAL(cicd_document_load_json(&doc, "[[[[[1]]]]]", 11, "d.json", &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "nesting deeper than 4 levels");
	CU_ASSERT_EQUAL(cicd_error_last()->column, 5);
}

static void test_json_duplicate_keys_warn(void)
{
	cicd_document *doc = load_json("{\"a\": 1, \"a\": 2}");
	CU_ASSERT_EQUAL(cicd_diagnostics_count(cicd_document_diagnostics(doc)), 1);
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(cicd_document_root(doc, 0), "a"), NULL), "2");
	cicd_document_free(doc);
}

static void test_writer_escapes_and_nests(void)
{
	cicd_buf out = CICD_BUF_INIT;
	cicd_json_writer *w = cicd__json_new(&out, 0);
	cicd__json_begin_object(w);
	cicd__json_kv_string(w, "s", "a\"b\n\x01");
	cicd__json_kv_int(w, "i", -42);
	cicd__json_kv_bool(w, "b", 1);
	cicd__json_key(w, "n");
	cicd__json_string_or_null(w, NULL);
	cicd__json_key(w, "a");
	cicd__json_begin_array(w);
	cicd__json_uint(w, 18446744073709551615ULL);
	cicd__json_double(w, 0.25);
	cicd__json_end_array(w);
	cicd__json_end_object(w);
	CU_ASSERT_EQUAL(cicd__json_finish(w), 0);
	CICD_ASSERT_STR(out.ptr,
			"{\"s\":\"a\\\"b\\n\\u0001\",\"i\":-42,\"b\":true,\"n\":null,\"a\":[18446744073709551615,0.25]}");
	cicd_buf_dispose(&out);
}

static void test_writer_rejects_invalid_utf8(void)
{
	cicd_buf out = CICD_BUF_INIT;
	cicd_json_writer *w = cicd__json_new(&out, 0);
	cicd__json_begin_array(w);
	CU_ASSERT_EQUAL(cicd__json_string(w, "\xff"), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd__json_null(w), CICD_EINVALID); /* errors stick */
	CU_ASSERT_EQUAL(cicd__json_finish(w), CICD_EINVALID);
	cicd_buf_dispose(&out);
}

static void test_node_to_json_types_yaml_scalars(void)
{
	cicd_document *doc = NULL;
	const char *yaml = "b: yes\ni: 0x10\no: 017\nf: .5\ninf: .inf\ns: \"true\"\nn: ~\nl: [1, two]\nu: 1_000\n";
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_buffer(&doc, yaml, strlen(yaml), NULL, NULL), 0);
	CU_ASSERT_EQUAL(cicd_node_to_json(&out, cicd_document_root(doc, 0), 0), 0);
	CICD_ASSERT_STR(out.ptr, "{\"b\":true,\"i\":16,\"o\":15,\"f\":0.5,\"inf\":\".inf\",\"s\":\"true\",\"n\":null,"
				 "\"l\":[1,\"two\"],\"u\":1000}");
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_node_to_json(&out, cicd_document_root(doc, 0), CICD_FORMAT_SORT_KEYS), 0);
	CU_ASSERT_EQUAL(strncmp(out.ptr, "{\"b\":true,\"f\":0.5,\"i\":16,\"inf\"", 30), 0);
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_node_to_json(&out, cicd_document_root(doc, 0), CICD_FORMAT_PRETTY), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr, "\n  \"b\": true,\n"));
	CU_ASSERT_EQUAL(out.ptr[out.size - 1], '\n');
	cicd_buf_dispose(&out);
	cicd_document_free(doc);
}

static void test_node_to_yaml_round_trips_meaning(void)
{
	cicd_document *doc = NULL, *again = NULL;
	const char *yaml = "s: \"true\"\nn: \"12\"\nm: |\n  line one\n  line two\nt: !reference [a, b]\nplain: hi\n";
	cicd_buf out = CICD_BUF_INIT, j1 = CICD_BUF_INIT, j2 = CICD_BUF_INIT;
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_buffer(&doc, yaml, strlen(yaml), NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_node_to_yaml(&out, cicd_document_root(doc, 0), 0), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_buffer(&again, out.ptr, out.size, NULL, NULL), 0);
	cicd_node_to_json(&j1, cicd_document_root(doc, 0), 0);
	cicd_node_to_json(&j2, cicd_document_root(again, 0), 0);
	CICD_ASSERT_STR(j2.ptr, j1.ptr);
	CICD_ASSERT_STR(cicd_node_tag(cicd_node_get(cicd_document_root(again, 0), "t")), "!reference");
	CU_ASSERT_EQUAL(cicd_node_scalar_style(cicd_node_get(cicd_document_root(again, 0), "m")), CICD_SCALAR_LITERAL);
	cicd_buf_dispose(&out);
	cicd_buf_dispose(&j1);
	cicd_buf_dispose(&j2);
	cicd_document_free(doc);
	cicd_document_free(again);
}

CICD_SUITE(json,
	   CICD_TEST(test_json_loads_types_and_positions),
	   CICD_TEST(test_json_strings_that_look_like_yaml_stay_strings),
	   CICD_TEST(test_json_merge_key_is_ordinary),
	   CICD_TEST(test_json_syntax_error_has_position),
	   CICD_TEST(test_json_truncated_and_empty_inputs_fail),
	   CICD_TEST(test_json_depth_limit),
	   CICD_TEST(test_json_duplicate_keys_warn),
	   CICD_TEST(test_writer_escapes_and_nests),
	   CICD_TEST(test_writer_rejects_invalid_utf8),
	   CICD_TEST(test_node_to_json_types_yaml_scalars),
	   CICD_TEST(test_node_to_yaml_round_trips_meaning))
