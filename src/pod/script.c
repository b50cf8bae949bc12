/*
 * Stage scripts (sh or bash) that a runner writes into the Pod's scripts
 * volume and starts in the build container, and the exit marker they end
 * with. The marker is printed by an EXIT trap, so it is written however
 * the script ends (success, `set -e` failure, `exit N`, SIGTERM), and the
 * runner takes the exit code from the log instead of from the attach or
 * exec stream (GitLab Runner #4119: a dropped stream must never turn into
 * a false success).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hashmap.h"
#include "pod_internal.h"

#define MARKER "::cicd-exit::"

CICD_EXTERN(int) cicd_pod_script_options_init(cicd_pod_script_options *opts, unsigned int version)
{
	cicd_pod_script_options def = CICD_POD_SCRIPT_OPTIONS_INIT;
	if (!opts || version != CICD_POD_SCRIPT_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_script_options_init: unknown options version %u",
		                       version);
	*opts = def;
	return 0;
}

/* Appends s as one single-quoted shell word. */
static int put_quoted(cicd_buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	int rc = cicd__buf_putc(b, '\'');
	for (i = 0; !rc && i < len; i++)
		if (s[i] == '\'') {
			rc = cicd__buf_put(b, s + start, i - start);
			if (!rc)
				rc = cicd__buf_puts(b, "'\\''");
			start = i + 1;
		}
	if (!rc)
		rc = cicd__buf_put(b, s + start, len - start);
	return rc ? rc : cicd__buf_putc(b, '\'');
}

static int valid_nonce(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i > 0 && i <= 64;
}

