/*
 * expr: compile a rules:if expression once and evaluate it for several
 * branches, the way a planner decides whether a job runs.
 *
 * The arguments are joined with spaces into one expression.
 *
 * check-args: $CI_COMMIT_BRANCH =~ /^feature\// || $CI_COMMIT_BRANCH == "dev"
 */
#include <stdio.h>
#include <string.h>

#include <cicd/cicd.h>

static int lookup(const char **value, size_t *len, const char *name, void *payload)
{
	if (strcmp(name, "CI_COMMIT_BRANCH") != 0)
		return 0;
	*value = payload;
	*len = strlen(*value);
	return 1;
}

int main(int argc, char **argv)
{
	static const char *const branches[] = {"feature/80-optimize-allocate", "dev", "master"};
	cicd_expr *expr = NULL;
	char text[4096] = "";
	size_t i, used = 0;
	int a;
	if (argc < 2) {
		fprintf(stderr, "usage: %s EXPRESSION...\n", argv[0]);
		return 2;
	}
	for (a = 1; a < argc; a++) {
		size_t n = strlen(argv[a]);
		if (used + n + 2 > sizeof text) {
			fprintf(stderr, "expression too long\n");
			return 2;
		}
		if (a > 1)
			text[used++] = ' ';
		memcpy(text + used, argv[a], n + 1);
		used += n;
	}
	if (cicd_expr_compile(&expr, text, used, NULL) != 0) {
		const cicd_error *e = cicd_error_last();
		fprintf(stderr, "%u:%u: %s\n", e->line, e->column, e->message);
		return 1;
	}
	for (i = 0; i < sizeof branches / sizeof branches[0]; i++) {
		int result = 0;
		if (cicd_expr_eval(&result, expr, lookup, (void *)branches[i]) != 0) {
			fprintf(stderr, "%s\n", cicd_error_last()->message);
			cicd_expr_free(expr);
			return 1;
		}
		printf("%-30s %s\n", branches[i], result ? "true" : "false");
	}
	cicd_expr_free(expr);
	return 0;
}
