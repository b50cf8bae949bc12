/*
 * libFuzzer target: the policy file loader, then every kind of event on
 * names taken from the input, and next versions from its lines. Any crash,
 * leak, sanitizer report or hang is a bug.
 */
#include <stdint.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cicd_policy_options opts = CICD_POLICY_OPTIONS_INIT;
	cicd_policy *p = NULL;
	cicd_policy_result *r = NULL;
	static const char *const names[] = {
	    "master", "dev", "feature/80-optimize-allocate", "hotfix/x", "", "v1.2.3", "v1.10.0", "feature/0-x"};
	const char *msgs[2] = {(const char *)data, "fix: y"};
	size_t lens[2] = {size, 6}, i, j;
	cicd_semver *last = NULL, *next = NULL;
	opts.max_bytes = 1 << 16;
	cicd_policy_commit_bump((const char *)data, size);
	if (cicd_semver_parse(&last, "0.9.9", 5, NULL) == 0) {
		cicd_policy_next_options vo = CICD_POLICY_NEXT_OPTIONS_INIT;
		vo.pre_id = size & 1 ? "dev" : NULL;
		if (cicd_policy_next_version(&next, NULL, last, msgs, lens, 2, &vo) == 0)
			cicd_semver_free(next);
		cicd_semver_free(last);
	}
	if (cicd_policy_load_buffer(&p, (const char *)data, size, "fuzz.yml", &opts) != 0)
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (cicd_policy_check_push(&r, p, names[i]) == 0) {
			cicd_buf out = CICD_BUF_INIT;
			cicd_policy_result_to_json(&out, r);
			cicd_buf_dispose(&out);
			cicd_policy_result_free(r);
		}
		for (j = 0; j < sizeof names / sizeof names[0]; j++)
			if (cicd_policy_check_merge_request(&r, p, names[i], names[j]) == 0)
				cicd_policy_result_free(r);
		if (cicd_policy_check_tag(&r, p, names[i], names[(i + 1) % 8], names, 8) == 0)
			cicd_policy_result_free(r);
	}
	cicd_policy_free(p);
	return 0;
}
