/* Shared helpers of the cicd tool's subcommands. */
#ifndef CICD_TOOL_CLI_H
#define CICD_TOOL_CLI_H

#include <stdio.h>

#include <cicd/cicd.h>

#define CICD_COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CICD_COMMAND

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Prints the last library error as "FILE:LINE:COL: message" (or "cicd: message") to stderr. */
void cli_print_error(void);

/* Prints one diagnostic as "FILE:LINE:COL: severity: message". */
void cli_print_diagnostic(FILE *out, const cicd_diagnostic *d);

/* Prints a usage error to stderr and returns EXIT_USAGE. */
int cli_usage(const char *usage, const char *fmt, ...);

/* Reads all of a stream; returns NULL on failure. *len gets its length. Caller frees. */
char *cli_read_all(FILE *in, size_t *len);

/* 1 when argv[i] equals one of the two option spellings. */
int cli_is(const char *arg, const char *short_name, const char *long_name);

#endif
