/* Internal: setting the thread-local last error, once, where it is detected. */
#ifndef CICD_CORE_ERROR_H
#define CICD_CORE_ERROR_H

#include "cicd/errors.h"

#if defined(__GNUC__)
#define CICD__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CICD__PRINTF(f, a)
#endif

/* Sets the last error and returns `code`, so callers can `return cicd__error_set(...)`. */
int cicd__error_set(int code, const char *fmt, ...) CICD__PRINTF(2, 3);

/* The same with an input position (1-based line and column; 0 when unknown). */
int cicd__error_set_at(int code, const char *file, unsigned int line, unsigned int column, const char *fmt, ...)
	CICD__PRINTF(5, 6);

/* Sets CICD_ENOMEM without allocating; returns CICD_ENOMEM. */
int cicd__error_oom(void);

/* Adds context in front of the current message ("loading x: " + message). */
void cicd__error_prefix(const char *fmt, ...) CICD__PRINTF(1, 2);

#endif
