/*
 * The next version from Conventional Commits 1.0.0 messages: feat bumps
 * minor, fix and perf bump patch, `!` after the type or a
 * `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer bumps major. Below 1.0.0
 * a breaking change bumps minor and a feature bumps patch (git-cliff's
 * default; release-please's bump-minor-pre-major with
 * bump-patch-for-minor-pre-major), so 0.x stays 0.x until a person says
 * 1.0.0.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "policy_internal.h"
#include "semver/semver_internal.h"

static int alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int word_is(const char *s, size_t n, const char *w)
{
	size_t i;
	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++)
		if ((s[i] | 0x20) != w[i]) /* types are case-insensitive */
			return 0;
	return 1;
}

/* A footer line "BREAKING CHANGE: ..." (upper case, as the spec requires) anywhere after the header. */
static int breaking_footer(const char *m, size_t len)
{
	size_t i = 0;
	while (i < len && m[i] != '\n')
		i++;
	while (i < len) {
		i++; /* past '\n' */
		if (len - i >= 16 && (!memcmp(m + i, "BREAKING CHANGE:", 16) || !memcmp(m + i, "BREAKING-CHANGE:", 16)))
			return 1;
		while (i < len && m[i] != '\n')
			i++;
	}
	return 0;
}

cicd_semver_release cicd_policy_commit_bump(const char *m, size_t len)
{
	size_t i = 0, type_end;
	int bang = 0;
	if (!m)
		return CICD_SEMVER_NONE;
	while (i < len && alpha(m[i]))
		i++;
	type_end = i;
	if (!type_end)
		return CICD_SEMVER_NONE;
	if (i < len && m[i] == '(') {
		i++;
		while (i < len && m[i] != ')' && m[i] != '\n' && m[i] != '(')
			i++;
		if (i >= len || m[i] != ')' || i == type_end + 1)
			return CICD_SEMVER_NONE;
		i++;
	}
	if (i < len && m[i] == '!') {
		bang = 1;
		i++;
	}
	if (len - i < 2 || m[i] != ':' || m[i + 1] != ' ')
		return CICD_SEMVER_NONE;
	if (bang || breaking_footer(m, len))
		return CICD_SEMVER_MAJOR;
	if (word_is(m, type_end, "feat"))
		return CICD_SEMVER_MINOR;
	if (word_is(m, type_end, "fix") || word_is(m, type_end, "perf"))
		return CICD_SEMVER_PATCH;
	return CICD_SEMVER_NONE;
}

static int rank(cicd_semver_release k)
{
	return k == CICD_SEMVER_MAJOR ? 3 : k == CICD_SEMVER_MINOR ? 2 : k == CICD_SEMVER_PATCH ? 1 : 0;
}

int cicd_policy_next_version(cicd_semver **out, cicd_semver_release *bump, const cicd_semver *last,
                             const char *const *messages, const size_t *lengths, size_t count,
                             const cicd_policy_next_options *opts)
{
	cicd_policy_next_options def = CICD_POLICY_NEXT_OPTIONS_INIT;
	cicd_semver_release want = CICD_SEMVER_NONE, apply;
	cicd_semver *base = NULL, *next = NULL;
	size_t i;
	int rc, zero_major;
	if (!out || !last || (!messages && count))
		return cicd__error_set(CICD_EINVALID, "cicd_policy_next_version: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &def;
	if (opts->pre_id && (!*opts->pre_id || !cicd__semver_valid_prerelease(opts->pre_id, strlen(opts->pre_id), 0)))
		return cicd__error_set(CICD_EINVALID, "invalid pre-release identifier \"%.64s\"", opts->pre_id);
	for (i = 0; i < count; i++) {
		cicd_semver_release k =
		    cicd_policy_commit_bump(messages[i], lengths ? lengths[i] : strlen(messages[i]));
		if (rank(k) > rank(want))
			want = k;
	}
	zero_major = !strcmp(cicd_semver_major(last), "0");
	apply = want;
	if (zero_major && want == CICD_SEMVER_MAJOR)
		apply = CICD_SEMVER_MINOR;
	else if (zero_major && want == CICD_SEMVER_MINOR)
		apply = CICD_SEMVER_PATCH;
	if (apply == CICD_SEMVER_NONE && opts->pre_id)
		apply = CICD_SEMVER_PATCH; /* a dev build after a release sorts after it */
	/* bump from the release the last tag names: 1.3.0-rc.1 + fix is 1.3.0, as node's inc does */
	if (apply != CICD_SEMVER_NONE) {
		rc = cicd_semver_inc(&base, last, apply, NULL, NULL);
		if (rc)
			return rc;
	} else if ((rc = cicd_semver_dup(&base, last))) {
		return rc;
	}
	if (opts->pre_id) {
		cicd_buf pre = CICD_BUF_INIT;
		unsigned long long n =
		    opts->pre_number == (unsigned long long)-1 ? (unsigned long long)count : opts->pre_number;
		rc = cicd__buf_printf(&pre, "%s.%llu", opts->pre_id, n);
		if (!rc)
			rc = cicd__semver_make(&next, cicd_semver_major(base), strlen(cicd_semver_major(base)),
			                       cicd_semver_minor(base), strlen(cicd_semver_minor(base)),
			                       cicd_semver_patch(base), strlen(cicd_semver_patch(base)), pre.ptr,
			                       pre.size, "", 0);
		cicd_buf_dispose(&pre);
		cicd_semver_free(base);
		if (rc)
			return rc;
		base = next;
	}
	if (bump)
		*bump = apply;
	*out = base;
	return 0;
}
