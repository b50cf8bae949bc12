/*
 * An apply set holding a CRD and a custom resource of it, against a server
 * that publishes the new group to discovery only some polls after the CRD is
 * Established (as kube-apiserver does, a moment later): the custom resource
 * must still be applied, not fail with "the server has no kind".
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cicd/cicd.h"
#include "cicd/kube.h"
#include "cicd/document.h"
#include "http_fixture.h"
#include "test.h"

#define CRD_PATH "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"
#define WIDGET_PATH "/apis/example.com/v1/namespaces/ns1/widgets/w1"

typedef struct crd_server {
	int fd, port, stop;
	pthread_t thread;
	int apis_served_from; /* the /apis reply that first lists example.com (1-based) */
	int apis_calls, crd_created, widget_created;
	char body_seen[64]; /* of the widget's PATCH: part of the spec, to check it was sent */
} crd_server;

static const char *json_reply(char *out, size_t size, int status, const char *body)
{
	snprintf(out, size, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", status,
		 strlen(body), body);
	return out;
}

static const char *group(const char *name, const char *version, const char *resource, const char *kind,
			 char *out, size_t size)
{
	snprintf(out, size,
		 "{\"metadata\":{\"name\":\"%s\"},\"versions\":[{\"version\":\"%s\",\"resources\":[{\"resource\":\"%s\","
		 "\"responseKind\":{\"group\":\"%s\",\"version\":\"%s\",\"kind\":\"%s\"},\"scope\":\"%s\"}]}]}",
		 name, version, resource, name, version, kind, strcmp(kind, "Widget") ? "Cluster" : "Namespaced");
	return out;
}

static const char *route(crd_server *s, const char *req, char *out, size_t size)
{
	static const char *const empty_core =
		"{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",\"items\":[]}";
	static const char *const not_found = "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}";
	static const char *const crd =
		"{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
		"\"metadata\":{\"name\":\"widgets.example.com\"},\"spec\":{\"group\":\"example.com\",\"scope\":\"Namespaced\","
		"\"names\":{\"plural\":\"widgets\",\"kind\":\"Widget\"},\"versions\":[{\"name\":\"v1\",\"served\":true,"
		"\"storage\":true},{\"name\":\"v0\",\"served\":false,\"storage\":false}]},"
		"\"status\":{\"conditions\":[{\"type\":\"Established\",\"status\":\"True\"}]}}";
	static const char *const widget =
		"{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\",\"namespace\":\"ns1\"}}";
	char a[512], b[512], list[1200];
	if (!strncmp(req, "GET /api ", 9))
		return json_reply(out, size, 200, empty_core);
	if (!strncmp(req, "GET /apis ", 10)) {
		int served = ++s->apis_calls >= s->apis_served_from && s->crd_created;
		snprintf(list, sizeof list,
			 "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",\"items\":[%s%s%s]}",
			 group("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", a,
			       sizeof a),
			 served ? "," : "", served ? group("example.com", "v1", "widgets", "Widget", b, sizeof b) : "");
		return json_reply(out, size, 200, list);
	}
	if (!strncmp(req, "GET " CRD_PATH " ", strlen("GET " CRD_PATH " ")))
		return json_reply(out, size, s->crd_created ? 200 : 404, s->crd_created ? crd : not_found);
	if (!strncmp(req, "PATCH " CRD_PATH "?", strlen("PATCH " CRD_PATH "?"))) {
		s->crd_created = 1;
		return json_reply(out, size, 201, crd);
	}
	if (!strncmp(req, "GET " WIDGET_PATH " ", strlen("GET " WIDGET_PATH " ")))
		return json_reply(out, size, 404, not_found);
	if (!strncmp(req, "PATCH " WIDGET_PATH "?", strlen("PATCH " WIDGET_PATH "?"))) {
		const char *spec = strstr(req, "\"spec\"");
		snprintf(s->body_seen, sizeof s->body_seen, "%.20s", spec ? spec : "");
		s->widget_created = 1;
		return json_reply(out, size, 201, widget);
	}
	return json_reply(out, size, 500, "{\"kind\":\"Status\",\"message\":\"unexpected request\",\"code\":500}");
}

