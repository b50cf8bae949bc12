/*
 * Kubeconfig loading: several files merged as kubectl merges them (first
 * file to name a cluster, user or context wins; current-context from the
 * first file that sets it), the chosen context resolved into one flat
 * cicd_kube_config, and the in-cluster service account as the fallback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "core/file.h"
#include "kube_internal.h"

#define DEFAULT_MAX_BYTES (4u << 20)
#define SERVICE_ACCOUNT_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

int cicd_kube_config_options_init(cicd_kube_config_options *opts, unsigned int version)
{
	static const cicd_kube_config_options init = CICD_KUBE_CONFIG_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_CONFIG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_config_options version %u", version);
	*opts = init;
	return 0;
}

/* One named entry (cluster, user, context) and the folder of the file that defined it. */
typedef struct named_entry {
	const cicd_node *node;
	const char *dir;
} named_entry;

typedef struct merged {
	cicd_hashmap clusters, users, contexts; /* name -> named_entry */
	const cicd_node *current_context;
	cicd_vec docs; /* cicd_document * */
	cicd_vec dirs; /* char * */
	cicd_vec entries; /* named_entry * */
} merged;

static void merged_dispose(merged *m)
{
	cicd__hashmap_dispose(&m->clusters);
	cicd__hashmap_dispose(&m->users);
	cicd__hashmap_dispose(&m->contexts);
	cicd__vec_dispose_with(&m->docs, (void (*)(void *))cicd_document_free);
	cicd__vec_dispose_with(&m->dirs, cicd__free);
	cicd__vec_dispose_with(&m->entries, cicd__free);
}

/* A parse error at a node; a macro so the format is checked. */
#define node_error(n, fmt, arg) cicd__error_set_at(CICD_EPARSE, (n)->meta->file, (n)->line, (n)->column, fmt, arg)

const char *kube__str(const cicd_node *map, const char *key)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	if (!v || v->kind != CICD_NODE_SCALAR || v->value_type == CICD_VALUE_NULL)
		return NULL;
	return v->u.scalar.text;
}

/* Adds each `- name: N <field>: {...}` of list `key` to map, first one wins. */
static int merge_list(merged *m, cicd_hashmap *map, const cicd_node *root, const char *key, const char *field,
		      const char *dir)
{
	const cicd_node *list = cicd__node_get(root, key, strlen(key));
	size_t i;
	if (!list || (list->kind == CICD_NODE_SCALAR && list->value_type == CICD_VALUE_NULL))
		return 0;
	if (list->kind != CICD_NODE_SEQUENCE)
		return node_error(list, "'%s' must be a list", key);
	for (i = 0; i < list->count; i++) {
		const cicd_node *item = list->u.seq.items[i];
		const cicd_node *name, *body;
		named_entry *e;
		if (item->kind != CICD_NODE_MAPPING)
			return node_error(item, "each entry of '%s' must be a mapping", key);
		name = cicd__node_get(item, "name", 4);
		if (!name || name->kind != CICD_NODE_SCALAR || name->len == 0)
			return node_error(item, "an entry of '%s' has no name", key);
		body = cicd__node_get(item, field, strlen(field));
		if (!body || body->kind != CICD_NODE_MAPPING)
			return cicd__error_set_at(CICD_EPARSE, item->meta->file, item->line, item->column,
						  "'%s' entry '%s' has no '%s' mapping", key, name->u.scalar.text, field);
		if (cicd__hashmap_get(map, name->u.scalar.text, name->len))
			continue; /* an earlier file named it first */
		e = cicd__malloc_or_set(sizeof *e);
		if (!e)
			return CICD_ENOMEM;
		e->node = body;
		e->dir = dir;
		if (cicd__vec_push(&m->entries, e)) {
			cicd__free(e);
			return CICD_ENOMEM;
		}
		if (cicd__hashmap_put(map, name->u.scalar.text, name->len, e, NULL))
			return CICD_ENOMEM;
	}
	return 0;
}

