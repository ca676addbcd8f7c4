package iam

import (
	"errors"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/errs"
)

func TestGroups(t *testing.T) {
	s := newEnv(t).s
	g := must[Group](t)(s.CreateGroup(ctx, "admins", "/ops/"))
	if g.ARN != "arn:aws:iam::123456789012:group/ops/admins" || !strings.HasPrefix(g.ID, "AGPA") || len(g.ID) != 21 {
		t.Fatalf("CreateGroup: %+v", g)
	}
	_, err := s.CreateGroup(ctx, "Admins", "")
	wantErr(t, err, ErrAlreadyExists, "Group with name Admins already exists.")
	if got := must[Group](t)(s.GetGroup(ctx, "ADMINS")); got != g {
		t.Fatalf("GetGroup: %+v", got)
	}
	must[User](t)(s.CreateUser(ctx, "u", ""))
	wantErr(t, s.AddUserToGroup(ctx, "nope", "u"), ErrNotFound, "The group with name nope cannot be found.")
	wantErr(t, s.AddUserToGroup(ctx, "admins", "nope"), ErrNotFound, "The user with name nope cannot be found.")
	ok(t, s.AddUserToGroup(ctx, "admins", "u"))
	ok(t, s.AddUserToGroup(ctx, "admins", "U")) // idempotent
	ok(t, s.PutGroupPolicy(ctx, "admins", "all", allowAll))
	if docs := must[[][]byte](t)(s.PoliciesFor(ctx, "u")); len(docs) != 1 || string(docs[0]) != allowAll {
		t.Fatalf("PoliciesFor after AddUserToGroup: %q", docs)
	}
	ok(t, s.RemoveUserFromGroup(ctx, "admins", "u"))
	wantErr(t, s.RemoveUserFromGroup(ctx, "admins", "u"), ErrNotFound, "User u is not in group admins.")
	if docs := must[[][]byte](t)(s.PoliciesFor(ctx, "u")); len(docs) != 0 {
		t.Fatalf("PoliciesFor after RemoveUserFromGroup: %q", docs)
	}
	for i := range 10 {
		n := "g" + string(rune('0'+i))
		must[Group](t)(s.CreateGroup(ctx, n, ""))
		ok(t, s.AddUserToGroup(ctx, n, "u"))
	}
	wantErr(t, s.AddUserToGroup(ctx, "admins", "u"), ErrLimitExceeded, "Cannot exceed quota for GroupsPerUser: 10")
}

