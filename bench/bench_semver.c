/*
 * SemVer speed, the library's side (bench/semver.sh runs node-semver on the
 * same files and prints the ratios). Each measurement is the best of RUNS:
 *   parse       parse every version
 *   compare     N comparisons of parsed versions (a[i] vs a[i+1])
 *   compare_str N comparisons of version strings (parse both, compare)
 *   sort        sort the parsed versions (stable, build metadata breaks ties)
 *   satisfies   N range/version string pairs: each distinct range parsed once,
 *               each version tested as text (cicd_semver_range_test_str)
 * It also counts the allocations made by the compare loop (must be 0).
 *
 * usage: bench_semver VERSIONS_FILE PAIRS_FILE [RUNS]   (one per line; pairs are RANGE<TAB>VERSION)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/semver.h"
#include "util.h"

static size_t g_allocs;

static void *count_malloc(size_t n)
{
	g_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n)
{
	g_allocs++;
	return realloc(p, n);
}

/* Splits text into lines in place. */
static char **lines(char *text, size_t len, size_t *count)
{
	size_t cap = 1024, n = 0, i, st = 0;
	char **out = malloc(cap * sizeof *out);
	for (i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		text[i] = '\0';
		if (n == cap)
			out = realloc(out, (cap *= 2) * sizeof *out);
		out[n++] = text + st;
		st = i + 1;
	}
	*count = n;
	return out;
}

static double best(double *slot, double t)
{
	if (t < *slot)
		*slot = t;
	return *slot;
}

/* An open-addressing map from range text to its parsed range, for the pairs' distinct ranges. */
typedef struct {
	const char *key;
	cicd_semver_range *r;
} slot;

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

int main(int argc, char **argv)
{
	size_t vlen, plen, nv, np, i, cap = 1 << 16;
	char *vtext, *ptext, **vs, **ps, **vers;
	cicd_semver **parsed, **sorted;
	slot *map;
	int runs = argc > 3 ? atoi(argv[3]) : 3, run;
	double t_parse = 1e9, t_cmp = 1e9, t_cmps = 1e9, t_sort = 1e9, t_sat = 1e9, t0;
	long sink = 0, matched = 0;
	size_t allocs;
	if (argc < 3) {
		fprintf(stderr, "usage: %s VERSIONS_FILE PAIRS_FILE [RUNS]\n", argv[0]);
		return 2;
	}
	vtext = bench_read_file(argv[1], &vlen);
	ptext = bench_read_file(argv[2], &plen);
	vs = lines(vtext, vlen, &nv);
	ps = lines(ptext, plen, &np);
	parsed = calloc(nv, sizeof *parsed);
	sorted = malloc(nv * sizeof *sorted);
	vers = malloc(np * sizeof *vers);
	for (i = 0; i < np; i++) {
		char *tab = strchr(ps[i], '\t');
		if (!tab) {
			fprintf(stderr, "pair %zu has no tab\n", i + 1);
			return 2;
		}
		*tab = '\0';
		vers[i] = tab + 1;
	}
	for (run = 0; run < runs; run++) {
		for (i = 0; i < nv; i++)
			cicd_semver_free(parsed[i]);
		t0 = bench_now();
		for (i = 0; i < nv; i++)
			if (cicd_semver_parse(&parsed[i], vs[i], strlen(vs[i]), NULL) < 0) {
				fprintf(stderr, "line %zu: %s\n", i + 1, cicd_error_last()->message);
				return 1;
			}
		best(&t_parse, bench_now() - t0);

		cicd_allocator_set(count_malloc, count_realloc, free);
		g_allocs = 0;
		t0 = bench_now();
		for (i = 0; i + 1 < nv; i++)
			sink += cicd_semver_compare(parsed[i], parsed[i + 1]);
		sink += cicd_semver_compare(parsed[nv - 1], parsed[0]);
		best(&t_cmp, bench_now() - t0);
		allocs = g_allocs;
		cicd_allocator_reset();

		t0 = bench_now();
		for (i = 0; i < nv; i++) {
			int c = 0;
			cicd_semver_compare_str(&c, vs[i], vs[i + 1 < nv ? i + 1 : 0], NULL);
			sink += c;
		}
		best(&t_cmps, bench_now() - t0);

		memcpy(sorted, parsed, nv * sizeof *sorted);
		t0 = bench_now();
		cicd_semver_sort(sorted, nv, 0);
		best(&t_sort, bench_now() - t0);

		map = calloc(cap, sizeof *map);
		matched = 0;
		t0 = bench_now();
		for (i = 0; i < np; i++) {
			unsigned long h = hash(ps[i]) & (cap - 1);
			int ok = 0;
			while (map[h].key && strcmp(map[h].key, ps[i]))
				h = (h + 1) & (cap - 1);
			if (!map[h].key) {
				map[h].key = ps[i];
				if (cicd_semver_range_parse(&map[h].r, ps[i], strlen(ps[i]), NULL) < 0) {
					fprintf(stderr, "range %s: %s\n", ps[i], cicd_error_last()->message);
					return 1;
				}
			}
			if (cicd_semver_range_test_str(&ok, map[h].r, vers[i], strlen(vers[i])) == 0)
				matched += ok;
		}
		best(&t_sat, bench_now() - t0);
		for (i = 0; i < cap; i++)
			cicd_semver_range_free(map[i].r);
		free(map);
	}
	printf("versions %zu\npairs %zu\nsatisfied %ld\n", nv, np, matched);
	printf("time parse %.6f\ntime compare %.6f\ntime compare_str %.6f\ntime sort %.6f\ntime satisfies %.6f\n",
	       t_parse, t_cmp, t_cmps, t_sort, t_sat);
	printf("allocations_in_compare_loop %zu\nsink %ld\npeak_rss_kib %ld\n", allocs, sink, bench_peak_rss_kib());
	for (i = 0; i < nv; i++)
		cicd_semver_free(parsed[i]);
	free(parsed);
	free(sorted);
	free(vers);
	free(vs);
	free(ps);
	free(vtext);
	free(ptext);
	return 0;
}
