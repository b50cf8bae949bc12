/*
 * The job payload of POST /api/v4/jobs/request (GitLab Runner's spec.Job,
 * formerly common.JobResponse) as a typed model over the loaded JSON tree.
 * Strings are borrowed from the tree, which the job owns; unknown fields
 * stay in the tree.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/scalar_value.h"
#include "pod_internal.h"

static const char *const KNOWN_KEYS[] = {
    "id",           "token",    "allow_git_fetch", "job_info", "git_info",  "runner_info",    "inputs",
    "variables",    "steps",    "image",           "services", "artifacts", "cache",          "credentials",
    "dependencies", "features", "secrets",         "hooks",    "run",       "policy_options", "suspend_options",
};

typedef struct parse_ctx {
	cicd_job_payload *job;
	cicd_job_payload_options opts;
} parse_ctx;

static int bad(const cicd_node *n, const char *what, const char *key)
{
	return cicd__error_set_at(CICD_EPARSE, n->meta->file, n->line, n->column, "job payload: \"%s\" must be %s", key,
	                          what);
}

static int is_null(const cicd_node *n)
{
	return !n || (n->kind == CICD_NODE_SCALAR && n->style == CICD_SCALAR_PLAIN && n->value_type == CICD_VALUE_NULL);
}

static int get_map(const cicd_node *map, const char *key, const cicd_node **out)
{
	const cicd_node *n = cicd__node_get(map, key, strlen(key));
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->kind != CICD_NODE_MAPPING)
		return bad(n, "an object", key);
	*out = n;
	return 0;
}

static int get_seq(const cicd_node *map, const char *key, const cicd_node **out)
{
	const cicd_node *n = cicd__node_get(map, key, strlen(key));
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->kind != CICD_NODE_SEQUENCE)
		return bad(n, "an array", key);
	*out = n;
	return 0;
}

static int is_string(const cicd_node *n)
{
	return n->kind == CICD_NODE_SCALAR && n->style != CICD_SCALAR_PLAIN;
}

static int get_str_len(const cicd_node *map, const char *key, const char **out, size_t *len)
{
	const cicd_node *n = map ? cicd__node_get(map, key, strlen(key)) : NULL;
	*out = NULL;
	if (len)
		*len = 0;
	if (is_null(n))
		return 0;
	if (!is_string(n))
		return bad(n, "a string", key);
	*out = n->u.scalar.text;
	if (len)
		*len = n->len;
	return 0;
}

static int get_str(const cicd_node *map, const char *key, const char **out)
{
	return get_str_len(map, key, out, NULL);
}

static int get_int(const cicd_node *map, const char *key, long long *out)
{
	const cicd_node *n = map ? cicd__node_get(map, key, strlen(key)) : NULL;
	if (is_null(n))
		return 0;
	if (n->kind != CICD_NODE_SCALAR || n->style != CICD_SCALAR_PLAIN || n->value_type != CICD_VALUE_INT ||
	    cicd__scalar_int(n, out))
		return bad(n, "an integer", key);
	return 0;
}

static int get_bool(const cicd_node *map, const char *key, int *out)
{
	const cicd_node *n = map ? cicd__node_get(map, key, strlen(key)) : NULL;
	if (is_null(n))
		return 0;
	if (n->kind != CICD_NODE_SCALAR || n->style != CICD_SCALAR_PLAIN || n->value_type != CICD_VALUE_BOOL)
		return bad(n, "true or false", key);
	*out = cicd__scalar_bool(n) == 1;
	return 0;
}

/* An array of strings; a single string is accepted as an array of one (pull_policy). */
static int get_strs(parse_ctx *c, const cicd_node *map, const char *key, pod_strs *out, size_t max)
{
	const cicd_node *n = map ? cicd__node_get(map, key, strlen(key)) : NULL;
	size_t i;
	out->items = NULL;
	out->count = 0;
	if (is_null(n))
		return 0;
	if (is_string(n)) {
		if (!(out->items = cicd__arena_alloc(&c->job->arena, sizeof *out->items)))
			return cicd__error_oom();
		out->items[0] = n->u.scalar.text;
		out->count = 1;
		return 0;
	}
	if (n->kind != CICD_NODE_SEQUENCE)
		return bad(n, "an array of strings", key);
	if (n->count > max)
		return cicd__error_set_at(CICD_ELIMIT, n->meta->file, n->line, n->column,
		                          "job payload: \"%s\" has %zu entries, more than the limit of %zu", key,
		                          (size_t)n->count, max);
	if (n->count && !(out->items = cicd__arena_calloc(&c->job->arena, n->count, sizeof *out->items)))
		return cicd__error_oom();
	for (i = 0; i < n->count; i++) {
		const cicd_node *it = n->u.seq.items[i];
		if (!is_string(it))
			return bad(it, "an array of strings", key);
		out->items[out->count++] = it->u.scalar.text;
	}
	return 0;
}

