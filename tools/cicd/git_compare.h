/* changes:compare_to answered by git, for `cicd plan --compare-with-git`. */
#ifndef CICD_TOOL_GIT_COMPARE_H
#define CICD_TOOL_GIT_COMPARE_H

#include <cicd/cicd.h>

/* A cicd_compare_cb: `dir` is the repository's directory (a work tree). */
int cli_git_compare(cicd_path_list *changed, const char *ref, void *dir);

#endif
