/*
 * Kaniko builds (include/cicd/kaniko.h): the executor runs as an ordinary
 * container -- no privileges, no Docker daemon -- with its registry
 * credentials mounted at /kaniko/.docker/config.json and extra CAs at
 * /kaniko/ssl/certs/additional-ca-cert-bundle.crt, the paths the executor
 * reads (kaniko's README, cmd/executor/cmd/root.go).
 */
#include <stdio.h>
#include <string.h>

#include "cicd/kaniko.h"
#include "core/error.h"
#include "pod_internal.h"

CICD_EXTERN(int) cicd_kaniko_build_init(cicd_kaniko_build *build, unsigned int version)
{
	cicd_kaniko_build def = CICD_KANIKO_BUILD_INIT;
	if (!build || version != CICD_KANIKO_BUILD_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_kaniko_build_init: unknown version %u", version);
	*build = def;
	return 0;
}

static int invalid(const char *what)
{
	return cicd__error_set(CICD_EVALIDATE, "kaniko build: %s", what);
}

static int check(const cicd_kaniko_build *b, const char *name)
{
	size_t i;
	char msg[320];
	if (!cicd__dns_label(name) || strlen(name) > 40)
		return invalid("name must be a DNS-1123 label of at most 40 characters");
	if (b->ns && !cicd__dns_label(b->ns))
		return invalid("namespace must be a DNS-1123 label");
	if (!b->context || !b->context[0])
		return invalid("a context is required");
	if (!b->destination_count && !(b->flags & CICD_KANIKO_NO_PUSH))
		return invalid("at least one destination is required (or no-push)");
	if ((b->destination_count && !b->destinations) || (b->build_arg_count && !b->build_args) ||
	    (b->credential_count && (!b->registries || !b->usernames || !b->passwords)) ||
	    (b->ca_bundle_len && !b->ca_bundle))
		return cicd__error_set(CICD_EINVALID, "cicd_kaniko_render: a count is set but its array is NULL");
	for (i = 0; i < b->destination_count; i++)
		if (!b->destinations[i] || !b->destinations[i][0] || strchr(b->destinations[i], ' '))
			return invalid("a destination is empty or has a space");
	for (i = 0; i < b->build_arg_count; i++)
		if (!b->build_args[i] || !strchr(b->build_args[i], '=') || b->build_args[i][0] == '=') {
			snprintf(msg, sizeof msg, "build argument %zu is not KEY=VALUE", i + 1);
			return invalid(msg);
		}
	if (b->snapshot_mode && strcmp(b->snapshot_mode, "full") && strcmp(b->snapshot_mode, "redo") &&
	    strcmp(b->snapshot_mode, "time")) {
		snprintf(msg, sizeof msg, "snapshot mode \"%.32s\" is not full, redo or time", b->snapshot_mode);
		return invalid(msg);
	}
	if (b->cache_repo && !(b->flags & CICD_KANIKO_CACHE))
		return invalid("a cache repository needs the cache turned on");
	for (i = 0; i < b->credential_count; i++)
		if (!b->registries[i] || !b->registries[i][0] || !b->usernames[i] || !b->passwords[i]) {
			snprintf(msg, sizeof msg, "credential %zu needs a registry, a user name and a password", i + 1);
			return invalid(msg);
		}
	{
		const char *q[4] = {b->cpu_request, b->cpu_limit, b->memory_request, b->memory_limit};
		static const char *const N[4] = {"cpu request", "cpu limit", "memory request", "memory limit"};
		double v;
		for (i = 0; i < 4; i++)
			if (q[i] && cicd__quantity_parse(q[i], &v)) {
				snprintf(msg, sizeof msg, "%s \"%.32s\" is not a Kubernetes quantity", N[i], q[i]);
				return invalid(msg);
			}
	}
	if (b->context_claim && !b->context_claim[0])
		return invalid("context_claim is empty");
	if (b->active_deadline_seconds < 0)
		return invalid("active_deadline_seconds is negative");
	return 0;
}

static int write_labels(cicd_json_writer *w, const char *name)
{
	int rc;
	if ((rc = cicd__json_key(w, "labels")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "app.kubernetes.io/component", "image-build")) ||
	    (rc = cicd__json_kv_string(w, "app.kubernetes.io/managed-by", "libcicd")) ||
	    (rc = cicd__json_kv_string(w, "app.kubernetes.io/name", "kaniko")) ||
	    (rc = cicd__json_kv_string(w, "build.cicd.io/name", name)))
		return rc;
	return cicd__json_end_object(w);
}

