package iam

import (
	"strings"
	"testing"
)

func TestUsers(t *testing.T) {
	e := newEnv(t)
	s := e.s
	u := must[User](t)(s.CreateUser(ctx, "alice", ""))
	if u.Path != "/" || u.ARN != "arn:aws:iam::123456789012:user/alice" || len(u.ID) != 21 ||
		!strings.HasPrefix(u.ID, "AIDA") || !u.Created.Equal(e.now) {
		t.Fatalf("CreateUser: %+v", u)
	}
	b := must[User](t)(s.CreateUser(ctx, "Bob", "/eng/"))
	if b.ARN != "arn:aws:iam::123456789012:user/eng/Bob" {
		t.Fatalf("ARN with path: %s", b.ARN)
	}
	_, err := s.CreateUser(ctx, "ALICE", "")
	wantErr(t, err, ErrAlreadyExists, "User with name ALICE already exists.")

	got := must[User](t)(s.GetUser(ctx, "bob"))
	if got != b {
		t.Fatalf("GetUser is case-insensitive: %+v", got)
	}
	_, err = s.GetUser(ctx, "carol")
	wantErr(t, err, ErrNotFound, "The user with name carol cannot be found.")

	users, next, err := s.ListUsers(ctx, "", Page{})
	ok(t, err)
	if len(users) != 2 || users[0].Name != "alice" || users[1].Name != "Bob" || next != "" {
		t.Fatalf("ListUsers: %+v %q", users, next)
	}
	users, _, err = s.ListUsers(ctx, "/eng/", Page{})
	ok(t, err)
	if len(users) != 1 || users[0].Name != "Bob" {
		t.Fatalf("ListUsers /eng/: %+v", users)
	}

	ok(t, s.DeleteUser(ctx, "ALICE"))
	wantErr(t, s.DeleteUser(ctx, "alice"), ErrNotFound, "The user with name alice cannot be found.")
}

var userValidationTests = []struct {
	name, path, msg string
}{
	{"", "", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
	{"a b", "", "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"},
	{strings.Repeat("x", 65), "", "1 validation error detected: Value '" + strings.Repeat("x", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
	{"ok", "eng", "1 validation error detected: Value 'eng' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"},
	{"ok", "/a b/", "1 validation error detected: Value '/a b/' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"},
}

func TestUserValidation(t *testing.T) {
	s := newEnv(t).s
	for _, tc := range userValidationTests {
		_, err := s.CreateUser(ctx, tc.name, tc.path)
		wantErr(t, err, ErrValidation, tc.msg)
	}
	_, _, err := s.ListUsers(ctx, "eng", Page{})
	wantErr(t, err, ErrValidation, "")
	if _, err := s.CreateUser(ctx, "a+b=c,d.e@f-g_9", "/x/y/"); err != nil {
		t.Fatalf("every allowed character: %v", err)
	}
}

func TestListUsersPaging(t *testing.T) {
	s := newEnv(t).s
	for _, n := range []string{"u3", "u1", "U5", "u2", "u4"} {
		must[User](t)(s.CreateUser(ctx, n, ""))
	}
	var names []string
	marker := ""
	for pages := 0; ; pages++ {
		users, next, err := s.ListUsers(ctx, "", Page{Marker: marker, MaxItems: 2})
		ok(t, err)
		for _, u := range users {
			names = append(names, u.Name)
		}
		if next == "" {
			if pages != 2 {
				t.Fatalf("%d pages", pages+1)
			}
			break
		}
		marker = next
	}
	if strings.Join(names, ",") != "u1,u2,u3,u4,U5" {
		t.Fatalf("paged names: %v", names)
	}
	_, _, err := s.ListUsers(ctx, "", Page{MaxItems: 1001})
	wantErr(t, err, ErrValidation, "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
	_, _, err = s.ListUsers(ctx, "", Page{MaxItems: -1})
	wantErr(t, err, ErrValidation, "")
	_, _, err = s.ListUsers(ctx, "", Page{Marker: "not base64!"})
	wantErr(t, err, ErrValidation, "")
}

func TestDeleteUserConflicts(t *testing.T) {
	s := newEnv(t).s
	must[User](t)(s.CreateUser(ctx, "u", ""))
	must[Group](t)(s.CreateGroup(ctx, "g", ""))
	p := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "p", "", "", allowAll))
	k := must[AccessKey](t)(s.CreateAccessKey(ctx, "u"))
	ok(t, s.PutUserPolicy(ctx, "u", "inline", allowAll))
	ok(t, s.AttachUserPolicy(ctx, "u", p.ARN))
	ok(t, s.AddUserToGroup(ctx, "g", "u"))

	steps := []struct {
		msg  string
		undo func() error
	}{
		{"Cannot delete entity, must delete access keys first.", func() error { return s.DeleteAccessKey(ctx, "u", k.ID) }},
		{"Cannot delete entity, must delete policies first.", func() error { return s.DeleteUserPolicy(ctx, "u", "inline") }},
		{"Cannot delete entity, must detach all policies first.", func() error { return s.DetachUserPolicy(ctx, "u", p.ARN) }},
		{"Cannot delete entity, must remove users from group first.", func() error { return s.RemoveUserFromGroup(ctx, "g", "u") }},
	}
	for _, st := range steps {
		wantErr(t, s.DeleteUser(ctx, "u"), ErrDeleteConflict, st.msg)
		ok(t, st.undo())
	}
	ok(t, s.DeleteUser(ctx, "u"))
}
