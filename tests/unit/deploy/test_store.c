/* The deploy store, on SQLite and (when CICD_TEST_PG_URL is set) PostgreSQL. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "test.h"

#include "cicd/errors.h"
#include "core/alloc.h"

#define T0 1700000000000LL

static const cicd__push_meta meta1 = {"ci-bot", "abc123", "77", T0};

/* Two objects; `variant` changes the second one's body. */
static void objects(cicd__object_in out[2], const char *variant)
{
	memset(out, 0, 2 * sizeof out[0]);
	out[0].hash = "h-config";
	out[0].api_version = "v1";
	out[0].kind = "ConfigMap";
	out[0].namespace_ = "demo";
	out[0].name = "app-config";
	out[0].body = "{\"kind\":\"ConfigMap\"}";
	out[0].body_len = strlen(out[0].body);
	out[0].wave = 0;
	out[1].hash = variant;
	out[1].api_version = "apps/v1";
	out[1].kind = "Deployment";
	out[1].namespace_ = "demo";
	out[1].name = "app";
	out[1].body = variant;
	out[1].body_len = strlen(variant);
	out[1].wave = 1;
}

static int64_t push(cicd__store *st, const char *set_hash, const char *variant, int *existed)
{
	cicd__object_in objs[2];
	cicd__version v;
	int64_t id;
	int dummy;
	objects(objs, variant);
	CU_ASSERT_EQUAL_FATAL(
	    cicd__store_version_push(st, &v, existed ? existed : &dummy, "shop", "web", set_hash, objs, 2, &meta1), 0);
	id = v.id;
	cicd__version_dispose(&v);
	return id;
}

static void add_target(cicd__store *st, const char *name)
{
	cicd__target t = {0};
	t.name = (char *)name;
	t.kubeconfig = (char *)"/etc/kube/config";
	t.context = (char *)"dev";
	t.namespace_ = (char *)"demo";
	t.created_at = T0;
	CU_ASSERT_EQUAL_FATAL(cicd__store_target_add(st, &t), 0);
}

/* A store with one version and target "dev", and a queued job; returns the job id. */
static int64_t setup_job(cicd__store *st)
{
	int64_t vid = push(st, "aaaaaaaa11", "{\"v\":1}", NULL), job = -1;
	add_target(st, "dev");
	CU_ASSERT_EQUAL_FATAL(cicd__store_job_create(st, &job, vid, "dev", "alice", 0, 60000, T0), 0);
	return job;
}

static void test_new_store_has_current_schema_and_reopens(void)
{
	cicd__store *st = fixture_open();
	char location[600];
	int version = 0;
	CU_ASSERT_EQUAL(cicd__store_schema_version(st, &version), 0);
	CU_ASSERT_EQUAL(version, CICD__STORE_SCHEMA_VERSION);
	add_target(st, "dev");
	snprintf(location, sizeof location, "%s", st->location);
	cicd__store_close(st);
	if (!fixture_is_pg()) {
		cicd__target t;
		CU_ASSERT_EQUAL_FATAL(cicd__store_open(&st, location, NULL), 0);
		CU_ASSERT_EQUAL(cicd__store_target_get(st, "dev", &t), 0);
		CICD_ASSERT_STR(t.namespace_, "demo");
		cicd__target_dispose(&t);
		cicd__store_close(st);
	}
}

static void test_store_from_newer_schema_is_refused_and_unchanged(void)
{
	cicd__store *st = fixture_open();
	const char *where = fixture_is_pg() ? getenv("CICD_TEST_PG_URL") : NULL;
	char location[600], expected[800];
	snprintf(location, sizeof location, "%s", where ? where : st->location);
	CU_ASSERT_EQUAL(fixture_sql(st, "UPDATE meta SET value = '99' WHERE key = 'schema_version'"), 0);
	snprintf(expected, sizeof expected,
	         "store %s has schema version 99, newer than this library's %d: upgrade libcicd to use it (the store "
	         "was not changed)",
	         st->location, CICD__STORE_SCHEMA_VERSION);
	cicd__store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL(cicd__store_open(&st, location, NULL), CICD_ESTORE);
	CICD_ASSERT_STR(cicd_error_last()->message, expected);
	CU_ASSERT_PTR_NULL(st);
}

