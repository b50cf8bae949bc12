/*
 * Internal: checking objects against the Kubernetes OpenAPI v2 document
 * (the JSON the API server serves at /openapi/v2). Only `definitions` is
 * read; a definition applies to the objects named in its
 * x-kubernetes-group-version-kind.
 */
#ifndef CICD_MANIFEST_OPENAPI_H
#define CICD_MANIFEST_OPENAPI_H

#include "manifest.h"

typedef struct cicd_openapi cicd_openapi;

/* CICD_EPARSE (with position) when the text is not JSON or has no definitions. */
int cicd__openapi_load(cicd_openapi **out, const char *json, size_t len);
void cicd__openapi_free(cicd_openapi *schema);

/*
 * Adds a diagnostic for every field of obj with the wrong type, every
 * required field that is missing and every field the schema does not know.
 * Objects of kinds the schema does not define are not checked. 0 or CICD_ENOMEM.
 */
int cicd__openapi_check(const cicd_openapi *schema, cicd_diagnostics *d, const cicd_manifest *obj);

/*
 * Checks a custom resource against the openAPIV3Schema of the matching
 * version of its CustomResourceDefinition in the same set (apiVersion,
 * kind and metadata are always allowed at the top). Objects without such a
 * CRD are not checked. 0 or CICD_ENOMEM.
 */
int cicd__openapi_check_crd(const cicd_manifest_set *set, cicd_diagnostics *d, const cicd_manifest *obj);

#endif
