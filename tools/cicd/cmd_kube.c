/*
 * cicd kube — talk to a Kubernetes cluster through the library's client:
 *   apply -f FILE|DIR... [--wait] [--timeout D] [--dry-run] [--force-conflicts] [--field-manager M]
 *   rollout status KIND/NAME [--timeout D]
 *   logs POD [-c C] [-f] [--since D] [--tail N] [--timestamps]
 *   get KIND [NAME] [-o json|name] [-l SELECTOR] [-A]
 * Common: --kubeconfig PATHS, --context C, -n/--namespace NS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "interrupt.h"

#include <cicd/kube.h>

static const char USAGE[] =
	"cicd kube apply -f FILE|DIR... [--wait] [--timeout D] [--dry-run] [--force-conflicts] [--field-manager M]\n"
	"       cicd kube rollout status KIND/NAME [--timeout D]\n"
	"       cicd kube logs POD [-c CONTAINER] [-f] [--since D] [--tail N] [--timestamps]\n"
	"       cicd kube get KIND [NAME] [-o json|name] [-l SELECTOR] [-A]\n"
	"  common options: --kubeconfig PATHS --context NAME -n|--namespace NS";

typedef struct kube_args {
	const char *kubeconfig, *context, *ns;
	const char *files[256];
	size_t nfiles;
	const char *positional[4];
	size_t npositional;
	int wait, dry_run, force, follow, timestamps, all_namespaces;
	long timeout_ms, since_s, tail;
	const char *field_manager, *container, *output, *selector;
} kube_args;

/* "30s", "2m", "1h", "500ms" or plain seconds; -1 when malformed. */
static long parse_duration_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		return (long)v;
	if (!*end || !strcmp(end, "s"))
		return (long)(v * 1000);
	if (!strcmp(end, "m"))
		return (long)(v * 60000);
	if (!strcmp(end, "h"))
		return (long)(v * 3600000);
	return -1;
}

static int parse_args(kube_args *a, int argc, char **argv, int start)
{
	int i;
	memset(a, 0, sizeof *a);
	a->tail = -1;
	for (i = start; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                                                   \
	do {                                                                                                           \
		if (!val)                                                                                              \
			return cli_usage(USAGE, "%s needs a value", arg);                                              \
		i++;                                                                                                   \
	} while (0)
		if (!strcmp(arg, "--kubeconfig")) {
			NEED_VALUE();
			a->kubeconfig = val;
		} else if (!strcmp(arg, "--context")) {
			NEED_VALUE();
			a->context = val;
		} else if (cli_is(arg, "-n", "--namespace")) {
			NEED_VALUE();
			a->ns = val;
		} else if (cli_is(arg, "-f", "--filename")) {
			NEED_VALUE();
			if (a->nfiles == sizeof a->files / sizeof a->files[0])
				return cli_usage(USAGE, "too many files");
			a->files[a->nfiles++] = val;
		} else if (!strcmp(arg, "--wait")) {
			a->wait = 1;
		} else if (!strcmp(arg, "--dry-run")) {
			a->dry_run = 1;
		} else if (!strcmp(arg, "--force-conflicts")) {
			a->force = 1;
		} else if (!strcmp(arg, "--field-manager")) {
			NEED_VALUE();
			a->field_manager = val;
		} else if (!strcmp(arg, "--timeout")) {
			NEED_VALUE();
			if ((a->timeout_ms = parse_duration_ms(val)) <= 0)
				return cli_usage(USAGE, "--timeout needs a duration such as 90s or 5m");
		} else if (cli_is(arg, "-c", "--container")) {
			NEED_VALUE();
			a->container = val;
		} else if (cli_is(arg, "-f", "--follow") || !strcmp(arg, "--follow")) {
			a->follow = 1;
		} else if (!strcmp(arg, "--since")) {
			long ms;
			NEED_VALUE();
			if ((ms = parse_duration_ms(val)) <= 0)
				return cli_usage(USAGE, "--since needs a duration such as 10m");
			a->since_s = (ms + 999) / 1000;
		} else if (!strcmp(arg, "--tail")) {
			char *end;
			NEED_VALUE();
			a->tail = strtol(val, &end, 10);
			if (*end || a->tail < 0)
				return cli_usage(USAGE, "--tail needs a count");
		} else if (!strcmp(arg, "--timestamps")) {
			a->timestamps = 1;
		} else if (cli_is(arg, "-o", "--output")) {
			NEED_VALUE();
			if (strcmp(val, "json") && strcmp(val, "name"))
				return cli_usage(USAGE, "--output must be json or name");
			a->output = val;
		} else if (cli_is(arg, "-l", "--selector")) {
			NEED_VALUE();
			a->selector = val;
		} else if (cli_is(arg, "-A", "--all-namespaces")) {
			a->all_namespaces = 1;
		} else if (arg[0] == '-' && arg[1]) {
			return cli_usage(USAGE, "unknown option '%s'", arg);
		} else {
			if (a->npositional == sizeof a->positional / sizeof a->positional[0])
				return cli_usage(USAGE, "unexpected argument '%s'", arg);
			a->positional[a->npositional++] = arg;
		}
#undef NEED_VALUE
	}
	return 0;
}

