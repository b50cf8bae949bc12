/*
 * Per-job KUBERNETES_* overwrites, gated as GitLab Runner gates them
 * (executors/kubernetes/overwrites.go): a resource needs its
 * *_overwrite_max_allowed and may not exceed it; a string or map entry
 * needs a match of its *_overwrite_allowed regular expression (RE2,
 * unanchored, as Go's MatchString). Unlike GitLab Runner, an overwrite the
 * runner does not allow at all is an error (so a job never silently runs
 * with less than it asked for) unless CICD_POD_IGNORE_DISABLED_OVERWRITES.
 * Messages never show a value that is masked or not public.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/regex.h"
#include "pod_internal.h"

static const char *shown(const job_var *v)
{
	return (v->flags & CICD_JOB_PAYLOAD_VAR_PUBLIC) && !(v->flags & CICD_JOB_PAYLOAD_VAR_MASKED) ? v->value
	                                                                                             : "(hidden)";
}

static int var_error(int code, const job_var *v, const char *fmt, ...) CICD__PRINTF(3, 4);

/* An error at the variable's position in the job payload. */
static int var_error(int code, const job_var *v, const char *fmt, ...)
{
	const cicd_node *n = v->node;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cicd__error_set_at(code, n ? n->meta->file : "", n ? n->line : 0, n ? n->column : 0, "%s", msg);
}

static int disabled(const job_var *v, const char *setting, unsigned int flags)
{
	if (flags & CICD_POD_IGNORE_DISABLED_OVERWRITES)
		return 1;
	return var_error(CICD_EDENIED, v, "%s is set but the runner does not allow this overwrite (%s is not set)",
	                 v->key, setting);
}

/* 0 when value matches the pattern; CICD_EDENIED otherwise. */
static int check_pattern(const job_var *v, const char *pattern, const char *setting)
{
	cicd_regex *re = NULL;
	char errbuf[128];
	int ok;
	if (cicd__regex_compile(&re, pattern, strlen(pattern), 0, errbuf, sizeof errbuf))
		return cicd__error_set(CICD_EVALIDATE, "%s is not a valid regular expression: %s", setting, errbuf);
	ok = cicd__regex_search(re, v->value, v->value_len);
	cicd__regex_free(re);
	if (!ok) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s \"%.100s\"", setting, pattern);
		return var_error(CICD_EDENIED, v, "%s \"%.200s\" does not match %s", v->key, shown(v), msg);
	}
	return 0;
}

