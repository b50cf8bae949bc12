/*
 * libcicd — a Kubernetes API client.
 *
 * Configuration comes from kubeconfig files (KUBECONFIG lists merged the way
 * kubectl merges them) or from a Pod's service account (in-cluster). The
 * client talks HTTPS through libcurl: connections are kept and reused,
 * HTTP/2 is used when the server offers it, TLS is verified unless the
 * kubeconfig says insecure-skip-tls-verify. Credentials never reach a log
 * line or an error message.
 *
 * Objects travel as JSON. Results are handed out either as JSON text in a
 * cicd_buf the caller owns, or as a document tree (include/cicd/document.h)
 * borrowed for the duration of a callback or until the next call.
 *
 * Kinds are resolved through API discovery (never by guessing plurals); the
 * map is cached in the client and refreshed once when a kind is unknown, so
 * a CustomResourceDefinition created a moment ago is found.
 *
 * Errors (see docs/errors.md):
 *   CICD_EINVALID   bad argument, unusable kubeconfig (no server, no context)
 *   CICD_EPARSE     malformed kubeconfig or server reply; position set
 *   CICD_ENOTFOUND  object, kind, context or file not found (HTTP 404)
 *   CICD_EEXISTS    create of an object that exists (HTTP 409 AlreadyExists)
 *   CICD_ECONFLICT  apply conflict with another field manager, or a stale
 *                   resourceVersion (HTTP 409); the message names managers and fields
 *   CICD_EAUTH      HTTP 401/403, or the exec credential plugin failed
 *   CICD_EVALIDATE  the server rejected the object (HTTP 422, 400)
 *   CICD_ETLS       certificate verification or TLS setup failed
 *   CICD_EHTTP      connection failures, other HTTP statuses
 *   CICD_ETIMEOUT   a request timeout or a rollout deadline passed
 *   CICD_ERROR      a rollout failed; the message says why
 *   CICD_ECANCELED  cicd_kube_client_cancel() was called
 *
 * Threads: a cicd_kube_config is immutable once loaded and may be shared. A
 * cicd_kube_client must be used by one thread at a time (except for
 * cicd_kube_client_cancel); make one client per thread for parallel work
 * (cicd_kube_apply_set parallelises inside).
 * Call cicd_init() before creating a client.
 */
#ifndef INCLUDE_cicd_kube_h__
#define INCLUDE_cicd_kube_h__

#include "common.h"
#include "buffer.h"
#include "document.h"
#include "manifest.h"

CICD_BEGIN_DECL

/* ---- configuration ------------------------------------------------------------------- */

typedef struct cicd_kube_config cicd_kube_config;

/* Ignore KUBERNETES_SERVICE_HOST: only kubeconfig files are considered. */
#define CICD_KUBE_CONFIG_NO_IN_CLUSTER (1u << 0)
/* Only the in-cluster service account is considered. */
#define CICD_KUBE_CONFIG_IN_CLUSTER_ONLY (1u << 1)

typedef struct cicd_kube_config_options {
	unsigned int version;
	unsigned int flags;          /* CICD_KUBE_CONFIG_* */
	const char *kubeconfig;      /* file list, ':'-separated; NULL: $KUBECONFIG, else ~/.kube/config */
	const char *context;         /* NULL: the merged current-context */
	const char *namespace_name;  /* overrides the context's namespace; NULL: keep it */
	const char *service_account_dir; /* in-cluster files; NULL: /var/run/secrets/kubernetes.io/serviceaccount */
	size_t max_bytes;            /* 0: 4 MiB per kubeconfig file */
} cicd_kube_config_options;

#define CICD_KUBE_CONFIG_OPTIONS_VERSION 1
#define CICD_KUBE_CONFIG_OPTIONS_INIT {CICD_KUBE_CONFIG_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, 0}

CICD_EXTERN(int) cicd_kube_config_options_init(cicd_kube_config_options *opts, unsigned int version);