static int connect_client(cicd_kube_client **client, const kube_args *a)
{
	cicd_kube_config_options copts = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	copts.kubeconfig = a->kubeconfig;
	copts.context = a->context;
	copts.namespace_name = a->ns;
	if (cicd_kube_config_load(&cfg, &copts) || cicd_kube_client_new(client, cfg, NULL)) {
		cli_print_error();
		cicd_kube_config_free(cfg);
		return EXIT_FAIL;
	}
	cicd_kube_config_free(cfg);
	return 0;
}

typedef struct apply_state {
	int failed;
	struct {
		char api_version[128], kind[128], ns[256], name[256];
	} applied[1024];
	size_t count;
} apply_state;

static int on_applied(const cicd_kube_apply_item *item, void *payload)
{
	apply_state *st = payload;
	const char *where = *item->namespace_name ? item->namespace_name : "";
	if (item->error) {
		fprintf(stderr, "%s:%u: %s\n", item->file, item->line, item->message);
		st->failed = 1;
		return 0;
	}
	printf("%s %s%s%s %s\n", item->kind, where, *where ? "/" : "", item->name, cicd_kube_apply_action_name(item->action));
	if (st->count < sizeof st->applied / sizeof st->applied[0]) {
		snprintf(st->applied[st->count].api_version, sizeof st->applied[0].api_version, "%s", item->api_version);
		snprintf(st->applied[st->count].kind, sizeof st->applied[0].kind, "%s", item->kind);
		snprintf(st->applied[st->count].ns, sizeof st->applied[0].ns, "%s", item->namespace_name);
		snprintf(st->applied[st->count].name, sizeof st->applied[0].name, "%s", item->name);
		st->count++;
	}
	return 0;
}

static int print_progress(const char *data, size_t len, void *payload)
{
	(void)payload;
	printf("%.*s\n", (int)len, data);
	fflush(stdout);
	return 0;
}

static int is_workload(const char *kind)
{
	return !strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "DaemonSet") ||
	       !strcmp(kind, "Job") || !strcmp(kind, "Pod");
}

static int wait_rollout(cicd_kube_client *client, const char *api_version, const char *kind, const char *ns,
			const char *name, long timeout_ms)
{
	cicd_kube_rollout_options ropts = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	cicd_buf msg = CICD_BUF_INIT;
	int rc;
	ropts.timeout_ms = timeout_ms;
	ropts.progress = print_progress;
	rc = cicd_kube_rollout_wait(&msg, client, api_version, kind, ns, name, &ropts);
	if (rc)
		cli_print_error();
	cicd_buf_dispose(&msg);
	return rc ? EXIT_FAIL : EXIT_OK;
}

/* Ctrl-C while a call runs on the client cancels it (cicd_kube_client_cancel). */
static void cancel_client(void *client)
{
	cicd_kube_client_cancel(client);
}

static int end_interrupt(int rc)
{
	return cli_interrupt_end() ? EXIT_INTERRUPTED : rc;
}

