/*
 * libFuzzer target: the deploy push path — the input is a manifest stream
 * pushed as a version of a resource set into an in-memory store (manifest
 * parsing, validation, owner labels, waves, content addressing), then the
 * version is listed and diffed against the first one. The first line, when
 * it starts with '#', names the PROJECT/SET@VERSION used for the diff.
 * Any crash, leak, sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cicd_deploy_store *store;
	cicd_buf out = CICD_BUF_INIT;
	char ref[128] = "shop/web@1";
	const char *text = (const char *)data;
	if (!store && cicd_deploy_store_open(&store, ":memory:", NULL) < 0)
		return 0;
	if (size && text[0] == '#') {
		const char *nl = memchr(text, '\n', size);
		size_t n = nl ? (size_t)(nl - text) - 1 : size - 1;
		if (n >= sizeof ref)
			n = sizeof ref - 1;
		memcpy(ref, text + 1, n);
		ref[n] = '\0';
	}
	if (cicd_deploy_push_buffer(&out, store, "shop/web", text, size, "fuzz.yaml", NULL) == 0) {
		cicd_buf_dispose(&out);
		cicd_deploy_versions_json(&out, store, "shop/web");
		cicd_buf_dispose(&out);
		cicd_deploy_diff_versions(&out, store, ref, "shop/web@1", CICD_DEPLOY_DIFF_JSON);
	}
	cicd_buf_dispose(&out);
	return 0;
}
