/* The deploy job engine against a fake cluster: plan, waves, waits, prune, cancel, crashes, takeovers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/errors.h"
#include "core/alloc.h"
#include "deploy/engine.h"
#include "fake_cluster.h"
#include "store_fixture.h"
#include "test.h"

#define T0    1700000000000LL
#define OWNED "\"labels\":{\"deploy.cicd.dev/project\":\"shop\",\"deploy.cicd.dev/set\":\"web\"}"

static int64_t g_clock;

static int64_t test_clock(void *payload)
{
	(void)payload;
	return g_clock += 1;
}

static void test_sleep(int64_t ms, void *payload)
{
	(void)payload;
	g_clock += ms;
}

static char *cm(const char *name, const char *value)
{
	char *s = malloc(512);
	snprintf(s, 512,
	         "{\"apiVersion\":\"v1\",\"data\":{\"k\":\"%s\"},\"kind\":\"ConfigMap\",\"metadata\":{" OWNED
	         ",\"name\":\"%s\",\"namespace\":\"demo\"}}",
	         value, name);
	return s;
}

static char *deployment(const char *name, const char *image)
{
	char *s = malloc(512);
	snprintf(s, 512,
	         "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{" OWNED
	         ",\"name\":\"%s\",\"namespace\":\"demo\"},\"spec\":{\"image\":\"%s\"}}",
	         name, image);
	return s;
}

/* Pushes a version from bodies (kind and name read back from the arguments); returns its id. */
static int64_t push_version(cicd__store *st, const char *hash, size_t n, const char *const *kinds,
                            const char *const *names, const int *waves, char **bodies)
{
	cicd__object_in objs[8];
	cicd__push_meta meta = {"ci", NULL, NULL, T0};
	cicd__version v;
	char hashes[8][80];
	int existed;
	size_t i;
	int64_t id;
	for (i = 0; i < n; i++) {
		snprintf(hashes[i], sizeof hashes[i], "%s-%zu-%zu", hash, i, strlen(bodies[i]));
		objs[i].hash = hashes[i];
		objs[i].api_version = strcmp(kinds[i], "Deployment") ? "v1" : "apps/v1";
		objs[i].kind = kinds[i];
		objs[i].namespace_ = "demo";
		objs[i].name = names[i];
		objs[i].body = bodies[i];
		objs[i].body_len = strlen(bodies[i]);
		objs[i].wave = waves[i];
	}
	CU_ASSERT_EQUAL_FATAL(cicd__store_version_push(st, &v, &existed, "shop", "web", hash, objs, n, &meta), 0);
	id = v.id;
	cicd__version_dispose(&v);
	for (i = 0; i < n; i++)
		free(bodies[i]);
	return id;
}

typedef struct {
	cicd__store *st;
	fake_cluster *fake;
	int64_t v1, v2, v_bad;
} world;

static void world_open(world *w)
{
	static const char *const k1[] = {"ConfigMap", "Deployment"}, *const n1[] = {"web-config", "web"};
	static const char *const k2[] = {"ConfigMap", "ConfigMap", "Deployment"}, *const n2[] = {"web-config",
	                                                                                         "web-extra", "web"};
	static const int w1[] = {0, 1}, w2[] = {0, 0, 1};
	char *b1[2], *b2[3], *bb[2];
	cicd__target t = {(char *)"dev", NULL, NULL, (char *)"demo", 0, T0};
	g_clock = T0;
	fixture_use_pg(0);
	w->st = fixture_open();
	w->fake = fake_new(&g_clock);
	CU_ASSERT_EQUAL_FATAL(cicd__store_target_add(w->st, &t), 0);
	b1[0] = cm("web-config", "one");
	b1[1] = deployment("web", "web:1");
	w->v1 = push_version(w->st, "1111111111", 2, k1, n1, w1, b1);
	b2[0] = cm("web-config", "one");
	b2[1] = cm("web-extra", "x");
	b2[2] = deployment("web", "web:2");
	w->v2 = push_version(w->st, "2222222222", 3, k2, n2, w2, b2);
	bb[0] = cm("web-config", "one");
	bb[1] = deployment("web", "web:doesnotexist");
	w->v_bad = push_version(w->st, "3333333333", 2, k1, n1, w1, bb);
}

static void world_close(world *w)
{
	fake_base(w->fake)->ops->free(fake_base(w->fake));
	cicd__store_close(w->st);
}

