/*
 * cicd semver — SemVer versions and ranges from the command line.
 * Each subcommand has a batch mode: with `-` it reads stdin, one case a
 * line (fields separated by TAB), and prints one answer a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <cicd/semver.h>

static const char USAGE[] =
    "cicd semver valid [--loose] (V... | -)\n"
    "       cicd semver compare [--loose] (A B | -)          -1, 0 or 1; '-' reads A<TAB>B lines\n"
    "       cicd semver sort [--loose] [--reverse]            versions on stdin, one a line\n"
    "       cicd semver inc [--loose] [--preid ID] (V TYPE | -)  '-' reads V<TAB>TYPE[<TAB>PREID] lines\n"
    "       cicd semver satisfies [--loose] [--include-prerelease] (RANGE V | -)  '-' reads RANGE<TAB>V lines\n"
    "       cicd semver range [--loose] [--include-prerelease] (RANGE... | -)  the desugared range\n"
    "       cicd semver diff [--loose] A B\n"
    "       cicd semver coerce TEXT...";

typedef struct {
	cicd_semver_options opts;
	int reverse;
	const char *preid;
	char **args;
	int nargs;
} semver_cli;

/* Parses options, leaving positional arguments in cli->args. */
static int parse_args(semver_cli *cli, int argc, char **argv)
{
	int i;
	cli->opts.version = CICD_SEMVER_OPTIONS_VERSION;
	cicd_semver_options_init(&cli->opts, CICD_SEMVER_OPTIONS_VERSION);
	cli->reverse = 0;
	cli->preid = NULL;
	cli->args = argv;
	cli->nargs = 0;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--loose"))
			cli->opts.flags |= CICD_SEMVER_LOOSE;
		else if (!strcmp(argv[i], "--include-prerelease"))
			cli->opts.flags |= CICD_SEMVER_INCLUDE_PRERELEASE;
		else if (!strcmp(argv[i], "--reverse"))
			cli->reverse = 1;
		else if (!strcmp(argv[i], "--preid")) {
			if (i + 1 >= argc)
				return cli_usage(USAGE, "--preid needs a value");
			cli->preid = argv[++i];
		} else if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				cli->args[cli->nargs++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] && argv[i][1] != '-' &&
		           !(argv[i][1] >= '0' && argv[i][1] <= '9'))
			return cli_usage(USAGE, "unknown option '%s'", argv[i]);
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_usage(USAGE, "unknown option '%s'", argv[i]);
		else
			cli->args[cli->nargs++] = argv[i];
	}
	return 0;
}

/* Calls fn on each line of stdin (without its newline); lines are NUL-terminated in place. */
typedef int (*line_fn)(semver_cli *cli, char *line, size_t len, FILE *out);

