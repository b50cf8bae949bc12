/* A deploy job's log: masked, sequenced by the store, committed in batches. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "joblog.h"

void cicd__joblog_init(cicd__joblog *jl, cicd__store *st, int64_t job, int64_t epoch)
{
	memset(jl, 0, sizeof *jl);
	jl->st = st;
	jl->job = job;
	jl->epoch = epoch;
	jl->batch = 64;
}

int cicd__joblog_flush(cicd__joblog *jl)
{
	cicd__logline_in lines[128];
	size_t i, done = 0;
	int err = 0;
	if (jl->failed)
		return jl->failed;
	while (done < jl->pending.count && !err) {
		size_t n = jl->pending.count - done;
		if (n > sizeof lines / sizeof lines[0])
			n = sizeof lines / sizeof lines[0];
		for (i = 0; i < n; i++) {
			cicd__logline *l = jl->pending.items[done + i];
			lines[i].seq = 0;
			lines[i].at = l->at;
			lines[i].level = l->level;
			lines[i].message = l->message;
			lines[i].fields = l->fields;
		}
		err = cicd__store_log_append(jl->st, NULL, jl->job, jl->epoch, lines, n);
		if (!err)
			done += n;
	}
	for (i = 0; i < done; i++)
		cicd__logline_free_item(jl->pending.items[i]);
	memmove(jl->pending.items, jl->pending.items + done, (jl->pending.count - done) * sizeof(void *));
	jl->pending.count -= done;
	if (err)
		jl->failed = err;
	return err;
}

int cicd__joblog_add(cicd__joblog *jl, int level, const char *fields, const char *fmt, ...)
{
	cicd_buf b = CICD_BUF_INIT;
	cicd__logline *l;
	va_list ap;
	int n;
	char small[1];
	if (jl->failed)
		return jl->failed;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	/* Room for masks longer than the secrets they replace. */
	if (n < 0 || cicd__buf_grow(&b, 2 * (size_t)n + 64) < 0) {
		cicd_buf_dispose(&b);
		return cicd__error_oom();
	}
	va_start(ap, fmt);
	vsnprintf(b.ptr, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.size = cicd__redact(b.ptr, (size_t)n, 2 * (size_t)n + 64);
	b.ptr[b.size] = '\0';
	l = cicd__calloc(1, sizeof *l);
	if (!l || (fields && !(l->fields = cicd__strdup(fields)))) {
		cicd__free(l);
		cicd_buf_dispose(&b);
		return cicd__error_oom();
	}
	l->message = cicd__buf_detach(&b);
	l->level = level;
	l->at = jl->clock ? jl->clock(jl->clock_payload) : 0;
	if (jl->progress)
		jl->progress(level, l->message, l->fields, jl->payload);
	if (cicd__vec_push(&jl->pending, l) < 0) {
		cicd__logline_free_item(l);
		return CICD_ENOMEM;
	}
	return jl->pending.count >= jl->batch ? cicd__joblog_flush(jl) : 0;
}

void cicd__joblog_dispose(cicd__joblog *jl)
{
	cicd__vec_dispose_with(&jl->pending, cicd__logline_free_item);
}

char *cicd__fields(const char *key, ...)
{
	cicd_buf b = CICD_BUF_INIT;
	cicd_json_writer *w = cicd__json_new(&b, 0);
	va_list ap;
	int err = w ? cicd__json_begin_object(w) : CICD_ENOMEM;
	va_start(ap, key);
	while (key && !err) {
		const char *value = va_arg(ap, const char *);
		if (value)
			err = cicd__json_kv_string(w, key, value);
		key = va_arg(ap, const char *);
	}
	va_end(ap);
	if (!err)
		err = cicd__json_end_object(w);
	if (w) {
		if (err)
			cicd__json_abandon(w);
		else
			err = cicd__json_finish(w);
	}
	if (err) {
		cicd_buf_dispose(&b);
		return NULL;
	}
	return cicd__buf_detach(&b);
}
