/*
 * End-to-end tests of the kube client against a real control plane
 * (scripts/k8s-testenv: etcd, kube-apiserver, controller-manager,
 * scheduler, kwok nodes). Run by scripts/test.d/40-kube-e2e.sh with the
 * environment of STATE/env; built against build/libcicd.so, public API only.
 *
 *   e2e_kube [TEST-NAME-SUBSTRING]
 *
 * Prints one line per test and "N passed, M failed" at the end.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cicd/cicd.h>
#include <cicd/kube.h>

static int g_failed_checks;
static char g_tmp[256];

#define CHECK(cond)                                                                                                    \
	do {                                                                                                           \
		if (!(cond)) {                                                                                         \
			fprintf(stderr, "    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                 \
			fprintf(stderr, "    last error: %s (%s)\n", cicd_error_last()->message,                       \
				cicd_error_name(cicd_error_last()->code));                                            \
			g_failed_checks++;                                                                             \
		}                                                                                                      \
	} while (0)

#define CHECK_RC(call, want)                                                                                           \
	do {                                                                                                           \
		int rc_ = (call);                                                                                      \
		if (rc_ != (want)) {                                                                                   \
			fprintf(stderr, "    %s:%d: %s returned %s, expected %s: %s\n", __FILE__, __LINE__, #call,    \
				cicd_error_name(rc_), cicd_error_name(want), cicd_error_last()->message);             \
			g_failed_checks++;                                                                             \
		}                                                                                                      \
	} while (0)

#define CHECK_CONTAINS(text, part)                                                                                     \
	do {                                                                                                           \
		const char *t_ = (text);                                                                               \
		if (!t_ || !strstr(t_, (part))) {                                                                      \
			fprintf(stderr, "    %s:%d: '%s' not found in: %s\n", __FILE__, __LINE__, (part),            \
				t_ ? t_ : "(null)");                                                                   \
			g_failed_checks++;                                                                             \
		}                                                                                                      \
	} while (0)

static const char *env(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		fprintf(stderr, "e2e_kube: %s is not set (source the test environment's env file)\n", name);
		exit(2);
	}
	return v;
}

/* A file in the folder kwok reads container logs from (scripts/k8s-testenv/stages/cicd-logs.yaml). */
static const char *kwok_log(const char *file)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", env("CICD_K8S_KWOK_LOGS"), file);
	return path;
}

static cicd_kube_client *client_for(const char *kubeconfig)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	cicd_kube_client *c = NULL;
	o.kubeconfig = kubeconfig;
	o.flags = CICD_KUBE_CONFIG_NO_IN_CLUSTER;
	if (cicd_kube_config_load(&cfg, &o) || cicd_kube_client_new(&c, cfg, NULL)) {
		fprintf(stderr, "    cannot make a client for %s: %s\n", kubeconfig, cicd_error_last()->message);
		g_failed_checks++;
	}
	cicd_kube_config_free(cfg);
	return c;
}

static cicd_kube_client *admin(void)
{
	return client_for(env("KUBECONFIG"));
}

static char *write_file(const char *name, const char *fmt, ...)
{
	static char path[512];
	va_list ap;
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", g_tmp, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	return path;
}

typedef struct applied {
	int count;
	char lines[64][512];
	int errors[64];
} applied;

static int record(const cicd_kube_apply_item *item, void *payload)
{
	applied *a = payload;
	if (a->count < 64) {
		if (item->error)
			snprintf(a->lines[a->count], sizeof a->lines[0], "%s %s error: %s", item->kind, item->name, item->message);
		else
			snprintf(a->lines[a->count], sizeof a->lines[0], "%s %s%s%s %s", item->kind, item->namespace_name,
				 *item->namespace_name ? "/" : "", item->name, cicd_kube_apply_action_name(item->action));
		a->errors[a->count] = item->error;
		a->count++;
	}
	return 0;
}

static int apply_yaml(applied *out, cicd_kube_client *c, const char *yaml, const cicd_kube_apply_options *opts)
{
	cicd_document *doc = NULL;
	const cicd_document *docs[1];
	int rc;
	memset(out, 0, sizeof *out);
	if (cicd_document_load_buffer(&doc, yaml, strlen(yaml), "e2e.yaml", NULL)) {
		fprintf(stderr, "    bad test yaml: %s\n", cicd_error_last()->message);
		exit(2);
	}
	docs[0] = doc;
	rc = cicd_kube_apply_set(c, docs, 1, opts, record, out);
	cicd_document_free(doc);
	return rc;
}

/* ---- apply ------------------------------------------------------------------------------ */

static const char *CONFIG_SET = "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-apply}\n---\n"
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: e2e-apply}\ndata: {a: '%s'}\n---\n"
				"apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: e2e-apply}\n"
				"spec: {ports: [{port: 80}], selector: {app: x}}\n";

static void test_apply_created_unchanged_configured_dry_run(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
	applied a;
	char yaml[1024];
	cicd_buf got = CICD_BUF_INIT;
	snprintf(yaml, sizeof yaml, CONFIG_SET, "1");
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK(a.count == 3);
	CHECK_CONTAINS(a.lines[0], "Namespace e2e-apply created");
	CHECK_CONTAINS(a.lines[1], "ConfigMap e2e-apply/conf created");
	CHECK_CONTAINS(a.lines[2], "Service e2e-apply/svc created");
	/* the same set again changes nothing (the Namespace may get its first-apply managedFields upgrade) */
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_CONTAINS(a.lines[0], "Namespace e2e-apply unchanged");
	CHECK_CONTAINS(a.lines[1], "ConfigMap e2e-apply/conf unchanged");
	CHECK_CONTAINS(a.lines[2], "Service e2e-apply/svc unchanged");
	/* a dry run of a change says configured but stores nothing */
	snprintf(yaml, sizeof yaml, CONFIG_SET, "2");
	o.dry_run = 1;
	CHECK_RC(apply_yaml(&a, c, yaml, &o), 0);
	CHECK_CONTAINS(a.lines[1], "ConfigMap e2e-apply/conf configured");
	CHECK_CONTAINS(a.lines[2], "Service e2e-apply/svc unchanged");
	CHECK_RC(cicd_kube_get(&got, c, "v1", "ConfigMap", "e2e-apply", "conf"), 0);
	CHECK_CONTAINS(got.ptr, "\"a\":\"1\"");
	cicd_buf_dispose(&got);
	/* for real */
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_CONTAINS(a.lines[1], "ConfigMap e2e-apply/conf configured");
	CHECK_RC(cicd_kube_get(&got, c, "v1", "ConfigMap", "e2e-apply", "conf"), 0);
	CHECK_CONTAINS(got.ptr, "\"a\":\"2\"");
	cicd_buf_dispose(&got);
	cicd_kube_client_free(c);
}

