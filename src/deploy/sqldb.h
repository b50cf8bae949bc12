/*
 * Internal: the SQL driver interface under the deploy store.
 *
 * The store's logic (store.c) is written once, in SQL that SQLite and
 * PostgreSQL both accept, over this vtable; each backend (store_sqlite.c,
 * store_pg.c) connects, runs statements, maps its errors to CICD_ESTORE /
 * CICD_ECONFLICT with clear messages, and brackets transactions. Keeping
 * the logic in one place is what makes the two backends behave the same.
 *
 * Parameters are written `?` in the SQL; the PostgreSQL driver rewrites
 * them to $1..$N. Every value travels as text (or NULL); results come back
 * as text, so integers are parsed by the caller.
 */
#ifndef CICD_DEPLOY_SQLDB_H
#define CICD_DEPLOY_SQLDB_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const char *text; /* NULL is SQL NULL */
	size_t len;       /* bytes of text */
	int integer;      /* 1 when text is a decimal integer (SQLite binds it as one) */
	int64_t value;    /* the integer, when integer is 1 */
} cicd__sqlval;

/* Rows of a result, every cell as a NUL-terminated string or NULL. */
typedef struct {
	size_t rows, cols;
	char **cells; /* rows * cols, row-major */
} cicd__sqlrows;

typedef struct cicd__sqldb cicd__sqldb;

typedef struct {
	const char *name; /* "sqlite" or "postgresql" */
	/*
	 * Runs one statement. `out` (may be NULL) receives the rows; `changes`
	 * (may be NULL) the number of rows inserted, updated or deleted.
	 */
	int (*exec)(cicd__sqldb *db, const char *sql, const cicd__sqlval *params, size_t nparams, cicd__sqlrows *out,
	            int64_t *changes);
	/* Starts a write transaction that serialises with every other writer of the same rows. */
	int (*begin)(cicd__sqldb *db);
	int (*commit)(cicd__sqldb *db);
	void (*rollback)(cicd__sqldb *db);
	/* Runs a script of several statements without parameters (schema). */
	int (*exec_script)(cicd__sqldb *db, const char *sql);
	/* 1 when the last failure was a unique-constraint violation. */
	int (*last_was_unique_violation)(cicd__sqldb *db);
	void (*close)(cicd__sqldb *db);
	/* Appended to a SELECT that must lock the rows it reads until commit ("" where begin() already does). */
	const char *lock_rows;
	/* The column type of an auto-incrementing 64-bit key. */
	const char *serial_key;
	/* A statement that serialises schema migrations between processes (NULL when begin() does). */
	const char *schema_lock;
} cicd__sqldb_ops;

struct cicd__sqldb {
	const cicd__sqldb_ops *ops;
};

/* Opens a SQLite file (created when missing) in WAL mode; busy_timeout_ms waits for a lock. */
int cicd__sqldb_open_sqlite(cicd__sqldb **out, const char *path, unsigned int busy_timeout_ms);
/* Connects to PostgreSQL with a postgresql:// URL. */
int cicd__sqldb_open_pg(cicd__sqldb **out, const char *url, unsigned int busy_timeout_ms);

void cicd__sqlrows_free(cicd__sqlrows *rows);
/* The cell at (row, col), or NULL. */
const char *cicd__sqlrows_get(const cicd__sqlrows *rows, size_t row, size_t col);

#endif
