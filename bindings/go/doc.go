// Package cicd binds libcicd, the engine of a Kubernetes-based CI/CD
// platform, for Go.
//
// Every call goes through one small C shim that makes the library call and,
// on failure, copies the thread-local error with cicd_error_dup in the same
// cgo call, so no runtime.LockOSThread is needed. C strings are copied into
// Go strings at once; no C memory outlives the call that produced it except
// inside objects that have a Close method (with a finalizer as a safety net).
//
// Modules: documents (Load, Node), expressions (CompileExpr, Expand),
// trace masking (NewMasker, MaskWriter), pipelines (LoadPipeline), plans
// (NewPlanner, PlanPipeline), versions (ParseSemver, ParseRange), branch
// policies (LoadPolicy, NextVersion), manifests (LoadManifests), runner
// Pods (LoadJobPayload, RenderPod), Kaniko builds (RenderKaniko), the
// Kubernetes client (LoadKubeConfig, NewKubeClient and its Resolve, Get,
// List, Create, Delete, Apply, ApplySet, ApplyManifests, Watch, Logs and
// RolloutWait; RolloutDecide, PodProblem) and deploys (OpenDeployStore).
// Blocking calls take a context.Context whose end interrupts the call under
// way (a Kubernetes request, watch or rollout wait; a deploy run with Wait,
// Follow, RunWorker or DiffLive, whose job then ends canceled), which
// returns ctx.Err(). Objects from the server are json.RawMessage copies. Values
// copied out of a handle (jobs, plans, policy results) stay valid after
// Close; nodes and manifests borrowed from one panic once it is closed.
// examples/go/which_jobs answers "which jobs run for this branch".
//
// The library's log lines (the Kubernetes client's retries at LogDebug,
// each request at LogTrace, secrets redacted) go to a function installed
// with SetLogHandler; nothing is logged until one is.
//
// Build against an installed libcicd found through pkg-config: the README's
// scripts/quickstart.sh installs it into /usr/local, after which go test ./...
// here works; or point PKG_CONFIG_PATH at another prefix's libcicd.pc.
package cicd
