/*
 * The runner configuration: runner-level keys at the top and GitLab
 * Runner's [runners.kubernetes] keys, spelled the same, under
 * `kubernetes:` (docs/runner-config.md). Table-driven: each key has a type
 * and a field; values are borrowed from the loaded document.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/diagnostics.h"
#include "core/error.h"
#include "core/file.h"
#include "core/regex.h"
#include "core/scalar_value.h"
#include "pod_internal.h"

enum { T_STR, T_BOOL, T_INT, T_STRS, T_MAP, T_NODE, T_QTY, T_REGEX, T_IGNORED, T_VOLUMES, T_DURATION };

typedef struct key_spec {
	const char *key;
	int type;
	size_t offset;
} key_spec;

#define F(field) offsetof(struct cicd_runner_config, field)
#define RES(prefix, field)                                                                                             \
	{prefix "cpu_request", T_QTY, F(field.cpu_request)}, {prefix "cpu_limit", T_QTY, F(field.cpu_limit)},          \
	    {prefix "memory_request", T_QTY, F(field.memory_request)},                                                 \
	    {prefix "memory_limit", T_QTY, F(field.memory_limit)},                                                     \
	    {prefix "ephemeral_storage_request", T_QTY, F(field.ephemeral_storage_request)},                           \
	    {prefix "ephemeral_storage_limit", T_QTY, F(field.ephemeral_storage_limit)},                               \
	    {prefix "cpu_request_overwrite_max_allowed", T_QTY, F(field.cpu_request_max)},                             \
	    {prefix "cpu_limit_overwrite_max_allowed", T_QTY, F(field.cpu_limit_max)},                                 \
	    {prefix "memory_request_overwrite_max_allowed", T_QTY, F(field.memory_request_max)},                       \
	    {prefix "memory_limit_overwrite_max_allowed", T_QTY, F(field.memory_limit_max)},                           \
	    {prefix "ephemeral_storage_request_overwrite_max_allowed", T_QTY, F(field.ephemeral_storage_request_max)}, \
	{                                                                                                              \
		prefix "ephemeral_storage_limit_overwrite_max_allowed", T_QTY, F(field.ephemeral_storage_limit_max)    \
	}

static const key_spec RUNNER_KEYS[] = {
    {"name", T_STR, F(name)},
    {"short_token", T_STR, F(token_prefix)},
    {"builds_dir", T_STR, F(builds_dir)},
    {"shell", T_STR, F(shell)},
    {"kubernetes", T_IGNORED, 0},
    {"url", T_IGNORED, 0},
    {"executor", T_IGNORED, 0},
    {"limit", T_IGNORED, 0},
    {"output_limit", T_IGNORED, 0},
    {"environment", T_IGNORED, 0},
};

static const key_spec K8S_KEYS[] = {
    {"namespace", T_STR, F(ns)},
    {"namespace_overwrite_allowed", T_REGEX, F(ns_overwrite_allowed)},
    {"image", T_STR, F(image)},
    {"helper_image", T_STR, F(helper_image)},
    {"pull_policy", T_STRS, F(pull_policy)},
    {"allowed_pull_policies", T_STRS, F(allowed_pull_policies)},
    {"allowed_images", T_STRS, F(allowed_images)},
    {"allowed_services", T_STRS, F(allowed_services)},
    {"image_pull_secrets", T_STRS, F(image_pull_secrets)},
    {"use_service_account_image_pull_secrets", T_BOOL, F(use_sa_image_pull_secrets)},
    RES("", build),
    RES("helper_", helper),
    RES("service_", service),
    {"service_account", T_STR, F(service_account)},
    {"service_account_overwrite_allowed", T_REGEX, F(service_account_overwrite_allowed)},
    {"bearer_token_overwrite_allowed", T_BOOL, F(bearer_token_overwrite_allowed)},
    {"automount_service_account_token", T_BOOL, F(automount_sa_token)},
    {"node_selector", T_MAP, F(node_selector)},
    {"node_selector_overwrite_allowed", T_REGEX, F(node_selector_overwrite_allowed)},
    {"node_tolerations", T_MAP, F(node_tolerations)},
    {"node_tolerations_overwrite_allowed", T_REGEX, F(node_tolerations_overwrite_allowed)},
    {"affinity", T_NODE, F(affinity)},
    {"pod_security_context", T_NODE, F(pod_security_context)},
    {"build_container_security_context", T_NODE, F(build_sc)},
    {"helper_container_security_context", T_NODE, F(helper_sc)},
    {"service_container_security_context", T_NODE, F(service_sc)},
    {"init_permissions_container_security_context", T_NODE, F(init_sc)},
    {"privileged", T_BOOL, F(privileged)},
    {"allow_privilege_escalation", T_BOOL, F(allow_privilege_escalation)},
    {"cap_add", T_STRS, F(cap_add)},
    {"cap_drop", T_STRS, F(cap_drop)},
    {"pod_labels", T_MAP, F(pod_labels)},
    {"pod_labels_overwrite_allowed", T_REGEX, F(pod_labels_overwrite_allowed)},
    {"pod_annotations", T_MAP, F(pod_annotations)},
    {"pod_annotations_overwrite_allowed", T_REGEX, F(pod_annotations_overwrite_allowed)},
    {"volumes", T_VOLUMES, 0},
    {"poll_timeout", T_INT, F(poll_timeout)},
    {"poll_interval", T_INT, F(poll_interval)},
    {"pod_termination_grace_period_seconds", T_INT, F(termination_grace)},
    {"cleanup_grace_period_seconds", T_INT, F(cleanup_grace)},
    {"scripts_base_dir", T_STR, F(scripts_base_dir)},
    {"logs_base_dir", T_STR, F(logs_base_dir)},
    {"scheduler_name", T_STR, F(scheduler_name)},
    {"priority_class_name", T_STR, F(priority_class_name)},
    {"runtime_class_name", T_STR, F(runtime_class_name)},
    {"dns_policy", T_STR, F(dns_policy)},
    {"dns_config", T_NODE, F(dns_config)},
    {"host_aliases", T_NODE, F(host_aliases)},
    /* used to reach the cluster (kube module), not by the renderer */
    {"host", T_IGNORED, 0},
    {"context", T_IGNORED, 0},
    {"cert_file", T_IGNORED, 0},
    {"key_file", T_IGNORED, 0},
    {"ca_file", T_IGNORED, 0},
    {"bearer_token", T_IGNORED, 0},
    {"namespace_per_job", T_IGNORED, 0},
    {"retry_limit", T_IGNORED, 0},
    {"cleanup_resources_timeout", T_IGNORED, 0},
};

