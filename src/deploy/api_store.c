/* Public deploy API: the store handle, settings, history, targets, and shared helpers. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "deploy_internal.h"

static int init_versioned(void *opts, size_t size, unsigned int version, unsigned int expected, const void *init,
                          const char *what)
{
	if (!opts)
		return cicd__error_set(CICD_EINVALID, "no %s given", what);
	if (version != expected)
		return cicd__error_set(CICD_EINVALID, "%s version %u is not supported (this library has %u)", what,
		                       version, expected);
	memcpy(opts, init, size);
	return 0;
}

int cicd_deploy_store_options_init(cicd_deploy_store_options *opts, unsigned int version)
{
	static const cicd_deploy_store_options init = CICD_DEPLOY_STORE_OPTIONS_INIT;
	return init_versioned(opts, sizeof init, version, CICD_DEPLOY_STORE_OPTIONS_VERSION, &init, "store options");
}

int cicd_deploy_target_options_init(cicd_deploy_target_options *opts, unsigned int version)
{
	static const cicd_deploy_target_options init = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	return init_versioned(opts, sizeof init, version, CICD_DEPLOY_TARGET_OPTIONS_VERSION, &init, "target options");
}

int cicd_deploy_push_options_init(cicd_deploy_push_options *opts, unsigned int version)
{
	static const cicd_deploy_push_options init = CICD_DEPLOY_PUSH_OPTIONS_INIT;
	return init_versioned(opts, sizeof init, version, CICD_DEPLOY_PUSH_OPTIONS_VERSION, &init, "push options");
}

int cicd_deploy_run_options_init(cicd_deploy_run_options *opts, unsigned int version)
{
	static const cicd_deploy_run_options init = CICD_DEPLOY_RUN_OPTIONS_INIT;
	return init_versioned(opts, sizeof init, version, CICD_DEPLOY_RUN_OPTIONS_VERSION, &init, "run options");
}

int cicd_deploy_worker_options_init(cicd_deploy_worker_options *opts, unsigned int version)
{
	static const cicd_deploy_worker_options init = CICD_DEPLOY_WORKER_OPTIONS_INIT;
	return init_versioned(opts, sizeof init, version, CICD_DEPLOY_WORKER_OPTIONS_VERSION, &init, "worker options");
}

int cicd_deploy_store_default_location(cicd_buf *out)
{
	const char *env = getenv("CICD_STORE"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (env && *env)
		return cicd__buf_puts(out, env);
	if (xdg && *xdg)
		return cicd__buf_printf(out, "%s/cicd/store.db", xdg);
	if (home && *home)
		return cicd__buf_printf(out, "%s/.local/share/cicd/store.db", home);
	return cicd__error_set(CICD_EINVALID, "no store location: set CICD_STORE, XDG_DATA_HOME or HOME");
}

/* mkdir -p of the folder that holds `path`. */
static int make_parent(const char *path)
{
	char dir[4096];
	size_t i, n;
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	n = (size_t)(slash - path);
	if (n >= sizeof dir)
		return cicd__error_set(CICD_EINVALID, "store path is too long");
	memcpy(dir, path, n);
	dir[n] = '\0';
	for (i = 1; i <= n; i++) {
		if (dir[i] == '/' || dir[i] == '\0') {
			char c = dir[i];
			dir[i] = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				return cicd__error_set(CICD_EIO, "cannot create the store's folder %s: %s", dir,
				                       strerror(errno));
			dir[i] = c;
		}
	}
	return 0;
}

static int kube_cluster(cicd__cluster **out, const cicd__target *t, void *payload)
{
	(void)payload;
	return cicd__cluster_kube_new(out, t->kubeconfig, t->context, t->in_cluster);
}