static int parse_variables(parse_ctx *c, const cicd_node *map, const char *key, job_var **out, size_t *count)
{
	const cicd_node *seq;
	size_t i;
	int rc;
	*out = NULL;
	*count = 0;
	if ((rc = get_seq(map, key, &seq)) || !seq)
		return rc;
	if (seq->count > c->opts.max_variables)
		return cicd__error_set_at(CICD_ELIMIT, seq->meta->file, seq->line, seq->column,
		                          "job payload: %zu variables, more than the limit of %zu", (size_t)seq->count,
		                          c->opts.max_variables);
	if (seq->count && !(*out = cicd__arena_calloc(&c->job->arena, seq->count, sizeof **out)))
		return cicd__error_oom();
	for (i = 0; i < seq->count; i++) {
		const cicd_node *v = seq->u.seq.items[i];
		job_var *var = &(*out)[i];
		int pub = 0, masked = 0, file = 0, raw = 0;
		if (v->kind != CICD_NODE_MAPPING)
			return bad(v, "an array of objects", key);
		if ((rc = get_str(v, "key", &var->key)) ||
		    (rc = get_str_len(v, "value", &var->value, &var->value_len)) ||
		    (rc = get_bool(v, "public", &pub)) || (rc = get_bool(v, "masked", &masked)) ||
		    (rc = get_bool(v, "file", &file)) || (rc = get_bool(v, "raw", &raw)))
			return rc;
		if (!var->key || !var->key[0])
			return cicd__error_set_at(CICD_EPARSE, v->meta->file, v->line, v->column,
			                          "job payload: a variable has no \"key\"");
		if (!var->value)
			var->value = "";
		var->flags = (pub ? CICD_JOB_PAYLOAD_VAR_PUBLIC : 0) | (masked ? CICD_JOB_PAYLOAD_VAR_MASKED : 0) |
		             (file ? CICD_JOB_PAYLOAD_VAR_FILE : 0) | (raw ? CICD_JOB_PAYLOAD_VAR_RAW : 0);
		var->node = v;
	}
	*count = seq->count;
	return 0;
}

static int parse_image(parse_ctx *c, const cicd_node *n, job_image *img)
{
	const cicd_node *ports, *opts = NULL, *k8s = NULL;
	size_t i;
	int rc;
	memset(img, 0, sizeof *img);
	img->node = n;
	if ((rc = get_str(n, "name", &img->name)) || (rc = get_str(n, "alias", &img->alias)) ||
	    (rc = get_strs(c, n, "command", &img->command, 4096)) ||
	    (rc = get_strs(c, n, "entrypoint", &img->entrypoint, 4096)) ||
	    (rc = get_strs(c, n, "pull_policy", &img->pull_policy, 16)) ||
	    (rc = parse_variables(c, n, "variables", &img->variables, &img->variable_count)) ||
	    (rc = get_seq(n, "ports", &ports)) || (rc = get_map(n, "executor_opts", &opts)))
		return rc;
	if (opts && ((rc = get_map(opts, "kubernetes", &k8s)) || (k8s && (rc = get_str(k8s, "user", &img->k8s_user)))))
		return rc;
	if (ports && ports->count) {
		if (ports->count > 1024)
			return cicd__error_set_at(CICD_ELIMIT, ports->meta->file, ports->line, ports->column,
			                          "job payload: more than 1024 ports");
		if (!(img->ports = cicd__arena_calloc(&c->job->arena, ports->count, sizeof *img->ports)))
			return cicd__error_oom();
		for (i = 0; i < ports->count; i++) {
			const cicd_node *p = ports->u.seq.items[i];
			if (p->kind != CICD_NODE_MAPPING)
				return bad(p, "an array of objects", "ports");
			if ((rc = get_int(p, "number", &img->ports[i].number)) ||
			    (rc = get_str(p, "protocol", &img->ports[i].protocol)) ||
			    (rc = get_str(p, "name", &img->ports[i].name)))
				return rc;
			if (img->ports[i].number < 1 || img->ports[i].number > 65535)
				return cicd__error_set_at(CICD_EPARSE, p->meta->file, p->line, p->column,
				                          "job payload: port number %lld is not between 1 and 65535",
				                          img->ports[i].number);
		}
		img->port_count = ports->count;
	}
	return 0;
}

