package s3api

import (
	"net"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

func bucketARN(b string) string          { return "arn:aws:s3:::" + b }
func objectARN(b, k string) string       { return "arn:aws:s3:::" + b + "/" + k }
func identityOf(q *request) iam.Identity { return q.caller.Identity }

// policyRequest builds the policy engine's view of this request for action on resource.
func (a *API) policyRequest(q *request, action, resource string) *policy.Request {
	r := a.authz.NewRequest(identityOf(q), action, resource)
	r.Set(policy.KeySecureTransport, boolString(q.caller.TLS))
	if host, _, err := net.SplitHostPort(q.r.RemoteAddr); err == nil {
		r.Set(policy.KeySourceIP, host)
	}
	h := q.r.Header
	if v := h.Get(hSSE); v != "" {
		r.Set(policy.KeySSE, v)
	}
	if v := h.Get(hKMSKeyID); v != "" {
		r.Set(policy.KeySSEKMSKeyID, v)
	}
	if v := h.Get(hCAlg); v != "" {
		r.Set(policy.KeySSECAlgorithm, v)
	}
	a.requestKeys(q, action, r)
	jobRequestKeys(q, r)
	aclKeys(q, action, r)
	lockKeys(q, action, r)
	if action == "s3:ListBucket" {
		for _, k := range []string{"prefix", "delimiter", "max-keys"} {
			if q.qhas(k) {
				r.Set("s3:"+k, q.qget(k))
			}
		}
	}
	return r
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// authorize decides the request's own action (its row's Action on its Resource), and
// fetches nothing else. Without an authorizer only signed requests pass, as before policies
// existed.
func (a *API) authorize(q *request) error {
	if a.authz == nil {
		if q.caller.Anonymous {
			return apierr.AccessDenied
		}
		return nil
	}
	o := q.o
	id := identityOf(q)
	action := o.Action
	if o.VersionAction != "" && q.qhas("versionId") {
		action = o.VersionAction
	}
	if o.Resource != accountResource && o.Resource != newBucketResource && o.Resource != jobResource {
		if err := a.checkExpectedOwner(q, hExpectedBucketOwner, q.bucket); err != nil {
			return err
		}
	}
	if o.RootAlways {
		if handled, err := a.ownerOnly(q, action); handled {
			return err
		}
	}
	switch o.Resource {
	case eachKeyResource:
		return nil // the handler decides each key
	case accountResource:
		return a.authz.S3(q.ctx, id, a.policyRequest(q, action, "arn:aws:s3:::*"), authz.S3Resource{})
	case newBucketResource:
		return a.authz.S3(q.ctx, id, a.policyRequest(q, action, bucketARN(q.bucket)), authz.S3Resource{})
	case jobResource:
		return a.authz.S3(q.ctx, id, a.jobKeys(q, a.policyRequest(q, action, a.jobARN(q))), authz.S3Resource{})
	case objectResource:
		return a.authorizeOn(q, q.bucket, action, objectARN(q.bucket, q.key))
	}
	return a.authorizeOn(q, q.bucket, action, bucketARN(q.bucket))
}

// Expected-owner headers (owner.go).
const (
	hExpectedBucketOwner       = "x-amz-expected-bucket-owner"
	hSourceExpectedBucketOwner = "x-amz-source-expected-bucket-owner"
)

// authorizeOn decides action on resource in bucket, with that bucket's policy. A missing
// bucket is left to the handler (NoSuchBucket) for signed callers.
func (a *API) authorizeOn(q *request, bucket, action, resource string) error {
	if a.authz == nil {
		return nil
	}
	id := identityOf(q)
	var res authz.S3Resource
	b, err := a.meta.GetBucket(q.ctx, bucket)
	switch {
	case err == nil:
		res.Owner = a.bucketOwnerAccount(&b)
		if bucket == q.bucket {
			q.ownerAcct = res.Owner
		}
		if res.Policy, err = a.authz.Parsed([]byte(b.Policy), policy.Bucket); err != nil {
			return err
		}
		// RestrictPublicBuckets keeps a public policy's grants within the bucket owner's
		// account (bpa.go): it matters only to callers from outside it.
		if (id.Type == "" || id.AccountID != res.Owner) && res.Policy.IsPublic() {
			if res.IgnorePublic, err = a.restrictPublic(q.ctx, &b); err != nil {
				return err
			}
		}
		// An ACL grant is a resource-side allow (acl.go; none under BucketOwnerEnforced).
		if res.ACLAllows, err = a.aclAllows(q, &b, action, resource); err != nil {
			return err
		}
	case id.Type == "":
		return apierr.AccessDenied
	default:
		return nil
	}
	return a.authz.S3(q.ctx, id, a.policyRequest(q, action, resource), res)
}
