/*
 * Cluster-scoped objects (Namespace, ClusterRole, custom kinds of Cluster
 * scope) live in no namespace: the job log, the change set, the inventory
 * and prune say so, and inventory rows that earlier versions wrote under the
 * target's namespace still match their object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/errors.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "deploy/deploy_internal.h"
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

typedef struct {
	const char *api_version, *kind, *ns, *name;
	int wave;
	const char *extra; /* more top-level JSON after metadata, or "" */
} obj;

static const obj NS = {"v1", "Namespace", "", "demo", 0, ""};
static const obj READER = {"rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader", 0, ",\"rules\":[]"};
static const obj WEB = {"apps/v1", "Deployment", "", "web", 1, ",\"spec\":{\"image\":\"web:1\"}"};

static int64_t push(cicd__store *st, const char *hash, const obj *objs, size_t n)
{
	cicd__object_in in[8];
	cicd__push_meta meta = {"ci", NULL, NULL, T0};
	cicd__version v;
	char bodies[8][512], hashes[8][80];
	int existed;
	size_t i;
	int64_t id;
	for (i = 0; i < n; i++) {
		snprintf(bodies[i], sizeof bodies[i],
		         "{\"apiVersion\":\"%s\",\"kind\":\"%s\",\"metadata\":{" OWNED ",\"name\":\"%s\"%s%s%s}%s}",
		         objs[i].api_version, objs[i].kind, objs[i].name, *objs[i].ns ? ",\"namespace\":\"" : "",
		         objs[i].ns, *objs[i].ns ? "\"" : "", objs[i].extra);
		snprintf(hashes[i], sizeof hashes[i], "%s-%zu", hash, i);
		in[i].hash = hashes[i];
		in[i].api_version = objs[i].api_version;
		in[i].kind = objs[i].kind;
		in[i].namespace_ = objs[i].ns;
		in[i].name = objs[i].name;
		in[i].body = bodies[i];
		in[i].body_len = strlen(bodies[i]);
		in[i].wave = objs[i].wave;
	}
	CU_ASSERT_EQUAL_FATAL(cicd__store_version_push(st, &v, &existed, "shop", "web", hash, in, n, &meta), 0);
	id = v.id;
	cicd__version_dispose(&v);
	return id;
}

typedef struct {
	cicd__store *st;
	fake_cluster *fake;
	int64_t v1, v2; /* v1: Namespace, ClusterRole, Deployment; v2 the same without the ClusterRole */
} world;

static void world_open(world *w)
{
	const obj v1[] = {NS, READER, WEB}, v2[] = {NS, WEB};
	cicd__target t = {(char *)"dev", NULL, NULL, (char *)"demo", 0, T0};
	g_clock = T0;
	fixture_use_pg(0);
	w->st = fixture_open();
	w->fake = fake_new(&g_clock);
	CU_ASSERT_EQUAL_FATAL(cicd__store_target_add(w->st, &t), 0);
	w->v1 = push(w->st, "1111111111", v1, 3);
	w->v2 = push(w->st, "2222222222", v2, 2);
}

static void world_close(world *w)
{
	fake_base(w->fake)->ops->free(fake_base(w->fake));
	cicd__store_close(w->st);
}

typedef struct {
	const char *point;
	int after, seen; /* the process dies the after-th time it reaches point */
} crash_at;

static int crash_hook(const char *point, void *payload)
{
	crash_at *c = payload;
	return !strcmp(point, c->point) && ++c->seen == c->after;
}

/* Runs the job as worker `owner` (dying where crash says, when set); returns what the engine did. */
static int run_as(world *w, int64_t job, const char *owner, crash_at *crash, int *state)
{
	cicd__exec_options o;
	memset(&o, 0, sizeof o);
	o.owner = owner;
	o.lease_ttl_ms = 10000;
	o.clock = test_clock;
	o.sleep_ms = test_sleep;
	if (crash) {
		o.crash_hook = crash_hook;
		o.hook_payload = crash;
	}
	return cicd__deploy_execute(state, w->st, fake_base(w->fake), job, &o);
}

static int64_t new_job(world *w, int64_t version, int prune)
{
	int64_t id = -1;
	CU_ASSERT_EQUAL_FATAL(cicd__store_job_create(w->st, &id, version, "dev", "alice", prune, 60000, g_clock), 0);
	return id;
}

/* Runs a new job of the version to its end; returns the job's id. */
static int64_t deploy(world *w, int64_t version, int prune, int *state)
{
	int64_t id = new_job(w, version, prune);
	CU_ASSERT_EQUAL(run_as(w, id, "a", NULL, state), 0);
	return id;
}

