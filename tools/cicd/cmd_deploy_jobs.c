/* cicd deploy run / rollback / jobs / job / logs / cancel / worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deploy_cli.h"
#include "interrupt.h"

static void interrupt_store(void *st)
{
	cicd_deploy_store_interrupt(st);
}

void interrupt_store_begin(cicd_deploy_store *st)
{
	cli_interrupt_begin(interrupt_store, st);
}

int interrupt_store_end(int rc)
{
	return cli_interrupt_end() ? EXIT_INTERRUPTED : rc;
}

static const char *const LEVELS[] = {"none", "error", "warn", "info", "debug", "trace"};

static const char *level_name(int level)
{
	return level >= 0 && level <= 5 ? LEVELS[level] : "info";
}

/* Progress while waiting: each line as the job writes it, on a terminal only. */
static void progress(int level, const char *message, const char *fields, void *payload)
{
	(void)fields;
	(void)payload;
	fprintf(stderr, "  %-5s %s\n", level_name(level), message);
}

/* Prints the job's end (or its id when queued); exit 1 when a waited-for job did not succeed. */
static int report_job(cicd_deploy_store *st, long long id, int waited, const globals *g)
{
	cicd_buf b = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *j;
	int rc = EXIT_OK;
	if (cicd_deploy_job_json(&b, st, id) < 0)
		return fail();
	j = load_json(&doc, &b);
	if (g->json)
		print_json(&b);
	else if (j && !waited)
		printf("job %lld %s\n", id, str(j, "state"));
	else if (j && !strcmp(str_or(j, "reason", ""), str(j, "state")))
		/* a succeeded job's reason is "succeeded": say it once */
		printf("job %lld %s%s%s\n", id, str(j, "state"), *str_or(j, "message", "") ? ": " : "",
		       str_or(j, "message", ""));
	else if (j)
		printf("job %lld %s: %s%s%s\n", id, str(j, "state"), str_or(j, "reason", ""),
		       *str_or(j, "message", "") ? ": " : "", str_or(j, "message", ""));
	if (waited && j && strcmp(str(j, "state"), "succeeded") != 0)
		rc = EXIT_FAIL;
	cicd_document_free(doc);
	cicd_buf_dispose(&b);
	return rc;
}

