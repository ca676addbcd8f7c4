package s3api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/sse"
)

// readOnly reports whether CloudTrail marks q readOnly: its operation's (opTable), or for
// a request that selected none, whether it only reads.
func (q *request) readOnly() bool {
	if q.o != nil {
		return q.o.ReadOnly
	}
	return q.r.Method == http.MethodGet || q.r.Method == http.MethodHead
}

// dataEvent reports whether q's record is a CloudTrail data event (its operation's Data);
// every other request is a management event.
func (q *request) dataEvent() bool { return q.o != nil && q.o.Data }

// auditDurable reports whether q's record must be committed before the response (a
// management change).
func (a *API) auditDurable(q *request) bool {
	return a.audit != nil && !q.dataEvent() && !q.readOnly()
}

// emitAudit hands q's record to the audit handler. For a durable record the error is the
// handler's (the caller fails the request); otherwise it is logged.
func (a *API) emitAudit(q *request, resp *response, err error, bytesOut int64) error {
	if a.audit == nil || q.audited {
		return nil
	}
	q.audited = true
	rec := a.auditRecord(q, resp, err, bytesOut)
	herr := a.audit.Handle(q.ctx, rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("s3: audit record lost", "request_id", q.id, "op", q.op, "err", herr)
		return nil
	}
	return herr
}

func (a *API) auditRecord(q *request, resp *response, err error, bytesOut int64) *audit.Record {
	rec := audithttp.Base(q.r, q.caller.Identity, q.caller.Anonymous)
	if svc := q.caller.InvokedBy; svc != "" {
		rec.UserIdentity.InvokedBy, rec.SourceIPAddress, rec.UserAgent = svc, svc, svc
	}
	rec.EventSource = audit.SourceS3
	rec.EventName = q.op
	if rec.EventName == "" {
		rec.EventName = "Unknown"
	}
	rec.AWSRegion = a.cfg.Region
	rec.RequestID = q.id
	rec.ReadOnly = q.readOnly()
	rec.ManagementEvent = !q.dataEvent()
	if err != nil {
		e := apierr.S3(err)
		rec.ErrorCode, rec.ErrorMessage = e.Code, e.Message
	}
	params := map[string]any{"Host": q.r.Host}
	if q.bucket != "" {
		params["bucketName"] = q.bucket
		rec.Resources = append(rec.Resources, audit.Resource{ARN: "arn:aws:s3:::" + q.bucket, AccountID: a.auditBucketAccount(q), Type: "AWS::S3::Bucket"})
	}
	if q.key != "" {
		params["key"] = q.key
		rec.Resources = append([]audit.Resource{{ARN: "arn:aws:s3:::" + q.bucket + "/" + q.key, Type: "AWS::S3::Object"}}, rec.Resources...)
	}
	if q.o != nil && q.o.Route.CopySource {
		// CloudTrail names a copy's source among its request parameters, as sent.
		if v := q.header("X-Amz-Copy-Source"); v != "" {
			params["x-amz-copy-source"] = v
		}
	}
	for k, v := range q.query {
		// Sub-resources and list parameters; presigned-URL credentials and signatures stay out.
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") || len(params) > 32 {
			continue
		}
		params[k] = strings.Join(v, ",")
	}
	for _, h := range []string{hSSE, hKMSKeyID, hCAlg, hBucketKey, hTagging, "x-amz-tagging-directive", "If-Match", "If-None-Match",
		"x-amz-if-match-last-modified-time", "x-amz-if-match-size"} { // never hCKey: it is the customer's key
		if v := q.header(h); v != "" {
			params[strings.ToLower(h)] = v
		}
	}
	lockAuditParams(q, params)
	rec.RequestParameters = params
	if resp != nil && !rec.ReadOnly {
		re := map[string]any{}
		for _, h := range []string{hSSE, hKMSKeyID, hBucketKey, hCAlg, hVersionID, "x-amz-delete-marker"} {
			if v := resp.header.Get(h); v != "" {
				re[strings.ToLower(h)] = v
			}
		}
		if len(re) > 0 {
			rec.ResponseElements = re
		}
	}
	add := map[string]any{
		"bytesTransferredIn":  q.bytesIn,
		"bytesTransferredOut": bytesOut,
		"x-amz-id-2":          hostID(q.id),
	}
	if v, m := signatureOf(q); v != "" {
		add["SignatureVersion"] = v
		if m != "" {
			add["AuthenticationMethod"] = m
		}
	}
	if rec.TLSDetails != nil {
		add["CipherSuite"] = rec.TLSDetails.CipherSuite
	}
	if s := sseApplied(q); s != "" {
		add["SSEApplied"] = s
	}
	rewrapAuditFields(q, params, add)
	a.accessLogFields(q, resp, err, rec, add)
	rec.AdditionalEventData = add
	return rec
}

