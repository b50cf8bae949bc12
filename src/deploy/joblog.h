/*
 * Internal: a deploy job's log writer. Lines are masked (credentials, and
 * the callers never put Secret values in), handed to the progress callback
 * at once, and committed to the store in batches: at every step boundary,
 * before every state transition, and whenever the batch is full. A line is
 * "committed" once flush() returned 0; those are never lost.
 */
#ifndef CICD_DEPLOY_JOBLOG_H
#define CICD_DEPLOY_JOBLOG_H

#include "core/error.h"
#include "core/vec.h"
#include "store.h"

typedef void (*cicd__deploy_progress)(int level, const char *message, const char *fields, void *payload);

typedef struct {
	cicd__store *st;
	int64_t job, epoch;
	cicd_vec pending; /* cicd__logline * */
	int64_t (*clock)(void *payload);
	void *clock_payload;
	cicd__deploy_progress progress;
	void *payload;
	size_t batch; /* flush when this many lines wait; default 64 */
	int failed;   /* a flush failed (e.g. stale epoch): nothing more is written */
} cicd__joblog;

void cicd__joblog_init(cicd__joblog *jl, cicd__store *st, int64_t job, int64_t epoch);
/* Adds a line; fields is JSON object text or NULL. Returns 0 or the flush error. */
int cicd__joblog_add(cicd__joblog *jl, int level, const char *fields, const char *fmt, ...) CICD__PRINTF(4, 5);
int cicd__joblog_flush(cicd__joblog *jl);
/* Drops unflushed lines (a crash in tests, or a lost lease) and frees the buffer. */
void cicd__joblog_dispose(cicd__joblog *jl);

/* {"k1":"v1",...} for NULL-terminated key/value pairs; values NULL are skipped. Caller frees. */
char *cicd__fields(const char *key, ...);

#endif
