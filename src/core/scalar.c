/* YAML 1.1 scalar resolution, as Ruby's Psych (GitLab) and go-yaml (Kubernetes) read plain scalars. */
#include <string.h>

#include "document.h"

static int eq(const char *t, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(t, s, len) == 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int all_in(const char *t, size_t len, const char *set)
{
	size_t i;
	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr(set, t[i]))
			return 0;
	return 1;
}

static int is_int(const char *t, size_t len)
{
	size_t i = 0;
	if (len && (t[0] == '-' || t[0] == '+'))
		i++;
	if (i == len)
		return 0;
	if (len - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X'))
		return all_in(t + i + 2, len - i - 2, "0123456789abcdefABCDEF_");
	if (len - i > 2 && t[i] == '0' && (t[i + 1] == 'b' || t[i + 1] == 'B'))
		return all_in(t + i + 2, len - i - 2, "01_");
	if (len - i > 1 && t[i] == '0')
		return all_in(t + i + 1, len - i - 1, "01234567_");
	if (!is_digit(t[i]))
		return 0;
	return all_in(t + i, len - i, "0123456789_");
}

static int is_float(const char *t, size_t len)
{
	size_t i = 0, digits = 0;
	int dot = 0;
	if (len && (t[0] == '-' || t[0] == '+'))
		i++;
	if (eq(t + i, len - i, ".inf") || eq(t + i, len - i, ".Inf") || eq(t + i, len - i, ".INF"))
		return 1;
	if (i == 0 && (eq(t, len, ".nan") || eq(t, len, ".NaN") || eq(t, len, ".NAN")))
		return 1;
	for (; i < len; i++) {
		if (is_digit(t[i])) {
			digits++;
		} else if (t[i] == '_' && digits) {
			continue;
		} else if (t[i] == '.' && !dot) {
			dot = 1;
		} else {
			break;
		}
	}
	if (!dot || !digits)
		return 0;
	if (i == len)
		return 1;
	if (t[i] != 'e' && t[i] != 'E')
		return 0;
	i++;
	if (i < len && (t[i] == '-' || t[i] == '+'))
		i++;
	if (i == len)
		return 0;
	for (; i < len; i++)
		if (!is_digit(t[i]))
			return 0;
	return 1;
}

cicd_value_type cicd__scalar_resolve(const char *t, size_t len)
{
	if (len == 0 || eq(t, len, "~") || eq(t, len, "null") || eq(t, len, "Null") || eq(t, len, "NULL"))
		return CICD_VALUE_NULL;
	switch (t[0]) {
	case 't': case 'T': case 'f': case 'F': case 'y': case 'Y': case 'n': case 'N': case 'o': case 'O':
		if (eq(t, len, "true") || eq(t, len, "True") || eq(t, len, "TRUE") || eq(t, len, "false") ||
		    eq(t, len, "False") || eq(t, len, "FALSE") || eq(t, len, "yes") || eq(t, len, "Yes") ||
		    eq(t, len, "YES") || eq(t, len, "no") || eq(t, len, "No") || eq(t, len, "NO") ||
		    eq(t, len, "on") || eq(t, len, "On") || eq(t, len, "ON") || eq(t, len, "off") ||
		    eq(t, len, "Off") || eq(t, len, "OFF"))
			return CICD_VALUE_BOOL;
		return CICD_VALUE_STRING;
	case '-': case '+': case '.': case '0': case '1': case '2': case '3': case '4': case '5': case '6':
	case '7': case '8': case '9':
		if (is_int(t, len))
			return CICD_VALUE_INT;
		if (is_float(t, len))
			return CICD_VALUE_FLOAT;
		return CICD_VALUE_STRING;
	default:
		return CICD_VALUE_STRING;
	}
}
