/* Stage scripts, run for real with /bin/sh and bash, and the exit marker they end with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cicd/cicd.h"
#include "test.h"

static char g_dir[256];

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

/* A sandbox with builds_dir and the secrets directory the runner config points at. */
static void sandbox(void)
{
	char path[512];
	snprintf(g_dir, sizeof g_dir, "/tmp/cicd-script-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(g_dir));
	snprintf(path, sizeof path, "%s/builds", g_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/builds/acme", g_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/builds/acme/shop", g_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/secrets-17-4242", g_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/secrets-17-4242/env-API_KEY", g_dir);
	write_file(path, "it's a \"secret\" $x\n\n", 20);
	snprintf(path, sizeof path, "%s/secrets-17-4242/file-CFG", g_dir);
	write_file(path, "k: v\n", 5);
}

static void cleanup(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Renders step "script" of a job with the given script lines, runs it with `shell`, returns the output. */
static char *run(const char *script_json, cicd_shell shell, int *exit_code, int *render_rc)
{
	cicd_pod_script_options o = CICD_POD_SCRIPT_OPTIONS_INIT;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	char job_json[2048], runner[1024], path[512], cmd[1024], buf[4096];
	size_t n = 0, got;
	FILE *p;
	int status;
	snprintf(job_json, sizeof job_json,
	         "{\"id\": 4242, \"job_info\": {\"project_id\": 17, \"project_full_path\": \"acme/shop\"},"
	         " \"variables\": [{\"key\": \"API_KEY\", \"value\": \"x\", \"masked\": true},"
	         " {\"key\": \"CFG\", \"value\": \"k: v\\n\", \"public\": true, \"file\": true}],"
	         " \"steps\": [{\"name\": \"script\", \"script\": %s}]}",
	         script_json);
	snprintf(runner, sizeof runner, "builds_dir: %s/builds\nkubernetes:\n  scripts_base_dir: %s/\n", g_dir, g_dir);
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_parse(&job, job_json, strlen(job_json), "j.json", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load(&cfg, runner, strlen(runner), "r.yml", NULL), 0);
	o.shell = shell;
	o.nonce = "N0nce";
	*render_rc = cicd_pod_script_render(&out, job, cfg, "script", &o);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
	if (*render_rc)
		return NULL;
	snprintf(path, sizeof path, "%s/script.sh", g_dir);
	write_file(path, out.ptr, out.size);
	cicd_buf_dispose(&out);
	snprintf(cmd, sizeof cmd, "%s '%s' 2>&1", shell == CICD_SHELL_SH ? "/bin/sh" : "bash", path);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (n + 1 < sizeof buf && (got = fread(buf + n, 1, sizeof buf - 1 - n, p)) > 0)
		n += got;
	buf[n] = '\0';
	status = pclose(p);
	*exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return strdup(buf);
}

static void check(const char *script_json, int want_exit, const char *want_in_output, const char *not_in_output)
{
	static const cicd_shell SHELLS[] = {CICD_SHELL_SH, CICD_SHELL_BASH};
	size_t s;
	for (s = 0; s < 2; s++) {
		int code = -2, rc, marker = -1;
		char *log = run(script_json, SHELLS[s], &code, &rc);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL(code, want_exit);
		/* the exit code is in the log itself */
		CU_ASSERT_EQUAL(cicd_pod_exit_marker_find(&marker, log, strlen(log), "N0nce", "script"), 0);
		CU_ASSERT_EQUAL(marker, want_exit);
		if (want_in_output && !strstr(log, want_in_output)) {
			fprintf(stderr, "\noutput lacks \"%s\":\n%s\n", want_in_output, log);
			CU_FAIL("output");
		}
		if (not_in_output)
			CU_ASSERT_PTR_NULL(strstr(log, not_in_output));
		free(log);
	}
}

static void test_script_success_ends_with_marker(void)
{
	sandbox();
	check("[\"echo hello\", \"pwd\"]", 0, "$ echo hello\x1b[0;m\nhello\n", NULL);
	check("[\"pwd\"]", 0, "/builds/acme/shop\n\n::cicd-exit::N0nce::script::0\n", NULL);
	cleanup();
}

static void test_script_failure_stops_and_reports_code(void)
{
	sandbox();
	check("[\"echo one\", \"false\", \"echo never\"]", 1, "one\n", "never\n");
	check("[\"exit 7\"]", 7, "::cicd-exit::N0nce::script::7\n", NULL);
	cleanup();
}

static void test_script_bash_uses_pipefail(void)
{
	int code = -1, rc, marker = -1;
	char *log;
	sandbox();
	log = run("[\"sh -c 'exit 3' | cat\"]", CICD_SHELL_BASH, &code, &rc);
	CU_ASSERT_EQUAL(code, 3);
	CU_ASSERT_EQUAL(cicd_pod_exit_marker_find(&marker, log, strlen(log), "N0nce", "script"), 0);
	CU_ASSERT_EQUAL(marker, 3);
	free(log);
	cleanup();
}

static void test_script_signal_still_writes_marker(void)
{
	sandbox();
	check("[\"kill -TERM $$\", \"echo unreachable\"]", 143, "::cicd-exit::N0nce::script::143\n", "unreachable");
	cleanup();
}

static void test_script_loads_secret_and_file_variables(void)
{
	char script[1024];
	sandbox();
	/* the value keeps its quotes, '$' and trailing newlines exactly: compared byte for byte with the file */
	snprintf(script, sizeof script,
	         "[\"printf '%%s' \\\"$API_KEY\\\" | cmp - '%s/secrets-17-4242/env-API_KEY' && echo same\", "
	         "\"cat \\\"$CFG\\\"\"]",
	         g_dir);
	check(script, 0, "same\n", NULL);
	check(script, 0, "k: v\n", NULL);
	cleanup();
}

static void test_script_missing_secret_fails_clearly(void)
{
	char path[512];
	sandbox();
	snprintf(path, sizeof path, "%s/secrets-17-4242/env-API_KEY", g_dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	check("[\"echo never\"]", 1, "cicd: cannot read secret variable API_KEY\n", "never\n");
	cleanup();
}

static void test_script_errors(void)
{
	cicd_pod_script_options o;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	const char *j = "{\"id\": 1, \"steps\": [{\"name\": \"script\", \"script\": [\"true\"]}]}";
	CU_ASSERT_EQUAL(cicd_pod_script_options_init(&o, 2), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_pod_script_options_init(&o, CICD_POD_SCRIPT_OPTIONS_VERSION), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_parse(&job, j, strlen(j), "j.json", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load(&cfg, "", 0, "r.yml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_pod_script_render(&out, job, cfg, "after_script", &o), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "the job has no step \"after_script\"");
	o.nonce = "not ok";
	CU_ASSERT_EQUAL(cicd_pod_script_render(&out, job, cfg, "script", &o), CICD_EINVALID);
	o.nonce = NULL;
	CU_ASSERT_EQUAL(cicd_pod_script_render(&out, job, cfg, "script", &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr, "#!/usr/bin/env bash\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr, "set -eo pipefail\n"));
	cicd_buf_dispose(&out);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
}

static void test_marker_find_takes_last_whole_line_with_nonce(void)
{
	int code = -1;
	static const char LOG[] = "::cicd-exit::N0nce::script::5\n"      /* an earlier run */
	                          "echo ::cicd-exit::N0nce::script::0\n" /* not at a line start */
	                          "::cicd-exit::Other::script::0\n"      /* another nonce */
	                          "::cicd-exit::N0nce::after_script::9\n"
	                          "::cicd-exit::N0nce::script::2\r\n"
	                          "::cicd-exit::N0nce::script::1x\n"; /* not a whole line */
	CU_ASSERT_EQUAL(cicd_pod_exit_marker_find(&code, LOG, sizeof LOG - 1, "N0nce", "script"), 0);
	CU_ASSERT_EQUAL(code, 2);
	CU_ASSERT_EQUAL(cicd_pod_exit_marker_find(&code, LOG, sizeof LOG - 1, "N0nce", "after_script"), 0);
	CU_ASSERT_EQUAL(code, 9);
	CU_ASSERT_EQUAL(cicd_pod_exit_marker_find(&code, "output\n", 7, "N0nce", "script"), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "no exit marker for step \"script\" in the log");
	/* a marker at the very end without a newline counts: the stream may end there */
	CU_ASSERT_EQUAL(cicd_pod_exit_marker_find(&code, "x\n::cicd-exit::N0nce::script::4", 31, "N0nce", "script"), 0);
	CU_ASSERT_EQUAL(code, 4);
}

CICD_SUITE(pod_script, CICD_TEST(test_script_success_ends_with_marker),
           CICD_TEST(test_script_failure_stops_and_reports_code), CICD_TEST(test_script_bash_uses_pipefail),
           CICD_TEST(test_script_signal_still_writes_marker), CICD_TEST(test_script_loads_secret_and_file_variables),
           CICD_TEST(test_script_missing_secret_fails_clearly), CICD_TEST(test_script_errors),
           CICD_TEST(test_marker_find_takes_last_whole_line_with_nonce))
