/*
 * libFuzzer target: the YAML document loader, then the JSON and YAML
 * writers over whatever it loaded. Small limits keep each run fast; any
 * crash, leak, sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_document_options opts = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	size_t i;
	opts.max_depth = 64;
	opts.max_alias_expansion = 10000;
	opts.max_nodes = 100000;
	opts.flags = size && (data[0] & 1) ? CICD_DOCUMENT_STRICT_KEYS : 0;
	if (cicd_document_load_buffer(&doc, (const char *)data, size, "fuzz.yml", &opts) == 0) {
		for (i = 0; i < cicd_document_count(doc); i++) {
			const cicd_node *root = cicd_document_root(doc, i);
			cicd_buf out = CICD_BUF_INIT;
			if (!root)
				continue;
			cicd_node_to_json(&out, root, CICD_FORMAT_SORT_KEYS);
			cicd_buf_dispose(&out);
			cicd_node_to_yaml(&out, root, 0);
			cicd_buf_dispose(&out);
		}
		cicd_document_free(doc);
	}
	doc = NULL;
	if (cicd_document_load_json(&doc, (const char *)data, size, "fuzz.json", &opts) == 0)
		cicd_document_free(doc);
	return 0;
}
