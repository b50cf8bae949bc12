/*
 * policy: check a push against a branch policy and print the verdict,
 * the violated rules and the captures.
 *
 * check-args: policy/policy.yml feature/80-optimize-allocate
 */
#include <stdio.h>

#include <cicd/cicd.h>
#include <cicd/policy.h>

int main(int argc, char **argv)
{
	cicd_policy *policy = NULL;
	cicd_policy_result *result = NULL;
	size_t i;
	int allowed;
	if (argc != 3) {
		fprintf(stderr, "usage: %s POLICY BRANCH\n", argv[0]);
		return 2;
	}
	if (cicd_policy_load_file(&policy, argv[1], NULL) < 0 || cicd_policy_check_push(&result, policy, argv[2]) < 0) {
		const cicd_error *e = cicd_error_last();
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
		cicd_policy_free(policy);
		return 1;
	}
	allowed = cicd_policy_result_allowed(result);
	printf("push to %s: %s (%s)\n", argv[2], allowed ? "allowed" : "denied", cicd_policy_result_kind(result));
	for (i = 0; i < cicd_policy_result_violation_count(result); i++)
		printf("  %s\n", cicd_policy_result_violation_message(result, i));
	for (i = 0; i < cicd_policy_result_capture_count(result); i++)
		printf("  %s = %s\n", cicd_policy_result_capture_name(result, i),
		       cicd_policy_result_capture_value(result, i));
	cicd_policy_result_free(result);
	cicd_policy_free(policy);
	return allowed ? 0 : 1;
}
