/* cicd deploy ... — resource sets, versions, targets and deploy jobs over the public deploy API. */
#include <signal.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deploy_cli.h"

const char DEPLOY_USAGE[] = "cicd deploy [--store S] [--format text|json] COMMAND ...\n"
                            "  target add NAME [--kubeconfig F] [--context C] [--in-cluster] --namespace NS\n"
                            "  target remove NAME\n"
                            "  targets\n"
                            "  push PROJECT/SET DIR|FILE... [--commit SHA] [--pipeline ID] [--who W] [--recursive]\n"
                            "  versions PROJECT/SET\n"
                            "  diff PROJECT/SET@V1 [PROJECT/SET@V2 | @V2 | --target T] [--format json]\n"
                            "  run PROJECT/SET@VERSION --target T [--wait] [--prune] [--no-queue] [--timeout SECONDS]\n"
                            "  jobs [--target T] [--limit N]\n"
                            "  job JOB\n"
                            "  logs JOB [-f] [--after SEQ]\n"
                            "  cancel JOB\n"
                            "  rollback PROJECT/SET --target T [--to VERSION] [--wait] [--prune]\n"
                            "  worker [--until-idle] [--max-jobs N] [--owner NAME] [--lease-ttl MS]\n"
                            "  set-prune PROJECT/SET on|off\n"
                            "  history-keep N";

/* ---- small helpers ---- */

int fail(void)
{
	cli_print_error();
	return EXIT_FAIL;
}

const char *opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int parse_long(const char *s, long long *out)
{
	char *end;
	long long v;
	if (!s || !*s)
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v < 0)
		return -1;
	*out = v;
	return 0;
}

int open_store(cicd_deploy_store **st, const globals *g)
{
	if (cicd_deploy_store_open(st, g->store, NULL) < 0) {
		cli_print_error();
		return -1;
	}
	return 0;
}

/* Loads JSON text produced by the library, for text output. */
const cicd_node *load_json(cicd_document **doc, const cicd_buf *b)
{
	if (cicd_document_load_json(doc, b->ptr, b->size, "result", NULL) < 0)
		return NULL;
	return cicd_document_root(*doc, 0);
}

const char *str(const cicd_node *n, const char *key)
{
	const char *s = cicd_node_scalar(cicd_node_get(n, key), NULL);
	return s ? s : "";
}

const char *str_or(const cicd_node *n, const char *key, const char *dflt)
{
	const cicd_node *v = cicd_node_get(n, key);
	const char *s = v && cicd_node_value_type(v) != CICD_VALUE_NULL ? cicd_node_scalar(v, NULL) : NULL;
	return s && *s ? s : dflt;
}

void print_time(FILE *out, const char *ms_text)
{
	time_t t = (time_t)(atoll(ms_text) / 1000);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(buf, out);
}

void print_json(const cicd_buf *b)
{
	fwrite(b->ptr, 1, b->size, stdout);
	if (!b->size || b->ptr[b->size - 1] != '\n')
		putchar('\n');
}

/* ---- targets ---- */

