package kms

import (
	"strings"
	"testing"
)

func TestAliases(t *testing.T) {
	e := newEnv(t)
	a, b := e.createKey(), e.createKey()
	aliasARN := "arn:aws:kms:us-east-1:111122223333:alias/"
	var aliasTests = []struct {
		name, target string
		sentinel     error
		msg          string
	}{
		{"alias/app", a.KeyID, nil, ""},
		{"alias/app", b.KeyID, ErrAlreadyExists, "An alias with the name " + aliasARN + "app already exists"},
		{"app", a.KeyID, ErrValidation, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"alias/aws/mine", a.KeyID, ErrNotAuthorized, ""},
		{"alias/bad name", a.KeyID, ErrValidation, "-"},
		{"alias/" + strings.Repeat("x", 251), a.KeyID, ErrValidation, "-"},
		{"alias/by-arn", b.ARN, nil, ""},
		{"alias/to-alias", "alias/app", ErrNotFound, "Invalid keyId 'alias/app'"},
		{"alias/missing", "11111111-2222-3333-4444-555555555555", ErrNotFound,
			"Key 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555' does not exist"},
		{"alias/other-region", "arn:aws:kms:eu-west-1:111122223333:key/" + a.KeyID, ErrNotFound, "Invalid arn eu-west-1"},
	}
	for _, tc := range aliasTests {
		err := e.svc.CreateAlias(testCtx, caller, tc.name, tc.target)
		if tc.sentinel == nil {
			if err != nil {
				t.Fatalf("%s -> %s: %v", tc.name, tc.target, err)
			}
			continue
		}
		wantErr(t, tc.name+" -> "+tc.target, err, tc.sentinel, tc.msg)
	}

	// Every identifier form reaches the same key where AWS accepts it.
	for _, id := range []string{a.KeyID, a.ARN, "alias/app", aliasARN + "app", strings.ToUpper(a.KeyID)} {
		if _, _, err := e.svc.Encrypt(testCtx, caller, id, []byte("x"), nil); err != nil {
			t.Errorf("encrypt with %s: %v", id, err)
		}
	}
	err := e.svc.EnableKey(testCtx, caller, "alias/app")
	wantErr(t, "alias for key-id-only op", err, ErrNotFound, "Invalid keyId 'alias/app'")
	_, err = e.svc.DescribeKey(testCtx, caller, "alias/nope")
	wantErr(t, "unknown alias", err, ErrNotFound, "Alias "+aliasARN+"nope is not found.")
	_, err = e.svc.DescribeKey(testCtx, caller, "not-a-key")
	wantErr(t, "garbage id", err, ErrNotFound, "Invalid keyId 'not-a-key'")

	if err := e.svc.UpdateAlias(testCtx, caller, "alias/app", b.KeyID); err != nil {
		t.Fatal(err)
	}
	md, _ := e.svc.DescribeKey(testCtx, caller, "alias/app")
	if md.KeyID != b.KeyID {
		t.Fatalf("update alias: points at %s", md.KeyID)
	}
	wantErr(t, "update missing", e.svc.UpdateAlias(testCtx, caller, "alias/none", b.KeyID), ErrNotFound, "-")
	wantErr(t, "delete reserved", e.svc.DeleteAlias(testCtx, caller, "alias/aws/s3"), ErrNotAuthorized, "")

	list, next, err := e.svc.ListAliases(testCtx, caller, "", Page{Limit: 1})
	if err != nil || len(list) != 1 || next == "" || list[0].Name != "alias/app" {
		t.Fatalf("list page 1: %+v %q %v", list, next, err)
	}
	list, next, _ = e.svc.ListAliases(testCtx, caller, "", Page{Limit: 1, Marker: next})
	if len(list) != 1 || list[0].Name != "alias/by-arn" || next != "" {
		t.Fatalf("list page 2: %+v %q", list, next)
	}
	_, _, err = e.svc.ListAliases(testCtx, caller, "", Page{Marker: "!!"})
	wantErr(t, "bad marker", err, ErrInvalidMarker, "-")
	list, _, _ = e.svc.ListAliases(testCtx, caller, a.KeyID, Page{})
	if len(list) != 0 {
		t.Fatalf("filter by key a: %+v", list)
	}

	e.svc.ScheduleKeyDeletion(testCtx, caller, a.KeyID, 7)
	wantErr(t, "alias to pending", e.svc.CreateAlias(testCtx, caller, "alias/late", a.KeyID), ErrInvalidState, a.ARN+" is pending deletion.")

	if err := e.svc.DeleteAlias(testCtx, caller, "alias/app"); err != nil {
		t.Fatal(err)
	}
	e.reopen()
	list, _, _ = e.svc.ListAliases(testCtx, caller, "", Page{})
	if len(list) != 1 || list[0].Name != "alias/by-arn" {
		t.Fatalf("after reopen: %+v", list)
	}
}

func TestAWSManagedKey(t *testing.T) {
	e := newEnv(t)
	md, err := e.svc.DescribeKey(testCtx, caller, "alias/aws/s3")
	if err != nil {
		t.Fatal(err)
	}
	if md.KeyManager != ManagerAWS || md.Description != "Default key that protects my S3 objects when no other key is defined" {
		t.Fatalf("managed key: %+v", md)
	}
	again, err := e.svc.EnsureAWSManagedKey(testCtx, "aws/s3")
	if err != nil || again.KeyID != md.KeyID {
		t.Fatalf("second ensure made another key: %v %v", again.KeyID, err)
	}
	st, _ := e.svc.GetKeyRotationStatus(testCtx, caller, md.KeyID)
	if !st.Enabled || st.PeriodDays != 365 {
		t.Fatalf("managed rotation: %+v", st)
	}
	_, err = e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID)
	wantErr(t, "on-demand", err, ErrUnsupported, "-")
	_, err = e.svc.ScheduleKeyDeletion(testCtx, caller, md.KeyID, 7)
	wantErr(t, "delete", err, ErrUnsupported, "-")
	wantErr(t, "policy", e.svc.PutKeyPolicy(testCtx, caller, md.KeyID, "", DefaultPolicy(testAccount), nil), ErrUnsupported, "-")
	if _, err := e.svc.GenerateDataKey(testCtx, caller, "alias/aws/s3", map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}, 32); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.EnsureAWSManagedKey(testCtx, "aws/ebs")
	wantErr(t, "unknown service", err, ErrNotFound, "-")
}