int cicd_deploy_store_open(cicd_deploy_store **out, const char *location, const cicd_deploy_store_options *opts)
{
	cicd_buf def = CICD_BUF_INIT;
	cicd__store_limits lim = {0, 0, 0};
	cicd_deploy_store *s;
	int err;
	if (!out)
		return cicd__error_set(CICD_EINVALID, "no output given");
	*out = NULL;
	if (opts && opts->version != CICD_DEPLOY_STORE_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "store options version %u is not supported", opts->version);
	if (!location) {
		if ((err = cicd_deploy_store_default_location(&def)) < 0)
			return err;
		location = def.ptr;
	}
	if (strncmp(location, "postgresql://", 13) && strncmp(location, "postgres://", 11) &&
	    (err = make_parent(location)) < 0) {
		cicd_buf_dispose(&def);
		return err;
	}
	if (opts) {
		lim.busy_timeout_ms = opts->busy_timeout_ms;
		lim.max_version_bytes = opts->max_version_bytes;
		lim.max_version_objects = opts->max_version_objects;
	}
	if (!(s = cicd__calloc(1, sizeof *s))) {
		cicd_buf_dispose(&def);
		return cicd__error_oom();
	}
	s->cluster_new = kube_cluster;
	atomic_init(&s->interrupted, 0);
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		cicd_buf_dispose(&def);
		cicd__free(s);
		return cicd__error_set(CICD_ERROR, "cannot create the store's lock");
	}
	err = cicd__store_open(&s->st, location, &lim);
	cicd_buf_dispose(&def);
	if (err < 0) {
		pthread_mutex_destroy(&s->lock);
		cicd__free(s);
		return err;
	}
	*out = s;
	return 0;
}

void cicd_deploy_store_free(cicd_deploy_store *store)
{
	if (!store)
		return;
	cicd__store_close(store->st);
	pthread_mutex_destroy(&store->lock);
	cicd__free(store);
}

void cicd_deploy_store_interrupt(cicd_deploy_store *store)
{
	if (!store)
		return;
	atomic_store(&store->interrupted, 1);
	pthread_mutex_lock(&store->lock);
	if (store->active && store->active->ops->cancel)
		store->active->ops->cancel(store->active);
	pthread_mutex_unlock(&store->lock);
}

void cicd_deploy_store_interrupt_clear(cicd_deploy_store *store)
{
	if (store)
		atomic_store(&store->interrupted, 0);
}

int cicd__deploy_interrupted(cicd_deploy_store *store)
{
	return atomic_load(&store->interrupted) != 0;
}

int cicd__deploy_interrupt_error(const char *what)
{
	return cicd__error_set(CICD_ECANCELED, "interrupted %s", what);
}

void cicd__deploy_use_cluster(cicd_deploy_store *store, cicd__cluster *cluster)
{
	pthread_mutex_lock(&store->lock);
	store->active = cluster;
	/* An interrupt that came before the cluster was known still cancels it. */
	if (cluster && atomic_load(&store->interrupted) && cluster->ops->cancel)
		cluster->ops->cancel(cluster);
	pthread_mutex_unlock(&store->lock);
}

