/*
 * The job instances `parallel` makes, named as GitLab names them:
 * `job 1/3` for a count, `job: [v1, v2]` for a matrix (each row a
 * cartesian product, the first key varying slowest, values in key order).
 */
#include <string.h>

#include "core/buf.h"
#include "core/scalar_value.h"
#include "internal.h"

int pl_instances(pl_ctx *c, const char *name, const cicd_node *parallel, pl_instance **out, size_t *count);

static int matrix_row(pl_ctx *c, const char *name, const cicd_node *row, pl_instance *out, size_t *n)
{
	size_t keys = row->count, total = 1, i, k;
	for (k = 0; k < keys; k++)
		total *= pl_is_seq(row->u.map.pairs[k].value) ? row->u.map.pairs[k].value->count : 1;
	for (i = 0; i < total; i++) {
		pl_instance *in = &out[(*n)++];
		cicd_buf b = CICD_BUF_INIT;
		size_t rest = i;
		in->var_count = keys;
		in->var_names = cicd__arena_calloc(&c->p->arena, keys + 1, sizeof *in->var_names);
		in->var_values = cicd__arena_calloc(&c->p->arena, keys + 1, sizeof *in->var_values);
		if (!in->var_names || !in->var_values) {
			pl_oom(c);
			return -1;
		}
		/* the last key varies fastest */
		for (k = keys; k-- > 0;) {
			const cicd_node *v = row->u.map.pairs[k].value;
			size_t count = pl_is_seq(v) ? v->count : 1;
			const cicd_node *pick = pl_is_seq(v) ? v->u.seq.items[rest % count] : v;
			rest /= count;
			in->var_names[k] = pl_text(row->u.map.pairs[k].key);
			in->var_values[k] = pl_text(pick) ? pl_text(pick) : "";
		}
		if (cicd__buf_printf(&b, "%s: [", name))
			goto oom;
		for (k = 0; k < keys; k++)
			if (cicd__buf_printf(&b, "%s%s", k ? ", " : "", in->var_values[k]))
				goto oom;
		if (cicd__buf_putc(&b, ']'))
			goto oom;
		in->name = pl_strdup(c, b.ptr);
		cicd_buf_dispose(&b);
		if (!in->name)
			return -1;
		continue;
	oom:
		cicd_buf_dispose(&b);
		pl_oom(c);
		return -1;
	}
	return 0;
}

int pl_instances(pl_ctx *c, const char *name, const cicd_node *parallel, pl_instance **out, size_t *count)
{
	pl_instance *items;
	size_t n = 0, total, i;
	long long v = 0;
	const cicd_node *matrix = pl_is_map(parallel) ? pl_get(parallel, "matrix") : NULL;
	*out = NULL;
	*count = 0;
	if (matrix) {
		total = pl_matrix_size(matrix);
	} else if (parallel) {
		if (cicd__scalar_int(parallel, &v) || v < 1 || v > 200)
			return 0;
		total = (size_t)v;
	} else {
		total = 1;
	}
	if (!total || total > 200)
		return 0;
	items = cicd__arena_calloc(&c->p->arena, total, sizeof *items);
	if (!items) {
		pl_oom(c);
		return -1;
	}
	if (matrix) {
		for (i = 0; i < matrix->count; i++)
			if (matrix_row(c, name, matrix->u.seq.items[i], items, &n))
				return -1;
	} else if (parallel) {
		for (i = 0; i < total; i++) {
			items[i].name = pl_sprintf(c, "%s %zu/%zu", name, i + 1, total);
			if (!items[i].name)
				return -1;
		}
		n = total;
	} else {
		items[0].name = name;
		n = 1;
	}
	*out = items;
	*count = n;
	return 0;
}
