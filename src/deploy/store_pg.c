/*
 * The PostgreSQL driver of the deploy store (libpq), so that several CD
 * servers can share one state. Transactions are READ COMMITTED; the store
 * locks the rows a compare-and-set depends on (SELECT ... FOR UPDATE), which
 * serialises writers per job and per target the way BEGIN IMMEDIATE does in
 * SQLite. The URL's password never reaches a message.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "sqldb.h"

typedef struct {
	cicd__sqldb base;
	PGconn *conn;
	char *where; /* host:port/db for messages, without credentials */
	int last_unique;
} pg_db;

/* "?" placeholders to "$1".."$N" (the store's SQL has no "?" inside literals). */
static char *pg_rewrite(const char *sql)
{
	cicd_buf b = CICD_BUF_INIT;
	int n = 0;
	for (; *sql; sql++) {
		if (*sql == '?') {
			if (cicd__buf_printf(&b, "$%d", ++n) < 0)
				goto oom;
		} else if (cicd__buf_putc(&b, *sql) < 0) {
			goto oom;
		}
	}
	return cicd__buf_detach(&b);
oom:
	cicd_buf_dispose(&b);
	return NULL;
}

static int pg_fail(pg_db *db, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(db->conn);
	db->last_unique = state && !strcmp(state, "23505");
	if (PQstatus(db->conn) != CONNECTION_OK)
		return cicd__error_set(CICD_ESTORE, "store %s: connection lost (%s)", db->where, what);
	if (!state)
		return cicd__error_set(CICD_ESTORE, "store %s: %s failed: %s", db->where, what, msg);
	if (!strcmp(state, "55P03") || !strcmp(state, "57014"))
		return cicd__error_set(CICD_ESTORE, "store %s is locked by another session (%s)", db->where, what);
	if (!strncmp(state, "53", 2))
		return cicd__error_set(CICD_ESTORE,
		                       "store %s is full: the server is out of disk, memory or connections (%s)",
		                       db->where, what);
	if (!strcmp(state, "XX001") || !strcmp(state, "XX002"))
		return cicd__error_set(CICD_ESTORE, "store %s is corrupt: %s", db->where, msg);
	if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		return cicd__error_set(CICD_ECONFLICT, "store %s: concurrent change, try again (%s)", db->where, what);
	if (!strncmp(state, "23", 2))
		return cicd__error_set(CICD_ECONFLICT, "store %s: %s", db->where, msg);
	return cicd__error_set(CICD_ESTORE, "store %s: %s failed: %s", db->where, what, msg);
}

static int pg_exec(cicd__sqldb *base, const char *sql, const cicd__sqlval *params, size_t nparams, cicd__sqlrows *out,
                   int64_t *changes)
{
	pg_db *db = (pg_db *)base;
	const char *values[32];
	int lengths[32], formats[32];
	char *text;
	PGresult *res;
	size_t i;
	int st, err = 0;
	if (out)
		memset(out, 0, sizeof *out);
	if (nparams > 32)
		return cicd__error_set(CICD_EINVALID, "store statement has %zu parameters, at most 32", nparams);
	for (i = 0; i < nparams; i++) {
		values[i] = params[i].text;
		lengths[i] = (int)params[i].len;
		formats[i] = 0;
	}
	if (!(text = pg_rewrite(sql)))
		return cicd__error_oom();
	res = PQexecParams(db->conn, text, (int)nparams, NULL, values, lengths, formats, 0);
	cicd__free(text);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		err = pg_fail(db, res, "a statement");
		PQclear(res);
		return err;
	}
	db->last_unique = 0;
	if (changes) {
		const char *c = PQcmdTuples(res);
		*changes = c && *c ? strtoll(c, NULL, 10) : 0;
	}
	if (out && st == PGRES_TUPLES_OK) {
		size_t r, c, n;
		out->rows = (size_t)PQntuples(res);
		out->cols = (size_t)PQnfields(res);
		n = out->rows * out->cols;
		out->cells = cicd__calloc(n ? n : 1, sizeof(char *));
		if (!out->cells)
			err = cicd__error_oom();
		for (r = 0; r < out->rows && !err; r++)
			for (c = 0; c < out->cols && !err; c++) {
				if (PQgetisnull(res, (int)r, (int)c))
					continue;
				out->cells[r * out->cols + c] = cicd__strndup(PQgetvalue(res, (int)r, (int)c),
				                                              (size_t)PQgetlength(res, (int)r, (int)c));
				if (!out->cells[r * out->cols + c])
					err = cicd__error_oom();
			}
		if (err)
			cicd__sqlrows_free(out);
	}
	PQclear(res);
	return err;
}

