/* Internal: state shared by the files that render a job Pod. */
#ifndef CICD_POD_RENDER_H
#define CICD_POD_RENDER_H

#include "pod_internal.h"

enum { MOUNT_REPO = 1, MOUNT_SCRIPTS = 2, MOUNT_LOGS = 4, MOUNT_SECRETS = 8 };

typedef struct render_ctx {
	const cicd_job_payload *job;
	const cicd_runner_config *cfg;
	cicd_pod_render_options opts;
	pod_effective eff;
	cicd_json_writer *w;
	char name[80];      /* at most 63 characters by construction */
	char base_name[64]; /* the name without its suffix: the job.runner.gitlab.com/pod label */
	char secret_name[96];
	char registry_name[96];
	char scripts[512], logs[512], secrets[512];
	int repo_volume; /* 0 when a user volume is mounted at builds_dir */
	pod_var *vars;   /* the job's variables, expanded */
	size_t nvars;
	const char *image;      /* the build image, expanded */
	const char **svc_image; /* service images and aliases, expanded */
	const char **svc_alias;
	pod_kvs *svc_env; /* each service's own public variables, expanded, by key */
	int has_registry;
} render_ctx;

/* 1 when a variable goes to the Pod env: the last of its key, public, not masked, not a file, not tainted. */
int cicd__render_in_env(const pod_var *v);

int cicd__render_security_context(render_ctx *c, const cicd_node *sc, const job_image *img, int with_global);
int cicd__render_build_container(render_ctx *c, const char *image, const char *policy);
int cicd__render_helper_container(render_ctx *c, const char *policy);
int cicd__render_init_container(render_ctx *c, const char *policy);
int cicd__render_service_container(render_ctx *c, size_t i, const char *name, const char *policy,
                                   const pod_resources *res);

#endif
