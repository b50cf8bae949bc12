/*
 * libcicd — the document model: YAML streams and JSON texts loaded into an
 * immutable tree of nodes that know their file, line and column.
 *
 * YAML is read with libyaml: anchors and aliases (shared, never copied),
 * merge keys `<<` (one mapping or a list of them), custom tags kept as
 * written (GitLab's `!reference`), duplicate keys reported with both
 * positions, multi-document streams. Limits on input size, nesting depth,
 * node count and alias expansion are explicit: a "billion laughs" input
 * fails at once with CICD_ELIMIT instead of expanding.
 *
 * A loaded document is immutable and may be read from several threads.
 * Every node is borrowed from its document and lives as long as it.
 */
#ifndef INCLUDE_cicd_document_h__
#define INCLUDE_cicd_document_h__

#include "common.h"
#include "buffer.h"
#include "diagnostics.h"

CICD_BEGIN_DECL

typedef struct cicd_document cicd_document;
typedef struct cicd_node cicd_node;

typedef enum {
	CICD_NODE_SCALAR = 1,
	CICD_NODE_SEQUENCE = 2,
	CICD_NODE_MAPPING = 3
} cicd_node_kind;

typedef enum {
	CICD_SCALAR_PLAIN = 1,
	CICD_SCALAR_SINGLE_QUOTED = 2,
	CICD_SCALAR_DOUBLE_QUOTED = 3,
	CICD_SCALAR_LITERAL = 4,
	CICD_SCALAR_FOLDED = 5
} cicd_scalar_style;

/* What a scalar means under YAML 1.1 resolution (as Ruby's Psych and go-yaml read it). */
typedef enum {
	CICD_VALUE_NULL = 1,
	CICD_VALUE_BOOL = 2,
	CICD_VALUE_INT = 3,
	CICD_VALUE_FLOAT = 4,
	CICD_VALUE_STRING = 5
} cicd_value_type;

/* Duplicate keys are errors instead of warnings (the last value wins otherwise). */
#define CICD_DOCUMENT_STRICT_KEYS (1u << 0)
/* `<<` is an ordinary key instead of a merge key. */
#define CICD_DOCUMENT_NO_MERGE_KEYS (1u << 1)

typedef struct cicd_document_options {
	unsigned int version;
	unsigned int flags;         /* CICD_DOCUMENT_* */
	size_t max_bytes;           /* 0: 64 MiB of input */
	unsigned int max_depth;     /* 0: 256 levels of nesting */
	size_t max_nodes;           /* 0: 10,000,000 nodes */
	size_t max_alias_expansion; /* 0: 1,000,000 nodes reached through aliases */
	size_t max_documents;       /* 0: 100,000 documents in a stream */
} cicd_document_options;

#define CICD_DOCUMENT_OPTIONS_VERSION 1
#define CICD_DOCUMENT_OPTIONS_INIT {CICD_DOCUMENT_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_document_options_init(cicd_document_options *opts, unsigned int version);

/*
 * Loads a YAML stream from memory. `name` labels positions in errors (NULL:
 * "<buffer>"). The bytes are copied, never kept. On CICD_EPARSE or
 * CICD_ELIMIT cicd_error_last() has the position. *out is the caller's:
 * free it with cicd_document_free(). opts may be NULL.
 */
CICD_EXTERN(int) cicd_document_load_buffer(cicd_document **out, const char *buf, size_t len, const char *name,
					   const cicd_document_options *opts);

/* Loads a YAML stream from a file; CICD_EIO when it cannot be read. */
CICD_EXTERN(int) cicd_document_load_file(cicd_document **out, const char *path, const cicd_document_options *opts);

/*
 * Loads one JSON text (RFC 8259) into the same model: objects become
 * mappings, arrays sequences, strings double-quoted scalars, numbers,
 * booleans and null plain scalars. Duplicate keys and limits as for YAML.
 */
CICD_EXTERN(int) cicd_document_load_json(cicd_document **out, const char *buf, size_t len, const char *name,
					 const cicd_document_options *opts);

/* Frees a document and all its nodes; NULL is fine. */
CICD_EXTERN(void) cicd_document_free(cicd_document *doc);

/* Number of documents in the stream (an empty stream has 0). */
CICD_EXTERN(size_t) cicd_document_count(const cicd_document *doc);

/* Root node of document i; NULL for an empty document or i out of range. */
CICD_EXTERN(const cicd_node *) cicd_document_root(const cicd_document *doc, size_t i);

/* Line of the start of document i (1-based; 0 if out of range). */
CICD_EXTERN(unsigned int) cicd_document_line(const cicd_document *doc, size_t i);

/* The name given at load time, or the path; borrowed. */
CICD_EXTERN(const char *) cicd_document_name(const cicd_document *doc);

/* Warnings found while loading (duplicate keys); borrowed, never NULL. */
CICD_EXTERN(const cicd_diagnostics *) cicd_document_diagnostics(const cicd_document *doc);

CICD_EXTERN(cicd_node_kind) cicd_node_kind_of(const cicd_node *node);

/* The tag as written ("!reference", "tag:yaml.org,2002:str"), or "" when none. */
CICD_EXTERN(const char *) cicd_node_tag(const cicd_node *node);

/* Position of the node's first character; file is the document name. */
CICD_EXTERN(const char *) cicd_node_file(const cicd_node *node);
CICD_EXTERN(unsigned int) cicd_node_line(const cicd_node *node);
CICD_EXTERN(unsigned int) cicd_node_column(const cicd_node *node);

/*
 * A scalar's text, NUL-terminated; *len (if not NULL) gets its length,
 * which counts embedded NULs. NULL when the node is not a scalar.
 */
CICD_EXTERN(const char *) cicd_node_scalar(const cicd_node *node, size_t *len);
CICD_EXTERN(cicd_scalar_style) cicd_node_scalar_style(const cicd_node *node);

/* The resolved type of a scalar; 0 when the node is not a scalar. */
CICD_EXTERN(cicd_value_type) cicd_node_value_type(const cicd_node *node);

/* Items in a sequence or pairs in a mapping; 0 for a scalar. */
CICD_EXTERN(size_t) cicd_node_size(const cicd_node *node);

/* The i-th item of a sequence; NULL when out of range or not a sequence. */
CICD_EXTERN(const cicd_node *) cicd_node_item(const cicd_node *node, size_t i);

/* The i-th key and value of a mapping, in insertion order; NULL when out of range. */
CICD_EXTERN(const cicd_node *) cicd_node_key(const cicd_node *node, size_t i);
CICD_EXTERN(const cicd_node *) cicd_node_value(const cicd_node *node, size_t i);

/* The value of a mapping under a scalar key; NULL when absent. */
CICD_EXTERN(const cicd_node *) cicd_node_get(const cicd_node *node, const char *key);

#define CICD_FORMAT_PRETTY (1u << 0)      /* indented, one entry a line */
#define CICD_FORMAT_SORT_KEYS (1u << 1)   /* mapping keys in byte order */

/* Appends the node as JSON to *out (scalars typed as YAML 1.1 resolves them). */
CICD_EXTERN(int) cicd_node_to_json(cicd_buf *out, const cicd_node *node, unsigned int flags);

/* Appends the node as a YAML document to *out, deterministically. */
CICD_EXTERN(int) cicd_node_to_yaml(cicd_buf *out, const cicd_node *node, unsigned int flags);

CICD_END_DECL

#endif