static int parse_steps(parse_ctx *c, const cicd_node *root)
{
	const cicd_node *seq;
	size_t i;
	int rc;
	if ((rc = get_seq(root, "steps", &seq)) || !seq)
		return rc;
	if (seq->count > c->opts.max_steps)
		return cicd__error_set_at(CICD_ELIMIT, seq->meta->file, seq->line, seq->column,
		                          "job payload: %zu steps, more than the limit of %zu", (size_t)seq->count,
		                          c->opts.max_steps);
	if (seq->count &&
	    !(c->job->steps = cicd__arena_calloc(&c->job->arena, seq->count, sizeof *c->job->steps)))
		return cicd__error_oom();
	for (i = 0; i < seq->count; i++) {
		const cicd_node *s = seq->u.seq.items[i];
		job_step *st = &c->job->steps[i];
		size_t k;
		if (s->kind != CICD_NODE_MAPPING)
			return bad(s, "an array of objects", "steps");
		if ((rc = get_str(s, "name", &st->name)) ||
		    (rc = get_strs(c, s, "script", &st->script, c->opts.max_script_lines)) ||
		    (rc = get_int(s, "timeout", &st->timeout)) || (rc = get_str(s, "when", &st->when)) ||
		    (rc = get_bool(s, "allow_failure", &st->allow_failure)))
			return rc;
		if (!st->name || !st->name[0])
			return cicd__error_set_at(CICD_EPARSE, s->meta->file, s->line, s->column,
			                          "job payload: a step has no \"name\"");
		for (k = 0; st->name[k]; k++)
			if (!((st->name[k] >= 'a' && st->name[k] <= 'z') ||
			      (st->name[k] >= '0' && st->name[k] <= '9') || st->name[k] == '_' || st->name[k] == '-'))
				return cicd__error_set_at(CICD_EPARSE, s->meta->file, s->line, s->column,
				                          "job payload: step name \"%.64s\" may only have [a-z0-9_-]",
				                          st->name);
		if (st->when && strcmp(st->when, "on_success") && strcmp(st->when, "on_failure") &&
		    strcmp(st->when, "always"))
			return cicd__error_set_at(
			    CICD_EPARSE, s->meta->file, s->line, s->column,
			    "job payload: step \"when\" must be on_success, on_failure or always");
	}
	c->job->step_count = seq->count;
	return 0;
}

static int parse_services(parse_ctx *c, const cicd_node *root)
{
	const cicd_node *seq;
	size_t i;
	int rc;
	if ((rc = get_seq(root, "services", &seq)) || !seq)
		return rc;
	if (seq->count > c->opts.max_services)
		return cicd__error_set_at(CICD_ELIMIT, seq->meta->file, seq->line, seq->column,
		                          "job payload: %zu services, more than the limit of %zu", (size_t)seq->count,
		                          c->opts.max_services);
	if (seq->count &&
	    !(c->job->services = cicd__arena_calloc(&c->job->arena, seq->count, sizeof *c->job->services)))
		return cicd__error_oom();
	for (i = 0; i < seq->count; i++) {
		const cicd_node *s = seq->u.seq.items[i];
		if (s->kind != CICD_NODE_MAPPING)
			return bad(s, "an array of objects", "services");
		if ((rc = parse_image(c, s, &c->job->services[i])))
			return rc;
		if (!c->job->services[i].name || !c->job->services[i].name[0])
			return cicd__error_set_at(CICD_EPARSE, s->meta->file, s->line, s->column,
			                          "job payload: a service has no \"name\"");
	}
	c->job->service_count = seq->count;
	return 0;
}