static void test_apply_conflict_names_manager_and_field(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
	applied a;
	const char *ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-conflict}\n";
	const char *v1 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, namespace: e2e-conflict}\n"
			 "data: {replicas: '1', other: x}\n";
	const char *v2 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, namespace: e2e-conflict}\n"
			 "data: {replicas: '5', other: y}\n";
	CHECK_RC(apply_yaml(&a, c, ns, NULL), 0);
	cicd_kube_delete(c, "v1", "ConfigMap", "e2e-conflict", "owned", NULL); /* a fresh start when run again */
	o.field_manager = "team-a";
	CHECK_RC(apply_yaml(&a, c, v1, &o), 0);
	o.field_manager = "team-b";
	CHECK_RC(apply_yaml(&a, c, v2, &o), CICD_ECONFLICT);
	CHECK(a.count == 1 && a.errors[0] == CICD_ECONFLICT);
	CHECK_CONTAINS(cicd_error_last()->message, "ConfigMap e2e-conflict/owned: conflict: ");
	CHECK_CONTAINS(cicd_error_last()->message, ".data.replicas is managed by \"team-a\"");
	CHECK_CONTAINS(cicd_error_last()->message, ".data.other is managed by \"team-a\"");
	/* force takes the fields over */
	o.force = 1;
	CHECK_RC(apply_yaml(&a, c, v2, &o), 0);
	CHECK_CONTAINS(a.lines[0], "ConfigMap e2e-conflict/owned configured");
	cicd_kube_client_free(c);
}

static void test_crd_and_its_resources_in_one_set(void)
{
	cicd_kube_client *c = admin();
	cicd_buf got = CICD_BUF_INIT, av = CICD_BUF_INIT, kind = CICD_BUF_INIT;
	applied a;
	/* the custom resource comes first in the file: the set still creates the CRD first */
	const char *yaml = "apiVersion: e2e.example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: e2e-crd}\n"
			   "spec: {size: 3}\n---\n"
			   "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-crd}\n---\n"
			   "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
			   "metadata: {name: widgets.e2e.example.com}\n"
			   "spec:\n  group: e2e.example.com\n  scope: Namespaced\n"
			   "  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg]}\n"
			   "  versions:\n  - name: v1\n    served: true\n    storage: true\n"
			   "    schema:\n      openAPIV3Schema:\n        type: object\n"
			   "        x-kubernetes-preserve-unknown-fields: true\n";
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK(a.count == 3);
	CHECK_CONTAINS(a.lines[0], "Namespace e2e-crd created");
	CHECK_CONTAINS(a.lines[1], "CustomResourceDefinition widgets.e2e.example.com created");
	CHECK_CONTAINS(a.lines[2], "Widget e2e-crd/w1 created");
	CHECK_RC(cicd_kube_get(&got, c, "e2e.example.com/v1", "Widget", "e2e-crd", "w1"), 0);
	CHECK_CONTAINS(got.ptr, "\"size\":3");
	CHECK_RC(cicd_kube_resolve(&av, &kind, NULL, c, "wdg"), 0);
	CHECK(av.ptr && !strcmp(av.ptr, "e2e.example.com/v1") && kind.ptr && !strcmp(kind.ptr, "Widget"));
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_CONTAINS(a.lines[2], "Widget e2e-crd/w1 unchanged");
	cicd_buf_dispose(&got);
	cicd_buf_dispose(&av);
	cicd_buf_dispose(&kind);
	cicd_kube_client_free(c);
}

/* ---- get, list, delete --------------------------------------------------------------------- */

static int count_item(const cicd_node *item, void *payload)
{
	(void)item;
	(*(int *)payload)++;
	return 0;
}

static void test_list_pages_and_delete(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_list_options lo = CICD_KUBE_LIST_OPTIONS_INIT;
	cicd_kube_delete_options dopts = CICD_KUBE_DELETE_OPTIONS_INIT;
	cicd_buf rv = CICD_BUF_INIT, out = CICD_BUF_INIT;
	applied a;
	char yaml[8192] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-list}\n";
	int i, n = 0;
	for (i = 0; i < 12; i++) { /* 12 in one collection: apply reads them with one LIST */
		char one[256];
		snprintf(one, sizeof one, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: item-%d, namespace: e2e-list, "
					  "labels: {e2e: list, odd: '%s'}}\n",
			 i, i % 2 ? "yes" : "no");
		strcat(yaml, one);
	}
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK(a.count == 13);
	for (i = 1; i < a.count; i++)
		CHECK_CONTAINS(a.lines[i], " created");
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	for (i = 0; i < a.count; i++)
		CHECK_CONTAINS(a.lines[i], " unchanged");
	{
		/* one changed object among unchanged ones, dry run and real */
		cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
		char *p = strstr(yaml, "name: item-5,");
		CHECK(p != NULL);
		if (p) {
			p = strstr(p, "odd: 'yes'");
			memcpy(p, "odd: 'YES'", 10);
		}
		o.dry_run = 1;
		CHECK_RC(apply_yaml(&a, c, yaml, &o), 0);
		CHECK_CONTAINS(a.lines[6], "ConfigMap e2e-list/item-5 configured");
		CHECK_CONTAINS(a.lines[7], "ConfigMap e2e-list/item-6 unchanged");
		CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
		CHECK_CONTAINS(a.lines[6], "ConfigMap e2e-list/item-5 configured");
		CHECK_CONTAINS(a.lines[5], "ConfigMap e2e-list/item-4 unchanged");
		memcpy(p, "odd: 'yes'", 10);
		CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	}
	lo.page_size = 2;
	lo.label_selector = "e2e=list";
	CHECK_RC(cicd_kube_list(&rv, c, "v1", "ConfigMap", "e2e-list", &lo, count_item, &n), 0);
	CHECK(n == 12);
	CHECK(rv.size > 0);
	n = 0;
	lo.label_selector = "e2e=list,odd=yes";
	CHECK_RC(cicd_kube_list(NULL, c, "v1", "ConfigMap", "e2e-list", &lo, count_item, &n), 0);
	CHECK(n == 6);
	/* a dry run deletes nothing */
	dopts.dry_run = 1;
	CHECK_RC(cicd_kube_delete(c, "v1", "ConfigMap", "e2e-list", "item-0", &dopts), 0);
	CHECK_RC(cicd_kube_get(&out, c, "v1", "ConfigMap", "e2e-list", "item-0"), 0);
	cicd_buf_dispose(&out);
	dopts.dry_run = 0;
	dopts.propagation = CICD_KUBE_PROPAGATION_BACKGROUND;
	dopts.grace_period_seconds = 0;
	CHECK_RC(cicd_kube_delete(c, "v1", "ConfigMap", "e2e-list", "item-0", &dopts), 0);
	CHECK_RC(cicd_kube_get(&out, c, "v1", "ConfigMap", "e2e-list", "item-0"), CICD_ENOTFOUND);
	CHECK_CONTAINS(cicd_error_last()->message, "ConfigMap e2e-list/item-0: configmaps \"item-0\" not found");
	CHECK_RC(cicd_kube_delete(c, "v1", "ConfigMap", "e2e-list", "item-0", NULL), CICD_ENOTFOUND);
	CHECK_RC(cicd_kube_create(&out, c, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"item-1\","
					   "\"namespace\":\"e2e-list\"}}",
				  strlen("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"item-1\","
					 "\"namespace\":\"e2e-list\"}}")),
		 CICD_EEXISTS);
	CHECK_RC(cicd_kube_get(&out, c, "v1", "NoSuchKind", NULL, "x"), CICD_ENOTFOUND);
	CHECK_CONTAINS(cicd_error_last()->message, "the server has no kind NoSuchKind in v1");
	cicd_buf_dispose(&rv);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
}

