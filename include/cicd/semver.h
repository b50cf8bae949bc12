/*
 * libcicd — SemVer 2.0.0 versions and node-semver ranges.
 *
 * A cicd_semver is an immutable parsed version: one allocation made by
 * cicd_semver_parse(), compared without allocating. Numeric parts of any
 * length compare exactly (node-semver stops at 2^53; this does not).
 * Ranges follow node-semver's grammar: comparators, x-ranges, ~, ^, hyphen
 * ranges and ||, with its includePrerelease rule (docs/semver.md).
 *
 * Values and ranges are immutable after parsing and may be shared between
 * threads.
 */
#ifndef INCLUDE_cicd_semver_h__
#define INCLUDE_cicd_semver_h__

#include "common.h"

CICD_BEGIN_DECL

typedef struct cicd_semver cicd_semver;
typedef struct cicd_semver_range cicd_semver_range;

/*
 * Loose parsing, as node-semver's `loose`: surrounding whitespace, leading
 * `v` and `=` characters, numeric parts with leading zeros (normalized
 * away) and a pre-release without its hyphen (`1.2.3beta`) are accepted.
 * Without it parsing follows the SemVer 2.0.0 grammar exactly.
 */
#define CICD_SEMVER_LOOSE (1u << 0)
/* Ranges: pre-release versions may match any comparator set (node-semver's includePrerelease). */
#define CICD_SEMVER_INCLUDE_PRERELEASE (1u << 1)

/* The default longest version text (node-semver's MAX_LENGTH) and range text. */
#define CICD_SEMVER_DEFAULT_MAX_LENGTH       256
#define CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH 65536

#define CICD_SEMVER_OPTIONS_VERSION 1
typedef struct cicd_semver_options {
	unsigned int version;    /* CICD_SEMVER_OPTIONS_VERSION */
	unsigned int flags;      /* CICD_SEMVER_LOOSE, CICD_SEMVER_INCLUDE_PRERELEASE */
	size_t max_length;       /* longest version text accepted (default 256); longer is CICD_ELIMIT */
	size_t max_range_length; /* longest range text accepted (default 65536); longer is CICD_ELIMIT */
} cicd_semver_options;

#define CICD_SEMVER_OPTIONS_INIT                                                                                       \
	{                                                                                                              \
		CICD_SEMVER_OPTIONS_VERSION, 0, CICD_SEMVER_DEFAULT_MAX_LENGTH, CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH   \
	}

/* Fills opts with the defaults of `version`; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_semver_options_init(cicd_semver_options *opts, unsigned int version);

/*
 * Parses len bytes of text. NULL opts means the defaults (strict). Returns
 * 0, CICD_EPARSE (not a version; the column of the first offending byte is
 * set), CICD_ELIMIT (longer than max_length) or CICD_ENOMEM. Free the
 * result with cicd_semver_free().
 */
CICD_EXTERN(int) cicd_semver_parse(cicd_semver **out, const char *text, size_t len, const cicd_semver_options *opts);

/* An owned copy; free with cicd_semver_free(). */
CICD_EXTERN(int) cicd_semver_dup(cicd_semver **out, const cicd_semver *v);

/* Frees a version; NULL is fine. */
CICD_EXTERN(void) cicd_semver_free(cicd_semver *v);

/*
 * The normalized text, "MAJOR.MINOR.PATCH[-PRE][+BUILD]". Borrowed: lives
 * as long as v. cicd_semver_text_length() gives the length without the
 * build metadata, for callers that want node-semver's `version` string.
 */
CICD_EXTERN(const char *) cicd_semver_text(const cicd_semver *v);
CICD_EXTERN(size_t) cicd_semver_text_length(const cicd_semver *v);

/* The parts as decimal digit strings without leading zeros; borrowed, live as long as v. */
CICD_EXTERN(const char *) cicd_semver_major(const cicd_semver *v);
CICD_EXTERN(const char *) cicd_semver_minor(const cicd_semver *v);
CICD_EXTERN(const char *) cicd_semver_patch(const cicd_semver *v);
/* Dot-separated pre-release and build identifiers, "" when absent; borrowed. */
CICD_EXTERN(const char *) cicd_semver_prerelease(const cicd_semver *v);
CICD_EXTERN(const char *) cicd_semver_build(const cicd_semver *v);

/*
 * SemVer precedence: -1, 0 or 1. Build metadata is ignored. Never
 * allocates, never fails.
 */
CICD_EXTERN(int) cicd_semver_compare(const cicd_semver *a, const cicd_semver *b);

/*
 * Precedence, then build metadata identifier by identifier (numeric ones
 * by value), as node-semver's compareBuild: the order of cicd_semver_sort().
 */
CICD_EXTERN(int) cicd_semver_compare_build(const cicd_semver *a, const cicd_semver *b);

/*
 * Parses both texts (NUL-terminated) and compares them into *out.
 * Returns 0, or the parse error of the first invalid one.
 */
CICD_EXTERN(int) cicd_semver_compare_str(int *out, const char *a, const char *b, const cicd_semver_options *opts);

