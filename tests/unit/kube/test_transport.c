/*
 * The transport against a scripted HTTP server on loopback: which requests
 * are retried (and after how long), credentials in headers but never in
 * errors, proxy-url, and Status replies turned into error codes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cicd/cicd.h"
#include "cicd/kube.h"
#include "http_fixture.h"
#include "test.h"

#define MAX_SCRIPT 8

/* A canceled call returns within this many seconds: far below the 30 s request
 * timeout it would otherwise wait for, with room for ASan on a loaded machine. */
#define PROMPTLY_S 5.0

/*
 * The server answers discovery (GET /api and GET /apis, which the client
 * sends in parallel, so in either order) by path, and every other request i
 * with script[i] (the last one repeats). It records each request line, and
 * counts a request before answering it, so a caller that has its reply sees
 * the count include it.
 */
typedef struct server {
	int fd;
	int port;
	const char *script[MAX_SCRIPT];
	int nscript;
	int nscripted;
	char requests[16][512];
	int nrequests;
	double times[16];
	pthread_mutex_t lock;
	pthread_t thread;
	int stop;
} server;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char g_core[1024], g_apis[256];

/* The discovery reply for a request line, or NULL when it is not a discovery request. */
static const char *discovery_reply(const char *request)
{
	const char *end = strstr(request, " HTTP/1.1");
	if (!end)
		return NULL;
	if (end - request >= 5 && !strncmp(end - 5, "/apis", 5))
		return g_apis;
	if (end - request >= 4 && !strncmp(end - 4, "/api", 4))
		return g_core;
	return NULL;
}

static void *serve(void *arg)
{
	server *s = arg;
	while (!s->stop) {
		char buf[8192];
		size_t head = 0;
		const char *reply;
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		if (fixture_read_request(c, buf, sizeof buf, &head) >= 0) {
			pthread_mutex_lock(&s->lock);
			if (s->nrequests < 16) {
				snprintf(s->requests[s->nrequests], sizeof s->requests[0], "%.*s", (int)head, buf);
				s->times[s->nrequests] = now_s();
			}
			s->nrequests++;
			reply = discovery_reply(buf);
			if (!reply)
				reply = s->script[s->nscripted < s->nscript ? s->nscripted++ : s->nscript - 1];
			pthread_mutex_unlock(&s->lock);
			fixture_send_closing(c, reply);
		}
		close(c);
	}
	return NULL;
}

