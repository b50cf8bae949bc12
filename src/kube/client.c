/* The kube client: its options, setup of the libcurl handles, and tls-server-name routing. */
#include <stdlib.h>
#include <string.h>

#include "cicd/version.h"
#include "core/alloc.h"
#include "core/error.h"
#include "kube_internal.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_RETRIES 4
#define DEFAULT_PARALLEL 16
#define DEFAULT_MAX_RESPONSE (256u << 20)

int cicd_kube_client_options_init(cicd_kube_client_options *opts, unsigned int version)
{
	static const cicd_kube_client_options init = CICD_KUBE_CLIENT_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_CLIENT_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_client_options version %u", version);
	*opts = init;
	return 0;
}

/*
 * Splits "https://host:port/prefix" so that, with tls-server-name, the URL
 * names the TLS name (curl then sends it as SNI and verifies the certificate
 * against it) while CONNECT_TO sends the bytes to the real host.
 */
static int route(struct cicd_kube_client *c)
{
	const char *server = c->cfg.server, *p, *host, *host_end, *port_s = NULL, *rest;
	cicd_buf b = CICD_BUF_INIT;
	size_t len = strlen(server);
	char port[8];
	while (len && server[len - 1] == '/')
		len--;
	p = strstr(server, "://");
	if (!p || (strncmp(server, "https://", 8) && strncmp(server, "http://", 7)))
		return cicd__error_set(CICD_EINVALID, "server '%s' is not an http or https URL", server);
	host = p + 3;
	if (*host == '[') {
		host_end = strchr(host, ']');
		if (!host_end)
			return cicd__error_set(CICD_EINVALID, "server '%s' has a bad IPv6 address", server);
		host_end++;
	} else {
		host_end = host + strcspn(host, ":/");
	}
	rest = host_end;
	if (*rest == ':') {
		port_s = rest + 1;
		rest = port_s + strcspn(port_s, "/");
	}
	if (port_s && (rest - port_s < 1 || rest - port_s > 5))
		return cicd__error_set(CICD_EINVALID, "server '%s' has a bad port", server);
	if (port_s)
		snprintf(port, sizeof port, "%.*s", (int)(rest - port_s), port_s);
	else
		snprintf(port, sizeof port, "%s", server[4] == 's' ? "443" : "80");
	if (!c->cfg.tls_server_name) {
		c->base_url = cicd__strndup(server, len);
		return c->base_url ? 0 : cicd__error_oom();
	}
	if (cicd__buf_printf(&b, "%.*s%s:%s%.*s", (int)(host - server), server, c->cfg.tls_server_name, port,
			     (int)(server + len > rest ? server + len - rest : 0), rest))
		return CICD_ENOMEM;
	c->base_url = cicd__buf_detach(&b);
	if (cicd__buf_printf(&b, "%s:%s:%.*s:%s", c->cfg.tls_server_name, port, (int)(host_end - host), host, port))
		return CICD_ENOMEM;
	c->connect_to = cicd__buf_detach(&b);
	return c->base_url && c->connect_to ? 0 : cicd__error_oom();
}

int cicd_kube_client_new(cicd_kube_client **out, const cicd_kube_config *cfg, const cicd_kube_client_options *opts)
{
	struct cicd_kube_client *c;
	int rc;
	if (!out || !cfg)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_client_new: out and cfg are required");
	*out = NULL;
	if (opts && opts->version != CICD_KUBE_CLIENT_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_client_options version %u", opts->version);
	if (!cfg->server)
		return cicd__error_set(CICD_EINVALID, "the configuration has no server");
	c = cicd__calloc(1, sizeof *c);
	if (!c)
		return cicd__error_oom();
	if ((rc = kube__config_copy(&c->cfg, cfg))) {
		cicd__free(c);
		return rc;
	}
	c->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->connect_timeout_ms = opts && opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	c->max_retries = !opts || opts->max_retries == 0 ? DEFAULT_RETRIES : opts->max_retries < 0 ? 0 : opts->max_retries;
	c->parallel = opts && opts->parallel ? opts->parallel : DEFAULT_PARALLEL;
	c->max_response_bytes = opts && opts->max_response_bytes ? opts->max_response_bytes : DEFAULT_MAX_RESPONSE;
	c->user_agent = cicd__strdup(opts && opts->user_agent ? opts->user_agent : "libcicd/" CICD_VERSION);
	if (!c->user_agent) {
		cicd_kube_client_free(c);
		return cicd__error_oom();
	}
	if ((rc = route(c))) {
		cicd_kube_client_free(c);
		return rc;
	}
	atomic_init(&c->canceled, 0);
	/* Both made here, not on first use, so that cicd_kube_client_cancel may wake them from another thread. */
	c->multi = curl_multi_init();
	c->stream_multi = curl_multi_init();
	c->share = curl_share_init();
	if (!c->multi || !c->stream_multi || !c->share) {
		cicd_kube_client_free(c);
		return cicd__error_set(CICD_ERROR, "cannot create libcurl handles (was cicd_init() called?)");
	}
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)(c->parallel > 4 ? 4 : c->parallel));
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = c;
	return 0;
}

const char *cicd_kube_client_namespace(const cicd_kube_client *client)
{
	return client && client->cfg.namespace_name ? client->cfg.namespace_name : "default";
}

void cicd_kube_client_cancel(cicd_kube_client *c)
{
	if (!c)
		return;
	atomic_store(&c->canceled, 1);
	/* Break a curl_multi_poll() that may be waiting in the other thread. */
	curl_multi_wakeup(c->multi);
	curl_multi_wakeup(c->stream_multi);
}

void cicd_kube_client_cancel_clear(cicd_kube_client *c)
{
	if (c)
		atomic_store(&c->canceled, 0);
}

int kube__canceled(struct cicd_kube_client *c)
{
	return atomic_load(&c->canceled) != 0;
}

int kube__cancel_error(void)
{
	return cicd__error_set(CICD_ECANCELED, "canceled");
}

void cicd_kube_client_free(cicd_kube_client *c)
{
	if (!c)
		return;
	kube__discovery_reset(c);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	if (c->stream_multi)
		curl_multi_cleanup(c->stream_multi);
	if (c->share)
		curl_share_cleanup(c->share);
	if (c->have_exec_cred)
		kube__exec_credential_dispose(&c->exec_cred);
	kube__config_dispose(&c->cfg);
	cicd__free(c->base_url);
	cicd__free(c->connect_to);
	cicd__free(c->user_agent);
	cicd__free(c);
}
