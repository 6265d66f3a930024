"""gofacts: the semantic layer, Go knowledge without hazards, shared by every rule.

- scope, decls, declbytes, signatures, types: declarations, scopes and types of a package;
- module, finalizers, cgo: facts across the packages of a module (finalizer and cleanup
  registrations, cgo files);
- locks: which mutex is held where, within a function;
- goroutines, launches, restarts: the code that runs in goroutines the package starts, the go
  statements that start them and what each hands its goroutine;
- mapops: what an expression does to a map (write, replace, read), for the rules on maps.
"""
