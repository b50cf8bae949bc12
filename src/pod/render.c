/*
 * cicd_pod_render: the job's Secret, its registry Secret and the Pod, as a
 * v1 List (JSON) or a YAML stream. Names, labels and annotations follow
 * GitLab Runner's Kubernetes executor so that its tooling (and people)
 * recognise the objects; secrets never enter the Pod spec.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "render.h"

CICD_EXTERN(int) cicd_pod_render_options_init(cicd_pod_render_options *opts, unsigned int version)
{
	cicd_pod_render_options def = CICD_POD_RENDER_OPTIONS_INIT;
	if (!opts || version != CICD_POD_RENDER_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_render_options_init: unknown options version %u",
		                       version);
	*opts = def;
	return 0;
}

static void lower_token(char *out, size_t cap, const char *in)
{
	size_t n = 0;
	for (; in && *in && n + 1 < cap; in++)
		if (isalnum((unsigned char)*in))
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

static int make_names(render_ctx *c)
{
	char token[17], suffix[9];
	size_t n;
	lower_token(token, sizeof token, c->cfg->token_prefix);
	if (!token[0])
		strcpy(token, "local");
	if (c->opts.name_suffix) {
		const char *s = c->opts.name_suffix;
		for (n = 0; s[n]; n++)
			if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))
				break;
		if (s[n] || !n || n > 8)
			return cicd__error_set(CICD_EINVALID, "name_suffix must be 1 to 8 characters of [a-z0-9]");
		strcpy(suffix, s);
	} else {
		/* deterministic: the same job renders the same name */
		char key[64];
		uint64_t h;
		snprintf(key, sizeof key, "%lld/%lld/%u", c->job->project_id, c->job->id, c->opts.slot);
		h = cicd__hash_bytes(key, strlen(key));
		for (n = 0; n < 8; n++) {
			suffix[n] = "0123456789abcdefghijklmnopqrstuvwxyz"[h % 36];
			h /= 36;
		}
		suffix[8] = '\0';
	}
	snprintf(c->base_name, sizeof c->base_name, "runner-%s-project-%lld-concurrent-%u", token, c->job->project_id,
	         c->opts.slot);
	n = strlen(c->base_name);
	if (n > 63 - 1 - strlen(suffix))
		n = 63 - 1 - strlen(suffix);
	while (n && c->base_name[n - 1] == '-')
		n--;
	c->base_name[n] = '\0';
	snprintf(c->name, sizeof c->name, "%s-%s", c->base_name, suffix);
	snprintf(c->secret_name, sizeof c->secret_name, "%s-secrets", c->name);
	snprintf(c->registry_name, sizeof c->registry_name, "%s-registry", c->name);
	return 0;
}

static int denied_at(const cicd_node *n, const char *msg)
{
	return cicd__error_set_at(CICD_EDENIED, n ? n->meta->file : "", n ? n->line : 0, n ? n->column : 0, "%s", msg);
}

/* The pull policy of an image: the job's if it names one, else the runner's; each must be allowed. */
static int pull_policy(render_ctx *c, const job_image *img, const char **out)
{
	const pod_strs *req = img && img->pull_policy.count ? &img->pull_policy : &c->cfg->pull_policy;
	const pod_strs *allowed = &c->cfg->allowed_pull_policies;
	size_t i, k;
	*out = req->count ? req->items[0] : NULL;
	for (i = 0; i < req->count; i++) {
		int ok = !allowed->count;
		char msg[300];
		if (strcmp(req->items[i], "always") && strcmp(req->items[i], "if-not-present") &&
		    strcmp(req->items[i], "never")) {
			snprintf(msg, sizeof msg, "pull policy \"%.32s\" is not always, if-not-present or never",
			         req->items[i]);
			return cicd__error_set_at(CICD_EVALIDATE, img && img->node ? img->node->meta->file : "",
			                          img && img->node ? img->node->line : 0,
			                          img && img->node ? img->node->column : 0, "%s", msg);
		}
		for (k = 0; k < allowed->count; k++)
			ok |= !strcmp(allowed->items[k], req->items[i]);
		if (!ok) {
			snprintf(msg, sizeof msg, "pull policy \"%.32s\" is not in allowed_pull_policies",
			         req->items[i]);
			return denied_at(img ? img->node : NULL, msg);
		}
	}
	return 0;
}

