/*
 * libcicd — the Pod a runner creates for a CI job, following GitLab Runner's
 * Kubernetes executor: a typed job payload (what POST /api/v4/jobs/request
 * returns), a runner configuration with the keys of [runners.kubernetes]
 * (docs/runner-config.md), the rendered Pod with the Secret that carries
 * what must never be in a Pod spec, the stage scripts with their in-band
 * exit marker, and failure reasons read from a Pod's status.
 *
 * Everything here is a pure function of its inputs: the same job and
 * configuration always render the same bytes.
 */
#ifndef INCLUDE_cicd_pod_h__
#define INCLUDE_cicd_pod_h__

#include "buffer.h"
#include "common.h"
#include "diagnostics.h"
#include "document.h"
#include "mask.h"

CICD_BEGIN_DECL

/* ---- the job payload ---- */

typedef struct cicd_job_payload cicd_job_payload;

typedef struct cicd_job_payload_options {
	unsigned int version;
	size_t max_bytes;        /* 0: 16 MiB of JSON */
	unsigned int max_depth;  /* 0: 64 levels of nesting */
	size_t max_variables;    /* 0: 10,000 variables (job and each service) */
	size_t max_steps;        /* 0: 64 steps */
	size_t max_services;     /* 0: 64 services */
	size_t max_script_lines; /* 0: 100,000 lines in one step */
} cicd_job_payload_options;

#define CICD_JOB_PAYLOAD_OPTIONS_VERSION 1
#define CICD_JOB_PAYLOAD_OPTIONS_INIT                                                                                  \
	{                                                                                                              \
		CICD_JOB_PAYLOAD_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0                                                     \
	}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_job_payload_options_init(cicd_job_payload_options *opts, unsigned int version);

/*
 * Parses a job payload (JSON). `name` labels positions in errors (NULL:
 * "<job>"). Unknown fields are kept (cicd_job_payload_raw, cicd_job_payload_unknown_key).
 * CICD_EPARSE for malformed JSON or a field of the wrong type (position
 * set), CICD_ELIMIT past a limit. Free with cicd_job_payload_free().
 */
CICD_EXTERN(int)
cicd_job_payload_parse(cicd_job_payload **out, const char *json, size_t len, const char *name,
                       const cicd_job_payload_options *opts);

/* The same from a file; CICD_EIO when it cannot be read. */
CICD_EXTERN(int)
cicd_job_payload_load_file(cicd_job_payload **out, const char *path, const cicd_job_payload_options *opts);

/* Frees a job; NULL is fine. */
CICD_EXTERN(void) cicd_job_payload_free(cicd_job_payload *job);

/* The job id, project id (job_info.project_id) and timeout in seconds (runner_info.timeout; 7200 when <= 0). */
CICD_EXTERN(long long) cicd_job_payload_id(const cicd_job_payload *job);
CICD_EXTERN(long long) cicd_job_payload_project_id(const cicd_job_payload *job);
CICD_EXTERN(long long) cicd_job_payload_timeout(const cicd_job_payload *job);

/* job_info.name, job_info.stage, image.name; borrowed, "" when absent. */
CICD_EXTERN(const char *) cicd_job_payload_name(const cicd_job_payload *job);
CICD_EXTERN(const char *) cicd_job_payload_stage(const cicd_job_payload *job);
CICD_EXTERN(const char *) cicd_job_payload_image(const cicd_job_payload *job);

#define CICD_JOB_PAYLOAD_VAR_PUBLIC (1u << 0)
#define CICD_JOB_PAYLOAD_VAR_MASKED (1u << 1)
#define CICD_JOB_PAYLOAD_VAR_FILE   (1u << 2)
#define CICD_JOB_PAYLOAD_VAR_RAW    (1u << 3)

/* Number of job variables, in payload order. */
CICD_EXTERN(size_t) cicd_job_payload_variable_count(const cicd_job_payload *job);

/*
 * The i-th variable: key, value (borrowed; *value_len may be NULL) and
 * CICD_JOB_PAYLOAD_VAR_* flags. CICD_ENOTFOUND when i is out of range.
 */
CICD_EXTERN(int)
cicd_job_payload_variable(const cicd_job_payload *job, size_t i, const char **key, const char **value,
                          size_t *value_len, unsigned int *flags);

