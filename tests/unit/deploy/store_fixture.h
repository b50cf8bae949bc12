/*
 * The store suite runs the same tests against each backend: SQLite always,
 * PostgreSQL when CICD_TEST_PG_URL is set (scripts/test.d/50-deploy-store-pg.sh
 * starts a throwaway server and sets it).
 */
#ifndef CICD_TEST_STORE_FIXTURE_H
#define CICD_TEST_STORE_FIXTURE_H

#include "deploy/store.h"

/* The location of a fresh, empty store of the current backend. */
const char *fixture_fresh_location(void);
/* Opens a fresh store of the current backend; fails the test run when it cannot. */
cicd__store *fixture_open(void);
/* A second handle on the same store (another connection), without resetting it. */
cicd__store *fixture_reopen(cicd__store *st);
/* Runs raw SQL on the store (for corrupting or inspecting it in tests). */
int fixture_sql(cicd__store *st, const char *sql);
/* The first cell of a query as an integer. */
long long fixture_count(cicd__store *st, const char *sql);
/* 1 when the suite runs on PostgreSQL. */
int fixture_is_pg(void);
void fixture_use_pg(int on);

#endif