/*
 * Loads the configuration the way kubectl does: the files of the list (or
 * $KUBECONFIG, or ~/.kube/config) merged — for clusters, users and contexts
 * the first file to name an entry wins, current-context comes from the first
 * file that sets it, missing files in a list are skipped — then the chosen
 * context. When no kubeconfig file exists and KUBERNETES_SERVICE_HOST and
 * _PORT are set, the in-cluster service account is used (unless
 * CICD_KUBE_CONFIG_NO_IN_CLUSTER). Relative paths in a file resolve against
 * that file's folder. *out is the caller's: free with cicd_kube_config_free().
 * CICD_ENOTFOUND when nothing is configured or the context does not exist,
 * CICD_EPARSE with file:line:col for malformed files.
 */
CICD_EXTERN(int) cicd_kube_config_load(cicd_kube_config **out, const cicd_kube_config_options *opts);

/*
 * Parses one kubeconfig held in memory (`name` labels positions; relative
 * paths resolve against the current directory). opts->context and
 * opts->namespace_name apply; the other options are ignored.
 */
CICD_EXTERN(int) cicd_kube_config_parse(cicd_kube_config **out, const char *data, size_t len, const char *name,
					const cicd_kube_config_options *opts);

CICD_EXTERN(void) cicd_kube_config_free(cicd_kube_config *cfg);

/* Borrowed strings, valid while cfg lives. The server URL ("https://host:port"). */
CICD_EXTERN(const char *) cicd_kube_config_server(const cicd_kube_config *cfg);
/* The context's name ("" in-cluster). */
CICD_EXTERN(const char *) cicd_kube_config_context(const cicd_kube_config *cfg);
/* The default namespace ("default" when the context names none). */
CICD_EXTERN(const char *) cicd_kube_config_namespace(const cicd_kube_config *cfg);
/* How the client authenticates: "client-certificate", "token", "token-file", "exec", "in-cluster", "none". */
CICD_EXTERN(const char *) cicd_kube_config_auth_kind(const cicd_kube_config *cfg);

/* ---- client -------------------------------------------------------------------------- */

typedef struct cicd_kube_client cicd_kube_client;

typedef struct cicd_kube_client_options {
	unsigned int version;
	long timeout_ms;          /* one request, streams excepted; 0: 30000 */
	long connect_timeout_ms;  /* 0: 10000 */
	int max_retries;          /* safe retries (GET, apply, connection refused, 429/503); -1: none; 0: 4 */
	unsigned int parallel;    /* requests in flight in cicd_kube_apply_set; 0: 16 */
	size_t max_response_bytes; /* one reply; 0: 256 MiB */
	const char *user_agent;   /* NULL: "libcicd/VERSION" */
} cicd_kube_client_options;

#define CICD_KUBE_CLIENT_OPTIONS_VERSION 1
#define CICD_KUBE_CLIENT_OPTIONS_INIT {CICD_KUBE_CLIENT_OPTIONS_VERSION, 0, 0, 0, 0, 0, NULL}

CICD_EXTERN(int) cicd_kube_client_options_init(cicd_kube_client_options *opts, unsigned int version);

/*
 * A client for cfg's server. The configuration is copied: cfg may be freed
 * afterwards. Nothing is sent until the first request. opts may be NULL.
 */
CICD_EXTERN(int) cicd_kube_client_new(cicd_kube_client **out, const cicd_kube_config *cfg,
				      const cicd_kube_client_options *opts);
CICD_EXTERN(void) cicd_kube_client_free(cicd_kube_client *client);

/* The namespace used when an object or call names none; borrowed. */
CICD_EXTERN(const char *) cicd_kube_client_namespace(const cicd_kube_client *client);

/*
 * Cancels from another thread: the call running on client (a request, a
 * list, an apply, logs, a rollout wait, a watch's next) returns
 * CICD_ECANCELED within about 100 ms, and so does every later call on it
 * until cicd_kube_client_cancel_clear(). These two are the only calls that
 * may overlap another thread's use of the client; the client must outlive
 * them. For bindings that map a context or an interrupt onto a blocking call.
 */