static int merge_document(merged *m, cicd_document *doc, const char *dir)
{
	const cicd_node *root;
	const char *cc;
	int rc;
	if (cicd__vec_push(&m->docs, doc)) {
		cicd_document_free(doc);
		return CICD_ENOMEM;
	}
	root = doc->count ? doc->docs[0].root : NULL;
	if (!root || (root->kind == CICD_NODE_SCALAR && root->value_type == CICD_VALUE_NULL))
		return 0; /* an empty file is an empty config, as for kubectl */
	if (root->kind != CICD_NODE_MAPPING)
		return node_error(root, "a kubeconfig must be a mapping%s", "");
	if ((rc = merge_list(m, &m->clusters, root, "clusters", "cluster", dir)) ||
	    (rc = merge_list(m, &m->users, root, "users", "user", dir)) ||
	    (rc = merge_list(m, &m->contexts, root, "contexts", "context", dir)))
		return rc;
	cc = kube__str(root, "current-context");
	if (!m->current_context && cc && *cc)
		m->current_context = cicd__node_get(root, "current-context", 15);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cicd__strdup(".");
	if (slash == path)
		return cicd__strdup("/");
	return cicd__strndup(path, (size_t)(slash - path));
}

static char *resolve_path(const char *dir, const char *p)
{
	cicd_buf b = CICD_BUF_INIT;
	if (!p || !*p)
		return NULL;
	if (p[0] == '/' || !dir)
		return cicd__strdup(p);
	if (p[0] == '~' && p[1] == '/' && getenv("HOME")) {
		cicd__buf_printf(&b, "%s%s", getenv("HOME"), p + 1);
		return cicd__buf_detach(&b);
	}
	cicd__buf_printf(&b, "%s/%s", dir, p);
	return cicd__buf_detach(&b);
}

/* Sets a blob from `<key>-data` (base64) if present. */
static int take_data(kube_blob *blob, const cicd_node *map, const char *key)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	if (!v || v->kind != CICD_NODE_SCALAR || v->value_type == CICD_VALUE_NULL || v->len == 0)
		return 0;
	if (kube__base64_decode(blob, v->u.scalar.text, v->len))
		return cicd__error_set_at(CICD_EPARSE, v->meta->file, v->line, v->column, "'%s' is not valid base64", key);
	return 0;
}

static int take_path(char **out, const cicd_node *map, const char *key, const char *dir)
{
	const char *s = kube__str(map, key);
	if (!s || !*s)
		return 0;
	*out = resolve_path(dir, s);
	return *out ? 0 : cicd__error_oom();
}

static int take_str(char **out, const cicd_node *map, const char *key)
{
	const char *s = kube__str(map, key);
	if (!s || !*s)
		return 0;
	*out = cicd__strdup(s);
	return *out ? 0 : cicd__error_oom();
}

static int is_true(const cicd_node *map, const char *key)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	return v && v->kind == CICD_NODE_SCALAR && v->value_type == CICD_VALUE_BOOL &&
	       (cicd__node_is(v, "true") || cicd__node_is(v, "True") || cicd__node_is(v, "TRUE") ||
		cicd__node_is(v, "yes") || cicd__node_is(v, "on"));
}

static char **string_list(const cicd_node *seq, int *rc)
{
	size_t i, n = seq && seq->kind == CICD_NODE_SEQUENCE ? seq->count : 0;
	char **list = cicd__calloc(n + 1, sizeof *list);
	*rc = 0;
	if (!list) {
		*rc = cicd__error_oom();
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const cicd_node *it = seq->u.seq.items[i];
		if (it->kind != CICD_NODE_SCALAR) {
			*rc = node_error(it, "exec args must be strings%s", "");
			break;
		}
		if (!(list[i] = cicd__strdup(it->u.scalar.text))) {
			*rc = cicd__error_oom();
			break;
		}
	}
	return list;
}

