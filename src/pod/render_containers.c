/*
 * The containers of a job Pod: build, helper, one per service, and the
 * init-permissions init container, with their resources, security
 * contexts, env and mounts (GitLab Runner's executors/kubernetes layout).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "render.h"

/* The shell the build and helper containers wait in; the runner attaches stage scripts to it. */
static const char SHELL_DETECT[] = "if [ -x /usr/local/bin/bash ]; then\n\texec /usr/local/bin/bash\n"
                                   "elif [ -x /usr/bin/bash ]; then\n\texec /usr/bin/bash\n"
                                   "elif [ -x /bin/bash ]; then\n\texec /bin/bash\n"
                                   "elif [ -x /usr/local/bin/sh ]; then\n\texec /usr/local/bin/sh\n"
                                   "elif [ -x /usr/bin/sh ]; then\n\texec /usr/bin/sh\n"
                                   "elif [ -x /bin/sh ]; then\n\texec /bin/sh\n"
                                   "elif [ -x /busybox/sh ]; then\n\texec /busybox/sh\n"
                                   "else\n\techo shell not found\n\texit 1\nfi\n";

static int write_strs(cicd_json_writer *w, const char *key, const pod_strs *s)
{
	size_t i;
	int rc;
	if (!s->count)
		return 0;
	if ((rc = cicd__json_key(w, key)) || (rc = cicd__json_begin_array(w)))
		return rc;
	for (i = 0; !rc && i < s->count; i++)
		rc = cicd__json_string(w, s->items[i]);
	return rc ? rc : cicd__json_end_array(w);
}

static int write_shell_command(cicd_json_writer *w)
{
	int rc;
	if ((rc = cicd__json_key(w, "command")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = cicd__json_string(w, "sh")) || (rc = cicd__json_string(w, "-c")) ||
	    (rc = cicd__json_string(w, SHELL_DETECT)))
		return rc;
	return cicd__json_end_array(w);
}

static int write_quantities(cicd_json_writer *w, const char *key, const char *cpu, const char *mem, const char *eph)
{
	int rc;
	if (!cpu && !mem && !eph)
		return 0;
	if ((rc = cicd__json_key(w, key)) || (rc = cicd__json_begin_object(w)))
		return rc;
	if (cpu && (rc = cicd__json_kv_string(w, "cpu", cpu)))
		return rc;
	if (eph && (rc = cicd__json_kv_string(w, "ephemeral-storage", eph)))
		return rc;
	if (mem && (rc = cicd__json_kv_string(w, "memory", mem)))
		return rc;
	return cicd__json_end_object(w);
}

static int write_resources(cicd_json_writer *w, const pod_resources *r)
{
	int rc;
	if (!r->cpu_limit && !r->memory_limit && !r->ephemeral_storage_limit && !r->cpu_request && !r->memory_request &&
	    !r->ephemeral_storage_request)
		return 0;
	if ((rc = cicd__json_key(w, "resources")) || (rc = cicd__json_begin_object(w)) ||
	    (rc = write_quantities(w, "limits", r->cpu_limit, r->memory_limit, r->ephemeral_storage_limit)) ||
	    (rc = write_quantities(w, "requests", r->cpu_request, r->memory_request, r->ephemeral_storage_request)))
		return rc;
	return cicd__json_end_object(w);
}

static int key_is(const cicd_node *k, const char *snake, const char *camel)
{
	return cicd__node_is(k, snake) || cicd__node_is(k, camel);
}

static int in_list(const char *s, const char *const *items, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(items[i], s))
			return 1;
	return 0;
}