static int image_allowed(render_ctx *c, const char *image, const pod_strs *allowed, const char *setting,
                         const cicd_node *where)
{
	size_t i;
	char msg[400];
	if (!allowed->count || (c->cfg->image && !strcmp(image, c->cfg->image)) || !strcmp(image, c->cfg->helper_image))
		return 0;
	for (i = 0; i < allowed->count; i++)
		if (cicd__glob_match(allowed->items[i], image))
			return 0;
	snprintf(msg, sizeof msg, "image \"%.200s\" is not allowed by %s", image, setting);
	return denied_at(where, msg);
}

static int write_map(cicd_json_writer *w, const char *key, const pod_kvs *kvs)
{
	size_t i;
	int rc;
	if (!kvs->count)
		return 0;
	if ((rc = cicd__json_key(w, key)) || (rc = cicd__json_begin_object(w)))
		return rc;
	for (i = 0; !rc && i < kvs->count; i++)
		rc = cicd__json_kv_string(w, kvs->items[i].key, kvs->items[i].value);
	return rc ? rc : cicd__json_end_object(w);
}

static int add_label(cicd_arena *a, pod_kvs *kvs, const char *key, const char *value)
{
	char v[64];
	cicd__label_value(v, sizeof v, value);
	return cicd__kvs_set(a, kvs, key, strlen(key), v, strlen(v));
}

static int add_label_int(cicd_arena *a, pod_kvs *kvs, const char *key, long long value)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", value);
	return cicd__kvs_set(a, kvs, key, strlen(key), v, strlen(v));
}

/* The runner's own labels, which no configuration or job can change. */
static int identity_labels(render_ctx *c, pod_kvs *kvs)
{
	cicd_arena *a = &c->eff.arena;
	const cicd_job_payload *j = c->job;
	int rc;
	if ((rc = add_label(a, kvs, "job.runner.gitlab.com/pod", c->base_name)) ||
	    (rc = add_label_int(a, kvs, "job.runner.gitlab.com/id", j->id)) ||
	    (rc = add_label_int(a, kvs, "project.runner.gitlab.com/id", j->project_id)) ||
	    (c->cfg->name && (rc = add_label(a, kvs, "manager.runner.gitlab.com/name", c->cfg->name))) ||
	    (c->cfg->token_prefix &&
	     (rc = add_label(a, kvs, "manager.runner.gitlab.com/id-short", c->cfg->token_prefix))) ||
	    (j->project_name && (rc = add_label(a, kvs, "project.runner.gitlab.com/name", j->project_name))) ||
	    (j->namespace_id &&
	     (rc = add_label_int(a, kvs, "project.runner.gitlab.com/namespace-id", j->namespace_id))) ||
	    (j->root_namespace_id &&
	     (rc = add_label_int(a, kvs, "project.runner.gitlab.com/root-namespace-id", j->root_namespace_id))))
		return rc;
	return 0;
}

/* Go's time.Duration String() for whole seconds, as GitLab Runner writes the timeout annotation. */
static void go_duration(char *out, size_t cap, long long s)
{
	if (s >= 3600)
		snprintf(out, cap, "%lldh%lldm%llds", s / 3600, s % 3600 / 60, s % 60);
	else if (s >= 60)
		snprintf(out, cap, "%lldm%llds", s / 60, s % 60);
	else
		snprintf(out, cap, "%llds", s);
}

static int write_metadata(render_ctx *c, const char *name, int pod)
{
	cicd_json_writer *w = c->w;
	pod_kvs labels = {NULL, 0, 0}, ann = {NULL, 0, 0};
	cicd_arena *a = &c->eff.arena;
	size_t i;
	int rc;
	if (pod) {
		for (i = 0; i < c->eff.labels.count; i++)
			if ((rc = cicd__kvs_set(a, &labels, c->eff.labels.items[i].key,
			                        strlen(c->eff.labels.items[i].key), c->eff.labels.items[i].value,
			                        strlen(c->eff.labels.items[i].value))))
				return rc;
		ann = c->eff.annotations;
	}
	if ((rc = identity_labels(c, &labels)))
		return rc;
	if (pod) {
		const cicd_job_payload *j = c->job;
		char timeout[48];
		go_duration(timeout, sizeof timeout, j->timeout);
		if ((rc = add_label_int(a, &ann, "job.runner.gitlab.com/id", j->id)) ||
		    (rc = cicd__kvs_set(a, &ann, "job.runner.gitlab.com/timeout", 29, timeout, strlen(timeout))) ||
		    (rc = add_label_int(a, &ann, "project.runner.gitlab.com/id", j->project_id)) ||
		    (j->name &&
		     (rc = cicd__kvs_set(a, &ann, "job.runner.gitlab.com/name", 26, j->name, strlen(j->name)))) ||
		    (j->ref &&
		     (rc = cicd__kvs_set(a, &ann, "job.runner.gitlab.com/ref", 25, j->ref, strlen(j->ref)))) ||
		    (j->sha &&
		     (rc = cicd__kvs_set(a, &ann, "job.runner.gitlab.com/sha", 25, j->sha, strlen(j->sha)))) ||
		    (j->before_sha && (rc = cicd__kvs_set(a, &ann, "job.runner.gitlab.com/before_sha", 32,
		                                          j->before_sha, strlen(j->before_sha)))))
			return rc;
	}
	if ((rc = cicd__json_key(w, "metadata")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "name", name)) || (rc = cicd__json_kv_string(w, "namespace", c->eff.ns)) ||
	    (rc = write_map(w, "labels", &labels)) || (rc = write_map(w, "annotations", &ann)))
		return rc;
	return cicd__json_end_object(w);
}