static int take_exec(struct cicd_kube_config *cfg, const cicd_node *exec, const char *dir)
{
	const cicd_node *env = cicd__node_get(exec, "env", 3);
	const char *mode = kube__str(exec, "interactiveMode");
	size_t i, n;
	int rc;
	if (exec->kind != CICD_NODE_MAPPING)
		return node_error(exec, "'exec' must be a mapping%s", "");
	if (!kube__str(exec, "command"))
		return node_error(exec, "'exec' has no command%s", "");
	cfg->has_exec = 1;
	if ((rc = take_str(&cfg->exec.command, exec, "command")) || (rc = take_str(&cfg->exec.api_version, exec, "apiVersion")))
		return rc;
	if (!cfg->exec.api_version)
		return node_error(exec, "'exec' has no apiVersion%s", "");
	if (strcmp(cfg->exec.api_version, "client.authentication.k8s.io/v1") &&
	    strcmp(cfg->exec.api_version, "client.authentication.k8s.io/v1beta1"))
		return node_error(exec, "exec apiVersion '%s' is not supported (client.authentication.k8s.io/v1 or v1beta1)",
				  cfg->exec.api_version);
	cfg->exec.args = string_list(cicd__node_get(exec, "args", 4), &rc);
	if (rc)
		return rc;
	n = env && env->kind == CICD_NODE_SEQUENCE ? env->count : 0;
	if (env && env->kind != CICD_NODE_SEQUENCE && !(env->kind == CICD_NODE_SCALAR && env->value_type == CICD_VALUE_NULL))
		return node_error(env, "exec env must be a list of name/value pairs%s", "");
	cfg->exec.env = cicd__calloc(n + 1, sizeof *cfg->exec.env);
	if (!cfg->exec.env)
		return cicd__error_oom();
	for (i = 0; i < n; i++) {
		const cicd_node *e = env->u.seq.items[i];
		const char *name = kube__str(e, "name"), *value = kube__str(e, "value");
		cicd_buf b = CICD_BUF_INIT;
		if (!name || !*name)
			return node_error(e, "exec env entry has no name%s", "");
		if (cicd__buf_printf(&b, "%s=%s", name, value ? value : ""))
			return CICD_ENOMEM;
		cfg->exec.env[i] = cicd__buf_detach(&b);
	}
	if (mode && !strcmp(mode, "Always"))
		cfg->exec.interactive_always = 1;
	cfg->exec.provide_cluster_info = is_true(exec, "provideClusterInfo");
	cfg->exec.dir = cicd__strdup(dir ? dir : ".");
	return cfg->exec.dir ? 0 : cicd__error_oom();
}

static int fill_from_context(struct cicd_kube_config *cfg, merged *m, const char *context_name,
			     const cicd_kube_config_options *opts)
{
	named_entry *ctx, *cluster, *user;
	const char *cluster_name, *user_name, *ns;
	const cicd_node *exec;
	int rc;
	if (!context_name)
		return cicd__error_set(CICD_ENOTFOUND, "no current-context is set and no context was chosen");
	ctx = cicd__hashmap_get(&m->contexts, context_name, strlen(context_name));
	if (!ctx)
		return cicd__error_set(CICD_ENOTFOUND, "context '%s' not found", context_name);
	cluster_name = kube__str(ctx->node, "cluster");
	user_name = kube__str(ctx->node, "user");
	if (!cluster_name)
		return node_error(ctx->node, "context '%s' names no cluster", context_name);
	cluster = cicd__hashmap_get(&m->clusters, cluster_name, strlen(cluster_name));
	if (!cluster)
		return cicd__error_set_at(CICD_ENOTFOUND, ctx->node->meta->file, ctx->node->line, ctx->node->column,
					  "cluster '%s' of context '%s' not found", cluster_name, context_name);
	user = user_name ? cicd__hashmap_get(&m->users, user_name, strlen(user_name)) : NULL;
	if (user_name && !user)
		return cicd__error_set_at(CICD_ENOTFOUND, ctx->node->meta->file, ctx->node->line, ctx->node->column,
					  "user '%s' of context '%s' not found", user_name, context_name);
	if (!(cfg->context = cicd__strdup(context_name)))
		return cicd__error_oom();
	ns = opts && opts->namespace_name && *opts->namespace_name ? opts->namespace_name : kube__str(ctx->node, "namespace");
	if (!(cfg->namespace_name = cicd__strdup(ns && *ns ? ns : "default")))
		return cicd__error_oom();

	if ((rc = take_str(&cfg->server, cluster->node, "server")))
		return rc;
	if (!cfg->server)
		return node_error(cluster->node, "cluster '%s' has no server", cluster_name);
	if ((rc = take_path(&cfg->ca_file, cluster->node, "certificate-authority", cluster->dir)) ||
	    (rc = take_data(&cfg->ca_data, cluster->node, "certificate-authority-data")) ||
	    (rc = take_str(&cfg->tls_server_name, cluster->node, "tls-server-name")) ||
	    (rc = take_str(&cfg->proxy_url, cluster->node, "proxy-url")))
		return rc;
	cfg->insecure = is_true(cluster->node, "insecure-skip-tls-verify");
	cfg->auth_kind = "none";
	if (!user)
		return 0;
	if ((rc = take_path(&cfg->cert_file, user->node, "client-certificate", user->dir)) ||
	    (rc = take_data(&cfg->cert_data, user->node, "client-certificate-data")) ||
	    (rc = take_path(&cfg->key_file, user->node, "client-key", user->dir)) ||
	    (rc = take_data(&cfg->key_data, user->node, "client-key-data")) ||
	    (rc = take_str(&cfg->token, user->node, "token")) ||
	    (rc = take_path(&cfg->token_file, user->node, "tokenFile", user->dir)))
		return rc;
	if ((cfg->cert_file || cfg->cert_data.len) != (cfg->key_file || cfg->key_data.len))
		return node_error(user->node, "user '%s' has a client certificate without a key, or a key without a certificate",
				  user_name);
	exec = cicd__node_get(user->node, "exec", 4);
	if (exec && !(exec->kind == CICD_NODE_SCALAR && exec->value_type == CICD_VALUE_NULL) &&
	    (rc = take_exec(cfg, exec, user->dir)))
		return rc;
	if (cicd__node_get(user->node, "auth-provider", 13) && !cfg->token && !cfg->has_exec)
		return node_error(user->node, "user '%s' uses an auth-provider, which is not supported: use an exec plugin",
				  user_name);
	if (cfg->has_exec)
		cfg->auth_kind = "exec";
	else if (cfg->token)
		cfg->auth_kind = "token";
	else if (cfg->token_file)
		cfg->auth_kind = "token-file";
	else if (cfg->cert_file || cfg->cert_data.len)
		cfg->auth_kind = "client-certificate";
	return 0;
}

