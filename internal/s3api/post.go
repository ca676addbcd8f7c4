package s3api

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/postpolicy"
)

// POST Object: a browser form upload to a bucket URL (docs/POST-OBJECT.md). The HTTP
// request itself is unsigned; the form carries its own signature over its policy, which
// the server's verifier checks (Deps.PostAuth), and the policy's conditions over the
// form's fields. The caller so authenticated is then authorized s3:PutObject on the key,
// and the file streams to the object engine as a PUT's body does.

// PostCredentials are the fields of a POST form that authenticate it, as sent.
type PostCredentials struct {
	Policy string // "policy", base64 as sent: the string signed
	// Signature Version 4.
	Algorithm, Credential, Date, Signature string
	// Signature Version 2 ("AWSAccessKeyId", "signature").
	AccessKeyID, SignatureV2 string
	SecurityToken            string
}

// PostCaller is who signed a POST form.
type PostCaller struct {
	// Anonymous: the form carries no signature (and no policy).
	Anonymous   bool
	AccessKeyID string
	Identity    iam.Identity
	// SignatureVersion is "SigV4" or "SigV2".
	SignatureVersion string
}

// PostAuthFunc verifies a POST form's signature and returns its signer; the errors are the
// verifier's (apierr maps them).
type PostAuthFunc func(ctx context.Context, c PostCredentials) (PostCaller, error)

// postResponseXML is the body of success_action_status 201.
type postResponseXML struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	// ETag is written as is (its quotes unescaped, as S3 writes them): an ETag is a quoted
	// hex digest, nothing that needs escaping.
	ETag struct {
		Quoted string `xml:",innerxml"`
	} `xml:"ETag"`
}