static int bad(const cicd_node *n, const char *key, const char *what)
{
	return cicd__error_set_at(CICD_EPARSE, n->meta->file, n->line, n->column, "runner config: \"%s\" must be %s", key,
	                          what);
}

static int is_null(const cicd_node *n)
{
	return n->kind == CICD_NODE_SCALAR && n->style == CICD_SCALAR_PLAIN && n->value_type == CICD_VALUE_NULL;
}

static int set_strs(cicd_runner_config *cfg, const cicd_node *v, const char *key, pod_strs *out)
{
	size_t i;
	if (v->kind == CICD_NODE_SCALAR) {
		if (!(out->items = cicd__arena_alloc(&cfg->arena, sizeof *out->items)))
			return cicd__error_oom();
		out->items[0] = v->u.scalar.text;
		out->count = 1;
		return 0;
	}
	if (v->kind != CICD_NODE_SEQUENCE)
		return bad(v, key, "a list of strings");
	if (v->count && !(out->items = cicd__arena_calloc(&cfg->arena, v->count, sizeof *out->items)))
		return cicd__error_oom();
	for (i = 0; i < v->count; i++) {
		if (v->u.seq.items[i]->kind != CICD_NODE_SCALAR)
			return bad(v->u.seq.items[i], key, "a list of strings");
		out->items[i] = v->u.seq.items[i]->u.scalar.text;
	}
	out->count = v->count;
	return 0;
}