/* Capabilities: the context's own add/drop plus cap_add/cap_drop (drop defaults to NET_RAW, as in GitLab Runner). */
static int write_caps(render_ctx *c, const cicd_node *caps, int with_global)
{
	const char *add[128], *drop[128];
	size_t nadd = 0, ndrop = 0, i, k;
	static const char *const DEFAULT_DROP[] = {"NET_RAW"};
	const cicd_runner_config *cfg = c->cfg;
	cicd_json_writer *w = c->w;
	int rc;
	for (k = 0; caps && k < caps->count; k++) {
		const cicd_node *key = caps->u.map.pairs[k].key, *v = caps->u.map.pairs[k].value;
		int is_add = cicd__node_is(key, "add");
		if (v->kind != CICD_NODE_SEQUENCE)
			continue;
		for (i = 0; i < v->count && nadd < 64 && ndrop < 64; i++)
			if (v->u.seq.items[i]->kind == CICD_NODE_SCALAR) {
				if (is_add)
					add[nadd++] = v->u.seq.items[i]->u.scalar.text;
				else if (cicd__node_is(key, "drop"))
					drop[ndrop++] = v->u.seq.items[i]->u.scalar.text;
			}
	}
	if (with_global) {
		const pod_strs *d = &cfg->cap_drop;
		for (i = 0; i < cfg->cap_add.count && nadd < 128; i++)
			if (!in_list(cfg->cap_add.items[i], add, nadd))
				add[nadd++] = cfg->cap_add.items[i];
		if (cfg->cap_drop_set) {
			for (i = 0; i < d->count && ndrop < 128; i++)
				if (!in_list(d->items[i], drop, ndrop))
					drop[ndrop++] = d->items[i];
		} else if (!in_list(DEFAULT_DROP[0], drop, ndrop) && !in_list("ALL", drop, ndrop) &&
		           !in_list(DEFAULT_DROP[0], add, nadd)) {
			drop[ndrop++] = DEFAULT_DROP[0];
		}
	}
	if (!nadd && !ndrop)
		return 0;
	if ((rc = cicd__json_key(w, "capabilities")) || (rc = cicd__json_begin_object(w)))
		return rc;
	if (nadd) {
		if ((rc = cicd__json_key(w, "add")) || (rc = cicd__json_begin_array(w)))
			return rc;
		for (i = 0; !rc && i < nadd; i++)
			rc = cicd__json_string(w, add[i]);
		if (rc || (rc = cicd__json_end_array(w)))
			return rc;
	}
	if (ndrop) {
		if ((rc = cicd__json_key(w, "drop")) || (rc = cicd__json_begin_array(w)))
			return rc;
		for (i = 0; !rc && i < ndrop; i++)
			if (!in_list(drop[i], add, nadd))
				rc = cicd__json_string(w, drop[i]);
		if (rc || (rc = cicd__json_end_array(w)))
			return rc;
	}
	return cicd__json_end_object(w);
}

/* "uid" or "uid:gid" from image.executor_opts.kubernetes.user. */
static int parse_user(const job_image *img, long long *uid, long long *gid)
{
	const char *u = img->k8s_user;
	char *end;
	*uid = *gid = -1;
	if (!u || !*u)
		return 0;
	if (!isdigit((unsigned char)u[0]))
		goto bad;
	*uid = strtoll(u, &end, 10);
	if (*end == ':') {
		if (!isdigit((unsigned char)end[1]))
			goto bad;
		*gid = strtoll(end + 1, &end, 10);
	}
	if (*end || *uid > 2147483647LL || *gid > 2147483647LL)
		goto bad;
	return 0;
bad:
	return cicd__error_set_at(CICD_EVALIDATE, img->node->meta->file, img->node->line, img->node->column,
	                          "kubernetes user \"%.32s\" is not uid or uid:gid", u);
}

int cicd__render_security_context(render_ctx *c, const cicd_node *sc, const job_image *img, int with_global)
{
	cicd_json_writer *w = c->w;
	const cicd_node *caps = NULL;
	long long uid = -1, gid = -1;
	int has_priv = 0, has_ape = 0, rc;
	size_t i;
	if (img && (rc = parse_user(img, &uid, &gid)))
		return rc;
	if ((rc = cicd__json_key(w, "securityContext")) || (rc = cicd__json_begin_object(w)))
		return rc;
	for (i = 0; sc && i < sc->count; i++) {
		const cicd_node *k = sc->u.map.pairs[i].key, *v = sc->u.map.pairs[i].value;
		if (cicd__node_is(k, "capabilities")) {
			caps = v->kind == CICD_NODE_MAPPING ? v : NULL;
			continue;
		}
		if ((uid >= 0 && key_is(k, "run_as_user", "runAsUser")) ||
		    (gid >= 0 && key_is(k, "run_as_group", "runAsGroup")))
			continue;
		has_priv |= key_is(k, "privileged", "privileged");
		has_ape |= key_is(k, "allow_privilege_escalation", "allowPrivilegeEscalation");
		if ((rc = cicd__json_camel_key(w, k->u.scalar.text)) || (rc = cicd__write_camel(w, v)))
			return rc;
	}
	if (with_global && !has_priv && c->cfg->privileged >= 0 &&
	    (rc = cicd__json_kv_bool(w, "privileged", c->cfg->privileged)))
		return rc;
	if (with_global && !has_ape && c->cfg->allow_privilege_escalation >= 0 &&
	    (rc = cicd__json_kv_bool(w, "allowPrivilegeEscalation", c->cfg->allow_privilege_escalation)))
		return rc;
	if (uid >= 0 && (rc = cicd__json_kv_int(w, "runAsUser", uid)))
		return rc;
	if (gid >= 0 && (rc = cicd__json_kv_int(w, "runAsGroup", gid)))
		return rc;
	if ((rc = write_caps(c, caps, with_global)))
		return rc;
	return cicd__json_end_object(w);
}

