/*
 * cicd_deploy_store_interrupt from another thread: a run waiting for a
 * rollout, a run waiting for its turn, a log follow, a worker and a diff
 * against live return CICD_ECANCELED soon, jobs end canceled with what was
 * applied, and the store refuses blocking calls until the interrupt is
 * cleared. The fake cluster's requests block in real time until canceled,
 * as a request to a server that never answers would.
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cicd/cicd.h"
#include "core/buf.h"
#include "deploy/deploy_internal.h"
#include "fake_cluster.h"
#include "test.h"

/* A ConfigMap in wave 0 and a Deployment in wave 1. */
static const char V1[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: demo}\n"
                         "data: {a: '1'}\n---\n"
                         "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\n"
                         "  annotations: {deploy.cicd.dev/wave: '1'}\nspec: {replicas: 1}\n";

typedef struct {
	int64_t clock;
	int block_wait;  /* waits on "web" block until canceled */
	int block_apply; /* applies block until canceled */
	int unreachable; /* every call fails with CICD_EHTTP */
	atomic_int made; /* clusters made so far */
} factory_cfg;

static int factory(cicd__cluster **out, const cicd__target *t, void *payload)
{
	factory_cfg *c = payload;
	fake_cluster *f = fake_new(&c->clock);
	(void)t;
	if (c->block_wait)
		fake_set_readiness(f, "web", FAKE_BLOCK, "Waiting for rollout");
	fake_set_block_apply(f, c->block_apply);
	fake_set_unreachable(f, c->unreachable);
	atomic_fetch_add(&c->made, 1);
	*out = fake_base(f);
	return 0;
}

static cicd_deploy_store *open_store(factory_cfg *cfg)
{
	cicd_deploy_target_options t = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	cicd_deploy_store *st = NULL;
	cicd_buf out = CICD_BUF_INIT;
	memset(cfg, 0, sizeof *cfg);
	cfg->clock = 1700000000000LL;
	CU_ASSERT_EQUAL_FATAL(cicd_deploy_store_open(&st, ":memory:", NULL), 0);
	cicd__deploy_set_cluster_factory(st, factory, cfg);
	t.namespace_name = "demo";
	CU_ASSERT_EQUAL_FATAL(cicd_deploy_target_add(st, "dev", &t), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_deploy_push_buffer(&out, st, "shop/web", V1, strlen(V1), "v1.yaml", NULL), 0);
	cicd_buf_dispose(&out);
	return st;
}

enum { CALL_RUN, CALL_FOLLOW, CALL_WORKER, CALL_DIFF };

typedef struct {
	cicd_deploy_store *st;
	int what;
	long long job, last_seq;
	atomic_int unreachable_seen; /* the progress callback saw a retry after an unreachable cluster */
	int rc;
	char msg[600];
} call;

static void on_progress(int level, const char *message, const char *fields, void *payload)
{
	call *c = payload;
	(void)level, (void)fields;
	if (strstr(message, "cluster unreachable, the step runs again"))
		atomic_store(&c->unreachable_seen, 1);
}