static int check_volume_name(const cicd_node *n, const char *name)
{
	if (!cicd__dns_label(name))
		return cicd__error_set_at(CICD_EPARSE, n->meta->file, n->line, n->column,
		                          "runner config: volume name \"%.80s\" is not a DNS-1123 label", name);
	return 0;
}

static int parse_volumes(cicd_runner_config *cfg, const cicd_node *v)
{
	static const struct {
		const char *key;
		int kind;
	} KINDS[] = {{"host_path", POD_VOL_HOST_PATH},
	             {"pvc", POD_VOL_PVC},
	             {"config_map", POD_VOL_CONFIG_MAP},
	             {"secret", POD_VOL_SECRET},
	             {"empty_dir", POD_VOL_EMPTY_DIR}};
	size_t total = 0, i, k, j;
	if (v->kind != CICD_NODE_MAPPING)
		return bad(v, "volumes", "a mapping of volume kinds");
	for (i = 0; i < v->count; i++) {
		const cicd_node *key = v->u.map.pairs[i].key, *list = v->u.map.pairs[i].value;
		if (key->kind != CICD_NODE_SCALAR)
			return bad(key, "volumes", "a mapping of volume kinds (names as keys)");
		if (list->kind != CICD_NODE_SEQUENCE)
			return bad(list, key->u.scalar.text, "a list of volumes");
		total += list->count;
	}
	if (total > 256)
		return cicd__error_set_at(CICD_ELIMIT, v->meta->file, v->line, v->column,
		                          "runner config: %zu volumes, more than the limit of 256", total);
	if (total && !(cfg->volumes = cicd__arena_calloc(&cfg->arena, total, sizeof *cfg->volumes)))
		return cicd__error_oom();
	for (i = 0; i < v->count; i++) {
		const cicd_node *key = v->u.map.pairs[i].key, *list = v->u.map.pairs[i].value;
		int kind = 0;
		for (k = 0; k < sizeof KINDS / sizeof KINDS[0]; k++)
			if (cicd__node_is(key, KINDS[k].key))
				kind = KINDS[k].kind;
		if (!kind)
			return cicd__error_set_at(CICD_EPARSE, key->meta->file, key->line, key->column,
			                          "runner config: unknown volume kind \"%.64s\" (host_path, pvc, "
			                          "config_map, secret, empty_dir)",
			                          key->u.scalar.text);
		for (j = 0; j < list->count; j++) {
			const cicd_node *e = list->u.seq.items[j];
			pod_volume *vol = &cfg->volumes[cfg->volume_count];
			if (e->kind != CICD_NODE_MAPPING)
				return bad(e, key->u.scalar.text, "a list of mappings");
			vol->kind = kind;
			vol->node = e;
			for (k = 0; k < e->count; k++) {
				const cicd_node *ek = e->u.map.pairs[k].key, *ev = e->u.map.pairs[k].value;
				const char *name = ek->u.scalar.text;
				if (cicd__node_is(ek, "items") &&
				    (kind == POD_VOL_CONFIG_MAP || kind == POD_VOL_SECRET)) {
					if (ev->kind != CICD_NODE_MAPPING)
						return bad(ev, name, "a mapping of key: path");
					vol->items = ev;
					continue;
				}
				if (ev->kind != CICD_NODE_SCALAR)
					return bad(ev, name, "a scalar");
				if (!strcmp(name, "name"))
					vol->name = ev->u.scalar.text;
				else if (!strcmp(name, "mount_path"))
					vol->mount_path = ev->u.scalar.text;
				else if (!strcmp(name, "sub_path"))
					vol->sub_path = ev->u.scalar.text;
				else if (!strcmp(name, "read_only")) {
					if ((vol->read_only = cicd__scalar_bool(ev)) < 0)
						return bad(ev, name, "true or false");
				} else if (!strcmp(name, "host_path") && kind == POD_VOL_HOST_PATH)
					vol->source = ev->u.scalar.text;
				else if (!strcmp(name, "medium") && kind == POD_VOL_EMPTY_DIR)
					vol->medium = ev->u.scalar.text;
				else if (!strcmp(name, "size_limit") && kind == POD_VOL_EMPTY_DIR) {
					double q;
					if (cicd__quantity_parse(ev->u.scalar.text, &q))
						return bad(ev, name, "a Kubernetes quantity");
					vol->size_limit = ev->u.scalar.text;
				} else
					return cicd__error_set_at(CICD_EPARSE, ek->meta->file, ek->line, ek->column,
					                          "runner config: unknown key \"%.64s\" in a %s volume",
					                          name, key->u.scalar.text);
			}
			if (!vol->name || !vol->mount_path)
				return cicd__error_set_at(CICD_EPARSE, e->meta->file, e->line, e->column,
				                          "runner config: a %s volume needs name and mount_path",
				                          key->u.scalar.text);
			if (check_volume_name(e, vol->name))
				return CICD_EPARSE;
			if (vol->mount_path[0] != '/')
				return cicd__error_set_at(CICD_EPARSE, e->meta->file, e->line, e->column,
				                          "runner config: mount_path \"%.200s\" is not absolute",
				                          vol->mount_path);
			if (kind == POD_VOL_HOST_PATH && !vol->source)
				vol->source = vol->mount_path;
			else if (kind != POD_VOL_HOST_PATH)
				vol->source = vol->name;
			cfg->volume_count++;
		}
	}
	return 0;
}

