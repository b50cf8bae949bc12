/* Internal: the kube module's shared structures (config, client, transport, discovery). */
#ifndef CICD_KUBE_INTERNAL_H
#define CICD_KUBE_INTERNAL_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "cicd/kube.h"
#include "core/buf.h"
#include "core/hashmap.h"
#include "core/vec.h"

/* Bytes held in memory (inline kubeconfig data, exec plugin output). */
typedef struct kube_blob {
	unsigned char *data;
	size_t len;
} kube_blob;

typedef struct kube_exec_config {
	char *command;
	char **args;  /* NULL-terminated */
	char **env;   /* NULL-terminated "NAME=value" */
	char *api_version;
	char *dir;    /* folder of the kubeconfig that named the plugin, for relative commands */
	int interactive_always; /* interactiveMode: Always cannot be honoured by a library */
	int provide_cluster_info;
} kube_exec_config;

struct cicd_kube_config {
	char *server;
	char *context;
	char *namespace_name;
	const char *auth_kind; /* static string */
	char *ca_file;
	kube_blob ca_data;
	char *cert_file;
	kube_blob cert_data;
	char *key_file;
	kube_blob key_data;
	char *token; /* secret */
	char *token_file;
	int insecure;
	char *tls_server_name;
	char *proxy_url;
	int has_exec;
	kube_exec_config exec;
};

/* Copies every field (deep); 0 or CICD_ENOMEM. */
int kube__config_copy(struct cicd_kube_config *dst, const struct cicd_kube_config *src);
void kube__config_dispose(struct cicd_kube_config *cfg);

/* Base64 (standard alphabet, whitespace ignored, padding optional). -1 on bad input. */
int kube__base64_decode(kube_blob *out, const char *text, size_t len);

/* ---- exec credential plugin ------------------------------------------------------------ */

typedef struct kube_exec_credential {
	char *token; /* secret */
	kube_blob cert;
	kube_blob key;
	time_t expires; /* 0: no expiry */
} kube_exec_credential;

/* Runs the plugin and parses its ExecCredential. CICD_EAUTH with a safe message on failure. */
int kube__exec_run(kube_exec_credential *out, const kube_exec_config *exec, const struct cicd_kube_config *cfg);
void kube__exec_credential_dispose(kube_exec_credential *cred);

/* Parses an RFC 3339 timestamp ("2026-01-02T03:04:05Z", fractions and offsets too); -1 if bad. */
time_t kube__parse_time(const char *text);

/* ---- transport ------------------------------------------------------------------------- */

typedef struct kube_request kube_request;

/* Streamed body bytes; non-zero stops the transfer (the value comes back from the request). */
typedef int (*kube_stream_fn)(const char *data, size_t len, void *payload);

struct kube_request {
	const char *method;       /* "GET", "POST", "PATCH", "PUT", "DELETE" */
	char *path;               /* "/api/v1/namespaces/x/pods?limit=5"; owned */
	const char *content_type; /* for a body */
	const char *accept;       /* NULL: application/json, or any type for streams */
	const char *body;
	size_t body_len;
	int idempotent;           /* may be retried after a connection failure */
	int stream;               /* no overall timeout (watch, logs -f) */
	kube_stream_fn on_data;   /* instead of collecting the body */
	void *payload;
	/* results */
	long status;    /* HTTP status, 0 when no reply */
	cicd_buf body_out;
	int rc;         /* 0 or CICD_E* for transport failures (HTTP statuses are left to the caller) */
	int stopped_by; /* the non-zero value of on_data that stopped it */
	long retry_after_s;
	/* internal */
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	int attempts;
	char errbuf[CURL_ERROR_SIZE];
	struct cicd_kube_client *client;
	int done;
	double next_try; /* monotonic seconds */
	unsigned int exec_cred_serial; /* the exec credential the last attempt carried */
};

struct cicd_kube_client {
	struct cicd_kube_config cfg;
	char *base_url; /* scheme://host:port, with tls-server-name as host when given */
	char *connect_to; /* CURLOPT_CONNECT_TO entry for tls-server-name */
	long timeout_ms;
	long connect_timeout_ms;
	int max_retries;
	unsigned int parallel;
	size_t max_response_bytes;
	char *user_agent;
	CURLM *multi;      /* requests: keeps the connections between calls */
	CURLSH *share;     /* DNS and TLS sessions shared with stream handles */
	CURLM *stream_multi; /* watches: long transfers, kept apart from requests */
	atomic_int canceled; /* set by cicd_kube_client_cancel from any thread */
	kube_exec_credential exec_cred;
	int have_exec_cred;
	unsigned int exec_cred_serial; /* counts plugin runs: which credential a request was sent with */
	/* discovery */
	int discovered;
	cicd_vec resources; /* kube_resource * */
	cicd_hashmap by_gvk; /* "group/version/Kind" -> kube_resource */
};

