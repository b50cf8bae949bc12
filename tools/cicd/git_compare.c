/*
 * `cicd plan --compare-with-git`: answers changes:compare_to with git in the
 * pipeline's directory, the paths changed since REF's merge base with HEAD
 * (`git diff --name-only REF...HEAD`, as GitLab diffs from the merge base).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git_compare.h"

extern char **environ;

/* The most `git diff --name-only` may print: far more than any repository's paths. */
#define MAX_OUTPUT (64u << 20)

/* posix_spawn takes char *const argv[]; it does not write to them. */
static char *arg(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* Runs git with argv (stdin and stderr on /dev/null); its stdout in *out (caller frees). Exit status, or -1. */
static int run_git(char *const argv[], char **out, size_t *len)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = -1, truncated = 0;
	size_t cap = 0;
	pid_t pid;
	*out = NULL;
	*len = 0;
	if (pipe(fds))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawnp(&pid, "git", &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	for (;;) {
		ssize_t n;
		if (*len + 4096 + 1 > cap) {
			char *grown = cap + 65536 <= MAX_OUTPUT ? realloc(*out, cap + 65536) : NULL;
			if (!grown) {
				truncated = 1;
				break;
			}
			*out = grown;
			cap += 65536;
		}
		n = read(fds[0], *out + *len, cap - *len - 1);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fds[0]); /* a git still writing gets EPIPE and ends */
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || truncated)
		status = -1;
	else
		status = WEXITSTATUS(status);
	if (*out)
		(*out)[*len] = 0;
	return status;
}

int cli_git_compare(cicd_path_list *changed, const char *ref, void *dir)
{
	char *spec, *verify, *out = NULL;
	size_t len = 0, i;
	int status, rc = 0;
	/* a ref is never an option: refuse what git would read as one */
	if (!*ref || *ref == '-')
		return CICD_ENOTFOUND;
	if (!(spec = malloc(strlen(ref) + 8)) || !(verify = malloc(strlen(ref) + 10))) {
		free(spec);
		return CICD_ENOMEM;
	}
	strcpy(spec, ref);
	strcat(spec, "...HEAD");
	strcpy(verify, ref);
	strcat(verify, "^{commit}");
	{
		char *const check[] = {arg("git"), arg("-C"), dir, arg("rev-parse"), arg("--verify"), arg("--quiet"), verify, NULL};
		status = run_git(check, &out, &len);
		free(out);
		out = NULL;
	}
	if (status != 0) {
		rc = CICD_ENOTFOUND;
	} else {
		char *const diff[] = {arg("git"), arg("-C"), dir, arg("diff"), arg("--name-only"), arg("-z"), spec, NULL};
		if (run_git(diff, &out, &len) != 0)
			rc = CICD_EIO;
		for (i = 0; !rc && i < len; i += strlen(out + i) + 1)
			if (out[i])
				rc = cicd_path_list_add(changed, out + i);
	}
	free(out);
	free(spec);
	free(verify);
	return rc;
}