static int write_mount(cicd_json_writer *w, const char *name, const char *path, const char *sub, int ro)
{
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", name)) ||
	    (rc = cicd__json_kv_string(w, "mountPath", path)))
		return rc;
	if (sub && (rc = cicd__json_kv_string(w, "subPath", sub)))
		return rc;
	if (ro && (rc = cicd__json_kv_bool(w, "readOnly", 1)))
		return rc;
	return cicd__json_end_object(w);
}

/* which: MOUNT_* bits of the runner's own volumes; user volumes always. */
static int write_mounts(render_ctx *c, unsigned int which)
{
	cicd_json_writer *w = c->w;
	size_t i;
	int rc;
	if ((rc = cicd__json_key(w, "volumeMounts")) || (rc = cicd__json_begin_array(w)))
		return rc;
	if ((which & MOUNT_REPO) && c->repo_volume && (rc = write_mount(w, "repo", c->cfg->builds_dir, NULL, 0)))
		return rc;
	if ((which & MOUNT_SCRIPTS) && (rc = write_mount(w, "scripts", c->scripts, NULL, 0)))
		return rc;
	if ((which & MOUNT_LOGS) && (rc = write_mount(w, "logs", c->logs, NULL, 0)))
		return rc;
	if ((which & MOUNT_SECRETS) && (rc = write_mount(w, "secrets", c->secrets, NULL, 1)))
		return rc;
	for (i = 0; i < c->cfg->volume_count; i++) {
		const pod_volume *v = &c->cfg->volumes[i];
		if ((rc = write_mount(w, v->name, v->mount_path, v->sub_path, v->read_only)))
			return rc;
	}
	return cicd__json_end_array(w);
}

static int write_env_var(cicd_json_writer *w, const char *key, const char *value, size_t len)
{
	cicd_buf b = CICD_BUF_INIT;
	size_t i;
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", key)) ||
	    (rc = cicd__json_key(w, "value")))
		return rc;
	/* '$' becomes "$$" so that the kubelet does not expand $(VAR) references */
	for (i = 0; !rc && i < len; i++)
		rc = value[i] == '$' ? cicd__buf_put(&b, "$$", 2) : cicd__buf_putc(&b, value[i]);
	if (!rc)
		rc = cicd__json_string_n(w, b.ptr ? b.ptr : "", b.size);
	cicd_buf_dispose(&b);
	return rc ? rc : cicd__json_end_object(w);
}

int cicd__render_in_env(const pod_var *v)
{
	return v->last && !v->secret && !(v->var->flags & CICD_JOB_PAYLOAD_VAR_FILE);
}

/* The job's public variables (the last one of a key, at its position), expanded. */
static int write_job_env(render_ctx *c, const job_image *svc, int *any)
{
	cicd_json_writer *w = c->w;
	size_t i, k;
	int rc;
	for (i = 0; i < c->nvars; i++) {
		const pod_var *v = &c->vars[i];
		int shadowed = 0;
		if (!cicd__render_in_env(v))
			continue;
		for (k = 0; svc && k < svc->variable_count; k++)
			shadowed |= !strcmp(svc->variables[k].key, v->var->key);
		if (shadowed)
			continue; /* the service's own variable wins */
		if (!*any && ((rc = cicd__json_key(w, "env")) || (rc = cicd__json_begin_array(w))))
			return rc;
		*any = 1;
		if ((rc = write_env_var(w, v->var->key, v->value, v->len)))
			return rc;
	}
	return 0;
}

static int write_build_env(render_ctx *c)
{
	int rc, any = 0;
	if ((rc = write_job_env(c, NULL, &any)))
		return rc;
	return any ? cicd__json_end_array(c->w) : 0;
}

/* A service's env: the job's public variables, then the service's own public ones (expanded with the job's). */
static int write_service_env(render_ctx *c, size_t index)
{
	const job_image *svc = &c->job->services[index];
	const pod_kvs *own = &c->svc_env[index];
	cicd_json_writer *w = c->w;
	size_t k;
	int rc, any = 0;
	if ((rc = write_job_env(c, svc, &any)))
		return rc;
	for (k = 0; k < own->count; k++) {
		if (!any && ((rc = cicd__json_key(w, "env")) || (rc = cicd__json_begin_array(w))))
			return rc;
		any = 1;
		if ((rc = write_env_var(w, own->items[k].key, own->items[k].value, strlen(own->items[k].value))))
			return rc;
	}
	return any ? cicd__json_end_array(w) : 0;
}

static int write_pull_policy(render_ctx *c, const char *policy)
{
	const char *k8s = !policy                     ? NULL
	                  : !strcmp(policy, "always") ? "Always"
	                  : !strcmp(policy, "never")  ? "Never"
	                                              : "IfNotPresent";
	return k8s ? cicd__json_kv_string(c->w, "imagePullPolicy", k8s) : 0;
}

