/*
 * cicd version next — the next version from the last release tag and the
 * commit messages since, read from stdin: separated by a line that is
 * exactly `---`, or by NUL bytes with -z (git log --format=%B%x00).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <cicd/policy.h>

int cmd_version_next(int argc, char **argv);

static const char USAGE[] =
    "cicd version next --from TAG [-p POLICY] [--pre ID [--number N]] [-z] [--format text|json|tag] < MESSAGES";

/* Splits the input into messages, in place; returns the count or -1. */
static long split(char *all, size_t len, int nul, const char ***msgs, size_t **lens)
{
	size_t cap = 64, n = 0, i = 0, st = 0;
	*msgs = malloc(cap * sizeof **msgs);
	*lens = malloc(cap * sizeof **lens);
	if (!*msgs || !*lens)
		return -1;
	while (i <= len) {
		size_t end = 0, next = 0;
		int cut = 0;
		if (i == len) {
			cut = 1, end = i, next = i + 1;
		} else if (nul && all[i] == '\0') {
			cut = 1, end = i, next = i + 1;
		} else if (!nul && (i == 0 || all[i - 1] == '\n') && len - i >= 3 && !memcmp(all + i, "---", 3) &&
		           (i + 3 == len || all[i + 3] == '\n')) {
			cut = 1, end = i, next = i + 3 + (i + 3 < len);
		}
		if (!cut) {
			i++;
			continue;
		}
		/* skip empty messages (a trailing separator, blank chunks) */
		{
			size_t a = st, b = end;
			while (a < b && (all[a] == '\n' || all[a] == ' ' || all[a] == '\r'))
				a++;
			if (a < b) {
				if (n == cap) {
					const char **m2 = realloc(*msgs, 2 * cap * sizeof **msgs);
					size_t *l2 = m2 ? realloc(*lens, 2 * cap * sizeof **lens) : NULL;
					if (m2)
						*msgs = m2;
					if (!m2 || !l2)
						return -1;
					*lens = l2;
					cap *= 2;
				}
				(*msgs)[n] = all + a;
				(*lens)[n++] = b - a;
			}
		}
		st = i = next;
	}
	return (long)n;
}

int cmd_version_next(int argc, char **argv)
{
	const char *from = NULL, *path = NULL, *pre = NULL, *format = "text";
	cicd_policy_next_options opts = CICD_POLICY_NEXT_OPTIONS_INIT;
	cicd_policy *policy = NULL;
	cicd_semver *last = NULL, *next = NULL;
	cicd_semver_release bump = CICD_SEMVER_NONE;
	const char **msgs = NULL;
	size_t *lens = NULL, len;
	char *all, *end;
	long n;
	int i, nul = 0, rc = EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-z")) {
			nul = 1;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf(
			    "usage: %s\n\nReads commit messages (Conventional Commits) from stdin, separated by a line "
			    "`---`\n(or by NUL bytes with -z), and prints the version after TAG (docs/policy.md).\n",
			    USAGE);
			return EXIT_OK;
		}
		if (i + 1 >= argc)
			return cli_usage(USAGE, "%s needs a value", argv[i]);
		if (!strcmp(argv[i], "--from"))
			from = argv[++i];
		else if (cli_is(argv[i], "-p", "--policy"))
			path = argv[++i];
		else if (!strcmp(argv[i], "--pre"))
			pre = argv[++i];
		else if (!strcmp(argv[i], "--format"))
			format = argv[++i];
		else if (!strcmp(argv[i], "--number")) {
			opts.pre_number = strtoull(argv[++i], &end, 10);
			if (!*argv[i] || *end || argv[i][0] == '-')
				return cli_usage(USAGE, "--number needs a non-negative number");
		} else
			return cli_usage(USAGE, "unknown argument '%s'", argv[i]);
	}
	if (!from)
		return cli_usage(USAGE, "--from TAG is required");
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "tag"))
		return cli_usage(USAGE, "--format is text, json or tag");
	if (!strcmp(format, "tag") && !path)
		return cli_usage(USAGE, "--format tag needs -p POLICY (the tag pattern)");
	opts.pre_id = pre;
	if (path && cicd_policy_load_file(&policy, path, NULL) < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	if (policy) {
		if (cicd_policy_tag_version(&last, policy, from) < 0) {
			cli_print_error();
			cicd_policy_free(policy);
			return EXIT_FAIL;
		}
	} else {
		/* without a policy a tag is a version with an optional leading v */
		cicd_semver_options so = CICD_SEMVER_OPTIONS_INIT;
		const char *v = from[0] == 'v' ? from + 1 : from;
		if (cicd_semver_parse(&last, v, strlen(v), &so) < 0) {
			cli_print_error();
			return EXIT_FAIL;
		}
	}
	all = cli_read_all(stdin, &len);
	n = all ? split(all, len, nul, &msgs, &lens) : -1;
	if (n < 0) {
		fprintf(stderr, "cicd: cannot read commit messages from stdin\n");
	} else if (cicd_policy_next_version(&next, &bump, last, msgs, lens, (size_t)n, &opts) < 0) {
		cli_print_error();
	} else {
		cicd_buf tag = CICD_BUF_INIT;
		rc = EXIT_OK;
		if (!strcmp(format, "tag")) {
			if (cicd_policy_release_tag(&tag, policy, next) < 0) {
				cli_print_error();
				rc = EXIT_FAIL;
			} else {
				printf("%s\n", tag.ptr);
			}
		} else if (!strcmp(format, "json")) {
			printf("{\"from\":\"%s\",\"commits\":%ld,\"bump\":\"%s\",\"version\":\"%s\"}\n",
			       cicd_semver_text(last), n, cicd_semver_release_name(bump), cicd_semver_text(next));
		} else {
			printf("%s\n", cicd_semver_text(next));
		}
		cicd_buf_dispose(&tag);
	}
	cicd_policy_free(policy);
	free(msgs);
	free(lens);
	free(all);
	cicd_semver_free(last);
	cicd_semver_free(next);
	return rc;
}
