package e2e

// The audit chain is keyed by a key sealed under the root key: someone who can write
// meta.db but does not hold the root key can no longer change a record and recompute the
// chain (docs/AUDIT.md, "The hash chain").

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	bolt "go.etcd.io/bbolt"
)

var (
	auditEvents = []byte("audit.events")
	auditHead   = []byte("audit.head")
)

// rechainUnkeyed rewrites the records from seq `from` on with the unkeyed links of the
// chain before it was keyed, SHA-256(previous link || u64be(seq) || JSON), after edit
// (if any) changed a record's JSON, and moves the head to the last one: all that
// someone without the root key can compute.
func rechainUnkeyed(tx *bolt.Tx, from uint64, edit func(seq uint64, js []byte) []byte) {
	ev, hb := tx.Bucket(auditEvents), tx.Bucket(auditHead)
	key := func(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }
	prev := make([]byte, 32)
	if v := ev.Get(key(from - 1)); v != nil {
		prev = append([]byte(nil), v[:32]...)
	}
	last := from - 1
	c := ev.Cursor()
	for k, v := c.Seek(key(from)); k != nil; k, v = c.Next() {
		seq := binary.BigEndian.Uint64(k)
		js := append([]byte(nil), v[32:]...)
		if edit != nil {
			js = edit(seq, js)
		}
		h := sha256.New()
		h.Write(prev)
		h.Write(k)
		h.Write(js)
		prev = h.Sum(nil)
		ev.Put(k, append(append([]byte(nil), prev...), js...))
		last = seq
	}
	hb.Put(keyHeadName, append(key(last), prev...))
}

var keyHeadName = []byte("head")

// findChainRecord returns the seq of the first record whose JSON holds every one of parts.
func findChainRecord(t *testing.T, tx *bolt.Tx, parts ...string) uint64 {
	t.Helper()
	c := tx.Bucket(auditEvents).Cursor()
next:
	for k, v := c.First(); k != nil; k, v = c.Next() {
		for _, p := range parts {
			if !bytes.Contains(v[32:], []byte(p)) {
				continue next
			}
		}
		return binary.BigEndian.Uint64(k)
	}
	t.Fatalf("no audit record holds %q", parts)
	return 0
}

// TestAuditKeyedChainTamper: a few calls, the server stopped, one record's field changed
// in meta.db with bbolt and the chain recomputed as the unkeyed chain was: `arca audit
// verify --data` exits non-zero and names the record.
func TestAuditKeyedChainTamper(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "root-key")
	writeKeyFile(t, keyFile)
	srv := StartServerAt(t, dir, "--root-key-file", keyFile)
	c := srv.S3(srv.HTTPURL)
	mustCreateBucket(t, c, "keyed-a")
	mustCreateBucket(t, c, "keyed-b")
	mustPut(t, c, "keyed-a", "x.txt", []byte("x"))
	if _, err := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey).CreateKey(context.Background(), &kms.CreateKeyInput{}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()

	verify := []string{"audit", "verify", "--data", dir, "--root-key-file", keyFile}
	if out, code := arcaExit(t, verify...); code != 0 || !strings.Contains(out, "arca: audit trail intact:") || !strings.Contains(out, ", keyed\n") {
		t.Fatalf("untouched: exit %d\n%s", code, out)
	}
	var seq uint64
	sseWithBolt(t, dir, func(tx *bolt.Tx) {
		seq = findChainRecord(t, tx, `"eventName":"CreateBucket"`, `"bucketName":"keyed-b"`)
		rechainUnkeyed(tx, seq, func(s uint64, js []byte) []byte {
			if s != seq {
				return js
			}
			return bytes.Replace(js, []byte(`"bucketName":"keyed-b"`), []byte(`"bucketName":"keyed-z"`), 1)
		})
	})
	out, code := arcaExit(t, verify...)
	if want := fmt.Sprintf("record %d altered", seq); code != 1 || !strings.Contains(out, want) {
		t.Fatalf("after changing record %d and recomputing the chain: exit %d, want 1 and %q\n%s", seq, code, want, out)
	}
	if out, code := arcaExit(t, "audit", "verify", "--data", dir); code != 1 || !strings.Contains(out, "root key") {
		t.Fatalf("without the root key: exit %d\n%s", code, out)
	}
}

