/*
 * The document loader against libyaml's raw event parse of the same bytes.
 * Both are timed in the same process, best of N runs, and reported as a
 * ratio: the loader builds a full tree with positions, merge keys and
 * duplicate checks, so the ratio is the cost of all that over scanning.
 *
 * usage: bench_yaml_loader [FILE] [RUNS]   (no FILE: a generated 8 MB CI-like file)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"
#include "cicd/cicd.h"

static char *generate(size_t target, size_t *len)
{
	size_t cap = target + 4096, n = 0, job = 0;
	char *buf = malloc(cap);
	n += (size_t)snprintf(buf + n, cap - n, ".defaults: &defaults\n  image: alpine:3.19\n  tags: [k8s, linux]\n"
						"  retry: {max: 2, when: [runner_system_failure]}\n");
	while (n + 1024 < target) {
		n += (size_t)snprintf(buf + n, cap - n,
				      "job-%zu:\n  <<: *defaults\n  stage: test\n  variables:\n    SHARD: \"%zu\"\n"
				      "    GOFLAGS: -mod=readonly\n  script:\n    - echo \"running shard %zu\"\n"
				      "    - make test SHARD=$SHARD\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"dev\"\n"
				      "      when: always\n    - when: manual\n  artifacts:\n    paths: [out/%zu]\n"
				      "    expire_in: 1 week\n",
				      job, job, job, job);
		job++;
	}
	*len = n;
	return buf;
}

static long raw_parse(const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	long events = 0;
	int done = 0;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "libyaml failed\n");
			exit(1);
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		events++;
	}
	yaml_parser_delete(&p);
	return events;
}

int main(int argc, char **argv)
{
	size_t len;
	char *buf = argc > 1 && strcmp(argv[1], "-") ? bench_read_file(argv[1], &len) : generate(8u << 20, &len);
	int runs = argc > 2 ? atoi(argv[2]) : 5, i;
	double best_raw = 1e9, best_load = 1e9;
	for (i = 0; i < runs; i++) {
		double t0 = bench_now(), t1;
		cicd_document *doc = NULL;
		raw_parse(buf, len);
		t1 = bench_now();
		if (t1 - t0 < best_raw)
			best_raw = t1 - t0;
		t0 = bench_now();
		if (cicd_document_load_buffer(&doc, buf, len, "bench.yml", NULL)) {
			fprintf(stderr, "load failed: %s\n", cicd_error_last()->message);
			return 1;
		}
		t1 = bench_now();
		cicd_document_free(doc);
		if (t1 - t0 < best_load)
			best_load = t1 - t0;
	}
	printf("input: %.1f MB\n", (double)len / 1e6);
	printf("libyaml raw events: %.1f ms (%.1f MB/s)\n", best_raw * 1e3, (double)len / 1e6 / best_raw);
	printf("cicd_document_load: %.1f ms (%.1f MB/s)\n", best_load * 1e3, (double)len / 1e6 / best_load);
	printf("ratio loader/raw: %.2fx\n", best_load / best_raw);
	printf("peak rss: %ld KiB\n", bench_peak_rss_kib());
	free(buf);
	return 0;
}
