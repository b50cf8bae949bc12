/*
 * Loading a pipeline (includes, extends, !reference, validation, typed
 * model) against libyaml on the same bytes: libyaml's raw event parse
 * (the floor for time) and libyaml's document loader (a tree, the fair
 * floor for memory). Every measurement runs in a forked child so peak RSS
 * is its own; times are CPU time (steadier than wall time on a shared
 * machine), the best of N runs.
 *
 * usage: bench_pipeline [SCALE] [RUNS] [--keep]   (--keep leaves the generated files, for profiling)
 *   generated project: 50 local includes, 26*SCALE jobs each (1,300 at
 *   scale 1), extends chains 10 deep, !reference, rules, needs; plus a
 *   real-world-sized single file (~150 jobs with anchors, rules, needs);
 *   then scales 1, 2, 4 for linearity.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "cicd/cicd.h"
#include "cicd/pipeline.h"
#include "util.h"

#define INCLUDES 50

typedef struct result {
	double seconds;
	long rss_kib;
} result;

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if ((size_t)n < *cap - *len)
			break;
		*cap = *cap * 2 + (size_t)n;
		*buf = realloc(*buf, *cap);
	}
	*len += (size_t)n;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	fclose(f);
}

/* A project in dir: .gitlab-ci.yml + ci/part-N.yml. Returns every file's bytes concatenated (for libyaml). */
static char *generate_project(const char *dir, int scale, size_t *all_len, size_t *jobs)
{
	char path[512];
	size_t cap = 1 << 20, len = 0, acap = 1 << 20, alen = 0;
	char *buf = malloc(cap), *all = malloc(acap);
	int i, j, k;
	*jobs = 0;
	snprintf(path, sizeof path, "%s/ci", dir);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	append(&buf, &len, &cap,
	       "stages: [build, test, deploy]\nvariables:\n  GLOBAL: \"1\"\n"
	       "default:\n  image: alpine:3.20\n  tags: [k8s]\n  retry: 1\n"
	       "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n    - if: $CI_COMMIT_TAG\n"
	       ".chain-0:\n  variables: {LEVEL0: \"0\"}\n  script: [echo base]\n"
	       "  before_script: [echo setup]\n");
	for (k = 1; k < 10; k++)
		append(&buf, &len, &cap, ".chain-%d:\n  extends: .chain-%d\n  variables: {LEVEL%d: \"%d\"}\n", k, k - 1,
		       k, k);
	append(&buf, &len, &cap,
	       ".rules:\n  on-branch:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n"
	       "    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n      when: manual\n"
	       "      allow_failure: true\ninclude:\n");
	for (i = 0; i < INCLUDES; i++)
		append(&buf, &len, &cap, "  - local: ci/part-%d.yml\n", i);
	append(&buf, &len, &cap, "final:\n  stage: deploy\n  script: [echo done]\n");
	(*jobs)++;
	snprintf(path, sizeof path, "%s/.gitlab-ci.yml", dir);
	write_file(path, buf, len);
	append(&all, &alen, &acap, "%s", buf);
	for (i = 0; i < INCLUDES; i++) {
		len = 0;
		for (j = 0; j < 26 * scale; j++) {
			const char *stage = j % 3 == 0 ? "build" : j % 3 == 1 ? "test" : "deploy";
			append(&buf, &len, &cap,
			       "job-%d-%d:\n  extends: .chain-9\n  stage: %s\n  variables:\n    SHARD: \"%d\"\n"
			       "  script:\n    - !reference [.chain-0, before_script]\n    - make test SHARD=$SHARD\n"
			       "  rules: !reference [.rules, on-branch]\n  artifacts:\n    paths: [out/%d]\n"
			       "    expire_in: 1 week\n  cache: {key: k-%d, paths: [.cache]}\n",
			       i, j, stage, j, j, i);
			if (j % 3 == 2)
				append(&buf, &len, &cap, "  needs: [job-%d-%d, {job: job-%d-%d, artifacts: false}]\n",
				       i, j - 1, i, j - 2);
			(*jobs)++;
		}
		snprintf(path, sizeof path, "%s/ci/part-%d.yml", dir, i);
		write_file(path, buf, len);
		append(&all, &alen, &acap, "---\n%s", buf);
	}
	free(buf);
	*all_len = alen;
	return all;
}