/* ---- watch ------------------------------------------------------------------------------ */

static const char *EVENT = "apiVersion: v1\nkind: Event\nmetadata: {name: %s, namespace: e2e-watch}\n"
			   "involvedObject: {kind: ConfigMap, name: before, namespace: e2e-watch}\n"
			   "reason: E2E\nmessage: '%s'\ntype: Normal\n";

/* Compacts etcd to its current revision: older resourceVersions are gone for good. */
static void compact_etcd(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "rev=$(curl -sf -X POST '%s/v3/kv/range' -d '{\"key\":\"AA==\"}' | sed 's/.*\"revision\":\"\\([0-9]*\\)\".*/\\1/') && "
		 "curl -sf -X POST '%s/v3/kv/compaction' -d \"{\\\"revision\\\":\\\"$rev\\\",\\\"physical\\\":true}\" >/dev/null",
		 env("CICD_K8S_ETCD"), env("CICD_K8S_ETCD"));
	CHECK(system(cmd) == 0);
}

static void test_watch_resumes_after_410_gone(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_watch_options wo = CICD_KUBE_WATCH_OPTIONS_INIT;
	cicd_kube_watch *w = NULL;
	cicd_kube_event_type type;
	const cicd_node *obj;
	applied a;
	char yaml[1024];
	int syncs = 0, added = 0, i;
	CHECK_RC(apply_yaml(&a, c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-watch}\n---\n"
				   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before, namespace: e2e-watch}\n",
			    NULL),
		 0);
	snprintf(yaml, sizeof yaml, EVENT, "first", "before the watch");
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	/* Events are watched from etcd itself (the apiserver keeps no watch cache for them):
	 * after a compaction, resourceVersion 1 is answered with 410 Gone. */
	compact_etcd();
	wo.resource_version = "1";
	wo.server_timeout_seconds = 30;
	CHECK_RC(cicd_kube_watch_new(&w, c, "v1", "Event", "e2e-watch", &wo), 0);
	for (i = 0; i < 20 && w; i++) {
		if (cicd_kube_watch_next(&type, &obj, w, 10000))
			break;
		if (type == CICD_KUBE_EVENT_SYNC) {
			const char *name = cicd_node_scalar(cicd_node_get(cicd_node_get(obj, "metadata"), "name"), NULL);
			CHECK(name && !strcmp(name, "first"));
			if (++syncs == 1) {
				/* after the re-list, a change arrives as an ordinary event */
				cicd_kube_client *c2 = admin();
				snprintf(yaml, sizeof yaml, EVENT, "second", "after the re-list");
				CHECK_RC(apply_yaml(&a, c2, yaml, NULL), 0);
				cicd_kube_client_free(c2);
			}
		} else if (type == CICD_KUBE_EVENT_ADDED) {
			const char *name = cicd_node_scalar(cicd_node_get(cicd_node_get(obj, "metadata"), "name"), NULL);
			if (name && !strcmp(name, "second")) {
				added = 1;
				break;
			}
		}
	}
	CHECK(syncs == 1);
	CHECK(added == 1);
	CHECK(cicd_kube_watch_relists(w) == 1);
	CHECK(strlen(cicd_kube_watch_resource_version(w)) > 0);
	cicd_kube_watch_free(w);
	cicd_kube_client_free(c);
}

static void test_watch_survives_server_timeouts(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_watch_options wo = CICD_KUBE_WATCH_OPTIONS_INIT;
	cicd_kube_watch *w = NULL;
	cicd_kube_event_type type;
	const cicd_node *obj;
	int rc;
	/* each request ends after 1 s; the watch resumes by itself and keeps reporting nothing new */
	wo.server_timeout_seconds = 1;
	wo.field_selector = "metadata.name=nothing-here";
	CHECK_RC(cicd_kube_watch_new(&w, c, "v1", "ConfigMap", "e2e-watch", &wo), 0);
	rc = cicd_kube_watch_next(&type, &obj, w, 3500);
	CHECK(rc == CICD_ETIMEOUT);
	CHECK(cicd_kube_watch_relists(w) == 0);
	cicd_kube_watch_free(w);
	cicd_kube_client_free(c);
}

static void *cancel_soon(void *arg)
{
	usleep(300000);
	cicd_kube_client_cancel(arg);
	return NULL;
}

static void test_watch_next_is_canceled_from_another_thread(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_watch_options wo = CICD_KUBE_WATCH_OPTIONS_INIT;
	cicd_kube_watch *w = NULL;
	cicd_kube_event_type type;
	const cicd_node *obj;
	pthread_t t;
	struct timespec a, b;
	wo.field_selector = "metadata.name=nothing-here";
	CHECK_RC(cicd_kube_watch_new(&w, c, "v1", "ConfigMap", "e2e-watch", &wo), 0);
	/* the initial list delivers nothing; then a wait without limit, which only the cancel ends */
	clock_gettime(CLOCK_MONOTONIC, &a);
	pthread_create(&t, NULL, cancel_soon, c);
	CHECK_RC(cicd_kube_watch_next(&type, &obj, w, -1), CICD_ECANCELED);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	CHECK((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < 5.0);
	/* cleared, the same watch carries on */
	cicd_kube_client_cancel_clear(c);
	CHECK_RC(cicd_kube_watch_next(&type, &obj, w, 300), CICD_ETIMEOUT);
	cicd_kube_watch_free(w);
	cicd_kube_client_free(c);
}

/* ---- rollouts ----------------------------------------------------------------------------- */

static const char *DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: %s}\n"
			    "spec:\n  replicas: %d\n  progressDeadlineSeconds: %d\n  selector: {matchLabels: {app: %s}}\n"
			    "  template:\n    metadata: {labels: {app: %s%s}}\n    spec:\n%s"
			    "      containers:\n      - {name: app, image: '%s'}\n";

static int deploy_and_wait(cicd_buf *msg, const char *ns, const char *name, int replicas, int deadline,
			   const char *extra_label, const char *pod_spec_extra, const char *image, int keep_waiting, long timeout)
{
	cicd_kube_client *c = admin();
	cicd_kube_rollout_options ro = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	char yaml[4096];
	applied a;
	int rc;
	snprintf(yaml, sizeof yaml, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n---\n", ns);
	snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml), DEPLOY, name, ns, replicas, deadline, name, name,
		 extra_label, pod_spec_extra, image);
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	ro.timeout_ms = timeout;
	ro.keep_waiting = keep_waiting;
	ro.log_lines = 3;
	rc = cicd_kube_rollout_wait(msg, c, "apps/v1", "Deployment", ns, name, &ro);
	cicd_kube_client_free(c);
	return rc;
}

