// Package archtest holds the architecture test: it reads the import graph with `go list`
// and fails when a package imports across the lines docs/ARCHITECTURE.md draws. It has no
// code of its own.
package archtest