CICD_EXTERN(void) cicd_kube_client_cancel(cicd_kube_client *client);
/* Makes the client usable again after cicd_kube_client_cancel(). */
CICD_EXTERN(void) cicd_kube_client_cancel_clear(cicd_kube_client *client);

/*
 * Resolves what a user typed ("deploy", "deployments", "Deployment",
 * "deployments.apps", "Widget.example.com") to apiVersion and kind through
 * discovery. out_api_version and out_kind get text the caller frees with
 * cicd_buf_dispose(); *namespaced is 1 for namespaced kinds. CICD_ENOTFOUND
 * when no resource matches.
 */
CICD_EXTERN(int) cicd_kube_resolve(cicd_buf *out_api_version, cicd_buf *out_kind, int *namespaced,
				   cicd_kube_client *client, const char *name);

/* ---- reading and writing objects ----------------------------------------------------- */

/*
 * An object is named by apiVersion ("v1", "apps/v1"), kind ("Deployment"),
 * namespace (NULL: the client's default; ignored for cluster-scoped kinds)
 * and name.
 */

/* Appends the object's JSON to *out. CICD_ENOTFOUND when it does not exist. */
CICD_EXTERN(int) cicd_kube_get(cicd_buf *out, cicd_kube_client *client, const char *api_version, const char *kind,
			       const char *namespace_name, const char *name);

typedef struct cicd_kube_list_options {
	unsigned int version;
	const char *label_selector;  /* NULL: all */
	const char *field_selector;  /* NULL: all */
	unsigned int page_size;      /* items per request (limit/continue); 0: 500 */
	int all_namespaces;          /* list across namespaces */
} cicd_kube_list_options;

#define CICD_KUBE_LIST_OPTIONS_VERSION 1
#define CICD_KUBE_LIST_OPTIONS_INIT {CICD_KUBE_LIST_OPTIONS_VERSION, NULL, NULL, 0, 0}

CICD_EXTERN(int) cicd_kube_list_options_init(cicd_kube_list_options *opts, unsigned int version);

/*
 * Called for each listed object; `item` is borrowed for the call. A non-zero
 * return stops the listing and is returned.
 */
typedef int (*cicd_kube_item_cb)(const cicd_node *item, void *payload);

/*
 * Lists objects of a kind, page by page (limit/continue), calling cb for
 * each. If resource_version is not NULL it receives the list's
 * resourceVersion (caller disposes), the point a watch can start from.
 */
CICD_EXTERN(int) cicd_kube_list(cicd_buf *resource_version, cicd_kube_client *client, const char *api_version,
				const char *kind, const char *namespace_name, const cicd_kube_list_options *opts,
				cicd_kube_item_cb cb, void *payload);

/* Creates the object given as JSON; *out (may be NULL) gets the stored object. CICD_EEXISTS if present. */
CICD_EXTERN(int) cicd_kube_create(cicd_buf *out, cicd_kube_client *client, const char *object_json, size_t len);

typedef enum {
	CICD_KUBE_PROPAGATION_DEFAULT = 0, /* the kind's default */
	CICD_KUBE_PROPAGATION_BACKGROUND = 1,
	CICD_KUBE_PROPAGATION_FOREGROUND = 2,
	CICD_KUBE_PROPAGATION_ORPHAN = 3
} cicd_kube_propagation;

typedef struct cicd_kube_delete_options {
	unsigned int version;
	cicd_kube_propagation propagation;
	long grace_period_seconds; /* -1: the object's default */
	int dry_run;
} cicd_kube_delete_options;

#define CICD_KUBE_DELETE_OPTIONS_VERSION 1
#define CICD_KUBE_DELETE_OPTIONS_INIT {CICD_KUBE_DELETE_OPTIONS_VERSION, CICD_KUBE_PROPAGATION_DEFAULT, -1, 0}

CICD_EXTERN(int) cicd_kube_delete_options_init(cicd_kube_delete_options *opts, unsigned int version);