static int set_key(cicd_runner_config *cfg, const key_spec *ks, const cicd_node *v)
{
	char *base = (char *)cfg;
	const char *key = ks->key;
	long long iv;
	double q;
	char errbuf[256];
	cicd_regex *re = NULL;
	if (is_null(v) && ks->type != T_IGNORED)
		return 0;
	switch (ks->type) {
	case T_STR:
	case T_QTY:
	case T_REGEX:
		if (v->kind != CICD_NODE_SCALAR)
			return bad(v, key, "a string");
		if (ks->type == T_QTY && cicd__quantity_parse(v->u.scalar.text, &q))
			return cicd__error_set_at(CICD_EPARSE, v->meta->file, v->line, v->column,
			                          "runner config: \"%s\" is not a Kubernetes quantity: \"%.64s\"", key,
			                          v->u.scalar.text);
		if (ks->type == T_REGEX) {
			if (cicd__regex_compile(&re, v->u.scalar.text, v->len, 0, errbuf, sizeof errbuf))
				return cicd__error_set_at(CICD_EPARSE, v->meta->file, v->line, v->column,
				                          "runner config: \"%s\" is not a valid regular expression: %s",
				                          key, errbuf);
			cicd__regex_free(re);
		}
		*(const char **)(void *)(base + ks->offset) = v->u.scalar.text;
		return 0;
	case T_BOOL: {
		int b = v->kind == CICD_NODE_SCALAR ? cicd__scalar_bool(v) : -1;
		if (b < 0)
			return bad(v, key, "true or false");
		*(int *)(void *)(base + ks->offset) = b;
		return 0;
	}
	case T_INT:
		if (v->kind != CICD_NODE_SCALAR || cicd__scalar_int(v, &iv) || iv < 0)
			return bad(v, key, "a non-negative integer");
		*(long long *)(void *)(base + ks->offset) = iv;
		return 0;
	case T_STRS:
		if (!strcmp(key, "cap_drop"))
			cfg->cap_drop_set = 1;
		return set_strs(cfg, v, key, (pod_strs *)(void *)(base + ks->offset));
	case T_MAP: {
		size_t i;
		if (v->kind != CICD_NODE_MAPPING)
			return bad(v, key, "a mapping of strings");
		for (i = 0; i < v->count; i++)
			if (v->u.map.pairs[i].value->kind != CICD_NODE_SCALAR)
				return bad(v->u.map.pairs[i].value, key, "a mapping of strings");
		*(const cicd_node **)(void *)(base + ks->offset) = v;
		return 0;
	}
	case T_NODE:
		if (v->kind != CICD_NODE_MAPPING && !(v->kind == CICD_NODE_SEQUENCE && !strcmp(key, "host_aliases")))
			return bad(v, key, "a mapping");
		*(const cicd_node **)(void *)(base + ks->offset) = v;
		return 0;
	case T_VOLUMES:
		return parse_volumes(cfg, v);
	default:
		return 0;
	}
}

