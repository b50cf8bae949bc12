/* cicd lint / cicd config — validate a .gitlab-ci.yml with its includes, or print it fully merged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <cicd/pipeline.h>

static const char LINT_USAGE[] = "cicd lint [-f FILE] [--format text|json] [--project-root DIR] [--strict]";
static const char CONFIG_USAGE[] = "cicd config [-f FILE] [--project-root DIR] [--compact]";

typedef struct args {
	const char *file;
	const char *format;
	const char *root;
	int strict;
	int compact;
} args;

static int parse(args *a, int argc, char **argv, const char *usage, int is_lint)
{
	int i;
	a->file = ".gitlab-ci.yml";
	a->format = "text";
	for (i = 1; i < argc; i++) {
		if (cli_is(argv[i], "-f", "--file") || !strcmp(argv[i], "--format") ||
		    !strcmp(argv[i], "--project-root")) {
			if (i + 1 >= argc)
				return cli_usage(usage, "%s needs a value", argv[i]);
			if (!strcmp(argv[i], "--format")) {
				if (!is_lint)
					return cli_usage(usage, "unknown option '%s'", argv[i]);
				a->format = argv[++i];
				if (strcmp(a->format, "text") && strcmp(a->format, "json"))
					return cli_usage(usage, "--format must be text or json");
			} else if (!strcmp(argv[i], "--project-root")) {
				a->root = argv[++i];
			} else {
				a->file = argv[++i];
			}
		} else if (!strcmp(argv[i], "--strict")) {
			a->strict = 1;
		} else if (!strcmp(argv[i], "--compact") && !is_lint) {
			a->compact = 1;
		} else {
			return cli_usage(usage, "unexpected argument '%s'", argv[i]);
		}
	}
	return 0;
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_list(FILE *out, const cicd_diagnostics *d, cicd_severity sev)
{
	size_t i, n = 0;
	fputc('[', out);
	for (i = 0; i < cicd_diagnostics_count(d); i++) {
		const cicd_diagnostic *x = cicd_diagnostics_get(d, i);
		if (x->severity != sev)
			continue;
		fprintf(out, "%s{\"file\": ", n++ ? ", " : "");
		json_string(out, x->file);
		fprintf(out, ", \"line\": %u, \"column\": %u, \"message\": ", x->line, x->column);
		json_string(out, x->message);
		fputc('}', out);
	}
	fputc(']', out);
}

static void print_text(FILE *out, const cicd_diagnostic *d)
{
	const char *prefix = d->severity == CICD_SEVERITY_WARNING ? "warning: " : "";
	if (d->line)
		fprintf(out, "%s:%u:%u: %s%s\n", d->file, d->line, d->column, prefix, d->message);
	else
		fprintf(out, "%s: %s%s\n", d->file[0] ? d->file : "cicd", prefix, d->message);
}

static int load(cicd_pipeline **p, cicd_diagnostics **d, const args *a)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	char *data;
	size_t len = 0;
	int rc;
	opts.project_root = a->root;
	opts.flags |= CICD_PIPELINE_CHECK_EXPRESSIONS;
	if (a->strict)
		opts.flags |= CICD_PIPELINE_STRICT_KEYS;
	if (strcmp(a->file, "-"))
		return cicd_pipeline_load_file(p, d, a->file, &opts);
	/* standard input: local includes from --project-root, else the current directory */
	if (!opts.project_root)
		opts.project_root = ".";
	data = cli_read_all(stdin, &len);
	if (!data) {
		fprintf(stderr, "cicd: cannot read standard input\n");
		return CICD_EIO;
	}
	rc = cicd_pipeline_load_buffer(p, d, data, len, "<stdin>", &opts);
	free(data);
	return rc;
}

int cmd_lint(int argc, char **argv)
{
	args a;
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	size_t i;
	int rc;
	memset(&a, 0, sizeof a);
	if (argc > 1 && cli_is(argv[1], "-h", "--help")) {
		printf("usage: %s\n\nLoads FILE (default .gitlab-ci.yml; - for standard input) with its includes, "
		       "resolves extends and "
		       "!reference,\nand validates it as GitLab's linter does. Prints every problem as "
		       "FILE:LINE:COL: message.\nExit 0 when valid, 1 when not.\n",
		       LINT_USAGE);
		return EXIT_OK;
	}
	if ((rc = parse(&a, argc, argv, LINT_USAGE, 1)))
		return rc;
	rc = load(&p, &d, &a);
	if (rc && rc != CICD_EVALIDATE) {
		if (rc != CICD_EIO || strcmp(a.file, "-"))
			cli_print_error();
		return EXIT_FAIL;
	}
	if (!strcmp(a.format, "json")) {
		printf("{\"file\": ");
		json_string(stdout, a.file);
		printf(", \"valid\": %s, \"errors\": ", rc ? "false" : "true");
		json_list(stdout, d, CICD_SEVERITY_ERROR);
		printf(", \"warnings\": ");
		json_list(stdout, d, CICD_SEVERITY_WARNING);
		printf(", \"jobs\": %zu}\n", cicd_pipeline_job_count(p));
	} else {
		for (i = 0; i < cicd_diagnostics_count(d); i++)
			print_text(stdout, cicd_diagnostics_get(d, i));
		if (!rc)
			printf("%s: valid (%zu jobs, %zu files)\n", a.file, cicd_pipeline_job_count(p),
			       cicd_pipeline_file_count(p));
	}
	cicd_diagnostics_free(d);
	cicd_pipeline_free(p);
	return rc ? EXIT_FAIL : EXIT_OK;
}

int cmd_config(int argc, char **argv)
{
	args a;
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	cicd_buf out = CICD_BUF_INIT;
	size_t i;
	int rc;
	memset(&a, 0, sizeof a);
	if (argc > 1 && cli_is(argv[1], "-h", "--help")) {
		printf("usage: %s\n\nPrints the fully merged configuration of FILE (default .gitlab-ci.yml) as JSON:\n"
		       "includes merged, extends, anchors and !reference resolved. Exit 1 when invalid.\n",
		       CONFIG_USAGE);
		return EXIT_OK;
	}
	if ((rc = parse(&a, argc, argv, CONFIG_USAGE, 0)))
		return rc;
	rc = load(&p, &d, &a);
	if (rc) {
		if (rc == CICD_EVALIDATE) {
			for (i = 0; i < cicd_diagnostics_count(d); i++)
				print_text(stderr, cicd_diagnostics_get(d, i));
		} else {
			cli_print_error();
		}
		cicd_diagnostics_free(d);
		return EXIT_FAIL;
	}
	cicd_diagnostics_free(d);
	if (cicd_pipeline_to_json(&out, p, a.compact ? 0 : CICD_FORMAT_PRETTY)) {
		cli_print_error();
		cicd_pipeline_free(p);
		return EXIT_FAIL;
	}
	fwrite(out.ptr, 1, out.size, stdout);
	if (out.size && out.ptr[out.size - 1] != '\n')
		fputc('\n', stdout);
	cicd_buf_dispose(&out);
	cicd_pipeline_free(p);
	return EXIT_OK;
}
