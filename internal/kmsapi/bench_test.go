package kmsapi

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// BenchmarkServe measures one GenerateDataKey or Decrypt through the protocol layer and
// the kms Service (no network, no SigV4): the part of a request's cost that is ours. The
// Audited variants add the audit record and hand it to a real Trail (its own bbolt file;
// the flusher JSON-encodes and commits the records on its own goroutine, at most 1 s
// later, so its CPU shares the machine with the loop as it does in the server).
func BenchmarkServe(b *testing.B) {
	a := newAPI(b)
	_, _, out := call(b, a, "TrentService.CreateKey", `{}`)
	id := out["KeyMetadata"].(map[string]any)["KeyId"].(string)
	gdk := []byte(`{"KeyId":"` + id + `","KeySpec":"AES_256","EncryptionContext":{"aws:s3:arn":"arn:aws:s3:::arca-bench/object"}}`)
	_, _, out = call(b, a, "TrentService.GenerateDataKey", string(gdk))
	blob, _ := base64.StdEncoding.DecodeString(out["CiphertextBlob"].(string))
	dec := []byte(`{"CiphertextBlob":"` + base64.StdEncoding.EncodeToString(blob) + `","EncryptionContext":{"aws:s3:arn":"arn:aws:s3:::arca-bench/object"}}`)
	for _, bc := range []struct {
		name    string
		op      string
		body    []byte
		audited bool
	}{
		{"GenerateDataKey", "GenerateDataKey", gdk, false},
		{"Decrypt", "Decrypt", dec, false},
		{"DecryptAudited", "Decrypt", dec, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.audited {
				trail := openBenchTrail(b)
				a.SetAudit(trail, "us-east-1")
				defer a.SetAudit(nil, "")
			}
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("X-Amz-Target", "TrentService."+bc.op)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				a.Serve(w, r, &Caller{Principal: principal, Body: bytes.NewReader(bc.body), ContentLength: int64(len(bc.body))})
				if w.status != 200 {
					b.Fatal(w.status)
				}
			}
		})
	}
}

// openBenchTrail opens an audit trail in a fresh metadata file; Cleanup closes it (its
// last flush included) and checks that the chain it wrote verifies.
func openBenchTrail(b *testing.B) *audit.Trail {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "audit.db"), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	trail, err := audit.OpenTrail(audit.Config{DB: db, AccountID: "111122223333"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := trail.Close(); err != nil {
			b.Error(err)
		}
		if _, err := trail.Verify(); err != nil {
			b.Error(err)
		}
		db.Close()
	})
	return trail
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
