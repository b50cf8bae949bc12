#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static cicd_log_level g_level = CICD_LOG_NONE;
static cicd_log_cb g_cb = NULL;
static void *g_payload = NULL;

void cicd_log_set(cicd_log_level level, cicd_log_cb cb, void *payload)
{
	g_level = cb ? level : CICD_LOG_NONE;
	g_cb = cb;
	g_payload = payload;
}

int cicd__log_enabled(cicd_log_level level)
{
	return g_cb && level != CICD_LOG_NONE && level <= g_level;
}

static const char MASK[] = "[MASKED]";

/*
 * Replaces text[start, end) with MASK; returns the new length. The text
 * grows when the secret is shorter than the mask and there is room; with
 * no room the mask is cut, which still hides the secret.
 */
static size_t mask_span(char *text, size_t len, size_t cap, size_t start, size_t end)
{
	size_t mlen = sizeof MASK - 1;
	size_t span = end - start;
	if (span < mlen && len + (mlen - span) + 1 > cap) {
		memcpy(text + start, MASK, span);
		return len;
	}
	memmove(text + start + mlen, text + end, len - end);
	memcpy(text + start, MASK, mlen);
	len = len - span + mlen;
	text[len] = '\0';
	return len;
}

static int is_token_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
	       c == '=';
}

static int starts_with_ci(const char *s, size_t avail, const char *prefix)
{
	size_t n = strlen(prefix);
	size_t i;
	if (avail < n)
		return 0;
	for (i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i]))
			return 0;
	return 1;
}

static const char *const k_token_prefixes[] = {
	"glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glimt-", "glagent-", "gloas-", "glcbt-", "glsoat-",
	"glffct-", "GR1348941", NULL,
};

static const char *const k_secret_words[] = {
	"bearer ", "basic ", "token=", "password=", "passwd=", "private_token=", "access_token=",
	"secret=", "client_secret=", "x-amz-signature=", "sig=", NULL,
};

size_t cicd__redact(char *text, size_t len, size_t cap)
{
	size_t i = 0;
	while (i < len) {
		size_t j;
		int matched = 0;
		/* scheme://user:password@host */
		if (i + 3 <= len && text[i] == ':' && text[i + 1] == '/' && text[i + 2] == '/') {
			size_t k = i + 3, colon = 0;
			while (k < len && text[k] != '@' && text[k] != '/' && !isspace((unsigned char)text[k])) {
				if (text[k] == ':' && !colon)
					colon = k;
				k++;
			}
			if (k < len && text[k] == '@' && colon && k > colon + 1) {
				size_t before = len;
				len = mask_span(text, len, cap, colon + 1, k);
				i = k + len - before;
				continue;
			}
		}
		for (j = 0; k_secret_words[j]; j++) {
			size_t n = strlen(k_secret_words[j]);
			if ((i == 0 || !isalnum((unsigned char)text[i - 1])) && starts_with_ci(text + i, len - i, k_secret_words[j])) {
				size_t s = i + n, e = s;
				while (e < len && is_token_char(text[e]) && text[e] != '&')
					e++;
				if (e > s) {
					size_t before = len;
					len = mask_span(text, len, cap, s, e);
					i = e + len - before;
					matched = 1;
				}
				break;
			}
		}
		if (matched)
			continue;
		for (j = 0; k_token_prefixes[j]; j++) {
			size_t n = strlen(k_token_prefixes[j]);
			if (i + n <= len && memcmp(text + i, k_token_prefixes[j], n) == 0) {
				size_t e = i + n;
				while (e < len && is_token_char(text[e]))
					e++;
				if (e > i + n) {
					size_t before = len;
					len = mask_span(text, len, cap, i, e);
					i = e + len - before;
					matched = 1;
				}
				break;
			}
		}
		if (!matched)
			i++;
	}
	return len;
}

void cicd__log(cicd_log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;
	if (!cicd__log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	cicd__redact(line, strlen(line), sizeof line);
	g_cb(level, line, g_payload);
}
