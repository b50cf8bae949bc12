/*
 * semver: sort versions, pick the newest one a range allows, and bump it.
 *
 * check-args: ^1.2 1.2.3 1.10.0 1.2.10 2.0.0-rc.1 1.3.0-beta.1
 */
#include <stdio.h>
#include <string.h>

#include <cicd/cicd.h>
#include <cicd/semver.h>

int main(int argc, char **argv)
{
	cicd_semver *versions[64];
	cicd_semver_range *range = NULL;
	cicd_semver *next = NULL;
	size_t n = 0, i, best;
	int status = 1;
	if (argc < 3 || argc - 2 > 64) {
		fprintf(stderr, "usage: %s RANGE VERSION...\n", argv[0]);
		return 2;
	}
	if (cicd_semver_range_parse(&range, argv[1], strlen(argv[1]), NULL) < 0)
		goto fail;
	for (i = 2; i < (size_t)argc; i++, n++)
		if (cicd_semver_parse(&versions[n], argv[i], strlen(argv[i]), NULL) < 0)
			goto fail;
	if (cicd_semver_sort(versions, n, 0) < 0)
		goto fail;
	printf("sorted:");
	for (i = 0; i < n; i++)
		printf(" %s", cicd_semver_text(versions[i]));
	printf("\nrange %s means %s\n", argv[1], cicd_semver_range_text(range));
	if (cicd_semver_max_satisfying(&best, versions, n, range) < 0)
		goto fail;
	if (cicd_semver_inc(&next, versions[best], CICD_SEMVER_MINOR, NULL, NULL) < 0)
		goto fail;
	printf("newest allowed: %s, next minor: %s\n", cicd_semver_text(versions[best]), cicd_semver_text(next));
	status = 0;
	goto done;
fail:
	fprintf(stderr, "error: %s\n", cicd_error_last()->message);
done:
	cicd_semver_free(next);
	for (i = 0; i < n; i++)
		cicd_semver_free(versions[i]);
	cicd_semver_range_free(range);
	return status;
}