/* Deletes an object (the request; finalizers may keep it a while). CICD_ENOTFOUND if absent. */
CICD_EXTERN(int) cicd_kube_delete(cicd_kube_client *client, const char *api_version, const char *kind,
				  const char *namespace_name, const char *name, const cicd_kube_delete_options *opts);

/* ---- server-side apply --------------------------------------------------------------- */

typedef enum {
	CICD_KUBE_APPLY_CREATED = 1,
	CICD_KUBE_APPLY_CONFIGURED = 2,
	CICD_KUBE_APPLY_UNCHANGED = 3
} cicd_kube_apply_action;

/* "created", "configured", "unchanged"; static storage. */
CICD_EXTERN(const char *) cicd_kube_apply_action_name(cicd_kube_apply_action action);

typedef struct cicd_kube_apply_options {
	unsigned int version;
	const char *field_manager;   /* NULL: "cicd" */
	int force;                   /* take fields owned by other managers instead of failing */
	int dry_run;                 /* dryRun=All: validated and admitted, never stored */
	const char *namespace_name;  /* for namespaced objects that name none; NULL: the client's */
	long wait_established_ms;    /* apply_set: wait for CRDs and namespaces; 0: 60000 */
} cicd_kube_apply_options;

#define CICD_KUBE_APPLY_OPTIONS_VERSION 1
#define CICD_KUBE_APPLY_OPTIONS_INIT {CICD_KUBE_APPLY_OPTIONS_VERSION, NULL, 0, 0, NULL, 0}

CICD_EXTERN(int) cicd_kube_apply_options_init(cicd_kube_apply_options *opts, unsigned int version);

/*
 * Server-side applies one object (a mapping node with apiVersion, kind,
 * metadata.name). *action says whether it was created, changed or left as
 * it was; *out (may be NULL) gets the object as the server returned it.
 * A conflict with another field manager fails with CICD_ECONFLICT and a
 * message naming each conflicting manager and field, e.g.
 *   Deployment default/web: conflict: .spec.replicas is managed by "kubectl-edit"
 */
CICD_EXTERN(int) cicd_kube_apply(cicd_kube_apply_action *action, cicd_buf *out, cicd_kube_client *client,
				 const cicd_node *object, const cicd_kube_apply_options *opts);

/* What happened to one object of a set; borrowed for the callback. */
typedef struct cicd_kube_apply_item {
	const char *api_version;
	const char *kind;
	const char *namespace_name; /* "" for cluster-scoped objects */
	const char *name;
	cicd_kube_apply_action action; /* 0 when error != 0 */
	int error;                   /* 0, or the CICD_E* code of this object's failure */
	const char *message;         /* "" or the failure's message */
	const char *file;            /* where the object was read */
	unsigned int line;
} cicd_kube_apply_item;

typedef int (*cicd_kube_apply_cb)(const cicd_kube_apply_item *item, void *payload);

/*
 * Applies every object of the given YAML/JSON documents (each a multi-document
 * stream) in dependency order: Namespaces and CustomResourceDefinitions
 * first, then the kinds that others refer to, workloads last. Before the
 * objects of a custom kind, waits until its CRD is Established and the
 * kind appears in discovery; the set's Namespaces are created before
 * anything that lives in them. Objects of one rank go out in parallel over
 * the shared connection. cb (may be NULL) is called once per object in
 * order. A dry run creates no CRD, so custom resources whose CRD is only in
 * the set fail a dry run with CICD_ENOTFOUND.
 * Returns 0 when every object applied, else the first failure's code (the
 * other objects of its rank still report; later ranks are not sent).
 */
CICD_EXTERN(int) cicd_kube_apply_set(cicd_kube_client *client, const cicd_document *const *documents, size_t count,
				     const cicd_kube_apply_options *opts, cicd_kube_apply_cb cb, void *payload);

