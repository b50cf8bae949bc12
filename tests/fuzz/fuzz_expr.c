/*
 * libFuzzer target: the rules:if compiler and evaluator, and the string
 * expansion, over arbitrary bytes. The first byte picks options and which
 * variables are defined; any crash, leak, sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"A", "B", "EMPTY", "PAT", "CI_COMMIT_BRANCH"};
static const char *const values[] = {"alpha", "/^al/i", "", "/(/", "feature/80-optimize-allocate"};

static int lookup(const char **value, size_t *len, const char *name, void *payload)
{
	unsigned int mask = *(const unsigned int *)payload;
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((mask & (1u << i)) && strcmp(name, names[i]) == 0) {
			*value = values[i];
			*len = strlen(values[i]);
			return 1;
		}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_expr_options opts = CICD_EXPR_OPTIONS_INIT;
	cicd_expr *e = NULL;
	cicd_buf out = CICD_BUF_INIT;
	unsigned int mask = size ? data[0] : 0;
	int result;
	if (size) {
		data++;
		size--;
	}
	opts.line = 3;
	opts.column = 7;
	opts.max_tokens = (mask & 0x80) ? 4096 : 0;
	if (cicd_expr_compile(&e, (const char *)data, size, &opts) == 0) {
		cicd_expr_eval(&result, e, lookup, &mask);
		cicd_expr_eval(&result, e, NULL, NULL);
		cicd_expr_free(e);
	}
	cicd_expand(&out, (const char *)data, size, mask & 3, lookup, &mask);
	cicd_buf_dispose(&out);
	return 0;
}
