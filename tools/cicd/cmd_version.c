#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_version_next(int argc, char **argv); /* cmd_version_next.c */

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "next"))
		return cmd_version_next(argc - 1, argv + 1);
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: cicd version\n\nPrints the version of libcicd that the tool runs on.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage("cicd version", "unexpected argument '%s'", argv[1]);
	printf("cicd %s\n", cicd_version());
	return EXIT_OK;
}