/*
 * Applies a manifest set (include/cicd/manifest.h) the same way, in the
 * manifest module's apply order: the set is sorted in place with
 * CICD_MANIFEST_ORDER_APPLY (Namespaces, CRDs, then Helm's install order),
 * then sent rank by rank as cicd_kube_apply_set does; cb sees the objects in
 * that order within each rank. Validate the set first
 * (cicd_manifest_set_validate) to report every problem with its position.
 */
CICD_EXTERN(int) cicd_kube_apply_manifests(cicd_kube_client *client, cicd_manifest_set *set,
					   const cicd_kube_apply_options *opts, cicd_kube_apply_cb cb, void *payload);

/* ---- watch --------------------------------------------------------------------------- */

typedef struct cicd_kube_watch cicd_kube_watch;

typedef enum {
	CICD_KUBE_EVENT_ADDED = 1,
	CICD_KUBE_EVENT_MODIFIED = 2,
	CICD_KUBE_EVENT_DELETED = 3,
	CICD_KUBE_EVENT_BOOKMARK = 4,
	/* The watch's resourceVersion expired (410 Gone): the kind was listed
	 * again and each current object comes as a SYNC event, then watching resumes. */
	CICD_KUBE_EVENT_SYNC = 5
} cicd_kube_event_type;

typedef struct cicd_kube_watch_options {
	unsigned int version;
	const char *resource_version; /* start after this point; NULL: list first, delivering SYNC events */
	const char *label_selector;
	const char *field_selector;
	int bookmarks;                /* ask for BOOKMARK events (allowWatchBookmarks) */
	long server_timeout_seconds;  /* one watch request's length before it is resumed; 0: 300 */
} cicd_kube_watch_options;

#define CICD_KUBE_WATCH_OPTIONS_VERSION 1
#define CICD_KUBE_WATCH_OPTIONS_INIT {CICD_KUBE_WATCH_OPTIONS_VERSION, NULL, NULL, NULL, 1, 0}

CICD_EXTERN(int) cicd_kube_watch_options_init(cicd_kube_watch_options *opts, unsigned int version);

/*
 * Starts watching a kind (namespace NULL: the client's; "" with a
 * namespaced kind: all namespaces). The watch resumes by itself from the
 * last seen resourceVersion when the server ends a request, and re-lists
 * on 410 Gone. The watch borrows the client: free the watch first.
 */
CICD_EXTERN(int) cicd_kube_watch_new(cicd_kube_watch **out, cicd_kube_client *client, const char *api_version,
				     const char *kind, const char *namespace_name, const cicd_kube_watch_options *opts);

/*
 * Waits up to timeout_ms (-1: no limit) for the next event. *object is
 * borrowed until the next call or the free. CICD_ETIMEOUT when nothing
 * came in time (the watch stays usable).
 */
CICD_EXTERN(int) cicd_kube_watch_next(cicd_kube_event_type *type, const cicd_node **object, cicd_kube_watch *watch,
				      long timeout_ms);

/* The last resourceVersion seen (borrowed; "" before the first). */
CICD_EXTERN(const char *) cicd_kube_watch_resource_version(const cicd_kube_watch *watch);

/* How many times the watch re-listed after 410 Gone. */
CICD_EXTERN(unsigned int) cicd_kube_watch_relists(const cicd_kube_watch *watch);

CICD_EXTERN(void) cicd_kube_watch_free(cicd_kube_watch *watch);

/* ---- logs ---------------------------------------------------------------------------- */

typedef struct cicd_kube_log_options {
	unsigned int version;
	const char *container;   /* NULL: the pod's only container */
	int follow;              /* keep streaming until the container ends or cb stops it */
	long since_seconds;      /* 0: from the start */
	long tail_lines;         /* -1: all */
	int timestamps;          /* prefix each line with an RFC 3339 timestamp */
	int previous;            /* the previous instance of a restarted container */
	long limit_bytes;        /* 0: no limit */
} cicd_kube_log_options;

#define CICD_KUBE_LOG_OPTIONS_VERSION 1
#define CICD_KUBE_LOG_OPTIONS_INIT {CICD_KUBE_LOG_OPTIONS_VERSION, NULL, 0, 0, -1, 0, 0, 0}

