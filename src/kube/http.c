/*
 * The HTTP transport of the kube client over libcurl. Requests run on the
 * client's multi handle, which keeps connections between calls and lets
 * HTTP/2 multiplex parallel requests over one connection. Retries happen
 * only where repeating cannot do harm: idempotent requests after a
 * connection failure or a 429/503, any request whose connection was refused
 * (it never reached the server), and once after a 401 when an exec plugin's
 * credential may have expired.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cicd/version.h"
#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "kube_internal.h"

#define BACKOFF_BASE_MS 200
#define BACKOFF_MAX_MS 10000

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int kube__request_init(kube_request *req, struct cicd_kube_client *client, const char *method, const char *path)
{
	memset(req, 0, sizeof *req);
	req->client = client;
	req->method = method;
	req->path = cicd__strdup(path);
	req->idempotent = !strcmp(method, "GET");
	return req->path ? 0 : cicd__error_oom();
}

void kube__request_dispose(kube_request *req)
{
	if (req->easy)
		curl_easy_cleanup(req->easy);
	curl_slist_free_all(req->headers);
	curl_slist_free_all(req->connect_to);
	cicd__free(req->path);
	cicd_buf_dispose(&req->body_out);
	memset(req, 0, sizeof *req);
}

int kube__buf_put_query(cicd_buf *buf, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			rc = cicd__buf_putc(buf, (char)c);
		else
			rc = cicd__buf_printf(buf, "%%%c%c", hex[c >> 4], hex[c & 15]);
		if (rc)
			return rc;
	}
	return 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	kube_request *req = userdata;
	size_t len = size * nmemb;
	long status = 0;
	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
	/* Error replies are collected whole even for streams, to read their Status. */
	if (req->on_data && status >= 200 && status < 300) {
		int stop = req->on_data(data, len, req->payload);
		if (stop) {
			req->stopped_by = stop;
			return CURL_WRITEFUNC_ERROR;
		}
		return len;
	}
	if (req->body_out.size + len > req->client->max_response_bytes)
		return CURL_WRITEFUNC_ERROR;
	if (cicd__buf_put(&req->body_out, data, len))
		return CURL_WRITEFUNC_ERROR;
	return len;
}

/* The bearer token for this request, if the configuration has one; *token is owned. */
static int current_token(char **token, struct cicd_kube_client *c)
{
	struct cicd_kube_config *cfg = &c->cfg;
	*token = NULL;
	if (cfg->has_exec) {
		if (c->have_exec_cred && c->exec_cred.expires && c->exec_cred.expires - 10 <= time(NULL)) {
			kube__exec_credential_dispose(&c->exec_cred);
			c->have_exec_cred = 0;
		}
		if (!c->have_exec_cred) {
			int rc = kube__exec_run(&c->exec_cred, &cfg->exec, cfg);
			if (rc)
				return rc;
			c->have_exec_cred = 1;
			c->exec_cred_serial++;
			cicd__log(CICD_LOG_DEBUG, "kube: exec plugin '%s' gave a credential", cfg->exec.command);
		}
		if (c->exec_cred.token && !(*token = cicd__strdup(c->exec_cred.token)))
			return cicd__error_oom();
		return 0;
	}
	if (cfg->token) {
		*token = cicd__strdup(cfg->token);
		return *token ? 0 : cicd__error_oom();
	}
	if (cfg->token_file) {
		size_t len;
		/* Re-read every time: service account tokens rotate underneath us. */
		int rc = cicd__file_read(cfg->token_file, 1u << 20, token, &len);
		if (rc) {
			cicd__error_prefix("reading the token file: ");
			return cicd__error_set(CICD_EAUTH, "%s", cicd_error_last()->message);
		}
		while (len && ((*token)[len - 1] == '\n' || (*token)[len - 1] == '\r' || (*token)[len - 1] == ' '))
			(*token)[--len] = '\0';
	}
	return 0;
}