static int apply_keys(cicd_runner_config *cfg, const cicd_node *map, const key_spec *specs, size_t nspecs,
                      const char *where)
{
	size_t i, k;
	int rc;
	for (i = 0; i < map->count; i++) {
		const cicd_node *key = map->u.map.pairs[i].key;
		const key_spec *ks = NULL;
		if (key->kind == CICD_NODE_SCALAR)
			for (k = 0; k < nspecs && !ks; k++)
				if (cicd__node_is(key, specs[k].key))
					ks = &specs[k];
		if (!ks) {
			if (cicd__diagnostics_add(&cfg->warnings, CICD_SEVERITY_WARNING, CICD_EPARSE, key->meta->file,
			                          key->line, key->column, "unknown key \"%.64s\" in %s is ignored",
			                          key->kind == CICD_NODE_SCALAR ? key->u.scalar.text : "?", where))
				return CICD_ENOMEM;
			continue;
		}
		if ((rc = set_key(cfg, ks, map->u.map.pairs[i].value)))
			return rc;
	}
	return 0;
}

static int check_policies(const pod_strs *s, const char *key, const cicd_node *map)
{
	size_t i;
	for (i = 0; i < s->count; i++)
		if (strcmp(s->items[i], "always") && strcmp(s->items[i], "if-not-present") &&
		    strcmp(s->items[i], "never")) {
			const cicd_node *n = cicd__node_get(map, key, strlen(key));
			return cicd__error_set_at(CICD_EPARSE, n->meta->file, n->line, n->column,
			                          "runner config: pull policy \"%.32s\" is not always, if-not-present "
			                          "or never",
			                          s->items[i]);
		}
	return 0;
}

CICD_EXTERN(int) cicd_runner_config_options_init(cicd_runner_config_options *opts, unsigned int version)
{
	cicd_runner_config_options def = CICD_RUNNER_CONFIG_OPTIONS_INIT;
	if (!opts || version != CICD_RUNNER_CONFIG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_runner_config_options_init: unknown options version %u",
		                       version);
	*opts = def;
	return 0;
}

static int load_root(cicd_runner_config *cfg, const cicd_node *root)
{
	const cicd_node *k8s;
	int rc;
	if (!root)
		return 0; /* an empty file: every default */
	if (root->kind != CICD_NODE_MAPPING)
		return cicd__error_set_at(CICD_EPARSE, root->meta->file, root->line, root->column,
		                          "runner config: the top level must be a mapping");
	if ((rc = apply_keys(cfg, root, RUNNER_KEYS, sizeof RUNNER_KEYS / sizeof RUNNER_KEYS[0], "the runner")))
		return rc;
	k8s = cicd__node_get(root, "kubernetes", 10);
	if (k8s && !is_null(k8s)) {
		if (k8s->kind != CICD_NODE_MAPPING)
			return bad(k8s, "kubernetes", "a mapping");
		if ((rc = apply_keys(cfg, k8s, K8S_KEYS, sizeof K8S_KEYS / sizeof K8S_KEYS[0], "kubernetes")))
			return rc;
		if ((rc = check_policies(&cfg->pull_policy, "pull_policy", k8s)) ||
		    (rc = check_policies(&cfg->allowed_pull_policies, "allowed_pull_policies", k8s)))
			return rc;
	}
	if (cfg->token_prefix && strlen(cfg->token_prefix) > 16)
		return cicd__error_set_at(CICD_EPARSE, root->meta->file, root->line, root->column,
		                          "runner config: short_token is longer than 16 characters (give the first 8 "
		                          "characters of the runner token, never the token)");
	if (cfg->ns && !cicd__dns_label(cfg->ns))
		return cicd__error_set_at(CICD_EPARSE, k8s->meta->file, k8s->line, k8s->column,
		                          "runner config: namespace \"%.64s\" is not a DNS-1123 label", cfg->ns);
	return 0;
}

