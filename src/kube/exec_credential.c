/*
 * Exec credential plugins (client.authentication.k8s.io ExecCredential):
 * the kubeconfig's command runs with its args and env, without a terminal
 * (interactiveMode Never), and prints a credential on stdout. Its stderr is
 * read and dropped: it may hold secrets, and a library does not print.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "core/json_writer.h"
#include "kube_internal.h"

extern char **environ;

#define EXEC_TIMEOUT_MS 60000
#define EXEC_MAX_OUTPUT (1u << 20)

void kube__exec_credential_dispose(kube_exec_credential *cred)
{
	if (cred->token) {
		volatile char *p = cred->token;
		while (*p)
			*p++ = 0;
	}
	cicd__free(cred->token);
	cicd__free(cred->cert.data);
	if (cred->key.data)
		memset(cred->key.data, 0, cred->key.len);
	cicd__free(cred->key.data);
	memset(cred, 0, sizeof *cred);
}

static int exec_info(cicd_buf *out, const kube_exec_config *exec, const struct cicd_kube_config *cfg)
{
	cicd_json_writer *w;
	if (cicd__buf_puts(out, "KUBERNETES_EXEC_INFO="))
		return CICD_ENOMEM;
	w = cicd__json_new(out, 0);
	if (!w)
		return cicd__error_oom();
	cicd__json_begin_object(w);
	cicd__json_kv_string(w, "apiVersion", exec->api_version);
	cicd__json_kv_string(w, "kind", "ExecCredential");
	cicd__json_key(w, "spec");
	cicd__json_begin_object(w);
	cicd__json_kv_bool(w, "interactive", 0);
	if (exec->provide_cluster_info) {
		cicd__json_key(w, "cluster");
		cicd__json_begin_object(w);
		cicd__json_kv_string(w, "server", cfg->server ? cfg->server : "");
		if (cfg->tls_server_name)
			cicd__json_kv_string(w, "tls-server-name", cfg->tls_server_name);
		cicd__json_kv_bool(w, "insecure-skip-tls-verify", cfg->insecure);
		if (cfg->proxy_url)
			cicd__json_kv_string(w, "proxy-url", cfg->proxy_url);
		if (cfg->ca_data.len) {
			cicd__json_key(w, "certificate-authority-data");
			cicd__json_string_n(w, (const char *)cfg->ca_data.data, cfg->ca_data.len);
		}
		cicd__json_end_object(w);
	}
	cicd__json_end_object(w);
	cicd__json_end_object(w);
	return cicd__json_finish(w);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Reads both pipes until EOF, the limit or the deadline. 0, CICD_ELIMIT or CICD_ETIMEOUT. */
static int drain(int out_fd, int err_fd, cicd_buf *out)
{
	struct pollfd fds[2];
	double deadline = now_ms() + EXEC_TIMEOUT_MS;
	char chunk[4096];
	int open_count = 2;
	fds[0].fd = out_fd;
	fds[0].events = POLLIN;
	fds[1].fd = err_fd;
	fds[1].events = POLLIN;
	while (open_count) {
		int left = (int)(deadline - now_ms()), i;
		if (left <= 0)
			return CICD_ETIMEOUT;
		if (poll(fds, 2, left) < 0) {
			if (errno == EINTR)
				continue;
			return CICD_EIO;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fds[i].fd = -1;
				open_count--;
				continue;
			}
			if (i == 0) {
				if (out->size + (size_t)n > EXEC_MAX_OUTPUT)
					return CICD_ELIMIT;
				if (cicd__buf_put(out, chunk, (size_t)n))
					return CICD_ENOMEM;
			}
		}
	}
	return 0;
}

static int parse_credential(kube_exec_credential *cred, const cicd_buf *out, const kube_exec_config *exec)
{
	cicd_document *doc = NULL;
	const cicd_node *root, *status;
	const char *s;
	int rc = cicd_document_load_json(&doc, out->ptr ? out->ptr : "", out->size, "exec plugin output", NULL);
	if (rc) {
		cicd_document_free(doc);
		return cicd__error_set(CICD_EAUTH, "exec plugin '%s' printed no valid ExecCredential JSON", exec->command);
	}
	root = cicd_document_root(doc, 0);
	s = kube__str(root, "kind");
	if (!s || strcmp(s, "ExecCredential")) {
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' printed kind '%s', not ExecCredential", exec->command,
				     s ? s : "");
		cicd_document_free(doc);
		return rc;
	}
	s = kube__str(root, "apiVersion");
	if (!s || strcmp(s, exec->api_version)) {
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' answered with apiVersion '%s', expected '%s'",
				     exec->command, s ? s : "", exec->api_version);
		cicd_document_free(doc);
		return rc;
	}
	status = kube__path(root, "status", NULL);
	memset(cred, 0, sizeof *cred);
	if ((s = kube__str(status, "token")) && *s && !(cred->token = cicd__strdup(s)))
		rc = cicd__error_oom();
	if (!rc && (s = kube__str(status, "clientCertificateData")) && *s) {
		if (!(cred->cert.data = (unsigned char *)cicd__strdup(s)))
			rc = cicd__error_oom();
		else
			cred->cert.len = strlen(s);
	}
	if (!rc && (s = kube__str(status, "clientKeyData")) && *s) {
		if (!(cred->key.data = (unsigned char *)cicd__strdup(s)))
			rc = cicd__error_oom();
		else
			cred->key.len = strlen(s);
	}
	if (!rc && (s = kube__str(status, "expirationTimestamp")) && *s) {
		cred->expires = kube__parse_time(s);
		if (cred->expires == (time_t)-1)
			rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' gave a bad expirationTimestamp", exec->command);
	}
	if (!rc && !cred->token && !cred->cert.len)
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' returned neither a token nor a client certificate",
				     exec->command);
	if (!rc && (!cred->cert.len) != (!cred->key.len))
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' returned a client certificate without a key or the reverse",
				     exec->command);
	cicd_document_free(doc);
	if (rc)
		kube__exec_credential_dispose(cred);
	return rc;
}