static int do_target(int argc, char **argv, const globals *g)
{
	cicd_deploy_target_options o = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	cicd_deploy_store *st;
	const char *name = NULL;
	int i, rc = EXIT_OK;
	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "remove")))
		return cli_usage(DEPLOY_USAGE, "target needs 'add' or 'remove'");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--kubeconfig")) {
			if (!(o.kubeconfig = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--kubeconfig needs a file");
		} else if (!strcmp(argv[i], "--context")) {
			if (!(o.context = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--context needs a name");
		} else if (!strcmp(argv[i], "--namespace") || !strcmp(argv[i], "-n")) {
			if (!(o.namespace_name = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--namespace needs a name");
		} else if (!strcmp(argv[i], "--in-cluster")) {
			o.in_cluster = 1;
		} else if (argv[i][0] == '-') {
			return cli_usage(DEPLOY_USAGE, "unknown option '%s'", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			return cli_usage(DEPLOY_USAGE, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!name)
		return cli_usage(DEPLOY_USAGE, "target %s needs a NAME", argv[1]);
	if (!strcmp(argv[1], "add") && !o.namespace_name)
		return cli_usage(DEPLOY_USAGE, "target add needs --namespace");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if ((!strcmp(argv[1], "add") ? cicd_deploy_target_add(st, name, &o) : cicd_deploy_target_remove(st, name)) < 0)
		rc = fail();
	else if (g->json)
		printf("{\"target\":\"%s\",\"%s\":true}\n", name, !strcmp(argv[1], "add") ? "added" : "removed");
	else
		printf("target %s %s\n", name, !strcmp(argv[1], "add") ? "added" : "removed");
	cicd_deploy_store_free(st);
	return rc;
}

static int do_targets(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	cicd_buf b = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *root;
	size_t i;
	int rc = EXIT_OK;
	(void)argv;
	if (argc > 1)
		return cli_usage(DEPLOY_USAGE, "targets takes no arguments");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (cicd_deploy_targets_json(&b, st) < 0) {
		rc = fail();
	} else if (g->json) {
		print_json(&b);
	} else if ((root = load_json(&doc, &b))) {
		printf("%-20s %-20s %-20s %s\n", "NAME", "NAMESPACE", "CONTEXT", "KUBECONFIG");
		for (i = 0; i < cicd_node_size(root); i++) {
			const cicd_node *t = cicd_node_item(root, i);
			int in_cluster = !strcmp(str(t, "in_cluster"), "true");
			printf("%-20s %-20s %-20s %s\n", str(t, "name"), str(t, "namespace"),
			       in_cluster ? "(in-cluster)" : str_or(t, "context", "(current)"),
			       in_cluster ? "" : str_or(t, "kubeconfig", "(default)"));
		}
	}
	cicd_document_free(doc);
	cicd_buf_dispose(&b);
	cicd_deploy_store_free(st);
	return rc;
}

/* ---- versions ---- */

static int do_push(int argc, char **argv, const globals *g)
{
	cicd_deploy_push_options o = CICD_DEPLOY_PUSH_OPTIONS_INIT;
	cicd_deploy_store *st;
	cicd_buf b = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *v;
	const char *set = NULL, **paths;
	size_t npaths = 0;
	int i, rc = EXIT_OK;
	paths = calloc((size_t)argc, sizeof *paths);
	if (!paths)
		return EXIT_FAIL;
	o.who = g->who;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--commit")) {
			if (!(o.commit = opt_value(argc, argv, &i)))
				rc = cli_usage(DEPLOY_USAGE, "--commit needs a SHA");
		} else if (!strcmp(argv[i], "--pipeline")) {
			if (!(o.pipeline = opt_value(argc, argv, &i)))
				rc = cli_usage(DEPLOY_USAGE, "--pipeline needs an id");
		} else if (!strcmp(argv[i], "--recursive") || !strcmp(argv[i], "-r")) {
			o.recursive = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = cli_usage(DEPLOY_USAGE, "unknown option '%s'", argv[i]);
		} else if (!set) {
			set = argv[i];
		} else {
			paths[npaths++] = argv[i];
		}
		if (rc)
			break;
	}
	if (!rc && (!set || !npaths))
		rc = cli_usage(DEPLOY_USAGE, "push needs PROJECT/SET and at least one file or folder");
	if (!rc && open_store(&st, g) < 0)
		rc = EXIT_FAIL;
	if (!rc) {
		if (cicd_deploy_push_paths(&b, st, set, paths, npaths, &o) < 0)
			rc = fail();
		else if (g->json)
			print_json(&b);
		else if ((v = load_json(&doc, &b)))
			printf("%s/%s@%s %s (%s objects, %s)\n", str(v, "project"), str(v, "set"), str(v, "number"),
			       str(v, "hash"), str(v, "objects"),
			       !strcmp(str(v, "existed"), "true") ? "identical to an existing version" : "new");
		cicd_deploy_store_free(st);
	}
	cicd_document_free(doc);
	cicd_buf_dispose(&b);
	free(paths);
	return rc;
}

static int do_versions(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	cicd_buf b = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *root;
	size_t i;
	int rc = EXIT_OK;
	if (argc != 2)
		return cli_usage(DEPLOY_USAGE, "versions needs PROJECT/SET");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (cicd_deploy_versions_json(&b, st, argv[1]) < 0) {
		rc = fail();
	} else if (g->json) {
		print_json(&b);
	} else if ((root = load_json(&doc, &b))) {
		printf("%-8s %-14s %-8s %-20s %-12s %-10s %s\n", "VERSION", "HASH", "OBJECTS", "CREATED", "WHO",
		       "COMMIT", "PIPELINE");
		for (i = 0; i < cicd_node_size(root); i++) {
			const cicd_node *v = cicd_node_item(root, i);
			printf("%-8s %-14.12s %-8s ", str(v, "number"), str(v, "hash"), str(v, "objects"));
			print_time(stdout, str(v, "created_at"));
			printf(" %-12s %-10.10s %s\n", str_or(v, "who", "-"), str_or(v, "commit", "-"),
			       str_or(v, "pipeline", "-"));
		}
	}
	cicd_document_free(doc);
	cicd_buf_dispose(&b);
	cicd_deploy_store_free(st);
	return rc;
}

static int do_diff(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	cicd_buf b = CICD_BUF_INIT;
	const char *from = NULL, *to = NULL, *target = NULL;
	char full[1024];
	int i, rc = EXIT_OK, err;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target")) {
			if (!(target = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--target needs a name");
		} else if (argv[i][0] == '-') {
			return cli_usage(DEPLOY_USAGE, "unknown option '%s'", argv[i]);
		} else if (!from) {
			from = argv[i];
		} else if (!to) {
			to = argv[i];
		} else {
			return cli_usage(DEPLOY_USAGE, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!from || (!to && !target) || (to && target))
		return cli_usage(DEPLOY_USAGE, "diff needs PROJECT/SET@V1 and either a second version or --target");
	if (to && to[0] == '@') {
		/* "@V2" is shorthand for another version of the same set. */
		const char *at = strrchr(from, '@');
		int n = at ? (int)(at - from) : (int)strlen(from);
		snprintf(full, sizeof full, "%.*s%s", n, from, to);
		to = full;
	}
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (target) {
		cicd_init();
		interrupt_store_begin(st);
		err = cicd_deploy_diff_live(&b, st, from, target);
	} else {
		err = cicd_deploy_diff_versions(&b, st, from, to,
		                                g->json ? CICD_DEPLOY_DIFF_JSON : CICD_DEPLOY_DIFF_TEXT);
	}
	if (err < 0) {
		rc = fail();
	} else if (target && !g->json) {
		cicd_document *doc = NULL;
		const cicd_node *root = load_json(&doc, &b);
		size_t k;
		for (k = 0; root && k < cicd_node_size(root); k++) {
			const cicd_node *c = cicd_node_item(root, k);
			const char *ns = str(c, "namespace");
			printf("%-9s %s %s%s%s\n", str(c, "action"), str(c, "kind"), ns, *ns ? "/" : "",
			       str(c, "name"));
			if (*str_or(c, "diff", ""))
				printf("%s%s", str(c, "diff"),
				       str(c, "diff")[strlen(str(c, "diff")) - 1] == '\n' ? "" : "\n");
		}
		cicd_document_free(doc);
	} else {
		fwrite(b.ptr, 1, b.size, stdout);
	}
	cicd_buf_dispose(&b);
	if (target)
		rc = interrupt_store_end(rc);
	cicd_deploy_store_free(st);
	return rc;
}

static int do_set_prune(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	int on, rc = EXIT_OK;
	if (argc != 3 || (strcmp(argv[2], "on") && strcmp(argv[2], "off")))
		return cli_usage(DEPLOY_USAGE, "set-prune needs PROJECT/SET and on or off");
	on = !strcmp(argv[2], "on");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (cicd_deploy_set_prune(st, argv[1], on) < 0)
		rc = fail();
	else if (g->json)
		printf("{\"set\":\"%s\",\"prune\":%s}\n", argv[1], on ? "true" : "false");
	else
		printf("%s: prune %s\n", argv[1], on ? "on" : "off");
	cicd_deploy_store_free(st);
	return rc;
}

static int do_history_keep(int argc, char **argv, const globals *g)
{
	cicd_deploy_store *st;
	long long keep, removed = 0;
	int rc = EXIT_OK;
	if (argc != 2 || parse_long(argv[1], &keep) < 0)
		return cli_usage(DEPLOY_USAGE, "history-keep needs a count of jobs (0 keeps all)");
	if (open_store(&st, g) < 0)
		return EXIT_FAIL;
	if (cicd_deploy_setting_set(st, "history_keep", argv[1]) < 0 ||
	    cicd_deploy_history_prune(&removed, st, (size_t)keep) < 0)
		rc = fail();
	else if (g->json)
		printf("{\"history_keep\":%lld,\"removed\":%lld}\n", keep, removed);
	else
		printf("keeping the newest %lld finished jobs per target (0: all); %lld removed\n", keep, removed);
	cicd_deploy_store_free(st);
	return rc;
}

/* Who starts jobs and pushes versions when --who is not given: $USER, $LOGNAME, else the account name. */
static const char *login_name(void)
{
	const struct passwd *pw;
	if (getenv("USER") && *getenv("USER"))
		return getenv("USER");
	if (getenv("LOGNAME") && *getenv("LOGNAME"))
		return getenv("LOGNAME");
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "";
}

int cmd_deploy(int argc, char **argv)
{
	globals g;
	int i;
	memset(&g, 0, sizeof g);
	g.who = login_name();
	/* Global options come before the subcommand. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: %s\n\nThe store is --store, else $CICD_STORE, else "
			       "$XDG_DATA_HOME/cicd/store.db: a file "
			       "(SQLite)\nor a postgresql:// URL. Exit 1 when a command or a waited-for job fails.\n",
			       DEPLOY_USAGE);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--store")) {
			if (!(g.store = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--store needs a path or URL");
		} else if (!strcmp(argv[i], "--format")) {
			const char *f = opt_value(argc, argv, &i);
			if (!f || (strcmp(f, "json") && strcmp(f, "text")))
				return cli_usage(DEPLOY_USAGE, "--format is text or json");
			g.json = !strcmp(f, "json");
		} else if (!strcmp(argv[i], "--who")) {
			if (!(g.who = opt_value(argc, argv, &i)))
				return cli_usage(DEPLOY_USAGE, "--who needs a name");
		} else {
			return cli_usage(DEPLOY_USAGE, "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return cli_usage(DEPLOY_USAGE, "missing command");
	argc -= i;
	argv += i;
	/* --format json may also follow the subcommand. */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[i + 1], "json")) {
			g.json = 1;
			memmove(argv + i, argv + i + 2, (size_t)(argc - i - 2) * sizeof *argv);
			argc -= 2;
			break;
		}
	if (!strcmp(argv[0], "target"))
		return do_target(argc, argv, &g);
	if (!strcmp(argv[0], "targets"))
		return do_targets(argc, argv, &g);
	if (!strcmp(argv[0], "push"))
		return do_push(argc, argv, &g);
	if (!strcmp(argv[0], "versions"))
		return do_versions(argc, argv, &g);
	if (!strcmp(argv[0], "diff"))
		return do_diff(argc, argv, &g);
	if (!strcmp(argv[0], "set-prune"))
		return do_set_prune(argc, argv, &g);
	if (!strcmp(argv[0], "history-keep"))
		return do_history_keep(argc, argv, &g);
	return deploy_jobs_command(argc, argv, &g);
}
