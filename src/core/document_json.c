/*
 * Loads JSON with yajl into the document tree. yajl's callbacks carry no
 * positions, but during a callback yajl_get_bytes_consumed() is the offset
 * just past the current token, which is enough to recover line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "alloc.h"
#include "document_builder.h"
#include "error.h"

typedef struct {
	cicd_doc_builder b;
	yajl_handle h;
	const char *buf;
	size_t len;
	size_t pos;        /* offset up to which line/col are known */
	unsigned int line; /* line at pos */
	size_t line_start; /* offset where that line starts */
	int rc;            /* first builder error */
} json_ctx;

static void position_at(json_ctx *c, size_t offset, unsigned int *line, unsigned int *col)
{
	size_t i;
	if (offset > c->len)
		offset = c->len;
	if (offset < c->pos) {
		/* Positions only move forward, except when a token started before the last mark. */
		c->pos = 0;
		c->line = 1;
		c->line_start = 0;
	}
	for (i = c->pos; i < offset; i++)
		if (c->buf[i] == '\n') {
			c->line++;
			c->line_start = i + 1;
		}
	c->pos = offset;
	*line = c->line;
	*col = (unsigned int)(offset - c->line_start) + 1;
}

/* Start of the token that ends at yajl's current offset. */
static size_t token_start(json_ctx *c, size_t raw_len, int is_string)
{
	size_t end = yajl_get_bytes_consumed(c->h);
	if (end > c->len)
		end = c->len;
	if (is_string) {
		/* Walk back to the opening quote, skipping escaped quotes. */
		size_t i = end >= 2 ? end - 2 : 0;
		while (i > 0) {
			if (c->buf[i] == '"') {
				size_t bs = 0, k = i;
				while (k > 0 && c->buf[k - 1] == '\\') {
					bs++;
					k--;
				}
				if (bs % 2 == 0)
					return i;
			}
			i--;
		}
		return 0;
	}
	return end >= raw_len ? end - raw_len : 0;
}

static int fail(json_ctx *c, int rc)
{
	c->rc = rc;
	return 0; /* tells yajl to stop */
}

static int scalar(json_ctx *c, const char *text, size_t len, cicd_scalar_style style, size_t start)
{
	unsigned int line, col;
	int rc;
	position_at(c, start, &line, &col);
	rc = cicd__builder_scalar(&c->b, text, len, NULL, style, line, col, NULL);
	return rc ? fail(c, rc) : 1;
}

static int on_null(void *ctx)
{
	json_ctx *c = ctx;
	return scalar(c, "null", 4, CICD_SCALAR_PLAIN, token_start(c, 4, 0));
}

static int on_boolean(void *ctx, int v)
{
	json_ctx *c = ctx;
	return scalar(c, v ? "true" : "false", v ? 4 : 5, CICD_SCALAR_PLAIN, token_start(c, v ? 4 : 5, 0));
}

static int on_number(void *ctx, const char *s, size_t len)
{
	json_ctx *c = ctx;
	return scalar(c, s, len, CICD_SCALAR_PLAIN, token_start(c, len, 0));
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	json_ctx *c = ctx;
	return scalar(c, (const char *)s, len, CICD_SCALAR_DOUBLE_QUOTED, token_start(c, 0, 1));
}

static int begin(json_ctx *c, cicd_node_kind kind)
{
	unsigned int line, col;
	int rc;
	position_at(c, token_start(c, 1, 0), &line, &col);
	rc = cicd__builder_begin(&c->b, kind, NULL, line, col, NULL);
	return rc ? fail(c, rc) : 1;
}

static int on_start_map(void *ctx)
{
	return begin(ctx, CICD_NODE_MAPPING);
}

static int on_start_array(void *ctx)
{
	return begin(ctx, CICD_NODE_SEQUENCE);
}

static int on_end(void *ctx)
{
	json_ctx *c = ctx;
	int rc = cicd__builder_end(&c->b);
	return rc ? fail(c, rc) : 1;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	return on_string(ctx, s, len);
}

static const yajl_callbacks k_callbacks = {
	on_null, on_boolean, NULL, NULL, on_number, on_string, on_start_map, on_map_key, on_end, on_start_array, on_end,
};

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

static int syntax_error(json_ctx *c, const char *name)
{
	unsigned char *msg = yajl_get_error(c->h, 0, (const unsigned char *)c->buf, c->len);
	size_t off = yajl_get_bytes_consumed(c->h);
	unsigned int line, col;
	char text[256];
	size_t i;
	c->pos = 0;
	c->line = 1;
	c->line_start = 0;
	position_at(c, off, &line, &col);
	snprintf(text, sizeof text, "%s", msg ? (const char *)msg : "invalid json");
	/* yajl's message is "lexical error: ..." possibly with a newline; keep the first line, lower case. */
	for (i = 0; text[i]; i++)
		if (text[i] == '\n') {
			text[i] = '\0';
			break;
		}
	if (msg)
		yajl_free_error(c->h, msg);
	return cicd__error_set_at(CICD_EPARSE, name, line, col, "%s", text);
}

int cicd_document_load_json(cicd_document **out, const char *buf, size_t len, const char *name,
			    const cicd_document_options *opts)
{
	yajl_alloc_funcs af = {y_malloc, y_realloc, y_free, NULL};
	cicd_document_options o;
	cicd_document *doc;
	json_ctx c;
	yajl_status st;
	int rc;

	if (!out || (!buf && len))
		return cicd__error_set(CICD_EINVALID, "cicd_document_load_json: out and buf are required");
	*out = NULL;
	if ((rc = cicd__document_options_resolve(&o, opts)))
		return rc;
	if (!name)
		name = "<buffer>";
	if (len > o.max_bytes)
		return cicd__error_set_at(CICD_ELIMIT, name, 0, 0, "input is %zu bytes, over the limit of %zu bytes", len,
					  o.max_bytes);
	if (!(doc = cicd__document_new(name)))
		return CICD_ENOMEM;
	memset(&c, 0, sizeof c);
	c.buf = buf ? buf : "";
	c.len = len;
	c.line = 1;
	cicd__builder_init(&c.b, doc, &o, 0);
	c.h = yajl_alloc(&k_callbacks, &af, &c);
	if (!c.h) {
		cicd__builder_dispose(&c.b);
		cicd_document_free(doc);
		return cicd__error_oom();
	}
	rc = cicd__builder_begin_document(&c.b, 1);
	if (!rc) {
		st = yajl_parse(c.h, (const unsigned char *)c.buf, len);
		if (st == yajl_status_ok)
			st = yajl_complete_parse(c.h);
		if (c.rc)
			rc = c.rc;
		else if (st != yajl_status_ok)
			rc = syntax_error(&c, doc->name);
	}
	if (!rc && !c.b.root && len)
		rc = cicd__error_set_at(CICD_EPARSE, doc->name, 1, 1, "no json value in the input");
	if (!rc)
		rc = cicd__builder_end_document(&c.b);
	yajl_free(c.h);
	cicd__builder_dispose(&c.b);
	if (rc) {
		cicd_document_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}