static int write_meta(cicd_json_writer *w, const char *name, const char *ns, const char *build_name)
{
	int rc;
	if ((rc = cicd__json_key(w, "metadata")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "name", name)) || (rc = cicd__json_kv_string(w, "namespace", ns)) ||
	    (rc = write_labels(w, build_name)))
		return rc;
	return cicd__json_end_object(w);
}

/* {"auths": {REGISTRY: {"username", "password", "auth": base64(user:password)}}}, later entries win. */
static int docker_config(const cicd_kaniko_build *b, cicd_buf *out)
{
	cicd_json_writer *w = cicd__json_new(out, 0);
	size_t i, k;
	int rc;
	if (!w)
		return cicd__error_oom();
	rc = cicd__json_begin_object(w);
	if (!rc && !(rc = cicd__json_key(w, "auths")))
		rc = cicd__json_begin_object(w);
	for (i = 0; !rc && i < b->credential_count; i++) {
		cicd_buf up = CICD_BUF_INIT, b64 = CICD_BUF_INIT;
		int later = 0;
		for (k = i + 1; k < b->credential_count; k++)
			later |= !strcmp(b->registries[k], b->registries[i]);
		if (later)
			continue;
		rc = cicd__buf_printf(&up, "%s:%s", b->usernames[i], b->passwords[i]);
		if (!rc)
			rc = cicd__base64(&b64, up.ptr, up.size);
		if (!rc && !(rc = cicd__json_key(w, b->registries[i])) && !(rc = cicd__json_begin_object(w)) &&
		    !(rc = cicd__json_kv_string(w, "username", b->usernames[i])) &&
		    !(rc = cicd__json_kv_string(w, "password", b->passwords[i])) &&
		    !(rc = cicd__json_kv_string(w, "auth", b64.ptr)))
			rc = cicd__json_end_object(w);
		if (up.ptr)
			memset(up.ptr, 0, up.size);
		cicd_buf_dispose(&up);
		cicd_buf_dispose(&b64);
	}
	if (!rc && !(rc = cicd__json_end_object(w)))
		rc = cicd__json_end_object(w);
	if (rc) {
		cicd__json_abandon(w);
		return rc;
	}
	return cicd__json_finish(w);
}

static int write_secret(cicd_json_writer *w, const cicd_kaniko_build *b, const char *name, const char *ns)
{
	char sname[64];
	cicd_buf cfg = CICD_BUF_INIT, enc = CICD_BUF_INIT;
	int rc;
	snprintf(sname, sizeof sname, "%s-docker-config", name);
	if ((rc = docker_config(b, &cfg)) || (rc = cicd__base64(&enc, cfg.ptr, cfg.size)))
		goto out;
	if (!(rc = cicd__json_begin_object(w)) && !(rc = cicd__json_kv_string(w, "apiVersion", "v1")) &&
	    !(rc = cicd__json_kv_string(w, "kind", "Secret")) && !(rc = write_meta(w, sname, ns, name)) &&
	    !(rc = cicd__json_kv_string(w, "type", "kubernetes.io/dockerconfigjson")) &&
	    !(rc = cicd__json_key(w, "data")) && !(rc = cicd__json_begin_object(w)) &&
	    !(rc = cicd__json_kv_string(w, ".dockerconfigjson", enc.ptr)) && !(rc = cicd__json_end_object(w)))
		rc = cicd__json_end_object(w);
out:
	if (cfg.ptr)
		memset(cfg.ptr, 0, cfg.size);
	if (enc.ptr)
		memset(enc.ptr, 0, enc.size);
	cicd_buf_dispose(&cfg);
	cicd_buf_dispose(&enc);
	return rc;
}

static int write_ca(cicd_json_writer *w, const cicd_kaniko_build *b, const char *name, const char *ns)
{
	char cname[64];
	int rc;
	snprintf(cname, sizeof cname, "%s-ca", name);
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "apiVersion", "v1")) ||
	    (rc = cicd__json_kv_string(w, "kind", "ConfigMap")) || (rc = write_meta(w, cname, ns, name)) ||
	    (rc = cicd__json_key(w, "data")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_key(w, "additional-ca-cert-bundle.crt")) ||
	    (rc = cicd__json_string_n(w, b->ca_bundle, b->ca_bundle_len ? b->ca_bundle_len : strlen(b->ca_bundle))) ||
	    (rc = cicd__json_end_object(w)))
		return rc;
	return cicd__json_end_object(w);
}

static int arg(cicd_json_writer *w, const char *flag, const char *value)
{
	cicd_buf s = CICD_BUF_INIT;
	int rc = cicd__buf_printf(&s, "--%s=%s", flag, value);
	if (!rc)
		rc = cicd__json_string_n(w, s.ptr, s.size);
	cicd_buf_dispose(&s);
	return rc;
}