static void test_rollout_success(void)
{
	cicd_buf msg = CICD_BUF_INIT;
	CHECK_RC(deploy_and_wait(&msg, "e2e-rollout", "ok", 3, 600, "", "", "nginx:1.25", 0, 60000), 0);
	CHECK(msg.ptr && !strcmp(msg.ptr, "deployment \"ok\" successfully rolled out"));
	cicd_buf_dispose(&msg);
}

static int stop_at_first_progress(const char *data, size_t len, void *payload)
{
	snprintf(payload, 512, "%.*s", (int)len, data);
	return 77;
}

static void test_rollout_progress_callback_stops_the_wait(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_rollout_options ro = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	cicd_buf msg = CICD_BUF_INIT;
	char yaml[4096], seen[512] = "";
	applied a;
	/* a rollout that cannot finish: without the callback's value the wait would last 60 s */
	snprintf(yaml, sizeof yaml, "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-progress}\n---\n");
	snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml), DEPLOY, "stuck", "e2e-progress", 2, 600, "stuck",
		 "stuck", "", "", "registry.invalid/doesnotexist:1");
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	ro.timeout_ms = 60000;
	ro.keep_waiting = 1;
	ro.progress = stop_at_first_progress;
	ro.payload = seen;
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "apps/v1", "Deployment", "e2e-progress", "stuck", &ro), 77);
	CHECK(!strncmp(seen, "Waiting for deployment ", 23)); /* the first line kubectl would print */
	CHECK(msg.ptr && !strcmp(msg.ptr, seen));
	cicd_buf_dispose(&msg);
	cicd_kube_client_free(c);
}

static void test_rollout_image_pull_backoff(void)
{
	cicd_buf msg = CICD_BUF_INIT;
	CHECK_RC(deploy_and_wait(&msg, "e2e-rollout", "badimage", 1, 600, "", "", "registry.example/doesnotexist:1.0", 0,
				 60000),
		 CICD_ERROR);
	CHECK_CONTAINS(cicd_error_last()->message, "Deployment e2e-rollout/badimage cannot roll out: ImagePullBackOff: pod ");
	CHECK_CONTAINS(cicd_error_last()->message, "cannot pull image \"registry.example/doesnotexist:1.0\"");
	cicd_buf_dispose(&msg);
}

static void test_rollout_crash_loop_with_log_lines(void)
{
	cicd_buf msg = CICD_BUF_INIT;
	/* kwok serves this file as the crashed container's previous log (stages/cicd-logs.yaml) */
	{
		FILE *f = fopen(kwok_log("crash-previous.log"), "w");
		CHECK(f != NULL);
		if (f) {
			fputs("2026-01-01T00:00:00.000000000Z stdout F starting\n"
			      "2026-01-01T00:00:01.000000000Z stderr F loading config\n"
			      "2026-01-01T00:00:02.000000000Z stderr F panic: config file /etc/app.yaml missing\n"
			      "2026-01-01T00:00:03.000000000Z stderr F exit status 1\n",
			      f);
			fclose(f);
		}
	}
	CHECK_RC(deploy_and_wait(&msg, "cicd-e2e-crash", "crasher", 1, 600, ", cicd.test/crash: 'true'", "", "busybox", 0,
				 60000),
		 CICD_ERROR);
	CHECK_CONTAINS(cicd_error_last()->message, "Deployment cicd-e2e-crash/crasher cannot roll out: CrashLoopBackOff: pod ");
	CHECK_CONTAINS(cicd_error_last()->message, "container \"app\" keeps crashing (restarted ");
	CHECK_CONTAINS(cicd_error_last()->message, "last exit code 1 Error); last log lines:\nloading config\n"
						   "panic: config file /etc/app.yaml missing\nexit status 1");
	cicd_buf_dispose(&msg);
}

static void test_rollout_unschedulable(void)
{
	cicd_buf msg = CICD_BUF_INIT;
	CHECK_RC(deploy_and_wait(&msg, "e2e-rollout", "nowhere", 1, 600, "", "      nodeSelector: {disk: ssd}\n", "nginx", 0,
				 60000),
		 CICD_ERROR);
	CHECK_CONTAINS(cicd_error_last()->message, "Deployment e2e-rollout/nowhere cannot roll out: Unschedulable: pod ");
	CHECK_CONTAINS(cicd_error_last()->message, "cannot be scheduled: 0/2 nodes are available");
	cicd_buf_dispose(&msg);
}

static void test_rollout_progress_deadline_exceeded(void)
{
	cicd_buf msg = CICD_BUF_INIT;
	/* keep_waiting: the pod problem is not reported early, so the controller's deadline decides */
	CHECK_RC(deploy_and_wait(&msg, "e2e-rollout", "stuck", 1, 2, "", "", "registry.example/doesnotexist:2", 1, 90000),
		 CICD_ERROR);
	CHECK(!strcmp(cicd_error_last()->message, "deployment \"stuck\" exceeded its progress deadline"));
	cicd_buf_dispose(&msg);
}

static void test_rollout_timeout_says_what_was_awaited(void)
{
	cicd_buf msg = CICD_BUF_INIT;
	CHECK_RC(deploy_and_wait(&msg, "e2e-rollout", "slow", 1, 600, "", "", "registry.example/doesnotexist:3", 1, 3000),
		 CICD_ETIMEOUT);
	CHECK_CONTAINS(cicd_error_last()->message, "Deployment e2e-rollout/slow did not roll out within 3000 ms: Waiting for "
						   "deployment \"slow\" rollout to finish");
	cicd_buf_dispose(&msg);
}

static void test_rollout_jobs_statefulsets_daemonsets_pods(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_rollout_options ro = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	cicd_buf msg = CICD_BUF_INIT;
	applied a;
	const char *yaml =
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-kinds}\n---\n"
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: e2e-kinds}\nspec:\n  template:\n"
		"    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: busybox}]\n---\n"
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: broken, namespace: e2e-kinds}\nspec:\n  backoffLimit: 0\n"
		"  template:\n    metadata: {labels: {cicd.test/crash: 'true'}}\n"
		"    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: busybox}]\n---\n"
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: e2e-kinds}\nspec:\n  replicas: 2\n"
		"  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n"
		"    spec: {containers: [{name: db, image: postgres}]}\n---\n"
		"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: e2e-kinds}\nspec:\n"
		"  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n"
		"    spec: {containers: [{name: a, image: agent}]}\n---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: single, namespace: e2e-kinds}\n"
		"spec: {containers: [{name: s, image: nginx}]}\n";
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	ro.timeout_ms = 60000;
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "batch/v1", "Job", "e2e-kinds", "migrate", &ro), 0);
	CHECK(msg.ptr && !strcmp(msg.ptr, "job \"migrate\" completed"));
	cicd_buf_dispose(&msg);
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "batch/v1", "Job", "e2e-kinds", "broken", &ro), CICD_ERROR);
	CHECK(!strcmp(cicd_error_last()->message,
		      "job \"broken\" failed: BackoffLimitExceeded: Job has reached the specified backoff limit"));
	cicd_buf_dispose(&msg);
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "apps/v1", "StatefulSet", "e2e-kinds", "db", &ro), 0);
	CHECK(msg.ptr && !strcmp(msg.ptr, "partitioned roll out complete: 2 new pods have been updated..."));
	cicd_buf_dispose(&msg);
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "apps/v1", "DaemonSet", "e2e-kinds", "agent", &ro), 0);
	CHECK(msg.ptr && !strcmp(msg.ptr, "daemon set \"agent\" successfully rolled out"));
	cicd_buf_dispose(&msg);
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "v1", "Pod", "e2e-kinds", "single", &ro), 0);
	CHECK(msg.ptr && !strcmp(msg.ptr, "pod \"single\" is ready"));
	cicd_buf_dispose(&msg);
	cicd_kube_client_free(c);
}

