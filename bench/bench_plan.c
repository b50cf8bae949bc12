/*
 * Planning a large generated configuration for the ten triggers of the
 * compat harness. Times what gitlab-ci-local does per trigger (load the
 * file, then plan) and the planner alone once loaded (plans per second).
 * bench/plan_vs_gitlab_ci_local.sh runs gitlab-ci-local on the same file
 * in the same run and prints the ratio.
 *
 * usage: bench_plan --generate OUT.yml [JOBS]   (default 600 jobs)
 *        bench_plan FILE [RUNS]                  (default 5 runs, best kept)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "cicd/cicd.h"

static const char *const STAGES[] = {"lint", "build", "test", "package", "deploy", "verify"};

static int generate(const char *path, unsigned int jobs)
{
	FILE *f = fopen(path, "w");
	unsigned int i;
	if (!f)
		return 1;
	fprintf(f, "workflow:\n  name: '$CI_COMMIT_REF_NAME generated'\n  rules:\n"
		   "    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"
		   "    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS\n      when: never\n"
		   "    - if: $CI_COMMIT_BRANCH\n    - if: $CI_COMMIT_TAG\n"
		   "variables:\n  REGISTRY: registry.example.com/group\n  IMAGE: $REGISTRY/app\n"
		   "stages: [lint, build, test, package, deploy, verify]\n"
		   ".base:\n  image: golang:1.22\n  tags: [kubernetes]\n  retry: 1\n"
		   ".on-feature:\n  rules:\n    - if: $CI_COMMIT_BRANCH =~ /^(feature|hotfix)\\//\n"
		   "    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n      when: manual\n");
	for (i = 0; i < jobs; i++) {
		const char *stage = STAGES[i % 6];
		fprintf(f, "%s-%u:\n  extends: %s\n  stage: %s\n  script: [make %s-%u]\n", stage, i,
			i % 5 == 1 ? "[.base, .on-feature]" : ".base", stage, stage, i);
		fprintf(f, "  variables:\n    SHARD: \"%u\"\n", i);
		switch (i % 5) {
		case 0:
			fprintf(f, "  rules:\n    - if: $CI_COMMIT_TAG =~ /^v\\d+\\.\\d+\\.\\d+$/\n      when: manual\n"
				   "    - if: $CI_COMMIT_BRANCH == \"master\" || $CI_COMMIT_BRANCH == \"dev\"\n"
				   "    - if: $CI_COMMIT_BRANCH =~ /^feature\\// && $SHARD != \"7\"\n      allow_failure: true\n");
			break;
		case 1: /* rules from .on-feature */
			break;
		case 2:
			fprintf(f, "  rules:\n    - if: ($CI_COMMIT_BRANCH == \"dev\" || $CI_MERGE_REQUEST_TARGET_BRANCH_NAME == "
				   "\"dev\") && $SKIP == null\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n"
				   "      when: always\n");
			break;
		case 3:
			fprintf(f, "  parallel:\n    matrix:\n      - ARCH: [amd64, arm64]\n        OS: linux\n"
				   "  rules:\n    - if: $CI_COMMIT_BRANCH || $CI_COMMIT_TAG\n");
			break;
		default:
			fprintf(f, "  parallel: 2\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"web\"\n      when: manual\n"
				   "    - if: $CI_COMMIT_REF_NAME =~ /^(master|dev)$/\n");
		}
	}
	return fclose(f) != 0;
}

typedef struct trig {
	const char *id;
	cicd_trigger_kind kind;
	const char *ref, *target, *source;
} trig;

static const trig TRIGGERS[] = {
	{"feature-push", CICD_TRIGGER_BRANCH, "feature/80-optimize-allocate", NULL, NULL},
	{"hotfix-push", CICD_TRIGGER_BRANCH, "hotfix/12-fix-leak", NULL, NULL},
	{"dev-push", CICD_TRIGGER_BRANCH, "dev", NULL, NULL},
	{"master-push", CICD_TRIGGER_BRANCH, "master", NULL, NULL},
	{"tag-release", CICD_TRIGGER_TAG, "v1.1.1", NULL, NULL},
	{"tag-other", CICD_TRIGGER_TAG, "nightly-2024", NULL, NULL},
	{"mr-feature-dev", CICD_TRIGGER_MERGE_REQUEST, "feature/80-optimize-allocate", "dev", NULL},
	{"mr-dev-master", CICD_TRIGGER_MERGE_REQUEST, "dev", "master", NULL},
	{"schedule-master", CICD_TRIGGER_BRANCH, "master", NULL, "schedule"},
	{"web-dev", CICD_TRIGGER_BRANCH, "dev", NULL, "web"},
};
#define NTRIGGERS (sizeof TRIGGERS / sizeof TRIGGERS[0])

