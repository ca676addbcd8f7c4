package s3api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/policy"
)

// existingTagActions are the actions on which S3 offers s3:ExistingObjectTag/<key>.
var existingTagActions = []string{
	"s3:GetObject", "s3:GetObjectVersion",
	"s3:GetObjectTagging", "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging", "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
}

// requestTagOps take tags in x-amz-tagging (PostObject: its tagging field, set as that
// header before it is authorized); PutObjectTagging takes them in its body.
var requestTagOps = []string{"PutObject", "CopyObject", "CreateMultipartUpload", "PostObject"}

// notCreating are the s3:PutObject operations that do not create an object
// (s3:ObjectCreationOperation "false"): they take no conditional headers.
var notCreating = []string{"CreateMultipartUpload", "UploadPart", "UploadPartCopy"}

// hcTagging is x-amz-tagging in canonical form (a lookup without canonicalizing).
var hcTagging = http.CanonicalHeaderKey(hTagging)

// requestKeys sets the condition keys of object tagging and conditional requests on r
// (docs/TAGGING.md). The object's record is read for s3:ExistingObjectTag/<key> only when a
// policy condition asks for such a key (policy.Request.Lazy), so a GET decided by a policy
// that never names an existing tag costs no extra read.
func (a *API) requestKeys(q *request, action string, r *policy.Request) {
	if q.o == nil || q.key == "" && q.o.Name != "DeleteObjects" {
		return
	}
	op := q.o.Name
	switch action {
	case "s3:PutObject":
		if op != "DeleteObjects" {
			r.Set(policy.KeyObjectCreationOperation, boolString(!slices.Contains(notCreating, op)))
		}
		fallthrough
	case "s3:DeleteObject", "s3:DeleteObjectVersion":
		v := q.header("If-Match")
		if op == "DeleteObjects" {
			v = q.keyETag // each key's <ETag>
		}
		if v != "" {
			r.Set(policy.KeyIfMatch, v)
		}
		if v := q.header("If-None-Match"); v != "" && action == "s3:PutObject" {
			r.Set(policy.KeyIfNoneMatch, v)
		}
	}
	var reqTags func() map[string]string
	switch {
	case action == "s3:PutObject" && slices.Contains(requestTagOps, op) && q.header(hcTagging) != "":
		reqTags = func() map[string]string { t, _ := q.requestTags(); return t }
	case op == "PutObjectTagging":
		reqTags = func() map[string]string { t, _ := q.readTagging(maxObjectTags); return t }
	}
	if reqTags != nil {
		tags := reqTags()
		keys := make([]string, 0, len(tags))
		for k, v := range tags {
			keys = append(keys, k)
			r.Set(policy.KeyRequestObjectTagPrefix+k, v)
		}
		if len(keys) > 0 {
			r.Set(policy.KeyRequestObjectTagKeys, keys...)
		}
	}
	if !slices.Contains(existingTagActions, action) || q.key == "" {
		return
	}
	var (
		fetched bool
		tags    map[string]string
	)
	r.Lazy = func(k string) []string {
		name, ok := strings.CutPrefix(k, policy.KeyExistingObjectTagPrefix)
		if !ok {
			return nil
		}
		if !fetched {
			fetched = true
			vid := ""
			if q.qhas("versionId") && meta.ValidVersionID(q.qget("versionId")) {
				vid = q.qget("versionId")
			}
			if o, err := a.meta.GetVersion(q.ctx, q.bucket, q.key, vid); err == nil {
				tags = o.Tags
			}
		}
		// Condition keys are matched without case; tag keys have case: take the tag whose
		// key matches (lowercased) the one asked for.
		for tk, tv := range tags {
			if strings.ToLower(tk) == name {
				return []string{tv}
			}
		}
		return nil
	}
}
