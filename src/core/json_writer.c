#include "json_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "alloc.h"
#include "buf.h"
#include "error.h"

struct cicd_json_writer {
	yajl_gen g;
	cicd_buf *out;
	int pretty;
	int rc;
};

static void print_cb(void *ctx, const char *s, size_t len)
{
	cicd_json_writer *w = ctx;
	if (!w->rc && cicd__buf_put(w->out, s, len))
		w->rc = CICD_ENOMEM;
}

/*
 * yajl 2.1 does not check its own allocations (yajl_alloc dereferences a
 * failed malloc), so it gets the C library's allocator, as libyaml does,
 * instead of the replaceable one whose failures tests inject.
 */
static void *y_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void *y_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return realloc(p, n);
}

static void y_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

cicd_json_writer *cicd__json_new(cicd_buf *out, int pretty)
{
	yajl_alloc_funcs af = {y_malloc, y_realloc, y_free, NULL};
	cicd_json_writer *w = cicd__calloc(1, sizeof *w);
	if (!w) {
		cicd__error_oom();
		return NULL;
	}
	w->out = out;
	w->pretty = pretty;
	w->g = yajl_gen_alloc(&af);
	if (!w->g) {
		cicd__free(w);
		cicd__error_oom();
		return NULL;
	}
	yajl_gen_config(w->g, yajl_gen_print_callback, print_cb, w);
	yajl_gen_config(w->g, yajl_gen_validate_utf8, 1);
	if (pretty) {
		yajl_gen_config(w->g, yajl_gen_beautify, 1);
		yajl_gen_config(w->g, yajl_gen_indent_string, "  ");
	}
	return w;
}

void cicd__json_abandon(cicd_json_writer *w)
{
	if (!w)
		return;
	yajl_gen_free(w->g);
	cicd__free(w);
}

int cicd__json_finish(cicd_json_writer *w)
{
	int rc;
	if (!w)
		return CICD_ENOMEM;
	rc = w->rc;
	if (!rc && w->pretty && w->out->size && w->out->ptr[w->out->size - 1] != '\n' && cicd__buf_putc(w->out, '\n'))
		rc = CICD_ENOMEM;
	cicd__json_abandon(w);
	return rc;
}

static int check(cicd_json_writer *w, yajl_gen_status st)
{
	if (w->rc)
		return w->rc;
	switch (st) {
	case yajl_gen_status_ok:
		return 0;
	case yajl_gen_invalid_string:
		w->rc = cicd__error_set(CICD_EINVALID, "string is not valid utf-8 and cannot be written as json");
		break;
	default:
		w->rc = cicd__error_set(CICD_ERROR, "json generator misuse (status %d)", (int)st);
		break;
	}
	return w->rc;
}

int cicd__json_begin_object(cicd_json_writer *w)
{
	return w->rc ? w->rc : check(w, yajl_gen_map_open(w->g));
}

int cicd__json_end_object(cicd_json_writer *w)
{
	return w->rc ? w->rc : check(w, yajl_gen_map_close(w->g));
}

int cicd__json_begin_array(cicd_json_writer *w)
{
	return w->rc ? w->rc : check(w, yajl_gen_array_open(w->g));
}

int cicd__json_end_array(cicd_json_writer *w)
{
	return w->rc ? w->rc : check(w, yajl_gen_array_close(w->g));
}

int cicd__json_string_n(cicd_json_writer *w, const char *s, size_t len)
{
	return w->rc ? w->rc : check(w, yajl_gen_string(w->g, (const unsigned char *)s, len));
}

int cicd__json_string(cicd_json_writer *w, const char *s)
{
	return cicd__json_string_n(w, s, strlen(s));
}

int cicd__json_key(cicd_json_writer *w, const char *key)
{
	return cicd__json_string(w, key);
}

int cicd__json_string_or_null(cicd_json_writer *w, const char *s)
{
	return s ? cicd__json_string(w, s) : cicd__json_null(w);
}

int cicd__json_int(cicd_json_writer *w, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%lld", v);
	return cicd__json_number_text(w, tmp, (size_t)n);
}

int cicd__json_uint(cicd_json_writer *w, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%llu", v);
	return cicd__json_number_text(w, tmp, (size_t)n);
}

int cicd__json_double(cicd_json_writer *w, double v)
{
	char tmp[40];
	int n;
	if (!isfinite(v))
		return cicd__json_null(w);
	n = snprintf(tmp, sizeof tmp, "%.17g", v);
	return cicd__json_number_text(w, tmp, (size_t)n);
}

int cicd__json_number_text(cicd_json_writer *w, const char *text, size_t len)
{
	return w->rc ? w->rc : check(w, yajl_gen_number(w->g, text, len));
}

int cicd__json_bool(cicd_json_writer *w, int v)
{
	return w->rc ? w->rc : check(w, yajl_gen_bool(w->g, v));
}

int cicd__json_null(cicd_json_writer *w)
{
	return w->rc ? w->rc : check(w, yajl_gen_null(w->g));
}

int cicd__json_kv_string(cicd_json_writer *w, const char *key, const char *value)
{
	cicd__json_key(w, key);
	return cicd__json_string_or_null(w, value);
}

int cicd__json_kv_int(cicd_json_writer *w, const char *key, long long value)
{
	cicd__json_key(w, key);
	return cicd__json_int(w, value);
}

int cicd__json_kv_bool(cicd_json_writer *w, const char *key, int value)
{
	cicd__json_key(w, key);
	return cicd__json_bool(w, value);
}
