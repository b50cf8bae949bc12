/*
 * Writes a node as YAML with libyaml's emitter. Scalars keep their meaning:
 * a string that would read back as another type (true, 1.0, null, ...) is
 * quoted, multi-line strings become literal blocks.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "alloc.h"
#include "buf.h"
#include "document.h"
#include "error.h"

typedef struct {
	cicd_buf *out;
	int rc;
} emit_ctx;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	emit_ctx *c = data;
	if (cicd__buf_put(c->out, (const char *)buffer, size)) {
		c->rc = CICD_ENOMEM;
		return 0;
	}
	return 1;
}

/* libyaml takes non-const pointers but copies what it is given. */
static yaml_char_t *unconst(const void *p)
{
	union {
		const void *c;
		yaml_char_t *m;
	} u;
	u.c = p;
	return u.m;
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	if (!yaml_emitter_emit(e, ev))
		return cicd__error_set(CICD_ERROR, "yaml emitter: %s", e->problem ? e->problem : "failed");
	return 0;
}

static yaml_scalar_style_t scalar_style(const cicd_node *n)
{
	const char *t = n->u.scalar.text;
	size_t len = n->len;
	if (n->value_type != CICD_VALUE_STRING)
		return YAML_PLAIN_SCALAR_STYLE;
	if (memchr(t, '\n', len)) {
		/* Literal blocks cannot carry trailing spaces on lines or leading/trailing blank-only edge cases reliably. */
		size_t i;
		for (i = 0; i < len; i++)
			if ((t[i] == ' ' || t[i] == '\t') && (i + 1 == len || t[i + 1] == '\n'))
				return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		return YAML_LITERAL_SCALAR_STYLE;
	}
	if (cicd__scalar_resolve(t, len) != CICD_VALUE_STRING)
		return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return YAML_ANY_SCALAR_STYLE;
}

static int cmp_pairs(const void *a, const void *b)
{
	const cicd_node_pair *x = *(const cicd_node_pair *const *)a, *y = *(const cicd_node_pair *const *)b;
	size_t lx = x->key->kind == CICD_NODE_SCALAR ? x->key->len : 0;
	size_t ly = y->key->kind == CICD_NODE_SCALAR ? y->key->len : 0;
	int c = memcmp(lx ? x->key->u.scalar.text : "", ly ? y->key->u.scalar.text : "", lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

static int emit_node(yaml_emitter_t *e, const cicd_node *n, unsigned int flags)
{
	yaml_event_t ev;
	size_t i;
	int rc = 0;
	yaml_char_t *tag = unconst(n->meta->tag);
	int implicit = tag == NULL;
	switch (n->kind) {
	case CICD_NODE_SCALAR: {
		yaml_scalar_style_t style = scalar_style(n);
		if (!yaml_scalar_event_initialize(&ev, NULL, tag, unconst(n->u.scalar.text),
						  (int)n->len, implicit, implicit, style))
			return cicd__error_oom();
		return emit(e, &ev);
	}
	case CICD_NODE_SEQUENCE:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, tag, implicit,
							  YAML_ANY_SEQUENCE_STYLE))
			return cicd__error_oom();
		if ((rc = emit(e, &ev)))
			return rc;
		for (i = 0; i < n->count && !rc; i++)
			rc = emit_node(e, n->u.seq.items[i], flags);
		if (rc)
			return rc;
		yaml_sequence_end_event_initialize(&ev);
		return emit(e, &ev);
	default:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, tag, implicit, YAML_ANY_MAPPING_STYLE))
			return cicd__error_oom();
		if ((rc = emit(e, &ev)))
			return rc;
		if ((flags & CICD_FORMAT_SORT_KEYS) && n->count > 1) {
			const cicd_node_pair **sorted = cicd__malloc(n->count * sizeof *sorted);
			if (!sorted)
				return cicd__error_oom();
			for (i = 0; i < n->count; i++)
				sorted[i] = &n->u.map.pairs[i];
			qsort(sorted, n->count, sizeof *sorted, cmp_pairs);
			for (i = 0; i < n->count && !rc; i++) {
				rc = emit_node(e, sorted[i]->key, flags);
				if (!rc)
					rc = emit_node(e, sorted[i]->value, flags);
			}
			cicd__free(sorted);
		} else {
			for (i = 0; i < n->count && !rc; i++) {
				rc = emit_node(e, n->u.map.pairs[i].key, flags);
				if (!rc)
					rc = emit_node(e, n->u.map.pairs[i].value, flags);
			}
		}
		if (rc)
			return rc;
		yaml_mapping_end_event_initialize(&ev);
		return emit(e, &ev);
	}
}

int cicd_node_to_yaml(cicd_buf *out, const cicd_node *node, unsigned int flags)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	emit_ctx ctx = {out, 0};
	int rc = 0;
	if (!out || !node)
		return cicd__error_set(CICD_EINVALID, "cicd_node_to_yaml: out and node are required");
	if (!yaml_emitter_initialize(&e))
		return cicd__error_oom();
	yaml_emitter_set_output(&e, write_handler, &ctx);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	rc = emit(&e, &ev);
	if (!rc) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		rc = emit(&e, &ev);
	}
	if (!rc)
		rc = emit_node(&e, node, flags);
	if (!rc) {
		yaml_document_end_event_initialize(&ev, 1);
		rc = emit(&e, &ev);
	}
	if (!rc) {
		yaml_stream_end_event_initialize(&ev);
		rc = emit(&e, &ev);
	}
	yaml_emitter_delete(&e);
	if (ctx.rc)
		return cicd__error_oom();
	return rc;
}