static cicd_trigger *make_trigger(const trig *t)
{
	cicd_trigger *tr = NULL;
	if (cicd_trigger_new(&tr, t->kind, t->ref) || cicd_trigger_set_default_branch(tr, "master") ||
	    (t->target && cicd_trigger_set_merge_request(tr, t->target, 1, NULL, NULL, NULL)) ||
	    (t->source && cicd_trigger_set_source(tr, t->source))) {
		fprintf(stderr, "trigger: %s\n", cicd_error_last()->message);
		exit(1);
	}
	return tr;
}

/* One plan; returns its job count. */
static size_t plan_once(const cicd_planner *pl, cicd_trigger *tr)
{
	cicd_plan *plan = NULL;
	size_t n;
	if (cicd_plan_create(&plan, pl, tr)) {
		fprintf(stderr, "plan: %s\n", cicd_error_last()->message);
		exit(1);
	}
	n = cicd_plan_job_count(plan);
	cicd_plan_free(plan);
	return n;
}

int main(int argc, char **argv)
{
	cicd_trigger *trs[NTRIGGERS];
	double best_cold = 1e30, best_loop = 1e30;
	size_t i, jobs_total = 0;
	int runs, r;
	if (argc >= 3 && !strcmp(argv[1], "--generate"))
		return generate(argv[2], argc > 3 ? (unsigned int)atoi(argv[3]) : 600);
	if (argc < 2) {
		fprintf(stderr, "usage: bench_plan --generate OUT.yml [JOBS] | bench_plan FILE [RUNS]\n");
		return 2;
	}
	runs = argc > 2 ? atoi(argv[2]) : 5;
	for (i = 0; i < NTRIGGERS; i++)
		trs[i] = make_trigger(&TRIGGERS[i]);
	for (r = 0; r < runs; r++) {
		/* Per trigger, as gitlab-ci-local works: load and resolve the file, then plan. */
		double t0 = bench_now(), elapsed;
		jobs_total = 0;
		for (i = 0; i < NTRIGGERS; i++) {
			cicd_pipeline *p = NULL;
			cicd_planner *pl = NULL;
			if (cicd_pipeline_load_file(&p, NULL, argv[1], NULL) || cicd_planner_new(&pl, p, NULL)) {
				fprintf(stderr, "%s: %s\n", argv[1], cicd_error_last()->message);
				return 1;
			}
			jobs_total += plan_once(pl, trs[i]);
			cicd_planner_free(pl);
			cicd_pipeline_free(p);
		}
		elapsed = bench_now() - t0;
		if (elapsed < best_cold)
			best_cold = elapsed;
	}
	{
		cicd_pipeline *p = NULL;
		cicd_planner *pl = NULL;
		size_t loops = 0;
		double t0;
		if (cicd_pipeline_load_file(&p, NULL, argv[1], NULL) || cicd_planner_new(&pl, p, NULL))
			return 1;
		for (r = 0; r < runs; r++) {
			t0 = bench_now();
			for (loops = 0; loops < 20; loops++)
				for (i = 0; i < NTRIGGERS; i++)
					plan_once(pl, trs[i]);
			if (bench_now() - t0 < best_loop)
				best_loop = bench_now() - t0;
		}
		cicd_planner_free(pl);
		cicd_pipeline_free(p);
		best_loop /= (double)(20 * NTRIGGERS);
	}
	for (i = 0; i < NTRIGGERS; i++)
		cicd_trigger_free(trs[i]);
	printf("triggers=%zu jobs_planned=%zu\n", NTRIGGERS, jobs_total);
	printf("ours_load_and_plan_seconds=%.6f\n", best_cold);
	printf("ours_plan_only_ms=%.4f\n", best_loop * 1e3);
	printf("ours_plans_per_second=%.0f\n", 1.0 / best_loop);
	return 0;
}
