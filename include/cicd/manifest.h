/*
 * libcicd — Kubernetes manifests: load multi-document YAML (or JSON, or
 * `kind: List`) into objects, inspect their identity, validate them, sort
 * them for apply or delete, transform them (images, labels, annotations,
 * namespace), render them back deterministically, hash them over a
 * canonical form and diff two sets.
 *
 * A cicd_manifest_set owns its objects; every cicd_manifest pointer, string
 * and node handed out is borrowed from the set and lives until the set is
 * freed. Transforms are copy-on-write and all-or-nothing: an object gets a
 * new tree, trees handed out before never change, and a transform that
 * fails (CICD_ENOMEM) leaves every object as it was. A set is not shared
 * between threads.
 *
 * See docs/manifest.md for the rules (names, scope, order, canonical form).
 */
#ifndef INCLUDE_cicd_manifest_h__
#define INCLUDE_cicd_manifest_h__

#include "buffer.h"
#include "common.h"
#include "diagnostics.h"
#include "document.h"

CICD_BEGIN_DECL

typedef struct cicd_manifest_set cicd_manifest_set;
typedef struct cicd_manifest cicd_manifest;

typedef enum {
	CICD_MANIFEST_FORMAT_AUTO = 0, /* by file name: *.json is JSON, anything else YAML */
	CICD_MANIFEST_FORMAT_YAML = 1,
	CICD_MANIFEST_FORMAT_JSON = 2
} cicd_manifest_format;

/* Directories are walked recursively (otherwise only their own files). */
#define CICD_MANIFEST_RECURSIVE (1u << 0)

typedef struct cicd_manifest_options {
	unsigned int version;
	unsigned int flags;                    /* CICD_MANIFEST_* */
	cicd_manifest_format format;           /* input syntax; AUTO by file name */
	const cicd_document_options *document; /* limits of the YAML/JSON loader; NULL: defaults */
	size_t max_objects;                    /* 0: 100,000 objects in a set */
	size_t max_files;                      /* 0: 10,000 files from one directory walk */
} cicd_manifest_options;

#define CICD_MANIFEST_OPTIONS_VERSION 1
#define CICD_MANIFEST_OPTIONS_INIT                                                                                     \
	{                                                                                                              \
		CICD_MANIFEST_OPTIONS_VERSION, 0, CICD_MANIFEST_FORMAT_AUTO, NULL, 0, 0                                \
	}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_manifest_options_init(cicd_manifest_options *opts, unsigned int version);

/* An empty set; free it with cicd_manifest_set_free(). */
CICD_EXTERN(int) cicd_manifest_set_new(cicd_manifest_set **out);

/* Frees the set, its objects and every string and node borrowed from it; NULL is fine. */
CICD_EXTERN(void) cicd_manifest_set_free(cicd_manifest_set *set);

/*
 * Adds the objects of a YAML stream or JSON text held in memory. `name`
 * labels positions (NULL: "<buffer>"). Empty documents are skipped; the
 * items of a `kind: List` become objects of their own. A document that is
 * not a mapping is kept as a problem that cicd_manifest_set_validate()
 * reports. CICD_EPARSE / CICD_ELIMIT with the position on bad input; the
 * set is unchanged on failure. opts may be NULL.
 */
CICD_EXTERN(int)
cicd_manifest_set_add_buffer(cicd_manifest_set *set, const char *buf, size_t len, const char *name,
                             const cicd_manifest_options *opts);

/*
 * Adds a file, or every *.yaml, *.yml and *.json file of a directory in
 * byte order of their names (recursively with CICD_MANIFEST_RECURSIVE).
 * CICD_EIO when a path cannot be read. On failure the set keeps the files
 * added before the failing one.
 */
CICD_EXTERN(int)
cicd_manifest_set_add_path(cicd_manifest_set *set, const char *path, const cicd_manifest_options *opts);

/* Number of objects in the set. */
CICD_EXTERN(size_t) cicd_manifest_set_count(const cicd_manifest_set *set);