static int write_args(cicd_json_writer *w, const cicd_kaniko_build *b)
{
	size_t i;
	int rc;
	if ((rc = cicd__json_key(w, "args")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = arg(w, "context", b->context)))
		return rc;
	if (b->dockerfile && (rc = arg(w, "dockerfile", b->dockerfile)))
		return rc;
	for (i = 0; i < b->destination_count; i++)
		if ((rc = arg(w, "destination", b->destinations[i])))
			return rc;
	for (i = 0; i < b->build_arg_count; i++)
		if ((rc = arg(w, "build-arg", b->build_args[i])))
			return rc;
	if ((b->target && (rc = arg(w, "target", b->target))) ||
	    ((b->flags & CICD_KANIKO_CACHE) && (rc = cicd__json_string(w, "--cache=true"))) ||
	    (b->cache_repo && (rc = arg(w, "cache-repo", b->cache_repo))) ||
	    ((b->flags & CICD_KANIKO_REPRODUCIBLE) && (rc = cicd__json_string(w, "--reproducible"))) ||
	    (b->snapshot_mode && (rc = arg(w, "snapshot-mode", b->snapshot_mode))) ||
	    ((b->flags & CICD_KANIKO_NO_PUSH) && (rc = cicd__json_string(w, "--no-push"))))
		return rc;
	return cicd__json_end_array(w);
}

static int write_quantities(cicd_json_writer *w, const char *key, const char *cpu, const char *mem)
{
	int rc;
	if (!cpu && !mem)
		return 0;
	if ((rc = cicd__json_key(w, key)) || (rc = cicd__json_begin_object(w)) ||
	    (cpu && (rc = cicd__json_kv_string(w, "cpu", cpu))) ||
	    (mem && (rc = cicd__json_kv_string(w, "memory", mem))))
		return rc;
	return cicd__json_end_object(w);
}

static int mount(cicd_json_writer *w, const char *name, const char *path, const char *sub, int ro)
{
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", name)) ||
	    (rc = cicd__json_kv_string(w, "mountPath", path)) ||
	    (sub && (rc = cicd__json_kv_string(w, "subPath", sub))) ||
	    (ro && (rc = cicd__json_kv_bool(w, "readOnly", 1))))
		return rc;
	return cicd__json_end_object(w);
}

static int write_pod_spec(cicd_json_writer *w, const cicd_kaniko_build *b, const char *name)
{
	char sname[64], cname[64];
	const char *image = b->image && b->image[0] ? b->image : CICD_KANIKO_DEFAULT_IMAGE;
	int rc;
	snprintf(sname, sizeof sname, "%s-docker-config", name);
	snprintf(cname, sizeof cname, "%s-ca", name);
	if ((rc = cicd__json_key(w, "spec")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "restartPolicy", "Never")) ||
	    (!(b->flags & CICD_KANIKO_AS_JOB) && b->active_deadline_seconds &&
	     (rc = cicd__json_kv_int(w, "activeDeadlineSeconds", b->active_deadline_seconds))) ||
	    (b->service_account && (rc = cicd__json_kv_string(w, "serviceAccountName", b->service_account))) ||
	    /* the build needs no API access */
	    (rc = cicd__json_kv_bool(w, "automountServiceAccountToken", 0)) || (rc = cicd__json_key(w, "containers")) ||
	    (rc = cicd__json_begin_array(w)) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "name", "kaniko")) || (rc = cicd__json_kv_string(w, "image", image)) ||
	    (rc = write_args(w, b)))
		return rc;
	if (b->cpu_request || b->cpu_limit || b->memory_request || b->memory_limit) {
		if ((rc = cicd__json_key(w, "resources")) || (rc = cicd__json_begin_object(w)) ||
		    (rc = write_quantities(w, "limits", b->cpu_limit, b->memory_limit)) ||
		    (rc = write_quantities(w, "requests", b->cpu_request, b->memory_request)) ||
		    (rc = cicd__json_end_object(w)))
			return rc;
	}
	if ((rc = cicd__json_key(w, "volumeMounts")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = mount(w, "docker-config", "/kaniko/.docker", NULL, 1)) ||
	    (b->ca_bundle && (rc = mount(w, "ca-bundle", "/kaniko/ssl/certs/additional-ca-cert-bundle.crt",
	                                 "additional-ca-cert-bundle.crt", 1))) ||
	    (b->context_claim && (rc = mount(w, "workspace", "/workspace", NULL, 0))) ||
	    (rc = cicd__json_end_array(w)) || (rc = cicd__json_end_object(w)) || (rc = cicd__json_end_array(w)))
		return rc;
	if ((rc = cicd__json_key(w, "volumes")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "docker-config")) ||
	    (rc = cicd__json_key(w, "secret")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "secretName", sname)) || (rc = cicd__json_key(w, "items")) ||
	    (rc = cicd__json_begin_array(w)) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "key", ".dockerconfigjson")) ||
	    (rc = cicd__json_kv_string(w, "path", "config.json")) || (rc = cicd__json_end_object(w)) ||
	    (rc = cicd__json_end_array(w)) || (rc = cicd__json_end_object(w)) || (rc = cicd__json_end_object(w)))
		return rc;
	if (b->ca_bundle && ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "ca-bundle")) ||
	                     (rc = cicd__json_key(w, "configMap")) || (rc = cicd__json_begin_object(w)) ||
	                     (rc = cicd__json_kv_string(w, "name", cname)) || (rc = cicd__json_end_object(w)) ||
	                     (rc = cicd__json_end_object(w))))
		return rc;
	if (b->context_claim &&
	    ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "workspace")) ||
	     (rc = cicd__json_key(w, "persistentVolumeClaim")) || (rc = cicd__json_begin_object(w)) ||
	     (rc = cicd__json_kv_string(w, "claimName", b->context_claim)) || (rc = cicd__json_end_object(w)) ||
	     (rc = cicd__json_end_object(w))))
		return rc;
	if ((rc = cicd__json_end_array(w)))
		return rc;
	return cicd__json_end_object(w);
}