static void test_push_stores_objects_once_and_identical_push_returns_existing(void)
{
	cicd__store *st = fixture_open();
	int existed = -1;
	int64_t v1 = push(st, "aaaaaaaa11", "{\"v\":1}", &existed), v2, again;
	cicd__version v;
	cicd_vec list = CICD_VEC_INIT;
	CU_ASSERT_EQUAL(existed, 0);
	v2 = push(st, "bbbbbbbb22", "{\"v\":2}", &existed);
	CU_ASSERT_EQUAL(existed, 0);
	again = push(st, "aaaaaaaa11", "{\"v\":1}", &existed);
	CU_ASSERT_EQUAL(existed, 1);
	CU_ASSERT_EQUAL(again, v1);
	CU_ASSERT_NOT_EQUAL(v1, v2);
	/* The ConfigMap is shared: 3 distinct bodies for 4 version objects. */
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM objects"), 3);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM version_objects"), 4);
	CU_ASSERT_EQUAL(cicd__store_version_get(st, &v, "shop", "web", "2"), 0);
	CU_ASSERT_EQUAL(v.id, v2);
	CICD_ASSERT_STR(v.who, "ci-bot");
	CICD_ASSERT_STR(v.commit, "abc123");
	CICD_ASSERT_STR(v.pipeline, "77");
	CU_ASSERT_EQUAL(v.objects, 2);
	CU_ASSERT_EQUAL(v.created_at, T0);
	cicd__version_dispose(&v);
	CU_ASSERT_EQUAL(cicd__store_version_get(st, &v, "shop", "web", "aaaaaaa"), 0);
	CU_ASSERT_EQUAL(v.number, 1);
	cicd__version_dispose(&v);
	CU_ASSERT_EQUAL(cicd__store_version_list(st, &list, "shop", "web"), 0);
	CU_ASSERT_EQUAL_FATAL(list.count, 2);
	CU_ASSERT_EQUAL(((cicd__version *)list.items[0])->number, 2);
	cicd__vec_dispose_with(&list, cicd__version_free_item);
	CU_ASSERT_EQUAL(cicd__store_version_objects(st, &list, v2), 0);
	CU_ASSERT_EQUAL_FATAL(list.count, 2);
	CICD_ASSERT_STR(((cicd__object *)list.items[0])->kind, "ConfigMap");
	CICD_ASSERT_STR(((cicd__object *)list.items[1])->body, "{\"v\":2}");
	cicd__vec_dispose_with(&list, cicd__object_free_item);
	cicd__store_close(st);
}

static void test_unknown_set_and_version_are_named(void)
{
	cicd__store *st = fixture_open();
	cicd__version v;
	push(st, "aaaaaaaa11", "{\"v\":1}", NULL);
	CU_ASSERT_EQUAL(cicd__store_version_get(st, &v, "shop", "api", "1"), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "unknown resource set 'shop/api'");
	CU_ASSERT_EQUAL(cicd__store_version_get(st, &v, "shop", "web", "9"), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "unknown version '9' of 'shop/web'");
	CU_ASSERT_EQUAL(cicd__store_version_get(st, &v, "shop", "web", "latest"), CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "version 'latest' of 'shop/web' is neither a number nor a hash prefix of 7 to 64 hex digits");
	cicd__store_close(st);
}

static void test_version_limits_refuse_and_store_nothing(void)
{
	cicd__store *st;
	cicd__store_limits lim = {1000, 10, 1};
	cicd__object_in objs[2];
	cicd__version v;
	int existed;
	CU_ASSERT_EQUAL_FATAL(cicd__store_open(&st, fixture_fresh_location(), &lim), 0);
	objects(objs, "{\"v\":1}");
	CU_ASSERT_EQUAL(cicd__store_version_push(st, &v, &existed, "shop", "web", "h", objs, 2, &meta1), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "version of 'shop/web' has 2 objects, more than the limit of 1");
	CU_ASSERT_EQUAL(cicd__store_version_push(st, &v, &existed, "shop", "web", "h", objs, 1, &meta1), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "version of 'shop/web' has 20 bytes of objects, more than the limit of 10");
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM versions"), 0);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM objects"), 0);
	cicd__store_close(st);
}

