/* cicd kaniko render — the Pod (or Job) and Secret of an unprivileged in-cluster image build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "cicd kaniko render --context CTX --destination REF... [--dockerfile F] [--build-arg K=V]... [--target T]\n"
    "       [--cache] [--cache-repo R] [--reproducible] [--snapshot-mode full|redo|time] [--no-push]\n"
    "       [--ca-bundle FILE] [--registry HOST --username U (--password-file F | --password-env VAR)]...\n"
    "       [--image IMG] [--name N] [--namespace NS] [--context-claim PVC] [--service-account SA]\n"
    "       [--cpu Q] [--memory Q] [--deadline SECONDS] [--job] [--format yaml|json]";

#define MAX_LIST 256

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	if (!f) {
		fprintf(stderr, "cicd: cannot open %s\n", path);
		return NULL;
	}
	data = cli_read_all(f, len);
	fclose(f);
	if (!data)
		fprintf(stderr, "cicd: cannot read %s\n", path);
	return data;
}

int cmd_kaniko(int argc, char **argv)
{
	cicd_kaniko_build b = CICD_KANIKO_BUILD_INIT;
	const char *dest[MAX_LIST], *bargs[MAX_LIST], *regs[MAX_LIST], *users[MAX_LIST];
	char *pws[MAX_LIST], *ca = NULL;
	size_t nd = 0, na = 0, nr = 0, nu = 0, np = 0, i, len;
	cicd_buf out = CICD_BUF_INIT;
	int rc = EXIT_OK, k;
	if (argc < 2 || cli_is(argv[1], "-h", "--help")) {
		if (argc < 2)
			return cli_usage(USAGE, "missing subcommand");
		printf(
		    "usage: %s\n\nPrints the docker-config Secret, the CA ConfigMap (with --ca-bundle) and the build\n"
		    "Pod (or Job with --job) that run the Kaniko executor unprivileged. Passwords come from a\n"
		    "file or an environment variable, never from the command line.\n",
		    USAGE);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "render"))
		return cli_usage(USAGE, "unknown subcommand '%s'", argv[1]);
	for (k = 2; k < argc; k++) {
		const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
		if (!strcmp(a, "--cache")) {
			b.flags |= CICD_KANIKO_CACHE;
			continue;
		} else if (!strcmp(a, "--reproducible")) {
			b.flags |= CICD_KANIKO_REPRODUCIBLE;
			continue;
		} else if (!strcmp(a, "--no-push")) {
			b.flags |= CICD_KANIKO_NO_PUSH;
			continue;
		} else if (!strcmp(a, "--job")) {
			b.flags |= CICD_KANIKO_AS_JOB;
			continue;
		}
		if (!v) {
			rc = cli_usage(USAGE, "%s needs an argument", a);
			goto done;
		}
		k++;
		if ((!strcmp(a, "--destination") && nd == MAX_LIST) || (!strcmp(a, "--build-arg") && na == MAX_LIST) ||
		    (!strcmp(a, "--registry") && nr == MAX_LIST) || (!strcmp(a, "--username") && nu == MAX_LIST) ||
		    (!strncmp(a, "--password-", 11) && np == MAX_LIST)) {
			rc = cli_usage(USAGE, "more than %d %s", MAX_LIST, a);
			goto done;
		}
		if (!strcmp(a, "--context"))
			b.context = v;
		else if (!strcmp(a, "--destination"))
			dest[nd++] = v;
		else if (!strcmp(a, "--dockerfile"))
			b.dockerfile = v;
		else if (!strcmp(a, "--build-arg"))
			bargs[na++] = v;
		else if (!strcmp(a, "--target"))
			b.target = v;
		else if (!strcmp(a, "--cache-repo"))
			b.cache_repo = v;
		else if (!strcmp(a, "--snapshot-mode"))
			b.snapshot_mode = v;
		else if (!strcmp(a, "--image"))
			b.image = v;
		else if (!strcmp(a, "--name"))
			b.name = v;
		else if (!strcmp(a, "--namespace"))
			b.ns = v;
		else if (!strcmp(a, "--context-claim"))
			b.context_claim = v;
		else if (!strcmp(a, "--service-account"))
			b.service_account = v;
		else if (!strcmp(a, "--cpu"))
			b.cpu_request = b.cpu_limit = v;
		else if (!strcmp(a, "--memory"))
			b.memory_request = b.memory_limit = v;
		else if (!strcmp(a, "--deadline"))
			b.active_deadline_seconds = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--format") && (!strcmp(v, "yaml") || !strcmp(v, "json")))
			b.format = !strcmp(v, "json") ? CICD_POD_FORMAT_JSON : CICD_POD_FORMAT_YAML;
		else if (!strcmp(a, "--registry"))
			regs[nr++] = v;
		else if (!strcmp(a, "--username"))
			users[nu++] = v;
		else if (!strcmp(a, "--password-env")) {
			const char *e = getenv(v);
			if (!e) {
				fprintf(stderr, "cicd: environment variable %s is not set\n", v);
				rc = EXIT_FAIL;
				goto done;
			}
			if (!(pws[np] = strdup(e)))
				goto oom;
			np++;
		} else if (!strcmp(a, "--password-file")) {
			if (!(pws[np] = read_file(v, &len))) {
				rc = EXIT_FAIL;
				goto done;
			}
			/* one trailing newline is the file's, not the password's */
			if (len && pws[np][len - 1] == '\n')
				pws[np][--len] = '\0';
			np++;
		} else if (!strcmp(a, "--ca-bundle")) {
			free(ca);
			if (!(ca = read_file(v, &len))) {
				rc = EXIT_FAIL;
				goto done;
			}
			b.ca_bundle = ca;
			b.ca_bundle_len = len;
		} else {
			rc = cli_usage(USAGE, "unknown or invalid argument '%s %s'", a, v);
			goto done;
		}
	}
	if (nr != nu || nr != np) {
		rc = cli_usage(USAGE, "each --registry needs one --username and one --password-file or --password-env");
		goto done;
	}
	b.destinations = dest;
	b.destination_count = nd;
	b.build_args = bargs;
	b.build_arg_count = na;
	b.registries = regs;
	b.usernames = users;
	b.passwords = (const char *const *)pws;
	b.credential_count = nr;
	if (cicd_kaniko_render(&out, &b) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
	} else if (out.size && fwrite(out.ptr, 1, out.size, stdout) != out.size) {
		fprintf(stderr, "cicd: writing stdout failed\n");
		rc = EXIT_FAIL;
	}
	goto done;
oom:
	fprintf(stderr, "cicd: out of memory\n");
	rc = EXIT_FAIL;
done:
	for (i = 0; i < np; i++) {
		memset(pws[i], 0, strlen(pws[i]));
		free(pws[i]);
	}
	free(ca);
	cicd_buf_dispose(&out);
	return rc;
}
