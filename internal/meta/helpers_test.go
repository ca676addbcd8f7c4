package meta

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/rootkey"
)

// testRoot is a fixed root key, so a test can reopen what it wrote.
func testRoot(t testing.TB) *rootkey.Key {
	t.Helper()
	k, err := rootkey.New(bytes.Repeat([]byte{7}, rootkey.Size))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// uid is a well-formed upload id (the shape Arca issues) for n.
func uid(n int) string { return fmt.Sprintf("%040x", n) }