/* ---- logs ---------------------------------------------------------------------------------- */

typedef struct log_capture {
	char text[8192];
	size_t len;
	const char *stop_at;
} log_capture;

static int capture(const char *data, size_t len, void *payload)
{
	log_capture *lc = payload;
	if (lc->len + len >= sizeof lc->text)
		return 1;
	memcpy(lc->text + lc->len, data, len);
	lc->len += len;
	lc->text[lc->len] = 0;
	return lc->stop_at && strstr(lc->text, lc->stop_at) ? 42 : 0;
}

static void *append_later(void *arg)
{
	FILE *f;
	(void)arg;
	sleep(2);
	f = fopen(kwok_log("app.log"), "a");
	if (f) {
		fputs("2026-01-01T00:00:05.000000000Z stdout F appended while following\n", f);
		fclose(f);
	}
	return NULL;
}

static const char *DAEMONSET = "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-ds}\n---\n"
			       "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: e2e-ds}\nspec:\n"
			       "  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n"
			       "    spec: {terminationGracePeriodSeconds: 0, containers: [{name: a, image: '%s'}]}\n";

static void test_rollout_daemonset_judges_only_its_current_pods(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_rollout_options ro = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	cicd_buf msg = CICD_BUF_INIT;
	char yaml[1024];
	applied a;
	ro.timeout_ms = 60000;
	/* a revision that cannot pull its image fails fast, naming it */
	snprintf(yaml, sizeof yaml, DAEMONSET, "registry.example/doesnotexist:1");
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "apps/v1", "DaemonSet", "e2e-ds", "agent", &ro), CICD_ERROR);
	CHECK_CONTAINS(cicd_error_last()->message, "DaemonSet e2e-ds/agent cannot roll out: ImagePullBackOff");
	cicd_buf_dispose(&msg);
	/* the fix rolls out although the broken pods are still there when the wait starts */
	snprintf(yaml, sizeof yaml, DAEMONSET, "agent:2");
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_RC(cicd_kube_rollout_wait(&msg, c, "apps/v1", "DaemonSet", "e2e-ds", "agent", &ro), 0);
	CHECK(msg.ptr && !strcmp(msg.ptr, "daemon set \"agent\" successfully rolled out"));
	cicd_buf_dispose(&msg);
	cicd_kube_client_free(c);
}

static void test_logs_stream_with_options(void)
{
	cicd_kube_client *c = admin();
	cicd_kube_log_options lo = CICD_KUBE_LOG_OPTIONS_INIT;
	cicd_kube_rollout_options ro = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	log_capture lc;
	applied a;
	pthread_t writer;
	FILE *f;
		f = fopen(kwok_log("app.log"), "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("2026-01-01T00:00:01.000000000Z stdout F line one\n2026-01-01T00:00:02.000000000Z stderr F line two\n"
	      "2026-01-01T00:00:03.000000000Z stdout F line three\n",
	      f);
	fclose(f);
	CHECK_RC(apply_yaml(&a, c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: cicd-e2e-logs}\n---\n"
				   "apiVersion: v1\nkind: Pod\nmetadata: {name: e2e-talker, namespace: cicd-e2e-logs}\n"
				   "spec: {containers: [{name: app, image: busybox}, {name: side, image: busybox}]}\n",
			    NULL),
		 0);
	ro.timeout_ms = 60000;
	CHECK_RC(cicd_kube_rollout_wait(NULL, c, "v1", "Pod", "cicd-e2e-logs", "e2e-talker", &ro), 0);
	memset(&lc, 0, sizeof lc);
	lo.container = "app";
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "e2e-talker", &lo, capture, &lc), 0);
	CHECK(!strcmp(lc.text, "line one\nline two\nline three\n"));
	memset(&lc, 0, sizeof lc);
	lo.tail_lines = 1;
	lo.timestamps = 1;
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "e2e-talker", &lo, capture, &lc), 0);
	CHECK(!strcmp(lc.text, "2026-01-01T00:00:03.000000000Z line three\n"));
	/* since: every line is older than a minute */
	memset(&lc, 0, sizeof lc);
	lo.tail_lines = -1;
	lo.timestamps = 0;
	lo.since_seconds = 60;
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "e2e-talker", &lo, capture, &lc), 0);
	CHECK(lc.len == 0);
	lo.since_seconds = 0;
	/* follow: a line written after the request started arrives; the callback's value stops it */
	memset(&lc, 0, sizeof lc);
	lo.tail_lines = -1;
	lo.timestamps = 0;
	lo.follow = 1;
	lc.stop_at = "appended while following\n";
	pthread_create(&writer, NULL, append_later, NULL);
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "e2e-talker", &lo, capture, &lc), 42);
	pthread_join(writer, NULL);
	CHECK(!strcmp(lc.text, "line one\nline two\nline three\nappended while following\n"));
	/* the server's refusal comes back as its message */
	lo.follow = 0;
	lo.container = "nope";
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "e2e-talker", &lo, capture, &lc), CICD_EVALIDATE);
	CHECK_CONTAINS(cicd_error_last()->message, "logs of pod cicd-e2e-logs/e2e-talker: container nope is not valid for pod e2e-talker");
	lo.container = NULL;
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "e2e-talker", &lo, capture, &lc), CICD_EVALIDATE);
	CHECK_CONTAINS(cicd_error_last()->message, "a container name must be specified for pod e2e-talker");
	CHECK_RC(cicd_kube_logs(c, "cicd-e2e-logs", "missing", &lo, capture, &lc), CICD_ENOTFOUND);
	cicd_kube_client_free(c);
}

/* ---- authentication and TLS ---------------------------------------------------------------- */

static char *kubeconfig_with(const char *name, const char *cluster_extra, const char *user)
{
	return write_file(name,
			  "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: %s\n%s"
			  "users:\n- name: u\n  user:\n%s"
			  "contexts:\n- name: t\n  context: {cluster: t, user: u, namespace: default}\ncurrent-context: t\n",
			  env("CICD_K8S_SERVER"), cluster_extra, user);
}

