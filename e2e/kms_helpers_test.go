package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"testing"
	"time"
)

// runArca runs the arca binary with args and returns its combined output.
func runArca(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, arcaBin, args...).CombinedOutput()
	return string(out), err
}

// writeKeyFile writes a fresh root key (base64 of 32 random bytes) to path.
func writeKeyFile(t testing.TB, path string) {
	t.Helper()
	var k [32]byte
	rand.Read(k[:])
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k[:])+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
