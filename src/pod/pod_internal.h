/* Internal: the typed job payload, the runner configuration and helpers shared by the pod module. */
#ifndef CICD_POD_INTERNAL_H
#define CICD_POD_INTERNAL_H

#include <stdint.h>

#include "cicd/pod.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/document.h"
#include "core/json_writer.h"

typedef struct pod_strs {
	const char **items;
	size_t count;
} pod_strs;

typedef struct job_var {
	const char *key;
	const char *value;
	size_t value_len;
	unsigned int flags;    /* CICD_JOB_PAYLOAD_VAR_* */
	const cicd_node *node; /* the variable's mapping, for positions */
} job_var;

typedef struct job_port {
	long long number;
	const char *protocol; /* NULL when absent */
	const char *name;
} job_port;

typedef struct job_image {
	const char *name; /* NULL when the job has no image */
	const char *alias;
	pod_strs command;
	pod_strs entrypoint;
	job_port *ports;
	size_t port_count;
	pod_strs pull_policy;
	job_var *variables;
	size_t variable_count;
	const char *k8s_user; /* executor_opts.kubernetes.user */
	const cicd_node *node;
} job_image;

typedef struct job_step {
	const char *name;
	pod_strs script;
	long long timeout;
	const char *when;
	int allow_failure;
} job_step;

typedef struct job_credential {
	const char *type;
	const char *url;
	const char *username;
	const char *password;
} job_credential;

struct cicd_job_payload {
	cicd_document *doc;
	const cicd_node *root;
	cicd_arena arena;
	long long id;
	const char *token;
	int allow_git_fetch;
	/* job_info */
	const char *name;
	const char *stage;
	const char *project_name;
	const char *project_full_path;
	long long project_id;
	long long pipeline_id;
	long long namespace_id;
	long long root_namespace_id;
	/* git_info */
	const char *repo_url;
	const char *ref;
	const char *sha;
	const char *before_sha;
	const char *ref_type;
	long long depth;
	/* runner_info */
	long long timeout;
	job_var *variables;
	size_t variable_count;
	job_step *steps;
	size_t step_count;
	job_image image;
	job_image *services;
	size_t service_count;
	job_credential *credentials;
	size_t credential_count;
	size_t dependency_count;
	pod_strs token_mask_prefixes;
	pod_strs failure_reasons;
	pod_strs unknown; /* top-level keys this model does not know */
};

/* CICD_EVALIDATE (with the position) unless the key is [A-Za-z_][A-Za-z0-9_]*. */
int cicd__payload_check_key(const job_var *v);

/* The last job variable with this key, or NULL. */
const job_var *cicd__payload_var(const cicd_job_payload *job, const char *key);

/* Resources of one container kind: values and per-job overwrite caps (NULL when unset). */
typedef struct pod_resources {
	const char *cpu_request, *cpu_limit, *memory_request, *memory_limit;
	const char *ephemeral_storage_request, *ephemeral_storage_limit;
	const char *cpu_request_max, *cpu_limit_max, *memory_request_max, *memory_limit_max;
	const char *ephemeral_storage_request_max, *ephemeral_storage_limit_max;
} pod_resources;

typedef struct pod_volume {
	int kind; /* POD_VOL_* */
	const char *name;
	const char *mount_path;
	const char *sub_path;
	int read_only;
	const char *source;     /* host_path path, pvc claim, config map or secret name */
	const char *medium;     /* empty_dir */
	const char *size_limit; /* empty_dir */
	const cicd_node *items; /* config_map / secret: key -> path */
	const cicd_node *node;
} pod_volume;

enum { POD_VOL_HOST_PATH = 1, POD_VOL_PVC, POD_VOL_CONFIG_MAP, POD_VOL_SECRET, POD_VOL_EMPTY_DIR };

struct cicd_runner_config {
	cicd_document *doc;
	cicd_arena arena;
	cicd_diagnostics warnings;
	/* runner level */
	const char *name;
	const char *token_prefix; /* short token: first 8 characters of the runner token, for names */
	const char *builds_dir;
	const char *shell;
	/* [runners.kubernetes] */
	const char *ns;
	const char *ns_overwrite_allowed;
	const char *image;
	const char *helper_image;
	pod_strs pull_policy;
	pod_strs allowed_pull_policies;
	pod_strs allowed_images;
	pod_strs allowed_services;
	pod_strs image_pull_secrets;
	int use_sa_image_pull_secrets;
	pod_resources build, helper, service;
	const char *service_account;
	const char *service_account_overwrite_allowed;
	int bearer_token_overwrite_allowed;
	int automount_sa_token; /* -1 unset */
	const cicd_node *node_selector;
	const char *node_selector_overwrite_allowed;
	const cicd_node *node_tolerations;
	const char *node_tolerations_overwrite_allowed;
	const cicd_node *affinity;
	const cicd_node *pod_security_context;
	const cicd_node *build_sc, *helper_sc, *service_sc, *init_sc;
	int privileged;                 /* -1 unset */
	int allow_privilege_escalation; /* -1 unset */
	pod_strs cap_add, cap_drop;
	int cap_drop_set;
	const cicd_node *pod_labels;
	const char *pod_labels_overwrite_allowed;
	const cicd_node *pod_annotations;
	const char *pod_annotations_overwrite_allowed;
	pod_volume *volumes;
	size_t volume_count;
	long long poll_timeout, poll_interval;
	long long termination_grace; /* -1 unset */
	long long cleanup_grace;     /* -1 unset */
	const char *scripts_base_dir, *logs_base_dir;
	const char *scheduler_name, *priority_class_name, *runtime_class_name, *dns_policy;
	const cicd_node *dns_config;
	const cicd_node *host_aliases;
};