int cicd__render_build_container(render_ctx *c, const char *image, const char *policy)
{
	cicd_json_writer *w = c->w;
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "build")) ||
	    (rc = cicd__json_kv_string(w, "image", image)) || (rc = write_pull_policy(c, policy)) ||
	    (rc = write_shell_command(w)) || (rc = write_build_env(c)) || (rc = write_resources(w, &c->eff.build)) ||
	    (rc = cicd__render_security_context(c, c->cfg->build_sc, &c->job->image, 1)) ||
	    (rc = cicd__json_kv_bool(w, "stdin", 1)) ||
	    (rc = write_mounts(c, MOUNT_REPO | MOUNT_SCRIPTS | MOUNT_LOGS | MOUNT_SECRETS)))
		return rc;
	return cicd__json_end_object(w);
}

int cicd__render_helper_container(render_ctx *c, const char *policy)
{
	cicd_json_writer *w = c->w;
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "helper")) ||
	    (rc = cicd__json_kv_string(w, "image", c->cfg->helper_image)) || (rc = write_pull_policy(c, policy)) ||
	    (rc = write_shell_command(w)) || (rc = write_resources(w, &c->eff.helper)) ||
	    (rc = cicd__render_security_context(c, c->cfg->helper_sc, NULL, 1)) ||
	    (rc = cicd__json_kv_bool(w, "stdin", 1)) ||
	    (rc = write_mounts(c, MOUNT_REPO | MOUNT_SCRIPTS | MOUNT_LOGS | MOUNT_SECRETS)))
		return rc;
	return cicd__json_end_object(w);
}

int cicd__render_init_container(render_ctx *c, const char *policy)
{
	cicd_json_writer *w = c->w;
	char cmd[1700];
	int rc;
	/* both containers write the log, whatever their users; the helper reads it */
	snprintf(cmd, sizeof cmd, "touch '%s/output.log' && (chmod 777 '%s' '%s/output.log' || exit 0)", c->logs,
	         c->logs, c->logs);
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", "init-permissions")) ||
	    (rc = cicd__json_kv_string(w, "image", c->cfg->helper_image)) || (rc = write_pull_policy(c, policy)) ||
	    (rc = cicd__json_key(w, "command")) || (rc = cicd__json_begin_array(w)) ||
	    (rc = cicd__json_string(w, "sh")) || (rc = cicd__json_string(w, "-c")) ||
	    (rc = cicd__json_string(w, cmd)) || (rc = cicd__json_end_array(w)) ||
	    (rc = write_resources(w, &c->eff.helper)) ||
	    (rc = cicd__render_security_context(c, c->cfg->init_sc, NULL, 0)) ||
	    (rc = write_mounts(c, MOUNT_REPO | MOUNT_SCRIPTS | MOUNT_LOGS)))
		return rc;
	return cicd__json_end_object(w);
}

int cicd__render_service_container(render_ctx *c, size_t i, const char *name, const char *policy,
                                   const pod_resources *res)
{
	const job_image *svc = &c->job->services[i];
	cicd_json_writer *w = c->w;
	size_t k;
	int rc;
	if ((rc = cicd__json_begin_object(w)) || (rc = cicd__json_kv_string(w, "name", name)) ||
	    (rc = cicd__json_kv_string(w, "image", c->svc_image[i])) || (rc = write_pull_policy(c, policy)) ||
	    (rc = write_strs(w, "command", &svc->entrypoint)) || (rc = write_strs(w, "args", &svc->command)) ||
	    (rc = write_service_env(c, i)))
		return rc;
	if (svc->port_count) {
		if ((rc = cicd__json_key(w, "ports")) || (rc = cicd__json_begin_array(w)))
			return rc;
		for (k = 0; k < svc->port_count; k++) {
			const char *proto = svc->ports[k].protocol;
			if ((rc = cicd__json_begin_object(w)) ||
			    (rc = cicd__json_kv_int(w, "containerPort", svc->ports[k].number)))
				return rc;
			/* Kubernetes knows TCP, UDP and SCTP; GitLab's "http"/"https" run over TCP */
			if (proto && (!strcmp(proto, "udp") || !strcmp(proto, "UDP")) &&
			    (rc = cicd__json_kv_string(w, "protocol", "UDP")))
				return rc;
			if ((rc = cicd__json_end_object(w)))
				return rc;
		}
		if ((rc = cicd__json_end_array(w)))
			return rc;
	}
	if ((rc = write_resources(w, res)) || (rc = cicd__render_security_context(c, c->cfg->service_sc, svc, 1)) ||
	    (rc = write_mounts(c, MOUNT_REPO)))
		return rc;
	return cicd__json_end_object(w);
}