/* The i-th object in the set's current order; borrowed; NULL when out of range. */
CICD_EXTERN(const cicd_manifest *) cicd_manifest_set_get(const cicd_manifest_set *set, size_t i);

/*
 * Finds an object by identity. group is "" for the core group; ns is ""
 * for cluster-scoped objects and for namespaced objects written without a
 * namespace. CICD_ENOTFOUND when absent.
 */
CICD_EXTERN(int)
cicd_manifest_set_find(const cicd_manifest **out, const cicd_manifest_set *set, const char *group, const char *kind,
                       const char *ns, const char *name);

/*
 * Accessors. Strings are borrowed from the set and never NULL: "" when the
 * field is absent or not a string. api_version is as written ("apps/v1"),
 * group is "" for the core group ("v1"), version the part after '/'.
 */
CICD_EXTERN(const char *) cicd_manifest_api_version(const cicd_manifest *obj);
CICD_EXTERN(const char *) cicd_manifest_group(const cicd_manifest *obj);
CICD_EXTERN(const char *) cicd_manifest_version(const cicd_manifest *obj);
CICD_EXTERN(const char *) cicd_manifest_kind(const cicd_manifest *obj);
CICD_EXTERN(const char *) cicd_manifest_name(const cicd_manifest *obj);
CICD_EXTERN(const char *) cicd_manifest_generate_name(const cicd_manifest *obj);
CICD_EXTERN(const char *) cicd_manifest_namespace(const cicd_manifest *obj);

/* metadata.labels / metadata.annotations as a mapping node; NULL when absent. Borrowed. */
CICD_EXTERN(const cicd_node *) cicd_manifest_labels(const cicd_manifest *obj);
CICD_EXTERN(const cicd_node *) cicd_manifest_annotations(const cicd_manifest *obj);

/* The value of one label or annotation; NULL when absent or not a string. Borrowed. */
CICD_EXTERN(const char *) cicd_manifest_label(const cicd_manifest *obj, const char *key);
CICD_EXTERN(const char *) cicd_manifest_annotation(const cicd_manifest *obj, const char *key);

/*
 * The whole object as a node tree (the current one, after transforms), to
 * reach any field. Borrowed from the set; a later transform of the set may
 * give the object a new tree, but the old one stays valid until the set is
 * freed.
 */
CICD_EXTERN(const cicd_node *) cicd_manifest_node(const cicd_manifest *obj);

/* Where the object came from: file (or buffer name), 0-based document index in it, 1-based line. */
CICD_EXTERN(const char *) cicd_manifest_file(const cicd_manifest *obj);
CICD_EXTERN(size_t) cicd_manifest_document_index(const cicd_manifest *obj);
CICD_EXTERN(unsigned int) cicd_manifest_line(const cicd_manifest *obj);

typedef enum {
	CICD_MANIFEST_SCOPE_UNKNOWN = 0, /* neither a built-in kind nor a CRD of the set */
	CICD_MANIFEST_SCOPE_NAMESPACED = 1,
	CICD_MANIFEST_SCOPE_CLUSTER = 2
} cicd_manifest_scope;

/* The scope of an object's kind: the built-in table, then CRDs of the same set. */
CICD_EXTERN(cicd_manifest_scope) cicd_manifest_set_scope(const cicd_manifest_set *set, const cicd_manifest *obj);

/* ---- validation ---- */

typedef struct cicd_manifest_validate_options {
	unsigned int version;
	unsigned int flags; /* reserved, 0 */
	/*
	 * Optional OpenAPI document: the JSON of the API server's /openapi/v2
	 * (or just its "definitions") or of /openapi/v3/apis/GROUP/VERSION.
	 * Objects of kinds it knows are checked for field types, required and
	 * unknown fields. Borrowed for the call.
	 */
	const char *openapi;
	size_t openapi_len;
	size_t max_diagnostics; /* 0: 1,000; further problems are counted, not listed */
} cicd_manifest_validate_options;

