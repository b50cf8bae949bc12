/*
 * libFuzzer target: the manifest loader and validator, then order, a
 * transform, rendering, hashing and a diff against the untransformed set.
 * The first byte picks YAML or JSON; small limits keep runs fast. Any
 * crash, leak, sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_manifest_options opts = CICD_MANIFEST_OPTIONS_INIT;
	cicd_manifest_set *set = NULL, *orig = NULL;
	cicd_diagnostics *diags = NULL;
	cicd_manifest_diff *diff = NULL;
	cicd_buf out = CICD_BUF_INIT;
	char hash[CICD_MANIFEST_HASH_SIZE];
	dopts.max_depth = 64;
	dopts.max_alias_expansion = 10000;
	dopts.max_nodes = 100000;
	opts.document = &dopts;
	opts.max_objects = 1000;
	opts.format = size && (data[0] & 1) ? CICD_MANIFEST_FORMAT_JSON : CICD_MANIFEST_FORMAT_YAML;
	if (cicd_manifest_set_new(&set) || cicd_manifest_set_new(&orig))
		goto done;
	if (cicd_manifest_set_add_buffer(set, (const char *)data, size, "fuzz.yaml", &opts) ||
	    cicd_manifest_set_add_buffer(orig, (const char *)data, size, "fuzz.yaml", &opts))
		goto done;
	cicd_manifest_set_validate(&diags, set, NULL);
	cicd_diagnostics_free(diags);
	cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_APPLY);
	cicd_manifest_set_image(NULL, set, "nginx", "mirror/nginx", "1", NULL);
	cicd_manifest_set_label(set, "app", "fuzz", CICD_MANIFEST_META_TEMPLATES);
	cicd_manifest_set_namespace(set, "fuzz");
	cicd_manifest_set_validate(NULL, set, NULL);
	cicd_manifest_set_render(&out, set, CICD_MANIFEST_FORMAT_YAML, 0);
	cicd_buf_dispose(&out);
	cicd_manifest_set_render(&out, set, CICD_MANIFEST_FORMAT_JSON, CICD_FORMAT_SORT_KEYS);
	cicd_buf_dispose(&out);
	cicd_manifest_set_hash(hash, sizeof hash, set);
	if (cicd_manifest_diff_new(&diff, orig, set) == 0) {
		cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_TEXT);
		cicd_buf_dispose(&out);
		cicd_manifest_diff_render(&out, diff, CICD_MANIFEST_DIFF_JSON);
		cicd_buf_dispose(&out);
		cicd_manifest_diff_free(diff);
	}
done:
	cicd_manifest_set_free(set);
	cicd_manifest_set_free(orig);
	return 0;
}