static void test_targets_are_unique_and_named_when_unknown(void)
{
	cicd__store *st = fixture_open();
	cicd__target t = {0};
	cicd_vec list = CICD_VEC_INIT;
	add_target(st, "prod");
	add_target(st, "dev");
	t.name = (char *)"dev";
	t.namespace_ = (char *)"x";
	CU_ASSERT_EQUAL(cicd__store_target_add(st, &t), CICD_EEXISTS);
	CICD_ASSERT_STR(cicd_error_last()->message, "target 'dev' already exists");
	t.name = (char *)"bad name";
	CU_ASSERT_EQUAL(cicd__store_target_add(st, &t), CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "target name 'bad name' has ' ' at 4: use letters, digits, '-', '_' and '.'");
	CU_ASSERT_EQUAL(cicd__store_target_get(st, "qa", &t), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "unknown target 'qa'");
	CU_ASSERT_EQUAL(cicd__store_target_list(st, &list), 0);
	CU_ASSERT_EQUAL_FATAL(list.count, 2);
	CICD_ASSERT_STR(((cicd__target *)list.items[0])->name, "dev");
	CICD_ASSERT_STR(((cicd__target *)list.items[0])->context, "dev");
	cicd__vec_dispose_with(&list, cicd__target_free_item);
	cicd__store_close(st);
}

static void test_transitions_are_compare_and_set_and_terminal_is_final(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), epoch = 0;
	cicd__job j;
	cicd_vec tr = CICD_VEC_INIT;
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, 0, T0),
	    CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message, "deploy job 1: queued to running needs the worker's lease epoch");
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &epoch, "dev", "worker-a", 30000, T0), 0);
	CU_ASSERT_EQUAL(epoch, 1);
	CU_ASSERT_EQUAL(cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started",
	                                           "by worker-a", epoch, T0 + 1),
	                0);
	/* A second worker that still believes the job is queued loses the compare-and-set. */
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, epoch, T0 + 2),
	    CICD_ECONFLICT);
	CICD_ASSERT_STR(cicd_error_last()->message, "deploy job 1 is running, not queued: cannot make it running");
	CU_ASSERT_EQUAL(cicd__store_job_transition(st, job, CICD__JOB_RUNNING, CICD__JOB_FAILED, "rollout_failed",
	                                           "Deployment demo/app: ImagePullBackOff", epoch, T0 + 3),
	                0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_FAILED, CICD__JOB_SUCCEEDED, "x", NULL, epoch, T0 + 4),
	    CICD_ECONFLICT);
	CICD_ASSERT_STR(cicd_error_last()->message, "deploy job 1 is failed: a finished job never changes");
	CU_ASSERT_EQUAL(cicd__store_job_get(st, &j, job), 0);
	CU_ASSERT_EQUAL(j.state, CICD__JOB_FAILED);
	CICD_ASSERT_STR(j.reason, "rollout_failed");
	CICD_ASSERT_STR(j.message, "Deployment demo/app: ImagePullBackOff");
	CU_ASSERT_EQUAL(j.started_at, T0 + 1);
	CU_ASSERT_EQUAL(j.finished_at, T0 + 3);
	CU_ASSERT_EQUAL(j.epoch, 1);
	CICD_ASSERT_STR(j.who, "alice");
	CICD_ASSERT_STR(j.project, "shop");
	cicd__job_dispose(&j);
	CU_ASSERT_EQUAL(cicd__store_job_transitions(st, &tr, job), 0);
	CU_ASSERT_EQUAL_FATAL(tr.count, 2);
	CU_ASSERT_EQUAL(((cicd__transition *)tr.items[1])->from, CICD__JOB_RUNNING);
	CU_ASSERT_EQUAL(((cicd__transition *)tr.items[1])->to, CICD__JOB_FAILED);
	CU_ASSERT_EQUAL(((cicd__transition *)tr.items[1])->at, T0 + 3);
	CICD_ASSERT_STR(((cicd__transition *)tr.items[1])->reason, "rollout_failed");
	cicd__vec_dispose_with(&tr, cicd__transition_free_item);
	cicd__store_close(st);
}

static void test_state_machine_edges(void)
{
	CU_ASSERT_TRUE(cicd__job_transition_allowed(CICD__JOB_RUNNING, CICD__JOB_CANCELING));
	CU_ASSERT_TRUE(cicd__job_transition_allowed(CICD__JOB_CANCELING, CICD__JOB_CANCELED));
	CU_ASSERT_FALSE(cicd__job_transition_allowed(CICD__JOB_RUNNING, CICD__JOB_CANCELED));
	CU_ASSERT_FALSE(cicd__job_transition_allowed(CICD__JOB_QUEUED, CICD__JOB_SUCCEEDED));
	CU_ASSERT_FALSE(cicd__job_transition_allowed(CICD__JOB_SUCCEEDED, CICD__JOB_FAILED));
	CU_ASSERT_FALSE(cicd__job_transition_allowed(CICD__JOB_TIMED_OUT, CICD__JOB_RUNNING));
	CU_ASSERT_EQUAL(cicd__job_state_parse("timed_out"), CICD__JOB_TIMED_OUT);
	CU_ASSERT_EQUAL(cicd__job_state_parse("done"), -1);
}

