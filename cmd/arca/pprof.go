//go:build pprof

package main

// Built only with -tags pprof (for profiling work): serves net/http/pprof on
// $ARCA_PPROF_LISTEN (default 127.0.0.1:6060).

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("ARCA_PPROF_LISTEN")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go http.ListenAndServe(addr, nil)
}