static void blob_opt(CURL *h, CURLoption opt, const kube_blob *b)
{
	struct curl_blob blob;
	blob.data = b->data;
	blob.len = b->len;
	blob.flags = CURL_BLOB_COPY;
	curl_easy_setopt(h, opt, &blob);
}

CURL *kube__easy_new(struct cicd_kube_client *c, kube_request *req)
{
	struct cicd_kube_config *cfg = &c->cfg;
	cicd_buf url = CICD_BUF_INIT, hdr = CICD_BUF_INIT;
	char *token = NULL;
	CURL *h;
	int rc;
	if ((rc = current_token(&token, c)))
		return NULL;
	req->exec_cred_serial = c->exec_cred_serial;
	h = curl_easy_init();
	if (!h) {
		cicd__free(token);
		cicd__error_set(CICD_ENOMEM, "cannot create a libcurl handle");
		return NULL;
	}
	if (cicd__buf_printf(&url, "%s%s", c->base_url, req->path)) {
		curl_easy_cleanup(h);
		cicd__free(token);
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, url.ptr);
	cicd_buf_dispose(&url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	if (!req->stream)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, req->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(h, CURLOPT_PRIVATE, req);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	if (!strcmp(req->method, "GET"))
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (req->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	/* TLS: verified unless the kubeconfig explicitly says otherwise. */
	if (cfg->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (cfg->ca_data.len) {
		blob_opt(h, CURLOPT_CAINFO_BLOB, &cfg->ca_data);
	} else if (cfg->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	}
	if (c->connect_to) {
		req->connect_to = curl_slist_append(NULL, c->connect_to);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, req->connect_to);
	}
	if (c->have_exec_cred && c->exec_cred.cert.len) {
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		blob_opt(h, CURLOPT_SSLCERT_BLOB, &c->exec_cred.cert);
		blob_opt(h, CURLOPT_SSLKEY_BLOB, &c->exec_cred.key);
	} else if (cfg->cert_data.len || cfg->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		if (cfg->cert_data.len)
			blob_opt(h, CURLOPT_SSLCERT_BLOB, &cfg->cert_data);
		else
			curl_easy_setopt(h, CURLOPT_SSLCERT, cfg->cert_file);
		if (cfg->key_data.len)
			blob_opt(h, CURLOPT_SSLKEY_BLOB, &cfg->key_data);
		else
			curl_easy_setopt(h, CURLOPT_SSLKEY, cfg->key_file);
	}
	/* Without proxy-url, the *_proxy environment variables apply, as they do for kubectl. */
	if (cfg->proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, cfg->proxy_url);
	{
		struct curl_slist *list = NULL;
		if (req->accept) {
			cicd__buf_printf(&hdr, "Accept: %s", req->accept);
			list = curl_slist_append(list, hdr.ptr);
			cicd_buf_dispose(&hdr);
		} else {
			list = curl_slist_append(list, req->on_data ? "Accept: */*" : "Accept: application/json");
		}
		if (req->content_type) {
			cicd__buf_printf(&hdr, "Content-Type: %s", req->content_type);
			list = curl_slist_append(list, hdr.ptr);
			cicd_buf_dispose(&hdr);
		}
		if (token) {
			cicd__buf_printf(&hdr, "Authorization: Bearer %s", token);
			list = curl_slist_append(list, hdr.ptr);
			if (hdr.ptr)
				memset(hdr.ptr, 0, hdr.size);
			cicd_buf_dispose(&hdr);
			memset(token, 0, strlen(token));
		}
		req->headers = list;
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
	}
	cicd__free(token);
	return h;
}

static int curl_failure(kube_request *req, CURLcode code)
{
	const char *detail = req->errbuf[0] ? req->errbuf : curl_easy_strerror(code);
	int cicd_code = CICD_EHTTP;
	char *msg;
	size_t len;
	switch (code) {
	case CURLE_OPERATION_TIMEDOUT:
		cicd_code = CICD_ETIMEOUT;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		cicd_code = CICD_ETLS;
		break;
	default:
		break;
	}
	len = strlen(detail);
	msg = cicd__malloc(len + 64);
	if (!msg)
		return cicd__error_oom();
	memcpy(msg, detail, len + 1);
	len = cicd__redact(msg, len, len + 64);
	msg[len] = '\0';
	cicd__error_set(cicd_code, "%s %s%s: %s", req->method, req->client->base_url, req->path, msg);
	cicd__free(msg);
	return cicd_code;
}

static int connection_failure(CURLcode code)
{
	return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_SEND_ERROR ||
	       code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING || code == CURLE_HTTP2 ||
	       code == CURLE_HTTP2_STREAM || code == CURLE_PARTIAL_FILE;
}

static double backoff_s(int attempt, long retry_after_s)
{
	long ms = BACKOFF_BASE_MS << (attempt > 6 ? 6 : attempt);
	ms += rand() % (ms / 2 + 1);
	if (retry_after_s > 0 && retry_after_s * 1000 > ms)
		ms = retry_after_s * 1000;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	return (double)ms / 1000.0;
}

/* Decides what to do with a finished transfer: 1 to try again, 0 when final. */
static int finish_transfer(kube_request *req, CURLcode code)
{
	struct cicd_kube_client *c = req->client;
	curl_off_t ra = 0;
	req->status = 0;
	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &req->status);
	curl_easy_getinfo(req->easy, CURLINFO_RETRY_AFTER, &ra);
	req->retry_after_s = (long)ra;
	req->attempts++;
	if (cicd__log_enabled(CICD_LOG_TRACE)) {
		long version = 0, connects = 0;
		double total = 0;
		curl_easy_getinfo(req->easy, CURLINFO_HTTP_VERSION, &version);
		curl_easy_getinfo(req->easy, CURLINFO_NUM_CONNECTS, &connects);
		curl_easy_getinfo(req->easy, CURLINFO_TOTAL_TIME, &total);
		cicd__log(CICD_LOG_TRACE, "kube: %s %s -> %ld (%s, %s, %.1f ms)", req->method, req->path, req->status,
			  version == CURL_HTTP_VERSION_2_0 ? "HTTP/2" : version == CURL_HTTP_VERSION_1_1 ? "HTTP/1.1" : "HTTP",
			  connects ? "new connection" : "reused connection", total * 1000.0);
	}
	if (code == CURLE_WRITE_ERROR && req->stopped_by) {
		req->rc = req->stopped_by;
		return 0;
	}
	if (code == CURLE_WRITE_ERROR && req->body_out.size + CURL_MAX_WRITE_SIZE > c->max_response_bytes) {
		req->rc = cicd__error_set(CICD_ELIMIT, "%s %s: the reply is larger than %zu bytes", req->method, req->path,
					  c->max_response_bytes);
		return 0;
	}
	if (code != CURLE_OK) {
		if (req->attempts <= c->max_retries && !req->stream &&
		    ((req->idempotent && connection_failure(code)) || code == CURLE_COULDNT_CONNECT)) {
			cicd__log(CICD_LOG_DEBUG, "kube: %s %s: %s; retrying", req->method, req->path, curl_easy_strerror(code));
			req->next_try = mono_s() + backoff_s(req->attempts, 0);
			return 1;
		}
		req->rc = curl_failure(req, code);
		return 0;
	}
	if ((req->status == 429 || (req->status == 503 && req->retry_after_s > 0) || (req->status == 503 && req->idempotent)) &&
	    req->attempts <= c->max_retries) {
		cicd__log(CICD_LOG_DEBUG, "kube: %s %s: HTTP %ld; retrying", req->method, req->path, req->status);
		req->next_try = mono_s() + backoff_s(req->attempts, req->retry_after_s);
		return 1;
	}
	if (req->status == 401 && c->cfg.has_exec && req->attempts == 1) {
		/* The plugin's credential may have been revoked early: ask again, once. A request
		 * that ran beside it (discovery sends two) may find it already dropped. */
		if (c->have_exec_cred && c->exec_cred_serial == req->exec_cred_serial) {
			kube__exec_credential_dispose(&c->exec_cred);
			c->have_exec_cred = 0;
		}
		req->next_try = mono_s();
		return 1;
	}
	req->rc = 0;
	return 0;
}

/* Drops the transfers in flight and marks every unfinished request canceled. */
static void abandon(struct cicd_kube_client *c, kube_request **reqs, size_t count)
{
	size_t i;
	for (i = 0; i < count; i++) {
		kube_request *r = reqs[i];
		if (r->easy) {
			curl_multi_remove_handle(c->multi, r->easy);
			curl_easy_cleanup(r->easy);
			r->easy = NULL;
		}
		if (!r->done) {
			r->rc = CICD_ECANCELED;
			r->done = 1;
		}
	}
}

int kube__http_run(struct cicd_kube_client *c, kube_request **reqs, size_t count)
{
	size_t active = 0, finished = 0, i;
	unsigned int parallel = c->parallel ? c->parallel : 1;
	int rc = 0;
	for (i = 0; i < count; i++) {
		reqs[i]->done = 0;
		reqs[i]->next_try = 0;
		reqs[i]->rc = 0;
	}
	while (finished < count) {
		double now = mono_s(), wake = now + 1.0;
		int running = 0, msgs;
		CURLMsg *m;
		if (kube__canceled(c)) {
			abandon(c, reqs, count);
			return kube__cancel_error();
		}
		/* Start what is due, up to the parallel limit. */
		for (i = 0; i < count && active < parallel; i++) {
			kube_request *r = reqs[i];
			if (r->done || r->easy)
				continue;
			if (r->next_try > now) {
				if (r->next_try < wake)
					wake = r->next_try;
				continue;
			}
			cicd_buf_dispose(&r->body_out);
			curl_slist_free_all(r->headers);
			curl_slist_free_all(r->connect_to);
			r->headers = r->connect_to = NULL;
			r->errbuf[0] = '\0';
			r->easy = kube__easy_new(c, r);
			if (!r->easy) {
				r->rc = cicd_error_last()->code ? cicd_error_last()->code : CICD_ERROR;
				r->done = 1;
				finished++;
				continue;
			}
			if (curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
				curl_easy_cleanup(r->easy);
				r->easy = NULL;
				r->rc = cicd__error_set(CICD_EHTTP, "cannot start a request");
				r->done = 1;
				finished++;
				continue;
			}
			active++;
		}
		if (finished >= count)
			break;
		if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
			rc = cicd__error_set(CICD_EHTTP, "libcurl multi interface failed");
			break;
		}
		while ((m = curl_multi_info_read(c->multi, &msgs)) != NULL) {
			kube_request *r = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			curl_multi_remove_handle(c->multi, m->easy_handle);
			active--;
			if (!finish_transfer(r, m->data.result)) {
				r->done = 1;
				finished++;
			}
			curl_easy_cleanup(r->easy);
			r->easy = NULL;
		}
		if (finished >= count)
			break;
		/* Something can start right away (a slot was freed): no waiting. */
		{
			int startable = 0;
			now = mono_s();
			for (i = 0; i < count && !startable; i++)
				startable = !reqs[i]->done && !reqs[i]->easy && reqs[i]->next_try <= now;
			if (startable && active < parallel)
				continue;
		}
		{
			int wait_ms = (int)((wake - mono_s()) * 1000.0);
			if (wait_ms < 0)
				wait_ms = 0;
			if (wait_ms > 1000)
				wait_ms = 1000;
			if (active)
				curl_multi_poll(c->multi, NULL, 0, wait_ms, NULL);
			else if (wait_ms > 0) {
				/* short naps, so that a cancel from another thread is seen soon */
				struct timespec ts;
				if (wait_ms > 100)
					wait_ms = 100;
				ts.tv_sec = wait_ms / 1000;
				ts.tv_nsec = (long)(wait_ms % 1000) * 1000000L;
				nanosleep(&ts, NULL);
			}
		}
	}
	return rc;
}

