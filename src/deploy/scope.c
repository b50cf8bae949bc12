/*
 * Where a deployed object lives: cluster-scoped kinds (Namespace,
 * ClusterRole, CustomResourceDefinition, ...) in no namespace, namespaced
 * ones in their own or else the target's. The cluster's discovery decides,
 * so that labels, the inventory and prune agree with the server.
 */
#include <string.h>

#include "core/error.h"
#include "engine.h"

int cicd__kind_scope(int *namespaced, cicd__cluster *cl, const char *api_version, const char *kind)
{
	int err;
	*namespaced = 1;
	err = cl->ops->namespaced(cl, namespaced, api_version, kind);
	if (err == CICD_ENOTFOUND) {
		*namespaced = 1;
		cicd_error_clear();
		return 0;
	}
	if (err < 0) {
		*namespaced = 1;
		return err;
	}
	return 1;
}

const char *cicd__namespace_in(int namespaced, const char *own, const char *target_ns)
{
	if (!namespaced)
		return "";
	return own && *own ? own : target_ns;
}

int cicd__object_namespace(const char **out, cicd__cluster *cl, const cicd__object *o, const char *target_ns)
{
	int namespaced, rc = cicd__kind_scope(&namespaced, cl, o->api_version, o->kind);
	*out = cicd__namespace_in(namespaced, o->namespace_, target_ns);
	return rc;
}
