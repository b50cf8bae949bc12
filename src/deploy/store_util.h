/* Internal: small helpers shared by the store's files (statement arguments, typed cells). */
#ifndef CICD_DEPLOY_STORE_UTIL_H
#define CICD_DEPLOY_STORE_UTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "store.h"

#define STORE_MAX_ARGS 24

/* Arguments of one statement; integers are formatted into the struct itself. */
typedef struct {
	cicd__sqlval v[STORE_MAX_ARGS];
	char num[STORE_MAX_ARGS][24];
	size_t n;
} sargs;

static inline void sa_str(sargs *a, const char *s)
{
	a->v[a->n].text = s;
	a->v[a->n].len = s ? strlen(s) : 0;
	a->v[a->n].integer = 0;
	a->n++;
}

static inline void sa_bytes(sargs *a, const char *s, size_t len)
{
	a->v[a->n].text = s;
	a->v[a->n].len = len;
	a->v[a->n].integer = 0;
	a->n++;
}

static inline void sa_int(sargs *a, int64_t i)
{
	snprintf(a->num[a->n], sizeof a->num[a->n], "%" PRId64, i);
	a->v[a->n].text = a->num[a->n];
	a->v[a->n].len = strlen(a->num[a->n]);
	a->v[a->n].integer = 1;
	a->v[a->n].value = i;
	a->n++;
}

static inline int st_exec(cicd__store *st, const char *sql, const sargs *a, cicd__sqlrows *out, int64_t *changes)
{
	return st->db->ops->exec(st->db, sql, a ? a->v : NULL, a ? a->n : 0, out, changes);
}

static inline int64_t cell_int(const cicd__sqlrows *r, size_t row, size_t col)
{
	const char *s = cicd__sqlrows_get(r, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

/* A copy of the cell (NULL stays NULL); *err is set to CICD_ENOMEM on failure. */
static inline char *cell_dup(const cicd__sqlrows *r, size_t row, size_t col, int *err)
{
	const char *s = cicd__sqlrows_get(r, row, col);
	char *d;
	if (!s)
		return NULL;
	d = cicd__strdup(s);
	if (!d && !*err)
		*err = cicd__error_oom();
	return d;
}

/* Runs `sql` in the current transaction and returns the first cell as an integer, or `missing`. */
static inline int st_scalar(cicd__store *st, const char *sql, const sargs *a, int64_t missing, int64_t *out)
{
	cicd__sqlrows r;
	int err = st_exec(st, sql, a, &r, NULL);
	if (err < 0)
		return err;
	*out = r.rows && cicd__sqlrows_get(&r, 0, 0) ? cell_int(&r, 0, 0) : missing;
	cicd__sqlrows_free(&r);
	return 0;
}

static inline int st_begin(cicd__store *st)
{
	return st->db->ops->begin(st->db);
}

/* Commits when err is 0, rolls back otherwise; returns the final status. */
static inline int st_end(cicd__store *st, int err)
{
	if (err < 0) {
		st->db->ops->rollback(st->db);
		return err;
	}
	return st->db->ops->commit(st->db);
}

/* Builds SQL with the driver's row-lock suffix into buf. */
static inline const char *st_locked(cicd__store *st, char *buf, size_t size, const char *select)
{
	snprintf(buf, size, "%s%s", select, st->db->ops->lock_rows);
	return buf;
}

/* Checks (in a transaction) that `epoch` is the current lease epoch of the job's target and the job's own. */
int cicd__store_fence(cicd__store *st, int64_t job, int64_t epoch, char **target_out);
/* The id of project/set; CICD_ENOTFOUND naming it when missing. */
int cicd__store_set_id(cicd__store *st, int64_t *id, const char *project, const char *set);

#endif