int cicd__deploy_nap(cicd_deploy_store *store, long ms)
{
	while (ms > 0 && !cicd__deploy_interrupted(store)) {
		long slice = ms < 50 ? ms : 50;
		struct timespec ts = {0, slice * 1000000L};
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return cicd__deploy_interrupted(store);
}

void cicd__deploy_set_cluster_factory(cicd_deploy_store *store,
                                      int (*fn)(cicd__cluster **out, const cicd__target *target, void *payload),
                                      void *payload)
{
	store->cluster_new = fn;
	store->cluster_payload = payload;
}

int cicd_deploy_setting_set(cicd_deploy_store *store, const char *key, const char *value)
{
	if (!store || !key || !value)
		return cicd__error_set(CICD_EINVALID, "no store, key or value given");
	if (!strcmp(key, "history_keep")) {
		char *end;
		errno = 0;
		if (!*value || strtoull(value, &end, 10) > 1000000000ULL || *end || errno)
			return cicd__error_set(CICD_EINVALID, "history_keep must be a count of jobs, not '%s'", value);
	} else {
		return cicd__error_set(CICD_EINVALID, "unknown deploy setting '%s' (known: history_keep)", key);
	}
	return cicd__store_setting_set(store->st, key, value);
}

int cicd_deploy_history_prune(long long *removed, cicd_deploy_store *store, size_t keep)
{
	int64_t n = 0;
	int err;
	if (!store)
		return cicd__error_set(CICD_EINVALID, "no store given");
	err = cicd__store_history_prune(store->st, keep, &n);
	if (!err && removed)
		*removed = (long long)n;
	return err;
}

int cicd_deploy_target_add(cicd_deploy_store *store, const char *name, const cicd_deploy_target_options *opts)
{
	cicd__target t;
	if (!store || !name || !opts)
		return cicd__error_set(CICD_EINVALID, "no store, name or options given");
	if (opts->version != CICD_DEPLOY_TARGET_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "target options version %u is not supported", opts->version);
	if (opts->in_cluster && (opts->kubeconfig || opts->context))
		return cicd__error_set(CICD_EINVALID, "target '%s': in-cluster takes no kubeconfig or context", name);
	memset(&t, 0, sizeof t);
	t.name = (char *)(uintptr_t)name;
	t.kubeconfig = (char *)(uintptr_t)opts->kubeconfig;
	t.context = (char *)(uintptr_t)opts->context;
	t.namespace_ = (char *)(uintptr_t)opts->namespace_name;
	t.in_cluster = opts->in_cluster != 0;
	t.created_at = cicd__now_ms();
	return cicd__store_target_add(store->st, &t);
}

int cicd_deploy_target_remove(cicd_deploy_store *store, const char *name)
{
	if (!store || !name)
		return cicd__error_set(CICD_EINVALID, "no store or name given");
	return cicd__store_target_remove(store->st, name);
}

static int write_targets(cicd_json_writer *w, void *ctx)
{
	cicd_vec *list = ctx;
	size_t i;
	int err = cicd__json_begin_array(w);
	for (i = 0; i < list->count && !err; i++) {
		const cicd__target *t = list->items[i];
		err = cicd__json_begin_object(w);
		if (!err)
			err = cicd__json_kv_string(w, "name", t->name);
		if (!err && !(err = cicd__json_key(w, "kubeconfig")))
			err = cicd__json_string_or_null(w, t->kubeconfig);
		if (!err && !(err = cicd__json_key(w, "context")))
			err = cicd__json_string_or_null(w, t->context);
		if (!err)
			err = cicd__json_kv_bool(w, "in_cluster", t->in_cluster);
		if (!err)
			err = cicd__json_kv_string(w, "namespace", t->namespace_);
		if (!err)
			err = cicd__json_kv_int(w, "created_at", t->created_at);
		if (!err)
			err = cicd__json_end_object(w);
	}
	return err ? err : cicd__json_end_array(w);
}

int cicd_deploy_targets_json(cicd_buf *out, cicd_deploy_store *store)
{
	cicd_vec list = CICD_VEC_INIT;
	int err;
	if (!out || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if ((err = cicd__store_target_list(store->st, &list)) == 0)
		err = cicd__json_write(out, write_targets, &list);
	cicd__vec_dispose_with(&list, cicd__target_free_item);
	return err;
}

/* ---- helpers ---- */

int cicd__split_set(char *project, size_t psize, char *set, size_t ssize, const char *project_set)
{
	const char *slash = project_set ? strchr(project_set, '/') : NULL;
	size_t plen;
	if (!slash || slash == project_set || !slash[1] || strchr(slash + 1, '/'))
		return cicd__error_set(CICD_EINVALID, "'%s' is not PROJECT/SET", project_set ? project_set : "");
	plen = (size_t)(slash - project_set);
	if (plen >= psize || strlen(slash + 1) >= ssize)
		return cicd__error_set(CICD_EINVALID, "'%s': project and set names have at most 63 characters",
		                       project_set);
	memcpy(project, project_set, plen);
	project[plen] = '\0';
	strcpy(set, slash + 1);
	return 0;
}

int cicd__split_ref(char *project, size_t psize, char *set, size_t ssize, char *version, size_t vsize, const char *ref)
{
	char ps[512];
	const char *at = ref ? strrchr(ref, '@') : NULL;
	if (!at || !at[1] || (size_t)(at - ref) >= sizeof ps || strlen(at + 1) >= vsize)
		return cicd__error_set(CICD_EINVALID, "'%s' is not PROJECT/SET@VERSION", ref ? ref : "");
	memcpy(ps, ref, (size_t)(at - ref));
	ps[at - ref] = '\0';
	strcpy(version, at + 1);
	return cicd__split_set(project, psize, set, ssize, ps);
}

int cicd__json_write(cicd_buf *out, int (*fn)(cicd_json_writer *w, void *ctx), void *ctx)
{
	cicd_json_writer *w = cicd__json_new(out, 0);
	int err;
	if (!w)
		return cicd__error_oom();
	if ((err = fn(w, ctx)) < 0) {
		cicd__json_abandon(w);
		return err;
	}
	return cicd__json_finish(w);
}

int cicd__json_version(cicd_json_writer *w, const cicd__version *v, int existed)
{
	int err = cicd__json_begin_object(w);
	if (!err)
		err = cicd__json_kv_string(w, "project", v->project);
	if (!err)
		err = cicd__json_kv_string(w, "set", v->set);
	if (!err)
		err = cicd__json_kv_int(w, "number", v->number);
	if (!err)
		err = cicd__json_kv_string(w, "hash", v->hash);
	if (!err)
		err = cicd__json_kv_int(w, "objects", v->objects);
	if (!err)
		err = cicd__json_kv_int(w, "bytes", v->bytes);
	if (!err)
		err = cicd__json_kv_string(w, "who", v->who);
	if (!err && !(err = cicd__json_key(w, "commit")))
		err = cicd__json_string_or_null(w, v->commit);
	if (!err && !(err = cicd__json_key(w, "pipeline")))
		err = cicd__json_string_or_null(w, v->pipeline);
	if (!err)
		err = cicd__json_kv_int(w, "created_at", v->created_at);
	if (!err && existed >= 0)
		err = cicd__json_kv_bool(w, "existed", existed);
	return err ? err : cicd__json_end_object(w);
}

static int kv_opt_string(cicd_json_writer *w, const char *key, const char *value)
{
	int err = cicd__json_key(w, key);
	return err ? err : cicd__json_string_or_null(w, value);
}

static int kv_opt_time(cicd_json_writer *w, const char *key, int64_t value)
{
	int err = cicd__json_key(w, key);
	return err ? err : value ? cicd__json_int(w, value) : cicd__json_null(w);
}

int cicd__json_job(cicd_json_writer *w, const cicd__job *j)
{
	int err = cicd__json_begin_object(w);
	if (!err)
		err = cicd__json_job_fields(w, j);
	return err ? err : cicd__json_end_object(w);
}

int cicd__json_job_fields(cicd_json_writer *w, const cicd__job *j)
{
	int err = cicd__json_kv_int(w, "id", j->id);
	if (!err)
		err = cicd__json_kv_string(w, "project", j->project);
	if (!err)
		err = cicd__json_kv_string(w, "set", j->set);
	if (!err)
		err = cicd__json_kv_int(w, "version", j->version_number);
	if (!err)
		err = cicd__json_kv_string(w, "target", j->target);
	if (!err)
		err = cicd__json_kv_string(w, "who", j->who);
	if (!err)
		err = cicd__json_kv_string(w, "state", cicd__job_state_name(j->state));
	if (!err)
		err = kv_opt_string(w, "reason", j->reason);
	if (!err)
		err = kv_opt_string(w, "message", j->message);
	if (!err)
		err = cicd__json_kv_bool(w, "prune", j->prune);
	if (!err)
		err = cicd__json_kv_int(w, "timeout_ms", j->timeout_ms);
	if (!err)
		err = cicd__json_kv_int(w, "epoch", j->epoch);
	if (!err)
		err = cicd__json_kv_int(w, "created_at", j->created_at);
	if (!err)
		err = kv_opt_time(w, "started_at", j->started_at);
	if (!err)
		err = kv_opt_time(w, "finished_at", j->finished_at);
	return err;
}

void cicd__default_owner(char *buf, size_t size)
{
	char host[128] = "host";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	snprintf(buf, size, "%s:%d", host, (int)getpid());
}