/* Non-zero once cicd_kube_client_cancel() was called (and not cleared). */
int kube__canceled(struct cicd_kube_client *client);
/* Sets the last error for a canceled call and returns CICD_ECANCELED. */
int kube__cancel_error(void);

/* Prepares a request (path copied). */
int kube__request_init(kube_request *req, struct cicd_kube_client *client, const char *method, const char *path);
void kube__request_dispose(kube_request *req);

/* Runs requests concurrently (up to client->parallel), with retries; each gets rc/status. Returns 0 unless setup failed. */
int kube__http_run(struct cicd_kube_client *client, kube_request **reqs, size_t count);

/* One request; 0 or the transport failure (HTTP status in req->status). */
int kube__http_one(struct cicd_kube_client *client, kube_request *req);

/* Sets the last error from a non-2xx reply's Status object; returns the code. `what` prefixes the message. */
int kube__status_error(const kube_request *req, const char *what);

/* A new easy handle configured for the client (TLS, auth, timeouts); NULL with the error set. */
CURL *kube__easy_new(struct cicd_kube_client *client, kube_request *req);

/* Appends s percent-encoded for a query string. */
int kube__buf_put_query(cicd_buf *buf, const char *s);

/* ---- discovery -------------------------------------------------------------------------- */

typedef struct kube_resource {
	char *group;    /* "" for the core group */
	char *version;
	char *kind;
	char *resource; /* plural: "deployments" */
	char *singular;
	char **short_names; /* NULL-terminated */
	int namespaced;
	char *key; /* "group/version/Kind", the by_gvk key */
} kube_resource;

/* Finds the resource of apiVersion+kind, running discovery when unknown (once per miss). */
int kube__resource_for(const kube_resource **out, struct cicd_kube_client *client, const char *api_version,
		       const char *kind);
/* Forgets the cached discovery. */
void kube__discovery_reset(struct cicd_kube_client *client);
/* Runs discovery now. */
int kube__discover(struct cicd_kube_client *client);

/* "/api/v1/namespaces/NS/pods/NAME" and friends; name may be NULL for the collection. */
int kube__object_path(cicd_buf *out, struct cicd_kube_client *client, const kube_resource *res, const char *ns,
		      const char *name);

/* The namespace to use for an object of res: ns, or the client's default; "" for cluster-scoped kinds. */
const char *kube__namespace_for(struct cicd_kube_client *client, const kube_resource *res, const char *ns);

/* A scalar child's text or NULL. */
const char *kube__str(const cicd_node *map, const char *key);
/* Walks dotted keys: kube__path(obj, "metadata", "name", NULL). */
const cicd_node *kube__path(const cicd_node *node, ...);
/* Integer scalar or dflt. */
long long kube__int(const cicd_node *node, long long dflt);

/* ---- apply -------------------------------------------------------------------------------- */

typedef struct kube_apply_job {
	const cicd_node *object;
	const kube_resource *res;
	const char *api_version, *kind, *name; /* borrowed from object */
	char *ns;    /* "" for cluster-scoped */
	char *what;  /* "Deployment default/web" for messages */
	cicd_buf body;
	kube_request get;
	kube_request patch;
	int rc;
	cicd_kube_apply_action action;
	char *message; /* the failure's message */
} kube_apply_job;

/* Resolves the object's resource and builds its GET and PATCH requests; sets job->rc on failure. */
int kube__apply_prepare(kube_apply_job *job, struct cicd_kube_client *client, const cicd_node *object,
			const cicd_kube_apply_options *opts);
/* After the GET ran: nothing. After the PATCH ran: decides action or failure. */
void kube__apply_decide(kube_apply_job *job, const cicd_kube_apply_options *opts);
void kube__apply_job_dispose(kube_apply_job *job);
/* Fills each job's GET result, listing collections that hold many of the jobs. */
int kube__apply_fetch(struct cicd_kube_client *client, kube_apply_job **jobs, size_t n);
/* Records the last error as the job's failure. */
void kube__apply_fail(kube_apply_job *job, int rc);

/* ---- watch ---------------------------------------------------------------------------------- */

/* Waits for the next event of any of n watches (of one client); *which tells whose. */
int kube__watch_next_any(size_t *which, cicd_kube_event_type *type, const cicd_node **object, cicd_kube_watch **ws,
			 size_t n, long timeout_ms);

/* Loads JSON text into a document (error prefixed with `what`). */
int kube__parse_json(cicd_document **out, const char *text, size_t len, const char *what);

#endif
