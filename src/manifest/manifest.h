/* Internal: the manifest set and its objects behind include/cicd/manifest.h. */
#ifndef CICD_MANIFEST_MANIFEST_H
#define CICD_MANIFEST_MANIFEST_H

#include "cicd/manifest.h"
#include "core/arena.h"
#include "core/diagnostics.h"
#include "core/document.h"
#include "core/vec.h"

typedef enum {
	CICD__NAME_SUBDOMAIN = 0, /* DNS-1123 subdomain: most kinds */
	CICD__NAME_LABEL = 1,     /* DNS-1123 label: Namespace */
	CICD__NAME_DNS1035 = 2,   /* DNS-1035 label: Service */
	CICD__NAME_PATH = 3       /* a path segment: RBAC kinds */
} cicd__name_rule;

/* Built-in knowledge of a kind; kind_known is 0 for kinds not in the table. */
typedef struct cicd__kind_info {
	int kind_known;
	cicd_manifest_scope scope;
	cicd__name_rule name_rule;
	size_t max_name_len; /* 0: the rule's own limit */
} cicd__kind_info;

struct cicd_manifest {
	cicd_manifest_set *set;
	cicd_node *root; /* a mapping; borrowed from a document or built in the set's arena */
	const char *file;
	size_t doc_index;
	unsigned int line;
	size_t seq; /* order of addition, for SOURCE order and stable sorts */
	/* Identity, cached from root; "" when absent or not a string. */
	const char *api_version;
	const char *group;
	const char *version;
	const char *kind;
	const char *name;
	const char *generate_name;
	const char *ns;
	/* From the built-in tables, cached when the identity is read. */
	cicd__kind_info info;
	int rank;
};

struct cicd_manifest_set {
	cicd_arena arena;   /* objects, identity strings, transformed nodes */
	cicd_vec documents; /* cicd_document *, owned */
	cicd_manifest **items;
	size_t count;
	size_t capacity;
	size_t next_seq;
	unsigned int transforms;   /* count of transform calls: each edits with a fresh builder mark */
	cicd_diagnostics problems; /* documents that are not objects, found while loading */
	cicd_vec crds;             /* the CustomResourceDefinition objects, for scopes */
};

void cicd__kind_lookup(cicd__kind_info *out, const char *group, const char *kind);

/* Apply-order rank of a kind; unknown kinds get CICD__RANK_UNKNOWN. */
#define CICD__RANK_UNKNOWN 1000
int cicd__kind_rank(const char *kind);

/* Scope from the table, then from CRDs of the set (set may be NULL). */
cicd_manifest_scope cicd__manifest_scope(const cicd_manifest_set *set, const cicd_manifest *obj);

/* 1 for an apiextensions.k8s.io CustomResourceDefinition. */
int cicd__manifest_is_crd(const cicd_manifest *obj);

/* Recomputes the cached identity after the root changed. 0 or CICD_ENOMEM. */
int cicd__manifest_refresh(cicd_manifest *obj);

/* A scalar string value under key, or NULL when absent or not a string. */
const char *cicd__manifest_str(const cicd_node *map, const char *key);

/* Name syntax checks: NULL when valid, else a static explanation. */
const char *cicd__check_dns1123_subdomain(const char *s, size_t len);
const char *cicd__check_dns1123_label(const char *s, size_t len);
const char *cicd__check_dns1035_label(const char *s, size_t len);
const char *cicd__check_path_segment(const char *s, size_t len);
const char *cicd__check_qualified_name(const char *s, size_t len); /* label and annotation keys */
const char *cicd__check_label_value(const char *s, size_t len);

/* Canonical JSON of a node (docs/manifest.md). 0 or a negative code. */
int cicd__manifest_canonical_node(cicd_buf *out, const cicd_node *node);

#endif
