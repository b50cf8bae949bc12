/* Internal: node-semver's range rewriting steps and the parsed range. */
#ifndef CICD_SEMVER_RANGE_INTERNAL_H
#define CICD_SEMVER_RANGE_INTERNAL_H

#include "cicd/buffer.h"
#include "core/regex.h"
#include "semver_internal.h"

enum {
	RX_HYPHENRANGE,
	RX_HYPHENRANGELOOSE,
	RX_COMPARATORTRIM,
	RX_TILDETRIM,
	RX_CARETTRIM,
	RX_TILDE,
	RX_TILDELOOSE,
	RX_CARET,
	RX_CARETLOOSE,
	RX_XRANGE,
	RX_XRANGELOOSE,
	RX_STAR,
	RX_GTE0,
	RX_GTE0PRE,
	RX_COMPARATOR,
	RX_COMPARATORLOOSE,
	RX_BUILD,
	RX_BUILDSTRIP,
	RX_COUNT
};

enum {
	STEP_BUILDSTRIP,
	STEP_HYPHEN,
	STEP_HYPHEN_LOOSE,
	STEP_TRIM_COMPARATOR,
	STEP_TRIM_TILDE,
	STEP_TRIM_CARET,
	STEP_BUILD_FIRST,
	STEP_CARET,
	STEP_CARET_LOOSE,
	STEP_TILDE,
	STEP_TILDE_LOOSE,
	STEP_XRANGE,
	STEP_XRANGE_LOOSE,
	STEP_STAR,
	STEP_GTE0
};

/* Mode bits of the rewriting steps. */
#define RANGE_INCLUDE_PRE 1 /* includePrerelease */
#define RANGE_EXACT       2 /* node's bounded patterns: the range has a run of over 250 [a-zA-Z0-9-] */

/* The compiled patterns, exact (node's bounds) or fast (unbounded); compiled on first use. 0 or an error. */
int cicd__range_patterns(cicd_regex *const **out, int exact);

/* One rewriting step over s[0..n) into out (cleared first). 0 or CICD_ENOMEM. mode: RANGE_* bits. */
int cicd__range_rewrite_step(cicd_buf *out, const char *s, size_t n, int step, int mode);

#endif
