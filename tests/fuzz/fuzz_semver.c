/*
 * libFuzzer target: version and range parsing, in every mode, then
 * compare, inc and satisfies on what parsed. Any crash, leak, sanitizer
 * report or hang is a bug. The first byte picks the flags.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sorts the input's lines that parse, both ways, and checks the order. */
static void sort_lines(const char *text, size_t size, const cicd_semver_options *opts)
{
	cicd_semver *v[64];
	size_t n = 0, st = 0, i;
	int dir;
	for (i = 0; i <= size && n < 64; i++) {
		if (i < size && text[i] != '\n')
			continue;
		if (cicd_semver_parse(&v[n], text + st, i - st, opts) == 0)
			n++;
		st = i + 1;
	}
	for (dir = 0; dir < 2; dir++) {
		if (cicd_semver_sort(v, n, dir ? CICD_SEMVER_SORT_REVERSE : 0) != 0)
			break;
		for (i = 0; i + 1 < n; i++)
			if (cicd_semver_compare_build(v[i], v[i + 1]) * (dir ? -1 : 1) > 0 &&
			    cicd_semver_compare(v[i], v[i + 1]) * (dir ? -1 : 1) > 0)
				__builtin_trap(); /* out of order (build ties may be non-transitive, as in node) */
	}
	for (i = 0; i < n; i++)
		cicd_semver_free(v[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_semver_options opts = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver *v = NULL, *w = NULL, *n = NULL;
	cicd_semver_range *r = NULL;
	const char *text;
	size_t i;
	if (!size)
		return 0;
	opts.flags = data[0] & (CICD_SEMVER_LOOSE | CICD_SEMVER_INCLUDE_PRERELEASE);
	opts.max_range_length = 4096;
	text = (const char *)data + 1;
	size--;
	if (cicd_semver_parse(&v, text, size, &opts) == 0) {
		for (i = CICD_SEMVER_MAJOR; i <= CICD_SEMVER_RELEASE; i++) {
			if (cicd_semver_inc(&n, v, (cicd_semver_release)i, (data[0] & 4) ? "rc.1" : NULL, &opts) == 0) {
				if (cicd_semver_compare(n, v) < 0 && i != CICD_SEMVER_RELEASE &&
				    i != CICD_SEMVER_PRERELEASE)
					__builtin_trap(); /* only release and a prerelease with a new preid go down */
				cicd_semver_free(n);
			}
		}
		if (cicd_semver_dup(&w, v) == 0) {
			if (cicd_semver_compare_build(v, w) != 0)
				__builtin_trap();
			cicd_semver_free(w);
		}
	}
	if (cicd_semver_coerce(&w, text, size, &opts) == 0)
		cicd_semver_free(w);
	if (cicd_semver_range_parse(&r, text, size, &opts) == 0) {
		cicd_semver_range *again = NULL;
		const char *t = cicd_semver_range_text(r);
		if (v)
			cicd_semver_range_test(r, v);
		/* the desugared text is itself a range with the same meaning */
		if (cicd_semver_range_parse(&again, t, strlen(t), &opts) != 0)
			__builtin_trap();
		cicd_semver_range_free(again);
		cicd_semver_range_free(r);
	}
	cicd_semver_free(v);
	sort_lines(text, size, &opts);
	return 0;
}
