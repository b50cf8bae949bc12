/*
 * kaniko: render an unprivileged in-cluster image build (a Job running the
 * Kaniko executor and the Secret it pushes with) for a context and a
 * destination given on the command line, or built-in ones.
 *
 * check-args: git://example.com/acme/shop.git registry.example.com/acme/shop:1.0.0
 */
#include <stdio.h>
#include <stdlib.h>

#include <cicd/cicd.h>

int main(int argc, char **argv)
{
	cicd_kaniko_build build = CICD_KANIKO_BUILD_INIT;
	const char *destinations[1];
	const char *registries[] = {"registry.example.com"}, *users[] = {"ci"}, *passwords[1];
	cicd_buf out = CICD_BUF_INIT;
	/* a real program reads the password from a file or the environment, never from argv */
	passwords[0] = getenv("REGISTRY_PASSWORD") ? getenv("REGISTRY_PASSWORD") : "example-password";
	destinations[0] = argc > 2 ? argv[2] : "registry.example.com/acme/shop:latest";
	build.flags = CICD_KANIKO_AS_JOB | CICD_KANIKO_CACHE | CICD_KANIKO_REPRODUCIBLE;
	build.name = "shop-build";
	build.ns = "ci";
	build.context = argc > 1 ? argv[1] : "git://example.com/acme/shop.git";
	build.destinations = destinations;
	build.destination_count = 1;
	build.registries = registries;
	build.usernames = users;
	build.passwords = passwords;
	build.credential_count = 1;
	build.active_deadline_seconds = 3600;
	if (cicd_kaniko_render(&out, &build) < 0) {
		fprintf(stderr, "kaniko: %s\n", cicd_error_last()->message);
		return 1;
	}
	fputs(out.ptr, stdout);
	cicd_buf_dispose(&out);
	return 0;
}
