// Package acl is S3's access control lists (docs/ACL.md): grants of READ, WRITE, READ_ACP,
// WRITE_ACP and FULL_CONTROL to canonical users (accounts) and to the AllUsers,
// AuthenticatedUsers and LogDelivery groups; the canned ACLs; the x-amz-grant-* header
// lists; which permission an S3 action needs; and whether an ACL allows a caller a
// permission. It knows nothing of HTTP or storage: s3api decodes the wire forms into an
// ACL, meta stores it in bucket and object records, and s3api feeds Allows into the one
// policy engine as a resource-side allow.
//
// Entry points: Canned, ParseGrantHeader, (ACL).Validate, (ACL).Allows, BucketPermission,
// ObjectPermission, IsPublic.
package acl

import (
	"errors"
	"slices"
)

// Permission is one of S3's ACL permissions.
type Permission string

// The permissions an ACL grants.
const (
	Read        Permission = "READ"
	Write       Permission = "WRITE"
	ReadACP     Permission = "READ_ACP"
	WriteACP    Permission = "WRITE_ACP"
	FullControl Permission = "FULL_CONTROL"
)

// Permissions is every permission, in S3's order.
var Permissions = []Permission{FullControl, Write, WriteACP, Read, ReadACP}

// The predefined groups.
const (
	AllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Groups is every group a grant may name.
var Groups = []string{AllUsers, AuthenticatedUsers, LogDelivery}

// Sentinel errors; internal/apierr maps them to S3's wire errors.
var (
	// ErrMalformed: an ACL that does not validate (an unknown permission or grantee type,
	// a grantee with neither id nor group).
	ErrMalformed = errors.New("acl: malformed access control list")
	// ErrInvalidID: a canonical user id that is not 64 hex digits.
	ErrInvalidID = errors.New("acl: invalid canonical user id")
	// ErrInvalidGroup: a group URI that is not one of Groups.
	ErrInvalidGroup = errors.New("acl: invalid group uri")
	// ErrEmailGrantee: a grantee by e-mail address, which Arca (like most AWS regions) does
	// not resolve.
	ErrEmailGrantee = errors.New("acl: grantee by e-mail address not supported")
	// ErrInvalidCanned: an x-amz-acl value that is not a canned ACL.
	ErrInvalidCanned = errors.New("acl: unknown canned acl")
	// ErrInvalidHeader: an x-amz-grant-* value that does not parse.
	ErrInvalidHeader = errors.New("acl: malformed grant header")
	// ErrTooManyGrants: more than MaxGrants grants.
	ErrTooManyGrants = errors.New("acl: too many grants")
)

// MaxGrants is how many grants an ACL may hold (S3's limit).
const MaxGrants = 100

// Grantee is who a grant names: a canonical user (ID) or a group (URI), never both.
type Grantee struct {
	ID  string `json:"id,omitempty"`
	URI string `json:"uri,omitempty"`
}

// Grant gives Grantee Permission.
type Grant struct {
	Grantee    Grantee    `json:"g"`
	Permission Permission `json:"p"`
}

// ACL is a resource's access control list: its owner's canonical id and its grants.
type ACL struct {
	Owner  string  `json:"owner"`
	Grants []Grant `json:"grants,omitempty"`
}

// Private is the ACL every resource has when none was given: the owner has FULL_CONTROL.
func Private(owner string) ACL {
	return ACL{Owner: owner, Grants: []Grant{{Grantee{ID: owner}, FullControl}}}
}

// Validate checks every grant: a known permission, a grantee that is a 64-hex canonical id
// or one of Groups, at most MaxGrants grants.
func (a ACL) Validate() error {
	if len(a.Grants) > MaxGrants {
		return ErrTooManyGrants
	}
	for _, g := range a.Grants {
		if !slices.Contains(Permissions, g.Permission) {
			return ErrMalformed
		}
		switch {
		case g.Grantee.ID != "" && g.Grantee.URI != "":
			return ErrMalformed
		case g.Grantee.ID != "":
			if !ValidID(g.Grantee.ID) {
				return ErrInvalidID
			}
		case g.Grantee.URI != "":
			if !slices.Contains(Groups, g.Grantee.URI) {
				return ErrInvalidGroup
			}
		default:
			return ErrMalformed
		}
	}
	return nil
}

// ValidID reports whether id has the shape of a canonical user id (64 lower-case hex).
func ValidID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Caller is who asks, as an ACL sees them: the canonical id of the caller's account (""
// for an anonymous caller) and whether the request was signed.
type Caller struct {
	CanonicalID string
	// Authenticated: a signed request (of any account).
	Authenticated bool
	// IgnoreAccountGrants: grants to canonical users do not count (the caller is an IAM
	// user of the resource owner's own account, whom only the account's identity policies
	// empower, as on AWS).
	IgnoreAccountGrants bool
	// IgnorePublic: grants to AllUsers and AuthenticatedUsers do not count (Block Public
	// Access IgnorePublicAcls).
	IgnorePublic bool
}

// Allows reports whether the ACL grants c permission p: a grant of p or FULL_CONTROL to c's
// account, to AllUsers, or (c signed) to AuthenticatedUsers.
func (a ACL) Allows(c Caller, p Permission) bool {
	for _, g := range a.Grants {
		if g.Permission != p && g.Permission != FullControl {
			continue
		}
		switch g.Grantee.URI {
		case "":
			if !c.IgnoreAccountGrants && c.CanonicalID != "" && g.Grantee.ID == c.CanonicalID {
				return true
			}
		case AllUsers:
			if !c.IgnorePublic {
				return true
			}
		case AuthenticatedUsers:
			if !c.IgnorePublic && c.Authenticated {
				return true
			}
		}
	}
	return false
}

// IsPublic reports whether grants give anything to AllUsers or AuthenticatedUsers (what
// Block Public Access calls a public ACL).
func IsPublic(grants []Grant) bool {
	for _, g := range grants {
		if g.Grantee.URI == AllUsers || g.Grantee.URI == AuthenticatedUsers {
			return true
		}
	}
	return false
}

// OwnerOnly reports whether the ACL grants nothing to anyone but owner and bucketOwner
// (what a bucket with ACLs disabled, BucketOwnerEnforced, still accepts).
func (a ACL) OwnerOnly(owner, bucketOwner string) bool {
	for _, g := range a.Grants {
		if g.Grantee.URI != "" || g.Grantee.ID != owner && g.Grantee.ID != bucketOwner || g.Permission != FullControl {
			return false
		}
	}
	return true
}