static int parse_credentials(parse_ctx *c, const cicd_node *root)
{
	const cicd_node *seq;
	size_t i;
	int rc;
	if ((rc = get_seq(root, "credentials", &seq)) || !seq)
		return rc;
	if (seq->count > 256)
		return cicd__error_set_at(CICD_ELIMIT, seq->meta->file, seq->line, seq->column,
		                          "job payload: more than 256 credentials");
	if (seq->count &&
	    !(c->job->credentials = cicd__arena_calloc(&c->job->arena, seq->count, sizeof *c->job->credentials)))
		return cicd__error_oom();
	for (i = 0; i < seq->count; i++) {
		const cicd_node *s = seq->u.seq.items[i];
		job_credential *cr = &c->job->credentials[i];
		if (s->kind != CICD_NODE_MAPPING)
			return bad(s, "an array of objects", "credentials");
		if ((rc = get_str(s, "type", &cr->type)) || (rc = get_str(s, "url", &cr->url)) ||
		    (rc = get_str(s, "username", &cr->username)) || (rc = get_str(s, "password", &cr->password)))
			return rc;
	}
	c->job->credential_count = seq->count;
	return 0;
}

static int parse_root(parse_ctx *c, const cicd_node *root)
{
	cicd_job_payload *job = c->job;
	const cicd_node *info, *git, *runner, *image, *features, *seq;
	size_t i, k;
	int rc;
	if (root->kind != CICD_NODE_MAPPING)
		return cicd__error_set_at(CICD_EPARSE, root->meta->file, root->line, root->column,
		                          "job payload: the top level must be an object");
	if ((rc = get_int(root, "id", &job->id)) || (rc = get_str(root, "token", &job->token)) ||
	    (rc = get_bool(root, "allow_git_fetch", &job->allow_git_fetch)) ||
	    (rc = get_map(root, "job_info", &info)) || (rc = get_map(root, "git_info", &git)) ||
	    (rc = get_map(root, "runner_info", &runner)) || (rc = get_map(root, "image", &image)) ||
	    (rc = get_map(root, "features", &features)))
		return rc;
	if (!cicd__node_get(root, "id", 2))
		return cicd__error_set_at(CICD_EPARSE, root->meta->file, root->line, root->column,
		                          "job payload: \"id\" is missing");
	if ((rc = get_str(info, "name", &job->name)) || (rc = get_str(info, "stage", &job->stage)) ||
	    (rc = get_str(info, "project_name", &job->project_name)) ||
	    (rc = get_str(info, "project_full_path", &job->project_full_path)) ||
	    (rc = get_int(info, "project_id", &job->project_id)) ||
	    (rc = get_int(info, "pipeline_id", &job->pipeline_id)) ||
	    (rc = get_int(info, "namespace_id", &job->namespace_id)) ||
	    (rc = get_int(info, "root_namespace_id", &job->root_namespace_id)))
		return rc;
	if ((rc = get_str(git, "repo_url", &job->repo_url)) || (rc = get_str(git, "ref", &job->ref)) ||
	    (rc = get_str(git, "sha", &job->sha)) || (rc = get_str(git, "before_sha", &job->before_sha)) ||
	    (rc = get_str(git, "ref_type", &job->ref_type)) || (rc = get_int(git, "depth", &job->depth)))
		return rc;
	if ((rc = get_int(runner, "timeout", &job->timeout)))
		return rc;
	if (job->timeout <= 0)
		job->timeout = 7200;
	if (job->timeout > 365LL * 24 * 3600)
		return cicd__error_set_at(CICD_EPARSE, runner->meta->file, runner->line, runner->column,
		                          "job payload: timeout %lld is more than a year", job->timeout);
	if ((rc = parse_variables(c, root, "variables", &job->variables, &job->variable_count)) ||
	    (rc = parse_steps(c, root)) || (rc = parse_services(c, root)) || (rc = parse_credentials(c, root)))
		return rc;
	if (image && (rc = parse_image(c, image, &job->image)))
		return rc;
	if ((rc = get_seq(root, "dependencies", &seq)))
		return rc;
	job->dependency_count = seq ? seq->count : 0;
	if ((rc = get_seq(root, "artifacts", &seq)) || (rc = get_seq(root, "cache", &seq)))
		return rc;
	if ((rc = get_strs(c, features, "token_mask_prefixes", &job->token_mask_prefixes, 64)) ||
	    (rc = get_strs(c, features, "failure_reasons", &job->failure_reasons, 64)))
		return rc;
	if (root->count &&
	    !(job->unknown.items = cicd__arena_calloc(&job->arena, root->count, sizeof *job->unknown.items)))
		return cicd__error_oom();
	for (i = 0; i < root->count; i++) {
		const cicd_node *key = root->u.map.pairs[i].key;
		int known = 0;
		for (k = 0; k < sizeof KNOWN_KEYS / sizeof KNOWN_KEYS[0]; k++)
			known |= cicd__node_is(key, KNOWN_KEYS[k]);
		if (!known)
			job->unknown.items[job->unknown.count++] = cicd__key_text(key);
	}
	return 0;
}