static void *call_main(void *payload)
{
	call *c = payload;
	cicd_buf out = CICD_BUF_INIT;
	if (c->what == CALL_RUN) {
		cicd_deploy_run_options r = CICD_DEPLOY_RUN_OPTIONS_INIT;
		r.wait = 1;
		r.owner = "runner";
		r.who = "alice";
		r.progress = on_progress;
		r.payload = c;
		c->rc = cicd_deploy_run(&c->job, c->st, "shop/web@1", "dev", &r);
	} else if (c->what == CALL_FOLLOW) {
		c->rc = cicd_deploy_log_follow(&c->last_seq, c->st, c->job, 0, 60000, NULL, NULL);
	} else if (c->what == CALL_WORKER) {
		cicd_deploy_worker_options w = CICD_DEPLOY_WORKER_OPTIONS_INIT;
		w.owner = "w1";
		w.poll_ms = 60000;
		c->rc = cicd_deploy_worker_run(c->st, &w);
	} else {
		c->rc = cicd_deploy_diff_live(&out, c->st, "shop/web@1", "dev");
	}
	snprintf(c->msg, sizeof c->msg, "%s", c->rc ? cicd_error_last()->message : "");
	cicd_buf_dispose(&out);
	return NULL;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Polls cond (up to 10 s) so that the call is where the test wants it before the interrupt. */
#define WAIT_UNTIL(cond)                                                                                               \
	do {                                                                                                           \
		int waited_ = 0;                                                                                       \
		while (!(cond) && waited_ < 10000) {                                                                   \
			nap_ms(5);                                                                                     \
			waited_ += 5;                                                                                  \
		}                                                                                                      \
		CU_ASSERT_FATAL(cond);                                                                                 \
	} while (0)

/* An interrupted call returns within this: the library promises about 100 ms,
 * the rest is room for ASan on a loaded machine, and a call the interrupt
 * missed would block until the 10 s limit below. */
#define PROMPTLY_MS 3000

/* Interrupts the store and joins the call; the milliseconds it took to return, or fails the run after 10 s. */
static long long interrupt_and_join(cicd_deploy_store *st, pthread_t th)
{
	struct timespec limit;
	long long t0 = mono_ms();
	cicd_deploy_store_interrupt(st);
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 10;
	if (pthread_timedjoin_np(th, NULL, &limit) != 0) {
		fprintf(stderr, "the interrupted call did not return within 10 s\n");
		abort(); /* the thread still uses the store: nothing can be cleaned up */
	}
	return mono_ms() - t0;
}

static void job_of(cicd_deploy_store *st, long long id, cicd__job *j)
{
	CU_ASSERT_EQUAL_FATAL(cicd__store_job_get(st->st, j, id), 0);
}

static int collect_line(long long seq, long long at, int level, const char *m, const char *f, void *payload)
{
	cicd_buf *b = payload;
	(void)seq, (void)at, (void)level, (void)f;
	cicd__buf_puts(b, m);
	cicd__buf_puts(b, "\n");
	return 0;
}

static char *log_of(cicd_deploy_store *st, long long id)
{
	cicd_buf b = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_deploy_log_read(NULL, st, id, 0, collect_line, &b), 0);
	cicd__buf_puts(&b, "");
	return b.ptr;
}

static size_t inventory_count(cicd_deploy_store *st)
{
	cicd_vec inv = CICD_VEC_INIT;
	size_t n;
	CU_ASSERT_EQUAL(cicd__store_inventory_list(st->st, &inv, "dev", "shop", "web"), 0);
	n = inv.count;
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	return n;
}

#define ROLLOUT_MSG "interrupted during step 4 (wait wave 1); 2 created, 0 configured, 0 unchanged, 0 pruned before it"

static void test_interrupt_ends_a_run_waiting_for_its_rollout(void)
{
	factory_cfg cfg;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_RUN};
	pthread_t th;
	cicd__job j;
	char *log;
	cfg.block_wait = 1;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	WAIT_UNTIL(fake_blocked_now() == 1);
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CU_ASSERT_EQUAL(c.job, 1);
	CICD_ASSERT_STR(c.msg, "deploy job 1 ended canceled: " ROLLOUT_MSG);
	job_of(st, 1, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "canceled");
	CICD_ASSERT_STR(j.reason, "canceled");
	CICD_ASSERT_STR(j.message, ROLLOUT_MSG);
	cicd__job_dispose(&j);
	log = log_of(st, 1);
	CU_ASSERT_EQUAL(strncmp(log, "deploying shop/web version 1 (", 30), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "created Deployment demo/web\njob canceled: canceled: " ROLLOUT_MSG "\n"));
	CU_ASSERT_PTR_NULL(strstr(log, "waiting failed"));
	free(log);
	/* What was applied is in the inventory, so a later prune or diff knows it. */
	CU_ASSERT_EQUAL(inventory_count(st), 2);
	cicd_deploy_store_free(st);
}