static void test_cancel_goes_through_canceling(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), epoch = 0;
	cicd__job j;
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &epoch, "dev", "w", 30000, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, epoch, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_RUNNING, CICD__JOB_CANCELED, "canceled", NULL, epoch, T0),
	    CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message, "deploy job 1: no transition from running to canceled");
	/* A person asks; no lease needed. The worker then finishes the cancel under its lease. */
	CU_ASSERT_EQUAL(cicd__store_job_transition(st, job, CICD__JOB_RUNNING, CICD__JOB_CANCELING, "cancel_requested",
	                                           "by bob", 0, T0 + 5),
	                0);
	CU_ASSERT_EQUAL(cicd__store_job_transition(st, job, CICD__JOB_CANCELING, CICD__JOB_CANCELED, "canceled",
	                                           "stopped after wave 1", 0, T0 + 6),
	                CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd__store_job_transition(st, job, CICD__JOB_CANCELING, CICD__JOB_CANCELED, "canceled",
	                                           "stopped after wave 1", epoch, T0 + 6),
	                0);
	CU_ASSERT_EQUAL(cicd__store_job_get(st, &j, job), 0);
	CU_ASSERT_EQUAL(j.state, CICD__JOB_CANCELED);
	cicd__job_dispose(&j);
	cicd__store_close(st);
}

static void test_lease_is_exclusive_and_takeover_bumps_epoch(void)
{
	cicd__store *st = fixture_open();
	int64_t e1 = 0, e2 = 0, e3 = 0;
	cicd__lease l;
	add_target(st, "dev");
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e1, "dev", "worker-a", 1000, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e2, "dev", "worker-b", 1000, T0 + 400), CICD_ECONFLICT);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "target 'dev' is leased by 'worker-a' (epoch 1) for another 600 ms");
	/* The owner renews its own lease at the same epoch. */
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e2, "dev", "worker-a", 1000, T0 + 500), 0);
	CU_ASSERT_EQUAL(e2, e1);
	CU_ASSERT_EQUAL(cicd__store_lease_renew(st, "dev", e1, 1000, T0 + 900), 0);
	/* Expired: worker-b takes over with a new epoch. */
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e3, "dev", "worker-b", 1000, T0 + 1901), 0);
	CU_ASSERT_EQUAL(e3, e1 + 1);
	CU_ASSERT_EQUAL(cicd__store_lease_renew(st, "dev", e1, 1000, T0 + 2000), CICD_ECONFLICT);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "lease on target 'dev' at epoch 1 is no longer held: another worker took it");
	CU_ASSERT_EQUAL(cicd__store_lease_release(st, "dev", e1), CICD_ECONFLICT);
	CU_ASSERT_EQUAL(cicd__store_lease_get(st, &l, "dev"), 0);
	CICD_ASSERT_STR(l.owner, "worker-b");
	CU_ASSERT_EQUAL(l.epoch, 2);
	cicd__lease_dispose(&l);
	CU_ASSERT_EQUAL(cicd__store_lease_release(st, "dev", e3), 0);
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e1, "dev", "worker-c", 1000, T0 + 2001), 0);
	CU_ASSERT_EQUAL(e1, 3);
	cicd__store_close(st);
}

