/*
 * libcicd — branch and tag policy, and the next version from commits.
 *
 * A policy file (YAML, docs/policy.md) names the kinds of branches a
 * project allows (RE2 patterns with named captures), which kinds are
 * protected, which merge-request flows are allowed, the release tag
 * pattern (`v{major}.{minor}.{patch}`) and the branches release tags are
 * made on. Checking an event (a push, a merge request, a tag) gives a
 * result: allowed or not, every violated rule with its message, and the
 * captures.
 *
 * A loaded policy is immutable and may be shared between threads.
 */
#ifndef INCLUDE_cicd_policy_h__
#define INCLUDE_cicd_policy_h__

#include "buffer.h"
#include "common.h"
#include "semver.h"

CICD_BEGIN_DECL

/* a loaded policy file (docs/policy.md) */
typedef struct cicd_policy cicd_policy;
typedef struct cicd_policy_result cicd_policy_result;

#define CICD_POLICY_OPTIONS_VERSION 1
typedef struct cicd_policy_options {
	unsigned int version;    /* CICD_POLICY_OPTIONS_VERSION */
	size_t max_bytes;        /* largest policy file (default 1 MiB) */
	size_t max_branch_kinds; /* most branch kinds (default 256) */
	size_t max_name_length;  /* longest branch or tag name checked (default 1024 bytes) */
} cicd_policy_options;

#define CICD_POLICY_OPTIONS_INIT                                                                                       \
	{                                                                                                              \
		CICD_POLICY_OPTIONS_VERSION, 1u << 20, 256, 1024                                                       \
	}

/* Fills opts with the defaults of `version`; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_policy_options_init(cicd_policy_options *opts, unsigned int version);

/*
 * Loads a policy from YAML text (name is used in messages) or a file.
 * Returns 0, CICD_EPARSE / CICD_EVALIDATE (file, line and column of the
 * offending node are set), CICD_ELIMIT, CICD_EIO or CICD_ENOMEM. Free with
 * cicd_policy_free().
 */
CICD_EXTERN(int)
cicd_policy_load_buffer(cicd_policy **out, const char *data, size_t len, const char *name,
                        const cicd_policy_options *opts);
CICD_EXTERN(int) cicd_policy_load_file(cicd_policy **out, const char *path, const cicd_policy_options *opts);

/* Frees a policy; NULL is fine. */
CICD_EXTERN(void) cicd_policy_free(cicd_policy *policy);

/*
 * Checks an event. Each returns 0 with a result in *out (allowed or not),
 * or CICD_EINVALID / CICD_ENOMEM. Free the result with
 * cicd_policy_result_free().
 *   push: a direct push to `branch`;
 *   merge request: from `source` into `target`;
 *   tag: `tag` created on `branch`, with the repository's existing tags.
 */
CICD_EXTERN(int) cicd_policy_check_push(cicd_policy_result **out, const cicd_policy *policy, const char *branch);
CICD_EXTERN(int)
cicd_policy_check_merge_request(cicd_policy_result **out, const cicd_policy *policy, const char *source,
                                const char *target);
CICD_EXTERN(int)
cicd_policy_check_tag(cicd_policy_result **out, const cicd_policy *policy, const char *tag, const char *branch,
                      const char *const *existing_tags, size_t existing_count);

/* Frees a result; NULL is fine. */
CICD_EXTERN(void) cicd_policy_result_free(cicd_policy_result *result);

/* 1 when the event is allowed (no violation), 0 when not. */
CICD_EXTERN(int) cicd_policy_result_allowed(const cicd_policy_result *result);

/*
 * The violated rules: an identifier ("branch-name", "protected-branch",
 * "merge-flow", "tag-pattern", "tag-branch", "tag-order") and a message.
 * Borrowed; live as long as the result. NULL when i is out of range.
 */
CICD_EXTERN(size_t) cicd_policy_result_violation_count(const cicd_policy_result *result);
CICD_EXTERN(const char *) cicd_policy_result_violation_rule(const cicd_policy_result *result, size_t i);
CICD_EXTERN(const char *) cicd_policy_result_violation_message(const cicd_policy_result *result, size_t i);

/*
 * Named captures, in order: for a push the branch's ("issue", "slug"),
 * for a merge request "source.<name>" and "target.<name>", for a tag
 * "major", "minor", "patch" (and "prerelease" when the pattern has it).
 * Borrowed. NULL when i is out of range.
 */
CICD_EXTERN(size_t) cicd_policy_result_capture_count(const cicd_policy_result *result);
CICD_EXTERN(const char *) cicd_policy_result_capture_name(const cicd_policy_result *result, size_t i);
CICD_EXTERN(const char *) cicd_policy_result_capture_value(const cicd_policy_result *result, size_t i);

/* The matched branch kind ("feature"), for a merge request the source's; "" when none. Borrowed. */
CICD_EXTERN(const char *) cicd_policy_result_kind(const cicd_policy_result *result);

/* Appends the result as a JSON object ({"allowed":..,"violations":[..],"captures":{..}}). */
CICD_EXTERN(int) cicd_policy_result_to_json(cicd_buf *out, const cicd_policy_result *result);

/*
 * The version a release tag names under the policy's tag pattern
 * ("v1.4.0" -> 1.4.0). CICD_ENOTFOUND when the tag does not match.
 */
CICD_EXTERN(int) cicd_policy_tag_version(cicd_semver **out, const cicd_policy *policy, const char *tag);

/*
 * Appends the release tag of version v under the policy's tag pattern
 * (1.4.0 -> "v1.4.0"). CICD_EINVALID when v has a pre-release the pattern
 * has no {prerelease} for, or the pattern's {prerelease} and v has none.
 */
CICD_EXTERN(int) cicd_policy_release_tag(cicd_buf *out, const cicd_policy *policy, const cicd_semver *v);

/* Conventional Commits: the bump one commit message asks for (CICD_SEMVER_NONE, _PATCH, _MINOR or _MAJOR). */
CICD_EXTERN(cicd_semver_release) cicd_policy_commit_bump(const char *message, size_t len);

#define CICD_POLICY_NEXT_OPTIONS_VERSION 1
typedef struct cicd_policy_next_options {
	unsigned int version; /* CICD_POLICY_NEXT_OPTIONS_VERSION */
	/* a pre-release for dev builds: NEXT-PRE_ID.N (1.3.0-dev.7); NULL for a release */
	const char *pre_id;
	/* N of the pre-release; (unsigned long long)-1 means the number of commits */
	unsigned long long pre_number;
} cicd_policy_next_options;

#define CICD_POLICY_NEXT_OPTIONS_INIT                                                                                  \
	{                                                                                                              \
		CICD_POLICY_NEXT_OPTIONS_VERSION, NULL, (unsigned long long)-1                                         \
	}

/*
 * The next version after `last` for the given commit messages (newest
 * first or last, order does not matter): the largest bump any commit asks
 * for, with the 0.x rules (below 1.0.0 a breaking change bumps minor and a
 * feature bumps patch). Without a bump the result is `last` itself, or for
 * a pre-release the next patch. *bump (may be NULL) gets the bump applied.
 * Returns 0, CICD_EINVALID (bad pre_id) or CICD_ENOMEM.
 */
CICD_EXTERN(int)
cicd_policy_next_version(cicd_semver **out, cicd_semver_release *bump, const cicd_semver *last,
                         const char *const *messages, const size_t *lengths, size_t count,
                         const cicd_policy_next_options *opts);

CICD_END_DECL

#endif