/* The job's log lines from the first that starts with `from`. */
static char *log_from(cicd__store *st, int64_t job, const char *from)
{
	cicd_vec lines = CICD_VEC_INIT;
	cicd_buf b = CICD_BUF_INIT;
	size_t i;
	int on = 0;
	cicd__store_log_read(st, &lines, job, 0, 0);
	for (i = 0; i < lines.count; i++) {
		const char *m = ((cicd__logline *)lines.items[i])->message;
		on = on || !strncmp(m, from, strlen(from));
		if (on)
			cicd__buf_printf(&b, "%s\n", m);
	}
	cicd__vec_dispose_with(&lines, cicd__logline_free_item);
	return b.ptr ? cicd__buf_detach(&b) : cicd__strdup("");
}

/* The inventory as "Kind ns/name" lines. */
static char *inventory(cicd__store *st)
{
	cicd_vec inv = CICD_VEC_INIT;
	cicd_buf b = CICD_BUF_INIT;
	size_t i;
	CU_ASSERT_EQUAL(cicd__store_inventory_list(st, &inv, "dev", "shop", "web"), 0);
	for (i = 0; i < inv.count; i++) {
		const cicd__inventory_item *it = inv.items[i];
		cicd__buf_printf(&b, "%s %s/%s\n", it->kind, it->namespace_, it->name);
	}
	cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	return b.ptr ? cicd__buf_detach(&b) : cicd__strdup("");
}

static char *changes_json(cicd__store *st, int64_t job)
{
	cicd_vec changes = CICD_VEC_INIT;
	cicd_buf b = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd__store_changes_get(st, &changes, job), 0);
	CU_ASSERT_EQUAL(cicd__json_changes(&b, &changes), 0);
	cicd__vec_dispose_with(&changes, cicd__change_free_item);
	return cicd__buf_detach(&b);
}

#define ASSERT_STR_FREE(expr, want)                                                                                    \
	do {                                                                                                           \
		char *got_ = (expr);                                                                                   \
		CICD_ASSERT_STR(got_, want);                                                                           \
		cicd__free(got_);                                                                                      \
	} while (0)

static void test_cluster_scoped_objects_are_labelled_and_recorded_without_namespace(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	job = deploy(&w, w.v1, 0, &state);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	ASSERT_STR_FREE(log_from(w.st, job, "plan:"),
	                "plan: create Namespace demo\n"
	                "plan: create ClusterRole reader\n"
	                "plan: create Deployment demo/web\n"
	                "plan: 3 to create, 0 to update, 0 unchanged, 0 to delete\n"
	                "created Namespace demo\n"
	                "created ClusterRole reader\n"
	                "ready Namespace demo\n"
	                "ready ClusterRole reader\n"
	                "created Deployment demo/web\n"
	                "ready Deployment demo/web\n"
	                "job succeeded: 3 created, 0 configured, 0 unchanged, 0 pruned\n");
	CICD_ASSERT_STR(fake_ops(w.fake),
	                "apply Namespace demo\napply ClusterRole reader\napply Deployment demo/web\n");
	ASSERT_STR_FREE(inventory(w.st), "ClusterRole /reader\nDeployment demo/web\nNamespace /demo\n");
	ASSERT_STR_FREE(
	    changes_json(w.st, job),
	    "[{\"action\":\"create\",\"wave\":0,\"api_version\":\"v1\",\"kind\":\"Namespace\",\"namespace\":\"\","
	    "\"name\":\"demo\",\"diff\":null},"
	    "{\"action\":\"create\",\"wave\":0,\"api_version\":\"rbac.authorization.k8s.io/"
	    "v1\",\"kind\":\"ClusterRole\","
	    "\"namespace\":\"\",\"name\":\"reader\",\"diff\":null},"
	    "{\"action\":\"create\",\"wave\":1,\"api_version\":\"apps/v1\",\"kind\":\"Deployment\","
	    "\"namespace\":\"demo\",\"name\":\"web\",\"diff\":null}]");
	world_close(&w);
}

