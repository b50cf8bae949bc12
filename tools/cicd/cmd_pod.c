/* cicd pod — render the Pod of a CI job, its stage scripts, and read failure reasons from a Pod. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "cicd pod render --job JOB.json --runner RUNNER.yml [--format yaml|json] [--slot N] [--suffix S] "
    "[--ignore-disabled-overwrites]\n"
    "       cicd pod script --job JOB.json --runner RUNNER.yml --step NAME [--shell sh|bash] [--nonce N]\n"
    "       cicd pod failure POD.json";

static int load_inputs(const char *job_path, const char *runner_path, cicd_job_payload **job, cicd_runner_config **cfg)
{
	const cicd_diagnostics *warn;
	size_t i;
	if (cicd_job_payload_load_file(job, job_path, NULL) < 0 ||
	    cicd_runner_config_load_file(cfg, runner_path, NULL) < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	warn = cicd_runner_config_diagnostics(*cfg);
	for (i = 0; i < cicd_diagnostics_count(warn); i++)
		cli_print_diagnostic(stderr, cicd_diagnostics_get(warn, i));
	return EXIT_OK;
}

static int write_out(const cicd_buf *out)
{
	if (out->size && fwrite(out->ptr, 1, out->size, stdout) != out->size) {
		fprintf(stderr, "cicd: writing stdout failed\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int failure(int argc, char **argv)
{
	FILE *f;
	char *data;
	size_t len;
	const char *reason = NULL;
	cicd_buf msg = CICD_BUF_INIT;
	int rc;
	if (argc != 3)
		return cli_usage(USAGE, "pod failure needs one POD.json");
	if (!(f = fopen(argv[2], "rb"))) {
		fprintf(stderr, "cicd: cannot open %s\n", argv[2]);
		return EXIT_FAIL;
	}
	data = cli_read_all(f, &len);
	fclose(f);
	if (!data) {
		fprintf(stderr, "cicd: cannot read %s\n", argv[2]);
		return EXIT_FAIL;
	}
	rc = cicd_pod_failure_reason(&reason, &msg, data, len, argv[2]);
	free(data);
	if (rc == CICD_ENOTFOUND) {
		printf("none\n");
		return EXIT_OK;
	}
	if (rc < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	printf("%s: %s\n", reason, msg.ptr ? msg.ptr : "");
	cicd_buf_dispose(&msg);
	return EXIT_OK;
}

/* The exit code of a stage from its log (the last exit marker line), for runners written in shell. */
static int exit_code(int argc, char **argv)
{
	const char *nonce = NULL, *step = NULL;
	char *log;
	size_t len;
	int i, code = 0, rc;
	for (i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			return cli_usage(USAGE, "%s needs an argument", argv[i]);
		if (!strcmp(argv[i], "--nonce"))
			nonce = argv[++i];
		else if (!strcmp(argv[i], "--step"))
			step = argv[++i];
		else
			return cli_usage(USAGE, "unknown argument '%s'", argv[i]);
	}
	if (!nonce || !step)
		return cli_usage(USAGE, "--nonce and --step are required");
	if (!(log = cli_read_all(stdin, &len))) {
		fprintf(stderr, "cicd: reading stdin failed\n");
		return EXIT_FAIL;
	}
	rc = cicd_pod_exit_marker_find(&code, log, len, nonce, step);
	free(log);
	if (rc < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	printf("%d\n", code);
	return EXIT_OK;
}

int cmd_pod(int argc, char **argv)
{
	cicd_pod_render_options ropts = CICD_POD_RENDER_OPTIONS_INIT;
	cicd_pod_script_options sopts = CICD_POD_SCRIPT_OPTIONS_INIT;
	const char *job_path = NULL, *runner_path = NULL, *step = NULL;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	int i, rc, render;
	if (argc < 2 || cli_is(argv[1], "-h", "--help")) {
		if (argc < 2)
			return cli_usage(USAGE, "missing subcommand");
		printf("usage: %s\n\nrender: the job's Secret, registry Secret and Pod as GitLab Runner's Kubernetes\n"
		       "executor creates them (YAML stream or a JSON v1 List).\n"
		       "script: the stage script of one step, ending with the exit marker line.\n"
		       "failure: GitLab's failure_reason for a Pod read from the API (JSON).\n"
		       "exit-code: the exit code in a stage's log (its last exit marker line); exit 1 when none.\n",
		       USAGE);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "failure"))
		return failure(argc, argv);
	if (!strcmp(argv[1], "exit-code"))
		return exit_code(argc, argv);
	if (strcmp(argv[1], "render") && strcmp(argv[1], "script"))
		return cli_usage(USAGE, "unknown subcommand '%s'", argv[1]);
	render = !strcmp(argv[1], "render");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--ignore-disabled-overwrites") && render) {
			ropts.flags |= CICD_POD_IGNORE_DISABLED_OVERWRITES;
			continue;
		}
		if (!v)
			return cli_usage(USAGE, "%s needs an argument", a);
		i++;
		if (!strcmp(a, "--job"))
			job_path = v;
		else if (!strcmp(a, "--runner"))
			runner_path = v;
		else if (!strcmp(a, "--format") && render && (!strcmp(v, "yaml") || !strcmp(v, "json")))
			ropts.format = !strcmp(v, "json") ? CICD_POD_FORMAT_JSON : CICD_POD_FORMAT_YAML;
		else if (!strcmp(a, "--slot") && render)
			ropts.slot = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--suffix") && render)
			ropts.name_suffix = v;
		else if (!strcmp(a, "--step") && !render)
			step = v;
		else if (!strcmp(a, "--shell") && !render && (!strcmp(v, "sh") || !strcmp(v, "bash")))
			sopts.shell = !strcmp(v, "sh") ? CICD_SHELL_SH : CICD_SHELL_BASH;
		else if (!strcmp(a, "--nonce") && !render)
			sopts.nonce = v;
		else
			return cli_usage(USAGE, "unknown or invalid argument '%s %s'", a, v);
	}
	if (!job_path || !runner_path || (!render && !step))
		return cli_usage(USAGE, render ? "--job and --runner are required"
		                               : "--job, --runner and --step are required");
	rc = load_inputs(job_path, runner_path, &job, &cfg);
	if (rc == EXIT_OK) {
		int r = render ? cicd_pod_render(&out, job, cfg, &ropts)
		               : cicd_pod_script_render(&out, job, cfg, step, &sopts);
		if (r < 0) {
			cli_print_error();
			rc = EXIT_FAIL;
		} else {
			rc = write_out(&out);
		}
	}
	cicd_buf_dispose(&out);
	cicd_job_payload_free(job);
	cicd_runner_config_free(cfg);
	return rc;
}
