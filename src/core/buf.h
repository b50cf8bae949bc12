/* Internal: growing text buffer over the public cicd_buf. */
#ifndef CICD_CORE_BUF_H
#define CICD_CORE_BUF_H

#include <stddef.h>

#include "cicd/buffer.h"
#include "error.h"

/* Each returns 0 or CICD_ENOMEM (with the last error set); ptr stays NUL-terminated. */
int cicd__buf_grow(cicd_buf *buf, size_t extra);
int cicd__buf_put(cicd_buf *buf, const char *data, size_t len);
int cicd__buf_puts(cicd_buf *buf, const char *s);
int cicd__buf_putc(cicd_buf *buf, char c);
int cicd__buf_printf(cicd_buf *buf, const char *fmt, ...) CICD__PRINTF(2, 3);
void cicd__buf_clear(cicd_buf *buf);
/* Hands the text to the caller (NUL-terminated, "" if empty) and resets buf; NULL on OOM. */
char *cicd__buf_detach(cicd_buf *buf);

#endif
