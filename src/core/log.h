/* Internal: logging through the callback set with cicd_log_set(). */
#ifndef CICD_CORE_LOG_H
#define CICD_CORE_LOG_H

#include "cicd/core.h"
#include "error.h"

/* 1 when a line at this level would reach a callback; lets callers skip formatting. */
int cicd__log_enabled(cicd_log_level level);

/* Formats, redacts secrets, and hands the line to the callback. */
void cicd__log(cicd_log_level level, const char *fmt, ...) CICD__PRINTF(2, 3);

/*
 * Rewrites `text` in place so that credentials do not survive: the value of
 * an `Authorization:` header or `Bearer`/`Basic` token, the password of a
 * `scheme://user:password@host` URL, GitLab tokens (glpat-, gldt-, glrt-,
 * GR1348941, ...), and `token=`, `password=`, `private_token=` style query
 * parameters all become [MASKED]. `cap` is the buffer's size: the text may
 * grow up to cap - 1 bytes when a secret is shorter than the mask. Returns
 * the new length.
 */
size_t cicd__redact(char *text, size_t len, size_t cap);

#endif