static void test_stale_epoch_cannot_write_anything(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), e1 = 0, e2 = 0, seq = 0;
	cicd__logline_in line = {0, T0, 3, "applied Deployment demo/app", NULL};
	cicd__change ch = {0,           0,   (char *)"create", (char *)"v1", (char *)"ConfigMap", (char *)"demo",
	                   (char *)"c", NULL};
	cicd__change *chp = &ch;
	cicd__job j;
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e1, "dev", "worker-a", 1000, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e1, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_log_append(st, &seq, job, e1, &line, 1), 0);
	/* worker-a stalls; worker-b takes the expired lease and the job. */
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e2, "dev", "worker-b", 1000, T0 + 5000), 0);
	CU_ASSERT_EQUAL(cicd__store_job_adopt(st, job, e2, T0 + 5000), 0);
	CU_ASSERT_EQUAL(cicd__store_log_append(st, &seq, job, e1, &line, 1), CICD_ECONFLICT);
	CICD_ASSERT_STR(
	    cicd_error_last()->message,
	    "deploy job 1: stale lease epoch 1 on target 'dev' (the lease is at epoch 2): another worker took "
	    "the job over");
	CU_ASSERT_EQUAL(cicd__store_journal(st, job, e1, 0, "plan", CICD__STEP_DONE, NULL, T0 + 5001), CICD_ECONFLICT);
	CU_ASSERT_EQUAL(cicd__store_changes_put(st, job, e1, &chp, 1), CICD_ECONFLICT);
	CU_ASSERT_EQUAL(cicd__store_inventory_add(st, job, e1, "dev", "shop", "web", "v1", "ConfigMap", "demo", "c", 1),
	                CICD_ECONFLICT);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_RUNNING, CICD__JOB_SUCCEEDED, "done", NULL, e1, T0 + 5002),
	    CICD_ECONFLICT);
	/* The new owner writes. */
	CU_ASSERT_EQUAL(cicd__store_log_append(st, &seq, job, e2, &line, 1), 0);
	CU_ASSERT_EQUAL(seq, 2);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_RUNNING, CICD__JOB_SUCCEEDED, "done", NULL, e2, T0 + 5003),
	    0);
	CU_ASSERT_EQUAL(cicd__store_job_get(st, &j, job), 0);
	CU_ASSERT_EQUAL(j.state, CICD__JOB_SUCCEEDED);
	CU_ASSERT_EQUAL(j.epoch, 2);
	cicd__job_dispose(&j);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM logs"), 2);
	cicd__store_close(st);
}

static void test_log_is_sequenced_and_readable_from_a_sequence_number(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), seq = 0;
	cicd__logline_in lines[3] = {
	    {0, T0, 3, "one", "{\"wave\":0}"}, {0, T0 + 1, 3, "two", NULL}, {0, T0 + 2, 1, "three", NULL}};
	cicd_vec out = CICD_VEC_INIT;
	CU_ASSERT_EQUAL(cicd__store_log_append(st, &seq, job, 0, lines, 3), 0);
	CU_ASSERT_EQUAL(seq, 3);
	CU_ASSERT_EQUAL(cicd__store_log_append(st, &seq, job, 0, lines, 2), 0);
	CU_ASSERT_EQUAL(seq, 5);
	CU_ASSERT_EQUAL(cicd__store_log_read(st, &out, job, 2, 2), 0);
	CU_ASSERT_EQUAL_FATAL(out.count, 2);
	CU_ASSERT_EQUAL(((cicd__logline *)out.items[0])->seq, 3);
	CICD_ASSERT_STR(((cicd__logline *)out.items[0])->message, "three");
	CU_ASSERT_EQUAL(((cicd__logline *)out.items[0])->level, 1);
	CU_ASSERT_EQUAL(((cicd__logline *)out.items[1])->seq, 4);
	CICD_ASSERT_STR(((cicd__logline *)out.items[1])->fields, "{\"wave\":0}");
	cicd__vec_dispose_with(&out, cicd__logline_free_item);
	CU_ASSERT_EQUAL(cicd__store_log_append(st, &seq, 999, 0, lines, 1), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "unknown deploy job 999");
	cicd__store_close(st);
}

static void test_journal_names_first_unconfirmed_step(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), e = 0;
	int step = -1;
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e, "dev", "w", 1000, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_journal_first_open(st, &step, job), 0);
	CU_ASSERT_EQUAL(step, 0);
	CU_ASSERT_EQUAL(cicd__store_journal(st, job, e, 0, "plan", CICD__STEP_BEGIN, NULL, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_journal(st, job, e, 0, "plan", CICD__STEP_DONE, NULL, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_journal(st, job, e, 1, "apply wave 0", CICD__STEP_BEGIN, NULL, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_journal_first_open(st, &step, job), 0);
	CU_ASSERT_EQUAL(step, 1);
	/* Beginning a step again (after a takeover) is allowed. */
	CU_ASSERT_EQUAL(cicd__store_journal(st, job, e, 1, "apply wave 0", CICD__STEP_BEGIN, "again", T0), 0);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM journal"), 3);
	cicd__store_close(st);
}

static void test_inventory_tracks_applied_objects(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), e = 0;
	cicd_vec inv = CICD_VEC_INIT;
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e, "dev", "w", 1000, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "v1", "ConfigMap", "demo", "a", 1),
	                0);
	CU_ASSERT_EQUAL(cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "v1", "Service", "demo", "b", 1),
	                0);
	CU_ASSERT_EQUAL(cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "v1", "ConfigMap", "demo", "a", 1),
	                0);
	CU_ASSERT_EQUAL(cicd__store_inventory_remove(st, job, e, "dev", "shop", "web", "Service", "demo", "b"), 0);
	CU_ASSERT_EQUAL(cicd__store_inventory_list(st, &inv, "dev", "shop", "web"), 0);
	CU_ASSERT_EQUAL_FATAL(inv.count, 1);
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[0])->name, "a");
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	cicd__store_close(st);
}