#define CICD_SEMVER_SORT_REVERSE (1u << 0)
/*
 * Sorts an array of versions in place by cicd_semver_compare_build()
 * (descending with CICD_SEMVER_SORT_REVERSE). The sort is stable: equal
 * versions keep their order. Returns 0 or CICD_ENOMEM.
 */
CICD_EXTERN(int) cicd_semver_sort(cicd_semver **items, size_t count, unsigned int flags);

/* Release kinds for cicd_semver_inc() and cicd_semver_diff(). */
typedef enum {
	CICD_SEMVER_NONE = 0,
	CICD_SEMVER_MAJOR,
	CICD_SEMVER_PREMAJOR,
	CICD_SEMVER_MINOR,
	CICD_SEMVER_PREMINOR,
	CICD_SEMVER_PATCH,
	CICD_SEMVER_PREPATCH,
	CICD_SEMVER_PRERELEASE,
	CICD_SEMVER_RELEASE /* drop the pre-release: 1.2.3-rc.1 -> 1.2.3 */
} cicd_semver_release;

/* "major", "premajor", ...; "none" for CICD_SEMVER_NONE; never NULL. */
CICD_EXTERN(const char *) cicd_semver_release_name(cicd_semver_release kind);

/* The kind named `name`; CICD_EINVALID for an unknown name. */
CICD_EXTERN(int) cicd_semver_release_parse(cicd_semver_release *out, const char *name);

/*
 * The next version of kind `kind`, as node-semver's inc(): major, minor
 * and patch of a matching pre-release drop the pre-release (1.2.0-rc.1
 * minor -> 1.2.0); the pre* kinds add a pre-release starting at 0, with
 * `preid` (NULL or "" for none) as its first identifiers; prerelease
 * bumps the last numeric identifier. Build metadata is dropped.
 * opts->flags CICD_SEMVER_LOOSE allows a loose preid. Returns 0,
 * CICD_EINVALID (bad kind or preid, or `release` of a version without
 * pre-release) or CICD_ENOMEM.
 */
CICD_EXTERN(int)
cicd_semver_inc(cicd_semver **out, const cicd_semver *v, cicd_semver_release kind, const char *preid,
                const cicd_semver_options *opts);

/*
 * The kind of the largest difference between two versions, as node-semver's
 * diff(): CICD_SEMVER_NONE when they have the same precedence.
 */
CICD_EXTERN(cicd_semver_release) cicd_semver_diff(const cicd_semver *a, const cicd_semver *b);

/*
 * The first version-like run in text ("v2", "release 1.4 final" ->
 * 2.0.0, 1.4.0), as node-semver's coerce(): up to three dot-separated runs
 * of at most 16 digits. CICD_ENOTFOUND when there is none.
 */
CICD_EXTERN(int) cicd_semver_coerce(cicd_semver **out, const char *text, size_t len, const cicd_semver_options *opts);

/*
 * Parses a range in node-semver's grammar. opts->flags CICD_SEMVER_LOOSE
 * and CICD_SEMVER_INCLUDE_PRERELEASE apply. Returns 0, CICD_EPARSE (with
 * the column of the offending comparator), CICD_ELIMIT or CICD_ENOMEM.
 */
CICD_EXTERN(int)
cicd_semver_range_parse(cicd_semver_range **out, const char *text, size_t len, const cicd_semver_options *opts);

/* Frees a range; NULL is fine. */
CICD_EXTERN(void) cicd_semver_range_free(cicd_semver_range *r);

/*
 * The range desugared to comparators (">=1.2.3 <2.0.0-0||..."), as
 * node-semver's validRange(); "*" for any version. Borrowed.
 */
CICD_EXTERN(const char *) cicd_semver_range_text(const cicd_semver_range *r);

/* 1 when v satisfies r, 0 when not. Never allocates. */
CICD_EXTERN(int) cicd_semver_range_test(const cicd_semver_range *r, const cicd_semver *v);

/*
 * Tests a version given as text (len bytes), parsed with the range's own
 * options (loose or strict), without allocating for versions of ordinary
 * length. *out is 1 or 0. Returns 0, or the version's parse error.
 */
CICD_EXTERN(int) cicd_semver_range_test_str(int *out, const cicd_semver_range *r, const char *text, size_t len);

/*
 * The index of the highest (lowest) version in items that satisfies r;
 * CICD_ENOTFOUND when none does. The first of equal versions wins.
 */
CICD_EXTERN(int)
cicd_semver_max_satisfying(size_t *out_index, cicd_semver *const *items, size_t count, const cicd_semver_range *r);
CICD_EXTERN(int)
cicd_semver_min_satisfying(size_t *out_index, cicd_semver *const *items, size_t count, const cicd_semver_range *r);

/*
 * Convenience: parses range and version (NUL-terminated, same options) and
 * tests. *out is 1 or 0. Returns 0, or the parse error of either.
 */
CICD_EXTERN(int)
cicd_semver_satisfies(int *out, const char *range, const char *version, const cicd_semver_options *opts);

CICD_END_DECL

#endif
