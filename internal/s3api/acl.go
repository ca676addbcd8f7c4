package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/policy"
)

// ACLs (docs/ACL.md): Get/PutBucketAcl, Get/PutObjectAcl, the x-amz-acl and x-amz-grant-*
// headers of the writes that take them, and the ACL's part in authorization (aclAllows).

const (
	hACL           = "x-amz-acl"
	hObjectOwnship = "x-amz-object-ownership"
	xsiNS          = "http://www.w3.org/2001/XMLSchema-instance"
)

// accessControlPolicy is the AccessControlPolicy document, as S3 writes it.
type accessControlPolicy struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	NS      string     `xml:"xmlns,attr,omitempty"`
	Owner   owner      `xml:"Owner"`
	Grants  []xmlGrant `xml:"AccessControlList>Grant"`
}

type xmlGrant struct {
	Grantee    xmlGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type xmlGrantee struct {
	XSI  string `xml:"xmlns:xsi,attr"`
	Type string `xml:"xsi:type,attr"`
	ID   string `xml:"ID,omitempty"`
	URI  string `xml:"URI,omitempty"`
}

// aclPolicyIn is the AccessControlPolicy document as a client sends it (xsi:type read by
// its namespace).
type aclPolicyIn struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
	Grants []struct {
		Grantee struct {
			Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
			ID    string `xml:"ID"`
			URI   string `xml:"URI"`
			Email string `xml:"EmailAddress"`
		} `xml:"Grantee"`
		Permission string `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

// decodeACL parses an AccessControlPolicy body into grants: MalformedACLError for a
// document that does not parse or validate (a grantee whose xsi:type disagrees with what
// it names, an unknown permission), the acl package's errors for a bad grantee.
func decodeACL(data []byte) ([]acl.Grant, error) {
	var in aclPolicyIn
	if err := xml.Unmarshal(data, &in); err != nil {
		return nil, apierr.MalformedACL
	}
	var grants []acl.Grant
	for _, g := range in.Grants {
		ge := g.Grantee
		var want string
		switch {
		case ge.Email != "":
			return nil, acl.ErrEmailGrantee
		case ge.ID != "" && ge.URI == "":
			want = "CanonicalUser"
		case ge.URI != "" && ge.ID == "":
			want = "Group"
		default:
			return nil, apierr.MalformedACL
		}
		if ge.Type != "" && ge.Type != want {
			return nil, apierr.MalformedACL
		}
		grants = append(grants, acl.Grant{Grantee: acl.Grantee{ID: strings.TrimSpace(ge.ID), URI: strings.TrimSpace(ge.URI)}, Permission: acl.Permission(strings.TrimSpace(g.Permission))})
	}
	if err := (acl.ACL{Grants: grants}).Validate(); err != nil {
		return nil, err
	}
	return grants, nil
}

// encodeACL is a's AccessControlPolicy document.
func encodeACL(a acl.ACL) accessControlPolicy {
	out := accessControlPolicy{NS: s3NS, Owner: owner{ID: a.Owner}}
	for _, g := range a.Grants {
		ge := xmlGrantee{XSI: xsiNS, Type: "CanonicalUser", ID: g.Grantee.ID}
		if g.Grantee.URI != "" {
			ge = xmlGrantee{XSI: xsiNS, Type: "Group", URI: g.Grantee.URI}
		}
		out.Grants = append(out.Grants, xmlGrant{Grantee: ge, Permission: string(g.Permission)})
	}
	return out
}

// headerACL is the ACL the request's x-amz-acl or x-amz-grant-* headers give a resource
// owned by owner in a bucket owned by bucketOwner: given false when it has none; canned is
// the canned ACL's name. Both kinds at once is InvalidRequest.
func headerACL(h http.Header, owner, bucketOwner string) (a acl.ACL, canned string, given bool, err error) {
	canned = h.Get(hACL)
	a = acl.ACL{Owner: owner}
	for name, p := range acl.GrantHeaders {
		v := h.Get(name)
		if v == "" {
			continue
		}
		gs, err := acl.ParseGrantHeader(p, v)
		if err != nil {
			return a, "", false, err
		}
		a.Grants = append(a.Grants, gs...)
		given = true
	}
	switch {
	case canned != "" && given:
		return a, "", false, apierr.CannedAndGrants
	case canned != "":
		a, err = acl.Canned(canned, owner, bucketOwner)
		if err != nil {
			return a, "", false, apierr.InvalidArgument.Arg(hACL, canned)
		}
		return a, canned, true, nil
	}
	if given {
		// The grants in S3's order, whatever the map's.
		sortGrants(a.Grants)
	}
	return a, "", given, nil
}

func sortGrants(gs []acl.Grant) {
	rank := map[acl.Permission]int{}
	for i, p := range acl.Permissions {
		rank[p] = i
	}
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && rank[gs[j].Permission] < rank[gs[j-1].Permission]; j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
}

// canonicalOf is the canonical user id of accountID's account.
func canonicalOf(accountID string) string { return account.CanonicalID(accountID) }

// bucketOwnerID is the canonical id of b's owner.
func (a *API) bucketOwnerID(b *meta.Bucket) string { return canonicalOf(a.bucketOwnerAccount(b)) }

// callerID is the canonical id of the caller's account ("" when anonymous).
func callerID(q *request) string {
	if q.caller.Anonymous || q.caller.Identity.AccountID == "" {
		return ""
	}
	return canonicalOf(q.caller.Identity.AccountID)
}

// objectWriteACL is the ACL a write (PutObject, CopyObject, CreateMultipartUpload, POST
// Object) stores with its object in bucket b, from the request's headers: nil for a
// private object of the bucket owner. Under BucketOwnerEnforced only private and
// bucket-owner-full-control (or grants of FULL_CONTROL to the owner alone) are accepted;
// anything else is AccessControlListNotSupported. A public ACL is refused under
// BlockPublicAcls.
func (a *API) objectWriteACL(q *request, b *meta.Bucket) (*acl.ACL, error) {
	bucketOwner := a.bucketOwnerID(b)
	writer := callerID(q)
	if writer == "" {
		writer = bucketOwner
	}
	canned := q.header(hACL)
	own := acl.ObjectOwner(b.Ownership, writer, bucketOwner, canned)
	x, _, given, err := headerACL(q.r.Header, own, bucketOwner)
	if err != nil {
		return nil, err
	}
	if !acl.Enabled(b.Ownership) {
		if given && !x.OwnerOnly(own, bucketOwner) {
			return nil, apierr.ACLNotSupported
		}
		return nil, nil
	}
	if !given {
		if own == bucketOwner {
			return nil, nil
		}
		p := acl.Private(own)
		return &p, nil
	}
	if err := a.refusePublicACL(q.ctx, b, acl.IsPublic(x.Grants)); err != nil {
		return nil, err
	}
	return &x, nil
}

// bucketACLOf is the ACL GetBucketAcl answers for b: the stored one with ACLs enabled,
// else the owner's FULL_CONTROL.
func (a *API) bucketACLOf(b *meta.Bucket) acl.ACL {
	if b.ACL != nil && acl.Enabled(b.Ownership) {
		return *b.ACL
	}
	return acl.Private(a.bucketOwnerID(b))
}

// objectACLOf is the ACL GetObjectAcl answers for o in b.
func (a *API) objectACLOf(b *meta.Bucket, o *meta.Object) acl.ACL {
	if o.ACL != nil && acl.Enabled(b.Ownership) {
		return *o.ACL
	}
	return acl.Private(a.bucketOwnerID(b))
}

func (a *API) getBucketAcl(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = encodeACL(a.bucketACLOf(&b))
	return resp, nil
}

// requestedACL is the ACL a PutBucketAcl/PutObjectAcl asks for, from its headers or its
// body (not both; one of them).
func requestedACL(q *request, owner, bucketOwner string) (acl.ACL, error) {
	x, _, given, err := headerACL(q.r.Header, owner, bucketOwner)
	if err != nil {
		return x, err
	}
	data, err := io.ReadAll(io.LimitReader(q.caller.Body, maxXMLBody+1))
	if err != nil {
		return x, err
	}
	q.bytesIn += int64(len(data))
	if len(data) > maxXMLBody {
		return x, apierr.MaxMessageLengthExceeded
	}
	if err := verifyBodyDigests(q, data); err != nil {
		return x, err
	}
	switch {
	case given && len(data) > 0:
		return x, apierr.ACLHeadersAndBody
	case given:
		return x, nil
	case len(data) == 0:
		return x, apierr.MissingACL
	}
	gs, err := decodeACL(data)
	if err != nil {
		return x, err
	}
	return acl.ACL{Owner: owner, Grants: gs}, nil
}

func (a *API) putBucketAcl(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	own := a.bucketOwnerID(&b)
	x, err := requestedACL(q, own, own)
	if err != nil {
		return nil, err
	}
	if !acl.Enabled(b.Ownership) {
		if !x.OwnerOnly(own, own) {
			return nil, apierr.ACLNotSupported
		}
		return newResponse(), nil
	}
	if err := a.refusePublicACL(q.ctx, &b, acl.IsPublic(x.Grants)); err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		if !acl.Enabled(b.Ownership) {
			return apierr.ACLNotSupported
		}
		b.ACL = &x
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(), nil
}

func (a *API) getObjectAcl(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	o, err := a.aclVersion(q)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	setVersionHeader(resp.header, o.VersionID, false)
	resp.xml = encodeACL(a.objectACLOf(&b, &o))
	return resp, nil
}

// aclVersion is the version an object ACL request addresses (?versionId, else the current
// one); a delete marker is NoSuchKey (or MethodNotAllowed when named), as for tagging.
func (a *API) aclVersion(q *request) (meta.Object, error) {
	vid := q.qget("versionId")
	o, err := a.meta.GetVersion(q.ctx, q.bucket, q.key, vid)
	if err != nil {
		return o, err
	}
	if o.DeleteMarker {
		if vid != "" {
			return o, apierr.MethodNotAllowed.With("Method", q.r.Method).With("ResourceType", "DeleteMarker")
		}
		return o, meta.ErrNoSuchKey
	}
	q.versionID = wireVersion(o.VersionID)
	return o, nil
}

func (a *API) putObjectAcl(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	o, err := a.aclVersion(q)
	if err != nil {
		return nil, err
	}
	bucketOwner := a.bucketOwnerID(&b)
	own := bucketOwner
	if o.ACL != nil && acl.Enabled(b.Ownership) {
		own = o.ACL.Owner
	}
	x, err := requestedACL(q, own, bucketOwner)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	setVersionHeader(resp.header, o.VersionID, false)
	if !acl.Enabled(b.Ownership) {
		if !x.OwnerOnly(own, bucketOwner) {
			return nil, apierr.ACLNotSupported
		}
		return resp, nil
	}
	if err := a.refusePublicACL(q.ctx, &b, acl.IsPublic(x.Grants)); err != nil {
		return nil, err
	}
	err = a.meta.UpdateVersion(q.ctx, q.bucket, q.key, q.qget("versionId"), func(o *meta.Object) error {
		if o.DeleteMarker {
			return meta.ErrNoSuchKey
		}
		o.ACL = &x
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// aclAllows reports whether the ACLs of bucket b (and, for the object actions an object ACL
// governs, of the addressed object) allow the caller action on resource: a resource-side
// allow that explicit denies still beat (authz). Always false under BucketOwnerEnforced,
// where ACLs no longer affect access. Grants to the caller's own account count only for
// callers from outside the bucket owner's account (an IAM user of the owner's account needs
// its identity policies, as on AWS); public grants count unless IgnorePublicAcls is on.
//
// An object that another account owns (written under ObjectWriter) is readable by the
// bucket owner's principals only through its ACL, as on AWS: without a grant to the bucket
// owner's account (or a group), their object-ACL actions on it are AccessDenied whatever the
// policies say.
func (a *API) aclAllows(q *request, b *meta.Bucket, action, resource string) (bool, error) {
	if !acl.Enabled(b.Ownership) {
		return false, nil
	}
	id := identityOf(q)
	ownerAcct := a.bucketOwnerAccount(b)
	c := acl.Caller{CanonicalID: callerID(q), Authenticated: !q.caller.Anonymous && id.Type != "",
		IgnoreAccountGrants: id.AccountID == ownerAcct}
	var x *acl.ACL
	var p acl.Permission
	if bp, ok := acl.BucketPermission(action); ok {
		if id.Type == iam.TypeRoot && id.AccountID == ownerAcct {
			return false, nil // the owner's root needs no ACL
		}
		x, p = b.ACL, bp
	} else if op, ok := acl.ObjectPermission(action); ok {
		key, isObj := strings.CutPrefix(resource, bucketARN(b.Name)+"/")
		if !isObj {
			return false, nil
		}
		vid := ""
		if b.Name == q.bucket && key == q.key {
			vid = q.qget("versionId")
		}
		o, err := a.meta.GetVersion(q.ctx, b.Name, key, vid)
		switch {
		case errors.Is(err, meta.ErrNoSuchKey), errors.Is(err, meta.ErrNoSuchVersion), errors.Is(err, meta.ErrDamagedRecord):
			return false, nil // the handler answers
		case err != nil:
			return false, err
		}
		x, p = o.ACL, op
		if x != nil && id.Type != "" && id.AccountID == ownerAcct && x.Owner != a.bucketOwnerID(b) {
			own := c
			own.IgnoreAccountGrants = false
			if !a.allowsWithBPA(q, b, x, own, p) {
				return false, apierr.AccessDenied
			}
			return false, nil // granted to the account: its policies decide for its principals
		}
		if id.Type == iam.TypeRoot && id.AccountID == ownerAcct {
			return false, nil
		}
	}
	if x == nil {
		return false, nil
	}
	return a.allowsWithBPA(q, b, x, c, p), nil
}

// allowsWithBPA is x.Allows(c, p) with IgnorePublicAcls applied (looked up only when a
// public grant is what allows).
func (a *API) allowsWithBPA(q *request, b *meta.Bucket, x *acl.ACL, c acl.Caller, p acl.Permission) bool {
	if !x.Allows(c, p) {
		return false
	}
	if !acl.IsPublic(x.Grants) {
		return true
	}
	ignore, err := a.ignoresPublicACLs(q.ctx, b)
	if err != nil {
		return false // fail closed
	}
	c.IgnorePublic = ignore
	return x.Allows(c, p)
}

// aclKeys sets the condition keys of a request's ACL headers, as S3 does, for the actions
// that take them: s3:x-amz-acl and s3:x-amz-grant-* (CreateBucket, PutObject and its
// forms, Put*Acl), s3:x-amz-object-ownership (CreateBucket). A bucket policy can so
// require bucket-owner-full-control on uploads from other accounts.
func aclKeys(q *request, action string, r *policy.Request) {
	switch action {
	case "s3:CreateBucket":
		if v := q.header(hObjectOwnship); v != "" {
			r.Set("s3:x-amz-object-ownership", v)
		}
	case "s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutBucketAcl":
	default:
		return
	}
	if v := q.header(hACL); v != "" {
		r.Set("s3:x-amz-acl", v)
	}
	for name := range acl.GrantHeaders {
		if v := q.header(name); v != "" {
			r.Set("s3:"+name, v)
		}
	}
}