static int each_line(semver_cli *cli, line_fn fn)
{
	size_t len, i, st = 0;
	char *all = cli_read_all(stdin, &len);
	int failed = 0;
	static char obuf[1 << 16];
	if (!all) {
		fprintf(stderr, "cicd: cannot read stdin\n");
		return EXIT_FAIL;
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	for (i = 0; i <= len; i++) {
		if (i < len && all[i] != '\n')
			continue;
		if (i == len && st == len)
			break;
		all[i] = '\0';
		failed |= fn(cli, all + st, i - st, stdout);
		st = i + 1;
	}
	free(all);
	fflush(stdout);
	return failed ? EXIT_FAIL : EXIT_OK;
}

/* Splits line at TABs into at most max fields; returns the count. */
static int fields(char *line, char **f, int max)
{
	int n = 1;
	f[0] = line;
	while (n < max && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

static int valid_one(semver_cli *cli, char *s, size_t len, FILE *out)
{
	cicd_semver *v = NULL;
	if (cicd_semver_parse(&v, s, len, &cli->opts) < 0) {
		fputs("invalid\n", out);
		return 1;
	}
	fputs(cicd_semver_text(v), out);
	fputc('\n', out);
	cicd_semver_free(v);
	return 0;
}

static int compare_line(semver_cli *cli, char *line, size_t len, FILE *out)
{
	char *f[2];
	int c;
	(void)len;
	if (fields(line, f, 2) != 2 || cicd_semver_compare_str(&c, f[0], f[1], &cli->opts) < 0) {
		fputs("invalid\n", out);
		return 1;
	}
	fprintf(out, "%d\n", c);
	return 0;
}

static int inc_fields(semver_cli *cli, const char *ver, const char *type, const char *preid, FILE *out, int report)
{
	cicd_semver *v = NULL, *next = NULL;
	cicd_semver_release kind;
	int rc = cicd_semver_release_parse(&kind, type);
	if (!rc)
		rc = cicd_semver_parse(&v, ver, strlen(ver), &cli->opts);
	if (!rc)
		rc = cicd_semver_inc(&next, v, kind, preid, &cli->opts);
	if (rc < 0) {
		if (report)
			cli_print_error();
		else
			fputs("invalid\n", out);
		cicd_semver_free(v);
		return 1;
	}
	fprintf(out, "%s\n", cicd_semver_text(next));
	cicd_semver_free(next);
	cicd_semver_free(v);
	return 0;
}

static int inc_line(semver_cli *cli, char *line, size_t len, FILE *out)
{
	char *f[3];
	int n = fields(line, f, 3);
	(void)len;
	if (n < 2) {
		fputs("invalid\n", out);
		return 1;
	}
	return inc_fields(cli, f[0], f[1], n == 3 ? f[2] : cli->preid, out, 0);
}

/* Batch satisfies keeps the last parsed range: callers that group pairs by range parse each once. */
static char *g_last_range;
static cicd_semver_range *g_range;
static int g_range_ok;

static int satisfies_fields(semver_cli *cli, const char *range, const char *ver, FILE *out, int report)
{
	int ok = 0;
	if (!g_last_range || strcmp(g_last_range, range) != 0) {
		cicd_semver_range_free(g_range);
		g_range = NULL;
		free(g_last_range);
		g_last_range = strdup(range);
		g_range_ok = cicd_semver_range_parse(&g_range, range, strlen(range), &cli->opts) == 0;
		if (!g_range_ok && report)
			cli_print_error();
	}
	if (!g_range_ok) {
		if (!report)
			fputs("invalid\n", out);
		return 1;
	}
	if (cicd_semver_range_test_str(&ok, g_range, ver, strlen(ver)) < 0) {
		if (report)
			cli_print_error();
		else
			fputs("invalid\n", out);
		return 1;
	}
	fputs(ok ? "true\n" : "false\n", out);
	return 0;
}

static int satisfies_line(semver_cli *cli, char *line, size_t len, FILE *out)
{
	char *f[2];
	(void)len;
	if (fields(line, f, 2) != 2) {
		fputs("invalid\n", out);
		return 1;
	}
	return satisfies_fields(cli, f[0], f[1], out, 0);
}

static int range_one(semver_cli *cli, char *s, size_t len, FILE *out)
{
	cicd_semver_range *r = NULL;
	if (cicd_semver_range_parse(&r, s, len, &cli->opts) < 0) {
		fputs("invalid\n", out);
		return 1;
	}
	fprintf(out, "%s\n", cicd_semver_range_text(r));
	cicd_semver_range_free(r);
	return 0;
}

typedef struct {
	const void *v;
	const char *line;
} line_ref;

static int ref_cmp(const void *a, const void *b)
{
	const line_ref *x = a, *y = b;
	return x->v < y->v ? -1 : x->v > y->v;
}

static int cmd_sort(semver_cli *cli)
{
	size_t len, i, st = 0, n = 0, cap = 1024, lineno = 0;
	char *all = cli_read_all(stdin, &len);
	cicd_semver **items, **versions_orig = NULL;
	const char **lines;
	int rc = EXIT_OK;
	if (!all) {
		fprintf(stderr, "cicd: cannot read stdin\n");
		return EXIT_FAIL;
	}
	items = malloc(cap * sizeof *items);
	lines = malloc(cap * sizeof *lines);
	for (i = 0; i <= len && items && lines; i++) {
		if (i < len && all[i] != '\n')
			continue;
		if (i == len && st == len)
			break;
		all[i] = '\0';
		lineno++;
		if (n == cap) {
			cicd_semver **ni = realloc(items, 2 * cap * sizeof *ni);
			const char **nl = ni ? realloc(lines, 2 * cap * sizeof *nl) : NULL;
			if (ni)
				items = ni;
			if (!ni || !nl) {
				rc = EXIT_FAIL;
				break;
			}
			lines = nl;
			cap *= 2;
		}
		if (cicd_semver_parse(&items[n], all + st, i - st, &cli->opts) < 0) {
			fprintf(stderr, "<stdin>:%zu: %s\n", lineno, cicd_error_last()->message);
			rc = EXIT_FAIL;
			break;
		}
		/* the original text goes out, as node-semver's sort() returns its input strings */
		lines[n++] = all + st;
		st = i + 1;
	}
	if (!items || !lines)
		rc = EXIT_FAIL;
	versions_orig = rc == EXIT_OK ? malloc((n ? n : 1) * sizeof *versions_orig) : NULL;
	if (versions_orig)
		memcpy(versions_orig, items, n * sizeof *items);
	else
		rc = EXIT_FAIL;
	if (rc == EXIT_OK) {
		/* the library sorts the versions; a pointer-ordered index maps each back to its line */
		line_ref *refs = malloc((n ? n : 1) * sizeof *refs);
		static char obuf[1 << 16];
		if (!refs || cicd_semver_sort(items, n, cli->reverse ? CICD_SEMVER_SORT_REVERSE : 0) < 0) {
			fprintf(stderr, "cicd: out of memory\n");
			rc = EXIT_FAIL;
		}
		for (i = 0; rc == EXIT_OK && i < n; i++) {
			refs[i].v = (const void *)versions_orig[i];
			refs[i].line = lines[i];
		}
		if (rc == EXIT_OK) {
			qsort(refs, n, sizeof *refs, ref_cmp);
			setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
			for (i = 0; i < n; i++) {
				line_ref key, *hit;
				key.v = (const void *)items[i];
				hit = bsearch(&key, refs, n, sizeof *refs, ref_cmp);
				puts(hit ? hit->line : "");
			}
			fflush(stdout);
		}
		free(refs);
	}
	for (i = 0; i < n; i++)
		cicd_semver_free(items[i]);
	free(items);
	free(versions_orig);
	free(lines);
	free(all);
	return rc;
}

int cmd_semver(int argc, char **argv)
{
	semver_cli cli;
	const char *sub;
	int rc, i, failed = 0;
	if (argc < 2)
		return cli_usage(USAGE, "missing subcommand");
	sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		printf("usage: %s\n", USAGE);
		return EXIT_OK;
	}
	if ((rc = parse_args(&cli, argc - 2, argv + 2)))
		return rc;
	if (!strcmp(sub, "valid")) {
		if (cli.nargs == 1 && !strcmp(cli.args[0], "-"))
			return each_line(&cli, valid_one);
		if (!cli.nargs)
			return cli_usage(USAGE, "no version given");
		for (i = 0; i < cli.nargs; i++)
			failed |= valid_one(&cli, cli.args[i], strlen(cli.args[i]), stdout);
		return failed ? EXIT_FAIL : EXIT_OK;
	}
	if (!strcmp(sub, "compare")) {
		int c;
		if (cli.nargs == 1 && !strcmp(cli.args[0], "-"))
			return each_line(&cli, compare_line);
		if (cli.nargs != 2)
			return cli_usage(USAGE, "compare needs two versions");
		if (cicd_semver_compare_str(&c, cli.args[0], cli.args[1], &cli.opts) < 0) {
			cli_print_error();
			return EXIT_FAIL;
		}
		printf("%d\n", c);
		return EXIT_OK;
	}
	if (!strcmp(sub, "sort")) {
		if (cli.nargs)
			return cli_usage(USAGE, "sort reads versions from stdin");
		return cmd_sort(&cli);
	}
	if (!strcmp(sub, "inc")) {
		if (cli.nargs == 1 && !strcmp(cli.args[0], "-"))
			return each_line(&cli, inc_line);
		if (cli.nargs != 2)
			return cli_usage(USAGE, "inc needs a version and a release type");
		return inc_fields(&cli, cli.args[0], cli.args[1], cli.preid, stdout, 1) ? EXIT_FAIL : EXIT_OK;
	}
	if (!strcmp(sub, "satisfies")) {
		if (cli.nargs == 1 && !strcmp(cli.args[0], "-"))
			rc = each_line(&cli, satisfies_line);
		else if (cli.nargs != 2)
			return cli_usage(USAGE, "satisfies needs a range and a version");
		else
			rc = satisfies_fields(&cli, cli.args[0], cli.args[1], stdout, 1) ? EXIT_FAIL : EXIT_OK;
		cicd_semver_range_free(g_range);
		free(g_last_range);
		return rc;
	}
	if (!strcmp(sub, "range")) {
		if (cli.nargs == 1 && !strcmp(cli.args[0], "-"))
			return each_line(&cli, range_one);
		if (!cli.nargs)
			return cli_usage(USAGE, "no range given");
		for (i = 0; i < cli.nargs; i++)
			failed |= range_one(&cli, cli.args[i], strlen(cli.args[i]), stdout);
		return failed ? EXIT_FAIL : EXIT_OK;
	}
	if (!strcmp(sub, "diff")) {
		cicd_semver *a = NULL, *b = NULL;
		if (cli.nargs != 2)
			return cli_usage(USAGE, "diff needs two versions");
		if (cicd_semver_parse(&a, cli.args[0], strlen(cli.args[0]), &cli.opts) < 0 ||
		    cicd_semver_parse(&b, cli.args[1], strlen(cli.args[1]), &cli.opts) < 0) {
			cli_print_error();
			cicd_semver_free(a);
			return EXIT_FAIL;
		}
		puts(cicd_semver_release_name(cicd_semver_diff(a, b)));
		cicd_semver_free(a);
		cicd_semver_free(b);
		return EXIT_OK;
	}
	if (!strcmp(sub, "coerce")) {
		if (!cli.nargs)
			return cli_usage(USAGE, "no text given");
		for (i = 0; i < cli.nargs; i++) {
			cicd_semver *v = NULL;
			if (cicd_semver_coerce(&v, cli.args[i], strlen(cli.args[i]), &cli.opts) < 0) {
				puts("invalid");
				failed = 1;
				continue;
			}
			puts(cicd_semver_text(v));
			cicd_semver_free(v);
		}
		return failed ? EXIT_FAIL : EXIT_OK;
	}
	return cli_usage(USAGE, "unknown subcommand '%s'", sub);
}