static void test_interrupt_cancels_a_run_waiting_for_its_turn(void)
{
	factory_cfg cfg;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_RUN};
	pthread_t th;
	int64_t epoch;
	cicd__job j;
	char *log;
	/* Another live worker holds the target. */
	CU_ASSERT_EQUAL_FATAL(cicd__store_lease_acquire(st->st, &epoch, "dev", "other", 600000, cicd__now_ms()), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	WAIT_UNTIL(atomic_load(&cfg.made) >= 1); /* its job exists and was refused its turn */
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CICD_ASSERT_STR(c.msg, "deploy job 1 ended canceled: interrupted while waiting for its turn");
	job_of(st, 1, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "canceled");
	CICD_ASSERT_STR(j.reason, "canceled");
	CICD_ASSERT_STR(j.message, "interrupted while waiting for its turn");
	CU_ASSERT_EQUAL(j.started_at, 0); /* it never ran */
	cicd__job_dispose(&j);
	log = log_of(st, 1);
	CICD_ASSERT_STR(log, "");
	free(log);
	CU_ASSERT_EQUAL(inventory_count(st), 0);
	cicd_deploy_store_free(st);
}

static void test_interrupt_cuts_a_retry_pause_short(void)
{
	factory_cfg cfg;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_RUN};
	pthread_t th;
	cicd__job j;
	cfg.unreachable = 1; /* the plan fails, the step runs again after 1 s, 2 s, ... */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	WAIT_UNTIL(atomic_load(&c.unreachable_seen));
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CICD_ASSERT_STR(c.msg, "deploy job 1 ended canceled: interrupted before step 0 (plan); 0 created, 0 configured, "
	                       "0 unchanged, 0 pruned before it");
	job_of(st, 1, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "canceled");
	cicd__job_dispose(&j);
	cicd_deploy_store_free(st);
}

static void test_interrupt_stops_a_log_follow(void)
{
	factory_cfg cfg;
	cicd_deploy_run_options r = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_FOLLOW};
	pthread_t th;
	CU_ASSERT_EQUAL_FATAL(cicd_deploy_run(&c.job, st, "shop/web@1", "dev", &r), 0); /* queued, never run */
	c.last_seq = -1;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	nap_ms(100); /* in its 60 s poll by now, or about to be: either way it must stop */
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CICD_ASSERT_STR(c.msg, "interrupted while following the log of deploy job 1");
	CU_ASSERT_EQUAL(c.last_seq, 0);
	cicd_deploy_store_free(st);
}

static void test_interrupt_stops_an_idle_worker(void)
{
	factory_cfg cfg;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_WORKER};
	pthread_t th;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	nap_ms(100);
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CICD_ASSERT_STR(c.msg, "interrupted the worker w1");
	cicd_deploy_store_free(st);
}

static void test_interrupt_ends_a_workers_job_canceled(void)
{
	factory_cfg cfg;
	cicd_deploy_run_options r = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_WORKER};
	long long job = 0, queued = 0;
	pthread_t th;
	cicd__job j;
	cfg.block_wait = 1;
	CU_ASSERT_EQUAL_FATAL(cicd_deploy_run(&job, st, "shop/web@1", "dev", &r), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	WAIT_UNTIL(fake_blocked_now() == 1);
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CICD_ASSERT_STR(c.msg, "deploy job 1 ended canceled: " ROLLOUT_MSG);
	job_of(st, job, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "canceled");
	CICD_ASSERT_STR(j.message, ROLLOUT_MSG);
	cicd__job_dispose(&j);
	/* Jobs the worker had not started stay queued for the next worker. */
	CU_ASSERT_EQUAL(cicd_deploy_run(&queued, st, "shop/web@1", "dev", &r), 0);
	CU_ASSERT_EQUAL(cicd_deploy_worker_run(st, NULL), CICD_ECANCELED);
	job_of(st, queued, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "queued");
	cicd__job_dispose(&j);
	cicd_deploy_store_free(st);
}

static void test_interrupt_stops_a_diff_against_live(void)
{
	factory_cfg cfg;
	cicd_deploy_store *st = open_store(&cfg);
	call c = {st, CALL_DIFF};
	pthread_t th;
	cfg.block_apply = 1; /* the dry-run apply of the plan hangs */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, call_main, &c), 0);
	WAIT_UNTIL(fake_blocked_now() == 1);
	CU_ASSERT(interrupt_and_join(st, th) < PROMPTLY_MS);
	CU_ASSERT_EQUAL(c.rc, CICD_ECANCELED);
	CICD_ASSERT_STR(c.msg, "interrupted while comparing with the live cluster");
	cicd_deploy_store_free(st);
}

