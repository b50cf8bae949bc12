/*
 * cicd manifest validate|order|render|diff|hash — Kubernetes manifests
 * through the library's manifest module. Exit codes: docs/cli.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "cicd manifest validate [-R] [--openapi FILE] FILE|DIR...\n"
    "       cicd manifest order [-R] [--delete] FILE|DIR...\n"
    "       cicd manifest render [-R] [--image NAME=REF]... [--label K=V]... [--annotation K=V]...\n"
    "                            [--templates] [--namespace NS] [--order apply|delete|source]\n"
    "                            [--format yaml|json] FILE|DIR...\n"
    "       cicd manifest diff [-R] [--format text|json] [--exit-code] OLD NEW\n"
    "       cicd manifest hash [-R] [--objects] FILE|DIR...";

enum { EXIT_DIFFERENT = 3 };

typedef struct {
	int recursive;
	const char *openapi;
	int delete_order;
	const char *format;
	const char *order;
	const char *ns;
	int templates;
	int exit_code;
	int objects;
	char **images, **labels, **annotations, **paths;
	int n_images, n_labels, n_annotations, n_paths;
} args;

static int needs_value(const char *opt)
{
	static const char *const with_value[] = {"--openapi", "--format", "--order",     "--namespace",
	                                         "--image",   "--label",  "--annotation"};
	size_t i;
	for (i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
		if (!strcmp(opt, with_value[i]))
			return 1;
	return 0;
}

static int parse_args(args *a, int argc, char **argv)
{
	int i;
	memset(a, 0, sizeof *a);
	a->images = calloc((size_t)argc, sizeof *a->images);
	a->labels = calloc((size_t)argc, sizeof *a->labels);
	a->annotations = calloc((size_t)argc, sizeof *a->annotations);
	a->paths = calloc((size_t)argc, sizeof *a->paths);
	if (!a->images || !a->labels || !a->annotations || !a->paths)
		return cli_usage(USAGE, "out of memory");
	for (i = 2; i < argc; i++) {
		const char *o = argv[i], *v;
		if (o[0] != '-' || !o[1]) {
			a->paths[a->n_paths++] = argv[i];
			continue;
		}
		if (needs_value(o)) {
			if (i + 1 >= argc)
				return cli_usage(USAGE, "%s needs a value", o);
			v = argv[++i];
			if (!strcmp(o, "--openapi"))
				a->openapi = v;
			else if (!strcmp(o, "--format"))
				a->format = v;
			else if (!strcmp(o, "--order"))
				a->order = v;
			else if (!strcmp(o, "--namespace"))
				a->ns = v;
			else if (!strcmp(o, "--image"))
				a->images[a->n_images++] = argv[i];
			else if (!strcmp(o, "--label"))
				a->labels[a->n_labels++] = argv[i];
			else
				a->annotations[a->n_annotations++] = argv[i];
		} else if (cli_is(o, "-R", "--recursive")) {
			a->recursive = 1;
		} else if (!strcmp(o, "--delete")) {
			a->delete_order = 1;
		} else if (!strcmp(o, "--templates")) {
			a->templates = 1;
		} else if (!strcmp(o, "--exit-code")) {
			a->exit_code = 1;
		} else if (!strcmp(o, "--objects")) {
			a->objects = 1;
		} else {
			return cli_usage(USAGE, "unknown option '%s'", o);
		}
	}
	return 0;
}

static void free_args(args *a)
{
	free(a->images);
	free(a->labels);
	free(a->annotations);
	free(a->paths);
}

static int load(cicd_manifest_set **out, char **paths, int n, int recursive)
{
	cicd_manifest_options opts = CICD_MANIFEST_OPTIONS_INIT;
	int i;
	opts.flags = recursive ? CICD_MANIFEST_RECURSIVE : 0;
	if (cicd_manifest_set_new(out) < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (cicd_manifest_set_add_path(*out, paths[i], &opts) < 0) {
			cli_print_error();
			cicd_manifest_set_free(*out);
			*out = NULL;
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	if (!f)
		return NULL;
	data = cli_read_all(f, len);
	fclose(f);
	return data;
}

static int do_validate(args *a)
{
	cicd_manifest_validate_options vo = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_manifest_set *set = NULL;
	cicd_diagnostics *diags = NULL;
	char *schema = NULL;
	size_t i, len = 0;
	int rc;
	if ((rc = load(&set, a->paths, a->n_paths, a->recursive)))
		return rc;
	if (a->openapi) {
		schema = read_file(a->openapi, &len);
		if (!schema) {
			fprintf(stderr, "%s: cannot read the OpenAPI document\n", a->openapi);
			cicd_manifest_set_free(set);
			return EXIT_FAIL;
		}
		vo.openapi = schema;
		vo.openapi_len = len;
	}
	rc = cicd_manifest_set_validate(&diags, set, &vo);
	if (rc < 0 && !diags) {
		cli_print_error();
	} else {
		for (i = 0; i < cicd_diagnostics_count(diags); i++)
			cli_print_diagnostic(stderr, cicd_diagnostics_get(diags, i));
		if (rc == 0)
			printf("%zu objects valid\n", cicd_manifest_set_count(set));
	}
	cicd_diagnostics_free(diags);
	cicd_manifest_set_free(set);
	free(schema);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

static int do_order(args *a)
{
	cicd_manifest_set *set = NULL;
	size_t i;
	int rc;
	if ((rc = load(&set, a->paths, a->n_paths, a->recursive)))
		return rc;
	cicd_manifest_set_sort(set, a->delete_order ? CICD_MANIFEST_ORDER_DELETE : CICD_MANIFEST_ORDER_APPLY);
	for (i = 0; i < cicd_manifest_set_count(set); i++) {
		const cicd_manifest *o = cicd_manifest_set_get(set, i);
		const char *ns = cicd_manifest_namespace(o), *name = cicd_manifest_name(o);
		printf("%s %s%s%s\n", cicd_manifest_kind(o), ns, *ns ? "/" : "",
		       *name ? name : cicd_manifest_generate_name(o));
	}
	cicd_manifest_set_free(set);
	return EXIT_OK;
}

/* NAME=REF with REF one of NEWNAME[:TAG][@DIGEST], :TAG or @DIGEST. */
static int apply_image(cicd_manifest_set *set, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *name, *ref, *digest, *tag = NULL, *p, *slash;
	int rc;
	if (!eq || eq == spec || !eq[1])
		return cli_usage(USAGE, "--image takes NAME=REF, not '%s'", spec);
	name = strndup(spec, (size_t)(eq - spec));
	ref = strdup(eq + 1);
	if (!name || !ref) {
		free(name);
		free(ref);
		return cli_usage(USAGE, "out of memory");
	}
	digest = strchr(ref, '@');
	if (digest)
		*digest++ = '\0';
	slash = strrchr(ref, '/');
	p = strrchr(slash ? slash : ref, ':');
	if (p) {
		*p = '\0';
		tag = p + 1;
	}
	rc = cicd_manifest_set_image(NULL, set, name, *ref ? ref : NULL, tag, digest);
	free(name);
	free(ref);
	if (rc < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int apply_meta(cicd_manifest_set *set, const char *spec, int label, unsigned int flags)
{
	const char *eq = strchr(spec, '=');
	char *key;
	int rc;
	if (!eq || eq == spec)
		return cli_usage(USAGE, "--%s takes KEY=VALUE, not '%s'", label ? "label" : "annotation", spec);
	key = strndup(spec, (size_t)(eq - spec));
	if (!key)
		return cli_usage(USAGE, "out of memory");
	rc = label ? cicd_manifest_set_label(set, key, eq + 1, flags)
	           : cicd_manifest_set_annotation(set, key, eq + 1, flags);
	free(key);
	if (rc < 0) {
		cli_print_error();
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int do_render(args *a)
{
	cicd_manifest_set *set = NULL;
	cicd_manifest_format format = CICD_MANIFEST_FORMAT_YAML;
	cicd_manifest_order order = CICD_MANIFEST_ORDER_APPLY;
	unsigned int flags = a->templates ? CICD_MANIFEST_META_TEMPLATES : 0;
	cicd_buf out = CICD_BUF_INIT;
	int i, rc;
	if (a->format && !strcmp(a->format, "json"))
		format = CICD_MANIFEST_FORMAT_JSON;
	else if (a->format && strcmp(a->format, "yaml"))
		return cli_usage(USAGE, "--format must be yaml or json");
	if (a->order && !strcmp(a->order, "delete"))
		order = CICD_MANIFEST_ORDER_DELETE;
	else if (a->order && !strcmp(a->order, "source"))
		order = CICD_MANIFEST_ORDER_SOURCE;
	else if (a->order && strcmp(a->order, "apply"))
		return cli_usage(USAGE, "--order must be apply, delete or source");
	if ((rc = load(&set, a->paths, a->n_paths, a->recursive)))
		return rc;
	for (i = 0; !rc && i < a->n_images; i++)
		rc = apply_image(set, a->images[i]);
	for (i = 0; !rc && i < a->n_labels; i++)
		rc = apply_meta(set, a->labels[i], 1, flags);
	for (i = 0; !rc && i < a->n_annotations; i++)
		rc = apply_meta(set, a->annotations[i], 0, flags);
	if (!rc && a->ns && cicd_manifest_set_namespace(set, a->ns) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
	}
	if (!rc && cicd_manifest_set_sort(set, order) < 0)
		rc = EXIT_FAIL;
	if (!rc && cicd_manifest_set_render(&out, set, format, CICD_FORMAT_PRETTY) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
	}
	if (!rc && out.size)
		fwrite(out.ptr, 1, out.size, stdout);
	cicd_buf_dispose(&out);
	cicd_manifest_set_free(set);
	return rc;
}

static int do_diff(args *a)
{
	cicd_manifest_set *old_set = NULL, *new_set = NULL;
	cicd_manifest_diff *diff = NULL;
	cicd_manifest_diff_format format = CICD_MANIFEST_DIFF_TEXT;
	cicd_buf out = CICD_BUF_INIT;
	int rc;
	if (a->n_paths != 2)
		return cli_usage(USAGE, "diff takes OLD and NEW");
	if (a->format && !strcmp(a->format, "json"))
		format = CICD_MANIFEST_DIFF_JSON;
	else if (a->format && strcmp(a->format, "text"))
		return cli_usage(USAGE, "--format must be text or json");
	if ((rc = load(&old_set, a->paths, 1, a->recursive)) || (rc = load(&new_set, a->paths + 1, 1, a->recursive))) {
		cicd_manifest_set_free(old_set);
		return rc;
	}
	if (cicd_manifest_diff_new(&diff, old_set, new_set) < 0 || cicd_manifest_diff_render(&out, diff, format) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
	} else {
		fwrite(out.ptr, 1, out.size, stdout);
		if (a->exit_code && cicd_manifest_diff_count(diff))
			rc = EXIT_DIFFERENT;
	}
	cicd_buf_dispose(&out);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(old_set);
	cicd_manifest_set_free(new_set);
	return rc;
}

static int do_hash(args *a)
{
	cicd_manifest_set *set = NULL;
	char hash[CICD_MANIFEST_HASH_SIZE];
	size_t i;
	int rc;
	if ((rc = load(&set, a->paths, a->n_paths, a->recursive)))
		return rc;
	for (i = 0; a->objects && i < cicd_manifest_set_count(set); i++) {
		const cicd_manifest *o = cicd_manifest_set_get(set, i);
		const char *ns = cicd_manifest_namespace(o);
		if (cicd_manifest_hash(hash, sizeof hash, o) < 0) {
			cli_print_error();
			cicd_manifest_set_free(set);
			return EXIT_FAIL;
		}
		printf("%s %s %s%s%s\n", hash, cicd_manifest_kind(o), ns, *ns ? "/" : "", cicd_manifest_name(o));
	}
	if (cicd_manifest_set_hash(hash, sizeof hash, set) < 0) {
		cli_print_error();
		rc = EXIT_FAIL;
	} else {
		printf("%s%s\n", hash, a->objects ? " (set)" : "");
	}
	cicd_manifest_set_free(set);
	return rc;
}

int cmd_manifest(int argc, char **argv)
{
	args a;
	const char *sub;
	int rc;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 2)
			return cli_usage(USAGE, "missing subcommand");
		printf("usage: %s\n\nReads Kubernetes manifests (YAML streams, JSON, kind: List) from files and "
		       "directories\n(*.yaml, *.yml, *.json; -R walks subdirectories). See docs/cli.md.\n",
		       USAGE);
		return EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "validate") && strcmp(sub, "order") && strcmp(sub, "render") && strcmp(sub, "diff") &&
	    strcmp(sub, "hash"))
		return cli_usage(USAGE, "unknown subcommand '%s'", sub);
	if ((rc = parse_args(&a, argc, argv))) {
		free_args(&a);
		return rc;
	}
	if (!a.n_paths) {
		free_args(&a);
		return cli_usage(USAGE, "no file or directory given");
	}
	if (!strcmp(sub, "validate"))
		rc = do_validate(&a);
	else if (!strcmp(sub, "order"))
		rc = do_order(&a);
	else if (!strcmp(sub, "render"))
		rc = do_render(&a);
	else if (!strcmp(sub, "diff"))
		rc = do_diff(&a);
	else
		rc = do_hash(&a);
	free_args(&a);
	return rc;
}