typedef struct {
	const char *point;
	int intruder_result; /* when intrude is set: what another worker's lease_acquire returned */
	int intrude;
	int after; /* crash at the n-th time the point is reached (1-based); 0: never */
	int seen;
	cicd__store *st;
	int64_t cancel_job; /* when set, a person cancels this job at the point instead */
} hook_state;

static int hook(const char *point, void *payload)
{
	hook_state *h = payload;
	if (strcmp(point, h->point) != 0)
		return 0;
	if (++h->seen != h->after)
		return 0;
	if (h->intrude) {
		int64_t epoch;
		h->intruder_result = cicd__store_lease_acquire(h->st, &epoch, "dev", "intruder", 10000, g_clock);
		return 0;
	}
	if (h->cancel_job) {
		cicd__store_job_transition(h->st, h->cancel_job, CICD__JOB_RUNNING, CICD__JOB_CANCELING,
		                           "cancel_requested", "by bob", 0, g_clock);
		return 0;
	}
	return 1;
}

static int run_job(world *w, int64_t job, const char *owner, hook_state *h, int *state)
{
	cicd__exec_options o;
	memset(&o, 0, sizeof o);
	o.owner = owner;
	o.lease_ttl_ms = 10000;
	o.clock = test_clock;
	o.sleep_ms = test_sleep;
	if (h) {
		o.crash_hook = hook;
		o.hook_payload = h;
	}
	return cicd__deploy_execute(state, w->st, fake_base(w->fake), job, &o);
}

static int64_t new_job(world *w, int64_t version, int prune, int64_t timeout_ms)
{
	int64_t id = -1;
	CU_ASSERT_EQUAL_FATAL(cicd__store_job_create(w->st, &id, version, "dev", "alice", prune, timeout_ms, g_clock),
	                      0);
	return id;
}

static char *log_text(cicd__store *st, int64_t job)
{
	cicd_vec lines = CICD_VEC_INIT;
	size_t i, size = 1;
	char *out;
	cicd__store_log_read(st, &lines, job, 0, 0);
	for (i = 0; i < lines.count; i++)
		size += strlen(((cicd__logline *)lines.items[i])->message) + 1;
	out = calloc(1, size);
	for (i = 0; i < lines.count; i++) {
		strcat(out, ((cicd__logline *)lines.items[i])->message);
		strcat(out, "\n");
	}
	cicd__vec_dispose_with(&lines, cicd__logline_free_item);
	return out;
}

static void assert_job(cicd__store *st, int64_t id, int state, const char *reason, const char *message)
{
	cicd__job j;
	CU_ASSERT_EQUAL_FATAL(cicd__store_job_get(st, &j, id), 0);
	CU_ASSERT_EQUAL(j.state, state);
	CICD_ASSERT_STR(j.reason, reason);
	if (message)
		CICD_ASSERT_STR(j.message, message);
	cicd__job_dispose(&j);
}

static void assert_lease_free(cicd__store *st)
{
	cicd__lease l;
	CU_ASSERT_EQUAL(cicd__store_lease_get(st, &l, "dev"), 0);
	CICD_ASSERT_STR(l.owner, "");
	cicd__lease_dispose(&l);
}