// sseApplied names how the object the request wrote or read is encrypted.
func sseApplied(q *request) string {
	if q.enc == nil {
		return ""
	}
	var s string
	switch q.enc.Mode {
	case sse.ModeS3:
		s = "SSE_S3"
	case sse.ModeKMS:
		s = "SSE_KMS"
	case sse.ModeC:
		return "SSE_C"
	default:
		return ""
	}
	if q.enc.FromDefault {
		s = "Default_" + s
	}
	return s
}

// rejectedOp names a request refused before routing (failed authentication, or a service
// Arca does not serve) for its record and metrics: the S3 operation its method, path and
// query select when it claims the s3 service (or none), as for a routed request, with its
// row; otherwise, or when they select none, "Rejected". It also sets q.query for the
// record.
func rejectedOp(q *request) (string, *op) {
	if svc := claimedService(q.r); svc != "" && svc != "s3" {
		return "Rejected", nil
	}
	query, err := parseQuery(q.r.URL.RawQuery)
	if err != nil {
		return "Rejected", nil
	}
	q.query = query
	name, o, err := route(q)
	if err != nil || name == "" {
		return "Rejected", nil
	}
	return name, o
}

// claimedService is the service in a SigV4 request's credential scope
// (AKID/date/region/service/aws4_request), from the Authorization header or a presigned
// URL, or "" when the request names none.
func claimedService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if h := r.Header.Get("Authorization"); h != "" {
		if _, after, ok := strings.Cut(h, "Credential="); ok {
			cred, _, _ = strings.Cut(after, ",")
		}
	}
	if parts := strings.Split(strings.TrimSpace(cred), "/"); len(parts) == 5 {
		return parts[3]
	}
	return ""
}

// errAuditFailed fails a management change whose record could not be written.
func errAuditFailed(err error) error { return fmt.Errorf("s3: writing the audit record: %w", err) }

// signatureOf returns CloudTrail's SignatureVersion and AuthenticationMethod for q: the
// version that authenticated the caller, or, for a request refused before it was
// authenticated, the one its form claims (an "AWS " Authorization header or a Signature
// query parameter is SigV2). The method is "" for a POST form.
func signatureOf(q *request) (version, method string) {
	h := q.r.Header.Get("Authorization")
	query := q.r.URL.Query()
	v2 := false
	switch {
	case h != "":
		method, v2 = "AuthHeader", strings.HasPrefix(strings.TrimSpace(h), "AWS ")
	case query.Has("X-Amz-Signature"):
		method = "QueryString"
	case query.Has("Signature") || query.Has("AWSAccessKeyId"):
		method, v2 = "QueryString", true
	}
	switch {
	case q.caller.SignatureVersion != "":
		return q.caller.SignatureVersion, method
	case method == "":
		return "", ""
	case v2:
		return "SigV2", method
	}
	return "SigV4", method
}

// auditBucketAccount is the account the record names for q's bucket, which makes it the
// record's recipientAccountId (docs/AUDIT.md "Accounts"): the bucket's owner, as
// authorization read it, else as the bucket's record says (requests that failed
// authentication, the root's own calls that skip the policies); for a bucket that does not
// exist, the caller's account (the primary account for anonymous and unauthenticated
// requests).
func (a *API) auditBucketAccount(q *request) string {
	if q.ownerAcct != "" {
		return q.ownerAcct
	}
	if a.meta != nil {
		if b, err := a.meta.GetBucket(q.ctx, q.bucket); err == nil {
			return a.bucketOwnerAccount(&b)
		}
	}
	if q.caller != nil && audit.IsAccountID(q.caller.Identity.AccountID) {
		return q.caller.Identity.AccountID
	}
	return a.cfg.AccountID
}