/* Services: count, and the image name and alias ("" when none) of service i; NULL out of range. */
CICD_EXTERN(size_t) cicd_job_payload_service_count(const cicd_job_payload *job);
CICD_EXTERN(const char *) cicd_job_payload_service_name(const cicd_job_payload *job, size_t i);
CICD_EXTERN(const char *) cicd_job_payload_service_alias(const cicd_job_payload *job, size_t i);

/* Steps: count, and the name ("script", "after_script", ...) of step i; NULL out of range. */
CICD_EXTERN(size_t) cicd_job_payload_step_count(const cicd_job_payload *job);
CICD_EXTERN(const char *) cicd_job_payload_step_name(const cicd_job_payload *job, size_t i);

/* The whole payload as loaded, unknown fields included; borrowed. */
CICD_EXTERN(const cicd_node *) cicd_job_payload_raw(const cicd_job_payload *job);

/* Top-level keys this model does not know (kept in cicd_job_payload_raw); NULL out of range. */
CICD_EXTERN(size_t) cicd_job_payload_unknown_count(const cicd_job_payload *job);
CICD_EXTERN(const char *) cicd_job_payload_unknown_key(const cicd_job_payload *job, size_t i);

/*
 * A trace masker for this job (include/cicd/mask.h): the values of its
 * masked variables, its token, the passwords of its credentials, and the
 * token prefixes the server asked for (features.token_mask_prefixes) on
 * top of opts' own. Free with cicd_mask_free(). opts may be NULL.
 */
CICD_EXTERN(int) cicd_job_payload_mask_new(cicd_mask **out, const cicd_job_payload *job, const cicd_mask_options *opts);

/*
 * The failure_reason to send for `reason` ("" or NULL: script_failure), as
 * GitLab Runner maps it: unchanged when the server accepts it
 * (features.failure_reasons, and always script_failure,
 * runner_system_failure, job_execution_timeout); else its older
 * equivalent (image_pull_failure and runner_external_dependency_failure
 * become runner_system_failure, runner_configuration_error becomes
 * script_failure); else unknown_failure. Static storage.
 */
CICD_EXTERN(const char *) cicd_job_payload_failure_reason(const cicd_job_payload *job, const char *reason);

/* ---- the runner configuration ---- */

typedef struct cicd_runner_config cicd_runner_config;

typedef struct cicd_runner_config_options {
	unsigned int version;
	size_t max_bytes; /* 0: 1 MiB of YAML */
} cicd_runner_config_options;

#define CICD_RUNNER_CONFIG_OPTIONS_VERSION 1
#define CICD_RUNNER_CONFIG_OPTIONS_INIT                                                                                \
	{                                                                                                              \
		CICD_RUNNER_CONFIG_OPTIONS_VERSION, 0                                                                  \
	}

CICD_EXTERN(int) cicd_runner_config_options_init(cicd_runner_config_options *opts, unsigned int version);

/*
 * Loads a runner configuration (YAML; docs/runner-config.md). A key of the
 * wrong type or an invalid value is CICD_EPARSE with its position; unknown
 * keys are warnings (cicd_runner_config_diagnostics) so that a carried-over
 * configuration still loads. Free with cicd_runner_config_free().
 */
CICD_EXTERN(int)
cicd_runner_config_load(cicd_runner_config **out, const char *yaml, size_t len, const char *name,
                        const cicd_runner_config_options *opts);
CICD_EXTERN(int)
cicd_runner_config_load_file(cicd_runner_config **out, const char *path, const cicd_runner_config_options *opts);
CICD_EXTERN(void) cicd_runner_config_free(cicd_runner_config *cfg);

/* Warnings found while loading; borrowed, never NULL. */
CICD_EXTERN(const cicd_diagnostics *) cicd_runner_config_diagnostics(const cicd_runner_config *cfg);

/* ---- rendering the Pod ---- */

#define CICD_POD_FORMAT_YAML 0u /* a YAML stream, one document per object */
#define CICD_POD_FORMAT_JSON 1u /* one JSON object: a v1 List of the objects */

/* A KUBERNETES_* overwrite the runner does not allow at all is ignored instead of an error (GitLab Runner's behaviour).
 */
#define CICD_POD_IGNORE_DISABLED_OVERWRITES (1u << 0)

