/*
 * Name syntax as Kubernetes validates it (apimachinery's
 * pkg/util/validation): DNS-1123 labels and subdomains, DNS-1035 labels,
 * path segments, qualified names (label and annotation keys) and label
 * values. Each check returns NULL when valid, else the reason, worded as
 * the API server words it.
 */
#include <string.h>

#include "manifest.h"

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static int is_label(const char *s, size_t len)
{
	size_t i;
	if (!len || !lower_alnum(s[0]) || !lower_alnum(s[len - 1]))
		return 0;
	for (i = 1; i + 1 < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

const char *cicd__check_dns1123_label(const char *s, size_t len)
{
	if (len > 63)
		return "must be no more than 63 characters";
	if (!is_label(s, len))
		return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
		       "and must start and end with an alphanumeric character";
	return NULL;
}

static int is_subdomain(const char *s, size_t len)
{
	size_t start = 0, i;
	if (!len)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (!is_label(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

const char *cicd__check_dns1123_subdomain(const char *s, size_t len)
{
	if (len > 253)
		return "must be no more than 253 characters";
	if (!is_subdomain(s, len))
		return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
		       "and must start and end with an alphanumeric character";
	return NULL;
}

const char *cicd__check_dns1035_label(const char *s, size_t len)
{
	if (len > 63)
		return "must be no more than 63 characters";
	if (!is_label(s, len) || !(s[0] >= 'a' && s[0] <= 'z'))
		return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
		       "start with an alphabetic character, and end with an alphanumeric character";
	return NULL;
}

const char *cicd__check_path_segment(const char *s, size_t len)
{
	if (!len)
		return "must not be empty";
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return "may not be '.' or '..'";
	if (memchr(s, '/', len) || memchr(s, '%', len))
		return "may not contain '/' or '%'";
	return NULL;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 */
static const char *check_name_part(const char *s, size_t len)
{
	size_t i;
	if (!len)
		return "name part must be non-empty";
	if (len > 63)
		return "name part must be no more than 63 characters";
	if (!alnum(s[0]) || !alnum(s[len - 1]))
		return "name part must consist of alphanumeric characters, '-', '_' or '.', "
		       "and must start and end with an alphanumeric character";
	for (i = 1; i + 1 < len; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return "name part must consist of alphanumeric characters, '-', '_' or '.', "
			       "and must start and end with an alphanumeric character";
	return NULL;
}

const char *cicd__check_qualified_name(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	if (slash) {
		size_t plen = (size_t)(slash - s);
		if (!plen)
			return "prefix part must be non-empty";
		if (plen > 253 || !is_subdomain(s, plen))
			return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
			       "characters, '-' or '.', and must start and end with an alphanumeric character";
		if (memchr(slash + 1, '/', len - plen - 1))
			return "a qualified name must consist of an optional DNS subdomain prefix and '/' "
			       "followed by a name part";
		return check_name_part(slash + 1, len - plen - 1);
	}
	return check_name_part(s, len);
}

const char *cicd__check_label_value(const char *s, size_t len)
{
	size_t i;
	if (!len)
		return NULL;
	if (len > 63)
		return "must be no more than 63 characters";
	if (!alnum(s[0]) || !alnum(s[len - 1]))
		return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
		       "and must start and end with an alphanumeric character";
	for (i = 1; i + 1 < len; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
			       "or '.', and must start and end with an alphanumeric character";
	return NULL;
}