static int write_b64(cicd_json_writer *w, const char *key, const char *data, size_t len)
{
	cicd_buf b = CICD_BUF_INIT;
	int rc = cicd__base64(&b, data, len);
	if (!rc && !(rc = cicd__json_key(w, key)))
		rc = cicd__json_string_n(w, b.ptr ? b.ptr : "", b.size);
	cicd_buf_dispose(&b);
	return rc;
}

/* The Secret mounted read-only at the secrets directory: job-token, env-KEY, file-KEY. */
static int write_secret(render_ctx *c)
{
	cicd_json_writer *w = c->w;
	size_t i;
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "apiVersion", "v1")) ||
	    (rc = cicd__json_kv_string(w, "kind", "Secret")) || (rc = write_metadata(c, c->secret_name, 0)) ||
	    (rc = cicd__json_kv_string(w, "type", "Opaque")) || (rc = cicd__json_key(w, "data")) ||
	    (rc = cicd__json_begin_object(w)))
		return rc;
	for (i = 0; i < c->nvars; i++) {
		const pod_var *v = &c->vars[i];
		char key[300];
		if (!v->last || cicd__render_in_env(v))
			continue;
		snprintf(key, sizeof key, "%s-%s", (v->var->flags & CICD_JOB_PAYLOAD_VAR_FILE) ? "file" : "env",
		         v->var->key);
		if ((rc = write_b64(w, key, v->value, v->len)))
			return rc;
	}
	if (c->job->token && (rc = write_b64(w, "job-token", c->job->token, strlen(c->job->token))))
		return rc;
	if ((rc = cicd__json_end_object(w)))
		return rc;
	return cicd__json_end_object(w);
}