static int write_workload(cicd_json_writer *w, const cicd_kaniko_build *b, const char *name, const char *ns)
{
	int job = (b->flags & CICD_KANIKO_AS_JOB) != 0, rc;
	if ((rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "apiVersion", job ? "batch/v1" : "v1")) ||
	    (rc = cicd__json_kv_string(w, "kind", job ? "Job" : "Pod")) || (rc = write_meta(w, name, ns, name)))
		return rc;
	if (job) {
		/* a failed build is not retried: the same Dockerfile fails the same way, and pushes are not idempotent
		 */
		if ((rc = cicd__json_key(w, "spec")) || (rc = cicd__json_begin_object(w)) ||
		    (rc = cicd__json_kv_int(w, "backoffLimit", 0)) ||
		    (b->active_deadline_seconds &&
		     (rc = cicd__json_kv_int(w, "activeDeadlineSeconds", b->active_deadline_seconds))) ||
		    (rc = cicd__json_key(w, "template")) || (rc = cicd__json_begin_object(w)) ||
		    (rc = cicd__json_key(w, "metadata")) || (rc = cicd__json_begin_object(w)) ||
		    (rc = write_labels(w, name)) || (rc = cicd__json_end_object(w)) ||
		    (rc = write_pod_spec(w, b, name)) || (rc = cicd__json_end_object(w)) ||
		    (rc = cicd__json_end_object(w)))
			return rc;
	} else if ((rc = write_pod_spec(w, b, name))) {
		return rc;
	}
	return cicd__json_end_object(w);
}

CICD_EXTERN(int) cicd_kaniko_render(cicd_buf *out, const cicd_kaniko_build *b)
{
	const char *name, *ns;
	cicd_buf json = CICD_BUF_INIT;
	cicd_json_writer *w;
	int rc;
	if (!out || !b)
		return cicd__error_set(CICD_EINVALID, "cicd_kaniko_render: out and build are required");
	if (b->version != CICD_KANIKO_BUILD_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_kaniko_render: unknown build version %u", b->version);
	if (b->format > CICD_POD_FORMAT_JSON)
		return cicd__error_set(CICD_EINVALID, "cicd_kaniko_render: unknown format %u", b->format);
	name = b->name ? b->name : "kaniko-build";
	ns = b->ns ? b->ns : "default";
	if ((rc = check(b, name)))
		return rc;
	if (!(w = cicd__json_new(&json, b->format == CICD_POD_FORMAT_JSON)))
		return cicd__error_oom();
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "apiVersion", "v1")) ||
	    (rc = cicd__json_kv_string(w, "kind", "List")) || (rc = cicd__json_key(w, "items")) ||
	    (rc = cicd__json_begin_array(w)) || (rc = write_secret(w, b, name, ns)) ||
	    (b->ca_bundle && (rc = write_ca(w, b, name, ns))) || (rc = write_workload(w, b, name, ns)) ||
	    (rc = cicd__json_end_array(w)) || (rc = cicd__json_end_object(w)))
		cicd__json_abandon(w);
	else
		rc = cicd__json_finish(w);
	if (!rc)
		rc = cicd__pod_output(out, &json, b->format);
	if (json.ptr)
		memset(json.ptr, 0, json.size);
	cicd_buf_dispose(&json);
	return rc;
}