static int do_run(int argc, char **argv, const globals *g, int rollback)
{
	cicd_deploy_run_options o = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_deploy_store *st;
	const char *what = NULL, *target = NULL, *to = NULL;
	long long id = 0, secs;
	int i, rc, err;
	o.who = g->who;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target")) {
			if (!(target = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--target needs a name");
		} else if (rollback && !strcmp(argv[i], "--to")) {
			if (!(to = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--to needs a version");
		} else if (!strcmp(argv[i], "--timeout")) {
			if (parse_long(opt_value(argc, argv, &i), &secs) < 0 || !secs)
				return cli_usage(DEPLOY_USAGE, "--timeout needs a number of seconds");
			o.timeout_ms = (long)(secs * 1000);
		} else if (!strcmp(argv[i], "--wait")) {
			o.wait = 1;
		} else if (!strcmp(argv[i], "--prune")) {
			o.prune = 1;
		} else if (!strcmp(argv[i], "--no-queue")) {
			o.no_queue = 1;
		} else if (argv[i][0] == '-') {
			return cli_usage(DEPLOY_USAGE, "unknown option '%s'", argv[i]);
		} else if (!what) {
			what = argv[i];
		} else {
			return cli_usage(DEPLOY_USAGE, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!what || !target)
		return cli_usage(DEPLOY_USAGE, "%s needs %s and --target", argv[0],
		                 rollback ? "PROJECT/SET" : "PROJECT/SET@VERSION");
	if (o.wait && isatty(2) && !g->json)
		o.progress = progress;
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	cicd_init();
	if (o.wait)
		interrupt_store_begin(st);
	err =
	    rollback ? cicd_deploy_rollback(&id, st, what, target, to, &o) : cicd_deploy_run(&id, st, what, target, &o);
	rc = err < 0 ? fail() : report_job(st, id, o.wait, g);
	if (o.wait)
		rc = interrupt_store_end(rc);
	cicd_shutdown();
	cicd_deploy_store_free(st);
	return rc;
}

static int do_jobs(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	cicd_buf b = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *root;
	const char *target = NULL;
	long long limit = 0;
	size_t k;
	int i, rc = EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target")) {
			if (!(target = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--target needs a name");
		} else if (!strcmp(argv[i], "--limit")) {
			if (parse_long(opt_value(argc, argv, &i), &limit) < 0)
				return cli_usage(DEPLOY_USAGE, "--limit needs a number");
		} else {
			return cli_usage(DEPLOY_USAGE, "unexpected argument '%s'", argv[i]);
		}
	}
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (cicd_deploy_jobs_json(&b, st, target, (size_t)limit) < 0) {
		rc = fail();
	} else if (g->json) {
		print_json(&b);
	} else if ((root = load_json(&doc, &b))) {
		printf("%-6s %-24s %-12s %-10s %-20s %-20s %s\n", "JOB", "VERSION", "TARGET", "STATE", "REASON",
		       "CREATED", "WHO");
		for (k = 0; k < cicd_node_size(root); k++) {
			const cicd_node *j = cicd_node_item(root, k);
			char ver[200];
			snprintf(ver, sizeof ver, "%s/%s@%s", str(j, "project"), str(j, "set"), str(j, "version"));
			printf("%-6s %-24s %-12s %-10s %-20s ", str(j, "id"), ver, str(j, "target"), str(j, "state"),
			       str_or(j, "reason", "-"));
			print_time(stdout, str(j, "created_at"));
			printf(" %s\n", str_or(j, "who", "-"));
		}
	}
	cicd_document_free(doc);
	cicd_buf_dispose(&b);
	cicd_deploy_store_free(st);
	return rc;
}

static int parse_job(const char *s, long long *id)
{
	return parse_long(s, id) < 0 || !*id ? -1 : 0;
}

static int do_job(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	cicd_buf b = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *j, *list;
	long long id;
	size_t k;
	int rc = EXIT_OK;
	if (argc != 2 || parse_job(argv[1], &id) < 0)
		return cli_usage(DEPLOY_USAGE, "job needs a JOB number");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (cicd_deploy_job_json(&b, st, id) < 0) {
		rc = fail();
	} else if (g->json) {
		print_json(&b);
	} else if ((j = load_json(&doc, &b))) {
		printf("job %s: %s/%s@%s to %s by %s\nstate: %s", str(j, "id"), str(j, "project"), str(j, "set"),
		       str(j, "version"), str(j, "target"), str_or(j, "who", "-"), str(j, "state"));
		if (*str_or(j, "reason", ""))
			printf(" (%s)", str(j, "reason"));
		printf("\n");
		if (*str_or(j, "message", ""))
			printf("message: %s\n", str(j, "message"));
		list = cicd_node_get(j, "changes");
		if (cicd_node_size(list))
			printf("changes:\n");
		for (k = 0; k < cicd_node_size(list); k++) {
			const cicd_node *c = cicd_node_item(list, k);
			const char *ns = str(c, "namespace");
			printf("  %-9s %s %s%s%s\n", str(c, "action"), str(c, "kind"), ns, *ns ? "/" : "",
			       str(c, "name"));
		}
		list = cicd_node_get(j, "transitions");
		if (cicd_node_size(list))
			printf("transitions:\n");
		for (k = 0; k < cicd_node_size(list); k++) {
			const cicd_node *t = cicd_node_item(list, k);
			printf("  ");
			print_time(stdout, str(t, "at"));
			printf(" %s -> %s %s\n", str(t, "from"), str(t, "to"), str_or(t, "reason", ""));
		}
	}
	cicd_document_free(doc);
	cicd_buf_dispose(&b);
	cicd_deploy_store_free(st);
	return rc;
}

typedef struct {
	const globals *g;
} log_ctx;

static int print_line(long long seq, long long at, int level, const char *message, const char *fields, void *payload)
{
	const log_ctx *c = payload;
	char at_text[32];
	if (c->g->json) {
		printf("{\"seq\":%lld,\"at\":%lld,\"level\":\"%s\",\"message\":", seq, at, level_name(level));
		fputc('"', stdout);
		for (; *message; message++) {
			unsigned char ch = (unsigned char)*message;
			if (ch == '"' || ch == '\\')
				printf("\\%c", ch);
			else if (ch == '\n')
				fputs("\\n", stdout);
			else if (ch == '\t')
				fputs("\\t", stdout);
			else if (ch < 0x20)
				printf("\\u%04x", ch);
			else
				fputc(ch, stdout);
		}
		printf("\",\"fields\":%s}\n", fields && *fields ? fields : "null");
	} else {
		snprintf(at_text, sizeof at_text, "%lld", at);
		printf("%5lld ", seq);
		print_time(stdout, at_text);
		printf(" %-5s %s\n", level_name(level), message);
	}
	fflush(stdout);
	return 0;
}

static int do_logs(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	log_ctx c;
	long long id = 0, after = 0, last;
	int i, follow = 0, rc = EXIT_OK, err;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--follow")) {
			follow = 1;
		} else if (!strcmp(argv[i], "--after")) {
			if (parse_long(opt_value(argc, argv, &i), &after) < 0)
				return cli_usage(DEPLOY_USAGE, "--after needs a sequence number");
		} else if (!id && parse_job(argv[i], &id) == 0) {
			continue;
		} else {
			return cli_usage(DEPLOY_USAGE, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!id)
		return cli_usage(DEPLOY_USAGE, "logs needs a JOB number");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	c.g = g;
	if (follow)
		interrupt_store_begin(st);
	err = follow ? cicd_deploy_log_follow(&last, st, id, after, 300, print_line, &c)
	             : cicd_deploy_log_read(&last, st, id, after, print_line, &c);
	if (err < 0)
		rc = fail();
	if (follow)
		rc = interrupt_store_end(rc);
	cicd_deploy_store_free(st);
	return rc;
}

static int do_cancel(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	long long id;
	int rc;
	if (argc != 2 || parse_job(argv[1], &id) < 0)
		return cli_usage(DEPLOY_USAGE, "cancel needs a JOB number");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	rc = cicd_deploy_cancel(st, id, g->who) < 0 ? fail() : report_job(st, id, 0, g);
	cicd_deploy_store_free(st);
	return rc;
}

static int do_worker(int argc, char **argv, const globals *g)
{
	cicd_deploy_worker_options o = CICD_DEPLOY_WORKER_OPTIONS_INIT;
	cicd_deploy_store *st;
	long long n;
	int i, rc = EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--until-idle")) {
			o.until_idle = 1;
		} else if (!strcmp(argv[i], "--max-jobs")) {
			if (parse_long(opt_value(argc, argv, &i), &n) < 0)
				return cli_usage(DEPLOY_USAGE, "--max-jobs needs a number");
			o.max_jobs = (long)n;
		} else if (!strcmp(argv[i], "--lease-ttl")) {
			if (parse_long(opt_value(argc, argv, &i), &n) < 0 || n < 100)
				return cli_usage(DEPLOY_USAGE, "--lease-ttl needs milliseconds (at least 100)");
			o.lease_ttl_ms = (long)n;
		} else if (!strcmp(argv[i], "--poll")) {
			if (parse_long(opt_value(argc, argv, &i), &n) < 0 || !n)
				return cli_usage(DEPLOY_USAGE, "--poll needs milliseconds");
			o.poll_ms = (long)n;
		} else if (!strcmp(argv[i], "--owner")) {
			if (!(o.owner = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--owner needs a name");
		} else {
			return cli_usage(DEPLOY_USAGE, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!g->json)
		o.progress = progress;
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	cicd_init();
	interrupt_store_begin(st);
	if (cicd_deploy_worker_run(st, &o) < 0)
		rc = fail();
	rc = interrupt_store_end(rc);
	cicd_shutdown();
	cicd_deploy_store_free(st);
	return rc;
}

int deploy_jobs_command(int argc, char **argv, const globals *g)
{
	if (!strcmp(argv[0], "run"))
		return do_run(argc, argv, g, 0);
	if (!strcmp(argv[0], "rollback"))
		return do_run(argc, argv, g, 1);
	if (!strcmp(argv[0], "jobs"))
		return do_jobs(argc, argv, g);
	if (!strcmp(argv[0], "job"))
		return do_job(argc, argv, g);
	if (!strcmp(argv[0], "logs"))
		return do_logs(argc, argv, g);
	if (!strcmp(argv[0], "cancel"))
		return do_cancel(argc, argv, g);
	if (!strcmp(argv[0], "worker"))
		return do_worker(argc, argv, g);
	return cli_usage(DEPLOY_USAGE, "unknown command '%s'", argv[0]);
}
