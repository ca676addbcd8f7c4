package s3api

import (
	"net"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// opAction is the IAM action an operation needs and whether it acts on the object (else the
// bucket). CopyObject and UploadPartCopy also need s3:GetObject on their source (checked in
// copySource); DeleteObjects needs s3:DeleteObject per key (checked in deleteObjects).
type opAction struct {
	action string
	object bool
}

var opActions = map[string]opAction{
	"ListBuckets":             {"s3:ListAllMyBuckets", false},
	"CreateBucket":            {"s3:CreateBucket", false},
	"HeadBucket":              {"s3:ListBucket", false},
	"DeleteBucket":            {"s3:DeleteBucket", false},
	"GetBucketLocation":       {"s3:GetBucketLocation", false},
	"GetBucketVersioning":     {"s3:GetBucketVersioning", false},
	"ListObjects":             {"s3:ListBucket", false},
	"ListObjectsV2":           {"s3:ListBucket", false},
	"ListMultipartUploads":    {"s3:ListBucketMultipartUploads", false},
	"DeleteObjects":           {"", false},
	"PutBucketEncryption":     {"s3:PutEncryptionConfiguration", false},
	"DeleteBucketEncryption":  {"s3:PutEncryptionConfiguration", false},
	"GetBucketEncryption":     {"s3:GetEncryptionConfiguration", false},
	"PutBucketPolicy":         {"s3:PutBucketPolicy", false},
	"GetBucketPolicy":         {"s3:GetBucketPolicy", false},
	"DeleteBucketPolicy":      {"s3:DeleteBucketPolicy", false},
	"GetBucketPolicyStatus":   {"s3:GetBucketPolicyStatus", false},
	"PutPublicAccessBlock":    {"s3:PutBucketPublicAccessBlock", false},
	"GetPublicAccessBlock":    {"s3:GetBucketPublicAccessBlock", false},
	"DeletePublicAccessBlock": {"s3:PutBucketPublicAccessBlock", false},
	"PutObject":               {"s3:PutObject", true},
	"CopyObject":              {"s3:PutObject", true},
	"CreateMultipartUpload":   {"s3:PutObject", true},
	"UploadPart":              {"s3:PutObject", true},
	"UploadPartCopy":          {"s3:PutObject", true},
	"CompleteMultipartUpload": {"s3:PutObject", true},
	"GetObject":               {"s3:GetObject", true},
	"HeadObject":              {"s3:GetObject", true},
	"DeleteObject":            {"s3:DeleteObject", true},
	"AbortMultipartUpload":    {"s3:AbortMultipartUpload", true},
	"ListParts":               {"s3:ListMultipartUploadParts", true},
}

// policyOps are the bucket-policy operations the account root may always perform, so that a
// policy that denies everyone can still be repaired (as on AWS).
var policyOps = map[string]bool{"PutBucketPolicy": true, "GetBucketPolicy": true, "DeleteBucketPolicy": true}

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

// authorize checks the request's own action (and fetches nothing else). Without an
// authorizer only signed requests pass, as before policies existed.
func (a *API) authorize(q *request) error {
	if a.authz == nil {
		if q.caller.Anonymous {
			return apierr.AccessDenied
		}
		return nil
	}
	oa, ok := opActions[q.op]
	if !ok || oa.action == "" {
		if q.caller.Anonymous && !ok {
			return apierr.AccessDenied
		}
		return nil
	}
	id := identityOf(q)
	if id.Type == iam.TypeRoot && policyOps[q.op] {
		return nil
	}
	resource := bucketARN(q.bucket)
	if oa.object {
		resource = objectARN(q.bucket, q.key)
	}
	switch q.op {
	case "ListBuckets":
		resource = "arn:aws:s3:::*"
		return a.authz.S3(q.ctx, id, a.policyRequest(q, oa.action, resource), nil, false)
	case "CreateBucket":
		return a.authz.S3(q.ctx, id, a.policyRequest(q, oa.action, resource), nil, false)
	}
	return a.authorizeOn(q, q.bucket, oa.action, resource)
}

// authorizeOn decides action on resource in bucket, with that bucket's policy. A missing
// bucket is left to the handler (NoSuchBucket) for signed callers.
func (a *API) authorizeOn(q *request, bucket, action, resource string) error {
	if a.authz == nil {
		return nil
	}
	id := identityOf(q)
	var bp *policy.Policy
	restrict := false
	b, err := a.meta.GetBucket(q.ctx, bucket)
	switch {
	case err == nil:
		if bp, err = a.authz.Parsed([]byte(b.Policy), policy.Bucket); err != nil {
			return err
		}
		restrict = b.PublicAccessBlock != nil && b.PublicAccessBlock.RestrictPublicBuckets
	case id.Type == "":
		return apierr.AccessDenied
	default:
		return nil
	}
	return a.authz.S3(q.ctx, id, a.policyRequest(q, action, resource), bp, restrict)
}