/* {"auths":{URL:{"username","password","auth":base64(user:password)}}} from the job's registry credentials. */
static int docker_config(const cicd_job_payload *job, cicd_buf *out)
{
	cicd_json_writer *w = cicd__json_new(out, 0);
	size_t i, k;
	int rc;
	if (!w)
		return cicd__error_oom();
	rc = cicd__json_begin_object(w);
	if (!rc && !(rc = cicd__json_key(w, "auths")))
		rc = cicd__json_begin_object(w);
	for (i = 0; !rc && i < job->credential_count; i++) {
		const job_credential *cr = &job->credentials[i];
		cicd_buf up = CICD_BUF_INIT, b64 = CICD_BUF_INIT;
		int later = 0;
		if (!cr->type || strcmp(cr->type, "registry") || !cr->url || !cr->url[0])
			continue;
		for (k = i + 1; k < job->credential_count; k++)
			later |= job->credentials[k].url && !strcmp(job->credentials[k].url, cr->url) &&
			         job->credentials[k].type && !strcmp(job->credentials[k].type, "registry");
		if (later)
			continue;
		rc = cicd__buf_printf(&up, "%s:%s", cr->username ? cr->username : "", cr->password ? cr->password : "");
		if (!rc)
			rc = cicd__base64(&b64, up.ptr, up.size);
		if (!rc && !(rc = cicd__json_key(w, cr->url)) && !(rc = cicd__json_begin_object(w)) &&
		    !(rc = cicd__json_kv_string(w, "username", cr->username ? cr->username : "")) &&
		    !(rc = cicd__json_kv_string(w, "password", cr->password ? cr->password : "")) &&
		    !(rc = cicd__json_kv_string(w, "auth", b64.ptr)))
			rc = cicd__json_end_object(w);
		/* the buffers held a password */
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

static int write_registry_secret(render_ctx *c)
{
	cicd_json_writer *w = c->w;
	cicd_buf cfg = CICD_BUF_INIT;
	int rc;
	if ((rc = docker_config(c->job, &cfg))) {
		cicd_buf_dispose(&cfg);
		return rc;
	}
	if (!(rc = cicd__json_begin_object(w)) && !(rc = cicd__json_kv_string(w, "apiVersion", "v1")) &&
	    !(rc = cicd__json_kv_string(w, "kind", "Secret")) && !(rc = write_metadata(c, c->registry_name, 0)) &&
	    !(rc = cicd__json_kv_string(w, "type", "kubernetes.io/dockerconfigjson")) &&
	    !(rc = cicd__json_key(w, "data")) && !(rc = cicd__json_begin_object(w)) &&
	    !(rc = write_b64(w, ".dockerconfigjson", cfg.ptr, cfg.size)) && !(rc = cicd__json_end_object(w)))
		rc = cicd__json_end_object(w);
	if (cfg.ptr)
		memset(cfg.ptr, 0, cfg.size);
	cicd_buf_dispose(&cfg);
	return rc;
}

/* Service container names: the first alias that is a free DNS-1123 label, else svc-<index>. */
static void service_name(render_ctx *c, size_t i, char names[][64])
{
	const char *a = c->svc_alias[i];
	size_t k;
	while (a && *a) {
		char cand[64];
		size_t n = strcspn(a, " ,");
		int used = n == 0 || n >= sizeof cand;
		if (!used) {
			memcpy(cand, a, n);
			cand[n] = '\0';
			used = !cicd__dns_label(cand) || !strcmp(cand, "build") || !strcmp(cand, "helper") ||
			       !strcmp(cand, "init-permissions");
			for (k = 0; !used && k < i; k++)
				used = !strcmp(names[k], cand);
		}
		if (!used) {
			strcpy(names[i], cand);
			return;
		}
		a += n;
		a += strspn(a, " ,");
	}
	snprintf(names[i], 64, "svc-%zu", i);
}

static int valid_hostname(const char *s, size_t n)
{
	size_t i, label = 0;
	if (!n || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (!label || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch == '-' && label)) || ++label > 63)
			return 0;
	}
	return label && s[n - 1] != '-';
}

/* Services share the Pod's network: each alias, and the name derived from the image, resolve to 127.0.0.1. */
static int host_aliases(render_ctx *c, pod_kvs *hosts)
{
	size_t i;
	int rc;
	for (i = 0; i < c->job->service_count; i++) {
		const char *a = c->svc_alias[i], *slash;
		char derived[256];
		size_t n, k;
		while (a && *a) {
			n = strcspn(a, " ,");
			if (valid_hostname(a, n) && (rc = cicd__kvs_set(&c->eff.arena, hosts, a, n, "", 0)))
				return rc;
			a += n;
			a += strspn(a, " ,");
		}
		/* "group/postgres:15" -> "group-postgres", as GitLab Runner names services */
		snprintf(derived, sizeof derived, "%s", c->svc_image[i]);
		derived[strcspn(derived, "@")] = '\0';
		slash = strrchr(derived, '/');
		n = strlen(derived);
		for (k = slash ? (size_t)(slash - derived) : 0; k < n; k++)
			if (derived[k] == ':') {
				derived[k] = '\0';
				break;
			}
		for (k = 0; derived[k]; k++)
			if (derived[k] == '/')
				derived[k] = '-';
		if (valid_hostname(derived, strlen(derived)) &&
		    (rc = cicd__kvs_set(&c->eff.arena, hosts, derived, strlen(derived), "", 0)))
			return rc;
	}
	return 0;
}

static int write_tolerations(render_ctx *c)
{
	cicd_json_writer *w = c->w;
	size_t i;
	int rc;
	if (!c->eff.tolerations.count)
		return 0;
	if ((rc = cicd__json_key(w, "tolerations")) || (rc = cicd__json_begin_array(w)))
		return rc;
	for (i = 0; i < c->eff.tolerations.count; i++) {
		const pod_kv *t = &c->eff.tolerations.items[i];
		const char *eq = strchr(t->key, '=');
		if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_key(w, "key")) ||
		    (rc = cicd__json_string_n(w, t->key, eq ? (size_t)(eq - t->key) : strlen(t->key))) ||
		    (rc = cicd__json_kv_string(w, "operator", eq ? "Equal" : "Exists")) ||
		    (eq && (rc = cicd__json_kv_string(w, "value", eq + 1))) ||
		    (t->value[0] && (rc = cicd__json_kv_string(w, "effect", t->value))) ||
		    (rc = cicd__json_end_object(w)))
			return rc;
	}
	return cicd__json_end_array(w);
}