static int can_get_default_namespace(const char *kubeconfig)
{
	cicd_kube_client *c = client_for(kubeconfig);
	cicd_buf out = CICD_BUF_INIT;
	int rc = c ? cicd_kube_get(&out, c, "v1", "Namespace", NULL, "default") : -1;
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
	return rc;
}

static void test_exec_plugin_authentication(void)
{
	char ca[600], user[1200], *path;
	snprintf(ca, sizeof ca, "    certificate-authority: %s\n", env("CICD_K8S_CA"));
	write_file("plugin.sh", "#!/bin/sh\ncount=$(cat \"$0.count\" 2>/dev/null || echo 0)\necho $((count + 1)) > \"$0.count\"\n"
				"printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
				"\"status\":{\"token\":\"%%s\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}' \"$TOKEN\"\n");
	{
		char p[600];
		snprintf(p, sizeof p, "%s/plugin.sh", g_tmp);
		chmod(p, 0755);
	}
	snprintf(user, sizeof user,
		 "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugin.sh\n"
		 "      interactiveMode: Never\n      env:\n      - {name: TOKEN, value: '%s'}\n",
		 env("CICD_K8S_TOKEN"));
	path = kubeconfig_with("exec.kubeconfig", ca, user);
	{
		cicd_kube_client *c = client_for(path);
		cicd_buf out = CICD_BUF_INIT, count = CICD_BUF_INIT;
		char p[600];
		FILE *f;
		int i, runs = 0;
		/* several requests, one plugin run: the credential is cached until it expires */
		for (i = 0; i < 3 && c; i++) {
			cicd_buf_dispose(&out);
			CHECK_RC(cicd_kube_get(&out, c, "v1", "Namespace", NULL, "default"), 0);
		}
		snprintf(p, sizeof p, "%s/plugin.sh.count", g_tmp);
		f = fopen(p, "r");
		if (f) {
			if (fscanf(f, "%d", &runs) != 1)
				runs = -1;
			fclose(f);
		}
		CHECK(runs == 1);
		cicd_buf_dispose(&out);
		cicd_buf_dispose(&count);
		cicd_kube_client_free(c);
	}
	/* a wrong token: the server says 401 */
	snprintf(user, sizeof user,
		 "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugin.sh\n"
		 "      env:\n      - {name: TOKEN, value: wrong-token}\n");
	path = kubeconfig_with("exec-bad.kubeconfig", ca, user);
	CHECK_RC(can_get_default_namespace(path), CICD_EAUTH);
	CHECK_CONTAINS(cicd_error_last()->message, ": Unauthorized");
	CHECK(!strstr(cicd_error_last()->message, "wrong-token"));
}

/* How many times tmp/NAME.count says the plugin ran. */
static int plugin_runs(const char *name)
{
	char p[600];
	FILE *f;
	int runs = -1;
	snprintf(p, sizeof p, "%s/%s.count", g_tmp, name);
	f = fopen(p, "r");
	if (f) {
		if (fscanf(f, "%d", &runs) != 1)
			runs = -1;
		fclose(f);
	}
	return runs;
}

/* A plugin script tmp/NAME printing `body` (a shell word for printf's format) after counting its runs. */
static char *exec_kubeconfig(const char *name, const char *body)
{
	char ca[600], user[1200], p[600], config[600];
	write_file(name, "#!/bin/sh\ncount=$(cat \"$0.count\" 2>/dev/null || echo 0)\ncount=$((count + 1))\n"
			 "echo $count > \"$0.count\"\n%s\n", body);
	snprintf(p, sizeof p, "%s/%s", g_tmp, name);
	chmod(p, 0755);
	snprintf(ca, sizeof ca, "    certificate-authority: %s\n", env("CICD_K8S_CA"));
	snprintf(user, sizeof user,
		 "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./%s\n"
		 "      interactiveMode: Never\n      env:\n      - {name: TOKEN, value: '%s'}\n",
		 name, env("CICD_K8S_TOKEN"));
	snprintf(config, sizeof config, "%s.kubeconfig", name);
	return kubeconfig_with(config, ca, user);
}

static void test_exec_credential_is_refreshed_when_it_expires_or_is_refused(void)
{
	cicd_kube_client *c;
	cicd_buf out = CICD_BUF_INIT;
	int i;
	/* a credential that expires within the 10 s margin is asked for again before each request */
	c = client_for(exec_kubeconfig("expiring.sh",
				       "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
				       "\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"%s\"}}' \"$TOKEN\" "
				       "\"$(date -u -d '+5 seconds' +%Y-%m-%dT%H:%M:%SZ)\""));
	for (i = 0; i < 3 && c; i++) {
		cicd_buf_dispose(&out);
		CHECK_RC(cicd_kube_get(&out, c, "v1", "Namespace", NULL, "default"), 0);
	}
	/* one run per request: discovery's two, then the three gets */
	CHECK(plugin_runs("expiring.sh") == 5);
	cicd_kube_client_free(c);
	/* a credential the server refuses (revoked early) is asked for again, once, also when
	 * discovery's two requests were both refused with it */
	c = client_for(exec_kubeconfig("revoked.sh",
				       "[ $count -eq 1 ] && TOKEN=revoked-token\n"
				       "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
				       "\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}' \"$TOKEN\""));
	cicd_buf_dispose(&out);
	CHECK_RC(c ? cicd_kube_get(&out, c, "v1", "Namespace", NULL, "default") : -1, 0);
	CHECK(plugin_runs("revoked.sh") == 2);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
}

static void test_client_certificate_and_token_authentication(void)
{
	char cluster[600], user[1200], *path;
	cicd_kube_client *c;
	cicd_kube_list_options lo = CICD_KUBE_LIST_OPTIONS_INIT;
	int n = 0;
	/* the generated kubeconfig: inline CA, client certificate and key */
	CHECK_RC(can_get_default_namespace(env("KUBECONFIG")), 0);
	/* the same from files */
	snprintf(cluster, sizeof cluster, "    certificate-authority: %s\n", env("CICD_K8S_CA"));
	snprintf(user, sizeof user, "    client-certificate: %s\n    client-key: %s\n", env("CICD_K8S_CLIENT_CERT"),
		 env("CICD_K8S_CLIENT_KEY"));
	path = kubeconfig_with("cert-files.kubeconfig", cluster, user);
	CHECK_RC(can_get_default_namespace(path), 0);
	/* a token file */
	snprintf(user, sizeof user, "    tokenFile: %s\n", env("CICD_K8S_TOKEN_FILE"));
	path = kubeconfig_with("token-file.kubeconfig", cluster, user);
	CHECK_RC(can_get_default_namespace(path), 0);
	/* a user the server knows but RBAC does not allow: 403 with the server's reason */
	c = client_for(env("CICD_K8S_KUBECONFIG_USER"));
	CHECK_RC(cicd_kube_list(NULL, c, "v1", "Pod", "default", &lo, count_item, &n), CICD_EAUTH);
	CHECK_CONTAINS(cicd_error_last()->message, "pods is forbidden: User \"testenv-user\" cannot list resource \"pods\"");
	cicd_kube_client_free(c);
}

