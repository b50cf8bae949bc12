#include "store_fixture.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deploy/store_util.h"

static int g_pg;
static char g_path[512];

int fixture_is_pg(void)
{
	return g_pg;
}

void fixture_use_pg(int on)
{
	g_pg = on;
}

/* Drops everything in the test database so each test starts from an empty store. */
static void pg_reset(const char *url)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect to CICD_TEST_PG_URL: %s", PQerrorMessage(c));
		exit(2);
	}
	r = PQexec(c, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "cannot reset the test database: %s", PQerrorMessage(c));
		exit(2);
	}
	PQclear(r);
	PQfinish(c);
}

const char *fixture_fresh_location(void)
{
	static int n;
	if (g_pg) {
		const char *url = getenv("CICD_TEST_PG_URL");
		pg_reset(url);
		return url;
	}
	snprintf(g_path, sizeof g_path, "%s/cicd-store-test-%d-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	         (int)getpid(), ++n);
	unlink(g_path);
	{
		char side[600];
		snprintf(side, sizeof side, "%s-wal", g_path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", g_path);
		unlink(side);
	}
	return g_path;
}

cicd__store *fixture_open(void)
{
	cicd__store *st = NULL;
	if (cicd__store_open(&st, fixture_fresh_location(), NULL) < 0) {
		fprintf(stderr, "cannot open a test store: %s\n", cicd_error_last()->message);
		exit(2);
	}
	return st;
}

int fixture_sql(cicd__store *st, const char *sql)
{
	return st->db->ops->exec_script(st->db, sql);
}

long long fixture_count(cicd__store *st, const char *sql)
{
	int64_t v = -1;
	if (st_scalar(st, sql, NULL, -1, &v) < 0)
		return -1;
	return (long long)v;
}

cicd__store *fixture_reopen(cicd__store *st)
{
	cicd__store *other = NULL;
	const char *where = g_pg ? getenv("CICD_TEST_PG_URL") : st->location;
	if (cicd__store_open(&other, where, NULL) < 0) {
		fprintf(stderr, "cannot reopen the test store: %s\n", cicd_error_last()->message);
		exit(2);
	}
	return other;
}
