#include "diagnostics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void cicd__diagnostics_init(cicd_diagnostics *d)
{
	memset(d, 0, sizeof *d);
}

cicd_diagnostics *cicd__diagnostics_new(void)
{
	cicd_diagnostics *d = cicd__calloc(1, sizeof *d);
	if (!d)
		cicd__error_oom();
	return d;
}

void cicd__diagnostics_dispose(cicd_diagnostics *d)
{
	size_t i;
	if (!d)
		return;
	for (i = 0; i < d->count; i++) {
		cicd__free_const(d->items[i].message);
		cicd__free_const(d->items[i].file);
	}
	cicd__free(d->items);
	cicd__diagnostics_init(d);
}

void cicd_diagnostics_free(cicd_diagnostics *d)
{
	if (!d)
		return;
	cicd__diagnostics_dispose(d);
	cicd__free(d);
}

int cicd__diagnostics_add(cicd_diagnostics *d, cicd_severity severity, int code, const char *file, unsigned int line,
			  unsigned int column, const char *fmt, ...)
{
	char text[1024];
	cicd_diagnostic *item;
	va_list ap;
	if (d->max && d->count >= d->max) {
		d->dropped++;
		return 0;
	}
	if (d->count == d->capacity) {
		size_t cap = d->capacity ? d->capacity * 2 : 8;
		cicd_diagnostic *items = cicd__realloc(d->items, cap * sizeof *items);
		if (!items)
			return cicd__error_oom();
		d->items = items;
		d->capacity = cap;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	item = &d->items[d->count];
	item->severity = severity;
	item->code = code;
	item->line = line;
	item->column = column;
	item->message = cicd__strdup(text);
	item->file = cicd__strdup(file ? file : "");
	if (!item->message || !item->file) {
		cicd__free_const(item->message);
		cicd__free_const(item->file);
		return cicd__error_oom();
	}
	d->count++;
	return 0;
}

typedef struct {
	cicd_diagnostic d;
	size_t order;
} ordered;

static int cmp_diag(const void *a, const void *b)
{
	const ordered *x = a, *y = b;
	int c = strcmp(x->d.file, y->d.file);
	if (c)
		return c;
	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.column != y->d.column)
		return x->d.column < y->d.column ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

void cicd__diagnostics_sort(cicd_diagnostics *d)
{
	ordered *tmp;
	size_t i;
	if (d->count < 2)
		return;
	tmp = cicd__malloc(d->count * sizeof *tmp);
	if (!tmp)
		return; /* order is cosmetic; keep insertion order */
	for (i = 0; i < d->count; i++) {
		tmp[i].d = d->items[i];
		tmp[i].order = i;
	}
	qsort(tmp, d->count, sizeof *tmp, cmp_diag);
	for (i = 0; i < d->count; i++)
		d->items[i] = tmp[i].d;
	cicd__free(tmp);
}

int cicd__diagnostics_raise(const cicd_diagnostics *d)
{
	size_t i, errors = 0;
	const cicd_diagnostic *first = NULL;
	for (i = 0; i < d->count; i++)
		if (d->items[i].severity == CICD_SEVERITY_ERROR) {
			if (!first)
				first = &d->items[i];
			errors++;
		}
	if (!first)
		return 0;
	if (errors == 1)
		return cicd__error_set_at(first->code, first->file, first->line, first->column, "%s", first->message);
	return cicd__error_set_at(first->code, first->file, first->line, first->column, "%s (and %zu more errors)",
				  first->message, errors - 1);
}

size_t cicd_diagnostics_count(const cicd_diagnostics *d)
{
	return d ? d->count : 0;
}

size_t cicd_diagnostics_count_severity(const cicd_diagnostics *d, cicd_severity severity)
{
	size_t i, n = 0;
	if (!d)
		return 0;
	for (i = 0; i < d->count; i++)
		n += d->items[i].severity == severity;
	return n;
}

const cicd_diagnostic *cicd_diagnostics_get(const cicd_diagnostics *d, size_t i)
{
	return d && i < d->count ? &d->items[i] : NULL;
}
