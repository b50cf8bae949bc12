/*
 * The SQLite driver of the deploy store: one file, WAL journal, full
 * synchronous commits (a committed transition or log batch survives a crash
 * of the process and of the machine). Writers serialise through
 * BEGIN IMMEDIATE, which is what makes each compare-and-set atomic.
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "sqldb.h"

/* Prepared statements are kept per SQL text: the store runs a few dozen distinct ones. */
#define STMT_CACHE 64

typedef struct {
	cicd__sqldb base;
	sqlite3 *conn;
	char *path;
	int last_unique;
	unsigned int busy_timeout_ms;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[STMT_CACHE];
	size_t cached;
} sqlite_db;

static int stmt_get(sqlite_db *db, const char *sql, sqlite3_stmt **out, int *cached)
{
	size_t i;
	int rc;
	for (i = 0; i < db->cached; i++)
		if (db->cache[i].sql == sql || !strcmp(db->cache[i].sql, sql)) {
			*out = db->cache[i].stmt;
			*cached = 1;
			return SQLITE_OK;
		}
	rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
	*cached = 0;
	if (rc == SQLITE_OK && db->cached < STMT_CACHE) {
		char *copy = cicd__strdup(sql);
		if (copy) {
			db->cache[db->cached].sql = copy;
			db->cache[db->cached].stmt = *out;
			db->cached++;
			*cached = 1;
		}
	}
	return rc;
}

/* Maps SQLite's result codes to the store's errors with a message that says what to do. */
static int sqlite_fail(sqlite_db *db, int rc, const char *what)
{
	int primary = rc & 0xff;
	const char *detail = db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);
	db->last_unique = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
	switch (primary) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return cicd__error_set(CICD_ESTORE, "store %s is locked by another process (waited %u ms while %s)",
		                       db->path, db->busy_timeout_ms, what);
	case SQLITE_FULL:
		return cicd__error_set(CICD_ESTORE, "store %s is full: the disk or its quota has no room (while %s)",
		                       db->path, what);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return cicd__error_set(CICD_ESTORE, "store %s is corrupt or not a store: %s", db->path, detail);
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return cicd__error_set(CICD_ESTORE, "store %s cannot be opened for writing: %s", db->path, detail);
	case SQLITE_IOERR:
		return cicd__error_set(CICD_ESTORE, "store %s: i/o error: %s", db->path, detail);
	case SQLITE_NOMEM:
		return cicd__error_oom();
	case SQLITE_CONSTRAINT:
		return cicd__error_set(CICD_ECONFLICT, "store %s: %s", db->path, detail);
	default:
		return cicd__error_set(CICD_ESTORE, "store %s: %s failed: %s", db->path, what, detail);
	}
}

static int rows_push(cicd__sqlrows *out, size_t *cap, sqlite3_stmt *stmt)
{
	size_t c, base;
	if (out->rows == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8, bytes;
		char **cells;
		if (!cicd__mul_ok(ncap, out->cols * sizeof(char *), &bytes))
			return cicd__error_oom();
		cells = cicd__realloc(out->cells, bytes ? bytes : 1);
		if (!cells)
			return cicd__error_oom();
		out->cells = cells;
		*cap = ncap;
	}
	base = out->rows * out->cols;
	for (c = 0; c < out->cols; c++) {
		const unsigned char *t = sqlite3_column_text(stmt, (int)c);
		out->cells[base + c] = NULL;
		if (t) {
			size_t n = (size_t)sqlite3_column_bytes(stmt, (int)c);
			out->cells[base + c] = cicd__strndup((const char *)t, n);
			if (!out->cells[base + c]) {
				for (; c > 0; c--)
					cicd__free(out->cells[base + c - 1]);
				return cicd__error_oom();
			}
		}
	}
	out->rows++;
	return 0;
}