CICD_EXTERN(int) cicd_kube_log_options_init(cicd_kube_log_options *opts, unsigned int version);

/* Receives log bytes as they arrive (not split into lines); non-zero stops the stream. */
typedef int (*cicd_kube_data_cb)(const char *data, size_t len, void *payload);

/* Streams a container's log through cb. The server's refusal comes back as its message. */
CICD_EXTERN(int) cicd_kube_logs(cicd_kube_client *client, const char *namespace_name, const char *pod,
				const cicd_kube_log_options *opts, cicd_kube_data_cb cb, void *payload);

/* ---- rollout ------------------------------------------------------------------------- */

typedef enum {
	CICD_KUBE_ROLLOUT_PROGRESSING = 0, /* not done yet; the message says what is awaited */
	CICD_KUBE_ROLLOUT_DONE = 1,
	CICD_KUBE_ROLLOUT_FAILED = 2       /* will not finish by itself; the message says why */
} cicd_kube_rollout_state;

/*
 * The pure decision, as `kubectl rollout status` makes it, for one object
 * (a Deployment, StatefulSet, DaemonSet, Job or Pod as returned by the
 * server). revision: 0 for the latest (Deployments and StatefulSets only).
 * The message (appended to *message when not NULL) is kubectl's text, e.g.
 *   Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...
 *   deployment "web" successfully rolled out
 * CICD_EUNSUPPORTED for other kinds, CICD_EINVALID for a node that is no object.
 */
CICD_EXTERN(int) cicd_kube_rollout_decide(cicd_kube_rollout_state *state, cicd_buf *message, const cicd_node *object);

/*
 * Why a pod cannot make progress, if it cannot: ImagePullBackOff or
 * ErrImagePull (with the image), CrashLoopBackOff (with the container and
 * its restarts), Unschedulable (with the scheduler's message), a failed
 * pod. Returns 1 and appends the reason when there is one, 0 when the pod
 * is fine or still starting, negative on error. *container (may be NULL)
 * gets the crashing container's name for CrashLoopBackOff.
 */
CICD_EXTERN(int) cicd_kube_pod_problem(cicd_buf *reason, cicd_buf *container, const cicd_node *pod);

typedef struct cicd_kube_rollout_options {
	unsigned int version;
	long timeout_ms;        /* deadline; 0: 300000 */
	int keep_waiting;       /* 1: a pod problem is reported only when the deadline passes */
	unsigned int log_lines; /* CrashLoopBackOff: last lines of the crashing container in the message; 0: 10 */
	cicd_kube_data_cb progress; /* each new progress message (may be NULL); non-zero stops the wait and is returned */
	void *payload;
} cicd_kube_rollout_options;

#define CICD_KUBE_ROLLOUT_OPTIONS_VERSION 1
#define CICD_KUBE_ROLLOUT_OPTIONS_INIT {CICD_KUBE_ROLLOUT_OPTIONS_VERSION, 0, 0, 0, NULL, NULL}

CICD_EXTERN(int) cicd_kube_rollout_options_init(cicd_kube_rollout_options *opts, unsigned int version);

/*
 * Waits for the object's rollout, driven by watches on it and on its pods.
 * Returns 0 when done; CICD_ERROR when it failed (ProgressDeadlineExceeded,
 * a failed Job, or — unless keep_waiting — a pod in ImagePullBackOff,
 * CrashLoopBackOff with its last log lines, or unschedulable with the
 * scheduler's message); CICD_ETIMEOUT at the deadline, the message saying
 * what was still awaited and any pod problem seen. *message (may be NULL)
 * gets the final status line either way.
 */
CICD_EXTERN(int) cicd_kube_rollout_wait(cicd_buf *message, cicd_kube_client *client, const char *api_version,
					const char *kind, const char *namespace_name, const char *name,
					const cicd_kube_rollout_options *opts);

CICD_END_DECL

#endif
