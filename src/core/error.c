/*
 * The thread-local last error. Fixed buffers: setting an error never
 * allocates, so out-of-memory can be reported like anything else.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

#define MESSAGE_MAX 1024
#define FILE_MAX 1024

typedef struct {
	cicd_error pub;
	char message[MESSAGE_MAX];
	char file[FILE_MAX];
} error_slot;

static _Thread_local error_slot t_error = {{0, "", "", 0, 0}, "", ""};

static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static int set_v(int code, const char *file, unsigned int line, unsigned int column, const char *fmt, va_list ap)
	CICD__PRINTF(5, 0);

static int set_v(int code, const char *file, unsigned int line, unsigned int column, const char *fmt, va_list ap)
{
	int n = vsnprintf(t_error.message, MESSAGE_MAX, fmt, ap);
	if (n < 0)
		copy_trunc(t_error.message, MESSAGE_MAX, fmt);
	copy_trunc(t_error.file, FILE_MAX, file);
	t_error.pub.code = code;
	t_error.pub.message = t_error.message;
	t_error.pub.file = t_error.file;
	t_error.pub.line = line;
	t_error.pub.column = column;
	return code;
}

int cicd__error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_v(code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int cicd__error_set_at(int code, const char *file, unsigned int line, unsigned int column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_v(code, file, line, column, fmt, ap);
	va_end(ap);
	return code;
}

int cicd__error_oom(void)
{
	copy_trunc(t_error.message, MESSAGE_MAX, "out of memory");
	t_error.file[0] = '\0';
	t_error.pub.code = CICD_ENOMEM;
	t_error.pub.message = t_error.message;
	t_error.pub.file = t_error.file;
	t_error.pub.line = 0;
	t_error.pub.column = 0;
	return CICD_ENOMEM;
}

void cicd__error_prefix(const char *fmt, ...)
{
	char prefix[MESSAGE_MAX];
	char joined[2 * MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	snprintf(joined, sizeof joined, "%s%s", prefix, t_error.message);
	copy_trunc(t_error.message, MESSAGE_MAX, joined);
}

const cicd_error *cicd_error_last(void)
{
	t_error.pub.message = t_error.message;
	t_error.pub.file = t_error.file;
	return &t_error.pub;
}

void cicd_error_clear(void)
{
	t_error.pub.code = CICD_OK;
	t_error.message[0] = '\0';
	t_error.file[0] = '\0';
	t_error.pub.line = 0;
	t_error.pub.column = 0;
}

typedef struct {
	cicd_error pub;
	char strings[];
} owned_error;

int cicd_error_dup(cicd_error **out)
{
	size_t mlen, flen;
	owned_error *copy;
	if (!out)
		return cicd__error_set(CICD_EINVALID, "cicd_error_dup: out is NULL");
	mlen = strlen(t_error.message);
	flen = strlen(t_error.file);
	copy = cicd__malloc(sizeof *copy + mlen + flen + 2);
	if (!copy)
		return cicd__error_oom();
	memcpy(copy->strings, t_error.message, mlen + 1);
	memcpy(copy->strings + mlen + 1, t_error.file, flen + 1);
	copy->pub = t_error.pub;
	copy->pub.message = copy->strings;
	copy->pub.file = copy->strings + mlen + 1;
	*out = &copy->pub;
	return 0;
}

void cicd_error_free(cicd_error *err)
{
	cicd__free(err);
}

typedef struct {
	int code;
	const char *name;
	const char *text;
} code_info;

static const code_info k_codes[] = {
	{CICD_OK, "CICD_OK", "no error"},
	{CICD_ERROR, "CICD_ERROR", "generic error"},
	{CICD_ENOMEM, "CICD_ENOMEM", "out of memory"},
	{CICD_ENOTFOUND, "CICD_ENOTFOUND", "not found"},
	{CICD_EINVALID, "CICD_EINVALID", "invalid argument"},
	{CICD_EPARSE, "CICD_EPARSE", "parse error"},
	{CICD_ELIMIT, "CICD_ELIMIT", "limit exceeded"},
	{CICD_EIO, "CICD_EIO", "input/output error"},
	{CICD_EHTTP, "CICD_EHTTP", "http error"},
	{CICD_ETIMEOUT, "CICD_ETIMEOUT", "timed out"},
	{CICD_EVALIDATE, "CICD_EVALIDATE", "validation failed"},
	{CICD_EEXISTS, "CICD_EEXISTS", "already exists"},
	{CICD_ECONFLICT, "CICD_ECONFLICT", "conflict"},
	{CICD_EAUTH, "CICD_EAUTH", "authentication or authorization failed"},
	{CICD_ETLS, "CICD_ETLS", "tls error"},
	{CICD_EUNSUPPORTED, "CICD_EUNSUPPORTED", "not supported"},
	{CICD_EDENIED, "CICD_EDENIED", "denied by policy"},
	{CICD_ESTORE, "CICD_ESTORE", "store error"},
	{CICD_ECANCELED, "CICD_ECANCELED", "canceled"},
	{CICD_EUSER, "CICD_EUSER", "callback error"},
	{CICD_ITEROVER, "CICD_ITEROVER", "end of iteration"},
};

static const code_info *find_code(int code)
{
	size_t i;
	for (i = 0; i < sizeof k_codes / sizeof k_codes[0]; i++)
		if (k_codes[i].code == code)
			return &k_codes[i];
	return NULL;
}

const char *cicd_strerror(int code)
{
	const code_info *c = find_code(code);
	return c ? c->text : "unknown error code";
}

const char *cicd_error_name(int code)
{
	const code_info *c = find_code(code);
	return c ? c->name : "CICD_UNKNOWN";
}