static void test_inventory_row_of_a_cluster_scoped_object_replaces_its_namespaced_rows(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), e = 0;
	cicd_vec inv = CICD_VEC_INIT;
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e, "dev", "w", 1000, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e, T0), 0);
	/* As earlier versions wrote them: cluster-scoped objects under the target's namespace. */
	CU_ASSERT_EQUAL(cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "rbac.authorization.k8s.io/v1",
	                                          "ClusterRole", "demo", "reader", 1),
	                0);
	CU_ASSERT_EQUAL(
	    cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "v1", "Namespace", "demo", "demo", 1), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "v1", "ConfigMap", "demo", "reader", 1), 0);
	CU_ASSERT_EQUAL(cicd__store_inventory_add(st, job, e, "dev", "shop", "web", "rbac.authorization.k8s.io/v1",
	                                          "ClusterRole", "", "reader", 2),
	                0);
	CU_ASSERT_EQUAL(cicd__store_inventory_list(st, &inv, "dev", "shop", "web"), 0);
	CU_ASSERT_EQUAL_FATAL(inv.count, 3);
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[0])->kind, "ClusterRole");
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[0])->namespace_, "");
	CU_ASSERT_EQUAL(((cicd__inventory_item *)inv.items[0])->version_id, 2);
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[1])->kind, "ConfigMap");
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[1])->namespace_, "demo");
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[2])->kind, "Namespace");
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[2])->namespace_, "demo");
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	/* Removing the cluster-scoped object removes its old row too, and nothing of another kind. */
	CU_ASSERT_EQUAL(cicd__store_inventory_remove(st, job, e, "dev", "shop", "web", "Namespace", "", "demo"), 0);
	CU_ASSERT_EQUAL(cicd__store_inventory_list(st, &inv, "dev", "shop", "web"), 0);
	CU_ASSERT_EQUAL_FATAL(inv.count, 2);
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[0])->kind, "ClusterRole");
	CICD_ASSERT_STR(((cicd__inventory_item *)inv.items[1])->kind, "ConfigMap");
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	cicd__store_close(st);
}

static void test_orphans_are_running_jobs_with_expired_leases(void)
{
	cicd__store *st = fixture_open();
	int64_t job = setup_job(st), e = 0;
	cicd_vec ids = CICD_VEC_INIT;
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(st, &e, "dev", "w", 1000, T0), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_job_orphans(st, &ids, T0 + 999), 0);
	CU_ASSERT_EQUAL(ids.count, 0);
	CU_ASSERT_EQUAL(cicd__store_job_orphans(st, &ids, T0 + 1000), 0);
	CU_ASSERT_EQUAL_FATAL(ids.count, 1);
	CU_ASSERT_EQUAL(*(int64_t *)ids.items[0], job);
	cicd__vec_dispose_with(&ids, cicd__free);
	cicd__store_close(st);
}

static void test_retention_keeps_newest_finished_jobs_per_target(void)
{
	cicd__store *st = fixture_open();
	int64_t first = setup_job(st), vid = 1, id, removed = -1;
	int i;
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(st, first, CICD__JOB_QUEUED, CICD__JOB_CANCELED, "canceled", NULL, 0, T0), 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(cicd__store_job_create(st, &id, vid, "dev", "bob", 0, 1000, T0), 0);
		if (i < 2)
			CU_ASSERT_EQUAL(cicd__store_job_transition(st, id, CICD__JOB_QUEUED, CICD__JOB_CANCELED,
			                                           "canceled", NULL, 0, T0),
			                0);
	}
	CU_ASSERT_EQUAL(cicd__store_history_prune(st, 0, &removed), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(cicd__store_history_prune(st, 2, &removed), 0);
	CU_ASSERT_EQUAL(removed, 1);
	/* The queued job is never pruned; the two newest finished ones stay. */
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM jobs"), 3);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT min(id) FROM jobs"), 2);
	cicd__store_close(st);
}