static int do_apply(const kube_args *a)
{
	cicd_kube_apply_options opts = CICD_KUBE_APPLY_OPTIONS_INIT;
	cicd_manifest_set *set = NULL;
	cicd_diagnostics *problems = NULL;
	cicd_kube_client *client = NULL;
	static apply_state st;
	size_t i;
	int rc = EXIT_OK;
	if (!a->nfiles)
		return cli_usage(USAGE, "apply needs -f FILE|DIR");
	if (a->npositional)
		return cli_usage(USAGE, "unexpected argument '%s'", a->positional[0]);
	/* The manifest module reads files and folders and checks every object before anything is sent. */
	if (cicd_manifest_set_new(&set)) {
		cli_print_error();
		return EXIT_FAIL;
	}
	for (i = 0; i < a->nfiles && rc == EXIT_OK; i++)
		if (cicd_manifest_set_add_path(set, a->files[i], NULL)) {
			cli_print_error();
			rc = EXIT_FAIL;
		}
	if (rc == EXIT_OK && cicd_manifest_set_validate(&problems, set, NULL) == CICD_EVALIDATE) {
		for (i = 0; i < cicd_diagnostics_count(problems); i++)
			cli_print_diagnostic(stderr, cicd_diagnostics_get(problems, i));
		rc = EXIT_FAIL;
	}
	cicd_diagnostics_free(problems);
	if (rc == EXIT_OK && (rc = connect_client(&client, a)) == EXIT_OK)
		cli_interrupt_begin(cancel_client, client);
	if (rc == EXIT_OK) {
		memset(&st, 0, sizeof st);
		opts.field_manager = a->field_manager;
		opts.force = a->force;
		opts.dry_run = a->dry_run;
		if (cicd_kube_apply_manifests(client, set, &opts, on_applied, &st) && !st.failed) {
			cli_print_error();
			st.failed = 1;
		}
		rc = st.failed ? EXIT_FAIL : EXIT_OK;
	}
	if (rc == EXIT_OK && a->wait && !a->dry_run) {
		for (i = 0; i < st.count && rc == EXIT_OK; i++)
			if (is_workload(st.applied[i].kind))
				rc = wait_rollout(client, st.applied[i].api_version, st.applied[i].kind, st.applied[i].ns,
						  st.applied[i].name, a->timeout_ms);
	}
	if (client)
		rc = end_interrupt(rc);
	cicd_kube_client_free(client);
	cicd_manifest_set_free(set);
	return rc;
}

/* "deploy/web" or "deploy web" into kind and name. */
static int split_ref(char *kind, size_t ksize, const char **name, const kube_args *a, size_t first)
{
	const char *ref = a->positional[first];
	const char *slash = strchr(ref, '/');
	if (slash) {
		snprintf(kind, ksize, "%.*s", (int)(slash - ref), ref);
		*name = slash + 1;
	} else {
		snprintf(kind, ksize, "%s", ref);
		*name = a->npositional > first + 1 ? a->positional[first + 1] : NULL;
	}
	return 0;
}

static int do_rollout(const kube_args *a)
{
	cicd_kube_client *client = NULL;
	cicd_buf api_version = CICD_BUF_INIT, kind = CICD_BUF_INIT;
	char typed[256];
	const char *name;
	int rc;
	if (a->npositional < 2 || strcmp(a->positional[0], "status"))
		return cli_usage(USAGE, "use: rollout status KIND/NAME");
	split_ref(typed, sizeof typed, &name, a, 1);
	if (!name || !*name)
		return cli_usage(USAGE, "rollout status needs KIND/NAME");
	if ((rc = connect_client(&client, a)))
		return rc;
	cli_interrupt_begin(cancel_client, client);
	if (cicd_kube_resolve(&api_version, &kind, NULL, client, typed)) {
		cli_print_error();
		rc = EXIT_FAIL;
	} else {
		rc = wait_rollout(client, api_version.ptr, kind.ptr, a->ns, name, a->timeout_ms);
	}
	rc = end_interrupt(rc);
	cicd_buf_dispose(&api_version);
	cicd_buf_dispose(&kind);
	cicd_kube_client_free(client);
	return rc;
}

static int write_out(const char *data, size_t len, void *payload)
{
	(void)payload;
	fwrite(data, 1, len, stdout);
	fflush(stdout);
	return 0;
}

static int do_logs(const kube_args *a)
{
	cicd_kube_log_options opts = CICD_KUBE_LOG_OPTIONS_INIT;
	cicd_kube_client *client = NULL;
	int rc;
	if (a->npositional != 1)
		return cli_usage(USAGE, "logs needs one POD");
	if ((rc = connect_client(&client, a)))
		return rc;
	opts.container = a->container;
	opts.follow = a->follow;
	opts.since_seconds = a->since_s;
	opts.tail_lines = a->tail;
	opts.timestamps = a->timestamps;
	cli_interrupt_begin(cancel_client, client);
	if (cicd_kube_logs(client, a->ns, a->positional[0], &opts, write_out, NULL)) {
		cli_print_error();
		rc = EXIT_FAIL;
	}
	rc = end_interrupt(rc);
	cicd_kube_client_free(client);
	return rc;
}

typedef struct get_state {
	const char *output;
	int namespaced;
	int all_namespaces;
	size_t count;
	const char *kind;
} get_state;