static int config_new(cicd_kube_config **out)
{
	*out = cicd__calloc(1, sizeof **out);
	return *out ? 0 : cicd__error_oom();
}

static int finish(cicd_kube_config **out, merged *m, const cicd_kube_config_options *opts)
{
	cicd_kube_config *cfg;
	const char *ctx = opts && opts->context && *opts->context ? opts->context
				: m->current_context ? m->current_context->u.scalar.text
						     : NULL;
	int rc = config_new(&cfg);
	if (rc)
		return rc;
	if ((rc = fill_from_context(cfg, m, ctx, opts))) {
		cicd_kube_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

int cicd_kube_config_parse(cicd_kube_config **out, const char *data, size_t len, const char *name,
			   const cicd_kube_config_options *opts)
{
	merged m;
	cicd_document *doc = NULL;
	int rc;
	if (!out || (!data && len))
		return cicd__error_set(CICD_EINVALID, "cicd_kube_config_parse: out and data are required");
	*out = NULL;
	if (opts && opts->version != CICD_KUBE_CONFIG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_config_options version %u", opts->version);
	memset(&m, 0, sizeof m);
	if ((rc = cicd_document_load_buffer(&doc, data ? data : "", len, name ? name : "<kubeconfig>", NULL)))
		return rc;
	if (!(rc = merge_document(&m, doc, NULL)))
		rc = finish(out, &m, opts);
	merged_dispose(&m);
	return rc;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static int read_trimmed(char **out, const char *path, size_t max)
{
	size_t len;
	int rc = cicd__file_read(path, max, out, &len);
	if (rc)
		return rc;
	while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r' || (*out)[len - 1] == ' '))
		(*out)[--len] = '\0';
	return 0;
}

static int load_in_cluster(cicd_kube_config **out, const cicd_kube_config_options *opts)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = opts && opts->service_account_dir ? opts->service_account_dir : SERVICE_ACCOUNT_DIR;
	cicd_kube_config *cfg;
	cicd_buf b = CICD_BUF_INIT;
	char *ns = NULL;
	int rc;
	if (!host || !*host || !port || !*port)
		return cicd__error_set(CICD_ENOTFOUND,
				       "no kubeconfig found and not in a cluster (KUBERNETES_SERVICE_HOST and _PORT unset)");
	if ((rc = config_new(&cfg)))
		return rc;
	cfg->auth_kind = "in-cluster";
	cicd__buf_printf(&b, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
	cfg->server = cicd__buf_detach(&b);
	cicd__buf_printf(&b, "%s/token", dir);
	cfg->token_file = cicd__buf_detach(&b);
	cicd__buf_printf(&b, "%s/ca.crt", dir);
	cfg->ca_file = cicd__buf_detach(&b);
	cfg->context = cicd__strdup("");
	if (!cfg->server || !cfg->token_file || !cfg->ca_file || !cfg->context) {
		cicd_kube_config_free(cfg);
		return cicd__error_oom();
	}
	if (!file_exists(cfg->token_file)) {
		rc = cicd__error_set(CICD_ENOTFOUND, "in-cluster: service account token '%s' not found", cfg->token_file);
		cicd_kube_config_free(cfg);
		return rc;
	}
	if (opts && opts->namespace_name && *opts->namespace_name)
		ns = cicd__strdup(opts->namespace_name);
	else {
		cicd__buf_printf(&b, "%s/namespace", dir);
		if (b.ptr && read_trimmed(&ns, b.ptr, 4096))
			ns = NULL;
		cicd_buf_dispose(&b);
		cicd_error_clear();
	}
	cfg->namespace_name = ns && *ns ? ns : cicd__strdup("default");
	if (ns && !*ns)
		cicd__free(ns);
	if (!cfg->namespace_name) {
		cicd_kube_config_free(cfg);
		return cicd__error_oom();
	}
	*out = cfg;
	return 0;
}

int cicd_kube_config_load(cicd_kube_config **out, const cicd_kube_config_options *opts)
{
	const char *list;
	char *copy, *save = NULL, *path;
	cicd_buf home = CICD_BUF_INIT;
	size_t max = opts && opts->max_bytes ? opts->max_bytes : DEFAULT_MAX_BYTES;
	size_t found = 0;
	merged m;
	int rc = 0;
	if (!out)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_config_load: out is required");
	*out = NULL;
	if (opts && opts->version != CICD_KUBE_CONFIG_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_config_options version %u", opts->version);
	if (opts && (opts->flags & CICD_KUBE_CONFIG_IN_CLUSTER_ONLY))
		return load_in_cluster(out, opts);
	list = opts && opts->kubeconfig ? opts->kubeconfig : getenv("KUBECONFIG");
	if (!list || !*list) {
		const char *h = getenv("HOME");
		if (h && *h && cicd__buf_printf(&home, "%s/.kube/config", h))
			return CICD_ENOMEM;
		list = home.ptr ? home.ptr : "";
	}
	memset(&m, 0, sizeof m);
	copy = cicd__strdup(list);
	if (!copy) {
		cicd_buf_dispose(&home);
		return cicd__error_oom();
	}
	for (path = strtok_r(copy, ":", &save); path && !rc; path = strtok_r(NULL, ":", &save)) {
		cicd_document *doc = NULL;
		cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
		char *dir;
		if (!file_exists(path))
			continue; /* kubectl skips missing files of a list */
		dopts.max_bytes = max;
		if ((rc = cicd_document_load_file(&doc, path, &dopts)))
			break;
		if (!(dir = dir_of(path)) || cicd__vec_push(&m.dirs, dir)) {
			cicd__free(dir);
			cicd_document_free(doc);
			rc = cicd__error_oom();
			break;
		}
		rc = merge_document(&m, doc, dir);
		found++;
	}
	cicd__free(copy);
	if (!rc && found)
		rc = finish(out, &m, opts);
	else if (!rc && !(opts && (opts->flags & CICD_KUBE_CONFIG_NO_IN_CLUSTER)) && getenv("KUBERNETES_SERVICE_HOST"))
		rc = load_in_cluster(out, opts);
	else if (!rc)
		rc = cicd__error_set(CICD_ENOTFOUND, "no kubeconfig found (looked for '%s')", list);
	cicd_buf_dispose(&home);
	merged_dispose(&m);
	return rc;
}

const char *cicd_kube_config_server(const cicd_kube_config *cfg)
{
	return cfg && cfg->server ? cfg->server : "";
}

const char *cicd_kube_config_context(const cicd_kube_config *cfg)
{
	return cfg && cfg->context ? cfg->context : "";
}

const char *cicd_kube_config_namespace(const cicd_kube_config *cfg)
{
	return cfg && cfg->namespace_name ? cfg->namespace_name : "default";
}

const char *cicd_kube_config_auth_kind(const cicd_kube_config *cfg)
{
	return cfg && cfg->auth_kind ? cfg->auth_kind : "none";
}

void cicd_kube_config_free(cicd_kube_config *cfg)
{
	if (!cfg)
		return;
	kube__config_dispose(cfg);
	cicd__free(cfg);
}