/* A single file of the size and shape of a large real project (~150 jobs). */
static char *generate_real_world(size_t *len_out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int j;
	append(&buf, &len, &cap,
	       "stages: [prepare, build, test, security, deploy, post]\n"
	       "variables:\n  DOCKER_DRIVER: overlay2\n  FF_USE_FASTZIP: \"true\"\n"
	       "default:\n  image: registry.example.com/ci/base:2026.1\n  interruptible: true\n"
	       "  retry: {max: 2, when: [runner_system_failure, stuck_or_timeout_failure]}\n"
	       "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"
	       "    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS\n      when: never\n"
	       "    - if: $CI_COMMIT_BRANCH\n    - if: $CI_COMMIT_TAG\n"
	       ".if-mr: &if-mr\n  if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"
	       ".if-default: &if-default\n  if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n"
	       ".cache: &cache\n  key: {files: [Gemfile.lock], prefix: gems}\n  paths: [vendor/ruby]\n"
	       ".rspec-base:\n  stage: test\n  cache: *cache\n  before_script: [bundle install]\n"
	       "  artifacts:\n    when: always\n    reports: {junit: rspec.xml}\n    expire_in: 31d\n"
	       "  rules:\n    - <<: *if-mr\n      changes: [app/**/*, spec/**/*]\n    - *if-default\n");
	for (j = 0; j < 150; j++) {
		if (j % 10 == 0)
			append(&buf, &len, &cap,
			       "build-%d:\n  stage: build\n  script: [make build-%d]\n"
			       "  artifacts: {paths: [dist/%d]}\n",
			       j, j, j);
		else
			append(&buf, &len, &cap,
			       "rspec-%d:\n  extends: .rspec-base\n  parallel: %d\n  needs: [build-%d]\n"
			       "  variables: {SUITE: unit-%d}\n  script:\n    - bundle exec rspec --tag suite-%d\n"
			       "  timeout: 90 minutes\n",
			       j, 1 + j % 5, j - j % 10, j, j);
	}
	*len_out = len;
	return buf;
}

/* CPU time of this process: steadier than wall time on a shared machine. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double raw_events(const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int done = 0;
	double t0 = cpu_now();
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev))
			exit(3);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return cpu_now() - t0;
}

/* libyaml's document loader, keeping every document alive (as a pipeline keeps every file). */
static double raw_documents(const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_document_t *docs = NULL;
	size_t n = 0, cap = 0, i;
	double t0 = cpu_now();
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			docs = realloc(docs, cap * sizeof *docs);
		}
		if (!yaml_parser_load(&p, &docs[n]))
			exit(3);
		if (!yaml_document_get_root_node(&docs[n])) {
			yaml_document_delete(&docs[n]);
			break;
		}
		n++;
	}
	t0 = cpu_now() - t0;
	for (i = 0; i < n; i++)
		yaml_document_delete(&docs[i]);
	free(docs);
	yaml_parser_delete(&p);
	return t0;
}

enum { NOTHING, RAW_EVENTS, RAW_DOCUMENTS, PIPELINE_FILE, PIPELINE_BUFFER };

static double run_once(int what, const char *buf, size_t len, const char *path, size_t expect_jobs)
{
	cicd_pipeline *p = NULL;
	double t0;
	int rc;
	if (what == NOTHING)
		return 0;
	if (what == RAW_EVENTS)
		return raw_events(buf, len);
	if (what == RAW_DOCUMENTS)
		return raw_documents(buf, len);
	t0 = cpu_now();
	if (what == PIPELINE_FILE)
		rc = cicd_pipeline_load_file(&p, NULL, path, NULL);
	else
		rc = cicd_pipeline_load_buffer(&p, NULL, buf, len, "real-world.yml", NULL);
	t0 = cpu_now() - t0;
	if (rc || cicd_pipeline_job_count(p) != expect_jobs) {
		fprintf(stderr, "pipeline load failed (%d, %zu jobs): %s:%u:%u: %s\n", rc, cicd_pipeline_job_count(p),
		        cicd_error_last()->file, cicd_error_last()->line, cicd_error_last()->column,
		        cicd_error_last()->message);
		exit(4);
	}
	cicd_pipeline_free(p);
	return t0;
}

