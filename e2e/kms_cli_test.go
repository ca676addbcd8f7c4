package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKMSCLIFlow runs the script with the aws CLI: create-key, create-alias,
// encrypt/decrypt with a context, rotate on demand, decrypt the old ciphertext, disable,
// schedule deletion, cancel, enable.
func TestKMSCLIFlow(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	dir := t.TempDir()
	kms := func(wantErr bool, args ...string) string {
		t.Helper()
		return strings.TrimSpace(srv.AWS(t, srv.HTTPURL, wantErr, append([]string{"kms"}, args...)...))
	}
	text := func(args ...string) string { return kms(false, append(args, "--output", "text")...) }
	writeFile := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return "fileb://" + p
	}
	// encrypt returns the path (fileb://) of a ciphertext file.
	encrypt := func(name string) string {
		b64 := text("encrypt", "--key-id", "alias/cli-flow", "--plaintext", writeFile("pt", []byte("attack at dawn")),
			"--encryption-context", "app=cli,stage=e2e", "--query", "CiphertextBlob")
		ct, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatalf("CiphertextBlob %q: %v", b64, err)
		}
		return writeFile(name, ct)
	}
	decrypt := func(ct string) string {
		b64 := text("decrypt", "--ciphertext-blob", ct, "--encryption-context", "stage=e2e,app=cli", "--query", "Plaintext")
		pt, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatalf("Plaintext %q: %v", b64, err)
		}
		return string(pt)
	}
	state := func(id string) string { return text("describe-key", "--key-id", id, "--query", "KeyMetadata.KeyState") }

	id := text("create-key", "--description", "cli flow", "--query", "KeyMetadata.KeyId")
	if len(id) != 36 {
		t.Fatalf("key id %q", id)
	}
	kms(false, "create-alias", "--alias-name", "alias/cli-flow", "--target-key-id", id)
	if got := text("list-aliases", "--key-id", id, "--query", "Aliases[0].AliasName"); got != "alias/cli-flow" {
		t.Fatalf("list-aliases: %q", got)
	}
	old := encrypt("old.ct")
	if got := decrypt(old); got != "attack at dawn" {
		t.Fatalf("decrypt: %q", got)
	}
	if out := kms(true, "decrypt", "--ciphertext-blob", old, "--encryption-context", "app=cli"); !strings.Contains(out, "InvalidCiphertextException") {
		t.Fatalf("wrong context: %s", out)
	}

	kms(false, "rotate-key-on-demand", "--key-id", id)
	if got := text("list-key-rotations", "--key-id", id, "--query", "Rotations[0].RotationType"); got != "ON_DEMAND" {
		t.Fatalf("list-key-rotations: %q", got)
	}
	fresh := encrypt("new.ct")
	for name, ct := range map[string]string{"old": old, "new": fresh} {
		if got := decrypt(ct); got != "attack at dawn" {
			t.Fatalf("%s ciphertext after rotation: %q", name, got)
		}
	}

	kms(false, "disable-key", "--key-id", id)
	if s := state(id); s != "Disabled" {
		t.Fatalf("after disable-key: %s", s)
	}
	if out := kms(true, "decrypt", "--ciphertext-blob", old, "--encryption-context", "stage=e2e,app=cli"); !strings.Contains(out, "DisabledException") {
		t.Fatalf("decrypt while disabled: %s", out)
	}
	if got := text("schedule-key-deletion", "--key-id", id, "--pending-window-in-days", "7", "--query", "KeyState"); got != "PendingDeletion" {
		t.Fatalf("schedule-key-deletion: %q", got)
	}
	if out := kms(true, "enable-key", "--key-id", id); !strings.Contains(out, "KMSInvalidStateException") {
		t.Fatalf("enable-key while pending: %s", out)
	}
	kms(false, "cancel-key-deletion", "--key-id", id)
	if s := state(id); s != "Disabled" {
		t.Fatalf("after cancel-key-deletion: %s, want Disabled", s)
	}
	kms(false, "enable-key", "--key-id", id)
	if s := state(id); s != "Enabled" {
		t.Fatalf("after enable-key: %s", s)
	}
	if got := decrypt(old); got != "attack at dawn" {
		t.Fatalf("old ciphertext at the end: %q", got)
	}
}