typedef struct cicd_pod_render_options {
	unsigned int version;
	unsigned int format;     /* CICD_POD_FORMAT_* */
	unsigned int flags;      /* CICD_POD_* */
	unsigned int slot;       /* the runner's concurrency slot, in the Pod name */
	const char *name_suffix; /* NULL: 8 characters derived from the job id and token-free fields */
} cicd_pod_render_options;

#define CICD_POD_RENDER_OPTIONS_VERSION 1
#define CICD_POD_RENDER_OPTIONS_INIT                                                                                   \
	{                                                                                                              \
		CICD_POD_RENDER_OPTIONS_VERSION, CICD_POD_FORMAT_YAML, 0, 0, NULL                                      \
	}

CICD_EXTERN(int) cicd_pod_render_options_init(cicd_pod_render_options *opts, unsigned int version);

/*
 * Renders, in this order, the Secret holding the job's secret and file
 * variables and its token, the registry Secret (kubernetes.io/dockerconfigjson,
 * only when the job has registry credentials) and the Pod, appended to *out.
 * Public variables go to the build container's env with '$' written as
 * '$$'; masked and non-public variables, file variables, the job token and
 * registry passwords appear only in the Secrets. KUBERNETES_* overwrites
 * are applied within the configuration's caps and patterns.
 *
 * CICD_EDENIED when an overwrite goes beyond what the runner allows, or an
 * image, service or pull policy is not allowed (the message names the
 * variable and the setting; never a masked value; position of the variable
 * in the job payload); CICD_EVALIDATE for an invalid name or quantity.
 */
CICD_EXTERN(int)
cicd_pod_render(cicd_buf *out, const cicd_job_payload *job, const cicd_runner_config *cfg,
                const cicd_pod_render_options *opts);

/* ---- stage scripts ---- */

typedef enum { CICD_SHELL_SH = 1, CICD_SHELL_BASH = 2 } cicd_shell;

typedef struct cicd_pod_script_options {
	unsigned int version;
	cicd_shell shell;  /* 0: bash */
	const char *nonce; /* marker nonce, [A-Za-z0-9]{1,64}; NULL: derived from the job id */
} cicd_pod_script_options;

#define CICD_POD_SCRIPT_OPTIONS_VERSION 1
#define CICD_POD_SCRIPT_OPTIONS_INIT                                                                                   \
	{                                                                                                              \
		CICD_POD_SCRIPT_OPTIONS_VERSION, CICD_SHELL_BASH, NULL                                                 \
	}

CICD_EXTERN(int) cicd_pod_script_options_init(cicd_pod_script_options *opts, unsigned int version);

/*
 * The script a runner writes into the Pod for one step of the job
 * ("script", "after_script", ... as in the payload's steps). It loads the
 * secret variables from the Secret's volume, changes to the project
 * directory, echoes and runs each line, and ends -- whatever happens --
 * with the exit marker line
 *
 *     \n::cicd-exit::<nonce>::<step>::<code>\n
 *
 * so that the exit code comes from the log, never from a network stream.
 * CICD_ENOTFOUND when the job has no such step.
 */
CICD_EXTERN(int)
cicd_pod_script_render(cicd_buf *out, const cicd_job_payload *job, const cicd_runner_config *cfg, const char *step,
                       const cicd_pod_script_options *opts);

/*
 * Finds the last exit marker with this nonce and step in a log and gives
 * its exit code. CICD_ENOTFOUND when there is none (the stage is still
 * running or its output was lost).
 */
CICD_EXTERN(int)
cicd_pod_exit_marker_find(int *exit_code, const char *log, size_t len, const char *nonce, const char *step);

/* ---- failure reasons ---- */

/*
 * Reads a Pod as the API returns it (JSON) and says why the job failed, as
 * one of GitLab's failure_reason values ("image_pull_failure",
 * "script_failure", "runner_system_failure", "job_execution_timeout",
 * "runner_configuration_error", "runner_external_dependency_failure",
 * "unknown_failure"), with a message for people appended to *message.
 * *reason is static. CICD_ENOTFOUND when the Pod shows no failure;
 * CICD_EPARSE for malformed JSON.
 */
CICD_EXTERN(int)
cicd_pod_failure_reason(const char **reason, cicd_buf *message, const char *pod_json, size_t len, const char *name);

CICD_END_DECL

#endif
