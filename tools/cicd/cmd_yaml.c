/* cicd yaml check FILE... — loads each file with the library's YAML loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] = "cicd yaml check [--strict] [--max-depth N] [--max-alias-expansion N] FILE...";

static int check_one(const char *path, const cicd_document_options *opts, int *had_warnings)
{
	cicd_document *doc = NULL;
	const cicd_diagnostics *warn;
	size_t i;
	if (cicd_document_load_file(&doc, path, opts) < 0) {
		cli_print_error();
		return 1;
	}
	warn = cicd_document_diagnostics(doc);
	for (i = 0; i < cicd_diagnostics_count(warn); i++) {
		cli_print_diagnostic(stderr, cicd_diagnostics_get(warn, i));
		*had_warnings = 1;
	}
	cicd_document_free(doc);
	return 0;
}

static int parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || v == 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

int cmd_yaml(int argc, char **argv)
{
	cicd_document_options opts = CICD_DOCUMENT_OPTIONS_INIT;
	int i, failed = 0, warnings = 0, files = 0;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 2)
			return cli_usage(USAGE, "missing subcommand");
		printf("usage: %s\n\nLoads each FILE as a YAML stream and prints every problem as FILE:LINE:COL: "
		       "message.\nDuplicate keys are warnings unless --strict. Exit 1 when a file is invalid.\n",
		       USAGE);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "check") != 0)
		return cli_usage(USAGE, "unknown subcommand '%s'", argv[1]);
	for (i = 2; i < argc; i++) {
		size_t n;
		if (!strcmp(argv[i], "--strict")) {
			opts.flags |= CICD_DOCUMENT_STRICT_KEYS;
		} else if (!strcmp(argv[i], "--max-depth") || !strcmp(argv[i], "--max-alias-expansion")) {
			if (i + 1 >= argc || parse_count(argv[i + 1], &n))
				return cli_usage(USAGE, "%s needs a positive number", argv[i]);
			if (!strcmp(argv[i], "--max-depth"))
				opts.max_depth = (unsigned int)n;
			else
				opts.max_alias_expansion = n;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage(USAGE, "unknown option '%s'", argv[i]);
		}
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--strict"))
			continue;
		if (!strcmp(argv[i], "--max-depth") || !strcmp(argv[i], "--max-alias-expansion")) {
			i++;
			continue;
		}
		files++;
		failed |= check_one(argv[i], &opts, &warnings);
	}
	if (!files)
		return cli_usage(USAGE, "no file given");
	return failed ? EXIT_FAIL : EXIT_OK;
}