static int sqlite_exec(cicd__sqldb *base, const char *sql, const cicd__sqlval *params, size_t nparams,
                       cicd__sqlrows *out, int64_t *changes)
{
	sqlite_db *db = (sqlite_db *)base;
	sqlite3_stmt *stmt = NULL;
	size_t i, cap = 0;
	int rc, err = 0, cached = 0;
	if (out)
		memset(out, 0, sizeof *out);
	rc = stmt_get(db, sql, &stmt, &cached);
	if (rc != SQLITE_OK)
		return sqlite_fail(db, rc, "preparing");
	for (i = 0; i < nparams && !err; i++) {
		if (params[i].integer) {
			rc = sqlite3_bind_int64(stmt, (int)i + 1, params[i].value);
		} else if (params[i].text) {
			if (params[i].len > INT_MAX)
				err = cicd__error_set(CICD_ELIMIT, "store value of %zu bytes is too large",
				                      params[i].len);
			else
				rc = sqlite3_bind_text(stmt, (int)i + 1, params[i].text, (int)params[i].len,
				                       SQLITE_STATIC);
		} else {
			rc = sqlite3_bind_null(stmt, (int)i + 1);
		}
		if (!err && rc != SQLITE_OK)
			err = sqlite_fail(db, rc, "binding");
	}
	if (out && !err)
		out->cols = (size_t)sqlite3_column_count(stmt);
	while (!err && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (out)
			err = rows_push(out, &cap, stmt);
	if (!err && rc != SQLITE_DONE)
		err = sqlite_fail(db, sqlite3_extended_errcode(db->conn), "running a statement");
	if (!err && changes)
		*changes = sqlite3_changes64(db->conn);
	if (cached) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	} else {
		sqlite3_finalize(stmt);
	}
	if (err && out)
		cicd__sqlrows_free(out);
	return err;
}

static int sqlite_script(cicd__sqldb *base, const char *sql)
{
	sqlite_db *db = (sqlite_db *)base;
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sqlite_fail(db, sqlite3_extended_errcode(db->conn), "updating the schema");
}

static int sqlite_begin(cicd__sqldb *base)
{
	sqlite_db *db = (sqlite_db *)base;
	int rc = sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sqlite_fail(db, rc, "starting a transaction");
}

static int sqlite_commit(cicd__sqldb *base)
{
	sqlite_db *db = (sqlite_db *)base;
	int rc = sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	rc = sqlite_fail(db, rc, "committing");
	sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void sqlite_rollback(cicd__sqldb *base)
{
	sqlite_db *db = (sqlite_db *)base;
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

static int sqlite_unique(cicd__sqldb *base)
{
	return ((sqlite_db *)base)->last_unique;
}

static void sqlite_close(cicd__sqldb *base)
{
	sqlite_db *db = (sqlite_db *)base;
	size_t i;
	if (!db)
		return;
	for (i = 0; i < db->cached; i++) {
		sqlite3_finalize(db->cache[i].stmt);
		cicd__free_const(db->cache[i].sql);
	}
	sqlite3_close_v2(db->conn);
	cicd__free(db->path);
	cicd__free(db);
}

static const cicd__sqldb_ops sqlite_ops = {
    "sqlite",
    sqlite_exec,
    sqlite_begin,
    sqlite_commit,
    sqlite_rollback,
    sqlite_script,
    sqlite_unique,
    sqlite_close,
    "",
    "INTEGER PRIMARY KEY AUTOINCREMENT",
    NULL,
};

int cicd__sqldb_open_sqlite(cicd__sqldb **out, const char *path, unsigned int busy_timeout_ms)
{
	sqlite_db *db;
	int rc, err;
	*out = NULL;
	db = cicd__calloc(1, sizeof *db);
	if (!db || !(db->path = cicd__strdup(path))) {
		cicd__free(db);
		return cicd__error_oom();
	}
	db->base.ops = &sqlite_ops;
	rc = sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err = sqlite_fail(db, rc, "opening");
		sqlite_close(&db->base);
		return err;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	db->busy_timeout_ms = busy_timeout_ms;
	sqlite3_busy_timeout(db->conn, (int)(busy_timeout_ms > INT_MAX ? INT_MAX : busy_timeout_ms));
	/* journal_mode reads the file header first, so a non-database fails here with SQLITE_NOTADB. */
	rc = sqlite3_exec(db->conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL,
	                  NULL, NULL);
	if (rc != SQLITE_OK) {
		err = sqlite_fail(db, sqlite3_extended_errcode(db->conn), "opening");
		sqlite_close(&db->base);
		return err;
	}
	*out = &db->base;
	return 0;
}

void cicd__sqlrows_free(cicd__sqlrows *rows)
{
	size_t i;
	if (!rows)
		return;
	for (i = 0; i < rows->rows * rows->cols; i++)
		cicd__free(rows->cells[i]);
	cicd__free(rows->cells);
	memset(rows, 0, sizeof *rows);
}

const char *cicd__sqlrows_get(const cicd__sqlrows *rows, size_t row, size_t col)
{
	if (row >= rows->rows || col >= rows->cols)
		return NULL;
	return rows->cells[row * rows->cols + col];
}