static void *serve(void *arg)
{
	crd_server *s = arg;
	while (!s->stop) {
		char req[16384], reply[4096];
		size_t head = 0;
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		if (fixture_read_request(c, req, sizeof req, &head) >= 0)
			fixture_send_closing(c, route(s, req, reply, sizeof reply));
		close(c);
	}
	return NULL;
}

/* "Kind action error" per reported object, joined by "; ". */
static int record(const cicd_kube_apply_item *item, void *payload)
{
	char *log = payload;
	size_t len = strlen(log);
	snprintf(log + len, 512 - len, "%s%s %d %d", len ? "; " : "", item->kind, (int)item->action, item->error);
	return 0;
}

static int apply_crd_and_widget(crd_server *s, char log[512], long wait_ms)
{
	/* the widget comes first: the set applies the CRD before it */
	static const char *const text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n"
					"---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
					"metadata: {name: widgets.example.com}\nspec:\n  group: example.com\n"
					"  scope: Namespaced\n  names: {plural: widgets, kind: Widget}\n"
					"  versions: [{name: v1, served: true, storage: true}]\n";
	cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
	cicd_document *doc = NULL;
	cicd_kube_client *c;
	const cicd_document *docs[1];
	int rc;
	log[0] = 0;
	s->fd = fixture_listen(&s->port);
	pthread_create(&s->thread, NULL, serve, s);
	c = fixture_client(s->port);
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_buffer(&doc, text, strlen(text), "set.yaml", NULL), 0);
	docs[0] = doc;
	o.wait_established_ms = wait_ms;
	rc = cicd_kube_apply_set(c, docs, 1, &o, record, log);
	cicd_document_free(doc);
	cicd_kube_client_free(c);
	s->stop = 1;
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
	return rc;
}

static void test_custom_resource_waits_for_discovery_to_serve_its_crd(void)
{
	crd_server s;
	char log[512];
	memset(&s, 0, sizeof s);
	/* Established at once, but discovery lists the group only from its fourth answer */
	s.apis_served_from = 4;
	CU_ASSERT_EQUAL(apply_crd_and_widget(&s, log, 10000), 0);
	CU_ASSERT_STRING_EQUAL(log, "CustomResourceDefinition 1 0; Widget 1 0");
	CU_ASSERT_EQUAL(s.widget_created, 1);
	CU_ASSERT_STRING_EQUAL(s.body_seen, "\"spec\":{\"size\":3}}");
	CU_ASSERT(s.apis_calls >= 4);
}

static void test_a_crd_discovery_never_serves_times_out_by_name(void)
{
	crd_server s;
	char log[512], want[64];
	memset(&s, 0, sizeof s);
	s.apis_served_from = 1 << 30;
	CU_ASSERT_EQUAL(apply_crd_and_widget(&s, log, 400), CICD_ETIMEOUT);
	CU_ASSERT_STRING_EQUAL(cicd_error_last()->message,
			       "CustomResourceDefinition widgets.example.com was not served by API discovery within 400 ms");
	snprintf(want, sizeof want, "CustomResourceDefinition 0 %d", CICD_ETIMEOUT);
	CU_ASSERT_STRING_EQUAL(log, want);
	CU_ASSERT_EQUAL(s.widget_created, 0);
}

static void test_apply_crd_setup(void)
{
	cicd_init();
	CU_PASS("libcurl initialised");
}

static void test_apply_crd_teardown(void)
{
	cicd_shutdown();
	CU_PASS("libcurl released");
}

CICD_SUITE(apply_crd, CICD_TEST(test_apply_crd_setup), CICD_TEST(test_custom_resource_waits_for_discovery_to_serve_its_crd),
	   CICD_TEST(test_a_crd_discovery_never_serves_times_out_by_name), CICD_TEST(test_apply_crd_teardown))