static void test_tls_is_verified_and_tls_server_name_is_honoured(void)
{
	char cluster[800], user[600], *path;
	snprintf(user, sizeof user, "    tokenFile: %s\n", env("CICD_K8S_TOKEN_FILE"));
	/* no CA: the system roots do not know the test CA */
	path = kubeconfig_with("no-ca.kubeconfig", "", user);
	CHECK_RC(can_get_default_namespace(path), CICD_ETLS);
	CHECK_CONTAINS(cicd_error_last()->message, "GET ");
	/* explicitly insecure: works */
	path = kubeconfig_with("insecure.kubeconfig", "    insecure-skip-tls-verify: true\n", user);
	CHECK_RC(can_get_default_namespace(path), 0);
	/* tls-server-name: verified against that name (in the certificate) while connecting to 127.0.0.1 */
	snprintf(cluster, sizeof cluster, "    certificate-authority: %s\n    tls-server-name: kubernetes.default.svc\n",
		 env("CICD_K8S_CA"));
	path = kubeconfig_with("sni.kubeconfig", cluster, user);
	CHECK_RC(can_get_default_namespace(path), 0);
	snprintf(cluster, sizeof cluster, "    certificate-authority: %s\n    tls-server-name: not-in-the-cert.example\n",
		 env("CICD_K8S_CA"));
	path = kubeconfig_with("sni-bad.kubeconfig", cluster, user);
	CHECK_RC(can_get_default_namespace(path), CICD_ETLS);
}

static void test_in_cluster_service_account(void)
{
	/* a Pod's view: KUBERNETES_SERVICE_HOST/PORT and the service account folder */
	char dir[600], cmd[4096], port[16];
	const char *server = env("CICD_K8S_SERVER");
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	cicd_kube_client *c = NULL;
	cicd_buf out = CICD_BUF_INIT;
	snprintf(dir, sizeof dir, "%s/sa", g_tmp);
	mkdir(dir, 0700);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s/ca.crt' && cp '%s' '%s/token' && printf e2e-watch > '%s/namespace'",
		 env("CICD_K8S_CA"), dir, env("CICD_K8S_TOKEN_FILE"), dir, dir);
	CHECK(system(cmd) == 0);
	snprintf(port, sizeof port, "%s", strrchr(server, ':') + 1);
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	o.flags = CICD_KUBE_CONFIG_IN_CLUSTER_ONLY;
	o.service_account_dir = dir;
	CHECK_RC(cicd_kube_config_load(&cfg, &o), 0);
	CHECK_RC(cicd_kube_client_new(&c, cfg, NULL), 0);
	CHECK(c && !strcmp(cicd_kube_client_namespace(c), "e2e-watch"));
	CHECK_RC(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "before"), 0);
	/* the token is read again for each request: a rotated (here: revoked) token takes effect at once */
	snprintf(cmd, sizeof cmd, "printf rotated-invalid > '%s/token'", dir);
	CHECK(system(cmd) == 0);
	CHECK_RC(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "before"), CICD_EAUTH);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
	cicd_kube_config_free(cfg);
}

/* ---- transport --------------------------------------------------------------------------- */

/*
 * An HTTP proxy on loopback that serves CONNECT only, as corporate proxies
 * do for HTTPS: it records each request head, answers `reply`, and when
 * that is 200 pumps bytes both ways until either side closes.
 */
typedef struct connect_proxy {
	int fd, port, stop;
	const char *reply;
	pthread_t thread;
	pthread_mutex_t lock;
	char heads[4][1024];
	int nheads;
} connect_proxy;

static void pump(int a, int b)
{
	struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
	char buf[16384];
	for (;;) {
		int i;
		if (poll(p, 2, 30000) <= 0)
			return;
		for (i = 0; i < 2; i++) {
			ssize_t n;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(p[i].fd, buf, sizeof buf, 0);
			if (n <= 0 || send(p[1 - i].fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
				return;
		}
	}
}

typedef struct tunnel {
	connect_proxy *proxy;
	int client;
} tunnel;

static void *serve_tunnel(void *arg)
{
	tunnel *t = arg;
	char head[1024] = "";
	size_t len = 0;
	int host_port = 0, upstream = -1;
	while (len < sizeof head - 1 && !strstr(head, "\r\n\r\n")) {
		ssize_t n = recv(t->client, head + len, sizeof head - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		head[len] = 0;
	}
	head[len] = 0;
	pthread_mutex_lock(&t->proxy->lock);
	if (t->proxy->nheads < 4)
		snprintf(t->proxy->heads[t->proxy->nheads++], sizeof head, "%s", head);
	pthread_mutex_unlock(&t->proxy->lock);
	if (sscanf(head, "CONNECT 127.0.0.1:%d ", &host_port) == 1 && !strncmp(t->proxy->reply, "HTTP/1.1 200", 12)) {
		struct sockaddr_in a;
		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((unsigned short)host_port);
		upstream = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(upstream, (struct sockaddr *)&a, sizeof a) < 0) {
			close(upstream);
			upstream = -1;
		}
	}
	if (send(t->client, t->proxy->reply, strlen(t->proxy->reply), MSG_NOSIGNAL) > 0 && upstream >= 0)
		pump(t->client, upstream);
	if (upstream >= 0)
		close(upstream);
	close(t->client);
	free(t);
	return NULL;
}

static void *serve_proxy(void *arg)
{
	connect_proxy *p = arg;
	while (!p->stop) {
		pthread_t th;
		tunnel *t;
		int c = accept(p->fd, NULL, NULL);
		if (c < 0)
			break;
		t = malloc(sizeof *t);
		t->proxy = p;
		t->client = c;
		if (pthread_create(&th, NULL, serve_tunnel, t) == 0)
			pthread_detach(th);
	}
	return NULL;
}

static void proxy_start(connect_proxy *p, const char *reply)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	memset(p, 0, sizeof *p);
	p->reply = reply;
	pthread_mutex_init(&p->lock, NULL);
	p->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(p->fd, (struct sockaddr *)&a, sizeof a) || listen(p->fd, 16)) {
		perror("proxy");
		exit(2);
	}
	getsockname(p->fd, (struct sockaddr *)&a, &al);
	p->port = ntohs(a.sin_port);
	pthread_create(&p->thread, NULL, serve_proxy, p);
}

static void proxy_stop(connect_proxy *p)
{
	p->stop = 1;
	shutdown(p->fd, SHUT_RDWR);
	close(p->fd);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
}