/* --- variables after expansion (expand.c) --- */

typedef struct pod_var {
	const job_var *var;
	char *value; /* expanded once unless raw */
	size_t len;
	char *path;  /* the file a file variable stands for */
	int secret;  /* masked, not public, or took such a value through a reference */
	int tainted; /* took a secret value through a reference */
	int last;    /* the last variable of its key (the one that counts) */
} pod_var;

/* The job's variables expanded as GitLab Runner does; arena-allocated, in payload order. */
int cicd__pod_vars(pod_var **out, cicd_arena *arena, const cicd_job_payload *job, const char *secrets_dir);

/* Expands $NAME / ${NAME} in s with expanded variables; *secret_ref gets the first secret one used. */
int cicd__pod_expand(cicd_buf *out, const pod_var *vars, size_t n, const char *s, const pod_var **secret_ref);

/* --- settings after the job's KUBERNETES_* overwrites (overwrites.c) --- */

typedef struct pod_kv {
	const char *key;
	const char *value;
} pod_kv;

typedef struct pod_kvs {
	pod_kv *items;
	size_t count;
	size_t cap;
} pod_kvs;

typedef struct pod_effective {
	cicd_arena arena;
	const char *ns;
	const char *service_account;
	pod_resources build, helper, service;
	pod_kvs labels, annotations, node_selector, tolerations; /* sorted by key */
} pod_effective;

/* 0, or CICD_EDENIED / CICD_EVALIDATE with the variable's position. */
int cicd__pod_effective(pod_effective *e, const cicd_job_payload *job, const cicd_runner_config *cfg,
                        unsigned int flags);
void cicd__pod_effective_dispose(pod_effective *e);
/* One service's resources: the job-wide service overwrites, then the service's own variables. */
int cicd__pod_service_resources(pod_resources *out, pod_effective *e, const cicd_job_payload *job,
                                const cicd_runner_config *cfg, const job_image *svc, unsigned int flags);
/* Sets key to value (copied), replacing an existing entry; keeps the list sorted. */
int cicd__kvs_set(cicd_arena *arena, pod_kvs *kvs, const char *key, size_t key_len, const char *value,
                  size_t value_len);

/* --- helpers (util.c) --- */

/* Parses a Kubernetes quantity ("500m", "1.5Gi", "2e3") into *out; 0 or -1. */
int cicd__quantity_parse(const char *s, double *out);

/* Glob of GitLab Runner's allowed_images: '*' stops at '/', '**' does not, '?' is one character. */
int cicd__glob_match(const char *pattern, const char *text);

/* Label value: only [A-Za-z0-9-_.], at most 63 characters, alphanumeric at both ends. */
void cicd__label_value(char *out, size_t cap, const char *in);

/* DNS-1123 label check (lower case alphanumerics and '-', at most 63). */
int cicd__dns_label(const char *s);

/* Writes a YAML/JSON node as JSON with snake_case keys turned into camelCase (runner config style). */
int cicd__write_camel(cicd_json_writer *w, const cicd_node *node);

/* Writes a key, snake_case turned into camelCase. */
int cicd__json_camel_key(cicd_json_writer *w, const char *key);

/* Writes all of `n` bytes as a JSON string (values may contain NUL). */
int cicd__json_bytes(cicd_json_writer *w, const char *s, size_t n);

/* Base64 (standard alphabet, padded) of len bytes into *out; 0 or CICD_ENOMEM. */
int cicd__base64(cicd_buf *out, const void *data, size_t len);

/* Turns a JSON List text into YAML documents ("---" before each item) or keeps it as JSON. */
int cicd__pod_output(cicd_buf *out, cicd_buf *json, unsigned int format);

/* The runner's directories for a job. */
void cicd__pod_paths(const cicd_job_payload *job, const cicd_runner_config *cfg, char *scripts, char *logs,
                     char *secrets, size_t cap);
/* The project directory: builds_dir/<full path> (or builds_dir/project-<id>). */
void cicd__pod_project_dir(const cicd_job_payload *job, const cicd_runner_config *cfg, char *out, size_t cap);

#endif
