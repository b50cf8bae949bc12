/* cicd — one binary, many subcommands, all thin layers over libcicd. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

static const command k_commands[] = {
#define CICD_COMMAND(name, fn, summary) {name, fn, summary},
#include "commands.def"
#undef CICD_COMMAND
};

static void help(FILE *out)
{
	size_t i;
	fprintf(out, "usage: cicd COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
		fprintf(out, "  %-10s %s\n", k_commands[i].name, k_commands[i].summary);
	fprintf(out, "\n`cicd COMMAND --help` describes a command. Exit codes: 0 success, 1 failure or invalid "
		     "input, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	size_t i;
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
		if (!strcmp(argv[1], k_commands[i].name))
			return k_commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "cicd: unknown command '%s'\n", argv[1]);
	help(stderr);
	return EXIT_USAGE;
}
