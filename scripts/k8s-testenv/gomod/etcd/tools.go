//go:build tools

// Package tools pins the etcd server command that build.sh compiles, so that
// `go mod tidy` keeps all its dependencies in go.mod/go.sum.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
