/* Small helpers of the kube module: config copies, base64, timestamps, node access. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "kube_internal.h"

static void wipe_free(char *s)
{
	if (s) {
		volatile char *p = s;
		while (*p)
			*p++ = 0;
	}
	cicd__free(s);
}

static void blob_dispose(kube_blob *b)
{
	if (b->data) {
		volatile unsigned char *p = b->data;
		size_t i;
		for (i = 0; i < b->len; i++)
			p[i] = 0;
	}
	cicd__free(b->data);
	b->data = NULL;
	b->len = 0;
}

static void list_free(char **list)
{
	size_t i;
	if (!list)
		return;
	for (i = 0; list[i]; i++)
		cicd__free(list[i]);
	cicd__free(list);
}

void kube__config_dispose(struct cicd_kube_config *cfg)
{
	cicd__free(cfg->server);
	cicd__free(cfg->context);
	cicd__free(cfg->namespace_name);
	cicd__free(cfg->ca_file);
	blob_dispose(&cfg->ca_data);
	cicd__free(cfg->cert_file);
	blob_dispose(&cfg->cert_data);
	cicd__free(cfg->key_file);
	blob_dispose(&cfg->key_data);
	wipe_free(cfg->token);
	cicd__free(cfg->token_file);
	cicd__free(cfg->tls_server_name);
	cicd__free(cfg->proxy_url);
	cicd__free(cfg->exec.command);
	list_free(cfg->exec.args);
	list_free(cfg->exec.env);
	cicd__free(cfg->exec.api_version);
	cicd__free(cfg->exec.dir);
	memset(cfg, 0, sizeof *cfg);
}

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = cicd__strdup(src);
	return *dst ? 0 : -1;
}

static int dup_blob(kube_blob *dst, const kube_blob *src)
{
	dst->data = NULL;
	dst->len = 0;
	if (!src->data)
		return 0;
	dst->data = cicd__malloc(src->len + 1);
	if (!dst->data)
		return -1;
	memcpy(dst->data, src->data, src->len);
	dst->data[src->len] = 0;
	dst->len = src->len;
	return 0;
}

static int dup_list(char ***dst, char **src)
{
	size_t i, n = 0;
	*dst = NULL;
	if (!src)
		return 0;
	while (src[n])
		n++;
	*dst = cicd__calloc(n + 1, sizeof **dst);
	if (!*dst)
		return -1;
	for (i = 0; i < n; i++)
		if (dup_str(&(*dst)[i], src[i]))
			return -1;
	return 0;
}

int kube__config_copy(struct cicd_kube_config *dst, const struct cicd_kube_config *src)
{
	int bad = 0;
	memset(dst, 0, sizeof *dst);
	dst->auth_kind = src->auth_kind;
	dst->insecure = src->insecure;
	dst->has_exec = src->has_exec;
	dst->exec.interactive_always = src->exec.interactive_always;
	dst->exec.provide_cluster_info = src->exec.provide_cluster_info;
	bad |= dup_str(&dst->server, src->server);
	bad |= dup_str(&dst->context, src->context);
	bad |= dup_str(&dst->namespace_name, src->namespace_name);
	bad |= dup_str(&dst->ca_file, src->ca_file);
	bad |= dup_blob(&dst->ca_data, &src->ca_data);
	bad |= dup_str(&dst->cert_file, src->cert_file);
	bad |= dup_blob(&dst->cert_data, &src->cert_data);
	bad |= dup_str(&dst->key_file, src->key_file);
	bad |= dup_blob(&dst->key_data, &src->key_data);
	bad |= dup_str(&dst->token, src->token);
	bad |= dup_str(&dst->token_file, src->token_file);
	bad |= dup_str(&dst->tls_server_name, src->tls_server_name);
	bad |= dup_str(&dst->proxy_url, src->proxy_url);
	bad |= dup_str(&dst->exec.command, src->exec.command);
	bad |= dup_list(&dst->exec.args, src->exec.args);
	bad |= dup_list(&dst->exec.env, src->exec.env);
	bad |= dup_str(&dst->exec.api_version, src->exec.api_version);
	bad |= dup_str(&dst->exec.dir, src->exec.dir);
	if (bad) {
		kube__config_dispose(dst);
		return cicd__error_oom();
	}
	return 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int kube__base64_decode(kube_blob *out, const char *text, size_t len)
{
	unsigned char *data = cicd__malloc(len / 4 * 3 + 4);
	unsigned int acc = 0;
	size_t i, n = 0, bits = 0, pad = 0;
	out->data = NULL;
	out->len = 0;
	if (!data)
		return cicd__error_oom();
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		int v;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || pad) {
			cicd__free(data);
			return -1;
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			data[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (bits >= 6 || pad > 2) {
		cicd__free(data);
		return -1;
	}
	data[n] = 0;
	out->data = data;
	out->len = n;
	return 0;
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

time_t kube__parse_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, se, off = 0;
	const char *p;
	if (!s || strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    s[16] != ':')
		return (time_t)-1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return (time_t)-1;
	p = s + 19;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om))
			return (time_t)-1;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return (time_t)-1;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return (time_t)-1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return timegm(&tm) - off;
}

const cicd_node *kube__path(const cicd_node *node, ...)
{
	va_list ap;
	const char *key;
	va_start(ap, node);
	while (node && (key = va_arg(ap, const char *)) != NULL)
		node = cicd__node_get(node, key, strlen(key));
	va_end(ap);
	return node;
}

long long kube__int(const cicd_node *node, long long dflt)
{
	char *end;
	long long v;
	if (!node || node->kind != CICD_NODE_SCALAR || node->value_type != CICD_VALUE_INT)
		return dflt;
	v = strtoll(node->u.scalar.text, &end, 10);
	return *end ? dflt : v;
}

int kube__parse_json(cicd_document **out, const char *text, size_t len, const char *what)
{
	int rc = cicd_document_load_json(out, text ? text : "", len, what, NULL);
	if (rc)
		cicd__error_prefix("reading the reply to %s: ", what);
	return rc;
}