static int print_item(const cicd_node *item, void *payload)
{
	get_state *st = payload;
	const cicd_node *meta = cicd_node_get(item, "metadata");
	const char *name = cicd_node_scalar(cicd_node_get(meta, "name"), NULL);
	const char *ns = cicd_node_scalar(cicd_node_get(meta, "namespace"), NULL);
	if (st->output && !strcmp(st->output, "json")) {
		cicd_buf b = CICD_BUF_INIT;
		if (cicd_node_to_json(&b, item, CICD_FORMAT_PRETTY))
			return -1;
		fputs(b.ptr ? b.ptr : "", stdout);
		cicd_buf_dispose(&b);
	} else if (st->output && !strcmp(st->output, "name")) {
		printf("%s/%s\n", st->kind, name ? name : "");
	} else {
		if (st->count == 0)
			printf(st->all_namespaces && st->namespaced ? "NAMESPACE\tNAME\n" : "NAME\n");
		if (st->all_namespaces && st->namespaced)
			printf("%s\t%s\n", ns ? ns : "", name ? name : "");
		else
			printf("%s\n", name ? name : "");
	}
	st->count++;
	return 0;
}

static int do_get(const kube_args *a)
{
	cicd_kube_client *client = NULL;
	cicd_buf api_version = CICD_BUF_INIT, kind = CICD_BUF_INIT, out = CICD_BUF_INIT;
	char typed[256];
	const char *name;
	get_state st;
	int rc;
	if (a->npositional < 1 || a->npositional > 2)
		return cli_usage(USAGE, "get needs KIND [NAME]");
	split_ref(typed, sizeof typed, &name, a, 0);
	if ((rc = connect_client(&client, a)))
		return rc;
	memset(&st, 0, sizeof st);
	if (cicd_kube_resolve(&api_version, &kind, &st.namespaced, client, typed)) {
		rc = EXIT_FAIL;
	} else if (name) {
		cicd_document *doc = NULL;
		if (cicd_kube_get(&out, client, api_version.ptr, kind.ptr, a->ns, name) ||
		    cicd_document_load_json(&doc, out.ptr, out.size, "reply", NULL)) {
			rc = EXIT_FAIL;
		} else {
			st.output = a->output ? a->output : "json";
			st.kind = kind.ptr;
			print_item(cicd_document_root(doc, 0), &st);
		}
		cicd_document_free(doc);
	} else {
		cicd_kube_list_options lopts = CICD_KUBE_LIST_OPTIONS_INIT;
		lopts.label_selector = a->selector;
		lopts.all_namespaces = a->all_namespaces;
		st.output = a->output;
		st.all_namespaces = a->all_namespaces;
		st.kind = kind.ptr;
		if (cicd_kube_list(NULL, client, api_version.ptr, kind.ptr, a->ns, &lopts, print_item, &st))
			rc = EXIT_FAIL;
		else if (!st.count && !a->output)
			fprintf(stderr, "No resources found\n");
	}
	if (rc)
		cli_print_error();
	cicd_buf_dispose(&api_version);
	cicd_buf_dispose(&kind);
	cicd_buf_dispose(&out);
	cicd_kube_client_free(client);
	return rc;
}

int cmd_kube(int argc, char **argv)
{
	kube_args a;
	int rc;
	if (argc < 2)
		return cli_usage(USAGE, "missing subcommand");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s\n\nApplies manifests with server-side apply, waits for rollouts as kubectl rollout status "
		       "does\n(and says why one fails), streams pod logs, and reads objects. Exit 1 on failure.\n",
		       USAGE);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "apply") && strcmp(argv[1], "rollout") && strcmp(argv[1], "logs") && strcmp(argv[1], "get"))
		return cli_usage(USAGE, "unknown subcommand '%s'", argv[1]);
	/* -f means --follow for logs and --filename elsewhere. */
	if (!strcmp(argv[1], "logs")) {
		static char follow[] = "--follow";
		int i;
		for (i = 2; i < argc; i++)
			if (!strcmp(argv[i], "-f"))
				argv[i] = follow;
	}
	if ((rc = parse_args(&a, argc, argv, 2)))
		return rc;
	if (cicd_init()) {
		cli_print_error();
		return EXIT_FAIL;
	}
	if (!strcmp(argv[1], "apply"))
		rc = do_apply(&a);
	else if (!strcmp(argv[1], "rollout"))
		rc = do_rollout(&a);
	else if (!strcmp(argv[1], "logs"))
		rc = do_logs(&a);
	else
		rc = do_get(&a);
	cicd_shutdown();
	return rc;
}
