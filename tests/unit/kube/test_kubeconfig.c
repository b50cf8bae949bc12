/* Kubeconfig loading and merging as kubectl does it, in-cluster config, exec plugins, routing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cicd/cicd.h"
#include "cicd/kube.h"
#include "kube/kube_internal.h"
#include "test.h"

static char g_list[8192];

static const char *data_list(const char *a, const char *b, const char *c)
{
	char pa[4096];
	snprintf(pa, sizeof pa, "%s", cicd_test_data_path(a));
	snprintf(g_list, sizeof g_list, "%s", pa);
	if (b) {
		strcat(g_list, ":");
		strcat(g_list, cicd_test_data_path(b));
	}
	if (c) {
		strcat(g_list, ":");
		strcat(g_list, cicd_test_data_path(c));
	}
	return g_list;
}

static cicd_kube_config *load(const char *list, const char *context)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	int rc;
	o.kubeconfig = list;
	o.context = context;
	o.flags = CICD_KUBE_CONFIG_NO_IN_CLUSTER;
	rc = cicd_kube_config_load(&cfg, &o);
	if (rc)
		fprintf(stderr, "\nload failed: %s:%u:%u: %s\n", cicd_error_last()->file, cicd_error_last()->line,
			cicd_error_last()->column, cicd_error_last()->message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return cfg;
}

static void test_merge_current_context_comes_from_first_file_that_sets_it(void)
{
	cicd_kube_config *cfg = load(data_list("first.yaml", "second.yaml", NULL), NULL);
	char want[4096];
	CICD_ASSERT_STR(cicd_kube_config_context(cfg), "two");
	CICD_ASSERT_STR(cicd_kube_config_server(cfg), "https://other.example");
	CICD_ASSERT_STR(cicd_kube_config_namespace(cfg), "default");
	CICD_ASSERT_STR(cicd_kube_config_auth_kind(cfg), "token-file");
	/* tokenFile is relative to the file that named it */
	snprintf(want, sizeof want, "%s", cicd_test_data_path("bob.token"));
	CICD_ASSERT_STR(cfg->token_file, want);
	CU_ASSERT_EQUAL(cfg->insecure, 1);
	CICD_ASSERT_STR(cfg->tls_server_name, "api.internal");
	CICD_ASSERT_STR(cfg->proxy_url, "socks5://127.0.0.1:1080");
	cicd_kube_config_free(cfg);
}

static void test_merge_first_file_to_name_an_entry_wins(void)
{
	/* "one" exists in both files; the first file's context, cluster and user win. */
	cicd_kube_config *cfg = load(data_list("first.yaml", "second.yaml", NULL), "one");
	char want[4096];
	CICD_ASSERT_STR(cicd_kube_config_server(cfg), "https://first.example:6443");
	CICD_ASSERT_STR(cicd_kube_config_namespace(cfg), "team-a");
	CICD_ASSERT_STR(cicd_kube_config_auth_kind(cfg), "client-certificate");
	CU_ASSERT_PTR_NULL(cfg->token); /* alice's token in the second file does not merge in */
	snprintf(want, sizeof want, "%s", cicd_test_data_path("sub/ca.crt"));
	CICD_ASSERT_STR(cfg->ca_file, want);
	snprintf(want, sizeof want, "%s", cicd_test_data_path("sub/alice.crt"));
	CICD_ASSERT_STR(cfg->cert_file, want);
	CICD_ASSERT_STR(cfg->key_file, "/abs/alice.key");
	CU_ASSERT_EQUAL(cfg->insecure, 0);
	cicd_kube_config_free(cfg);
}

static void test_merge_order_changes_the_winner(void)
{
	cicd_kube_config *cfg = load(data_list("second.yaml", "first.yaml", NULL), "one");
	CICD_ASSERT_STR(cicd_kube_config_server(cfg), "https://other.example");
	CICD_ASSERT_STR(cicd_kube_config_auth_kind(cfg), "token-file");
	cicd_kube_config_free(cfg);
}

