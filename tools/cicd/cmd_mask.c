/* cicd mask — masks a job trace read from stdin the way a runner does before upload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] = "cicd mask [--value VALUE]... [--values-file FILE] [--prefix PREFIX]... "
                            "[--no-token-prefixes] [--no-url-params] [--checksum] < TRACE";

static int add_value(char ***values, size_t *count, const char *v)
{
	char **p = realloc(*values, (*count + 1) * sizeof **values);
	if (!p)
		return -1;
	*values = p;
	if (!(p[*count] = strdup(v)))
		return -1;
	(*count)++;
	return 0;
}

/* One value a line; a file keeps secrets out of the process list, unlike --value. */
static int read_values_file(const char *path, char ***values, size_t *count)
{
	FILE *f = fopen(path, "rb");
	char *text, *line, *save = NULL;
	size_t len;
	if (!f) {
		fprintf(stderr, "cicd: cannot open %s\n", path);
		return -1;
	}
	text = cli_read_all(f, &len);
	fclose(f);
	if (!text) {
		fprintf(stderr, "cicd: cannot read %s\n", path);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (add_value(values, count, line)) {
			free(text);
			return -1;
		}
	free(text);
	return 0;
}

int cmd_mask(int argc, char **argv)
{
	cicd_mask_options opts = CICD_MASK_OPTIONS_INIT;
	const char **prefixes = NULL;
	char **values = NULL, buf[65536];
	size_t nvalues = 0, nprefixes = 0, i, got;
	int checksum = 0, rc = EXIT_OK;
	cicd_mask *m = NULL;
	cicd_buf out = CICD_BUF_INIT;
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		if (cli_is(a, "-h", "--help")) {
			printf("usage: %s\n\nCopies TRACE to stdout with each VALUE replaced by [MASKED] (also when "
			       "split\n"
			       "across reads), the token after GitLab token prefixes (glpat-, glrt-, ...) and\n"
			       "secret URL parameters (?private_token=, &X-Amz-Signature=, ...) masked.\n"
			       "--checksum prints \"crc32:XXXXXXXX BYTES\" of the output to stderr.\n",
			       USAGE);
			goto done;
		} else if (!strcmp(a, "--no-token-prefixes")) {
			opts.flags |= CICD_MASK_NO_TOKEN_PREFIXES;
		} else if (!strcmp(a, "--no-url-params")) {
			opts.flags |= CICD_MASK_NO_URL_PARAMS;
		} else if (!strcmp(a, "--checksum")) {
			checksum = 1;
		} else if (!strcmp(a, "--value") || !strcmp(a, "--values-file") || !strcmp(a, "--prefix")) {
			if (i + 1 >= (size_t)argc) {
				rc = cli_usage(USAGE, "%s needs an argument", a);
				goto done;
			}
			i++;
			if (!strcmp(a, "--value")) {
				if (add_value(&values, &nvalues, argv[i]))
					goto oom;
			} else if (!strcmp(a, "--prefix")) {
				const char **p = realloc(prefixes, (nprefixes + 1) * sizeof *p);
				if (!p)
					goto oom;
				prefixes = p;
				prefixes[nprefixes++] = argv[i];
			} else if (read_values_file(argv[i], &values, &nvalues)) {
				rc = EXIT_FAIL;
				goto done;
			}
		} else {
			rc = cli_usage(USAGE, "unknown argument '%s'", a);
			goto done;
		}
	}
	opts.extra_prefixes = prefixes;
	opts.extra_prefix_count = nprefixes;
	if (cicd_mask_new(&m, (const char *const *)values, NULL, nvalues, &opts) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
		goto done;
	}
	while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) {
		if (cicd_mask_write(m, &out, buf, got) < 0) {
			cli_print_error();
			rc = EXIT_FAIL;
			goto done;
		}
		if (out.size && fwrite(out.ptr, 1, out.size, stdout) != out.size)
			goto write_failed;
		out.size = 0;
	}
	if (ferror(stdin)) {
		fprintf(stderr, "cicd: reading stdin failed\n");
		rc = EXIT_FAIL;
		goto done;
	}
	if (cicd_mask_finish(m, &out) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
		goto done;
	}
	if (out.size && fwrite(out.ptr, 1, out.size, stdout) != out.size)
		goto write_failed;
	if (fflush(stdout))
		goto write_failed;
	if (checksum)
		fprintf(stderr, "crc32:%08x %llu\n", (unsigned)cicd_mask_crc32(m),
		        (unsigned long long)cicd_mask_bytes(m));
	goto done;
write_failed:
	fprintf(stderr, "cicd: writing stdout failed\n");
	rc = EXIT_FAIL;
	goto done;
oom:
	fprintf(stderr, "cicd: out of memory\n");
	rc = EXIT_FAIL;
done:
	cicd_mask_free(m);
	cicd_buf_dispose(&out);
	for (i = 0; i < nvalues; i++)
		free(values[i]);
	free(values);
	free(prefixes);
	return rc;
}