static void default_nonce(const cicd_job_payload *job, char *out)
{
	char key[64];
	uint64_t h;
	snprintf(key, sizeof key, "nonce/%lld/%lld", job->project_id, job->id);
	h = cicd__hash_bytes(key, strlen(key));
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static const job_step *find_step(const cicd_job_payload *job, const char *name)
{
	size_t i;
	for (i = 0; i < job->step_count; i++)
		if (!strcmp(job->steps[i].name, name))
			return &job->steps[i];
	return NULL;
}

/* Secret and file variables come from the Secret's volume, never from the script text. */
static int put_secret_loads(cicd_buf *b, const cicd_job_payload *job, const char *secrets)
{
	cicd_arena arena;
	pod_var *vars = NULL;
	size_t i;
	int rc, any = 0;
	cicd__arena_init(&arena, 4096);
	rc = cicd__pod_vars(&vars, &arena, job, secrets);
	for (i = 0; !rc && i < job->variable_count; i++) {
		const pod_var *v = &vars[i];
		if (!v->last || (!v->secret && !(v->var->flags & CICD_JOB_PAYLOAD_VAR_FILE)))
			continue; /* in the Pod env */
		if ((rc = cicd__payload_check_key(v->var)))
			break;
		if (!any && !(rc = cicd__buf_puts(b, "cicd_secrets=")) &&
		    !(rc = put_quoted(b, secrets, strlen(secrets))))
			rc = cicd__buf_puts(b, "\n"
			                       "cicd_load() {\n"
			                       "  cicd_v=$(cat -- \"$cicd_secrets/$2\" && printf x) || {\n"
			                       "    echo \"cicd: cannot read secret variable $1\" >&2\n"
			                       "    exit 1\n"
			                       "  }\n"
			                       "  export \"$1=${cicd_v%x}\"\n"
			                       "}\n");
		any = 1;
		if (rc)
			break;
		if (v->var->flags & CICD_JOB_PAYLOAD_VAR_FILE)
			rc = cicd__buf_printf(b, "export %s=\"$cicd_secrets/file-%s\"\n", v->var->key, v->var->key);
		else
			rc = cicd__buf_printf(b, "cicd_load %s env-%s\n", v->var->key, v->var->key);
	}
	if (!rc)
		rc = cicd__buf_puts(b, "unset cicd_v\n");
	cicd__arena_release(&arena);
	return rc;
}

static int put_command(cicd_buf *b, const char *cmd)
{
	size_t first = strcspn(cmd, "\n");
	cicd_buf shown = CICD_BUF_INIT;
	int rc = cicd__buf_put(&shown, cmd, first);
	if (!rc && cmd[first] && cmd[first + 1])
		rc = cicd__buf_puts(&shown, " # collapsed multi-line command");
	if (!rc)
		rc = cicd__buf_puts(b, "printf '\\033[32;1m$ %s\\033[0;m\\n' ");
	if (!rc)
		rc = put_quoted(b, shown.ptr ? shown.ptr : "", shown.size);
	cicd_buf_dispose(&shown);
	if (!rc)
		rc = cicd__buf_putc(b, '\n');
	if (!rc)
		rc = cicd__buf_puts(b, cmd);
	return rc ? rc : cicd__buf_putc(b, '\n');
}

CICD_EXTERN(int)
cicd_pod_script_render(cicd_buf *out, const cicd_job_payload *job, const cicd_runner_config *cfg, const char *step,
                       const cicd_pod_script_options *opts)
{
	cicd_pod_script_options o = CICD_POD_SCRIPT_OPTIONS_INIT;
	char nonce[65], secrets[512], project[800];
	const job_step *st;
	cicd_buf b = CICD_BUF_INIT;
	size_t i;
	int rc;
	if (!out || !job || !cfg || !step)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_script_render: out, job, cfg and step are required");
	if (opts) {
		if (opts->version != CICD_POD_SCRIPT_OPTIONS_VERSION)
			return cicd__error_set(CICD_EINVALID, "cicd_pod_script_render: unknown options version %u",
			                       opts->version);
		o = *opts;
	}
	if (!o.shell)
		o.shell = CICD_SHELL_BASH;
	if (o.shell != CICD_SHELL_SH && o.shell != CICD_SHELL_BASH)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_script_render: unknown shell %d", (int)o.shell);
	if (o.nonce && !valid_nonce(o.nonce))
		return cicd__error_set(CICD_EINVALID, "the marker nonce must be 1 to 64 characters of [A-Za-z0-9]");
	if (!(st = find_step(job, step)))
		return cicd__error_set(CICD_ENOTFOUND, "the job has no step \"%.64s\"", step);
	if (o.nonce)
		snprintf(nonce, sizeof nonce, "%s", o.nonce);
	else
		default_nonce(job, nonce);
	cicd__pod_paths(job, cfg, NULL, NULL, secrets, sizeof secrets);
	cicd__pod_project_dir(job, cfg, project, sizeof project);
	rc = cicd__buf_printf(&b,
	                      "%s\n"
	                      "# generated by libcicd: job %lld, step %s\n"
	                      "cicd_exit() {\n"
	                      "  cicd_ec=$?\n"
	                      "  trap - EXIT\n"
	                      "  printf '\\n" MARKER "%%s::%%s::%%d\\n' '%s' '%s' \"$cicd_ec\"\n"
	                      "  exit \"$cicd_ec\"\n"
	                      "}\n"
	                      "trap cicd_exit EXIT\n"
	                      "trap 'exit 129' HUP\n"
	                      "trap 'exit 130' INT\n"
	                      "trap 'exit 143' TERM\n"
	                      "%s\n",
	                      o.shell == CICD_SHELL_SH ? "#!/bin/sh" : "#!/usr/bin/env bash", job->id, st->name, nonce,
	                      st->name, o.shell == CICD_SHELL_SH ? "set -e" : "set -eo pipefail");
	if (!rc)
		rc = put_secret_loads(&b, job, secrets);
	if (!rc && !(rc = cicd__buf_puts(&b, "cd ")) && !(rc = put_quoted(&b, project, strlen(project))))
		rc = cicd__buf_putc(&b, '\n');
	for (i = 0; !rc && i < st->script.count; i++)
		rc = put_command(&b, st->script.items[i]);
	if (!rc)
		rc = cicd__buf_put(out, b.ptr, b.size);
	cicd_buf_dispose(&b);
	return rc;
}

CICD_EXTERN(int)
cicd_pod_exit_marker_find(int *exit_code, const char *log, size_t len, const char *nonce, const char *step)
{
	char head[256];
	size_t hlen, i;
	int found = 0;
	if (!exit_code || (!log && len) || !nonce || !step)
		return cicd__error_set(CICD_EINVALID,
		                       "cicd_pod_exit_marker_find: exit_code, log, nonce and step are required");
	if (!valid_nonce(nonce) || strlen(step) > 64)
		return cicd__error_set(CICD_EINVALID, "cicd_pod_exit_marker_find: invalid nonce or step");
	hlen = (size_t)snprintf(head, sizeof head, MARKER "%s::%s::", nonce, step);
	for (i = 0; i + hlen <= len; i++) {
		size_t k = i + hlen;
		long code = 0;
		int digits = 0;
		if ((i > 0 && log[i - 1] != '\n') || memcmp(log + i, head, hlen))
			continue;
		while (k < len && log[k] >= '0' && log[k] <= '9' && digits < 6) {
			code = code * 10 + (log[k++] - '0');
			digits++;
		}
		if (!digits || (k < len && log[k] != '\n' && log[k] != '\r'))
			continue;
		*exit_code = (int)code;
		found = 1;
	}
	if (!found)
		return cicd__error_set(CICD_ENOTFOUND, "no exit marker for step \"%s\" in the log", step);
	return 0;
}
