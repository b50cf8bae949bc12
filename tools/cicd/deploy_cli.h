/* Shared pieces of the `cicd deploy` subcommands (cmd_deploy.c, cmd_deploy_jobs.c). */
#ifndef CICD_TOOL_DEPLOY_CLI_H
#define CICD_TOOL_DEPLOY_CLI_H

#include "cli.h"

typedef struct {
	const char *store; /* NULL: the default location */
	int json;          /* --format json */
	const char *who;   /* --who, else $USER */
} globals;

extern const char DEPLOY_USAGE[];

/* Prints the library's last error and returns EXIT_FAIL. */
int fail(void);
/* The value after argv[*i] (advancing *i), or NULL when missing. */
const char *opt_value(int argc, char **argv, int *i);
/* A non-negative decimal number; -1 otherwise. */
int parse_long(const char *s, long long *out);
/* Opens the store of g; prints the error and returns -1 on failure. */
int open_store(cicd_deploy_store **st, const globals *g);
/* Parses JSON the library produced; the root node or NULL. */
const cicd_node *load_json(cicd_document **doc, const cicd_buf *b);
/* A scalar member of an object ("" when absent), or dflt when absent, null or empty. */
const char *str(const cicd_node *n, const char *key);
const char *str_or(const cicd_node *n, const char *key, const char *dflt);
/* Milliseconds since the epoch (as text) in UTC, ISO 8601. */
void print_time(FILE *out, const char *ms_text);
void print_json(const cicd_buf *b);
/* Ctrl-C during a blocking call on st interrupts it (cicd_deploy_store_interrupt); see interrupt.h. */
void interrupt_store_begin(cicd_deploy_store *st);
/* Ends that; rc, or EXIT_INTERRUPTED when a signal stopped the call. */
int interrupt_store_end(int rc);
/* run, rollback, jobs, job, logs, cancel, worker. */
int deploy_jobs_command(int argc, char **argv, const globals *g);

#endif