static void test_interrupt_is_sticky_until_cleared(void)
{
	factory_cfg cfg;
	cicd_deploy_run_options r = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_deploy_worker_options w = CICD_DEPLOY_WORKER_OPTIONS_INIT;
	cicd_deploy_store *st = open_store(&cfg);
	cicd_buf out = CICD_BUF_INIT;
	long long job = 0, last = -1;
	const char *state;
	cicd__job j;
	cicd_deploy_store_interrupt(st);
	cicd_deploy_store_interrupt(st); /* twice is the same */
	r.wait = 1;
	CU_ASSERT_EQUAL(cicd_deploy_run(&job, st, "shop/web@1", "dev", &r), CICD_ECANCELED);
	CICD_ASSERT_STR(cicd_error_last()->message, "interrupted before creating the deploy job");
	CU_ASSERT_EQUAL(job, 0);
	CU_ASSERT_EQUAL(cicd_deploy_rollback(&job, st, "shop/web", "dev", "1", &r), CICD_ECANCELED);
	CU_ASSERT_EQUAL(cicd_deploy_diff_live(&out, st, "shop/web@1", "dev"), CICD_ECANCELED);
	CICD_ASSERT_STR(cicd_error_last()->message, "interrupted before comparing with the live cluster");
	CU_ASSERT_EQUAL(cicd_deploy_worker_run(st, NULL), CICD_ECANCELED);
	CU_ASSERT_EQUAL(atomic_load(&cfg.made), 0); /* no cluster was even asked */
	/* Calls that do not block still work. */
	r.wait = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_deploy_run(&job, st, "shop/web@1", "dev", &r), 0);
	CU_ASSERT_EQUAL(job, 1);
	CU_ASSERT_EQUAL(cicd_deploy_job_state(&state, st, job), 0);
	CICD_ASSERT_STR(state, "queued");
	CU_ASSERT_EQUAL(cicd_deploy_log_follow(&last, st, job, 0, 10, NULL, NULL), CICD_ECANCELED);
	CU_ASSERT_EQUAL(last, 0);
	/* Cleared: a worker runs the queued job to its end, and a run with wait its own. */
	cicd_deploy_store_interrupt_clear(st);
	CU_ASSERT_EQUAL(cicd_deploy_diff_live(&out, st, "shop/web@1", "dev"), 0);
	cicd_buf_dispose(&out);
	w.until_idle = 1;
	CU_ASSERT_EQUAL(cicd_deploy_worker_run(st, &w), 0);
	r.wait = 1;
	CU_ASSERT_EQUAL(cicd_deploy_run(&job, st, "shop/web@1", "dev", &r), 0);
	CU_ASSERT_EQUAL(job, 2);
	job_of(st, 1, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "succeeded");
	cicd__job_dispose(&j);
	job_of(st, 2, &j);
	CICD_ASSERT_STR(cicd__job_state_name(j.state), "succeeded");
	cicd__job_dispose(&j);
	CU_ASSERT_EQUAL(cicd_deploy_log_follow(&last, st, 2, 0, 10, NULL, NULL), 0);
	CU_ASSERT(last > 0);
	/* NULL is accepted and does nothing. */
	cicd_deploy_store_interrupt(NULL);
	cicd_deploy_store_interrupt_clear(NULL);
	cicd_deploy_store_free(st);
}

CICD_SUITE(deploy_interrupt, CICD_TEST(test_interrupt_ends_a_run_waiting_for_its_rollout),
           CICD_TEST(test_interrupt_cancels_a_run_waiting_for_its_turn),
           CICD_TEST(test_interrupt_cuts_a_retry_pause_short), CICD_TEST(test_interrupt_stops_a_log_follow),
           CICD_TEST(test_interrupt_stops_an_idle_worker), CICD_TEST(test_interrupt_ends_a_workers_job_canceled),
           CICD_TEST(test_interrupt_stops_a_diff_against_live), CICD_TEST(test_interrupt_is_sticky_until_cleared))
