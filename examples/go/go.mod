module github.com/libcicd/libcicd/examples/go

go 1.22

require github.com/libcicd/libcicd/bindings/go v0.0.0

replace github.com/libcicd/libcicd/bindings/go => ../../bindings/go
