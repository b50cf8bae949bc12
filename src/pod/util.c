/* Small helpers of the pod module: quantities, globs, names, camelCase output, base64, output formats. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/node_emit.h"
#include "pod_internal.h"

int cicd__quantity_parse(const char *s, double *out)
{
	static const struct {
		const char *suffix;
		double factor;
	} SUFFIXES[] = {{"Ki", 1024.0},
	                {"Mi", 1048576.0},
	                {"Gi", 1073741824.0},
	                {"Ti", 1099511627776.0},
	                {"Pi", 1125899906842624.0},
	                {"Ei", 1152921504606846976.0},
	                {"n", 1e-9},
	                {"u", 1e-6},
	                {"m", 1e-3},
	                {"k", 1e3},
	                {"M", 1e6},
	                {"G", 1e9},
	                {"T", 1e12},
	                {"P", 1e15},
	                {"E", 1e18},
	                {"", 1.0}};
	const char *p = s;
	double mant = 0, frac = 0.1, sign = 1;
	int digits = 0;
	size_t i;
	if (!s || !*s || strlen(s) > 64)
		return -1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	while (isdigit((unsigned char)*p)) {
		mant = mant * 10 + (*p++ - '0');
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			mant += (*p++ - '0') * frac;
			frac /= 10;
			digits++;
		}
	}
	if (!digits)
		return -1;
	if ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) || ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
		char *end;
		long e = strtol(p + 1, &end, 10);
		if (*end || e > 18 || e < -18)
			return -1;
		*out = sign * mant * pow(10, (double)e);
		return sign < 0 ? -1 : 0;
	}
	for (i = 0; i < sizeof SUFFIXES / sizeof SUFFIXES[0]; i++)
		if (!strcmp(p, SUFFIXES[i].suffix)) {
			*out = sign * mant * SUFFIXES[i].factor;
			return sign < 0 ? -1 : 0;
		}
	return -1;
}

int cicd__glob_match(const char *pat, const char *text)
{
	while (*pat) {
		if (pat[0] == '*' && pat[1] == '*') {
			pat += 2;
			if (!*pat)
				return 1;
			for (; *text; text++)
				if (cicd__glob_match(pat, text))
					return 1;
			return cicd__glob_match(pat, text);
		}
		if (*pat == '*') {
			pat++;
			for (;; text++) {
				if (cicd__glob_match(pat, text))
					return 1;
				if (!*text || *text == '/')
					return 0;
			}
		}
		if (!*text)
			return 0;
		if (*pat == '?') {
			if (*text == '/')
				return 0;
		} else if (*pat != *text) {
			return 0;
		}
		pat++;
		text++;
	}
	return !*text;
}

void cicd__label_value(char *out, size_t cap, const char *in)
{
	size_t n = 0, i;
	for (i = 0; in && in[i] && n + 1 < cap && n < 63; i++) {
		unsigned char c = (unsigned char)in[i];
		out[n++] = (isalnum(c) || c == '-' || c == '_' || c == '.') ? (char)c : '_';
	}
	/* a label value must start and end with an alphanumeric character */
	while (n && !isalnum((unsigned char)out[n - 1]))
		n--;
	out[n] = '\0';
	for (i = 0; i < n && !isalnum((unsigned char)out[i]); i++)
		;
	if (i)
		memmove(out, out + i, n - i + 1);
}