static int write_volumes(render_ctx *c)
{
	cicd_json_writer *w = c->w;
	size_t i, k;
	int rc;
	if ((rc = cicd__json_key(w, "volumes")) || (rc = cicd__json_begin_array(w)))
		return rc;
	if (c->repo_volume && ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "repo")) ||
	                       (rc = cicd__json_key(w, "emptyDir")) || (rc = cicd__json_begin_object(w)) ||
	                       (rc = cicd__json_end_object(w)) || (rc = cicd__json_end_object(w))))
		return rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "scripts")) ||
	    (rc = cicd__json_key(w, "emptyDir")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_end_object(w)) || (rc = cicd__json_end_object(w)) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "name", "logs")) || (rc = cicd__json_key(w, "emptyDir")) ||
	    (rc = cicd__json_begin_object(w)) || (rc = cicd__json_end_object(w)) || (rc = cicd__json_end_object(w)) ||
	    (rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "secrets")) ||
	    (rc = cicd__json_key(w, "secret")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "secretName", c->secret_name)) ||
	    (rc = cicd__json_kv_int(w, "defaultMode", 0444)) || (rc = cicd__json_end_object(w)) ||
	    (rc = cicd__json_end_object(w)))
		return rc;
	for (i = 0; i < c->cfg->volume_count; i++) {
		const pod_volume *v = &c->cfg->volumes[i];
		if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", v->name)))
			return rc;
		switch (v->kind) {
		case POD_VOL_HOST_PATH:
			rc = cicd__json_key(w, "hostPath");
			if (!rc && !(rc = cicd__json_begin_object(w)) &&
			    !(rc = cicd__json_kv_string(w, "path", v->source)))
				rc = cicd__json_end_object(w);
			break;
		case POD_VOL_PVC:
			rc = cicd__json_key(w, "persistentVolumeClaim");
			if (!rc && !(rc = cicd__json_begin_object(w)) &&
			    !(rc = cicd__json_kv_string(w, "claimName", v->source)) &&
			    !(v->read_only && (rc = cicd__json_kv_bool(w, "readOnly", 1))))
				rc = cicd__json_end_object(w);
			break;
		case POD_VOL_CONFIG_MAP:
		case POD_VOL_SECRET:
			rc = cicd__json_key(w, v->kind == POD_VOL_SECRET ? "secret" : "configMap");
			if (!rc && !(rc = cicd__json_begin_object(w)))
				rc = cicd__json_kv_string(w, v->kind == POD_VOL_SECRET ? "secretName" : "name",
				                          v->source);
			if (!rc && v->items && v->items->count) {
				if (!(rc = cicd__json_key(w, "items")) && !(rc = cicd__json_begin_array(w)))
					for (k = 0; !rc && k < v->items->count; k++) {
						const cicd_node *ik = v->items->u.map.pairs[k].key,
						                *iv = v->items->u.map.pairs[k].value;
						if (!(rc = cicd__json_begin_object(w)) &&
						    !(rc = cicd__json_kv_string(w, "key", ik->u.scalar.text)) &&
						    !(rc = cicd__json_kv_string(
						          w, "path",
						          iv->kind == CICD_NODE_SCALAR ? iv->u.scalar.text : "")))
							rc = cicd__json_end_object(w);
					}
				if (!rc)
					rc = cicd__json_end_array(w);
			}
			if (!rc)
				rc = cicd__json_end_object(w);
			break;
		default:
			rc = cicd__json_key(w, "emptyDir");
			if (!rc && !(rc = cicd__json_begin_object(w)) &&
			    !(v->medium && (rc = cicd__json_kv_string(w, "medium", v->medium))) &&
			    !(v->size_limit && (rc = cicd__json_kv_string(w, "sizeLimit", v->size_limit))))
				rc = cicd__json_end_object(w);
			break;
		}
		if (rc || (rc = cicd__json_end_object(w)))
			return rc;
	}
	return cicd__json_end_array(w);
}