#define CICD_MANIFEST_VALIDATE_OPTIONS_VERSION 1
#define CICD_MANIFEST_VALIDATE_OPTIONS_INIT                                                                            \
	{                                                                                                              \
		CICD_MANIFEST_VALIDATE_OPTIONS_VERSION, 0, NULL, 0, 0                                                  \
	}

CICD_EXTERN(int) cicd_manifest_validate_options_init(cicd_manifest_validate_options *opts, unsigned int version);

/*
 * Checks every object: required fields, name syntax per kind (DNS-1123
 * subdomain or label, DNS-1035 label for Services, path segments for RBAC),
 * label and annotation syntax and the 256 KiB annotation total, namespace
 * on cluster-scoped kinds, duplicate identities, custom resources against
 * the openAPIV3Schema of their CRD in the set, and, when given, the
 * OpenAPI schema (v2 definitions or v3 components). *out (if not NULL) gets every problem with its position
 * (the caller frees it). Returns 0 when there is no error (warnings are
 * fine), CICD_EVALIDATE with cicd_error_last() set to the first error,
 * or CICD_EPARSE when the OpenAPI document cannot be read.
 */
CICD_EXTERN(int)
cicd_manifest_set_validate(cicd_diagnostics **out, const cicd_manifest_set *set,
                           const cicd_manifest_validate_options *opts);

/* ---- order ---- */

typedef enum {
	CICD_MANIFEST_ORDER_APPLY = 1,  /* Namespaces, CRDs, then Helm's install order; unknown kinds last */
	CICD_MANIFEST_ORDER_DELETE = 2, /* the exact reverse of APPLY */
	CICD_MANIFEST_ORDER_SOURCE = 3  /* the order the objects were added in */
} cicd_manifest_order;

/* Reorders the set in place (stable within a kind). CICD_EINVALID for an unknown order. */
CICD_EXTERN(int) cicd_manifest_set_sort(cicd_manifest_set *set, cicd_manifest_order order);

/* ---- transforms ---- */

/*
 * Sets the image of every container (containers, initContainers,
 * ephemeralContainers anywhere in an object) whose image name is `name`,
 * like kustomize's `images:`: new_name replaces the name, new_tag the tag,
 * digest ("sha256:...") the tag and digest. Any of the three may be NULL
 * to keep that part. *changed (if not NULL) gets the number of images set.
 */
CICD_EXTERN(int)
cicd_manifest_set_image(size_t *changed, cicd_manifest_set *set, const char *name, const char *new_name,
                        const char *new_tag, const char *digest);

/* Labels and annotations also go into pod templates (spec.template, CronJob jobTemplate). */
#define CICD_MANIFEST_META_TEMPLATES (1u << 0)

/*
 * Adds or replaces a label (or annotation) in metadata of every object;
 * with CICD_MANIFEST_META_TEMPLATES also in the metadata of pod templates.
 * Selectors are never touched. CICD_EINVALID for a malformed key or value.
 */
CICD_EXTERN(int)
cicd_manifest_set_label(cicd_manifest_set *set, const char *key, const char *value, unsigned int flags);
CICD_EXTERN(int)
cicd_manifest_set_annotation(cicd_manifest_set *set, const char *key, const char *value, unsigned int flags);

/*
 * Sets metadata.namespace of every object whose kind is not cluster-scoped
 * (namespaced and unknown kinds, as kustomize does), and the namespace of
 * ServiceAccount subjects of RoleBindings and ClusterRoleBindings that
 * pointed at the object's old namespace. CICD_EINVALID for a bad name.
 */
CICD_EXTERN(int) cicd_manifest_set_namespace(cicd_manifest_set *set, const char *ns);

/* ---- rendering and hashing ---- */

/*
 * Appends the object as YAML (a document, no "---") or JSON (compact, or
 * indented with CICD_FORMAT_PRETTY). Keys keep their order unless
 * CICD_FORMAT_SORT_KEYS. Deterministic: the same object gives the same bytes.
 */
CICD_EXTERN(int)
cicd_manifest_render(cicd_buf *out, const cicd_manifest *obj, cicd_manifest_format format, unsigned int flags);

