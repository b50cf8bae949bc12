/*
 * Internal: builds a document tree from a stream of events. The YAML and
 * JSON loaders both feed it, so limits, merge keys and duplicate keys
 * behave the same whichever syntax the input came in.
 */
#ifndef CICD_CORE_DOCUMENT_BUILDER_H
#define CICD_CORE_DOCUMENT_BUILDER_H

#include "document.h"
#include "hashmap.h"

typedef struct cicd_builder_frame {
	cicd_node *node;
	size_t scratch_start;
	const char *anchor;
} cicd_builder_frame;

typedef struct cicd_builder_key cicd_builder_key;

typedef struct cicd_doc_builder {
	cicd_document *doc;
	cicd_document_options opts;
	int merge_keys; /* YAML: 1; JSON: 0 */
	cicd_builder_frame *stack;
	size_t depth;
	size_t stack_cap;
	cicd_node **scratch;
	uint32_t *scratch_weight; /* each scratch node's weight (see add_child) */
	size_t scratch_count;
	size_t scratch_cap;
	cicd_hashmap anchors;
	size_t docs_cap;
	size_t nodes;
	size_t alias_expansion;
	unsigned int doc_line;
	cicd_node *root;
	const cicd_node_meta *tag_meta; /* the last tag's, for the next node with that tag */
	cicd_builder_key *keys;         /* texts of short mapping keys, shared by their nodes */
	size_t key_count;
	size_t key_slots; /* a power of two, 0 before the first key */
	cicd_node_pair *merge_pairs; /* scratch for mappings with merge keys, kept between them */
	size_t merge_cap;
	int in_document;
} cicd_doc_builder;

int cicd__builder_init(cicd_doc_builder *b, cicd_document *doc, const cicd_document_options *opts, int merge_keys);
void cicd__builder_dispose(cicd_doc_builder *b);

int cicd__builder_begin_document(cicd_doc_builder *b, unsigned int line);
int cicd__builder_end_document(cicd_doc_builder *b);

/* tag and anchor may be NULL; text is copied. */
int cicd__builder_scalar(cicd_doc_builder *b, const char *text, size_t len, const char *tag, cicd_scalar_style style,
			 unsigned int line, unsigned int column, const char *anchor);
int cicd__builder_begin(cicd_doc_builder *b, cicd_node_kind kind, const char *tag, unsigned int line,
			unsigned int column, const char *anchor);
int cicd__builder_end(cicd_doc_builder *b);
int cicd__builder_alias(cicd_doc_builder *b, const char *anchor, unsigned int line, unsigned int column);

#endif
