#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

void cicd_buf_dispose(cicd_buf *buf)
{
	if (!buf)
		return;
	cicd__free(buf->ptr);
	buf->ptr = NULL;
	buf->size = 0;
	buf->reserved = 0;
}

int cicd__buf_grow(cicd_buf *buf, size_t extra)
{
	size_t need, cap;
	char *p;
	if (extra > (size_t)-1 - buf->size - 1)
		return cicd__error_oom();
	need = buf->size + extra + 1;
	if (need <= buf->reserved)
		return 0;
	cap = buf->reserved ? buf->reserved : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	p = cicd__realloc(buf->ptr, cap);
	if (!p)
		return cicd__error_oom();
	buf->ptr = p;
	buf->reserved = cap;
	return 0;
}

int cicd__buf_put(cicd_buf *buf, const char *data, size_t len)
{
	if (cicd__buf_grow(buf, len))
		return CICD_ENOMEM;
	if (len)
		memcpy(buf->ptr + buf->size, data, len);
	buf->size += len;
	buf->ptr[buf->size] = '\0';
	return 0;
}

int cicd__buf_puts(cicd_buf *buf, const char *s)
{
	return cicd__buf_put(buf, s, strlen(s));
}

int cicd__buf_putc(cicd_buf *buf, char c)
{
	return cicd__buf_put(buf, &c, 1);
}

int cicd__buf_printf(cicd_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return cicd__error_set(CICD_EINVALID, "bad format string");
	if (cicd__buf_grow(buf, (size_t)n))
		return CICD_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(buf->ptr + buf->size, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->size += (size_t)n;
	return 0;
}

void cicd__buf_clear(cicd_buf *buf)
{
	buf->size = 0;
	if (buf->ptr)
		buf->ptr[0] = '\0';
}

char *cicd__buf_detach(cicd_buf *buf)
{
	char *p;
	if (!buf->ptr) {
		if (cicd__buf_grow(buf, 0))
			return NULL;
		buf->ptr[0] = '\0';
	}
	p = buf->ptr;
	buf->ptr = NULL;
	buf->size = 0;
	buf->reserved = 0;
	return p;
}
