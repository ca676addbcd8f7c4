package s3api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/meta"
)

// Bucket owners across accounts (docs/POLICY.md): every bucket belongs to one account (a
// record without an owner to the primary one); bucket names are global.

// callerAccount is the account the caller acts in: its own, or the primary account for a
// caller without one (anonymous, or a configuration without accounts).
func (a *API) callerAccount(q *request) string {
	if q.caller != nil && q.caller.Identity.AccountID != "" {
		return q.caller.Identity.AccountID
	}
	return a.cfg.AccountID
}

// accountOwner is the Owner element S3 shows for an account: its canonical user id.
func (a *API) accountOwner(acct string) owner {
	if acct == a.cfg.AccountID && a.cfg.OwnerID != "" {
		return owner{ID: a.cfg.OwnerID}
	}
	return owner{ID: account.CanonicalID(acct)}
}

// bucketOwner is the Owner element of q's bucket's owning account (listings, uploads).
func (a *API) bucketOwner(q *request) owner {
	if b, err := a.meta.GetBucket(q.ctx, q.bucket); err == nil {
		return a.accountOwner(a.bucketOwnerAccount(&b))
	}
	return a.owner()
}

// bucketTaken turns CreateBucket's ErrBucketExists into AWS's two answers: the caller's
// account already owns it (BucketAlreadyOwnedByYou) or another account does
// (BucketAlreadyExists).
func (a *API) bucketTaken(q *request, err error) error {
	if !errors.Is(err, meta.ErrBucketExists) {
		return err
	}
	b, gerr := a.meta.GetBucket(q.ctx, q.bucket)
	if gerr == nil && a.bucketOwnerAccount(&b) != a.callerAccount(q) {
		return apierr.BucketAlreadyExists
	}
	return err
}

var accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// checkExpectedOwner refuses a request whose expected-owner header (x-amz-expected-bucket-owner
// or x-amz-source-expected-bucket-owner) names another account than the bucket's owner, as
// S3 does after authentication: 403 AccessDenied; a value that is not an account id is 400
// InvalidBucketOwnerAWSAccountID. A missing bucket is left to the handler.
func (a *API) checkExpectedOwner(q *request, header, bucket string) error {
	want, sent := q.r.Header[http.CanonicalHeaderKey(header)]
	if !sent {
		return nil
	}
	if len(want) != 1 || !accountIDRE.MatchString(want[0]) {
		return apierr.InvalidBucketOwnerAWSAccountID.Msg("%s [%s]", apierr.InvalidBucketOwnerAWSAccountID.Message, strings.Join(want, ","))
	}
	b, err := a.meta.GetBucket(q.ctx, bucket)
	if err != nil {
		return nil
	}
	if want[0] != a.bucketOwnerAccount(&b) {
		return apierr.AccessDenied
	}
	return nil
}

// ownerOnly decides the bucket policy operations, which S3 reserves to the bucket owner's
// account: its root may always perform them (even when the policy denies it); a caller of
// another account gets 403 without permission and 405 MethodNotAllowed with it. handled is
// false when the normal decision applies (a caller of the owner's account other than root).
func (a *API) ownerOnly(q *request, action string) (handled bool, err error) {
	b, gerr := a.meta.GetBucket(q.ctx, q.bucket)
	if gerr != nil {
		return false, nil
	}
	id := identityOf(q)
	owner := a.bucketOwnerAccount(&b)
	switch {
	case id.Type == iam.TypeRoot && id.AccountID == owner:
		return true, nil
	case id.Type != "" && id.AccountID != owner:
		if err := a.authorizeOn(q, q.bucket, action, bucketARN(q.bucket)); err != nil {
			return true, err
		}
		return true, apierr.MethodNotAllowed
	}
	return false, nil
}