func (a *API) postObject(q *request) (*response, error) {
	f, err := readPostForm(q)
	if err != nil {
		return nil, err
	}
	if !f.has("key") {
		return nil, apierr.PostNoKey
	}
	key := strings.ReplaceAll(f.get("key"), "${filename}", f.filename)
	if key == "" {
		return nil, apierr.InvalidArgument.Msg("User key must have a length greater than 0.").Arg("key", "")
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	q.key = key
	if err := a.postAuthenticate(q, f); err != nil {
		return nil, err
	}
	lo, hi := int64(0), int64(maxPutSize)
	if p := f.get("policy"); p != "" {
		pol, err := postpolicy.Parse(p)
		if err != nil {
			return nil, err
		}
		fields := make(map[string]string, len(f.fields)+1)
		for k, v := range f.fields {
			fields[k] = v
		}
		fields["bucket"], fields["key"] = q.bucket, key
		if err := pol.Check(time.Now(), fields); err != nil {
			return nil, err
		}
		if l, h, ok := pol.LengthRange(); ok {
			lo, hi = l, min(h, hi)
		}
	}
	// From here on the form's fields are the request's headers: the SSE, metadata,
	// checksum and lock decoders, the policy's condition keys and the audit record read
	// them as they read a PUT's.
	q.r = postRequest(q.r, f)
	if v := f.get("acl"); v != "" { // the form's canned ACL, as a PUT's x-amz-acl (acl.go)
		q.r.Header.Set(hACL, v)
	}
	tags, err := postTagging(f)
	if err != nil {
		return nil, err
	}
	if tags != nil {
		q.r.Header.Set(hTagging, encodeTags(tags))
	}
	if err := a.authorizePost(q); err != nil {
		return nil, err
	}
	return a.postStore(q, f, tags, lo, hi)
}

// postStore writes the file as a PUT would and answers as success_action_* ask.
func (a *API) postStore(q *request, f *postForm, tags map[string]string, lo, hi int64) (*response, error) {
	var tmpl meta.Object
	if err := readObjectHeaders(q.r.Header, &tmpl); err != nil {
		return nil, err
	}
	tmpl.Tags = tags
	sw, err := parseSSEWrite(q)
	if err != nil {
		return nil, err
	}
	if err := a.readLock(q, &tmpl.Retention, &tmpl.LegalHold); err != nil {
		return nil, err
	}
	digests, err := readDigestSpec(q.r.Header)
	if err != nil {
		return nil, err
	}
	defaultCk := object.DefaultChecksum
	if v := f.get("x-amz-checksum-algorithm"); v != "" {
		alg := strings.ToUpper(v)
		switch {
		case !checksum.Valid(alg):
			return nil, apierr.InvalidRequest.Msg("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		case digests.Algorithm != "" && digests.Algorithm != alg:
			return nil, apierr.InvalidRequest.Msg("Value for x-amz-checksum-algorithm header is invalid.")
		}
		defaultCk = alg
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if tmpl.ACL, err = a.objectWriteACL(q, &b); err != nil {
		return nil, err
	}
	body := object.Body{R: &postBody{r: f.file, lo: lo, hi: hi}, Size: -1, Digests: digests, Read: &q.bytesIn}
	o, err := a.objects.Put(q.ctx, object.PutInput{Bucket: q.bucket, Key: q.key, Template: tmpl, SSE: sw, KMS: a.kmsFor(q),
		BucketRecord: &b, Body: body, DefaultChecksum: defaultCk, Cond: writeConditions(q.r.Header)})
	if err != nil {
		return nil, err
	}
	q.enc, q.versionID = o.Enc, wireVersion(o.VersionID)
	return postResponse(q, f, o), nil
}

// postResponse answers a stored upload: a 303 to success_action_redirect (or redirect)
// naming the object, else success_action_status 200, 201 (with a PostResponse) or 204.
func postResponse(q *request, f *postForm, o *meta.Object) *response {
	resp := newResponse()
	etag := quote(o.ETag)
	loc := postLocation(q)
	resp.header.Set("ETag", etag)
	resp.header.Set("Location", loc)
	writeEncryptionResponse(resp.header, o.Enc)
	setVersionHeader(resp.header, o.VersionID, false)
	if o.Checksum != nil && f.get(checksum.Header(o.Checksum.Algorithm)) != "" {
		resp.header.Set(checksum.Header(o.Checksum.Algorithm), o.Checksum.Value)
		resp.header.Set("x-amz-checksum-type", o.Checksum.Type)
	}
	redirect := f.get("success_action_redirect")
	if redirect == "" {
		redirect = f.get("redirect")
	}
	if u, err := url.Parse(redirect); redirect != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		v := u.Query()
		v.Set("bucket", q.bucket)
		v.Set("key", q.key)
		v.Set("etag", etag)
		u.RawQuery = v.Encode()
		resp.status = http.StatusSeeOther
		resp.header.Set("Location", u.String())
		return resp
	}
	switch f.get("success_action_status") {
	case "200":
		resp.status = http.StatusOK
	case "201":
		resp.status = http.StatusCreated
		x := postResponseXML{Location: loc, Bucket: q.bucket, Key: q.key}
		x.ETag.Quoted = etag
		resp.xml = x
	default:
		resp.status = http.StatusNoContent
	}
	return resp
}

// postLocation is the new object's URL, in the style (path or virtual host) the form was
// posted to.
func postLocation(q *request) string {
	scheme := "http"
	if q.caller.TLS {
		scheme = "https"
	}
	base := strings.TrimSuffix(q.r.URL.EscapedPath(), "/")
	return scheme + "://" + q.r.Host + base + "/" + (&url.URL{Path: q.key}).EscapedPath()
}

// postAuthenticate verifies the form's signature and makes its signer the request's
// caller; an unsigned form (no signature fields, no policy) stays anonymous.
func (a *API) postAuthenticate(q *request, f *postForm) error {
	c := PostCredentials{
		Policy: f.get("policy"), Algorithm: f.get("x-amz-algorithm"), Credential: f.get("x-amz-credential"),
		Date: f.get("x-amz-date"), Signature: f.get("x-amz-signature"),
		AccessKeyID: f.get("awsaccesskeyid"), SignatureV2: f.get("signature"), SecurityToken: f.get("x-amz-security-token"),
	}
	if a.postAuth == nil {
		if c != (PostCredentials{}) {
			return apierr.NotImplemented.Msg("This server does not verify POST form signatures.")
		}
		return nil
	}
	pc, err := a.postAuth(q.ctx, c)
	if err != nil || pc.Anonymous {
		return err
	}
	q.caller = &Caller{AccessKeyID: pc.AccessKeyID, Identity: pc.Identity, TLS: q.caller.TLS,
		Body: q.caller.Body, ContentLength: -1, SignatureVersion: pc.SignatureVersion}
	return nil
}

// authorizePost decides s3:PutObject on the form's key for its signer (or anonymously,
// with the bucket's policy alone), as a PUT of that key is decided.
func (a *API) authorizePost(q *request) error {
	if a.authz == nil {
		if q.caller.Anonymous {
			return apierr.AccessDenied
		}
		return nil
	}
	return a.authorizeOn(q, q.bucket, "s3:PutObject", objectARN(q.bucket, q.key))
}

// postHeaderFields are the form fields that become the object's headers or select its
// encryption, checksum or lock, by lowercased name or prefix.
var (
	postHeaderFields = []string{"content-type", "cache-control", "content-disposition", "content-encoding",
		"content-language", "expires", "content-md5", "x-amz-storage-class", "x-amz-website-redirect-location"}
	postHeaderPrefixes = []string{"x-amz-meta-", "x-amz-server-side-encryption", "x-amz-object-lock-"}
)

func postHeaderField(name string) bool {
	if containsFold(postHeaderFields, name) || checksum.FromHeader(name) != "" {
		return true
	}
	for _, p := range postHeaderPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// postRequest is r with the form's header fields as its headers (and the client's
// User-Agent), so that everything after the form reads them where it reads a PUT's.
func postRequest(r *http.Request, f *postForm) *http.Request {
	h := http.Header{}
	// The User-Agent for the audit record, the Origin for the answer's CORS headers
	// (docs/CORS.md).
	for _, k := range []string{"User-Agent", "Origin"} {
		if v := r.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	for name, v := range f.fields {
		if postHeaderField(name) {
			h.Set(name, v)
		}
	}
	r2 := *r
	r2.Header = h
	return &r2
}

// postTagging reads the form's tagging field: a Tagging XML document, under the rules of
// a PUT's x-amz-tagging.
func postTagging(f *postForm) (map[string]string, error) {
	v := f.get("tagging")
	if v == "" {
		return nil, nil
	}
	var t taggingXML
	if err := xml.Unmarshal([]byte(v), &t); err != nil {
		return nil, apierr.MalformedXML
	}
	if err := checkTags(t.TagSet.Tags, maxObjectTags); err != nil {
		return nil, err
	}
	return tagMap(t.TagSet.Tags, apierr.InvalidTag.Msg("Cannot provide multiple Tags with the same key"))
}

// encodeTags is tags as x-amz-tagging spells them (for the policy's tag keys and the audit
// record).
func encodeTags(tags map[string]string) string {
	v := url.Values{}
	for k, t := range tags {
		v.Set(k, t)
	}
	return v.Encode()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