static void test_deploy_applies_waves_in_order_and_records_everything(void)
{
	world w;
	int state = -1;
	int64_t job;
	char *log;
	cicd_vec changes = CICD_VEC_INIT, inv = CICD_VEC_INIT;
	world_open(&w);
	job = new_job(&w, w.v1, 0, 60000);
	CU_ASSERT_EQUAL(run_job(&w, job, "worker-a", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	assert_job(w.st, job, CICD__JOB_SUCCEEDED, "succeeded", "2 created, 0 configured, 0 unchanged, 0 pruned");
	CICD_ASSERT_STR(fake_ops(w.fake), "apply ConfigMap demo/web-config\napply Deployment demo/web\n");
	CU_ASSERT_EQUAL(cicd__store_changes_get(w.st, &changes, job), 0);
	CU_ASSERT_EQUAL_FATAL(changes.count, 2);
	CICD_ASSERT_STR(((cicd__change *)changes.items[0])->action, "create");
	CICD_ASSERT_STR(((cicd__change *)changes.items[1])->kind, "Deployment");
	cicd__vec_dispose_with(&changes, cicd__change_free_item);
	CU_ASSERT_EQUAL(cicd__store_inventory_list(w.st, &inv, "dev", "shop", "web"), 0);
	CU_ASSERT_EQUAL(inv.count, 2);
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	log = log_text(w.st, job);
	CICD_ASSERT_STR(log, "deploying shop/web version 1 (1111111111) to target dev (namespace demo) by alice\n"
	                     "plan: create ConfigMap demo/web-config\n"
	                     "plan: create Deployment demo/web\n"
	                     "plan: 2 to create, 0 to update, 0 unchanged, 0 to delete\n"
	                     "created ConfigMap demo/web-config\n"
	                     "ready ConfigMap demo/web-config\n"
	                     "created Deployment demo/web\n"
	                     "ready Deployment demo/web\n"
	                     "job succeeded: 2 created, 0 configured, 0 unchanged, 0 pruned\n");
	free(log);
	assert_lease_free(w.st);
	world_close(&w);
}

static void test_roll_forward_then_rollback_with_prune_restores(void)
{
	world w;
	int state = -1;
	int64_t j2, j3;
	cicd_vec changes = CICD_VEC_INIT, inv = CICD_VEC_INIT;
	world_open(&w);
	CU_ASSERT_EQUAL(run_job(&w, new_job(&w, w.v1, 0, 60000), "a", NULL, &state), 0);
	j2 = new_job(&w, w.v2, 0, 60000);
	CU_ASSERT_EQUAL(run_job(&w, j2, "a", NULL, &state), 0);
	assert_job(w.st, j2, CICD__JOB_SUCCEEDED, "succeeded", "1 created, 1 configured, 1 unchanged, 0 pruned");
	CU_ASSERT_EQUAL(cicd__store_changes_get(w.st, &changes, j2), 0);
	CU_ASSERT_EQUAL_FATAL(changes.count, 3);
	CICD_ASSERT_STR(((cicd__change *)changes.items[0])->action, "unchanged");
	CICD_ASSERT_STR(((cicd__change *)changes.items[1])->action, "create");
	CICD_ASSERT_STR(((cicd__change *)changes.items[2])->action, "update");
	CU_ASSERT_PTR_NOT_NULL(((cicd__change *)changes.items[2])->diff);
	if (((cicd__change *)changes.items[2])->diff)
		CU_ASSERT_PTR_NOT_NULL(strstr(((cicd__change *)changes.items[2])->diff, "web:2"));
	cicd__vec_dispose_with(&changes, cicd__change_free_item);
	/* Rollback = a new job of version 1 with prune: web-extra goes away again. */
	j3 = new_job(&w, w.v1, 1, 60000);
	CU_ASSERT_EQUAL(run_job(&w, j3, "a", NULL, &state), 0);
	assert_job(w.st, j3, CICD__JOB_SUCCEEDED, "succeeded", "0 created, 1 configured, 1 unchanged, 1 pruned");
	CU_ASSERT_PTR_NULL(fake_get(w.fake, "ConfigMap", "demo", "web-extra"));
	CU_ASSERT_PTR_NOT_NULL(strstr(fake_get(w.fake, "Deployment", "demo", "web"), "web:1"));
	CU_ASSERT_EQUAL(cicd__store_inventory_list(w.st, &inv, "dev", "shop", "web"), 0);
	CU_ASSERT_EQUAL(inv.count, 2);
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	world_close(&w);
}

static void test_prune_never_deletes_an_object_the_set_does_not_own(void)
{
	world w;
	int state = -1;
	int64_t j3;
	char *log;
	world_open(&w);
	CU_ASSERT_EQUAL(run_job(&w, new_job(&w, w.v2, 0, 60000), "a", NULL, &state), 0);
	/* Someone else took web-extra over: it no longer carries the set's labels. */
	fake_put(w.fake, "ConfigMap", "demo", "web-extra",
	         "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"web-extra\",\"namespace\":"
	         "\"demo\"}}");
	j3 = new_job(&w, w.v1, 1, 60000);
	CU_ASSERT_EQUAL(run_job(&w, j3, "a", NULL, &state), 0);
	assert_job(w.st, j3, CICD__JOB_SUCCEEDED, "succeeded", "0 created, 1 configured, 1 unchanged, 0 pruned");
	CU_ASSERT_PTR_NOT_NULL(fake_get(w.fake, "ConfigMap", "demo", "web-extra"));
	log = log_text(w.st, j3);
	CU_ASSERT_PTR_NOT_NULL(strstr(log,
	                              "not pruned ConfigMap demo/web-extra: it lacks the owner labels of shop/web, so "
	                              "the set does not own it\n"));
	free(log);
	world_close(&w);
}

static void test_doomed_rollout_fails_fast_naming_the_object(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	fake_set_readiness(w.fake, "web", FAKE_DOOMED,
	                   "pod web-7d9c-x2x: ImagePullBackOff: Back-off pulling image \"web:doesnotexist\"");
	job = new_job(&w, w.v_bad, 0, 600000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_FAILED);
	assert_job(
	    w.st, job, CICD__JOB_FAILED, "rollout_failed",
	    "Deployment demo/web: pod web-7d9c-x2x: ImagePullBackOff: Back-off pulling image \"web:doesnotexist\"");
	/* Failed fast: far less than the 10-minute deadline went by. */
	CU_ASSERT(g_clock - T0 < 1000);
	assert_lease_free(w.st);
	world_close(&w);
}

static void test_timeout_names_every_object_not_ready(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	fake_set_readiness(w.fake, "web-config", FAKE_NEVER, "waiting for the config");
	fake_set_readiness(w.fake, "web-extra", FAKE_NEVER, "waiting for the extra");
	job = new_job(&w, w.v2, 0, 30000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_TIMED_OUT);
	assert_job(
	    w.st, job, CICD__JOB_TIMED_OUT, "timed_out",
	    "not ready after 30000 ms: ConfigMap demo/web-config: waiting for the config; ConfigMap demo/web-extra: "
	    "waiting for the extra");
	world_close(&w);
}

static void test_apply_conflict_fails_with_its_reason(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	fake_set_apply_error(w.fake, "web", CICD_ECONFLICT,
	                     "Deployment demo/web: conflict: .spec.replicas is managed by \"kubectl-edit\"");
	job = new_job(&w, w.v1, 0, 60000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", NULL, &state), 0);
	assert_job(w.st, job, CICD__JOB_FAILED, "apply_conflict", NULL);
	world_close(&w);
}

static void test_unreachable_cluster_is_retried_until_the_deadline(void)
{
	world w;
	int state = -1;
	int64_t job;
	char *log;
	world_open(&w);
	fake_set_unreachable(w.fake, 1);
	job = new_job(&w, w.v1, 0, 60000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", NULL, &state), 0);
	assert_job(w.st, job, CICD__JOB_FAILED, "cluster_unreachable",
	           "planning: ConfigMap demo/web-config: https://127.0.0.1:6443: connection refused");
	log = log_text(w.st, job);
	/* 1, 2, 4, 8, 16, 30 s pauses fit in the minute; the next one would not. */
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "cluster unreachable, the step runs again in 1000 ms: planning: ConfigMap "
	                                   "demo/web-config: https://127.0.0.1:6443: connection refused\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "the step runs again in 16000 ms"));
	CU_ASSERT_PTR_NULL(strstr(log, "the step runs again in 30000 ms"));
	free(log);
	assert_lease_free(w.st);
	world_close(&w);
}

typedef struct {
	fake_cluster *fake;
	int calls;
} heal_state;

/* The cluster comes back once the job has retried twice. */
static int heal(const char *point, void *payload)
{
	heal_state *h = payload;
	if (!strcmp(point, "step-begin") && ++h->calls == 3)
		fake_set_unreachable(h->fake, 0);
	return 0;
}

static void test_cluster_that_comes_back_resumes_the_step(void)
{
	world w;
	int state = -1;
	int64_t job;
	heal_state h;
	cicd__exec_options o;
	char *log;
	world_open(&w);
	fake_set_unreachable(w.fake, 1);
	h.fake = w.fake;
	h.calls = 0;
	job = new_job(&w, w.v1, 0, 600000);
	memset(&o, 0, sizeof o);
	o.owner = "a";
	o.lease_ttl_ms = 10000;
	o.clock = test_clock;
	o.sleep_ms = test_sleep;
	o.crash_hook = heal;
	o.hook_payload = &h;
	CU_ASSERT_EQUAL(cicd__deploy_execute(&state, w.st, fake_base(w.fake), job, &o), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	log = log_text(w.st, job);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "the step runs again in 1000 ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "the step runs again in 2000 ms"));
	CU_ASSERT_PTR_NULL(strstr(log, "the step runs again in 4000 ms"));
	free(log);
	world_close(&w);
}

static void test_cancel_stops_between_steps_and_says_what_was_applied(void)
{
	world w;
	int state = -1;
	int64_t job;
	hook_state h = {"step-done", 0, 0, 2, 0, NULL, 0};
	world_open(&w);
	job = new_job(&w, w.v1, 0, 60000);
	h.st = w.st;
	h.cancel_job = job;
	CU_ASSERT_EQUAL(run_job(&w, job, "a", &h, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_CANCELED);
	assert_job(w.st, job, CICD__JOB_CANCELED, "canceled",
	           "canceled before step 2 (wait wave 0); 1 created, 0 configured, 0 unchanged, 0 pruned before it");
	CICD_ASSERT_STR(fake_ops(w.fake), "apply ConfigMap demo/web-config\n");
	assert_lease_free(w.st);
	world_close(&w);
}

static void test_busy_target_leaves_the_job_queued(void)
{
	world w;
	int state = -1;
	int64_t job, epoch;
	world_open(&w);
	CU_ASSERT_EQUAL(cicd__store_lease_acquire(w.st, &epoch, "dev", "other", 60000, g_clock), 0);
	job = new_job(&w, w.v1, 0, 60000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", NULL, &state), CICD_ECONFLICT);
	assert_job(w.st, job, CICD__JOB_QUEUED, NULL, NULL);
	world_close(&w);
}

static void test_crashed_worker_is_resumed_from_first_unconfirmed_step(void)
{
	world w;
	int state = -1;
	int64_t job;
	hook_state h = {"applied", 0, 0, 2, 0, NULL, 0};
	char *log;
	cicd_vec tr = CICD_VEC_INIT;
	world_open(&w);
	job = new_job(&w, w.v1, 0, 600000);
	/* worker-a dies right after applying the Deployment (step 3), before confirming it. */
	CU_ASSERT_EQUAL(run_job(&w, job, "worker-a", &h, &state), CICD_EUSER);
	assert_job(w.st, job, CICD__JOB_RUNNING, "started", NULL);
	/* Its lease is still live: nobody may take the job yet. */
	CU_ASSERT_EQUAL(run_job(&w, job, "worker-b", NULL, &state), CICD_ECONFLICT);
	g_clock += 20000;
	CU_ASSERT_EQUAL(run_job(&w, job, "worker-b", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	CICD_ASSERT_STR(fake_ops(w.fake),
	                "apply ConfigMap demo/web-config\napply Deployment demo/web\napply Deployment demo/web\n");
	log = log_text(w.st, job);
	/* worker-a's lines up to its last confirmed step survive; then worker-b's. */
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "created ConfigMap demo/web-config\nready ConfigMap demo/web-config\n"
	                                   "resumed by worker worker-b at step 3 (apply wave 1), lease epoch 2\n"
	                                   "unchanged Deployment demo/web\n"));
	free(log);
	CU_ASSERT_EQUAL(cicd__store_job_transitions(w.st, &tr, job), 0);
	CU_ASSERT_EQUAL_FATAL(tr.count, 3);
	CICD_ASSERT_STR(((cicd__transition *)tr.items[1])->reason, "resumed");
	cicd__vec_dispose_with(&tr, cicd__transition_free_item);
	assert_lease_free(w.st);
	world_close(&w);
}

static void test_worker_lost_during_its_plan_is_taken_over_with_a_note(void)
{
	world w;
	int state = -1;
	int64_t job;
	hook_state h = {"step-begin", 0, 0, 1, 0, NULL, 0};
	char *log;
	world_open(&w);
	job = new_job(&w, w.v1, 0, 600000);
	/* worker-a dies before its first step: nothing is journaled, the job is running */
	CU_ASSERT_EQUAL(run_job(&w, job, "worker-a", &h, &state), CICD_EUSER);
	g_clock += 20000;
	CU_ASSERT_EQUAL(run_job(&w, job, "worker-b", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	log = log_text(w.st, job);
	/* the successor starts over at the plan, and says it took over */
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "resumed by worker worker-b at step 0 (plan), lease epoch 2\nplan: "));
	free(log);
	world_close(&w);
}

static void test_job_lost_too_often_ends_worker_lost(void)
{
	world w;
	int state = -1, i;
	int64_t job;
	world_open(&w);
	job = new_job(&w, w.v1, 0, 6000000);
	for (i = 0; i < 4; i++) {
		hook_state h = {"step-begin", 0, 0, 1, 0, NULL, 0};
		char owner[16];
		snprintf(owner, sizeof owner, "w%d", i);
		CU_ASSERT_EQUAL(run_job(&w, job, owner, &h, &state), CICD_EUSER);
		g_clock += 20000;
	}
	CU_ASSERT_EQUAL(run_job(&w, job, "w-last", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_FAILED);
	assert_job(w.st, job, CICD__JOB_FAILED, "worker_lost", "its worker was lost 4 times; not resumed again");
	assert_lease_free(w.st);
	world_close(&w);
}

static char *secret(const char *value)
{
	char *s = malloc(512);
	snprintf(s, 512,
	         "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{" OWNED
	         ",\"name\":\"db\",\"namespace\":\"demo\"},\"stringData\":{\"password\":\"%s\"}}",
	         value);
	return s;
}

static void test_secret_values_never_reach_the_log_or_the_change_set(void)
{
	static const char *const kinds[] = {"Secret"}, *const names[] = {"db"};
	static const int waves[] = {0};
	world w;
	int state = -1;
	int64_t a, b, job;
	char *bodies[1], *log;
	cicd_vec changes = CICD_VEC_INIT;
	world_open(&w);
	bodies[0] = secret("hunter2-first");
	a = push_version(w.st, "5555555555", 1, kinds, names, waves, bodies);
	bodies[0] = secret("hunter2-second");
	b = push_version(w.st, "6666666666", 1, kinds, names, waves, bodies);
	CU_ASSERT_EQUAL(run_job(&w, new_job(&w, a, 0, 60000), "a", NULL, &state), 0);
	job = new_job(&w, b, 0, 60000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	log = log_text(w.st, job);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "plan: update Secret demo/db\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "stringData.password"));
	CU_ASSERT_PTR_NULL(strstr(log, "hunter2"));
	free(log);
	CU_ASSERT_EQUAL(cicd__store_changes_get(w.st, &changes, job), 0);
	CU_ASSERT_EQUAL_FATAL(changes.count, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(((cicd__change *)changes.items[0])->diff);
	CU_ASSERT_PTR_NULL(strstr(((cicd__change *)changes.items[0])->diff, "hunter2"));
	cicd__vec_dispose_with(&changes, cicd__change_free_item);
	world_close(&w);
}

static void test_long_steps_keep_the_lease_alive(void)
{
	world w;
	int state = -1;
	int64_t job;
	hook_state h = {"applied", 1, 1, 2, 0, NULL, 0};
	world_open(&w);
	/* Two objects in wave 0, 6 s each, with a 10 s lease: the step outlives the lease unless renewed. */
	fake_set_apply_delay(w.fake, 6000);
	h.st = w.st;
	job = new_job(&w, w.v2, 0, 600000);
	CU_ASSERT_EQUAL(run_job(&w, job, "a", &h, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	CU_ASSERT_EQUAL(h.seen, 3);
	CU_ASSERT_EQUAL(h.intruder_result, CICD_ECONFLICT);
	world_close(&w);
}

static void test_normalize_drops_server_fields_and_sorts_keys(void)
{
	cicd_buf out = CICD_BUF_INIT;
	const char *in = "{\"status\":{\"x\":1},\"metadata\":{\"uid\":\"u\",\"name\":\"a\",\"resourceVersion\":\"5\","
	                 "\"managedFields\":[]},\"kind\":\"ConfigMap\",\"data\":{\"b\":\"2\",\"a\":1}}";
	CU_ASSERT_EQUAL(cicd__normalize_object(&out, in, strlen(in)), 0);
	CICD_ASSERT_STR(out.ptr,
	                "{\"data\":{\"a\":1,\"b\":\"2\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}");
	cicd_buf_dispose(&out);
}

CICD_SUITE(deploy_engine, CICD_TEST(test_deploy_applies_waves_in_order_and_records_everything),
           CICD_TEST(test_roll_forward_then_rollback_with_prune_restores),
           CICD_TEST(test_prune_never_deletes_an_object_the_set_does_not_own),
           CICD_TEST(test_doomed_rollout_fails_fast_naming_the_object),
           CICD_TEST(test_timeout_names_every_object_not_ready), CICD_TEST(test_apply_conflict_fails_with_its_reason),
           CICD_TEST(test_unreachable_cluster_is_retried_until_the_deadline),
           CICD_TEST(test_cluster_that_comes_back_resumes_the_step),
           CICD_TEST(test_cancel_stops_between_steps_and_says_what_was_applied),
           CICD_TEST(test_busy_target_leaves_the_job_queued),
           CICD_TEST(test_crashed_worker_is_resumed_from_first_unconfirmed_step),
           CICD_TEST(test_worker_lost_during_its_plan_is_taken_over_with_a_note),
           CICD_TEST(test_job_lost_too_often_ends_worker_lost),
           CICD_TEST(test_secret_values_never_reach_the_log_or_the_change_set),
           CICD_TEST(test_long_steps_keep_the_lease_alive),
           CICD_TEST(test_normalize_drops_server_fields_and_sorts_keys))