// TestAuditKeyedChainUpgrade: a data directory whose chain has no key (as every one
// written before the chain key; made here by removing the key and recomputing the chain
// unkeyed) verifies with a warning; the next start keys it from the next record on, the
// earlier records count as legacy; `arca admin rotate-root-key` re-seals the chain key,
// so the chain verifies with the new root key (not the old) and the server starts with it.
func TestAuditKeyedChainUpgrade(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "root-key")
	writeKeyFile(t, keyFile)
	srv := StartServerAt(t, dir, "--root-key-file", keyFile)
	c := srv.S3(srv.HTTPURL)
	mustCreateBucket(t, c, "before-key")
	mustPut(t, c, "before-key", "a.txt", []byte("a"))
	srv.Stop()
	var legacy uint64
	sseWithBolt(t, dir, func(tx *bolt.Tx) {
		hb := tx.Bucket(auditHead)
		hb.Delete([]byte("chainkey"))
		hb.Delete([]byte("headmac"))
		rechainUnkeyed(tx, 1, nil)
		legacy = binary.BigEndian.Uint64(hb.Get(keyHeadName))
	})
	verify := []string{"audit", "verify", "--data", dir, "--root-key-file", keyFile}
	out, code := arcaExit(t, verify...)
	if want := fmt.Sprintf("%d records chain, none keyed: %d legacy unkeyed records", legacy, legacy); code != 0 || !strings.Contains(out, want) ||
		!strings.Contains(out, "arca: warning: the chain has no chain key") {
		t.Fatalf("unkeyed chain: exit %d, want 0 and %q\n%s", code, want, out)
	}

	srv = StartServerAt(t, dir, "--root-key-file", keyFile)
	mustCreateBucket(t, srv.S3(srv.HTTPURL), "after-key")
	srv.Stop()
	if want := fmt.Sprintf("keyed_from_record=%d unkeyed_records=%d", legacy+1, legacy); !strings.Contains(srv.Output(), "the chain is keyed from now on") ||
		!strings.Contains(srv.Output(), want) {
		t.Errorf("the server did not say it keyed the chain (%q):\n%s", want, srv.Output())
	}
	out, code = arcaExit(t, verify...)
	if want := fmt.Sprintf("keyed from record %d on; %d legacy unkeyed records", legacy+1, legacy); code != 0 || !strings.Contains(out, want) {
		t.Fatalf("after the upgrade: exit %d, want 0 and %q\n%s", code, want, out)
	}

	newKey := filepath.Join(t.TempDir(), "new-root-key")
	writeKeyFile(t, newKey)
	if out, err := runArca("admin", "rotate-root-key", "--data", dir, "--old-root-key-file", keyFile, "--new-root-key-file", newKey); err != nil ||
		!strings.Contains(out, "re-sealed the audit chain key") {
		t.Fatalf("rotate-root-key: %v\n%s", err, out)
	}
	if out, code := arcaExit(t, verify...); code != 1 || !strings.Contains(out, "does not open the chain key") {
		t.Fatalf("verify with the old root key after rotation: exit %d\n%s", code, out)
	}
	srv = StartServerAt(t, dir, "--root-key-file", newKey)
	mustCreateBucket(t, srv.S3(srv.HTTPURL), "after-rotation")
	srv.Stop()
	if out, code := arcaExit(t, "audit", "verify", "--data", dir, "--root-key-file", newKey); code != 0 || !strings.Contains(out, fmt.Sprintf("%d legacy unkeyed records", legacy)) {
		t.Fatalf("verify with the new root key: exit %d\n%s", code, out)
	}
}
