/*
 * libcicd — library setup: version, global init, allocator hook, logging.
 */
#ifndef INCLUDE_cicd_core_h__
#define INCLUDE_cicd_core_h__

#include "common.h"

CICD_BEGIN_DECL

/* The library version as "MAJOR.MINOR.PATCH"; static storage. */
CICD_EXTERN(const char *) cicd_version(void);

/* The library version as numbers; any pointer may be NULL. */
CICD_EXTERN(void) cicd_version_numbers(int *major, int *minor, int *patch);

/*
 * Sets up process-wide state (libcurl, OpenSSL). Call once before using the
 * HTTP-based modules (kube, runner); the other modules need no init.
 * Reference counted: each cicd_init() needs a cicd_shutdown(). Not
 * thread-safe with itself.
 */
CICD_EXTERN(int) cicd_init(void);
CICD_EXTERN(void) cicd_shutdown(void);

/*
 * Replaces the allocator used for the library's own memory (libyaml and
 * libcurl keep their own). Call before any other cicd_* call; all three
 * functions must be given. Returns CICD_EINVALID otherwise.
 */
typedef void *(*cicd_malloc_fn)(size_t size);
typedef void *(*cicd_realloc_fn)(void *ptr, size_t size);
typedef void (*cicd_free_fn)(void *ptr);
CICD_EXTERN(int) cicd_allocator_set(cicd_malloc_fn malloc_fn, cicd_realloc_fn realloc_fn, cicd_free_fn free_fn);

/* Restores the C library's malloc, realloc and free. */
CICD_EXTERN(void) cicd_allocator_reset(void);

typedef enum {
	CICD_LOG_NONE = 0,
	CICD_LOG_ERROR = 1,
	CICD_LOG_WARN = 2,
	CICD_LOG_INFO = 3,
	CICD_LOG_DEBUG = 4,
	CICD_LOG_TRACE = 5
} cicd_log_level;

/* Receives one log line (no newline); the message is borrowed for the call. */
typedef void (*cicd_log_cb)(cicd_log_level level, const char *message, void *payload);

/*
 * Routes log lines at or above `level` to `cb`. Off by default; NULL cb or
 * CICD_LOG_NONE turns logging off. Secrets are redacted before the callback
 * sees a line. Process-wide; set it before starting threads.
 */
CICD_EXTERN(void) cicd_log_set(cicd_log_level level, cicd_log_cb cb, void *payload);

CICD_END_DECL

#endif