/* How many requests the server has taken so far. */
static int server_requests(server *s)
{
	int n;
	pthread_mutex_lock(&s->lock);
	n = s->nrequests;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* The request whose line starts with prefix (method and target), or "" when none came. */
static const char *server_request(server *s, const char *prefix)
{
	int i, n = server_requests(s);
	for (i = 0; i < n && i < 16; i++)
		if (!strncmp(s->requests[i], prefix, strlen(prefix)))
			return s->requests[i];
	return "";
}

static void server_start(server *s)
{
	pthread_mutex_init(&s->lock, NULL);
	s->fd = fixture_listen(&s->port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void server_stop(server *s)
{
	s->stop = 1;
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
}

static char g_reply_ok[256];
static char g_reply_503_retry[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";
static char g_reply_503[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
static char g_reply_429[] = "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n";

static const char *ok_reply(void)
{
	const char *body = "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"c\"}}";
	snprintf(g_reply_ok, sizeof g_reply_ok,
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
	return g_reply_ok;
}

/* Discovery replies (aggregated form) for a server that only knows v1 ConfigMaps. */
static void discovery_replies(void)
{
	const char *core = "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",\"items\":[{"
			   "\"metadata\":{\"name\":\"\"},\"versions\":[{\"version\":\"v1\",\"resources\":[{\"resource\":"
			   "\"configmaps\",\"responseKind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"},"
			   "\"scope\":\"Namespaced\",\"singularResource\":\"configmap\",\"shortNames\":[\"cm\"]}]}]}]}";
	const char *apis = "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",\"items\":[]}";
	snprintf(g_core, sizeof g_core, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(core), core);
	snprintf(g_apis, sizeof g_apis, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(apis), apis);
}

static void test_get_is_retried_after_503_with_retry_after(void)
{
	server s;
	cicd_kube_client *c;
	cicd_buf out = CICD_BUF_INIT;
	memset(&s, 0, sizeof s);
	discovery_replies();
	s.script[0] = g_reply_503_retry;
	s.script[1] = ok_reply();
	s.nscript = 2;
	server_start(&s);
	c = fixture_client(s.port);
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "c"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr ? out.ptr : "", "\"name\":\"c\""));
	/* two discovery requests, then the GET twice */
	CU_ASSERT_EQUAL(server_requests(&s), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.requests[2], "GET /api/v1/namespaces/ns1/configmaps/c HTTP/1.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.requests[2], "Authorization: Bearer s3cr3t-t0ken"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.requests[3], "GET /api/v1/namespaces/ns1/configmaps/c HTTP/1.1"));
	/* Retry-After: 1 was honoured */
	CU_ASSERT(s.times[3] - s.times[2] >= 0.9);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
	server_stop(&s);
}

static void test_create_is_not_retried_after_a_plain_503_but_is_after_429(void)
{
	server s;
	cicd_kube_client *c;
	const char *obj = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}";
	memset(&s, 0, sizeof s);
	discovery_replies();
	s.script[0] = g_reply_503;
	s.script[1] = g_reply_429;
	s.script[2] = ok_reply();
	s.nscript = 3;
	server_start(&s);
	c = fixture_client(s.port);
	/* the server may have acted on the POST: it is not sent again */
	CU_ASSERT_EQUAL(cicd_kube_create(NULL, c, obj, strlen(obj)), CICD_EHTTP);
	CICD_ASSERT_STR(cicd_error_last()->message, "ConfigMap ns1/c: HTTP 503");
	CU_ASSERT_EQUAL(server_requests(&s), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.requests[2], "POST /api/v1/namespaces/ns1/configmaps HTTP/1.1"));
	/* 429 means the server did nothing: safe to send again */
	CU_ASSERT_EQUAL(cicd_kube_create(NULL, c, obj, strlen(obj)), 0);
	CU_ASSERT_EQUAL(server_requests(&s), 5);
	cicd_kube_client_free(c);
	server_stop(&s);
}

static void test_status_replies_become_codes_without_secrets(void)
{
	server s;
	cicd_kube_client *c;
	cicd_buf out = CICD_BUF_INIT;
	char forbidden[512], plain[256];
	const char *status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"configmaps \\\"c\\\" "
			     "is forbidden: User \\\"u\\\" cannot get resource\",\"reason\":\"Forbidden\",\"code\":403}";
	const char *text = "upstream says Authorization: Bearer s3cr3t-t0ken";
	memset(&s, 0, sizeof s);
	discovery_replies();
	snprintf(forbidden, sizeof forbidden, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: "
					      "%zu\r\n\r\n%s",
		 strlen(status), status);
	snprintf(plain, sizeof plain, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: %zu\r\n\r\n%s", strlen(text), text);
	s.script[0] = forbidden;
	s.script[1] = plain;
	s.nscript = 2;
	server_start(&s);
	c = fixture_client(s.port);
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "c"), CICD_EAUTH);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"ConfigMap ns1/c: configmaps \"c\" is forbidden: User \"u\" cannot get resource");
	/* a text reply is quoted, with anything that looks like a credential masked */
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", "other", "c"), CICD_EHTTP);
	CICD_ASSERT_STR(cicd_error_last()->message, "ConfigMap other/c: HTTP 502: upstream says Authorization: Bearer [MASKED]");
	CU_ASSERT_PTR_NULL(strstr(cicd_error_last()->message, "s3cr3t"));
	/* kinds come from discovery only */
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "Secret", NULL, "c"), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "the server has no kind Secret in v1");
	/* an unknown kind made the client ask discovery again: 2 + 2 + 2 */
	CU_ASSERT_EQUAL(server_requests(&s), 6);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
	server_stop(&s);
}

static void test_proxy_url_carries_the_requests(void)
{
	server s;
	cicd_kube_client *c;
	cicd_buf out = CICD_BUF_INIT;
	char proxy[128];
	memset(&s, 0, sizeof s);
	discovery_replies();
	s.script[0] = ok_reply();
	s.nscript = 1;
	server_start(&s);
	/* the cluster's address does not exist; only the proxy (our server) is reachable */
	snprintf(proxy, sizeof proxy, "    proxy-url: http://127.0.0.1:%d\n", s.port);
	{
		char cfgtext[1024];
		cicd_kube_config *cfg = NULL;
		snprintf(cfgtext, sizeof cfgtext,
			 "clusters:\n- name: t\n  cluster:\n    server: http://cluster.invalid:6443\n%s"
			 "contexts:\n- name: t\n  context: {cluster: t}\ncurrent-context: t\n",
			 proxy);
		CU_ASSERT_EQUAL_FATAL(cicd_kube_config_parse(&cfg, cfgtext, strlen(cfgtext), "t.yaml", NULL), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_kube_client_new(&c, cfg, NULL), 0);
		cicd_kube_config_free(cfg);
	}
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", "x", "c"), 0);
	CU_ASSERT_EQUAL(server_requests(&s), 3);
	CU_ASSERT_STRING_NOT_EQUAL(server_request(&s, "GET http://cluster.invalid:6443/api HTTP/1.1"), "");
	CU_ASSERT_STRING_NOT_EQUAL(server_request(&s, "GET http://cluster.invalid:6443/apis HTTP/1.1"), "");
	CU_ASSERT_STRING_NOT_EQUAL(
		server_request(&s, "GET http://cluster.invalid:6443/api/v1/namespaces/x/configmaps/c HTTP/1.1"), "");
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
	server_stop(&s);
}