static void test_merge_skips_missing_files_and_resolves_across_files(void)
{
	char list[8192];
	cicd_kube_config *cfg;
	snprintf(list, sizeof list, "/nonexistent/kubeconfig:%s", data_list("third.yaml", "first.yaml", "second.yaml"));
	cfg = load(list, NULL);
	/* third.yaml's context uses the cluster of first.yaml and its own exec user */
	CICD_ASSERT_STR(cicd_kube_config_context(cfg), "three");
	CICD_ASSERT_STR(cicd_kube_config_server(cfg), "https://first.example:6443");
	CICD_ASSERT_STR(cicd_kube_config_auth_kind(cfg), "exec");
	CICD_ASSERT_STR(cfg->exec.command, "./plugin.sh");
	CICD_ASSERT_STR(cfg->exec.args[0], "--cluster");
	CICD_ASSERT_STR(cfg->exec.args[1], "x");
	CU_ASSERT_PTR_NULL(cfg->exec.args[2]);
	CICD_ASSERT_STR(cfg->exec.env[0], "PLUGIN_MODE=ok");
	CU_ASSERT_EQUAL(cfg->exec.provide_cluster_info, 1);
	CU_ASSERT_EQUAL(cfg->exec.interactive_always, 0);
	cicd_kube_config_free(cfg);
}

static void test_namespace_option_overrides_the_context(void)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	o.kubeconfig = data_list("first.yaml", NULL, NULL);
	o.context = "one";
	o.namespace_name = "override";
	CU_ASSERT_EQUAL_FATAL(cicd_kube_config_load(&cfg, &o), 0);
	CICD_ASSERT_STR(cicd_kube_config_namespace(cfg), "override");
	cicd_kube_config_free(cfg);
}

static void test_unknown_context_is_not_found(void)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	o.kubeconfig = data_list("first.yaml", NULL, NULL);
	o.context = "nope";
	CU_ASSERT_EQUAL(cicd_kube_config_load(&cfg, &o), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "context 'nope' not found");
	CU_ASSERT_PTR_NULL(cfg);
	/* first.yaml alone sets no current-context */
	o.context = NULL;
	o.flags = CICD_KUBE_CONFIG_NO_IN_CLUSTER;
	CU_ASSERT_EQUAL(cicd_kube_config_load(&cfg, &o), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "no current-context is set and no context was chosen");
}

static void test_bad_base64_is_reported_at_its_position(void)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	o.kubeconfig = data_list("bad-base64.yaml", NULL, NULL);
	CU_ASSERT_EQUAL(cicd_kube_config_load(&cfg, &o), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "'certificate-authority-data' is not valid base64");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 5);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 33);
}

static cicd_kube_config *parse(const char *text, int expect)
{
	cicd_kube_config *cfg = NULL;
	int rc = cicd_kube_config_parse(&cfg, text, strlen(text), "inline.yaml", NULL);
	CU_ASSERT_EQUAL(rc, expect);
	if (rc != expect)
		fprintf(stderr, "\nparse: %d %s\n", rc, cicd_error_last()->message);
	return cfg;
}

static void test_inline_data_is_decoded(void)
{
	/* "-----BEGIN X-----\n" in base64, split over lines as some tools write it */
	cicd_kube_config *cfg = parse("clusters:\n- name: c\n  cluster:\n    server: https://c:1/\n"
				      "    certificate-authority-data: LS0tLS1CRUdJTiBYLS0t\n      LS0K\n"
				      "users:\n- name: u\n  user:\n    client-certificate-data: Y2VydA==\n"
				      "    client-key-data: a2V5\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n"
				      "current-context: c\n",
				      0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ca_data.len, 18);
	CU_ASSERT_EQUAL(memcmp(cfg->ca_data.data, "-----BEGIN X-----\n", 18), 0);
	CU_ASSERT_EQUAL(cfg->cert_data.len, 4);
	CU_ASSERT_EQUAL(memcmp(cfg->cert_data.data, "cert", 4), 0);
	CU_ASSERT_EQUAL(memcmp(cfg->key_data.data, "key", 3), 0);
	CICD_ASSERT_STR(cicd_kube_config_auth_kind(cfg), "client-certificate");
	cicd_kube_config_free(cfg);
}

