/* Internal: building a cicd_diagnostics list. */
#ifndef CICD_CORE_DIAGNOSTICS_H
#define CICD_CORE_DIAGNOSTICS_H

#include "cicd/diagnostics.h"
#include "error.h"

struct cicd_diagnostics {
	cicd_diagnostic *items;
	size_t count;
	size_t capacity;
	size_t max;      /* 0: unbounded; further entries are dropped and counted */
	size_t dropped;
};

cicd_diagnostics *cicd__diagnostics_new(void);
void cicd__diagnostics_init(cicd_diagnostics *d);
void cicd__diagnostics_dispose(cicd_diagnostics *d);

/* Appends one entry (strings copied); 0 or CICD_ENOMEM. */
int cicd__diagnostics_add(cicd_diagnostics *d, cicd_severity severity, int code, const char *file, unsigned int line,
			  unsigned int column, const char *fmt, ...) CICD__PRINTF(7, 8);

/* Sorts by file, line, column, keeping insertion order for ties. */
void cicd__diagnostics_sort(cicd_diagnostics *d);

/* Sets the last error from the first error entry (or a summary); returns its code. */
int cicd__diagnostics_raise(const cicd_diagnostics *d);

#endif
