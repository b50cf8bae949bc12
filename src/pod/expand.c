/*
 * Variable expansion as GitLab Runner does it (spec.Variables.Expand and
 * ExpandValue over Go's os.Expand): every variable that is not `raw` has
 * its $NAME / ${NAME} references replaced, one level deep, with the values
 * as sent; image and service names and aliases are then expanded with the
 * result. A file variable stands for the path of its file.
 *
 * Unlike GitLab Runner, a value that takes a masked or non-public value
 * this way is itself treated as secret (it goes to the Secret, not the Pod
 * env), and an image name that would take one is refused: a secret must
 * not reach a Pod spec through a reference.
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pod_internal.h"

static int special(char c)
{
	return c == '*' || c == '#' || c == '$' || c == '@' || c == '!' || c == '?' || c == '-' ||
	       (c >= '0' && c <= '9');
}

static int alnum(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Go's getShellName: the name after '$' and how many bytes it spans. */
static void shell_name(const char *s, size_t len, const char **name, size_t *name_len, size_t *w)
{
	size_t i;
	*name = s;
	*name_len = 0;
	if (s[0] == '{') {
		if (len > 2 && special(s[1]) && s[2] == '}') {
			*name = s + 1;
			*name_len = 1;
			*w = 3;
			return;
		}
		for (i = 1; i < len; i++)
			if (s[i] == '}') {
				if (i == 1) {
					*w = 2; /* "${}": eaten */
					return;
				}
				*name = s + 1;
				*name_len = i - 1;
				*w = i + 1;
				return;
			}
		*w = 1; /* "${" without "}": eaten */
		return;
	}
	if (special(s[0])) {
		*name_len = 1;
		*w = 1;
		return;
	}
	for (i = 0; i < len && alnum(s[i]); i++)
		;
	*name_len = i;
	*w = i;
}

/* The last variable of this name, or NULL. */
static const pod_var *lookup(const pod_var *vars, size_t n, const char *name, size_t len)
{
	size_t i = n;
	while (i--)
		if (!strncmp(vars[i].var->key, name, len) && !vars[i].var->key[len])
			return &vars[i];
	return NULL;
}

static int expand(cicd_buf *out, const pod_var *vars, size_t n, const char *s, size_t len, int use_expanded,
                  const pod_var **secret_ref)
{
	size_t i = 0, j;
	int rc = 0;
	for (j = 0; !rc && j < len; j++) {
		const char *name;
		size_t name_len, w;
		const pod_var *v;
		if (s[j] != '$' || j + 1 >= len)
			continue;
		if ((rc = cicd__buf_put(out, s + i, j - i)))
			return rc;
		shell_name(s + j + 1, len - j - 1, &name, &name_len, &w);
		if (!name_len && !w) {
			rc = cicd__buf_putc(out, '$'); /* not followed by a name: kept */
		} else if (name_len && (v = lookup(vars, n, name, name_len)) != NULL) {
			/* a file variable stands for its path, which is no secret */
			if (v->secret && !(v->var->flags & CICD_JOB_PAYLOAD_VAR_FILE) && secret_ref && !*secret_ref)
				*secret_ref = v;
			if (v->var->flags & CICD_JOB_PAYLOAD_VAR_FILE)
				rc = cicd__buf_puts(out, v->path);
			else if (use_expanded)
				rc = cicd__buf_put(out, v->value, v->len);
			else
				rc = cicd__buf_put(out, v->var->value, v->var->value_len);
		}
		j += w;
		i = j + 1;
	}
	if (!rc && i < len)
		rc = cicd__buf_put(out, s + i, len - i);
	return rc;
}

int cicd__pod_vars(pod_var **out, cicd_arena *arena, const cicd_job_payload *job, const char *secrets_dir)
{
	pod_var *vars;
	size_t i;
	int rc = 0;
	*out = NULL;
	if (!job->variable_count)
		return 0;
	if (!(vars = cicd__arena_calloc(arena, job->variable_count, sizeof *vars)))
		return cicd__error_oom();
	for (i = 0; i < job->variable_count; i++) {
		const job_var *v = &job->variables[i];
		size_t plen = strlen(secrets_dir) + strlen(v->key) + 7;
		vars[i].var = v;
		vars[i].secret = !(v->flags & CICD_JOB_PAYLOAD_VAR_PUBLIC) || (v->flags & CICD_JOB_PAYLOAD_VAR_MASKED);
		vars[i].last = cicd__payload_var(job, v->key) == v;
		if (!(vars[i].path = cicd__arena_alloc(arena, plen)))
			return cicd__error_oom();
		memcpy(vars[i].path, secrets_dir, strlen(secrets_dir));
		memcpy(vars[i].path + strlen(secrets_dir), "/file-", 6);
		memcpy(vars[i].path + strlen(secrets_dir) + 6, v->key, strlen(v->key) + 1);
	}
	/* one level, against the values as sent (Go: Variables.ExpandWith(itself)) */
	for (i = 0; !rc && i < job->variable_count; i++) {
		const job_var *v = &job->variables[i];
		cicd_buf b = CICD_BUF_INIT;
		const pod_var *ref = NULL;
		if (v->flags & CICD_JOB_PAYLOAD_VAR_RAW) {
			vars[i].value = (char *)(uintptr_t)v->value;
			vars[i].len = v->value_len;
			continue;
		}
		rc = expand(&b, vars, job->variable_count, v->value, v->value_len, 0, &ref);
		if (!rc && !(vars[i].value = cicd__arena_strndup(arena, b.ptr ? b.ptr : "", b.size)))
			rc = cicd__error_oom();
		vars[i].len = b.size;
		cicd_buf_dispose(&b);
		if (ref)
			vars[i].tainted = 1;
	}
	for (i = 0; i < job->variable_count; i++)
		vars[i].secret |= vars[i].tainted;
	*out = vars;
	return rc;
}

int cicd__pod_expand(cicd_buf *out, const pod_var *vars, size_t n, const char *s, const pod_var **secret_ref)
{
	if (secret_ref)
		*secret_ref = NULL;
	return expand(out, vars, n, s, strlen(s), 1, secret_ref);
}