static void test_version_without_a_cluster_scoped_object_prunes_exactly_it(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	deploy(&w, w.v1, 0, &state);
	job = deploy(&w, w.v2, 1, &state);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	ASSERT_STR_FREE(log_from(w.st, job, "plan:"),
	                "plan: unchanged Namespace demo\n"
	                "plan: unchanged Deployment demo/web\n"
	                "plan: delete ClusterRole reader\n"
	                "plan: 0 to create, 0 to update, 2 unchanged, 1 to delete\n"
	                "unchanged Namespace demo\n"
	                "ready Namespace demo\n"
	                "unchanged Deployment demo/web\n"
	                "ready Deployment demo/web\n"
	                "pruned ClusterRole reader\n"
	                "job succeeded: 0 created, 0 configured, 2 unchanged, 1 pruned\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(fake_ops(w.fake), "\ndelete ClusterRole reader\n"));
	CU_ASSERT_EQUAL(fake_count(w.fake), 2);
	CU_ASSERT_PTR_NOT_NULL(fake_get(w.fake, "Namespace", "", "demo"));
	ASSERT_STR_FREE(inventory(w.st), "Deployment demo/web\nNamespace /demo\n");
	world_close(&w);
}

/* What earlier versions of the engine recorded: cluster-scoped objects under the target's namespace. */
static void rewrite_inventory_the_old_way(world *w)
{
	CU_ASSERT_EQUAL(fixture_sql(w->st, "UPDATE inventory SET namespace = 'demo' WHERE namespace = ''"), 0);
	ASSERT_STR_FREE(inventory(w->st), "ClusterRole demo/reader\nDeployment demo/web\nNamespace demo/demo\n");
}

static void test_inventory_rows_written_the_old_way_still_match_and_are_rewritten(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	deploy(&w, w.v1, 0, &state);
	rewrite_inventory_the_old_way(&w);
	job = deploy(&w, w.v1, 1, &state);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	ASSERT_STR_FREE(log_from(w.st, job, "plan: 0"),
	                "plan: 0 to create, 0 to update, 3 unchanged, 0 to delete\n"
	                "unchanged Namespace demo\n"
	                "unchanged ClusterRole reader\n"
	                "ready Namespace demo\n"
	                "ready ClusterRole reader\n"
	                "unchanged Deployment demo/web\n"
	                "ready Deployment demo/web\n"
	                "job succeeded: 0 created, 0 configured, 3 unchanged, 0 pruned\n");
	CU_ASSERT_PTR_NULL(strstr(fake_ops(w.fake), "delete"));
	CU_ASSERT_EQUAL(fake_count(w.fake), 3);
	ASSERT_STR_FREE(inventory(w.st), "ClusterRole /reader\nDeployment demo/web\nNamespace /demo\n");
	world_close(&w);
}

static void test_old_row_of_an_object_the_version_drops_is_pruned_by_its_real_name(void)
{
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	deploy(&w, w.v1, 0, &state);
	rewrite_inventory_the_old_way(&w);
	job = deploy(&w, w.v2, 1, &state);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	ASSERT_STR_FREE(log_from(w.st, job, "plan: delete"),
	                "plan: delete ClusterRole reader\n"
	                "plan: 0 to create, 0 to update, 2 unchanged, 1 to delete\n"
	                "unchanged Namespace demo\n"
	                "ready Namespace demo\n"
	                "unchanged Deployment demo/web\n"
	                "ready Deployment demo/web\n"
	                "pruned ClusterRole reader\n"
	                "job succeeded: 0 created, 0 configured, 2 unchanged, 1 pruned\n");
	CU_ASSERT_PTR_NULL(fake_get(w.fake, "ClusterRole", "", "reader"));
	CU_ASSERT_PTR_NOT_NULL(fake_get(w.fake, "Namespace", "", "demo"));
	/* The row is gone with its object; the Namespace's row was rewritten by the apply. */
	ASSERT_STR_FREE(inventory(w.st), "Deployment demo/web\nNamespace /demo\n");
	world_close(&w);
}

static void test_worker_that_resumes_a_job_labels_and_records_by_scope_too(void)
{
	world w;
	int state = -1;
	int64_t job;
	crash_at crash = {"step-done", 2, 0}; /* after the plan and apply wave 0 are confirmed */
	world_open(&w);
	job = new_job(&w, w.v1, 0);
	CU_ASSERT_EQUAL(run_as(&w, job, "a", &crash, &state), CICD_EUSER);
	g_clock += 20000; /* a's lease runs out */
	CU_ASSERT_EQUAL(run_as(&w, job, "b", NULL, &state), 0);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	ASSERT_STR_FREE(log_from(w.st, job, "resumed"),
	                "resumed by worker b at step 2 (wait wave 0), lease epoch 2\n"
	                "ready Namespace demo\n"
	                "ready ClusterRole reader\n"
	                "created Deployment demo/web\n"
	                "ready Deployment demo/web\n"
	                "job succeeded: 1 created, 0 configured, 0 unchanged, 0 pruned\n");
	ASSERT_STR_FREE(inventory(w.st), "ClusterRole /reader\nDeployment demo/web\nNamespace /demo\n");
	world_close(&w);
}

#define CRD_SPEC(kind, plural, scope)                                                                                  \
	",\"spec\":{\"group\":\"example.com\",\"names\":{\"kind\":\"" kind "\",\"plural\":\"" plural                   \
	"\"},\"scope\":\"" scope "\"}"

static void test_custom_kinds_take_the_scope_of_their_crd_from_an_earlier_wave(void)
{
	const obj set[] = {{"apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "gadgets.example.com", 0,
	                    CRD_SPEC("Gadget", "gadgets", "Cluster")},
	                   {"apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com", 0,
	                    CRD_SPEC("Widget", "widgets", "Namespaced")},
	                   {"example.com/v1", "Gadget", "", "g1", 1, ""},
	                   {"example.com/v1", "Widget", "", "w1", 1, ""}};
	world w;
	int state = -1;
	int64_t job;
	world_open(&w);
	job = deploy(&w, push(w.st, "4444444444", set, 4), 0, &state);
	CU_ASSERT_EQUAL(state, CICD__JOB_SUCCEEDED);
	ASSERT_STR_FREE(log_from(w.st, job, "plan:"),
	                "plan: create CustomResourceDefinition gadgets.example.com\n"
	                "plan: create CustomResourceDefinition widgets.example.com\n"
	                "plan: create Gadget g1\n"
	                "plan: create Widget demo/w1\n"
	                "plan: 4 to create, 0 to update, 0 unchanged, 0 to delete\n"
	                "created CustomResourceDefinition gadgets.example.com\n"
	                "created CustomResourceDefinition widgets.example.com\n"
	                "ready CustomResourceDefinition gadgets.example.com\n"
	                "ready CustomResourceDefinition widgets.example.com\n"
	                "created Gadget g1\n"
	                "created Widget demo/w1\n"
	                "ready Gadget g1\n"
	                "ready Widget demo/w1\n"
	                "job succeeded: 4 created, 0 configured, 0 unchanged, 0 pruned\n");
	ASSERT_STR_FREE(inventory(w.st), "CustomResourceDefinition /gadgets.example.com\n"
	                                 "CustomResourceDefinition /widgets.example.com\n"
	                                 "Gadget /g1\n"
	                                 "Widget demo/w1\n");
	/* Deployed again, the cluster knows both kinds: nothing changes, nothing is pruned. */
	job = deploy(&w, push(w.st, "4444444444", set, 4), 1, &state);
	ASSERT_STR_FREE(log_from(w.st, job, "job "), "job succeeded: 0 created, 0 configured, 4 unchanged, 0 pruned\n");
	world_close(&w);
}

static void test_kind_unknown_to_the_cluster_and_the_set_fails_the_plan_naming_it(void)
{
	const obj set[] = {{"example.com/v1", "Thing", "", "t1", 0, ""}};
	world w;
	int state = -1;
	int64_t job;
	cicd__job j;
	world_open(&w);
	job = deploy(&w, push(w.st, "5555555555", set, 1), 0, &state);
	CU_ASSERT_EQUAL(state, CICD__JOB_FAILED);
	CU_ASSERT_EQUAL_FATAL(cicd__store_job_get(w.st, &j, job), 0);
	CICD_ASSERT_STR(j.reason, "invalid_manifest");
	/* Unknown, it counts as namespaced. */
	CICD_ASSERT_STR(j.message, "planning: Thing demo/t1: the server has no kind Thing");
	cicd__job_dispose(&j);
	world_close(&w);
}

CICD_SUITE(deploy_scope, CICD_TEST(test_cluster_scoped_objects_are_labelled_and_recorded_without_namespace),
           CICD_TEST(test_version_without_a_cluster_scoped_object_prunes_exactly_it),
           CICD_TEST(test_inventory_rows_written_the_old_way_still_match_and_are_rewritten),
           CICD_TEST(test_old_row_of_an_object_the_version_drops_is_pruned_by_its_real_name),
           CICD_TEST(test_worker_that_resumes_a_job_labels_and_records_by_scope_too),
           CICD_TEST(test_custom_kinds_take_the_scope_of_their_crd_from_an_earlier_wave),
           CICD_TEST(test_kind_unknown_to_the_cluster_and_the_set_fails_the_plan_naming_it))