CICD_EXTERN(int)
cicd_runner_config_load(cicd_runner_config **out, const char *yaml, size_t len, const char *name,
                        const cicd_runner_config_options *opts)
{
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_runner_config *cfg;
	int rc;
	if (!out || (!yaml && len))
		return cicd__error_set(CICD_EINVALID, "cicd_runner_config_load: out and yaml are required");
	*out = NULL;
	if (opts && opts->version != CICD_RUNNER_CONFIG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_runner_config_load: unknown options version %u",
		                       opts->version);
	dopts.flags = CICD_DOCUMENT_STRICT_KEYS;
	dopts.max_bytes = opts && opts->max_bytes ? opts->max_bytes : 1u << 20;
	dopts.max_depth = 64;
	dopts.max_nodes = 100000;
	dopts.max_alias_expansion = 10000;
	if (!(cfg = cicd__calloc(1, sizeof *cfg)))
		return cicd__error_oom();
	cicd__arena_init(&cfg->arena, 4096);
	cicd__diagnostics_init(&cfg->warnings);
	cfg->automount_sa_token = -1;
	cfg->privileged = -1;
	cfg->allow_privilege_escalation = -1;
	cfg->termination_grace = -1;
	cfg->cleanup_grace = -1;
	cfg->poll_timeout = 180;
	cfg->poll_interval = 3;
	rc = cicd_document_load_buffer(&cfg->doc, yaml ? yaml : "", len, name ? name : "<runner config>", &dopts);
	if (!rc && cicd_document_count(cfg->doc) > 1)
		rc = cicd__error_set_at(CICD_EPARSE, cfg->doc->name, cicd_document_line(cfg->doc, 1), 1,
		                        "runner config: more than one document");
	if (!rc)
		rc = load_root(cfg, cicd_document_root(cfg->doc, 0));
	if (rc) {
		cicd_runner_config_free(cfg);
		return rc;
	}
	if (!cfg->builds_dir)
		cfg->builds_dir = "/builds";
	if (!cfg->ns)
		cfg->ns = "default";
	if (!cfg->helper_image)
		cfg->helper_image = "gitlab/gitlab-runner-helper:x86_64-latest";
	*out = cfg;
	return 0;
}

CICD_EXTERN(int)
cicd_runner_config_load_file(cicd_runner_config **out, const char *path, const cicd_runner_config_options *opts)
{
	char *data = NULL;
	size_t len = 0;
	int rc;
	if (!out || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_runner_config_load_file: out and path are required");
	*out = NULL;
	if ((rc = cicd__file_read(path, opts && opts->max_bytes ? opts->max_bytes : 1u << 20, &data, &len)))
		return rc;
	rc = cicd_runner_config_load(out, data, len, path, opts);
	cicd__free(data);
	return rc;
}

CICD_EXTERN(void) cicd_runner_config_free(cicd_runner_config *cfg)
{
	if (!cfg)
		return;
	cicd_document_free(cfg->doc);
	cicd__diagnostics_dispose(&cfg->warnings);
	cicd__arena_release(&cfg->arena);
	cicd__free(cfg);
}

CICD_EXTERN(const cicd_diagnostics *) cicd_runner_config_diagnostics(const cicd_runner_config *cfg)
{
	static const cicd_diagnostics empty = {NULL, 0, 0, 0, 0};
	return cfg ? &cfg->warnings : &empty;
}
