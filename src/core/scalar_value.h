/* Internal: reading typed values out of scalar nodes (YAML 1.1 spellings). */
#ifndef CICD_CORE_SCALAR_VALUE_H
#define CICD_CORE_SCALAR_VALUE_H

#include "document.h"

/* 1 for true/yes/on (any YAML 1.1 case form), 0 for false/no/off; -1 when not a bool. */
int cicd__scalar_bool(const cicd_node *node);

/* Parses an int scalar (decimal, 0x, 0o/0, 0b, underscores); 0 or CICD_EINVALID (no error set). */
int cicd__scalar_int(const cicd_node *node, long long *out);

/* Parses an int or float scalar; 0 or CICD_EINVALID (no error set). */
int cicd__scalar_double(const cicd_node *node, double *out);

#endif
