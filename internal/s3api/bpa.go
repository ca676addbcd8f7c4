package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

// S3 Block Public Access (docs/BPA.md): the four settings at bucket level (the bucket's
// record, bucketpolicy.go) and at account level (S3 Control, the rows on onControl below),
// each in force when the bucket's or its owner account's setting is on.

// newBucketPublicAccessBlock is what a new bucket's record carries: all four settings on,
// as S3 does for every bucket created since April 2023. Buckets created before keep the
// record they have (nil: no bucket-level block), so an existing data directory behaves as
// it did.
func newBucketPublicAccessBlock() *meta.PublicAccessBlock {
	return &meta.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
}

// accountPABStore keeps account-level configurations; meta.KVStore is one. Without it (a
// Meta that does not keep them) accounts have none and the S3 Control rows answer
// NotImplemented.
type accountPABStore interface {
	AccountPublicAccessBlock(ctx context.Context, accountID string) (*meta.PublicAccessBlock, error)
	PutAccountPublicAccessBlock(ctx context.Context, accountID string, p *meta.PublicAccessBlock) error
}

var _ accountPABStore = (*meta.KVStore)(nil)

// bucketOwnerAccount is the account that owns b: its account-level settings apply to it.
func (a *API) bucketOwnerAccount(b *meta.Bucket) string {
	if b.Owner != "" {
		return b.Owner
	}
	return a.cfg.AccountID
}

// accountPAB is accountID's configuration (nil: none, or no store keeps them).
func (a *API) accountPAB(ctx context.Context, accountID string) (*meta.PublicAccessBlock, error) {
	s, ok := a.meta.(accountPABStore)
	if !ok || accountID == "" {
		return nil, nil
	}
	return s.AccountPublicAccessBlock(ctx, accountID)
}

// effectivePAB is the block in force on b: each setting is on when b's or its owner
// account's is ("the most restrictive combination", as S3 puts it).
func (a *API) effectivePAB(ctx context.Context, b *meta.Bucket) (meta.PublicAccessBlock, error) {
	var eff meta.PublicAccessBlock
	if b.PublicAccessBlock != nil {
		eff = *b.PublicAccessBlock
	}
	acct, err := a.accountPAB(ctx, a.bucketOwnerAccount(b))
	if err != nil || acct == nil {
		return eff, err
	}
	eff.BlockPublicAcls = eff.BlockPublicAcls || acct.BlockPublicAcls
	eff.IgnorePublicAcls = eff.IgnorePublicAcls || acct.IgnorePublicAcls
	eff.BlockPublicPolicy = eff.BlockPublicPolicy || acct.BlockPublicPolicy
	eff.RestrictPublicBuckets = eff.RestrictPublicBuckets || acct.RestrictPublicBuckets
	return eff, nil
}

// restrictPublic reports whether RestrictPublicBuckets is in force on b, reading the
// account's setting only when the bucket's own is off.
func (a *API) restrictPublic(ctx context.Context, b *meta.Bucket) (bool, error) {
	if b.PublicAccessBlock != nil && b.PublicAccessBlock.RestrictPublicBuckets {
		return true, nil
	}
	acct, err := a.accountPAB(ctx, a.bucketOwnerAccount(b))
	return acct != nil && acct.RestrictPublicBuckets, err
}

// S3 Control (the account-level API, https://<account>.s3-control.<region>.amazonaws.com
// on AWS) shares Arca's one endpoint: a request signed for s3 whose path is under
// controlPrefix and that names an account in x-amz-account-id. S3 Control clients prefix
// the endpoint's host with the account id (docs/BPA.md), so the host never names a bucket
// here.
const (
	controlPrefix  = "/v20180820/"
	controlPABPath = controlPrefix + "configuration/publicAccessBlock"
	controlNS      = "http://awss3control.amazonaws.com/doc/2018-08-20/"
)

// isControlRequest reports whether r is addressed to S3 Control.
func isControlRequest(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, controlPrefix) && r.Header.Get("x-amz-account-id") != ""
}

// controlAccount checks the x-amz-account-id of an S3 Control request: 12 digits, and the
// caller's own account (an account manages only its own settings).
func controlAccount(q *request) (string, error) {
	id := q.header("x-amz-account-id")
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return "", apierr.InvalidAccountID
	}
	if id != identityOf(q).AccountID {
		return "", apierr.AccessDenied
	}
	return id, nil
}

func (a *API) controlStore() (accountPABStore, error) {
	s, ok := a.meta.(accountPABStore)
	if !ok {
		return nil, apierr.NotImplemented.Msg("This Arca does not keep account-level settings.")
	}
	return s, nil
}