int kube__http_one(struct cicd_kube_client *c, kube_request *req)
{
	kube_request *list[1];
	int rc;
	list[0] = req;
	rc = kube__http_run(c, list, 1);
	if (rc)
		return rc;
	if (req->rc) {
		/* The last error was set when the transfer failed; set it again in case other work cleared it. */
		return req->rc;
	}
	return 0;
}

static int code_for(long status, const char *reason)
{
	if (status == 401 || status == 403)
		return CICD_EAUTH;
	if (status == 404)
		return CICD_ENOTFOUND;
	if (status == 409 && reason && !strcmp(reason, "AlreadyExists"))
		return CICD_EEXISTS;
	if (status == 409)
		return CICD_ECONFLICT;
	if (status == 400 || status == 422)
		return CICD_EVALIDATE;
	if (status == 504)
		return CICD_ETIMEOUT;
	return CICD_EHTTP;
}

/* "conflict: .spec.replicas is managed by "x"; ..." from a 409's causes. */
static int conflict_message(cicd_buf *out, const cicd_node *status)
{
	const cicd_node *causes = kube__path(status, "details", "causes", NULL);
	size_t i, n = 0;
	if (!causes || causes->kind != CICD_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < causes->count; i++) {
		const cicd_node *cause = causes->u.seq.items[i];
		const char *type = kube__str(cause, "reason"), *field = kube__str(cause, "field"),
			   *msg = kube__str(cause, "message");
		const char *q1, *q2;
		if (!type)
			type = kube__str(cause, "type"); /* the JSON name of StatusCause.Type is "reason" */
		if (!type || strcmp(type, "FieldManagerConflict"))
			continue;
		cicd__buf_puts(out, n ? "; " : "conflict: ");
		/* The cause message reads: conflict with "manager" using apps/v1 */
		q1 = msg ? strchr(msg, '"') : NULL;
		q2 = q1 ? strchr(q1 + 1, '"') : NULL;
		if (q1 && q2)
			cicd__buf_printf(out, "%s is managed by %.*s", field ? field : "?", (int)(q2 - q1 + 1), q1);
		else
			cicd__buf_printf(out, "%s: %s", field ? field : "?", msg ? msg : "conflict");
		n++;
	}
	return (int)n;
}

