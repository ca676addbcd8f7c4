package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

// Object Ownership (docs/ACL.md): Put/Get/DeleteBucketOwnershipControls and CreateBucket's
// x-amz-object-ownership. A new bucket's record carries BucketOwnerEnforced (S3's default
// since April 2023); a record without a setting (a bucket created before Arca had them, or
// after DeleteBucketOwnershipControls) has no ownership controls and behaves as
// ObjectWriter, as on S3.

type ownershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

func (a *API) putBucketOwnershipControls(q *request) (*response, error) {
	var c ownershipControls
	if err := readXML(q, &c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	if len(c.Rules) != 1 || !slices.Contains(acl.Ownerships, c.Rules[0].ObjectOwnership) {
		return nil, apierr.MalformedXML
	}
	own := c.Rules[0].ObjectOwnership
	err := a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		if own == acl.BucketOwnerEnforced && b.ACL != nil && !b.ACL.OwnerOnly(a.bucketOwnerID(b), a.bucketOwnerID(b)) {
			return apierr.InvalidBucketAclWithObjectOwnership
		}
		b.Ownership = own
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(), nil
}

func (a *API) getBucketOwnershipControls(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if b.Ownership == "" {
		return nil, apierr.OwnershipControlsNotFound.With("BucketName", q.bucket)
	}
	out := ownershipControls{NS: s3NS}
	out.Rules = append(out.Rules, struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	}{b.Ownership})
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func (a *API) deleteBucketOwnershipControls(q *request) (*response, error) {
	err := a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		b.Ownership = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

// createBucketACL sets a new bucket's Object Ownership (x-amz-object-ownership, else
// BucketOwnerEnforced) and ACL (x-amz-acl or x-amz-grant-*) in b, owned by the caller's
// account: an invalid setting is InvalidArgument; an ACL granting more than the owner
// under BucketOwnerEnforced is InvalidBucketAclWithObjectOwnership; a public ACL is refused
// as a new bucket blocks public ACLs (Block Public Access).
func (a *API) createBucketACL(q *request, b *meta.Bucket) error {
	b.Ownership = acl.BucketOwnerEnforced
	if v := q.header(hObjectOwnship); v != "" {
		if !slices.Contains(acl.Ownerships, v) {
			return apierr.InvalidArgument.Msg("Invalid x-amz-object-ownership header: %s", v).Arg(hObjectOwnship, v)
		}
		b.Ownership = v
	}
	own := callerID(q)
	if own == "" {
		own = a.bucketOwnerID(b)
	}
	x, _, given, err := headerACL(q.r.Header, own, own)
	if err != nil || !given {
		return err
	}
	if !acl.Enabled(b.Ownership) {
		if !x.OwnerOnly(own, own) {
			return apierr.InvalidBucketAclWithObjectOwnership
		}
		return nil
	}
	if err := a.refusePublicBucketACL(acl.IsPublic(x.Grants)); err != nil {
		return err
	}
	b.ACL = &x
	return nil
}
