module github.com/libcicd/libcicd/bindings/go

go 1.22