func (a *API) putAccountPublicAccessBlock(q *request) (*response, error) {
	acct, err := controlAccount(q)
	if err != nil {
		return nil, err
	}
	s, err := a.controlStore()
	if err != nil {
		return nil, err
	}
	var c publicAccessBlockConfiguration
	if err := readXML(q, &c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	p := &meta.PublicAccessBlock{BlockPublicAcls: c.BlockPublicAcls, IgnorePublicAcls: c.IgnorePublicAcls,
		BlockPublicPolicy: c.BlockPublicPolicy, RestrictPublicBuckets: c.RestrictPublicBuckets}
	if err := s.PutAccountPublicAccessBlock(q.ctx, acct, p); err != nil {
		return nil, err
	}
	return newResponse(), nil
}

func (a *API) getAccountPublicAccessBlock(q *request) (*response, error) {
	acct, err := controlAccount(q)
	if err != nil {
		return nil, err
	}
	s, err := a.controlStore()
	if err != nil {
		return nil, err
	}
	p, err := s.AccountPublicAccessBlock(q.ctx, acct)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, apierr.NoSuchPublicAccessBlockConfiguration.With("AccountId", acct)
	}
	resp := newResponse()
	resp.xml = publicAccessBlockConfiguration{NS: controlNS, BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
		BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}
	return resp, nil
}

func (a *API) deleteAccountPublicAccessBlock(q *request) (*response, error) {
	acct, err := controlAccount(q)
	if err != nil {
		return nil, err
	}
	s, err := a.controlStore()
	if err != nil {
		return nil, err
	}
	if err := s.PutAccountPublicAccessBlock(q.ctx, acct, nil); err != nil {
		return nil, err
	}
	return newResponse(), nil
}

// controlError is an S3 Control error body: S3's error wrapped in <ErrorResponse>, with
// the request ids beside it, as S3 Control answers (and its SDKs read).
func controlError(x xmlError) []byte {
	type inner struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Extra   []xmlField
	}
	body, _ := xml.Marshal(struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Error     inner    `xml:"Error"`
		RequestID string   `xml:"RequestId"`
		HostID    string   `xml:"HostId"`
	}{Error: inner{Code: x.Code, Message: x.Message, Extra: x.Extra}, RequestID: x.RequestID, HostID: x.HostID})
	return body
}

// accountBlocksPublicPolicy reports whether the account owning q's bucket has
// BlockPublicPolicy on (read before the bucket's record is updated: the two are separate
// transactions).
func (a *API) accountBlocksPublicPolicy(q *request) (bool, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return false, err
	}
	acct, err := a.accountPAB(q.ctx, a.bucketOwnerAccount(&b))
	return acct != nil && acct.BlockPublicPolicy, err
}

// refusePublicACL is BlockPublicAcls for an ACL written to bucket b or an object in it
// (PutBucketAcl, PutObjectAcl, PutObject, CopyObject, CreateMultipartUpload with an ACL):
// 403 AccessDenied when the ACL is public (grants to AllUsers or AuthenticatedUsers) and the
// bucket's or its owner account's BlockPublicAcls is on. Call it outside UpdateBucket.
func (a *API) refusePublicACL(ctx context.Context, b *meta.Bucket, public bool) error {
	if !public {
		return nil
	}
	eff, err := a.effectivePAB(ctx, b)
	if err != nil {
		return err
	}
	if eff.BlockPublicAcls {
		return apierr.AccessDenied
	}
	return nil
}

// refusePublicBucketACL is BlockPublicAcls for CreateBucket: a new bucket has the setting
// on, so a public ACL on it is refused (InvalidBucketAclWithBlockPublicAccessError), as it
// is under the account's setting.
func (a *API) refusePublicBucketACL(public bool) error {
	if public {
		return apierr.InvalidBucketAclWithBlockPublicAccessError
	}
	return nil
}

// ignoresPublicACLs reports whether IgnorePublicAcls is in force on b (the bucket's or its
// owner account's): grants to AllUsers and AuthenticatedUsers then count for nothing.
func (a *API) ignoresPublicACLs(ctx context.Context, b *meta.Bucket) (bool, error) {
	if b.PublicAccessBlock != nil && b.PublicAccessBlock.IgnorePublicAcls {
		return true, nil
	}
	acct, err := a.accountPAB(ctx, a.bucketOwnerAccount(b))
	return acct != nil && acct.IgnorePublicAcls, err
}