static int pg_simple(pg_db *db, const char *sql, const char *what)
{
	PGresult *res = PQexec(db->conn, sql);
	int err = 0;
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		err = pg_fail(db, res, what);
	PQclear(res);
	return err;
}

static int pg_script(cicd__sqldb *base, const char *sql)
{
	return pg_simple((pg_db *)base, sql, "updating the schema");
}

static int pg_begin(cicd__sqldb *base)
{
	return pg_simple((pg_db *)base, "BEGIN", "starting a transaction");
}

static int pg_commit(cicd__sqldb *base)
{
	return pg_simple((pg_db *)base, "COMMIT", "committing");
}

static void pg_rollback(cicd__sqldb *base)
{
	pg_db *db = (pg_db *)base;
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

static int pg_unique(cicd__sqldb *base)
{
	return ((pg_db *)base)->last_unique;
}

static void pg_close(cicd__sqldb *base)
{
	pg_db *db = (pg_db *)base;
	if (!db)
		return;
	PQfinish(db->conn);
	cicd__free(db->where);
	cicd__free(db);
}

static const cicd__sqldb_ops pg_ops = {
    "postgresql",
    pg_exec,
    pg_begin,
    pg_commit,
    pg_rollback,
    pg_script,
    pg_unique,
    pg_close,
    " FOR UPDATE",
    "BIGSERIAL PRIMARY KEY",
    "SELECT pg_advisory_xact_lock(7215031)",
};

/* host:port/dbname of the connection, never the user's password. */
static char *pg_describe(PGconn *conn)
{
	cicd_buf b = CICD_BUF_INIT;
	const char *host = PQhost(conn), *port = PQport(conn), *name = PQdb(conn);
	if (cicd__buf_printf(&b, "postgresql://%s:%s/%s", host ? host : "", port ? port : "", name ? name : "") < 0) {
		cicd_buf_dispose(&b);
		return NULL;
	}
	return cicd__buf_detach(&b);
}

int cicd__sqldb_open_pg(cicd__sqldb **out, const char *url, unsigned int busy_timeout_ms)
{
	pg_db *db;
	char set[96];
	int err;
	*out = NULL;
	db = cicd__calloc(1, sizeof *db);
	if (!db)
		return cicd__error_oom();
	db->base.ops = &pg_ops;
	db->conn = PQconnectdb(url);
	if (!db->conn) {
		cicd__free(db);
		return cicd__error_oom();
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password. */
		char *msg = cicd__strdup(PQerrorMessage(db->conn));
		size_t n = msg ? strlen(msg) : 0;
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		err = cicd__error_set(CICD_ESTORE, "cannot connect to the postgresql store: %s", msg ? msg : "");
		cicd__free(msg);
		pg_close(&db->base);
		return err;
	}
	if (!(db->where = pg_describe(db->conn))) {
		pg_close(&db->base);
		return cicd__error_oom();
	}
	PQclear(PQexec(db->conn, "SET client_min_messages = warning"));
	snprintf(set, sizeof set, "SET lock_timeout = %u", busy_timeout_ms);
	if ((err = pg_simple(db, set, "setting the lock timeout")) < 0) {
		pg_close(&db->base);
		return err;
	}
	*out = &db->base;
	return 0;
}