int cicd__dns_label(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;
	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int cicd__json_camel_key(cicd_json_writer *w, const char *key)
{
	char buf[256];
	size_t n = 0, i;
	int up = 0;
	if (!strchr(key, '_') || strlen(key) >= sizeof buf)
		return cicd__json_key(w, key);
	for (i = 0; key[i]; i++) {
		if (key[i] == '_' && n) {
			up = 1;
			continue;
		}
		buf[n++] = up ? (char)toupper((unsigned char)key[i]) : key[i];
		up = 0;
	}
	buf[n] = '\0';
	return cicd__json_key(w, buf);
}

/* Label maps keep their keys as written. */
static int keeps_keys(const char *key)
{
	return !strcmp(key, "match_labels") || !strcmp(key, "matchLabels") || !strcmp(key, "node_selector") ||
	       !strcmp(key, "nodeSelector");
}

static int write_camel_node(cicd_json_writer *w, const cicd_node *n, int keep)
{
	size_t i;
	int rc = 0;
	switch (n->kind) {
	case CICD_NODE_SEQUENCE:
		rc = cicd__json_begin_array(w);
		for (i = 0; !rc && i < n->count; i++)
			rc = write_camel_node(w, n->u.seq.items[i], 0);
		return rc ? rc : cicd__json_end_array(w);
	case CICD_NODE_MAPPING:
		rc = cicd__json_begin_object(w);
		for (i = 0; !rc && i < n->count; i++) {
			const char *key = cicd__key_text(n->u.map.pairs[i].key);
			rc = keep ? cicd__json_key(w, key) : cicd__json_camel_key(w, key);
			if (!rc)
				rc = write_camel_node(w, n->u.map.pairs[i].value, keeps_keys(key));
		}
		return rc ? rc : cicd__json_end_object(w);
	default:
		return cicd__write_scalar_json(w, n);
	}
}

int cicd__write_camel(cicd_json_writer *w, const cicd_node *node)
{
	return write_camel_node(w, node, 0);
}

int cicd__json_bytes(cicd_json_writer *w, const char *s, size_t n)
{
	return cicd__json_string_n(w, s, n);
}

int cicd__base64(cicd_buf *out, const void *data, size_t len)
{
	size_t need = 4 * ((len + 2) / 3) + 1;
	int rc, n;
	if (len > (size_t)0x3fffffff)
		return cicd__error_set(CICD_ELIMIT, "value too large to encode");
	if ((rc = cicd__buf_grow(out, need)))
		return rc;
	n = EVP_EncodeBlock((unsigned char *)out->ptr + out->size, data, (int)len);
	out->size += (size_t)n;
	out->ptr[out->size] = '\0';
	return 0;
}

int cicd__pod_output(cicd_buf *out, cicd_buf *json, unsigned int format)
{
	cicd_document *doc = NULL;
	const cicd_node *root, *items;
	size_t i;
	int rc;
	if (format == CICD_POD_FORMAT_JSON)
		return cicd__buf_put(out, json->ptr, json->size);
	if ((rc = cicd_document_load_json(&doc, json->ptr, json->size, "<rendered>", NULL)))
		return rc;
	root = cicd_document_root(doc, 0);
	items = cicd__node_get(root, "items", 5);
	for (i = 0; !rc && items && i < items->count; i++) {
		if (!(rc = cicd__buf_puts(out, "---\n")))
			rc = cicd_node_to_yaml(out, items->u.seq.items[i], 0);
	}
	cicd_document_free(doc);
	return rc;
}

static void base_dir(char *out, size_t cap, const char *configured, const char *dflt, const cicd_job_payload *job)
{
	size_t n;
	char base[512];
	if (configured && *configured) {
		snprintf(base, sizeof base, "%s", configured);
		n = strlen(base);
		while (n && (base[n - 1] == '/' || base[n - 1] == '\\'))
			base[--n] = '\0';
		snprintf(out, cap, "%s%s-%lld-%lld", base, dflt, job->project_id, job->id);
	} else {
		snprintf(out, cap, "%s-%lld-%lld", dflt, job->project_id, job->id);
	}
}

void cicd__pod_paths(const cicd_job_payload *job, const cicd_runner_config *cfg, char *scripts, char *logs,
                     char *secrets, size_t cap)
{
	if (scripts)
		base_dir(scripts, cap, cfg->scripts_base_dir, "/scripts", job);
	if (logs)
		base_dir(logs, cap, cfg->logs_base_dir, "/logs", job);
	if (secrets)
		base_dir(secrets, cap, cfg->scripts_base_dir, "/secrets", job);
}

/* A project path is used in a directory name only when it cannot escape builds_dir. */
static int safe_path(const char *p)
{
	size_t i;
	if (!p || !*p || p[0] == '/' || strstr(p, "..") || strlen(p) > 255)
		return 0;
	for (i = 0; p[i]; i++)
		if (!(isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '_' || p[i] == '.' || p[i] == '/'))
			return 0;
	return 1;
}

void cicd__pod_project_dir(const cicd_job_payload *job, const cicd_runner_config *cfg, char *out, size_t cap)
{
	if (safe_path(job->project_full_path))
		snprintf(out, cap, "%s/%s", cfg->builds_dir, job->project_full_path);
	else
		snprintf(out, cap, "%s/project-%lld", cfg->builds_dir, job->project_id);
}