/* A client for a port where nothing listens, retrying a refused connection max_retries times. */
static cicd_kube_client *refused_client(int max_retries)
{
	cicd_kube_client_options o = CICD_KUBE_CLIENT_OPTIONS_INIT;
	o.max_retries = max_retries;
	return fixture_client_of("clusters:\n- name: t\n  cluster: {server: 'http://127.0.0.1:1'}\n"
				 "contexts:\n- name: t\n  context: {cluster: t}\ncurrent-context: t\n",
				 &o);
}

static void test_connection_refused_fails_after_bounded_retries(void)
{
	cicd_kube_client *c = refused_client(2);
	cicd_buf out = CICD_BUF_INIT;
	double t0 = now_s();
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", "x", "c"), CICD_EHTTP);
	/* discovery's two requests run together; either may be the one reported */
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "GET http://127.0.0.1:1/api"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "Couldn't connect to server"));
	/* two backoffs (0.4 s and 0.8 s, plus jitter) before giving up */
	CU_ASSERT(now_s() - t0 >= 1.0);
	cicd_kube_client_free(c);
}

typedef struct canceler {
	cicd_kube_client *client;
	useconds_t after_us;
} canceler;

static void *cancel_later(void *arg)
{
	canceler *k = arg;
	usleep(k->after_us);
	cicd_kube_client_cancel(k->client);
	return NULL;
}

static void test_cancel_from_another_thread_interrupts_a_hanging_request(void)
{
	cicd_kube_client *c;
	cicd_buf out = CICD_BUF_INIT;
	canceler k;
	pthread_t t;
	double t0, took;
	/* a server that takes connections into its backlog and never answers: the request hangs */
	int port, fd = fixture_listen(&port);
	c = fixture_client(port);
	k.client = c;
	k.after_us = 300000;
	t0 = now_s();
	pthread_create(&t, NULL, cancel_later, &k);
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "c"), CICD_ECANCELED);
	took = now_s() - t0;
	pthread_join(t, NULL);
	CU_ASSERT_STRING_EQUAL(cicd_error_last()->message, "canceled");
	/* the default request timeout is 30 s: the cancel, not a timeout, ended it */
	CU_ASSERT(took >= 0.25 && took < PROMPTLY_S);
	/* sticky until cleared: the next call fails at once without sending anything */
	t0 = now_s();
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "c"), CICD_ECANCELED);
	CU_ASSERT(now_s() - t0 < PROMPTLY_S);
	cicd_kube_client_free(c);
	close(fd);
	cicd_buf_dispose(&out);
}

static void test_cancel_clear_makes_the_client_usable_again(void)
{
	server s;
	cicd_kube_client *c;
	cicd_buf out = CICD_BUF_INIT;
	memset(&s, 0, sizeof s);
	discovery_replies();
	s.script[0] = ok_reply();
	s.nscript = 1;
	server_start(&s);
	c = fixture_client(s.port);
	cicd_kube_client_cancel(c);
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "c"), CICD_ECANCELED);
	CU_ASSERT_EQUAL(server_requests(&s), 0);
	cicd_kube_client_cancel_clear(c);
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", NULL, "c"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr ? out.ptr : "", "\"name\":\"c\""));
	/* NULL is accepted, as by the _free functions */
	cicd_kube_client_cancel(NULL);
	cicd_kube_client_cancel_clear(NULL);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
	server_stop(&s);
}

static void test_cancel_cuts_short_the_backoff_between_retries(void)
{
	cicd_kube_client *c = refused_client(50); /* minutes of backoff without the cancel */
	cicd_buf out = CICD_BUF_INIT;
	canceler k;
	pthread_t t;
	double t0;
	k.client = c;
	k.after_us = 500000;
	t0 = now_s();
	pthread_create(&t, NULL, cancel_later, &k);
	CU_ASSERT_EQUAL(cicd_kube_get(&out, c, "v1", "ConfigMap", "x", "c"), CICD_ECANCELED);
	CU_ASSERT(now_s() - t0 < PROMPTLY_S);
	pthread_join(t, NULL);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(c);
}

static void setup(void)
{
	cicd_init();
}

static void teardown(void)
{
	cicd_shutdown();
}

static void test_transport_setup(void)
{
	setup();
	CU_PASS("libcurl initialised");
}

static void test_transport_teardown(void)
{
	teardown();
	CU_PASS("libcurl released");
}

CICD_SUITE(transport, CICD_TEST(test_transport_setup), CICD_TEST(test_get_is_retried_after_503_with_retry_after),
	   CICD_TEST(test_create_is_not_retried_after_a_plain_503_but_is_after_429),
	   CICD_TEST(test_status_replies_become_codes_without_secrets), CICD_TEST(test_proxy_url_carries_the_requests),
	   CICD_TEST(test_connection_refused_fails_after_bounded_retries),
	   CICD_TEST(test_cancel_from_another_thread_interrupts_a_hanging_request),
	   CICD_TEST(test_cancel_clear_makes_the_client_usable_again),
	   CICD_TEST(test_cancel_cuts_short_the_backoff_between_retries), CICD_TEST(test_transport_teardown))
