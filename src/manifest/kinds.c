/*
 * What the library knows about built-in kinds: their scope, the syntax of
 * their names (as the API server validates them), and the apply order.
 */
#include <string.h>

#include "manifest.h"

typedef struct {
	const char *group;
	const char *kind;
	cicd_manifest_scope scope;
	cicd__name_rule rule;
	size_t max_name_len;
} kind_row;

#define NS  CICD_MANIFEST_SCOPE_NAMESPACED
#define CL  CICD_MANIFEST_SCOPE_CLUSTER
#define SUB CICD__NAME_SUBDOMAIN

/* From the Kubernetes API reference (v1.30) and pkg/apis/<group>/validation. */
static const kind_row KINDS[] = {
    {"", "Namespace", CL, CICD__NAME_LABEL, 0},
    {"", "Node", CL, SUB, 0},
    {"", "PersistentVolume", CL, SUB, 0},
    {"", "ComponentStatus", CL, SUB, 0},
    {"", "Pod", NS, SUB, 0},
    {"", "Service", NS, CICD__NAME_DNS1035, 0},
    {"", "ConfigMap", NS, SUB, 0},
    {"", "Secret", NS, SUB, 0},
    {"", "ServiceAccount", NS, SUB, 0},
    {"", "Endpoints", NS, SUB, 0},
    {"", "Event", NS, SUB, 0},
    {"", "LimitRange", NS, SUB, 0},
    {"", "PersistentVolumeClaim", NS, SUB, 0},
    {"", "PodTemplate", NS, SUB, 0},
    {"", "ReplicationController", NS, SUB, 0},
    {"", "ResourceQuota", NS, SUB, 0},
    {"apps", "Deployment", NS, SUB, 0},
    {"apps", "StatefulSet", NS, SUB, 0},
    {"apps", "DaemonSet", NS, SUB, 0},
    {"apps", "ReplicaSet", NS, SUB, 0},
    {"apps", "ControllerRevision", NS, SUB, 0},
    {"batch", "Job", NS, SUB, 0},
    /* The controller appends an 11-character suffix to make a Job name (a DNS-1035 label). */
    {"batch", "CronJob", NS, SUB, 52},
    {"autoscaling", "HorizontalPodAutoscaler", NS, SUB, 0},
    {"policy", "PodDisruptionBudget", NS, SUB, 0},
    {"policy", "PodSecurityPolicy", CL, SUB, 0},
    {"networking.k8s.io", "Ingress", NS, SUB, 0},
    {"networking.k8s.io", "NetworkPolicy", NS, SUB, 0},
    {"networking.k8s.io", "IngressClass", CL, SUB, 0},
    {"rbac.authorization.k8s.io", "Role", NS, CICD__NAME_PATH, 0},
    {"rbac.authorization.k8s.io", "RoleBinding", NS, CICD__NAME_PATH, 0},
    {"rbac.authorization.k8s.io", "ClusterRole", CL, CICD__NAME_PATH, 0},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", CL, CICD__NAME_PATH, 0},
    {"storage.k8s.io", "StorageClass", CL, SUB, 0},
    {"storage.k8s.io", "CSIDriver", CL, SUB, 0},
    {"storage.k8s.io", "CSINode", CL, SUB, 0},
    {"storage.k8s.io", "VolumeAttachment", CL, SUB, 0},
    {"storage.k8s.io", "CSIStorageCapacity", NS, SUB, 0},
    {"apiextensions.k8s.io", "CustomResourceDefinition", CL, SUB, 0},
    {"apiregistration.k8s.io", "APIService", CL, SUB, 0},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration", CL, SUB, 0},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration", CL, SUB, 0},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy", CL, SUB, 0},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", CL, SUB, 0},
    {"scheduling.k8s.io", "PriorityClass", CL, SUB, 0},
    {"coordination.k8s.io", "Lease", NS, SUB, 0},
    {"discovery.k8s.io", "EndpointSlice", NS, SUB, 0},
    {"node.k8s.io", "RuntimeClass", CL, SUB, 0},
    {"certificates.k8s.io", "CertificateSigningRequest", CL, SUB, 0},
    {"flowcontrol.apiserver.k8s.io", "FlowSchema", CL, SUB, 0},
    {"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", CL, SUB, 0},
    {"events.k8s.io", "Event", NS, SUB, 0},
    /* Legacy groups still found in old manifests. */
    {"extensions", "Ingress", NS, SUB, 0},
    {"extensions", "Deployment", NS, SUB, 0},
    {"extensions", "DaemonSet", NS, SUB, 0},
    {"extensions", "ReplicaSet", NS, SUB, 0},
    {"extensions", "NetworkPolicy", NS, SUB, 0},
};

void cicd__kind_lookup(cicd__kind_info *out, const char *group, const char *kind)
{
	size_t i;
	memset(out, 0, sizeof *out);
	out->name_rule = SUB;
	for (i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
		if (!strcmp(KINDS[i].kind, kind) && !strcmp(KINDS[i].group, group)) {
			out->kind_known = 1;
			out->scope = KINDS[i].scope;
			out->name_rule = KINDS[i].rule;
			out->max_name_len = KINDS[i].max_name_len;
			return;
		}
	}
}

/*
 * Namespaces and CRDs first (everything else may live in one or be one),
 * then Helm's InstallOrder (helm/pkg/releaseutil/kind_sorter.go, v3.14).
 */
static const char *const ORDER[] = {
    "Namespace",
    "CustomResourceDefinition",
    "PriorityClass",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
};

int cicd__kind_rank(const char *kind)
{
	size_t i;
	for (i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++)
		if (!strcmp(ORDER[i], kind))
			return (int)i;
	return CICD__RANK_UNKNOWN;
}

int cicd__manifest_is_crd(const cicd_manifest *obj)
{
	return !strcmp(obj->kind, "CustomResourceDefinition") && !strcmp(obj->group, "apiextensions.k8s.io");
}

cicd_manifest_scope cicd__manifest_scope(const cicd_manifest_set *set, const cicd_manifest *obj)
{
	size_t i;
	if (obj->info.kind_known)
		return obj->info.scope;
	for (i = 0; set && i < set->crds.count; i++) {
		const cicd_manifest *crd = set->crds.items[i];
		const cicd_node *spec = cicd__node_get(crd->root, "spec", 4);
		const cicd_node *names = cicd__node_get(spec, "names", 5);
		const char *g = cicd__manifest_str(spec, "group"), *k = cicd__manifest_str(names, "kind");
		const char *scope = cicd__manifest_str(spec, "scope");
		if (!g || !k || !scope || strcmp(g, obj->group) || strcmp(k, obj->kind))
			continue;
		if (!strcmp(scope, "Namespaced"))
			return CICD_MANIFEST_SCOPE_NAMESPACED;
		if (!strcmp(scope, "Cluster"))
			return CICD_MANIFEST_SCOPE_CLUSTER;
	}
	return CICD_MANIFEST_SCOPE_UNKNOWN;
}

cicd_manifest_scope cicd_manifest_set_scope(const cicd_manifest_set *set, const cicd_manifest *obj)
{
	return obj ? cicd__manifest_scope(set, obj) : CICD_MANIFEST_SCOPE_UNKNOWN;
}