CICD_EXTERN(int) cicd_job_payload_options_init(cicd_job_payload_options *opts, unsigned int version)
{
	cicd_job_payload_options def = CICD_JOB_PAYLOAD_OPTIONS_INIT;
	if (!opts || version != CICD_JOB_PAYLOAD_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_job_payload_options_init: unknown options version %u",
		                       version);
	*opts = def;
	return 0;
}

CICD_EXTERN(int)
cicd_job_payload_parse(cicd_job_payload **out, const char *json, size_t len, const char *name,
                       const cicd_job_payload_options *opts)
{
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	parse_ctx c;
	cicd_job_payload *job;
	int rc;
	if (!out || (!json && len))
		return cicd__error_set(CICD_EINVALID, "cicd_job_payload_parse: out and json are required");
	*out = NULL;
	memset(&c, 0, sizeof c);
	if (opts) {
		if (opts->version != CICD_JOB_PAYLOAD_OPTIONS_VERSION)
			return cicd__error_set(CICD_EINVALID, "cicd_job_payload_parse: unknown options version %u",
			                       opts->version);
		c.opts = *opts;
	}
	if (!c.opts.max_bytes)
		c.opts.max_bytes = 16u << 20;
	if (!c.opts.max_depth)
		c.opts.max_depth = 64;
	if (!c.opts.max_variables)
		c.opts.max_variables = 10000;
	if (!c.opts.max_steps)
		c.opts.max_steps = 64;
	if (!c.opts.max_services)
		c.opts.max_services = 64;
	if (!c.opts.max_script_lines)
		c.opts.max_script_lines = 100000;
	dopts.flags = CICD_DOCUMENT_STRICT_KEYS;
	dopts.max_bytes = c.opts.max_bytes;
	dopts.max_depth = c.opts.max_depth;
	if (!(job = cicd__calloc(1, sizeof *job)))
		return cicd__error_oom();
	cicd__arena_init(&job->arena, 4096);
	c.job = job;
	rc = cicd_document_load_json(&job->doc, json ? json : "", len, name ? name : "<job>", &dopts);
	if (!rc) {
		job->root = cicd_document_root(job->doc, 0);
		if (!job->root)
			rc =
			    cicd__error_set_at(CICD_EPARSE, name ? name : "<job>", 1, 1, "job payload: empty document");
		else
			rc = parse_root(&c, job->root);
	}
	if (rc) {
		cicd_job_payload_free(job);
		return rc;
	}
	*out = job;
	return 0;
}

