/*
 * libcicd — a list of diagnostics (errors and warnings with positions),
 * returned by functions that validate input and want to report every
 * problem, not only the first.
 */
#ifndef INCLUDE_cicd_diagnostics_h__
#define INCLUDE_cicd_diagnostics_h__

#include "common.h"

CICD_BEGIN_DECL

typedef enum {
	CICD_SEVERITY_ERROR = 1,
	CICD_SEVERITY_WARNING = 2
} cicd_severity;

/* One diagnostic. Fields are only appended; strings are never NULL. */
typedef struct cicd_diagnostic {
	cicd_severity severity;
	int code;            /* a cicd_error_code, such as CICD_EVALIDATE */
	const char *message; /* lower case, no trailing period */
	const char *file;    /* "" when none */
	unsigned int line;   /* 1-based; 0 when no position */
	unsigned int column; /* 1-based; 0 when no position */
} cicd_diagnostic;

typedef struct cicd_diagnostics cicd_diagnostics;

/* Number of diagnostics in the list (0 for NULL). */
CICD_EXTERN(size_t) cicd_diagnostics_count(const cicd_diagnostics *diags);

/* Number of diagnostics of one severity (0 for NULL). */
CICD_EXTERN(size_t) cicd_diagnostics_count_severity(const cicd_diagnostics *diags, cicd_severity severity);

/* The i-th diagnostic, borrowed from the list; NULL when i is out of range. */
CICD_EXTERN(const cicd_diagnostic *) cicd_diagnostics_get(const cicd_diagnostics *diags, size_t i);

/* Frees a list that the caller owns; NULL is fine. */
CICD_EXTERN(void) cicd_diagnostics_free(cicd_diagnostics *diags);

CICD_END_DECL

#endif