static int write_pod(render_ctx *c, const char *image)
{
	const cicd_runner_config *cfg = c->cfg;
	const cicd_job_payload *job = c->job;
	cicd_json_writer *w = c->w;
	char(*names)[64] = NULL;
	const char *build_policy, *helper_policy, *policy;
	pod_kvs hosts = {NULL, 0, 0};
	size_t i;
	int rc;
	if ((rc = pull_policy(c, &job->image, &build_policy)) || (rc = pull_policy(c, NULL, &helper_policy)))
		return rc;
	if (job->service_count && !(names = cicd__calloc(job->service_count, sizeof *names)))
		return cicd__error_oom();
	for (i = 0; i < job->service_count; i++) {
		service_name(c, i, names);
		if ((rc = image_allowed(c, c->svc_image[i], &cfg->allowed_services, "allowed_services",
		                        job->services[i].node)) ||
		    (rc = pull_policy(c, &job->services[i], &policy)))
			goto out;
	}
	if ((rc = host_aliases(c, &hosts)))
		goto out;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "apiVersion", "v1")) ||
	    (rc = cicd__json_kv_string(w, "kind", "Pod")) || (rc = write_metadata(c, c->name, 1)) ||
	    (rc = cicd__json_key(w, "spec")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = cicd__json_kv_string(w, "restartPolicy", "Never")) ||
	    /* one second more than the job timeout, so that GitLab times the job out first */
	    (rc = cicd__json_kv_int(w, "activeDeadlineSeconds", job->timeout + 1)))
		goto out;
	if ((cfg->termination_grace >= 0 &&
	     (rc = cicd__json_kv_int(w, "terminationGracePeriodSeconds", cfg->termination_grace))) ||
	    (c->eff.service_account && (rc = cicd__json_kv_string(w, "serviceAccountName", c->eff.service_account))) ||
	    (cfg->automount_sa_token >= 0 &&
	     (rc = cicd__json_kv_bool(w, "automountServiceAccountToken", cfg->automount_sa_token))) ||
	    (cfg->scheduler_name && (rc = cicd__json_kv_string(w, "schedulerName", cfg->scheduler_name))) ||
	    (cfg->priority_class_name &&
	     (rc = cicd__json_kv_string(w, "priorityClassName", cfg->priority_class_name))) ||
	    (cfg->runtime_class_name && (rc = cicd__json_kv_string(w, "runtimeClassName", cfg->runtime_class_name))) ||
	    (cfg->dns_policy && (rc = cicd__json_kv_string(w, "dnsPolicy", cfg->dns_policy))) ||
	    (cfg->dns_config &&
	     ((rc = cicd__json_key(w, "dnsConfig")) || (rc = cicd__write_camel(w, cfg->dns_config)))) ||
	    (rc = write_map(w, "nodeSelector", &c->eff.node_selector)) || (rc = write_tolerations(c)) ||
	    (cfg->affinity && ((rc = cicd__json_key(w, "affinity")) || (rc = cicd__write_camel(w, cfg->affinity)))) ||
	    (cfg->pod_security_context &&
	     ((rc = cicd__json_key(w, "securityContext")) || (rc = cicd__write_camel(w, cfg->pod_security_context)))))
		goto out;
	if (!cfg->use_sa_image_pull_secrets && (cfg->image_pull_secrets.count || c->has_registry)) {
		if ((rc = cicd__json_key(w, "imagePullSecrets")) || (rc = cicd__json_begin_array(w)))
			goto out;
		for (i = 0; i < cfg->image_pull_secrets.count; i++)
			if ((rc = cicd__json_begin_object(w)) ||
			    (rc = cicd__json_kv_string(w, "name", cfg->image_pull_secrets.items[i])) ||
			    (rc = cicd__json_end_object(w)))
				goto out;
		if (c->has_registry &&
		    ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", c->registry_name)) ||
		     (rc = cicd__json_end_object(w))))
			goto out;
		if ((rc = cicd__json_end_array(w)))
			goto out;
	}
	if (hosts.count) {
		if ((rc = cicd__json_key(w, "hostAliases")) || (rc = cicd__json_begin_array(w)) ||
		    (rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "ip", "127.0.0.1")) ||
		    (rc = cicd__json_key(w, "hostnames")) || (rc = cicd__json_begin_array(w)))
			goto out;
		for (i = 0; !rc && i < hosts.count; i++)
			rc = cicd__json_string(w, hosts.items[i].key);
		if (rc || (rc = cicd__json_end_array(w)) || (rc = cicd__json_end_object(w)) ||
		    (rc = cicd__json_end_array(w)))
			goto out;
	} else if (cfg->host_aliases &&
	           ((rc = cicd__json_key(w, "hostAliases")) || (rc = cicd__write_camel(w, cfg->host_aliases)))) {
		goto out;
	}
	if ((rc = cicd__json_key(w, "initContainers")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = cicd__render_init_container(c, helper_policy)) || (rc = cicd__json_end_array(w)) ||
	    (rc = cicd__json_key(w, "containers")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = cicd__render_build_container(c, image, build_policy)) ||
	    (rc = cicd__render_helper_container(c, helper_policy)))
		goto out;
	for (i = 0; i < job->service_count; i++) {
		pod_resources res;
		if ((rc = pull_policy(c, &job->services[i], &policy)) ||
		    (rc = cicd__pod_service_resources(&res, &c->eff, job, cfg, &job->services[i], c->opts.flags)) ||
		    (rc = cicd__render_service_container(c, i, names[i], policy, &res)))
			goto out;
	}
	if ((rc = cicd__json_end_array(w)) || (rc = write_volumes(c)) || (rc = cicd__json_end_object(w)))
		goto out;
	rc = cicd__json_end_object(w);