static void test_two_connections_race_for_lease_and_state(void)
{
	cicd__store *a = fixture_open(), *b;
	int64_t job = setup_job(a), ea = 0, eb = 0;
	b = fixture_reopen(a);
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(a, &ea, "dev", "worker-a", 10000, T0), 0);
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(b, &eb, "dev", "worker-b", 10000, T0 + 1), CICD_ECONFLICT);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(a, job, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, ea, T0), 0);
	/* b saw the job queued a moment ago; its compare-and-set loses. */
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(b, job, CICD__JOB_QUEUED, CICD__JOB_CANCELED, "canceled", NULL, 0, T0 + 2),
	    CICD_ECONFLICT);
	/* After expiry b takes over; a's late writes through its own connection are refused. */
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(b, &eb, "dev", "worker-b", 10000, T0 + 20000), 0);
	CU_ASSERT_EQUAL(eb, ea + 1);
	CU_ASSERT_EQUAL(cicd__store_job_adopt(b, job, eb, T0 + 20000), 0);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(a, job, CICD__JOB_RUNNING, CICD__JOB_SUCCEEDED, "done", NULL, ea, T0 + 20001),
	    CICD_ECONFLICT);
	CU_ASSERT_EQUAL(
	    cicd__store_job_transition(b, job, CICD__JOB_RUNNING, CICD__JOB_SUCCEEDED, "done", NULL, eb, T0 + 20002),
	    0);
	cicd__store_close(b);
	cicd__store_close(a);
}

static void test_settings_round_trip(void)
{
	cicd__store *st = fixture_open();
	char *v = NULL;
	CU_ASSERT_EQUAL(cicd__store_setting_get(st, "history_keep", &v), CICD_ENOTFOUND);
	CU_ASSERT_EQUAL(cicd__store_setting_set(st, "history_keep", "50"), 0);
	CU_ASSERT_EQUAL(cicd__store_setting_get(st, "history_keep", &v), 0);
	CICD_ASSERT_STR(v, "50");
	cicd__free(v);
	CU_ASSERT_EQUAL(cicd__store_setting_set(st, "schema_version", "9"), CICD_EINVALID);
	cicd__store_close(st);
}

#define BOTH(fn)                                                                                                       \
	static void fn##_sqlite(void)                                                                                  \
	{                                                                                                              \
		fixture_use_pg(0);                                                                                     \
		fn();                                                                                                  \
	}                                                                                                              \
	static void fn##_pg(void)                                                                                      \
	{                                                                                                              \
		fixture_use_pg(1);                                                                                     \
		fn();                                                                                                  \
	}

#define STORE_TESTS(X)                                                                                                 \
	X(test_new_store_has_current_schema_and_reopens)                                                               \
	X(test_store_from_newer_schema_is_refused_and_unchanged)                                                       \
	X(test_push_stores_objects_once_and_identical_push_returns_existing)                                           \
	X(test_unknown_set_and_version_are_named)                                                                      \
	X(test_version_limits_refuse_and_store_nothing)                                                                \
	X(test_targets_are_unique_and_named_when_unknown)                                                              \
	X(test_transitions_are_compare_and_set_and_terminal_is_final)                                                  \
	X(test_cancel_goes_through_canceling)                                                                          \
	X(test_lease_is_exclusive_and_takeover_bumps_epoch)                                                            \
	X(test_stale_epoch_cannot_write_anything)                                                                      \
	X(test_log_is_sequenced_and_readable_from_a_sequence_number)                                                   \
	X(test_journal_names_first_unconfirmed_step)                                                                   \
	X(test_inventory_tracks_applied_objects)                                                                       \
	X(test_inventory_row_of_a_cluster_scoped_object_replaces_its_namespaced_rows)                                  \
	X(test_orphans_are_running_jobs_with_expired_leases)                                                           \
	X(test_retention_keeps_newest_finished_jobs_per_target)                                                        \
	X(test_two_connections_race_for_lease_and_state)                                                               \
	X(test_settings_round_trip)

STORE_TESTS(BOTH)

#define CASE_SQLITE(fn) {#fn, fn##_sqlite},
#define CASE_PG(fn)     {#fn, fn##_pg},

static const cicd_test_case sqlite_cases[] = {
    STORE_TESTS(CASE_SQLITE){"test_state_machine_edges", test_state_machine_edges}};
static const cicd_test_case pg_cases[] = {STORE_TESTS(CASE_PG)};