CICD_EXTERN(int)
cicd_job_payload_load_file(cicd_job_payload **out, const char *path, const cicd_job_payload_options *opts)
{
	char *data = NULL;
	size_t len = 0, max = opts && opts->max_bytes ? opts->max_bytes : 16u << 20;
	int rc;
	if (!out || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_job_payload_load_file: out and path are required");
	*out = NULL;
	if ((rc = cicd__file_read(path, max, &data, &len)))
		return rc;
	rc = cicd_job_payload_parse(out, data, len, path, opts);
	cicd__free(data);
	return rc;
}

CICD_EXTERN(void) cicd_job_payload_free(cicd_job_payload *job)
{
	if (!job)
		return;
	cicd_document_free(job->doc);
	cicd__arena_release(&job->arena);
	cicd__free(job);
}

int cicd__payload_check_key(const job_var *v)
{
	size_t i;
	for (i = 0; v->key[i]; i++)
		if (!(isalnum((unsigned char)v->key[i]) || v->key[i] == '_') ||
		    (i == 0 && isdigit((unsigned char)v->key[0])))
			return cicd__error_set_at(
			    CICD_EVALIDATE, v->node->meta->file, v->node->line, v->node->column,
			    "variable key \"%.64s\" may only have [A-Za-z0-9_] and not start with a "
			    "digit",
			    v->key);
	return 0;
}

const job_var *cicd__payload_var(const cicd_job_payload *job, const char *key)
{
	size_t i = job->variable_count;
	while (i--)
		if (!strcmp(job->variables[i].key, key))
			return &job->variables[i];
	return NULL;
}

CICD_EXTERN(long long) cicd_job_payload_id(const cicd_job_payload *job)
{
	return job ? job->id : 0;
}

CICD_EXTERN(long long) cicd_job_payload_project_id(const cicd_job_payload *job)
{
	return job ? job->project_id : 0;
}

CICD_EXTERN(long long) cicd_job_payload_timeout(const cicd_job_payload *job)
{
	return job ? job->timeout : 0;
}

CICD_EXTERN(const char *) cicd_job_payload_name(const cicd_job_payload *job)
{
	return job && job->name ? job->name : "";
}

CICD_EXTERN(const char *) cicd_job_payload_stage(const cicd_job_payload *job)
{
	return job && job->stage ? job->stage : "";
}

CICD_EXTERN(const char *) cicd_job_payload_image(const cicd_job_payload *job)
{
	return job && job->image.name ? job->image.name : "";
}

CICD_EXTERN(size_t) cicd_job_payload_variable_count(const cicd_job_payload *job)
{
	return job ? job->variable_count : 0;
}

CICD_EXTERN(int)
cicd_job_payload_variable(const cicd_job_payload *job, size_t i, const char **key, const char **value,
                          size_t *value_len, unsigned int *flags)
{
	if (!job || i >= job->variable_count)
		return cicd__error_set(CICD_ENOTFOUND, "no variable %zu", i);
	if (key)
		*key = job->variables[i].key;
	if (value)
		*value = job->variables[i].value;
	if (value_len)
		*value_len = job->variables[i].value_len;
	if (flags)
		*flags = job->variables[i].flags;
	return 0;
}

CICD_EXTERN(size_t) cicd_job_payload_service_count(const cicd_job_payload *job)
{
	return job ? job->service_count : 0;
}

CICD_EXTERN(const char *) cicd_job_payload_service_name(const cicd_job_payload *job, size_t i)
{
	return job && i < job->service_count ? job->services[i].name : NULL;
}

CICD_EXTERN(const char *) cicd_job_payload_service_alias(const cicd_job_payload *job, size_t i)
{
	if (!job || i >= job->service_count)
		return NULL;
	return job->services[i].alias ? job->services[i].alias : "";
}

CICD_EXTERN(size_t) cicd_job_payload_step_count(const cicd_job_payload *job)
{
	return job ? job->step_count : 0;
}

CICD_EXTERN(const char *) cicd_job_payload_step_name(const cicd_job_payload *job, size_t i)
{
	return job && i < job->step_count ? job->steps[i].name : NULL;
}

CICD_EXTERN(const cicd_node *) cicd_job_payload_raw(const cicd_job_payload *job)
{
	return job ? job->root : NULL;
}

CICD_EXTERN(size_t) cicd_job_payload_unknown_count(const cicd_job_payload *job)
{
	return job ? job->unknown.count : 0;
}

CICD_EXTERN(const char *) cicd_job_payload_unknown_key(const cicd_job_payload *job, size_t i)
{
	return job && i < job->unknown.count ? job->unknown.items[i] : NULL;
}