out:
	cicd__free(names);
	return rc;
}

static int has_registry_credentials(const cicd_job_payload *job)
{
	size_t i;
	for (i = 0; i < job->credential_count; i++)
		if (job->credentials[i].type && !strcmp(job->credentials[i].type, "registry") &&
		    job->credentials[i].url && job->credentials[i].url[0])
			return 1;
	return 0;
}

/* A name from the job, expanded; a reference to a secret variable is refused (the name lands in the Pod spec). */
static int expand_name(render_ctx *c, const char *tmpl, const cicd_node *where, const char *what, const char **out)
{
	cicd_buf b = CICD_BUF_INIT;
	const pod_var *ref = NULL;
	char msg[400];
	int rc = cicd__pod_expand(&b, c->vars, c->nvars, tmpl, &ref);
	if (!rc && ref) {
		snprintf(msg, sizeof msg, "%s \"%.200s\" refers to the secret variable %s", what, tmpl, ref->var->key);
		rc = denied_at(where, msg);
	}
	if (!rc && !(*out = cicd__arena_strndup(&c->eff.arena, b.ptr ? b.ptr : "", b.size)))
		rc = cicd__error_oom();
	cicd_buf_dispose(&b);
	return rc;
}

/* GitLab Runner's expandContainerOptions: image and service names and aliases, and service variables. */
static int expand_containers(render_ctx *c)
{
	const cicd_job_payload *job = c->job;
	size_t i, k;
	int rc;
	if (job->image.name && job->image.name[0]) {
		if ((rc = expand_name(c, job->image.name, job->image.node, "image", &c->image)))
			return rc;
	} else if (c->cfg->image && (rc = expand_name(c, c->cfg->image, NULL, "image", &c->image))) {
		return rc;
	}
	if (!job->service_count)
		return 0;
	c->svc_image = cicd__arena_calloc(&c->eff.arena, job->service_count, sizeof *c->svc_image);
	c->svc_alias = cicd__arena_calloc(&c->eff.arena, job->service_count, sizeof *c->svc_alias);
	c->svc_env = cicd__arena_calloc(&c->eff.arena, job->service_count, sizeof *c->svc_env);
	if (!c->svc_image || !c->svc_alias || !c->svc_env)
		return cicd__error_oom();
	for (i = 0; i < job->service_count; i++) {
		const job_image *svc = &job->services[i];
		if ((rc = expand_name(c, svc->name, svc->node, "service", &c->svc_image[i])) ||
		    (rc = expand_name(c, svc->alias ? svc->alias : "", svc->node, "service alias", &c->svc_alias[i])))
			return rc;
		for (k = 0; k < svc->variable_count; k++) {
			const job_var *v = &svc->variables[k];
			const char *value;
			char what[128];
			if (!(v->flags & CICD_JOB_PAYLOAD_VAR_PUBLIC) || (v->flags & CICD_JOB_PAYLOAD_VAR_MASKED))
				continue; /* never in a Pod spec */
			snprintf(what, sizeof what, "service variable %.64s", v->key);
			if ((rc = cicd__payload_check_key(v)) ||
			    (rc = expand_name(c, (v->flags & CICD_JOB_PAYLOAD_VAR_RAW) ? "" : v->value, v->node, what,
			                      &value)) ||
			    (rc = cicd__kvs_set(&c->eff.arena, &c->svc_env[i], v->key, strlen(v->key),
			                        (v->flags & CICD_JOB_PAYLOAD_VAR_RAW) ? v->value : value,
			                        (v->flags & CICD_JOB_PAYLOAD_VAR_RAW) ? v->value_len : strlen(value))))
				return rc;
		}
	}
	return 0;
}