int kube__exec_run(kube_exec_credential *cred, const kube_exec_config *exec, const struct cicd_kube_config *cfg)
{
	posix_spawn_file_actions_t fa;
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
	cicd_buf info = CICD_BUF_INIT, path = CICD_BUF_INIT, out = CICD_BUF_INIT;
	char **envp = NULL, **argv = NULL;
	size_t n_env = 0, n_args = 0, i, k = 0;
	pid_t pid = -1;
	int rc, status = 0, spawned;

	memset(cred, 0, sizeof *cred);
	if (exec->interactive_always)
		return cicd__error_set(CICD_EAUTH, "exec plugin '%s' needs interactiveMode Always, which a library cannot give",
				       exec->command);
	if ((rc = exec_info(&info, exec, cfg)))
		goto done;
	if (strchr(exec->command, '/') && exec->command[0] != '/')
		rc = cicd__buf_printf(&path, "%s/%s", exec->dir ? exec->dir : ".", exec->command);
	else
		rc = cicd__buf_puts(&path, exec->command);
	if (rc)
		goto done;
	while (environ[n_env])
		n_env++;
	for (i = 0; exec->env && exec->env[i]; i++)
		n_env++;
	envp = cicd__calloc(n_env + 2, sizeof *envp);
	while (exec->args && exec->args[n_args])
		n_args++;
	argv = cicd__calloc(n_args + 2, sizeof *argv);
	if (!envp || !argv) {
		rc = cicd__error_oom();
		goto done;
	}
	/* The kubeconfig's env comes first so it wins over the inherited one of the same name. */
	for (i = 0; exec->env && exec->env[i]; i++)
		envp[k++] = exec->env[i];
	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21))
			envp[k++] = environ[i];
	envp[k++] = info.ptr;
	argv[0] = path.ptr;
	for (i = 0; i < n_args; i++)
		argv[i + 1] = exec->args[i];
	if (pipe(out_pipe) || pipe(err_pipe)) {
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s': cannot create a pipe", exec->command);
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
	posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
	spawned = strchr(path.ptr, '/') ? posix_spawn(&pid, path.ptr, &fa, NULL, argv, envp)
					: posix_spawnp(&pid, path.ptr, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(out_pipe[1]);
	close(err_pipe[1]);
	out_pipe[1] = err_pipe[1] = -1;
	if (spawned) {
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' could not be started: %s", exec->command, strerror(spawned));
		pid = -1;
		goto done;
	}
	rc = drain(out_pipe[0], err_pipe[0], &out);
	if (rc) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		pid = -1;
		rc = rc == CICD_ETIMEOUT ? cicd__error_set(CICD_EAUTH, "exec plugin '%s' did not finish within %d s",
							   exec->command, EXEC_TIMEOUT_MS / 1000)
		     : rc == CICD_ELIMIT ? cicd__error_set(CICD_EAUTH, "exec plugin '%s' printed more than %u bytes",
							   exec->command, EXEC_MAX_OUTPUT)
					 : cicd__error_set(CICD_EAUTH, "exec plugin '%s': reading its output failed", exec->command);
		goto done;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = cicd__error_set(CICD_EAUTH, "exec plugin '%s' failed (%s %d)", exec->command,
				     WIFEXITED(status) ? "exit status" : "signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto done;
	}
	rc = parse_credential(cred, &out, exec);
done:
	if (out_pipe[0] >= 0)
		close(out_pipe[0]);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (out.ptr)
		memset(out.ptr, 0, out.size);
	cicd_buf_dispose(&out);
	cicd_buf_dispose(&info);
	cicd_buf_dispose(&path);
	cicd__free(envp);
	cicd__free(argv);
	return rc;
}
