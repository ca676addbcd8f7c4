package acl

import (
	"strings"
)

// Canned ACL names (x-amz-acl).
const (
	CannedPrivate                = "private"
	CannedPublicRead             = "public-read"
	CannedPublicReadWrite        = "public-read-write"
	CannedAuthenticatedRead      = "authenticated-read"
	CannedAWSExecRead            = "aws-exec-read"
	CannedBucketOwnerRead        = "bucket-owner-read"
	CannedBucketOwnerFullControl = "bucket-owner-full-control"
	CannedLogDeliveryWrite       = "log-delivery-write"
)

// CannedNames is every canned ACL.
var CannedNames = []string{CannedPrivate, CannedPublicRead, CannedPublicReadWrite, CannedAuthenticatedRead,
	CannedAWSExecRead, CannedBucketOwnerRead, CannedBucketOwnerFullControl, CannedLogDeliveryWrite}

// Canned expands canned ACL name for a resource owned by owner in a bucket owned by
// bucketOwner (the same for a bucket), as S3 does: the owner always has FULL_CONTROL;
// public-read adds AllUsers READ, public-read-write AllUsers READ and WRITE,
// authenticated-read AuthenticatedUsers READ; on an object, bucket-owner-read adds the
// bucket owner READ and bucket-owner-full-control the bucket owner FULL_CONTROL (both are
// private on a bucket, or when the object's owner owns the bucket); log-delivery-write adds
// LogDelivery WRITE and READ_ACP. aws-exec-read's grant to EC2 names no Arca account, so it
// is private. Returns ErrInvalidCanned for any other name (case matters, as on S3).
func Canned(name, owner, bucketOwner string) (ACL, error) {
	a := Private(owner)
	add := func(g Grantee, p Permission) { a.Grants = append(a.Grants, Grant{g, p}) }
	switch name {
	case CannedPrivate, CannedAWSExecRead:
	case CannedPublicRead:
		add(Grantee{URI: AllUsers}, Read)
	case CannedPublicReadWrite:
		add(Grantee{URI: AllUsers}, Read)
		add(Grantee{URI: AllUsers}, Write)
	case CannedAuthenticatedRead:
		add(Grantee{URI: AuthenticatedUsers}, Read)
	case CannedBucketOwnerRead:
		if bucketOwner != owner {
			add(Grantee{ID: bucketOwner}, Read)
		}
	case CannedBucketOwnerFullControl:
		if bucketOwner != owner {
			add(Grantee{ID: bucketOwner}, FullControl)
		}
	case CannedLogDeliveryWrite:
		add(Grantee{URI: LogDelivery}, Write)
		add(Grantee{URI: LogDelivery}, ReadACP)
	default:
		return ACL{}, ErrInvalidCanned
	}
	return a, nil
}

// GrantHeaders maps each x-amz-grant-* header to the permission it grants.
var GrantHeaders = map[string]Permission{
	"x-amz-grant-read":         Read,
	"x-amz-grant-write":        Write,
	"x-amz-grant-read-acp":     ReadACP,
	"x-amz-grant-write-acp":    WriteACP,
	"x-amz-grant-full-control": FullControl,
}

// ParseGrantHeader parses an x-amz-grant-* value granting p: a comma-separated list of
// type=value pairs, type id (a canonical user id), uri (a group) or emailAddress
// (ErrEmailGrantee), the value quoted or not: id="…", uri="http://…". Returns
// ErrInvalidHeader for anything else, ErrInvalidID and ErrInvalidGroup for a bad grantee.
func ParseGrantHeader(p Permission, value string) ([]Grant, error) {
	var out []Grant
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		typ, v, ok := strings.Cut(item, "=")
		if !ok {
			return nil, ErrInvalidHeader
		}
		typ, v = strings.TrimSpace(typ), strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if v == "" {
			return nil, ErrInvalidHeader
		}
		var g Grantee
		switch strings.ToLower(typ) {
		case "id":
			g.ID = v
		case "uri":
			g.URI = v
		case "emailaddress":
			return nil, ErrEmailGrantee
		default:
			return nil, ErrInvalidHeader
		}
		out = append(out, Grant{g, p})
	}
	if err := (ACL{Grants: out}).Validate(); err != nil {
		return nil, err
	}
	return out, nil
}
