package kms

import (
	"errors"
	"github.com/arcastore/arca/internal/kv"
	"testing"
	"time"
)

func TestAutomaticRotation(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	old, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("v1"), nil)
	for _, p := range []int{89, 2561} {
		wantErr(t, "period", e.svc.EnableKeyRotation(testCtx, caller, md.KeyID, p), ErrValidation, "-")
	}
	if err := e.svc.EnableKeyRotation(testCtx, caller, md.KeyID, 90); err != nil {
		t.Fatal(err)
	}
	st, _ := e.svc.GetKeyRotationStatus(testCtx, caller, md.KeyID)
	if !st.Enabled || st.PeriodDays != 90 || !st.Next.Equal(e.clock.Now().Add(90*day)) {
		t.Fatalf("status: %+v", st)
	}
	var rotated []Event
	e.svc.Subscribe(func(ev Event) {
		if ev.Kind == EventRotated {
			rotated = append(rotated, ev)
		}
	})
	e.clock.Advance(89 * day)
	e.svc.RunDue(testCtx)
	if len(rotated) != 0 {
		t.Fatal("rotated early")
	}
	// The server is "down" across the rotation date: the scheduler catches up on open.
	e.close()
	e.clock.Advance(2 * day)
	e.open(Config{})
	rs, _, _ := e.svc.ListKeyRotations(testCtx, caller, md.KeyID, "", Page{})
	if len(rs) != 1 || rs[0].Type != RotationAutomatic || !rs[0].Current {
		t.Fatalf("rotations after catch-up: %+v", rs)
	}
	st, _ = e.svc.GetKeyRotationStatus(testCtx, caller, md.KeyID)
	if !st.Next.Equal(e.clock.Now().Add(90 * day)) {
		t.Fatalf("next rotation %v, want a period after the catch-up", st.Next)
	}
	blob, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("v2"), nil)
	if h, _, _, _ := parseBlob(blob); h.version != 2 {
		t.Fatalf("new encryption uses version %d", h.version)
	}
	if d, err := e.svc.Decrypt(testCtx, caller, old, nil); err != nil || string(d.Plaintext) != "v1" {
		t.Fatalf("old ciphertext: %v", err)
	}
	all, _, _ := e.svc.ListKeyRotations(testCtx, caller, md.KeyID, "ALL_KEY_MATERIAL", Page{})
	if len(all) != 2 || all[0].Current {
		t.Fatalf("all material: %+v", all)
	}
}

func TestSchedulerGoroutine(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	e.svc.EnableKeyRotation(testCtx, caller, md.KeyID, 90)
	e.close()
	e.open(Config{SchedulerInterval: 5 * time.Millisecond})
	e.clock.Advance(91 * day)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		e.svc.mu.RLock()
		n := len(e.svc.keys[md.KeyID].rec.Versions)
		e.svc.mu.RUnlock()
		if n == 2 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the background scheduler did not rotate the key")
}

func TestOnDemandRotationLimit(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	var blobs [][]byte
	for i := range maxOnDemand {
		b, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte{byte(i)}, nil)
		blobs = append(blobs, b)
		if _, err := e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID); err != nil {
			t.Fatalf("rotation %d: %v", i+1, err)
		}
	}
	_, err := e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID)
	wantErr(t, "26th", err, ErrLimitExceeded, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+md.ARN)
	e.reopen()
	for i, b := range blobs {
		d, err := e.svc.Decrypt(testCtx, caller, b, nil)
		if err != nil || d.Plaintext[0] != byte(i) {
			t.Fatalf("blob of version %d: %v", i+1, err)
		}
	}
	rs, next, _ := e.svc.ListKeyRotations(testCtx, caller, md.KeyID, "", Page{Limit: 10})
	if len(rs) != 10 || next == "" || rs[0].Type != RotationOnDemand {
		t.Fatalf("page: %d %q", len(rs), next)
	}
	e.svc.DisableKey(testCtx, caller, md.KeyID)
	_, err = e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID)
	wantErr(t, "disabled", err, ErrDisabled, md.ARN+" is disabled.")
}

func TestCrashMidRotationLeavesConsistentKeystore(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	blob, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("before"), nil)
	crash := errors.New("simulated crash")
	testHookRotate = func() error { return crash }
	_, err := e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID)
	testHookRotate = nil
	if !errors.Is(err, crash) {
		t.Fatalf("rotation: %v", err)
	}
	check := func(when string) {
		md2, _ := e.svc.DescribeKey(testCtx, caller, md.KeyID)
		if md2.CurrentKeyMaterialID != md.CurrentKeyMaterialID {
			t.Fatalf("%s: current material changed", when)
		}
		if d, err := e.svc.Decrypt(testCtx, caller, blob, nil); err != nil || string(d.Plaintext) != "before" {
			t.Fatalf("%s: %v", when, err)
		}
		e.db.View(func(tx kv.Tx) error {
			if tx.Bucket(bktMaterial).Get(materialKey(md.KeyID, 2)) != nil {
				t.Fatalf("%s: orphan material row for version 2", when)
			}
			return nil
		})
	}
	check("in memory")
	e.reopen()
	check("after reopen")
	if _, err := e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID); err != nil {
		t.Fatal(err)
	}
}
