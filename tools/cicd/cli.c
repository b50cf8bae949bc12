#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_print_error(void)
{
	const cicd_error *e = cicd_error_last();
	if (e->file[0] && e->line)
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
	else
		fprintf(stderr, "cicd: %s\n", e->message[0] ? e->message : cicd_strerror(e->code));
}

void cli_print_diagnostic(FILE *out, const cicd_diagnostic *d)
{
	const char *sev = d->severity == CICD_SEVERITY_WARNING ? "warning" : "error";
	if (d->file[0] && d->line)
		fprintf(out, "%s:%u:%u: %s: %s\n", d->file, d->line, d->column, sev, d->message);
	else if (d->file[0])
		fprintf(out, "%s: %s: %s\n", d->file, sev, d->message);
	else
		fprintf(out, "%s: %s\n", sev, d->message);
}

int cli_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;
	fputs("cicd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return EXIT_USAGE;
}

char *cli_read_all(FILE *in, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		size_t got;
		if (n + 1 >= cap) {
			char *p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n - 1, in);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(in)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int cli_is(const char *arg, const char *short_name, const char *long_name)
{
	return (short_name && strcmp(arg, short_name) == 0) || (long_name && strcmp(arg, long_name) == 0);
}
