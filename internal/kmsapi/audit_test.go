package kmsapi

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/arcastore/arca/internal/audit"
)

// recorder keeps records; failing makes Handle fail.
type recorder struct {
	mu      sync.Mutex
	recs    []*audit.Record
	failing bool
}

func (r *recorder) Handle(_ context.Context, rec *audit.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return errors.New("disk full")
	}
	r.recs = append(r.recs, rec)
	return nil
}

// A key-administration call whose record cannot be written fails (fail closed); a
// cryptographic call, whose record is group-committed, does not. No record holds the
// plaintext.
func TestAuditFailClosedAndNoSecrets(t *testing.T) {
	a := newAPI(t)
	rec := &recorder{}
	a.SetAudit(rec, "us-east-1")
	_, _, out := call(t, a, "TrentService.CreateKey", `{}`)
	keyID := out["KeyMetadata"].(map[string]any)["KeyId"].(string)
	secret := base64.StdEncoding.EncodeToString([]byte("TOP-SECRET-PLAINTEXT"))
	if st, _, _ := call(t, a, "TrentService.Encrypt", `{"KeyId":"`+keyID+`","Plaintext":"`+secret+`","EncryptionContext":{"a":"b"}}`); st != 200 {
		t.Fatalf("Encrypt: %d", st)
	}
	rec.mu.Lock()
	if len(rec.recs) != 2 || rec.recs[1].EventName != "Encrypt" || rec.recs[1].RequestParameters["keyId"] != keyID ||
		len(rec.recs[1].Resources) != 1 || !strings.HasSuffix(rec.recs[1].Resources[0].ARN, keyID) {
		t.Fatalf("records: %+v", rec.recs)
	}
	if _, ok := rec.recs[1].RequestParameters["plaintext"]; ok {
		t.Fatal("plaintext in the record")
	}
	rec.failing = true
	rec.mu.Unlock()
	if st, _, _ := call(t, a, "TrentService.Encrypt", `{"KeyId":"`+keyID+`","Plaintext":"`+secret+`"}`); st != 200 {
		t.Errorf("Encrypt with a failing trail: %d, want 200 (data path carries on)", st)
	}
	if st, _, out := call(t, a, "TrentService.DisableKey", `{"KeyId":"`+keyID+`"}`); st != 500 {
		t.Errorf("DisableKey with a failing trail: %d %v, want 500 (fail closed)", st, out)
	}
}