int kube__status_error(const kube_request *req, const char *what)
{
	cicd_document *doc = NULL;
	const cicd_node *root = NULL;
	const char *reason = NULL, *message = NULL;
	cicd_buf msg = CICD_BUF_INIT;
	int code, rc;
	if (req->body_out.size &&
	    cicd_document_load_json(&doc, req->body_out.ptr, req->body_out.size, "status", NULL) == 0) {
		root = cicd_document_root(doc, 0);
		if (root && kube__str(root, "kind") && !strcmp(kube__str(root, "kind"), "Status")) {
			reason = kube__str(root, "reason");
			message = kube__str(root, "message");
		}
	}
	cicd_error_clear();
	code = code_for(req->status, reason);
	if (req->status == 409 && root && conflict_message(&msg, root) > 0) {
		rc = cicd__error_set(code, "%s: %s", what, msg.ptr);
	} else if (message && *message) {
		rc = cicd__error_set(code, "%s: %s", what, message);
	} else {
		/* No Status: show the start of the body (servers and proxies answer in text). */
		size_t n = req->body_out.size > 200 ? 200 : req->body_out.size;
		char *text = cicd__malloc(n + 64);
		if (text) {
			size_t k;
			memcpy(text, req->body_out.ptr ? req->body_out.ptr : "", n);
			text[n] = 0;
			n = cicd__redact(text, n, n + 64);
			text[n] = 0;
			for (k = 0; k < n; k++)
				if (text[k] == '\n' || text[k] == '\r')
					text[k] = ' ';
		}
		rc = cicd__error_set(code, "%s: HTTP %ld%s%s", what, req->status, text && *text ? ": " : "",
				     text ? text : "");
		cicd__free(text);
	}
	cicd_buf_dispose(&msg);
	cicd_document_free(doc);
	return rc;
}