static void test_hostile_configs_fail_with_positions(void)
{
	parse("clusters: 5\n", CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "'clusters' must be a list");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 1);
	CU_ASSERT_EQUAL(cicd_error_last()->column, 11);
	parse("clusters:\n- cluster: {server: x}\n", CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "an entry of 'clusters' has no name");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 2);
	parse("clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n",
	      CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "cluster 'c' has no server");
	parse("clusters:\n- name: c\n  cluster: {server: 'https://h'}\ncontexts:\n- name: x\n  context: {cluster: c, user: "
	      "u}\ncurrent-context: x\n",
	      CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message, "user 'u' of context 'x' not found");
	parse("users:\n- name: u\n  user:\n    exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}\n"
	      "clusters:\n- name: c\n  cluster: {server: 'https://h'}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
	      "current-context: x\n",
	      CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "exec apiVersion 'client.authentication.k8s.io/v1alpha1' is not supported "
						   "(client.authentication.k8s.io/v1 or v1beta1)");
	parse("users:\n- name: u\n  user: {client-certificate-data: Y2VydA==}\nclusters:\n- name: c\n  cluster: {server: 'h'}\n"
	      "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
	      CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"user 'u' has a client certificate without a key, or a key without a certificate");
	parse("- a\n- b\n", CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "a kubeconfig must be a mapping");
}

static void test_in_cluster_reads_the_service_account(void)
{
	char dir[] = "/tmp/cicd-sa-XXXXXX";
	char path[4200];
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	FILE *f;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/token", dir);
	f = fopen(path, "w");
	fputs("tok-1\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/namespace", dir);
	f = fopen(path, "w");
	fputs("ci-jobs\n", f);
	fclose(f);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
	o.flags = CICD_KUBE_CONFIG_IN_CLUSTER_ONLY;
	o.service_account_dir = dir;
	CU_ASSERT_EQUAL_FATAL(cicd_kube_config_load(&cfg, &o), 0);
	CICD_ASSERT_STR(cicd_kube_config_server(cfg), "https://[fd00::1]:6443");
	CICD_ASSERT_STR(cicd_kube_config_namespace(cfg), "ci-jobs");
	CICD_ASSERT_STR(cicd_kube_config_auth_kind(cfg), "in-cluster");
	snprintf(path, sizeof path, "%s/ca.crt", dir);
	CICD_ASSERT_STR(cfg->ca_file, path);
	cicd_kube_config_free(cfg);
	unsetenv("KUBERNETES_SERVICE_HOST");
	CU_ASSERT_EQUAL(cicd_kube_config_load(&cfg, &o), CICD_ENOTFOUND);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"no kubeconfig found and not in a cluster (KUBERNETES_SERVICE_HOST and _PORT unset)");
	snprintf(path, sizeof path, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(path), 0);
}

static void test_tls_server_name_routes_through_connect_to(void)
{
	cicd_kube_config *cfg = parse("clusters:\n- name: c\n  cluster:\n    server: https://10.1.2.3:6443/prefix/\n"
				      "    tls-server-name: kubernetes.default\ncontexts:\n- name: c\n  context: {cluster: c}\n"
				      "current-context: c\n",
				      0);
	cicd_kube_client *client = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_init(), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_kube_client_new(&client, cfg, NULL), 0);
	CICD_ASSERT_STR(client->base_url, "https://kubernetes.default:6443/prefix");
	CICD_ASSERT_STR(client->connect_to, "kubernetes.default:6443:10.1.2.3:6443");
	cicd_kube_client_free(client);
	cicd_kube_config_free(cfg);
	cicd_shutdown();
}

