/* Internal: the layout of a parsed version and the helpers shared by the semver files. */
#ifndef CICD_SEMVER_INTERNAL_H
#define CICD_SEMVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cicd/semver.h"

/*
 * One allocation: the normalized text "M.m.p-pre+build", a NUL, then the
 * parts again, each NUL-terminated, for the borrowed getters. Offsets are
 * into text.
 */
struct cicd_semver {
	/* major, minor, patch as numbers when they have at most 19 digits, else SEMVER_BIG: keeps most
	   comparisons in the first cache line */
	uint64_t num[3];
	uint32_t len;      /* text length */
	uint32_t main_len; /* text length without "+build" */
	uint32_t off[5];   /* major, minor, patch, pre, build */
	uint32_t plen[5];
	uint32_t part_off[5]; /* offsets of the NUL-terminated copies after text */
	char text[];
};

#define SEMVER_BIG UINT64_MAX

enum { SV_MAJOR, SV_MINOR, SV_PATCH, SV_PRE, SV_BUILD };

/*
 * Parse modes: the SemVer grammar exactly; node-semver's default (trimmed,
 * one optional leading `v`), which its ranges use; and loose.
 */
typedef enum { SEMVER_MODE_SPEC, SEMVER_MODE_NODE, SEMVER_MODE_LOOSE } semver_mode;

int cicd__semver_parse_mode(cicd_semver **out, const char *text, size_t len, semver_mode mode, size_t max_length);

/* The same, building the version in buf (cap bytes, aligned) when it fits; *out == buf then, else free it. */
int cicd__semver_parse_in(cicd_semver **out, void *buf, size_t cap, const char *text, size_t len, semver_mode mode,
                          size_t max_length);

/* Builds a version from already valid, normalized parts (pre and build may be empty). */
int cicd__semver_make(cicd_semver **out, const char *major, size_t major_len, const char *minor, size_t minor_len,
                      const char *patch, size_t patch_len, const char *pre, size_t pre_len, const char *build,
                      size_t build_len);

/* Length in bytes of the JavaScript whitespace character at s (\s and String.trim()), or 0. */
size_t cicd__js_space(const char *s, size_t len);

/* Length of text in UTF-16 code units, as JavaScript's String.length counts it. */
size_t cicd__utf16_length(const char *s, size_t len);

/* Compares digit strings by value (leading zeros ignored): -1, 0, 1. */
int cicd__semver_cmp_digits(const char *a, size_t al, const char *b, size_t bl);

/* Writes the decimal digits of (digits + 1), leading zeros dropped, into out (room for len + 2). Returns its length. */
size_t cicd__semver_digits_inc(char *out, const char *digits, size_t len);

/* node-semver's compareIdentifiers on two identifiers. */
int cicd__semver_cmp_ident(const char *a, size_t al, const char *b, size_t bl);

/* Validates a preid for inc (a dot-separated pre-release, loose or strict). */
int cicd__semver_valid_prerelease(const char *s, size_t len, int loose);

#endif
