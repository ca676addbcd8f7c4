package iam

import (
	"context"
	"testing"
)

func TestGroupReadsAndDeleteGroup(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.s
	must[User](t)(s.CreateUser(ctx, "alice", ""))
	must[User](t)(s.CreateUser(ctx, "Bob", ""))
	must[Group](t)(s.CreateGroup(ctx, "devs", "/eng/"))
	must[Group](t)(s.CreateGroup(ctx, "admins", ""))
	ok(t, s.AddUserToGroup(ctx, "devs", "alice"))
	ok(t, s.AddUserToGroup(ctx, "admins", "alice"))
	ok(t, s.AddUserToGroup(ctx, "devs", "Bob"))

	groups, next, err := s.ListGroupsForUser(ctx, "alice", Page{MaxItems: 1})
	ok(t, err)
	if len(groups) != 1 || groups[0].Name != "admins" || next == "" {
		t.Fatalf("page 1: %+v %q", groups, next)
	}
	groups, next, err = s.ListGroupsForUser(ctx, "alice", Page{Marker: next})
	ok(t, err)
	if len(groups) != 1 || groups[0].Name != "devs" || groups[0].Path != "/eng/" || next != "" {
		t.Fatalf("page 2: %+v %q", groups, next)
	}
	_, _, err = s.ListGroupsForUser(ctx, "nobody", Page{})
	wantErr(t, err, ErrNotFound, "The user with name nobody cannot be found.")

	g, users, _, err := s.GetGroupUsers(ctx, "devs", Page{})
	ok(t, err)
	if g.Name != "devs" || len(users) != 2 || users[0].Name != "alice" || users[1].Name != "Bob" {
		t.Fatalf("GetGroupUsers: %+v %+v", g, users)
	}

	wantErr(t, s.DeleteGroup(ctx, "devs"), ErrDeleteConflict, "Cannot delete entity, must remove users from group first.")
	ok(t, s.RemoveUserFromGroup(ctx, "devs", "alice"))
	ok(t, s.RemoveUserFromGroup(ctx, "devs", "Bob"))
	ok(t, s.PutGroupPolicy(ctx, "devs", "p", doc("s3:GetObject")))
	wantErr(t, s.DeleteGroup(ctx, "devs"), ErrDeleteConflict, "Cannot delete entity, must delete policies first.")
	must[Group](t)(s.CreateGroup(ctx, "empty", ""))
	ok(t, s.DeleteGroup(ctx, "empty"))
	_, err = s.GetGroup(ctx, "empty")
	wantErr(t, err, ErrNotFound, "The group with name empty cannot be found.")
	wantErr(t, s.DeleteGroup(ctx, "empty"), ErrNotFound, "The group with name empty cannot be found.")

	// The deletion is durable.
	e.reopen()
	if _, err := e.s.GetGroup(ctx, "empty"); err == nil {
		t.Fatal("deleted group back after reopen")
	}
}

func TestListPolicyVersionsAndUserPolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.s
	p := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "read", "", "", doc("s3:GetObject")))
	vs, next, err := s.ListPolicyVersions(ctx, p.ARN, Page{})
	ok(t, err)
	if len(vs) != 1 || vs[0].VersionID != "v1" || !vs[0].IsDefault || vs[0].Document != "" || next != "" {
		t.Fatalf("ListPolicyVersions: %+v %q", vs, next)
	}
	_, _, err = s.ListPolicyVersions(ctx, "arn:aws:iam::"+e.s.cfg.AccountID+":policy/none", Page{})
	wantErr(t, err, ErrNotFound, "")

	must[User](t)(s.CreateUser(ctx, "alice", ""))
	ok(t, s.PutUserPolicy(ctx, "alice", "Zeta", doc("s3:GetObject")))
	ok(t, s.PutUserPolicy(ctx, "alice", "alpha", doc("s3:PutObject")))
	names, _, err := s.ListUserPolicies(ctx, "alice", Page{})
	ok(t, err)
	if len(names) != 2 || names[0] != "alpha" || names[1] != "Zeta" {
		t.Fatalf("ListUserPolicies: %v", names)
	}
	wantErr(t, s.GetLoginProfile(ctx, "alice"), ErrNotFound, "Login Profile for User alice cannot be found.")
	wantErr(t, s.GetLoginProfile(ctx, "bob"), ErrNotFound, "The user with name bob cannot be found.")
}

func TestGroupPolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.s
	must[Group](t)(s.CreateGroup(ctx, "devs", ""))
	p := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "read", "/team/", "", doc("s3:GetObject")))
	ok(t, s.PutGroupPolicy(ctx, "devs", "Inline", doc("s3:PutObject")))
	ok(t, s.AttachGroupPolicy(ctx, "devs", p.ARN))

	d, err := s.GetGroupPolicy(ctx, "devs", "inline")
	ok(t, err)
	if d != doc("s3:PutObject") {
		t.Fatalf("GetGroupPolicy: %s", d)
	}
	names, _, err := s.ListGroupPolicies(ctx, "devs", Page{})
	ok(t, err)
	if len(names) != 1 || names[0] != "Inline" {
		t.Fatalf("ListGroupPolicies: %v", names)
	}
	att, _, err := s.ListAttachedGroupPolicies(ctx, "devs", "/team/", Page{})
	ok(t, err)
	if len(att) != 1 || att[0].ARN != p.ARN {
		t.Fatalf("ListAttachedGroupPolicies: %+v", att)
	}
	if att, _, _ := s.ListAttachedGroupPolicies(ctx, "devs", "/other/", Page{}); len(att) != 0 {
		t.Fatalf("path prefix not applied: %+v", att)
	}

	wantErr(t, s.DeleteGroup(ctx, "devs"), ErrDeleteConflict, "")
	ok(t, s.DeleteGroupPolicy(ctx, "devs", "Inline"))
	wantErr(t, s.DeleteGroupPolicy(ctx, "devs", "Inline"), ErrNotFound, "The group policy with name Inline cannot be found.")
	_, err = s.GetGroupPolicy(ctx, "devs", "Inline")
	wantErr(t, err, ErrNotFound, "The group policy with name Inline cannot be found.")
	wantErr(t, s.DeleteGroup(ctx, "devs"), ErrDeleteConflict, "Cannot delete entity, must detach all policies first.")
	ok(t, s.DetachGroupPolicy(ctx, "devs", p.ARN))
	wantErr(t, s.DetachGroupPolicy(ctx, "devs", p.ARN), ErrNotFound, "")
	ok(t, s.DeletePolicy(ctx, p.ARN)) // no longer attached to anything
	ok(t, s.DeleteGroup(ctx, "devs"))
}
