/* Loads YAML streams with libyaml into the document tree. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "alloc.h"
#include "document_builder.h"
#include "error.h"

static unsigned int line_of(const yaml_mark_t *m)
{
	return (unsigned int)m->line + 1;
}

static unsigned int col_of(const yaml_mark_t *m)
{
	return (unsigned int)m->column + 1;
}

/* libyaml's reader reports a byte offset only; turn it into line and column. */
static void offset_position(const char *buf, size_t len, size_t offset, unsigned int *line, unsigned int *col)
{
	size_t i;
	*line = 1;
	*col = 1;
	if (offset > len)
		offset = len;
	for (i = 0; i < offset; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static int parser_error(const yaml_parser_t *p, const char *name, const char *buf, size_t len)
{
	unsigned int line, col;
	const char *problem = p->problem ? p->problem : "invalid yaml";
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return cicd__error_oom();
	case YAML_READER_ERROR: {
		char lower[128];
		size_t i;
		/* libyaml says "UTF-8"; our messages are lower case. */
		snprintf(lower, sizeof lower, "%s", problem);
		for (i = 0; lower[i]; i++)
			lower[i] = (char)tolower((unsigned char)lower[i]);
		problem = lower;
		offset_position(buf, len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			return cicd__error_set_at(CICD_EPARSE, name, line, col, "%s (byte 0x%02x)", problem,
						  (unsigned)p->problem_value & 0xFFu);
		return cicd__error_set_at(CICD_EPARSE, name, line, col, "%s", problem);
	}
	default:
		if (p->context)
			return cicd__error_set_at(CICD_EPARSE, name, line_of(&p->problem_mark), col_of(&p->problem_mark),
						  "%s %s at line %u column %u", problem, p->context,
						  line_of(&p->context_mark), col_of(&p->context_mark));
		return cicd__error_set_at(CICD_EPARSE, name, line_of(&p->problem_mark), col_of(&p->problem_mark), "%s",
					  problem);
	}
}

static cicd_scalar_style style_of(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return CICD_SCALAR_SINGLE_QUOTED;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return CICD_SCALAR_DOUBLE_QUOTED;
	case YAML_LITERAL_SCALAR_STYLE:
		return CICD_SCALAR_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return CICD_SCALAR_FOLDED;
	default:
		return CICD_SCALAR_PLAIN;
	}
}

/* The non-specific tag "!" carries no meaning beyond "not plain"; keep only real tags. */
static const char *real_tag(const yaml_char_t *tag)
{
	const char *t = (const char *)tag;
	if (!t || !strcmp(t, "!"))
		return NULL;
	return t;
}

static int handle_event(cicd_doc_builder *b, yaml_event_t *ev)
{
	unsigned int line = line_of(&ev->start_mark), col = col_of(&ev->start_mark);
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		return cicd__builder_begin_document(b, line);
	case YAML_DOCUMENT_END_EVENT:
		return cicd__builder_end_document(b);
	case YAML_SCALAR_EVENT: {
		const char *tag = real_tag(ev->data.scalar.tag);
		cicd_scalar_style style = style_of(ev->data.scalar.style);
		/* A plain scalar with the "!" tag is a string, not a resolved value. */
		if (!tag && ev->data.scalar.tag && style == CICD_SCALAR_PLAIN)
			tag = "tag:yaml.org,2002:str";
		return cicd__builder_scalar(b, (const char *)ev->data.scalar.value, ev->data.scalar.length, tag, style, line,
					    col, (const char *)ev->data.scalar.anchor);
	}
	case YAML_SEQUENCE_START_EVENT:
		return cicd__builder_begin(b, CICD_NODE_SEQUENCE, real_tag(ev->data.sequence_start.tag), line, col,
					   (const char *)ev->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		return cicd__builder_begin(b, CICD_NODE_MAPPING, real_tag(ev->data.mapping_start.tag), line, col,
					   (const char *)ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return cicd__builder_end(b);
	case YAML_ALIAS_EVENT:
		return cicd__builder_alias(b, (const char *)ev->data.alias.anchor, line, col);
	default:
		return 0;
	}
}

int cicd_document_load_buffer(cicd_document **out, const char *buf, size_t len, const char *name,
			      const cicd_document_options *opts)
{
	cicd_document_options o;
	cicd_document *doc;
	cicd_doc_builder b;
	yaml_parser_t parser;
	int rc = 0, done = 0;

	if (!out || (!buf && len))
		return cicd__error_set(CICD_EINVALID, "cicd_document_load_buffer: out and buf are required");
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
	cicd__builder_init(&b, doc, &o, 1);
	if (!yaml_parser_initialize(&parser)) {
		cicd__builder_dispose(&b);
		cicd_document_free(doc);
		return cicd__error_oom();
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
	while (!done && !rc) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(&parser, doc->name, buf, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = handle_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	cicd__builder_dispose(&b);
	if (rc) {
		cicd_document_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}
