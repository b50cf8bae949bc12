# Pinned versions of the k8s test environment. Sourced by build.sh and gomod/regen.sh.
# Changing a version here requires re-running gomod/regen.sh (rewrites the wrapper go.mod/go.sum).
K8S_VERSION=v1.34.4          # k8s.io/kubernetes
K8S_STAGING_VERSION=v0.34.4  # k8s.io/<staging module> twins of K8S_VERSION
ETCD_VERSION=v3.6.6          # go.etcd.io/etcd/server/v3
KWOK_VERSION=v0.8.0          # sigs.k8s.io/kwok