static int render(render_ctx *c, cicd_buf *json)
{
	const cicd_job_payload *job = c->job;
	const cicd_runner_config *cfg = c->cfg;
	size_t i;
	int rc;
	for (i = 0; i < job->variable_count; i++)
		if ((rc = cicd__payload_check_key(&job->variables[i])))
			return rc;
	cicd__pod_paths(job, cfg, c->scripts, c->logs, c->secrets, sizeof c->scripts);
	if ((rc = cicd__pod_vars(&c->vars, &c->eff.arena, job, c->secrets)))
		return rc;
	c->nvars = job->variable_count;
	if ((rc = expand_containers(c)))
		return rc;
	if (!c->image || !c->image[0])
		return cicd__error_set(CICD_EVALIDATE,
		                       "the job names no image and the runner configuration sets no image");
	if (job->image.name && job->image.name[0] &&
	    (rc = image_allowed(c, c->image, &cfg->allowed_images, "allowed_images", job->image.node)))
		return rc;
	if ((rc = make_names(c)) || (rc = cicd__pod_effective(&c->eff, job, cfg, c->opts.flags)))
		return rc;
	c->repo_volume = 1;
	for (i = 0; i < cfg->volume_count; i++) {
		const char *n = cfg->volumes[i].name;
		if (!strcmp(n, "repo") || !strcmp(n, "scripts") || !strcmp(n, "logs") || !strcmp(n, "secrets"))
			return cicd__error_set_at(CICD_EVALIDATE, cfg->volumes[i].node->meta->file,
			                          cfg->volumes[i].node->line, cfg->volumes[i].node->column,
			                          "volume name \"%s\" is reserved for the runner's own volumes", n);
		if (!strcmp(cfg->volumes[i].mount_path, cfg->builds_dir))
			c->repo_volume = 0;
	}
	c->has_registry = has_registry_credentials(job);
	if (!(c->w = cicd__json_new(json, c->opts.format == CICD_POD_FORMAT_JSON)))
		return cicd__error_oom();
	if ((rc = cicd__json_begin_object(c->w)) || (rc = cicd__json_kv_string(c->w, "apiVersion", "v1")) ||
	    (rc = cicd__json_kv_string(c->w, "kind", "List")) || (rc = cicd__json_key(c->w, "items")) ||
	    (rc = cicd__json_begin_array(c->w)) || (rc = write_secret(c)) ||
	    (c->has_registry && (rc = write_registry_secret(c))) || (rc = write_pod(c, c->image)) ||
	    (rc = cicd__json_end_array(c->w)) || (rc = cicd__json_end_object(c->w))) {
		cicd__json_abandon(c->w);
		return rc;
	}
	return cicd__json_finish(c->w);
}

CICD_EXTERN(int)
cicd_pod_render(cicd_buf *out, const cicd_job_payload *job, const cicd_runner_config *cfg,
                const cicd_pod_render_options *opts)
{
	render_ctx c;
	cicd_buf json = CICD_BUF_INIT;
	int rc;
	if (!out || !job || !cfg)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_render: out, job and cfg are required");
	memset(&c, 0, sizeof c);
	if (opts) {
		if (opts->version != CICD_POD_RENDER_OPTIONS_VERSION)
			return cicd__error_set(CICD_EINVALID, "cicd_pod_render: unknown options version %u",
			                       opts->version);
		c.opts = *opts;
	} else {
		cicd_pod_render_options def = CICD_POD_RENDER_OPTIONS_INIT;
		c.opts = def;
	}
	if (c.opts.format > CICD_POD_FORMAT_JSON)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_render: unknown format %u", c.opts.format);
	c.job = job;
	c.cfg = cfg;
	cicd__arena_init(&c.eff.arena, 4096);
	rc = render(&c, &json);
	if (!rc)
		rc = cicd__pod_output(out, &json, c.opts.format);
	/* the rendered Secrets hold secrets in base64 */
	if (json.ptr)
		memset(json.ptr, 0, json.size);
	cicd_buf_dispose(&json);
	cicd__pod_effective_dispose(&c.eff);
	return rc;
}