/* Best time of `runs` in a child process, with that child's peak RSS. */
static result measure(int what, const char *buf, size_t len, const char *path, size_t jobs, int runs)
{
	int fds[2];
	result r = {0, 0};
	pid_t pid;
	if (pipe(fds))
		exit(2);
	pid = fork();
	if (pid == 0) {
		result best = {what == NOTHING ? 0 : 1e9, 0};
		int i;
		for (i = 0; i < runs; i++) {
			double t = run_once(what, buf, len, path, jobs);
			if (t < best.seconds)
				best.seconds = t;
		}
		best.rss_kib = bench_peak_rss_kib();
		if (write(fds[1], &best, sizeof best) != (ssize_t)sizeof best)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof r) != (ssize_t)sizeof r) {
		fprintf(stderr, "measurement failed\n");
		exit(2);
	}
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return r;
}

static void report(const char *label, const char *buf, size_t len, const char *path, size_t jobs, int runs)
{
	long base = measure(NOTHING, buf, len, path, jobs, 1).rss_kib;
	result ev = measure(RAW_EVENTS, buf, len, path, jobs, runs);
	result doc = measure(RAW_DOCUMENTS, buf, len, path, jobs, runs);
	result pl = measure(path ? PIPELINE_FILE : PIPELINE_BUFFER, buf, len, path, jobs, runs);
	printf("%s: %zu jobs, %.2f MB\n", label, jobs, (double)len / 1e6);
	printf("  libyaml events    %8.2f ms  peak %6ld KiB\n", ev.seconds * 1e3, ev.rss_kib);
	printf("  libyaml documents %8.2f ms  peak %6ld KiB\n", doc.seconds * 1e3, doc.rss_kib);
	printf("  cicd pipeline     %8.2f ms  peak %6ld KiB\n", pl.seconds * 1e3, pl.rss_kib);
	printf("  ratio time pipeline/events %.2fx, pipeline/documents %.2fx\n", pl.seconds / ev.seconds,
	       pl.seconds / doc.seconds);
	printf("  ratio memory above the idle child (%ld KiB) pipeline/documents %.2fx\n", base,
	       (double)(pl.rss_kib - base) / (double)(doc.rss_kib > base ? doc.rss_kib - base : 1));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1, runs = argc > 2 ? atoi(argv[2]) : 5, s;
	char dir[] = "/tmp/bench-pipeline-XXXXXX", path[600];
	size_t len, jobs;
	char *all, *real;
	if (!mkdtemp(dir))
		return 2;
	all = generate_project(dir, scale, &len, &jobs);
	snprintf(path, sizeof path, "%s/.gitlab-ci.yml", dir);
	report("generated project (50 local includes, extends 10 deep)", all, len, path, jobs, runs);
	free(all);
	real = generate_real_world(&len);
	report("real-world-sized single file", real, len, NULL, 150, runs);
	free(real);
	printf("linearity (generated project):\n");
	for (s = 1; s <= 4; s *= 2) {
		char sub[700];
		result pl;
		snprintf(sub, sizeof sub, "%s/scale-%d", dir, s);
		all = generate_project(sub, s, &len, &jobs);
		snprintf(path, sizeof path, "%s/.gitlab-ci.yml", sub);
		pl = measure(PIPELINE_FILE, all, len, path, jobs, runs);
		printf("  scale %d: %5zu jobs %6.2f MB  %8.2f ms  %.2f us/job  peak %ld KiB\n", s, jobs,
		       (double)len / 1e6, pl.seconds * 1e3, pl.seconds * 1e6 / (double)jobs, pl.rss_kib);
		free(all);
	}
	if (argc > 3 && !strcmp(argv[3], "--keep"))
		printf("generated files kept in %s\n", dir);
	else
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