__attribute__((constructor)) static void register_store_suites(void)
{
	cicd_test_register("deploy_store_sqlite", sqlite_cases, sizeof sqlite_cases / sizeof sqlite_cases[0]);
	if (getenv("CICD_TEST_PG_URL") && *getenv("CICD_TEST_PG_URL"))
		cicd_test_register("deploy_store_pg", pg_cases, sizeof pg_cases / sizeof pg_cases[0]);
}

/* ---- SQLite only: locked, full, corrupt and foreign files ---- */

static void write_file(const char *path, const char *text, size_t repeat)
{
	FILE *f = fopen(path, "wb");
	size_t i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (i = 0; i < repeat; i++)
		fputs(text, f);
	fclose(f);
}

static void test_sqlite_corrupt_file_is_reported(void)
{
	char path[600], expected[800];
	cicd__store *st = NULL;
	fixture_use_pg(0);
	snprintf(path, sizeof path, "%s", fixture_fresh_location());
	write_file(path, "this is not a database, just text.\n", 200);
	CU_ASSERT_EQUAL(cicd__store_open(&st, path, NULL), CICD_ESTORE);
	snprintf(expected, sizeof expected, "store %s is corrupt or not a store: file is not a database", path);
	CICD_ASSERT_STR(cicd_error_last()->message, expected);
	CU_ASSERT_PTR_NULL(st);
}

static void test_sqlite_database_of_another_application_is_left_alone(void)
{
	char path[600], expected[800];
	cicd__store *st = NULL;
	sqlite3 *db;
	fixture_use_pg(0);
	snprintf(path, sizeof path, "%s", fixture_fresh_location());
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "CREATE TABLE invoices (id INTEGER)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_EQUAL(cicd__store_open(&st, path, NULL), CICD_ESTORE);
	snprintf(expected, sizeof expected, "store %s is not a deploy store: it has tables of another application",
	         path);
	CICD_ASSERT_STR(cicd_error_last()->message, expected);
}

static void test_sqlite_locked_store_is_reported(void)
{
	cicd__store_limits lim = {50, 0, 0};
	cicd__store *a = fixture_open(), *b = NULL;
	cicd__target t = {0};
	char expected[800];
	CU_ASSERT_EQUAL_FATAL(cicd__store_open(&b, a->location, &lim), 0);
	CU_ASSERT_EQUAL(fixture_sql(a, "BEGIN IMMEDIATE"), 0);
	t.name = (char *)"dev";
	t.namespace_ = (char *)"demo";
	CU_ASSERT_EQUAL(cicd__store_target_add(b, &t), CICD_ESTORE);
	snprintf(expected, sizeof expected,
	         "store %s is locked by another process (waited 50 ms while running a statement)", a->location);
	CICD_ASSERT_STR(cicd_error_last()->message, expected);
	CU_ASSERT_EQUAL(fixture_sql(a, "ROLLBACK"), 0);
	CU_ASSERT_EQUAL(cicd__store_target_add(b, &t), 0);
	cicd__store_close(b);
	cicd__store_close(a);
}

static void test_sqlite_full_store_is_reported_and_consistent(void)
{
	cicd__store *st = fixture_open();
	static char big[64 * 1024];
	cicd__object_in obj = {"h-big", "v1", "ConfigMap", "demo", "big", big, sizeof big - 1, 0};
	cicd__version v;
	char expected[800];
	int existed;
	memset(big, 'x', sizeof big - 1);
	CU_ASSERT_EQUAL(fixture_sql(st, "PRAGMA max_page_count = 40"), 0);
	CU_ASSERT_EQUAL(cicd__store_version_push(st, &v, &existed, "shop", "web", "hbig", &obj, 1, &meta1),
	                CICD_ESTORE);
	snprintf(expected, sizeof expected,
	         "store %s is full: the disk or its quota has no room (while running a statement)", st->location);
	CICD_ASSERT_STR(cicd_error_last()->message, expected);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM versions"), 0);
	CU_ASSERT_EQUAL(fixture_count(st, "SELECT count(*) FROM sets"), 0);
	cicd__store_close(st);
}

CICD_SUITE(deploy_store_sqlite_faults, CICD_TEST(test_sqlite_corrupt_file_is_reported),
           CICD_TEST(test_sqlite_database_of_another_application_is_left_alone),
           CICD_TEST(test_sqlite_locked_store_is_reported),
           CICD_TEST(test_sqlite_full_store_is_reported_and_consistent))
