/*
 * libcicd — image builds inside the cluster with Kaniko, unprivileged: the
 * build Pod (or Job), the docker-config Secret it pushes with, and a
 * ConfigMap with extra CA certificates. Pure rendering, deterministic.
 *
 * Google archived GoogleContainerTools/kaniko in June 2025; the default
 * executor image is the maintained fork's, osscontainertools/kaniko
 * (CICD_KANIKO_DEFAULT_IMAGE). Any image can be set.
 */
#ifndef INCLUDE_cicd_kaniko_h__
#define INCLUDE_cicd_kaniko_h__

#include "buffer.h"
#include "common.h"

CICD_BEGIN_DECL

#define CICD_KANIKO_DEFAULT_IMAGE "ghcr.io/osscontainertools/kaniko:v1.28.5"

#define CICD_KANIKO_AS_JOB       (1u << 0) /* a batch/v1 Job (backoffLimit 0) instead of a bare Pod */
#define CICD_KANIKO_CACHE        (1u << 1) /* --cache=true */
#define CICD_KANIKO_REPRODUCIBLE (1u << 2) /* --reproducible: no timestamps in the image */
#define CICD_KANIKO_NO_PUSH      (1u << 3) /* --no-push: build only (destinations may be empty) */

typedef struct cicd_kaniko_build {
	unsigned int version;
	unsigned int flags;              /* CICD_KANIKO_* */
	unsigned int format;             /* CICD_POD_FORMAT_YAML (0) or CICD_POD_FORMAT_JSON (1) */
	const char *name;                /* object names; a DNS-1123 label of at most 40; NULL: "kaniko-build" */
	const char *ns;                  /* NULL: "default" */
	const char *image;               /* NULL: CICD_KANIKO_DEFAULT_IMAGE */
	const char *context;             /* required: dir://, tar://, git://, s3://, gs://, https:// or a path */
	const char *dockerfile;          /* NULL: Kaniko's default, Dockerfile in the context */
	const char *const *destinations; /* image references to push; at least one unless NO_PUSH */
	size_t destination_count;
	const char *const *build_args; /* "KEY=VALUE"; visible in the Pod spec, so never for secrets */
	size_t build_arg_count;
	const char *target;        /* build stage; NULL: the last one */
	const char *cache_repo;    /* with CICD_KANIKO_CACHE; NULL: Kaniko's <destination>/cache */
	const char *snapshot_mode; /* "full", "redo" or "time"; NULL: Kaniko's default (full) */
	const char *ca_bundle;     /* PEM certificates added to Kaniko's trust store; NULL: none */
	size_t ca_bundle_len;      /* 0: ca_bundle is NUL-terminated */
	/* registry credentials, three parallel arrays: host (Docker Hub: https://index.docker.io/v1/), user, password
	 */
	const char *const *registries;
	const char *const *usernames;
	const char *const *passwords;
	size_t credential_count;
	const char *context_claim; /* a PersistentVolumeClaim mounted at /workspace (for dir:// contexts); NULL: none */
	const char *service_account;
	const char *cpu_request, *cpu_limit, *memory_request, *memory_limit; /* NULL: unset */
	long long active_deadline_seconds;                                   /* 0: none */
} cicd_kaniko_build;

#define CICD_KANIKO_BUILD_VERSION 1
#define CICD_KANIKO_BUILD_INIT                                                                                         \
	{                                                                                                              \
		CICD_KANIKO_BUILD_VERSION, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL,     \
		    NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0                                \
	}

/* Fills a build spec with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_kaniko_build_init(cicd_kaniko_build *build, unsigned int version);

/*
 * Renders the docker-config Secret (kubernetes.io/dockerconfigjson, its
 * `auth` the base64 of user:password; mounted as /kaniko/.docker/config.json),
 * the CA ConfigMap when ca_bundle is set, and the build Pod or Job, appended
 * to *out as a YAML stream or a JSON v1 List. CICD_EVALIDATE with a message
 * naming the field for a missing context or destination, an invalid name,
 * build argument, snapshot mode or quantity; passwords never appear in
 * messages.
 */
CICD_EXTERN(int) cicd_kaniko_render(cicd_buf *out, const cicd_kaniko_build *build);

CICD_END_DECL

#endif
