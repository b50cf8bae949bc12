// Package cicd binds libcicd, the engine of a Kubernetes-based CI/CD
// platform, for Go.
//
// Every call goes through one small C shim that makes the library call and,
// on failure, copies the thread-local error with cicd_error_dup in the same
// cgo call, so no runtime.LockOSThread is needed. C strings are copied into
// Go strings at once; no C memory outlives the call that produced it except
// inside objects that have a Close method (with a finalizer as a safety net).
//
// Build against an installed libcicd found through pkg-config
// (PKG_CONFIG_PATH pointing at libcicd.pc).
package cicd