static void write_plugin(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

static void test_exec_plugin_gives_token_and_expiry(void)
{
	char dir[] = "/tmp/cicd-exec-XXXXXX", path[4200];
	struct cicd_kube_config cfg;
	kube_exec_credential cred;
	char *args[] = {"--flag", NULL};
	char *env[] = {"PLUGIN_TOKEN=abc123", NULL};
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/plugin.sh", dir);
	/* The plugin sees its args, its env and KUBERNETES_EXEC_INFO; it writes junk to stderr. */
	write_plugin(path, "echo 'secret noise' >&2\n"
			   "case \"$KUBERNETES_EXEC_INFO\" in *'\"interactive\":false'*) ;; *) exit 3;; esac\n"
			   "[ \"$1\" = --flag ] || exit 4\n"
			   "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",'\n"
			   "printf '\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"2030-01-02T03:04:05Z\"}}' "
			   "\"$PLUGIN_TOKEN\"");
	memset(&cfg, 0, sizeof cfg);
	cfg.exec.command = "./plugin.sh";
	cfg.exec.dir = dir;
	cfg.exec.args = args;
	cfg.exec.env = env;
	cfg.exec.api_version = "client.authentication.k8s.io/v1";
	CU_ASSERT_EQUAL_FATAL(kube__exec_run(&cred, &cfg.exec, &cfg), 0);
	CICD_ASSERT_STR(cred.token, "abc123");
	CU_ASSERT_EQUAL(cred.expires, kube__parse_time("2030-01-02T03:04:05Z"));
	CU_ASSERT_EQUAL(cred.expires, (time_t)1893553445);
	kube__exec_credential_dispose(&cred);

	write_plugin(path, "echo 'token=hunter2' >&2; exit 7");
	CU_ASSERT_EQUAL(kube__exec_run(&cred, &cfg.exec, &cfg), CICD_EAUTH);
	CICD_ASSERT_STR(cicd_error_last()->message, "exec plugin './plugin.sh' failed (exit status 7)");

	write_plugin(path, "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\"}'");
	CU_ASSERT_EQUAL(kube__exec_run(&cred, &cfg.exec, &cfg), CICD_EAUTH);
	CICD_ASSERT_STR(cicd_error_last()->message, "exec plugin './plugin.sh' answered with apiVersion "
						   "'client.authentication.k8s.io/v1beta1', expected 'client.authentication.k8s.io/v1'");

	cfg.exec.interactive_always = 1;
	CU_ASSERT_EQUAL(kube__exec_run(&cred, &cfg.exec, &cfg), CICD_EAUTH);
	CICD_ASSERT_STR(cicd_error_last()->message,
			"exec plugin './plugin.sh' needs interactiveMode Always, which a library cannot give");
	snprintf(path, sizeof path, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(path), 0);
}

static void test_base64_and_timestamps(void)
{
	kube_blob b;
	CU_ASSERT_EQUAL(kube__base64_decode(&b, "aGVsbG8=", 8), 0);
	CU_ASSERT_EQUAL(b.len, 5);
	CU_ASSERT_EQUAL(memcmp(b.data, "hello", 5), 0);
	free(b.data);
	CU_ASSERT_EQUAL(kube__base64_decode(&b, "aGVsbG8", 7), 0); /* padding is optional */
	CU_ASSERT_EQUAL(b.len, 5);
	free(b.data);
	CU_ASSERT_EQUAL(kube__base64_decode(&b, "a", 1), -1);
	CU_ASSERT_EQUAL(kube__base64_decode(&b, "aGVs=bG8", 8), -1);
	CU_ASSERT_EQUAL(kube__parse_time("1970-01-01T00:01:00Z"), 60);
	CU_ASSERT_EQUAL(kube__parse_time("1970-01-01T01:00:00.123+01:00"), 0);
	CU_ASSERT_EQUAL(kube__parse_time("1970-01-01 00:00:00Z"), (time_t)-1);
	CU_ASSERT_EQUAL(kube__parse_time("1970-13-01T00:00:00Z"), (time_t)-1);
}

CICD_SUITE(kubeconfig, CICD_TEST(test_merge_current_context_comes_from_first_file_that_sets_it),
	   CICD_TEST(test_merge_first_file_to_name_an_entry_wins), CICD_TEST(test_merge_order_changes_the_winner),
	   CICD_TEST(test_merge_skips_missing_files_and_resolves_across_files),
	   CICD_TEST(test_namespace_option_overrides_the_context), CICD_TEST(test_unknown_context_is_not_found),
	   CICD_TEST(test_bad_base64_is_reported_at_its_position), CICD_TEST(test_inline_data_is_decoded),
	   CICD_TEST(test_hostile_configs_fail_with_positions), CICD_TEST(test_in_cluster_reads_the_service_account),
	   CICD_TEST(test_tls_server_name_routes_through_connect_to), CICD_TEST(test_exec_plugin_gives_token_and_expiry),
	   CICD_TEST(test_base64_and_timestamps))
