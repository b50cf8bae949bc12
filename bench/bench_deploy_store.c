/*
 * The deploy store's write paths with durability on (WAL, synchronous=FULL),
 * next to raw SQLite doing the same rows on the same machine in the same run:
 *
 *   log lines appended per second: the store's fenced, sequenced batch append
 *     vs. prepared INSERTs of the same rows in one transaction per batch;
 *   state transitions per second: the store's compare-and-set (lock, check,
 *     fence, update, history row) vs. a raw UPDATE + INSERT per transaction.
 *
 * Each side runs ROUNDS times, interleaved, and the best rate counts: fsync
 * latency on a shared disk is noisy, and the best run is the least disturbed.
 *
 *   bench_deploy_store [LINES] [BATCH] [JOBS] [DIR] [ROUNDS]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cicd/errors.h"
#include "deploy/store.h"
#include "util.h"

#define T0 1700000000000LL

static void die(const char *what)
{
	fprintf(stderr, "bench_deploy_store: %s: %s\n", what, cicd_error_last()->message);
	exit(1);
}

static void rm_db(const char *path)
{
	char side[1100];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static cicd__store *fresh_store(const char *path)
{
	cicd__store *st;
	rm_db(path);
	if (cicd__store_open(&st, path, NULL) < 0)
		die("open");
	return st;
}

/* One version, one target, `jobs` queued jobs. */
static void seed(cicd__store *st, int jobs)
{
	cicd__object_in obj = {"h1", "v1", "ConfigMap", "demo", "app", "{\"kind\":\"ConfigMap\"}", 20, 0};
	cicd__push_meta meta = {"bench", NULL, NULL, T0};
	cicd__target t = {(char *)"dev", NULL, NULL, (char *)"demo", 0, T0};
	cicd__version v;
	int existed, i;
	int64_t id;
	if (cicd__store_version_push(st, &v, &existed, "bench", "set", "hash1", &obj, 1, &meta) < 0)
		die("push");
	if (cicd__store_target_add(st, &t) < 0)
		die("target");
	for (i = 0; i < jobs; i++)
		if (cicd__store_job_create(st, &id, v.id, "dev", "bench", 0, 1000, T0) < 0)
			die("job");
	cicd__version_dispose(&v);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db;
	rm_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 "CREATE TABLE logs (job_id BIGINT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL,"
	                 " level INTEGER NOT NULL, message TEXT NOT NULL, fields TEXT, PRIMARY KEY (job_id, seq));"
	                 "CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, reason TEXT, at BIGINT);"
	                 "CREATE TABLE transitions (job_id BIGINT NOT NULL, seq INTEGER NOT NULL, from_state TEXT,"
	                 " to_state TEXT, reason TEXT, at BIGINT, PRIMARY KEY (job_id, seq));",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "raw sqlite: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	return db;
}

static double bench_store_logs(const char *path, int lines, int batch)
{
	cicd__store *st = fresh_store(path);
	cicd__logline_in *buf = calloc((size_t)batch, sizeof *buf);
	int64_t e, last;
	double t;
	int i, j;
	seed(st, 1);
	if (cicd__store_lease_acquire(&st[0], &e, "dev", "bench", 600000, T0) < 0 ||
	    cicd__store_job_transition(st, 1, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e, T0) < 0)
		die("start");
	for (j = 0; j < batch; j++) {
		buf[j].at = T0;
		buf[j].level = 3;
		buf[j].message = "configured Deployment demo/app (apps/v1)";
		buf[j].fields = "{\"kind\":\"Deployment\",\"action\":\"configured\"}";
	}
	t = bench_now();
	for (i = 0; i < lines; i += batch)
		if (cicd__store_log_append(st, &last, 1, e, buf, (size_t)batch) < 0)
			die("append");
	t = bench_now() - t;
	cicd__store_close(st);
	free(buf);
	return lines / t;
}

