/*
 * The streaming trace masker against a naive baseline in the same run: one
 * memmem() pass per masked value over the whole trace, building a new copy
 * each time (what a first implementation does, without streaming, token
 * prefixes or URL parameters). The masker gets the trace in 64 KiB writes,
 * as a runner's log reader hands it over, and also computes the CRC-32.
 *
 * usage: bench_mask [MB] [VALUES] [RUNS]   (defaults: 64 MB, 32 values, 5 runs)
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "util.h"

static const char *const WORDS[] = {"Compiling",
                                    "src/core/document.c",
                                    "ok",
                                    "PASS",
                                    "test_",
                                    "Downloading",
                                    "https://example.com/pkg?version=1.2&arch=amd64",
                                    "layer",
                                    "sha256:",
                                    "Step",
                                    "RUN",
                                    "make",
                                    "-j2",
                                    "warning:",
                                    "[INFO]",
                                    "glibc",
                                    "=>",
                                    "done",
                                    "42",
                                    "ms"};

static char *generate(size_t target, char **values, size_t nvalues, size_t *len)
{
	char *buf = malloc(target + 256);
	size_t n = 0, line = 0;
	while (n < target) {
		size_t w, words = 6 + (line % 9);
		for (w = 0; w < words && n < target; w++) {
			const char *word = WORDS[(line * 7 + w * 13) % (sizeof WORDS / sizeof WORDS[0])];
			/* one line in 64 carries a secret */
			if (w == 3 && line % 64 == 0)
				word = values[(line / 64) % nvalues];
			n += (size_t)snprintf(buf + n, target + 256 - n, "%s ", word);
		}
		buf[n++] = '\n';
		line++;
	}
	*len = n;
	return buf;
}

static size_t naive(const char *in, size_t len, char **values, size_t nvalues, char **scratch)
{
	char *cur = malloc(len + 1), *next;
	size_t curlen = len, v;
	memcpy(cur, in, len);
	for (v = 0; v < nvalues; v++) {
		size_t vlen = strlen(values[v]), at = 0, n = 0;
		next = malloc(curlen + 1);
		for (;;) {
			char *hit = memmem(cur + at, curlen - at, values[v], vlen);
			size_t upto = hit ? (size_t)(hit - cur) : curlen;
			memcpy(next + n, cur + at, upto - at);
			n += upto - at;
			if (!hit)
				break;
			memcpy(next + n, "[MASKED]", 8); /* every value is at least 8 bytes */
			n += 8;
			at = upto + vlen;
		}
		free(cur);
		cur = next;
		curlen = n;
	}
	*scratch = cur;
	return curlen;
}

static size_t masked(const char *in, size_t len, cicd_mask *m, cicd_buf *out)
{
	size_t at = 0;
	out->size = 0;
	while (at < len) {
		size_t chunk = len - at < 65536 ? len - at : 65536;
		if (cicd_mask_write(m, out, in + at, chunk)) {
			fprintf(stderr, "mask failed: %s\n", cicd_error_last()->message);
			exit(1);
		}
		at += chunk;
	}
	cicd_mask_finish(m, out);
	return out->size;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 64, nvalues = argc > 2 ? (size_t)atol(argv[2]) : 32;
	int runs = argc > 3 ? atoi(argv[3]) : 5, r;
	char **values = calloc(nvalues, sizeof *values);
	size_t i, len, out_naive = 0, out_mask = 0;
	double best_naive = 1e9, best_mask = 1e9;
	char *trace;
	cicd_buf out = CICD_BUF_INIT;
	for (i = 0; i < nvalues; i++) {
		values[i] = malloc(40);
		snprintf(values[i], 40, "S%zuecretValue-%08zx", i, i * 2654435761u);
	}
	trace = generate(mb << 20, values, nvalues, &len);
	for (r = 0; r < runs; r++) {
		char *scratch;
		cicd_mask *m = NULL;
		double t0 = bench_now(), t;
		out_naive = naive(trace, len, values, nvalues, &scratch);
		t = bench_now() - t0;
		free(scratch);
		if (t < best_naive)
			best_naive = t;
		if (cicd_mask_new(&m, (const char *const *)values, NULL, nvalues, NULL)) {
			fprintf(stderr, "mask_new failed\n");
			return 1;
		}
		t0 = bench_now();
		out_mask = masked(trace, len, m, &out);
		t = bench_now() - t0;
		cicd_mask_free(m);
		if (t < best_mask)
			best_mask = t;
	}
	if (out_naive != out_mask) {
		fprintf(stderr, "outputs differ: naive %zu bytes, masker %zu bytes\n", out_naive, out_mask);
		return 1;
	}
	printf("trace %.1f MB, %zu masked values, best of %d runs\n", len / 1e6, nvalues, runs);
	printf("naive memmem per value: %8.1f MB/s\n", len / 1e6 / best_naive);
	printf("cicd_mask (streaming):  %8.1f MB/s (+ prefixes, URL params, CRC-32)\n", len / 1e6 / best_mask);
	printf("ratio masker/naive: %.2fx\n", best_naive / best_mask);
	cicd_buf_dispose(&out);
	free(trace);
	for (i = 0; i < nvalues; i++)
		free(values[i]);
	free(values);
	return 0;
}
