/* cicd policy check — is a push, merge request or tag allowed by a branch/tag policy? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <cicd/policy.h>

static const char USAGE[] = "cicd policy check -p POLICY (--push BRANCH | --mr SOURCE:TARGET |\n"
                            "                         --tag TAG --on BRANCH [--existing TAG]...) [--format json]";

static void print_text(const cicd_policy_result *r, const char *what)
{
	size_t i;
	const char *kind = cicd_policy_result_kind(r);
	printf("%s: %s%s%s%s\n", cicd_policy_result_allowed(r) ? "allowed" : "denied", what, *kind ? " (" : "", kind,
	       *kind ? ")" : "");
	for (i = 0; i < cicd_policy_result_violation_count(r); i++)
		printf("  %s: %s\n", cicd_policy_result_violation_rule(r, i),
		       cicd_policy_result_violation_message(r, i));
	for (i = 0; i < cicd_policy_result_capture_count(r); i++)
		printf("  %s = %s\n", cicd_policy_result_capture_name(r, i), cicd_policy_result_capture_value(r, i));
}

int cmd_policy(int argc, char **argv)
{
	const char *path = NULL, *push = NULL, *mr = NULL, *tag = NULL, *on = NULL, *format = "text";
	const char **existing;
	size_t nexisting = 0;
	cicd_policy *policy = NULL;
	cicd_policy_result *r = NULL;
	char what[2200];
	int i, rc;
	if (argc < 2)
		return cli_usage(USAGE, "missing subcommand");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s\n\nChecks one event against the policy (docs/policy.md). Exit 0 when it is allowed, "
		       "1 when it is denied\n(each violated rule is printed) or the policy is invalid.\n",
		       USAGE);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "check") != 0)
		return cli_usage(USAGE, "unknown subcommand '%s'", argv[1]);
	existing = calloc((size_t)argc, sizeof *existing);
	if (!existing)
		return EXIT_FAIL;
	for (i = 2; i < argc; i++) {
		const char **slot = NULL;
		if (cli_is(argv[i], "-p", "--policy"))
			slot = &path;
		else if (!strcmp(argv[i], "--push"))
			slot = &push;
		else if (!strcmp(argv[i], "--mr"))
			slot = &mr;
		else if (!strcmp(argv[i], "--tag"))
			slot = &tag;
		else if (!strcmp(argv[i], "--on"))
			slot = &on;
		else if (!strcmp(argv[i], "--format"))
			slot = &format;
		else if (!strcmp(argv[i], "--existing"))
			slot = &existing[nexisting++];
		else {
			free(existing);
			return cli_usage(USAGE, "unknown argument '%s'", argv[i]);
		}
		if (i + 1 >= argc) {
			free(existing);
			return cli_usage(USAGE, "%s needs a value", argv[i]);
		}
		*slot = argv[++i];
	}
	rc = !path                          ? cli_usage(USAGE, "no policy given (-p POLICY)")
	     : (!!push + !!mr + !!tag) != 1 ? cli_usage(USAGE, "give exactly one of --push, --mr, --tag")
	     : tag && !on                   ? cli_usage(USAGE, "--tag needs --on BRANCH")
	     : !tag && (on || nexisting)    ? cli_usage(USAGE, "--on and --existing go with --tag")
	     : mr && !strchr(mr, ':')       ? cli_usage(USAGE, "--mr takes SOURCE:TARGET")
	     : strcmp(format, "text") && strcmp(format, "json") ? cli_usage(USAGE, "--format is text or json")
	                                                        : 0;
	if (rc) {
		free(existing);
		return rc;
	}
	if (cicd_policy_load_file(&policy, path, NULL) < 0) {
		cli_print_error();
		free(existing);
		return EXIT_FAIL;
	}
	if (push) {
		rc = cicd_policy_check_push(&r, policy, push);
		snprintf(what, sizeof what, "push to %s", push);
	} else if (mr) {
		char *src = strdup(mr), *colon = src ? strchr(src, ':') : NULL;
		if (colon) {
			*colon = '\0';
			rc = cicd_policy_check_merge_request(&r, policy, src, colon + 1);
			snprintf(what, sizeof what, "merge request %s -> %s", src, colon + 1);
		} else {
			rc = CICD_ENOMEM;
		}
		free(src);
	} else {
		rc = cicd_policy_check_tag(&r, policy, tag, on, existing, nexisting);
		snprintf(what, sizeof what, "tag %s on %s", tag, on);
	}
	free(existing);
	cicd_policy_free(policy);
	if (rc < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	if (!strcmp(format, "json")) {
		cicd_buf out = CICD_BUF_INIT;
		if (cicd_policy_result_to_json(&out, r) < 0) {
			cli_print_error();
			cicd_policy_result_free(r);
			return EXIT_FAIL;
		}
		printf("%s\n", out.ptr);
		cicd_buf_dispose(&out);
	} else {
		print_text(r, what);
	}
	rc = cicd_policy_result_allowed(r) ? EXIT_OK : EXIT_FAIL;
	cicd_policy_result_free(r);
	return rc;
}