static void test_https_through_a_connect_proxy(void)
{
	connect_proxy p;
	char cluster[800], user[600], want[128], *path;
	const char *server = env("CICD_K8S_SERVER");
	snprintf(user, sizeof user, "    tokenFile: %s\n", env("CICD_K8S_TOKEN_FILE"));
	snprintf(want, sizeof want, "CONNECT 127.0.0.1:%s HTTP/1.1\r\n", strrchr(server, ':') + 1);
	/* a tunnel: TLS is verified end to end against the test CA, through the proxy */
	proxy_start(&p, "HTTP/1.1 200 Connection established\r\n\r\n");
	snprintf(cluster, sizeof cluster, "    certificate-authority: %s\n    proxy-url: http://127.0.0.1:%d\n",
		 env("CICD_K8S_CA"), p.port);
	path = kubeconfig_with("proxy.kubeconfig", cluster, user);
	CHECK_RC(can_get_default_namespace(path), 0);
	proxy_stop(&p);
	CHECK(p.nheads >= 1);
	CHECK(!strncmp(p.heads[0], want, strlen(want)));
	/* the bearer token travels inside the tunnel, never in the proxy's view */
	CHECK(!strstr(p.heads[0], "Authorization") && !strstr(p.heads[0], "Bearer"));
	/* without the CA the tunnel changes nothing: the server's certificate is still refused */
	proxy_start(&p, "HTTP/1.1 200 Connection established\r\n\r\n");
	snprintf(cluster, sizeof cluster, "    proxy-url: http://127.0.0.1:%d\n", p.port);
	path = kubeconfig_with("proxy-no-ca.kubeconfig", cluster, user);
	CHECK_RC(can_get_default_namespace(path), CICD_ETLS);
	proxy_stop(&p);
	/* a proxy that refuses the tunnel: the request fails, naming it */
	proxy_start(&p, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
	snprintf(cluster, sizeof cluster, "    certificate-authority: %s\n    proxy-url: http://127.0.0.1:%d\n",
		 env("CICD_K8S_CA"), p.port);
	path = kubeconfig_with("proxy-refuses.kubeconfig", cluster, user);
	CHECK(can_get_default_namespace(path) < 0);
	CHECK(cicd_error_last()->code == CICD_EHTTP);
	CHECK_CONTAINS(cicd_error_last()->message, "CONNECT tunnel failed, response 403");
	proxy_stop(&p);
}


static int g_new_connections, g_reused, g_http2, g_lines;

static void count_line(cicd_log_level level, const char *message, void *payload)
{
	(void)level;
	(void)payload;
	if (strncmp(message, "kube: ", 6) || !strstr(message, " -> "))
		return;
	g_lines++;
	g_new_connections += strstr(message, "new connection") != NULL;
	g_reused += strstr(message, "reused connection") != NULL;
	g_http2 += strstr(message, "(HTTP/2,") != NULL;
}

static void test_one_http2_connection_carries_a_parallel_apply(void)
{
	cicd_kube_client *c;
	applied a;
	char yaml[8192] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-conn}\n";
	int i;
	for (i = 0; i < 30; i++) {
		char one[200];
		snprintf(one, sizeof one, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: e2e-conn}\n", i);
		strcat(yaml, one);
	}
	g_new_connections = g_reused = g_http2 = g_lines = 0;
	cicd_log_set(CICD_LOG_TRACE, count_line, NULL);
	c = admin();
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	CHECK_RC(apply_yaml(&a, c, yaml, NULL), 0);
	cicd_kube_client_free(c);
	cicd_log_set(CICD_LOG_NONE, NULL, NULL);
	/* discovery, two LIST+GET rounds and 62 PATCHes (16 at a time): all over one HTTP/2 connection */
	CHECK(g_lines >= 60);
	CHECK(g_http2 == g_lines);
	CHECK(g_new_connections == 1);
	CHECK(g_reused == g_lines - 1);
	if (g_new_connections != 1)
		fprintf(stderr, "    %d requests, %d new connections\n", g_lines, g_new_connections);
}

typedef struct test_case {
	const char *name;
	void (*fn)(void);
} test_case;

int main(int argc, char **argv)
{
	static const test_case tests[] = {
		{"apply_created_unchanged_configured_dry_run", test_apply_created_unchanged_configured_dry_run},
		{"apply_conflict_names_manager_and_field", test_apply_conflict_names_manager_and_field},
		{"crd_and_its_resources_in_one_set", test_crd_and_its_resources_in_one_set},
		{"list_pages_and_delete", test_list_pages_and_delete},
		{"one_http2_connection_carries_a_parallel_apply", test_one_http2_connection_carries_a_parallel_apply},
		{"watch_resumes_after_410_gone", test_watch_resumes_after_410_gone},
		{"watch_survives_server_timeouts", test_watch_survives_server_timeouts},
		{"watch_next_is_canceled_from_another_thread", test_watch_next_is_canceled_from_another_thread},
		{"rollout_success", test_rollout_success},
		{"rollout_progress_callback_stops_the_wait", test_rollout_progress_callback_stops_the_wait},
		{"rollout_image_pull_backoff", test_rollout_image_pull_backoff},
		{"rollout_crash_loop_with_log_lines", test_rollout_crash_loop_with_log_lines},
		{"rollout_unschedulable", test_rollout_unschedulable},
		{"rollout_progress_deadline_exceeded", test_rollout_progress_deadline_exceeded},
		{"rollout_timeout_says_what_was_awaited", test_rollout_timeout_says_what_was_awaited},
		{"rollout_jobs_statefulsets_daemonsets_pods", test_rollout_jobs_statefulsets_daemonsets_pods},
		{"rollout_daemonset_judges_only_its_current_pods", test_rollout_daemonset_judges_only_its_current_pods},
		{"logs_stream_with_options", test_logs_stream_with_options},
		{"exec_plugin_authentication", test_exec_plugin_authentication},
		{"exec_credential_is_refreshed_when_it_expires_or_is_refused",
		 test_exec_credential_is_refreshed_when_it_expires_or_is_refused},
		{"client_certificate_and_token_authentication", test_client_certificate_and_token_authentication},
		{"tls_is_verified_and_tls_server_name_is_honoured", test_tls_is_verified_and_tls_server_name_is_honoured},
		{"https_through_a_connect_proxy", test_https_through_a_connect_proxy},
		{"in_cluster_service_account", test_in_cluster_service_account},
	};
	size_t i;
	int passed = 0, failed = 0;
	snprintf(g_tmp, sizeof g_tmp, "/tmp/cicd-e2e-kube-XXXXXX");
	if (!mkdtemp(g_tmp) || cicd_init()) {
		fprintf(stderr, "e2e_kube: setup failed\n");
		return 2;
	}
	for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int before = g_failed_checks;
		double t0;
		struct timespec ts;
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		tests[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (g_failed_checks == before) {
			passed++;
			printf("PASS %s (%.1f s)\n", tests[i].name, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0);
		} else {
			failed++;
			printf("FAIL %s\n", tests[i].name);
		}
		fflush(stdout);
	}
	cicd_shutdown();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "e2e_kube: could not remove %s\n", g_tmp);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
