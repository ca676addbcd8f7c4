package kms

import (
	"github.com/arcastore/arca/internal/kv"
	"testing"
	"time"
)

func TestKeyStates(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	if md.KeyState != StateEnabled || !md.Enabled || md.KeyManager != ManagerCustomer {
		t.Fatalf("new key: %+v", md)
	}
	id, arn := md.KeyID, md.ARN
	pt := []byte("secret")
	blob, _, err := e.svc.Encrypt(testCtx, caller, id, pt, nil)
	if err != nil {
		t.Fatal(err)
	}

	if err := e.svc.DisableKey(testCtx, caller, id); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Encrypt(testCtx, caller, id, pt, nil)
	wantErr(t, "encrypt disabled", err, ErrDisabled, arn+" is disabled.")
	_, err = e.svc.Decrypt(testCtx, caller, blob, nil)
	wantErr(t, "decrypt disabled", err, ErrDisabled, arn+" is disabled.")
	_, err = e.svc.GenerateDataKey(testCtx, caller, id, nil, 32)
	wantErr(t, "gdk disabled", err, ErrDisabled, arn+" is disabled.")

	for _, tc := range []struct {
		window int
		ok     bool
	}{{6, false}, {31, false}, {7, true}} {
		_, err := e.svc.ScheduleKeyDeletion(testCtx, caller, id, tc.window)
		if tc.ok != (err == nil) {
			t.Fatalf("window %d: %v", tc.window, err)
		}
		if !tc.ok {
			wantErr(t, "window", err, ErrValidation, "-")
		}
	}
	md, _ = e.svc.DescribeKey(testCtx, caller, id)
	if md.KeyState != StatePendingDeletion || md.Enabled || md.PendingWindow != 7 ||
		!md.DeletionDate.Equal(e.clock.Now().Add(7*24*time.Hour)) {
		t.Fatalf("pending: %+v", md)
	}
	_, _, err = e.svc.Encrypt(testCtx, caller, id, pt, nil)
	wantErr(t, "encrypt pending", err, ErrInvalidState, arn+" is pending deletion.")
	_, err = e.svc.Decrypt(testCtx, caller, blob, nil)
	wantErr(t, "decrypt pending", err, ErrInvalidState, arn+" is pending deletion.")
	err = e.svc.EnableKey(testCtx, caller, id)
	wantErr(t, "enable pending", err, ErrInvalidState, arn+" is pending deletion.")
	_, err = e.svc.ScheduleKeyDeletion(testCtx, caller, id, 10)
	wantErr(t, "schedule twice", err, ErrInvalidState, arn+" is pending deletion.")

	got, err := e.svc.CancelKeyDeletion(testCtx, caller, id)
	if err != nil || got != arn {
		t.Fatalf("cancel: %q %v", got, err)
	}
	md, _ = e.svc.DescribeKey(testCtx, caller, id)
	if md.KeyState != StateDisabled || !md.DeletionDate.IsZero() {
		t.Fatalf("after cancel: %+v (want Disabled)", md)
	}
	_, err = e.svc.CancelKeyDeletion(testCtx, caller, id)
	wantErr(t, "cancel twice", err, ErrInvalidState, "-")
	if err := e.svc.EnableKey(testCtx, caller, id); err != nil {
		t.Fatal(err)
	}
	if d, err := e.svc.Decrypt(testCtx, caller, blob, nil); err != nil || string(d.Plaintext) != "secret" {
		t.Fatalf("decrypt after enable: %v", err)
	}
}

func TestDeletionDestroysMaterial(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	if err := e.svc.CreateAlias(testCtx, caller, "alias/doomed", md.KeyID); err != nil {
		t.Fatal(err)
	}
	blob, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("x"), nil)
	var events []Event
	e.svc.Subscribe(func(ev Event) { events = append(events, ev) })
	if _, err := e.svc.ScheduleKeyDeletion(testCtx, caller, md.KeyID, 0); err != nil {
		t.Fatal(err)
	}
	k := e.svc.keys[md.KeyID]
	raw := k.mat[0].raw
	e.clock.Advance(30*24*time.Hour - time.Second)
	e.svc.RunDue(testCtx)
	if _, err := e.svc.DescribeKey(testCtx, caller, md.KeyID); err != nil {
		t.Fatalf("destroyed a second early: %v", err)
	}
	e.clock.Advance(time.Second)
	if err := e.svc.RunDue(testCtx); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.DescribeKey(testCtx, caller, md.KeyID)
	wantErr(t, "describe destroyed", err, ErrNotFound, "Key '"+md.ARN+"' does not exist")
	_, err = e.svc.Decrypt(testCtx, caller, blob, nil)
	wantErr(t, "decrypt destroyed", err, ErrAccessDenied, msgUnknownCiphertextKey)
	_, _, err = e.svc.Encrypt(testCtx, caller, "alias/doomed", []byte("x"), nil)
	wantErr(t, "alias gone", err, ErrNotFound, "-")
	for _, b := range raw {
		if b != 0 {
			t.Fatal("unsealed material was not zeroed")
		}
	}
	if len(events) != 2 || events[0].Kind != EventDeletionScheduled || events[1].Kind != EventDestroyed {
		t.Fatalf("events: %+v", events)
	}
	e.reopen()
	_, err = e.svc.DescribeKey(testCtx, caller, md.KeyID)
	wantErr(t, "describe after restart", err, ErrNotFound, "-")
	e.db.View(func(tx kv.Tx) error {
		if n := countKeys(tx.Bucket(bktMaterial)); n != 0 {
			t.Errorf("%d material rows left", n)
		}
		return nil
	})
}

func TestDestroyInterruptedFinishesOnOpen(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	e.svc.ScheduleKeyDeletion(testCtx, caller, md.KeyID, 7)
	// The first phase only (rows overwritten, record marked), as a crash would leave it.
	k := e.svc.keys[md.KeyID]
	if err := e.svc.destroy(testCtx, k); err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if _, ok := e.svc.keys[md.KeyID]; ok {
		t.Fatal("interrupted destruction was not finished at open")
	}
}
