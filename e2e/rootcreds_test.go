package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootKeyReplacingGeneratedCredentialsWarns: a server started with ARCA_ROOT_ACCESS_KEY
// on a data directory whose first start generated other root credentials says that those
// no longer work (the README's walkthrough after a plain first start); with the same key,
// or on fresh data, it says nothing.
func TestRootKeyReplacingGeneratedCredentialsWarns(t *testing.T) {
	t.Parallel()
	const warning = "ARCA_ROOT_ACCESS_KEY replaces the root credentials generated on an earlier start"
	write := func(dir, ak string) {
		t.Helper()
		data, _ := json.Marshal(map[string]string{"access_key_id": ak, "secret_access_key": "generated-secret-0123456789"})
		if err := os.WriteFile(filepath.Join(dir, "root-credentials.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write(dir, "AKIAGENERATEDEARLIER")
	srv := StartServerAt(t, dir)
	srv.Stop()
	out := srv.Output()
	if !strings.Contains(out, warning) || !strings.Contains(out, "AKIAGENERATEDEARLIER") || strings.Contains(out, "generated-secret") {
		t.Errorf("start with another root key over generated credentials; output:\n%s\nwant the warning naming the replaced key id (and no secret)", out)
	}

	same := t.TempDir()
	write(same, testAccessKey)
	for _, d := range []string{same, t.TempDir()} {
		srv := StartServerAt(t, d)
		srv.Stop()
		if strings.Contains(srv.Output(), warning) {
			t.Errorf("warning without replaced credentials:\n%s", srv.Output())
		}
	}
}