static double bench_raw_logs(const char *path, int lines, int batch)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *ins;
	double t;
	int i, j, seq = 0;
	sqlite3_prepare_v2(db, "INSERT INTO logs (job_id, seq, at, level, message, fields) VALUES (1, ?, ?, 3, ?, ?)",
	                   -1, &ins, NULL);
	t = bench_now();
	for (i = 0; i < lines; i += batch) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (j = 0; j < batch; j++) {
			sqlite3_bind_int64(ins, 1, ++seq);
			sqlite3_bind_int64(ins, 2, T0);
			sqlite3_bind_text(ins, 3, "configured Deployment demo/app (apps/v1)", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, "{\"kind\":\"Deployment\",\"action\":\"configured\"}", -1,
			                  SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				exit(1);
			sqlite3_reset(ins);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t = bench_now() - t;
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return lines / t;
}

/* Each job goes queued -> running -> succeeded: two transitions, each its own durable transaction. */
static double bench_store_transitions(const char *path, int jobs)
{
	cicd__store *st = fresh_store(path);
	int64_t e;
	double t;
	int i;
	seed(st, jobs);
	if (cicd__store_lease_acquire(st, &e, "dev", "bench", 600000, T0) < 0)
		die("lease");
	t = bench_now();
	for (i = 1; i <= jobs; i++)
		if (cicd__store_job_transition(st, i, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", NULL, e, T0) <
		        0 ||
		    cicd__store_job_transition(st, i, CICD__JOB_RUNNING, CICD__JOB_SUCCEEDED, "done", NULL, e, T0) < 0)
			die("transition");
	t = bench_now() - t;
	cicd__store_close(st);
	return 2.0 * jobs / t;
}

static double bench_raw_transitions(const char *path, int jobs)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *up, *ins;
	double t;
	int i, k;
	static const char *const states[3] = {"queued", "running", "succeeded"};
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 1; i <= jobs; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO jobs (id, state) VALUES (%d, 'queued')", i);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "UPDATE jobs SET state = ?, reason = ?, at = ? WHERE id = ? AND state = ?", -1, &up,
	                   NULL);
	sqlite3_prepare_v2(
	    db, "INSERT INTO transitions (job_id, seq, from_state, to_state, reason, at) VALUES (?, ?, ?, ?, ?, ?)", -1,
	    &ins, NULL);
	t = bench_now();
	for (i = 1; i <= jobs; i++)
		for (k = 0; k < 2; k++) {
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
			sqlite3_bind_text(up, 1, states[k + 1], -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 2, "r", -1, SQLITE_STATIC);
			sqlite3_bind_int64(up, 3, T0);
			sqlite3_bind_int(up, 4, i);
			sqlite3_bind_text(up, 5, states[k], -1, SQLITE_STATIC);
			if (sqlite3_step(up) != SQLITE_DONE || sqlite3_changes(db) != 1)
				exit(1);
			sqlite3_reset(up);
			sqlite3_bind_int(ins, 1, i);
			sqlite3_bind_int(ins, 2, k + 1);
			sqlite3_bind_text(ins, 3, states[k], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, states[k + 1], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 5, "r", -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 6, T0);
			if (sqlite3_step(ins) != SQLITE_DONE)
				exit(1);
			sqlite3_reset(ins);
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		}
	t = bench_now() - t;
	sqlite3_finalize(up);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return 2.0 * jobs / t;
}

int main(int argc, char **argv)
{
	int lines = argc > 1 ? atoi(argv[1]) : 50000;
	int batch = argc > 2 ? atoi(argv[2]) : 100;
	int jobs = argc > 3 ? atoi(argv[3]) : 500;
	const char *dir = argc > 4 ? argv[4] : "/tmp";
	int rounds = argc > 5 ? atoi(argv[5]) : 5, r;
	char a[1024], b[1024];
	double store_l = 0, raw_l = 0, store_t = 0, raw_t = 0, x;
	if (lines <= 0 || batch <= 0 || jobs <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: bench_deploy_store [LINES] [BATCH] [JOBS] [DIR] [ROUNDS]\n");
		return 2;
	}
	snprintf(a, sizeof a, "%s/bench-deploy-store-%d.db", dir, (int)getpid());
	snprintf(b, sizeof b, "%s/bench-deploy-raw-%d.db", dir, (int)getpid());
	/* Interleaved so that disk-cache effects hit both sides alike. */
	for (r = 0; r < rounds; r++) {
		if ((x = bench_raw_logs(b, lines, batch)) > raw_l)
			raw_l = x;
		if ((x = bench_store_logs(a, lines, batch)) > store_l)
			store_l = x;
		if ((x = bench_raw_transitions(b, jobs)) > raw_t)
			raw_t = x;
		if ((x = bench_store_transitions(a, jobs)) > store_t)
			store_t = x;
	}
	printf(
	    "deploy store, SQLite WAL synchronous=FULL, %d log lines in batches of %d, %d jobs x 2 transitions, best "
	    "of %d\n",
	    lines, batch, jobs, rounds);
	printf("%-28s %14s %14s %8s\n", "", "libcicd/s", "raw sqlite/s", "raw/lib");
	printf("%-28s %14.0f %14.0f %8.2fx\n", "log lines appended", store_l, raw_l, raw_l / store_l);
	printf("%-28s %14.0f %14.0f %8.2fx\n", "state transitions", store_t, raw_t, raw_t / store_t);
	rm_db(a);
	rm_db(b);
	return 0;
}