func TestInlinePolicies(t *testing.T) {
	s := newEnv(t).s
	must[User](t)(s.CreateUser(ctx, "u", ""))
	wantErr(t, s.PutUserPolicy(ctx, "nope", "p", allowAll), ErrNotFound, "The user with name nope cannot be found.")
	ok(t, s.PutUserPolicy(ctx, "u", "read", doc("s3:GetObject")))
	if d := must[string](t)(s.GetUserPolicy(ctx, "u", "READ")); d != doc("s3:GetObject") {
		t.Fatalf("GetUserPolicy: %s", d)
	}
	ok(t, s.PutUserPolicy(ctx, "u", "read", doc("s3:ListBucket"))) // replaces
	if d := must[string](t)(s.GetUserPolicy(ctx, "u", "read")); d != doc("s3:ListBucket") {
		t.Fatalf("GetUserPolicy after replace: %s", d)
	}
	_, err := s.GetUserPolicy(ctx, "u", "write")
	wantErr(t, err, ErrNotFound, "The user policy with name write cannot be found.")
	wantErr(t, s.DeleteUserPolicy(ctx, "u", "write"), ErrNotFound, "The user policy with name write cannot be found.")

	for _, bad := range []string{"not json", `["a"]`, `{"Version":`} {
		wantErr(t, s.PutUserPolicy(ctx, "u", "bad", bad), ErrMalformedPolicy, "Syntax errors in policy.")
	}
	wantErr(t, s.PutUserPolicy(ctx, "u", "bad", ""), ErrValidation,
		"1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	wantErr(t, s.PutUserPolicy(ctx, "u", "bad", `{"Sid":"☃"}`), ErrValidation, "")

	// 2048 characters for all of a user's inline policies, white space not counted.
	pad := func(n int) string { return `{"x":"` + strings.Repeat("a", n-8) + `"}` }
	ok(t, s.PutUserPolicy(ctx, "u", "read", pad(1000)))
	ok(t, s.PutUserPolicy(ctx, "u", "big", pad(1048)+strings.Repeat(" \n", 500)))
	wantErr(t, s.PutUserPolicy(ctx, "u", "more", pad(10)), ErrLimitExceeded, "Maximum policy size of 2048 bytes exceeded for user u")
	wantErr(t, s.PutUserPolicy(ctx, "u", "huge", pad(7000)), ErrLimitExceeded, "Maximum policy size of 2048 bytes exceeded for user u")
	ok(t, s.PutUserPolicy(ctx, "u", "big", pad(1040))) // replacing counts the new size only
	ok(t, s.DeleteUserPolicy(ctx, "u", "big"))

	must[Group](t)(s.CreateGroup(ctx, "g", ""))
	ok(t, s.PutGroupPolicy(ctx, "g", "big", pad(5000)))
	wantErr(t, s.PutGroupPolicy(ctx, "g", "more", pad(200)), ErrLimitExceeded, "Maximum policy size of 5120 bytes exceeded for group g")
	wantErr(t, s.PutGroupPolicy(ctx, "nope", "p", allowAll), ErrNotFound, "The group with name nope cannot be found.")
}

// TestPolicyValidator: the configured validator decides, and its text is the message.
func TestPolicyValidator(t *testing.T) {
	e := newEnv(t)
	e.s.cfg.ValidatePolicy = func(doc []byte) error {
		if strings.Contains(string(doc), "Principal") {
			return errors.New("Policy document should not specify a principal.")
		}
		return nil
	}
	s := e.s
	must[User](t)(s.CreateUser(ctx, "u", ""))
	wantErr(t, s.PutUserPolicy(ctx, "u", "p", `{"Statement":[{"Principal":"*"}]}`), ErrMalformedPolicy,
		"Policy document should not specify a principal.")
	_, err := s.CreatePolicy(ctx, "p", "", "", `{"Principal":"*"}`)
	wantErr(t, err, ErrMalformedPolicy, "Policy document should not specify a principal.")
	ok(t, s.PutUserPolicy(ctx, "u", "p", allowAll))

	e.s.cfg.ValidatePolicy = func([]byte) error { return errs.New(ErrLimitExceeded, "too big") }
	wantErr(t, s.PutUserPolicy(ctx, "u", "p", allowAll), ErrLimitExceeded, "too big")
}

func TestManagedPolicies(t *testing.T) {
	e := newEnv(t)
	s := e.s
	p := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "S3Read", "/team/", "reads", doc("s3:GetObject")))
	if p.ARN != "arn:aws:iam::123456789012:policy/team/S3Read" || p.DefaultVersion != "v1" || p.AttachmentCount != 0 ||
		!strings.HasPrefix(p.ID, "ANPA") || p.Description != "reads" || !p.Created.Equal(e.now) {
		t.Fatalf("CreatePolicy: %+v", p)
	}
	_, err := s.CreatePolicy(ctx, "s3read", "", "", allowAll)
	wantErr(t, err, ErrAlreadyExists, "A policy called s3read already exists. Duplicate names are not allowed.")
	_, err = s.CreatePolicy(ctx, "huge", "", "", `{"x":"`+strings.Repeat("a", 6200)+`"}`)
	wantErr(t, err, ErrLimitExceeded, "Cannot exceed quota for PolicySize: 6144")

	if got := must[ManagedPolicy](t)(s.GetPolicy(ctx, p.ARN)); got != p {
		t.Fatalf("GetPolicy: %+v", got)
	}
	v := must[PolicyVersion](t)(s.GetPolicyVersion(ctx, p.ARN, "v1"))
	if v.Document != doc("s3:GetObject") || !v.IsDefault || v.VersionID != "v1" {
		t.Fatalf("GetPolicyVersion: %+v", v)
	}
	_, err = s.GetPolicyVersion(ctx, p.ARN, "v2")
	wantErr(t, err, ErrNotFound, "Policy "+p.ARN+" version v2 does not exist or is not attachable.")
	_, err = s.GetPolicyVersion(ctx, p.ARN, "2")
	wantErr(t, err, ErrValidation, "")

	for arn, want := range map[string]error{
		"arn:aws:iam::123456789012:policy/S3Read":       ErrNotFound, // wrong path
		"arn:aws:iam::123456789012:policy/team/Nope":    ErrNotFound,
		"arn:aws:iam::aws:policy/AdministratorAccess":   ErrNotFound,
		"arn:aws:iam::999999999999:policy/team/S3Read":  ErrNotFound,
		"arn:aws:s3:::bucket/policy/team/S3Read-xxxxxx": ErrInvalidInput,
		"not-an-arn-at-all-xxxxxxxxx":                   ErrInvalidInput,
	} {
		_, err := s.GetPolicy(ctx, arn)
		wantErr(t, err, want, "")
	}
	_, err = s.GetPolicy(ctx, "arn:aws:iam::123456789012:policy/team/Nope")
	wantErr(t, err, ErrNotFound, "Policy arn:aws:iam::123456789012:policy/team/Nope was not found.")
	_, err = s.GetPolicy(ctx, "not-an-arn-at-all-xxxxxxxxx")
	wantErr(t, err, ErrInvalidInput, "ARN not-an-arn-at-all-xxxxxxxxx is not valid.")

	must[User](t)(s.CreateUser(ctx, "u", ""))
	must[Group](t)(s.CreateGroup(ctx, "g", ""))
	ok(t, s.AttachUserPolicy(ctx, "u", p.ARN))
	ok(t, s.AttachUserPolicy(ctx, "u", p.ARN)) // idempotent
	ok(t, s.AttachGroupPolicy(ctx, "g", p.ARN))
	wantErr(t, s.AttachUserPolicy(ctx, "u", "arn:aws:iam::aws:policy/ReadOnlyAccess"), ErrNotFound,
		"Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist or is not attachable.")
	wantErr(t, s.AttachGroupPolicy(ctx, "nope", p.ARN), ErrNotFound, "The group with name nope cannot be found.")
	if got := must[ManagedPolicy](t)(s.GetPolicy(ctx, p.ARN)); got.AttachmentCount != 2 {
		t.Fatalf("AttachmentCount: %d", got.AttachmentCount)
	}
	wantErr(t, s.DeletePolicy(ctx, p.ARN), ErrDeleteConflict, "Cannot delete a policy attached to entities.")

	p2 := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "Other", "", "", doc("s3:PutObject")))
	ok(t, s.AttachUserPolicy(ctx, "u", p2.ARN))
	att, next, err := s.ListAttachedUserPolicies(ctx, "u", "", Page{MaxItems: 1})
	ok(t, err)
	att2, next2, err := s.ListAttachedUserPolicies(ctx, "u", "", Page{Marker: next})
	ok(t, err)
	if len(att) != 1 || att[0] != (AttachedPolicy{"Other", p2.ARN}) || len(att2) != 1 || att2[0].ARN != p.ARN || next2 != "" {
		t.Fatalf("ListAttachedUserPolicies: %+v %+v", att, att2)
	}
	if att, _, _ := s.ListAttachedUserPolicies(ctx, "u", "/team/", Page{}); len(att) != 1 || att[0].Name != "S3Read" {
		t.Fatalf("ListAttachedUserPolicies /team/: %+v", att)
	}

	ok(t, s.PutUserPolicy(ctx, "u", "inline", doc("s3:ListBucket")))
	ok(t, s.PutGroupPolicy(ctx, "g", "ginline", doc("kms:Decrypt")))
	ok(t, s.AddUserToGroup(ctx, "g", "u"))
	docs := must[[][]byte](t)(s.PoliciesFor(ctx, "U"))
	var got []string
	for _, d := range docs {
		got = append(got, string(d))
	}
	want := []string{doc("s3:ListBucket"), doc("s3:PutObject"), doc("s3:GetObject"), doc("kms:Decrypt"), doc("s3:GetObject")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("PoliciesFor:\n%s", strings.Join(got, "\n"))
	}
	_, err = s.PoliciesFor(ctx, "nobody")
	wantErr(t, err, ErrNotFound, "")

	ok(t, s.DetachUserPolicy(ctx, "u", p.ARN))
	wantErr(t, s.DetachUserPolicy(ctx, "u", p.ARN), ErrNotFound, "Policy "+p.ARN+" was not found.")
	wantErr(t, s.DeletePolicy(ctx, p.ARN), ErrDeleteConflict, "") // still on the group
	ok(t, s.RemoveUserFromGroup(ctx, "g", "u"))
	ok(t, s.DetachUserPolicy(ctx, "u", p2.ARN))
	ok(t, s.DeletePolicy(ctx, p2.ARN))
	_, err = s.GetPolicy(ctx, p2.ARN)
	wantErr(t, err, ErrNotFound, "")

	for i := range 10 {
		q := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "q"+string(rune('0'+i)), "", "", allowAll))
		ok(t, s.AttachUserPolicy(ctx, "u", q.ARN))
	}
	wantErr(t, s.AttachUserPolicy(ctx, "u", p.ARN), ErrLimitExceeded, "Cannot exceed quota for PoliciesPerUser: 10")
}
