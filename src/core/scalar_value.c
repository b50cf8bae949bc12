#include "scalar_value.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cicd__scalar_bool(const cicd_node *n)
{
	const char *t;
	if (!n || n->kind != CICD_NODE_SCALAR || n->value_type != CICD_VALUE_BOOL)
		return -1;
	t = n->u.scalar.text;
	if (t[0] == 't' || t[0] == 'T' || t[0] == 'y' || t[0] == 'Y' || ((t[0] == 'o' || t[0] == 'O') && (t[1] == 'n' || t[1] == 'N')))
		return 1;
	return 0;
}

/* Copies text without underscores; 0 when it does not fit. */
static int strip_underscores(const char *t, size_t len, char *out, size_t cap)
{
	size_t i, j = 0;
	for (i = 0; i < len; i++) {
		if (t[i] == '_')
			continue;
		if (j + 1 >= cap)
			return 0;
		out[j++] = t[i];
	}
	out[j] = '\0';
	return 1;
}

int cicd__scalar_int(const cicd_node *n, long long *out)
{
	char tmp[128];
	const char *p;
	char *end;
	int neg = 0, base = 10;
	unsigned long long v;
	if (!n || n->kind != CICD_NODE_SCALAR || n->value_type != CICD_VALUE_INT)
		return CICD_EINVALID;
	if (!strip_underscores(n->u.scalar.text, n->len, tmp, sizeof tmp))
		return CICD_EINVALID;
	p = tmp;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p += 1;
	}
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || *end || end == p)
		return CICD_EINVALID;
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1ULL)
			return CICD_EINVALID;
		*out = v == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)v;
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return CICD_EINVALID;
		*out = (long long)v;
	}
	return 0;
}

int cicd__scalar_double(const cicd_node *n, double *out)
{
	char tmp[128];
	char *end;
	long long iv;
	const char *t;
	if (!n || n->kind != CICD_NODE_SCALAR)
		return CICD_EINVALID;
	if (n->value_type == CICD_VALUE_INT) {
		if (cicd__scalar_int(n, &iv))
			return CICD_EINVALID;
		*out = (double)iv;
		return 0;
	}
	if (n->value_type != CICD_VALUE_FLOAT)
		return CICD_EINVALID;
	t = n->u.scalar.text;
	if (strstr(t, "inf") || strstr(t, "Inf") || strstr(t, "INF")) {
		*out = t[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (strstr(t, "nan") || strstr(t, "NaN") || strstr(t, "NAN")) {
		*out = NAN;
		return 0;
	}
	if (!strip_underscores(t, n->len, tmp, sizeof tmp))
		return CICD_EINVALID;
	errno = 0;
	*out = strtod(tmp, &end);
	if (*end || errno == ERANGE)
		return CICD_EINVALID;
	return 0;
}