int cicd__kvs_set(cicd_arena *arena, pod_kvs *kvs, const char *key, size_t key_len, const char *value, size_t value_len)
{
	size_t lo = 0, hi = kvs->count;
	char *k, *v;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		size_t ml = strlen(kvs->items[mid].key);
		int c = memcmp(kvs->items[mid].key, key, ml < key_len ? ml : key_len);
		if (!c)
			c = ml < key_len ? -1 : ml > key_len;
		if (!c) {
			if (!(v = cicd__arena_strndup(arena, value, value_len)))
				return cicd__error_oom();
			kvs->items[mid].value = v;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (kvs->count == kvs->cap) {
		size_t cap = kvs->cap ? kvs->cap * 2 : 8;
		pod_kv *items = cicd__arena_alloc(arena, cap * sizeof *items);
		if (!items)
			return cicd__error_oom();
		if (kvs->count)
			memcpy(items, kvs->items, kvs->count * sizeof *items);
		kvs->items = items;
		kvs->cap = cap;
	}
	if (!(k = cicd__arena_strndup(arena, key, key_len)) || !(v = cicd__arena_strndup(arena, value, value_len)))
		return cicd__error_oom();
	memmove(kvs->items + lo + 1, kvs->items + lo, (kvs->count - lo) * sizeof *kvs->items);
	kvs->items[lo].key = k;
	kvs->items[lo].value = v;
	kvs->count++;
	return 0;
}

static int kvs_from_map(cicd_arena *arena, pod_kvs *kvs, const cicd_node *map)
{
	size_t i;
	int rc;
	for (i = 0; map && i < map->count; i++) {
		const cicd_node *k = map->u.map.pairs[i].key, *v = map->u.map.pairs[i].value;
		if ((rc = cicd__kvs_set(arena, kvs, k->u.scalar.text, k->len, v->u.scalar.text,
		                        v->len)))
			return rc;
	}
	return 0;
}

typedef struct res_slot {
	const char *suffix;  /* CPU_REQUEST */
	const char *setting; /* cpu_request */
	size_t value_off, max_off;
} res_slot;

#define SLOT(sfx, set, field)                                                                                          \
	{                                                                                                              \
		sfx, set, offsetof(pod_resources, field), offsetof(pod_resources, field##_max)                         \
	}
static const res_slot SLOTS[] = {
    SLOT("CPU_REQUEST", "cpu_request", cpu_request),
    SLOT("CPU_LIMIT", "cpu_limit", cpu_limit),
    SLOT("MEMORY_REQUEST", "memory_request", memory_request),
    SLOT("MEMORY_LIMIT", "memory_limit", memory_limit),
    SLOT("EPHEMERAL_STORAGE_REQUEST", "ephemeral_storage_request", ephemeral_storage_request),
    SLOT("EPHEMERAL_STORAGE_LIMIT", "ephemeral_storage_limit", ephemeral_storage_limit),
};

/* Applies KUBERNETES_<kind><slot> from one variable list onto res. */
static int apply_resources(pod_resources *res, const char *var_prefix, const char *setting_prefix, const job_var *vars,
                           size_t nvars, unsigned int flags)
{
	size_t s, i;
	for (s = 0; s < sizeof SLOTS / sizeof SLOTS[0]; s++) {
		char name[96], setting[128], maxname[160];
		const job_var *v = NULL;
		const char *max;
		double qv, qmax;
		snprintf(name, sizeof name, "%s%s", var_prefix, SLOTS[s].suffix);
		for (i = nvars; i-- > 0;)
			if (!strcmp(vars[i].key, name)) {
				v = &vars[i];
				break;
			}
		if (!v || !v->value[0])
			continue;
		snprintf(setting, sizeof setting, "%s%s", setting_prefix, SLOTS[s].setting);
		snprintf(maxname, sizeof maxname, "%s_overwrite_max_allowed", setting);
		max = *(const char **)(void *)((char *)res + SLOTS[s].max_off);
		if (!max) {
			int rc = disabled(v, maxname, flags);
			if (rc == 1)
				continue;
			return rc;
		}
		if (cicd__quantity_parse(v->value, &qv))
			return var_error(CICD_EVALIDATE, v, "%s \"%.64s\" is not a Kubernetes quantity", v->key,
			                 shown(v));
		if (cicd__quantity_parse(max, &qmax))
			return cicd__error_set(CICD_EVALIDATE, "%s \"%s\" is not a Kubernetes quantity", maxname, max);
		if (qv > qmax * (1 + 1e-12)) {
			char msg[256];
			snprintf(msg, sizeof msg, "%s \"%.64s\"", maxname, max);
			return var_error(CICD_EDENIED, v, "%s \"%.64s\" is more than %s", v->key, shown(v), msg);
		}
		*(const char **)(void *)((char *)res + SLOTS[s].value_off) = v->value;
	}
	return 0;
}

static int apply_string(const char **target, const cicd_job_payload *job, const char *var, const char *pattern,
                        const char *setting, unsigned int flags)
{
	const job_var *v = cicd__payload_var(job, var);
	int rc;
	if (!v || !v->value[0])
		return 0;
	if (!pattern || !pattern[0]) {
		rc = disabled(v, setting, flags);
		return rc == 1 ? 0 : rc;
	}
	if ((rc = check_pattern(v, pattern, setting)))
		return rc;
	if (!cicd__dns_label(v->value))
		return var_error(CICD_EVALIDATE, v, "%s \"%.64s\" is not a DNS-1123 label", v->key, shown(v));
	*target = v->value;
	return 0;
}

static int is_runner_key(const char *key, size_t len)
{
	const char *slash = memchr(key, '/', len);
	size_t plen = slash ? (size_t)(slash - key) : 0;
	static const char NS[] = "runner.gitlab.com";
	if (!slash)
		return 0;
	return plen >= sizeof NS - 1 && !memcmp(key + plen - (sizeof NS - 1), NS, sizeof NS - 1) &&
	       (plen == sizeof NS - 1 || key[plen - sizeof NS] == '.');
}

/* KUBERNETES_<prefix>*: "key=value" entries (tolerations: "key[=value]:effect"). */
static int apply_map(cicd_arena *arena, pod_kvs *kvs, const cicd_job_payload *job, const char *prefix,
                     const char *pattern, const char *setting, int toleration, unsigned int flags)
{
	size_t i, plen = strlen(prefix);
	int rc;
	for (i = 0; i < job->variable_count; i++) {
		const job_var *v = &job->variables[i];
		const char *sep;
		if (strncmp(v->key, prefix, plen))
			continue;
		if (!pattern || !pattern[0]) {
			rc = disabled(v, setting, flags);
			if (rc == 1)
				continue;
			return rc;
		}
		if ((rc = check_pattern(v, pattern, setting)))
			return rc;
		if (toleration) {
			sep = memchr(v->value, ':', v->value_len);
			if (!sep)
				sep = v->value + v->value_len;
			rc = cicd__kvs_set(arena, kvs, v->value, (size_t)(sep - v->value), *sep ? sep + 1 : "",
			                   *sep ? v->value_len - (size_t)(sep - v->value) - 1 : 0);
		} else {
			sep = memchr(v->value, '=', v->value_len);
			if (!sep || sep == v->value)
				return var_error(CICD_EVALIDATE, v, "%s \"%.200s\" is not of the form key=value",
				                 v->key, shown(v));
			if (is_runner_key(v->value, (size_t)(sep - v->value)))
				return var_error(CICD_EDENIED, v,
				                 "%s may not set a key in the runner.gitlab.com namespace", v->key);
			rc = cicd__kvs_set(arena, kvs, v->value, (size_t)(sep - v->value), sep + 1,
			                   v->value_len - (size_t)(sep - v->value) - 1);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int cicd__pod_effective(pod_effective *e, const cicd_job_payload *job, const cicd_runner_config *cfg,
                        unsigned int flags)
{
	int rc;
	size_t i;
	/* e is zeroed and its arena set up by the caller, which may have used the arena already */
	e->ns = cfg->ns;
	e->service_account = cfg->service_account;
	e->build = cfg->build;
	e->helper = cfg->helper;
	e->service = cfg->service;
	for (i = 0; cfg->pod_labels && i < cfg->pod_labels->count; i++) {
		const cicd_node *k = cfg->pod_labels->u.map.pairs[i].key;
		if (is_runner_key(k->u.scalar.text, k->len))
			return cicd__error_set_at(CICD_EVALIDATE, k->meta->file, k->line, k->column,
			                          "pod_labels may not set a key in the runner.gitlab.com namespace");
	}
	if ((rc = apply_string(&e->ns, job, "KUBERNETES_NAMESPACE_OVERWRITE", cfg->ns_overwrite_allowed,
	                       "namespace_overwrite_allowed", flags)) ||
	    (rc = apply_string(&e->service_account, job, "KUBERNETES_SERVICE_ACCOUNT_OVERWRITE",
	                       cfg->service_account_overwrite_allowed, "service_account_overwrite_allowed", flags)) ||
	    (rc = apply_resources(&e->build, "KUBERNETES_", "", job->variables, job->variable_count, flags)) ||
	    (rc = apply_resources(&e->helper, "KUBERNETES_HELPER_", "helper_", job->variables, job->variable_count,
	                          flags)) ||
	    (rc = kvs_from_map(&e->arena, &e->labels, cfg->pod_labels)) ||
	    (rc = kvs_from_map(&e->arena, &e->annotations, cfg->pod_annotations)) ||
	    (rc = kvs_from_map(&e->arena, &e->node_selector, cfg->node_selector)) ||
	    (rc = kvs_from_map(&e->arena, &e->tolerations, cfg->node_tolerations)) ||
	    (rc = apply_map(&e->arena, &e->labels, job, "KUBERNETES_POD_LABELS_", cfg->pod_labels_overwrite_allowed,
	                    "pod_labels_overwrite_allowed", 0, flags)) ||
	    (rc = apply_map(&e->arena, &e->annotations, job, "KUBERNETES_POD_ANNOTATIONS_",
	                    cfg->pod_annotations_overwrite_allowed, "pod_annotations_overwrite_allowed", 0, flags)) ||
	    (rc = apply_map(&e->arena, &e->node_selector, job, "KUBERNETES_NODE_SELECTOR_",
	                    cfg->node_selector_overwrite_allowed, "node_selector_overwrite_allowed", 0, flags)) ||
	    (rc = apply_map(&e->arena, &e->tolerations, job, "KUBERNETES_NODE_TOLERATIONS_",
	                    cfg->node_tolerations_overwrite_allowed, "node_tolerations_overwrite_allowed", 1, flags)))
		return rc;
	return 0;
}

int cicd__pod_service_resources(pod_resources *out, pod_effective *e, const cicd_job_payload *job,
                                const cicd_runner_config *cfg, const job_image *svc, unsigned int flags)
{
	int rc;
	(void)e;
	*out = cfg->service;
	if ((rc = apply_resources(out, "KUBERNETES_SERVICE_", "service_", job->variables, job->variable_count, flags)))
		return rc;
	return apply_resources(out, "KUBERNETES_SERVICE_", "service_", svc->variables, svc->variable_count, flags);
}

void cicd__pod_effective_dispose(pod_effective *e)
{
	cicd__arena_release(&e->arena);
}