/* The whole set in its current order: YAML documents separated by "---", or JSON {"kind":"List",...}. */
CICD_EXTERN(int)
cicd_manifest_set_render(cicd_buf *out, const cicd_manifest_set *set, cicd_manifest_format format, unsigned int flags);

/* Size of a hex SHA-256 with its NUL. */
#define CICD_MANIFEST_HASH_SIZE 65

/*
 * The SHA-256 of the object's canonical form (docs/manifest.md), as 64 hex
 * digits and a NUL into out (out_size >= CICD_MANIFEST_HASH_SIZE).
 */
CICD_EXTERN(int) cicd_manifest_hash(char *out, size_t out_size, const cicd_manifest *obj);

/* The hash of a set: independent of file and object order. */
CICD_EXTERN(int) cicd_manifest_set_hash(char *out, size_t out_size, const cicd_manifest_set *set);

/* Appends the canonical form itself (what cicd_manifest_hash digests). */
CICD_EXTERN(int) cicd_manifest_canonical(cicd_buf *out, const cicd_manifest *obj);

/* ---- diff ---- */

typedef struct cicd_manifest_diff cicd_manifest_diff;

typedef enum { CICD_MANIFEST_ADDED = 1, CICD_MANIFEST_REMOVED = 2, CICD_MANIFEST_CHANGED = 3 } cicd_manifest_change;

/*
 * One changed field of a changed object. path is like
 * `spec.template.spec.containers[name=web].image` or
 * `metadata.labels["app.kubernetes.io/name"]` (list items whose objects all
 * have distinct names are matched by name, other lists by index);
 * old_value / new_value are canonical JSON, NULL when the field is absent
 * on that side or hidden. Fields are only ever appended to this struct.
 */
typedef struct cicd_manifest_field_change {
	const char *path;
	const char *old_value;
	const char *new_value;
	int hidden; /* 1: a Secret's data; values are never given, only the change */
	int change; /* a cicd_manifest_change: the field was added, removed or changed */
} cicd_manifest_field_change;

/* Compares two sets by identity (group, kind, namespace, name); both stay the caller's. */
CICD_EXTERN(int)
cicd_manifest_diff_new(cicd_manifest_diff **out, const cicd_manifest_set *old_set, const cicd_manifest_set *new_set);
CICD_EXTERN(void) cicd_manifest_diff_free(cicd_manifest_diff *diff);

/* Number of objects added, removed or changed (unchanged objects are not listed). */
CICD_EXTERN(size_t) cicd_manifest_diff_count(const cicd_manifest_diff *diff);

/*
 * The i-th entry: its change, and the object on each side (old is NULL for
 * ADDED, new is NULL for REMOVED), borrowed from the sets given to
 * cicd_manifest_diff_new(). Entries are in apply order of the new set,
 * then removed objects in delete order. CICD_ENOTFOUND when out of range.
 */
CICD_EXTERN(int)
cicd_manifest_diff_get(cicd_manifest_change *change, const cicd_manifest **old_obj, const cicd_manifest **new_obj,
                       const cicd_manifest_diff *diff, size_t i);

/* Number of changed fields of entry i (0 for ADDED and REMOVED). */
CICD_EXTERN(size_t) cicd_manifest_diff_field_count(const cicd_manifest_diff *diff, size_t i);

/* Field j of entry i, borrowed from the diff; NULL when out of range. */
CICD_EXTERN(const cicd_manifest_field_change *)
cicd_manifest_diff_field(const cicd_manifest_diff *diff, size_t i, size_t j);

typedef enum {
	CICD_MANIFEST_DIFF_TEXT = 1, /* one object a line, its fields indented below it */
	CICD_MANIFEST_DIFF_JSON = 2  /* {"added":[...],"removed":[...],"changed":[...]} */
} cicd_manifest_diff_format;

/* Appends the diff in the given format (docs/manifest.md describes both). */
CICD_EXTERN(int)
cicd_manifest_diff_render(cicd_buf *out, const cicd_manifest_diff *diff, cicd_manifest_diff_format format);

CICD_END_DECL

#endif
