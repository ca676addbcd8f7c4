package sigv4

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SignatureVersion says which AWS signature version authenticated a request.
type SignatureVersion int

const (
	SigNone SignatureVersion = iota // anonymous
	SigV4                           // AWS4-HMAC-SHA256
	SigV2                           // HMAC-SHA1, "AWS AKID:sig" or AWSAccessKeyId/Signature/Expires
)

// String is CloudTrail's additionalEventData.SignatureVersion value ("SigV4", "SigV2"),
// "" for SigNone.
func (s SignatureVersion) String() string {
	switch s {
	case SigNone:
		return ""
	case SigV4:
		return "SigV4"
	case SigV2:
		return "SigV2"
	}
	return "SignatureVersion(" + strconv.Itoa(int(s)) + ")"
}

// ErrInvalidArgument: 400 InvalidArgument with ArgumentName and ArgumentValue. Always
// returned as an *ArgumentError (a malformed SigV2 Authorization header).
var ErrInvalidArgument = errors.New("sigv4: invalid argument")

// ErrQueryAuthV2: 403 AccessDenied: SigV2 query authentication is incomplete or its
// Expires is not a number. Always returned in a DetailError with AWS's message.
var ErrQueryAuthV2 = errors.New("sigv4: bad SigV2 query authentication")

// ArgumentError is ErrInvalidArgument with S3's ArgumentName and ArgumentValue.
type ArgumentError struct {
	Name, Value string // Value is cut short and cleaned of control characters
	Message     string // AWS's message
}

func (e *ArgumentError) Error() string { return ErrInvalidArgument.Error() + ": " + e.Message }

// Unwrap returns ErrInvalidArgument.
func (e *ArgumentError) Unwrap() error { return ErrInvalidArgument }

// Detail is AWS's message for the case.
func (e *ArgumentError) Detail() string { return e.Message }

const msgV2Query = "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"

// v2SubResources are the query parameters a SigV2 CanonicalizedResource includes (with
// their values): the sub-resources AWS documents, those botocore and s3cmd sign, every
// other query parameter by which S3 selects an operation (s3api's list), so that no
// unsigned parameter can turn a signed request into another operation, and the
// response-* overrides. Sorted.
var v2SubResources = func() []string {
	s := []string{
		"abac", "accelerate", "acl", "analytics", "attributes", "cors", "defaultObjectAcl",
		"delete", "encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle",
		"location", "logging", "metadataConfiguration", "metadataInventoryTable",
		"metadataJournalTable", "metadataTable", "metrics", "notification", "object-lock",
		"ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
		"renameObject", "replication", "requestPayment", "response-cache-control",
		"response-content-disposition", "response-content-encoding", "response-content-language",
		"response-content-type", "response-expires", "restore", "retention", "select",
		"select-type", "session", "storageClass", "tagging", "torrent", "uploadId", "uploads",
		"versionId", "versioning", "versions", "website",
	}
	slices.Sort(s)
	return s
}()

func isV2SubResource(k string) bool {
	_, ok := slices.BinarySearch(v2SubResources, k)
	return ok
}

// isV2Header reports whether an Authorization header uses the SigV2 scheme "AWS ".
func isV2Header(h string) bool {
	return strings.HasPrefix(strings.TrimLeft(h, " \t"), "AWS ")
}

// v2Auth is what a SigV2 Authorization header or query told us.
type v2Auth struct {
	method    AuthMethod
	accessKey string
	signature string // base64, as sent (decoded from the query)
	dateLine  string // the StringToSign's third line: Date, "" (x-amz-date), or Expires
	t         time.Time
	token     string
}

// parseV2Header parses "AWS AKID:signature". The access key is what precedes the last ':'.
func parseV2Header(h string) (v2Auth, error) {
	var a v2Auth
	rest := strings.TrimLeft(h, " \t")
	rest, ok := strings.CutPrefix(rest, "AWS ")
	rest = strings.Trim(rest, " \t")
	i := strings.LastIndexByte(rest, ':')
	if !ok || i <= 0 || i == len(rest)-1 || strings.ContainsAny(rest, " \t") {
		return a, &ArgumentError{Name: "Authorization", Value: clean(h),
			Message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"}
	}
	a.method, a.accessKey, a.signature = AuthHeader, rest[:i], rest[i+1:]
	return a, nil
}

// parseV2Query extracts AWSAccessKeyId, Signature and Expires, each required once.
func parseV2Query(params []queryParam) (v2Auth, error) {
	var a v2Auth
	var seen [4]bool
	var expires string
	for i := range params {
		var dst *string
		var idx int
		switch params[i].key {
		case "AWSAccessKeyId":
			dst, idx = &a.accessKey, 0
		case "Signature":
			dst, idx = &a.signature, 1
		case "Expires":
			dst, idx = &expires, 2
		case "x-amz-security-token":
			dst, idx = &a.token, 3
		default:
			continue
		}
		if seen[idx] {
			return a, detail(ErrQueryAuthV2, msgV2Query)
		}
		seen[idx] = true
		*dst = params[i].value
	}
	if a.accessKey == "" || a.signature == "" || expires == "" {
		return a, detail(ErrQueryAuthV2, msgV2Query)
	}
	n, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || n < 0 {
		return a, detail(ErrQueryAuthV2, "Invalid date (should be seconds since epoch): "+clean(expires))
	}
	// base64 has no spaces: a '+' sent unescaped was decoded as one.
	a.signature = strings.ReplaceAll(a.signature, " ", "+")
	a.method, a.dateLine, a.t = AuthQuery, expires, time.Unix(n, 0).UTC()
	return a, nil
}

// parseV2Date parses a Date or x-amz-date value: RFC 1123 with GMT or a numeric zone
// (s3cmd sends "+0000"), the other HTTP date forms, or ISO 8601 basic.
func parseV2Date(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t.UTC(), true
	}
	return parseAmzDate(s)
}

// verifyV2 authenticates a SigV2 request, header (authz != "") or presigned query, as S3
// did: HMAC-SHA1 over Method, Content-MD5, Content-Type, the date (Date, or "" when
// x-amz-date is sent, or Expires), every x-amz-* header, and /bucket/key with the
// sub-resources of v2SubResources. Every x-amz-* header is signed by construction, so
// there is no signed-headers check. Header auth obeys the clock-skew rule; a presigned URL
// is good until Expires. The payload is not signed (PayloadUnsigned) unless a hex
// x-amz-content-sha256 was sent, which is then enforced as for SigV4. SigV2 is S3's: a
// JSON-protocol request (X-Amz-Target: KMS, CloudTrail) gets ErrUnsupportedAlgorithm.
func (v *Verifier) verifyV2(r *http.Request, authz string, params []queryParam) (*Result, error) {
	if len(r.Header["X-Amz-Target"]) > 0 {
		return nil, ErrUnsupportedAlgorithm // a JSON-protocol (KMS, CloudTrail) request: SigV4 only
	}
	var a v2Auth
	var err error
	if authz != "" {
		if a, err = parseV2Header(authz); err != nil {
			return nil, err
		}
		if d := r.Header.Values("X-Amz-Date"); len(d) > 0 {
			t, ok := parseV2Date(d[0])
			if !ok {
				return nil, errNoDate
			}
			a.t = t // the Date line stays empty: x-amz-date is signed among the amz headers
		} else if d := r.Header.Get("Date"); d != "" {
			t, ok := parseV2Date(d)
			if !ok {
				return nil, errNoDate
			}
			a.t, a.dateLine = t, d
		} else {
			return nil, errNoDate
		}
		a.token = r.Header.Get("X-Amz-Security-Token")
	} else if a, err = parseV2Query(params); err != nil {
		return nil, err
	}
	sortQuery(params)
	if err := v.checkTimeV2(&a); err != nil {
		return nil, err
	}

	// The payload is not signed in SigV2. A stated hex SHA-256 (itself signed, as an
	// x-amz-* header) is still enforced; streaming SigV4 chunk signatures cannot be.
	mode, want := PayloadUnsigned, [32]byte{}
	if vals := r.Header["X-Amz-Content-Sha256"]; len(vals) > 0 {
		if len(vals) > 1 {
			return nil, detail(ErrInvalidContentSHA256, msgBadContentSHA)
		}
		if mode, want, err = classifyPayload(vals[0]); err != nil {
			return nil, err
		}
		if mode == PayloadStreamingSigned || mode == PayloadStreamingSignedTrailer {
			return nil, detail(ErrInvalidContentSHA256, msgBadContentSHA)
		}
	}

	secret, err := v.lookup(r.Context(), a.accessKey)
	if err != nil {
		return nil, err
	}
	var stack [512]byte
	ok := false
	for _, path := range v2Paths(r, v.Domains) {
		if path == "" {
			continue
		}
		sts := appendStringToSignV2(stack[:0], r, &a, params, v.Domains, path)
		if ok = v2SignatureOK(secret, sts, a.signature); ok {
			break
		}
	}
	if !ok {
		return nil, ErrSignatureDoesNotMatch
	}
	res := &Result{
		Method:        a.method,
		Version:       SigV2,
		AccessKeyID:   a.accessKey,
		Service:       "s3",
		Region:        v.Region,
		SignedAt:      a.t,
		Payload:       mode,
		SecurityToken: a.token,
		ContentLength: r.ContentLength,
		Trailer:       noTrailer,
	}
	if a.method == AuthQuery {
		res.SignedAt = v.now().UTC()
	}
	if err := attachBody(res, r, nil, want, chunkConfig{mode: mode}); err != nil {
		return nil, err
	}
	return res, nil
}

// v2Paths are the forms of the request path a client may have signed, all naming the same
// resource: as sent; a path-style bucket without its trailing slash ("/bucket") as
// "/bucket/", as botocore and s3cmd sign it; and decoded, as some clients sign keys.
// Unused entries are "".
func v2Paths(r *http.Request, domains []string) [3]string {
	p := r.URL.EscapedPath()
	var out [3]string
	out[0] = p
	if len(p) > 1 && strings.IndexByte(p[1:], '/') < 0 && v2VirtualBucket(r.Host, domains) == "" {
		out[0], out[1] = p+"/", p
	}
	if r.URL.Path != p && r.URL.Path != "" {
		out[2] = r.URL.Path
	}
	return out
}

// checkTimeV2 applies the clock-skew rule to header auth and Expires to presigned URLs.
func (v *Verifier) checkTimeV2(a *v2Auth) error {
	now := v.now()
	if a.method == AuthQuery {
		if now.After(a.t) {
			return ErrRequestExpired
		}
		return nil
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	if d := now.Sub(a.t); d > skew || d < -skew {
		return ErrRequestTimeTooSkewed
	}
	return nil
}

// appendStringToSignV2 appends
//
//	Method\nContent-MD5\nContent-Type\nDate\nCanonicalizedAmzHeaders CanonicalizedResource
//
// path is the request path as signed (escaped as sent, or decoded).
func appendStringToSignV2(b []byte, r *http.Request, a *v2Auth, params []queryParam, domains []string, path string) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendV2Standard(b, r, a, params, "Content-Md5", "content-md5")
	b = append(b, '\n')
	b = appendV2Standard(b, r, a, params, "Content-Type", "content-type")
	b = append(b, '\n')
	b = append(b, a.dateLine...)
	b = append(b, '\n')
	b = appendV2AmzHeaders(b, r, a, params)
	if bucket := v2VirtualBucket(r.Host, domains); bucket != "" {
		b = append(b, '/')
		b = append(b, bucket...)
	}
	if path == "" {
		path = "/"
	}
	b = append(b, path...)
	sep := byte('?')
	for i := range params {
		p := &params[i]
		if !isV2SubResource(p.key) {
			continue
		}
		b = append(b, sep)
		sep = '&'
		b = append(b, p.key...)
		if p.value != "" {
			b = append(b, '=')
			b = append(b, p.value...)
		}
	}
	return b
}

// appendV2Standard appends a Content-MD5 or Content-Type value: the header's, or for a
// presigned URL without the header the query parameter botocore moves it to.
func appendV2Standard(b []byte, r *http.Request, a *v2Auth, params []queryParam, header, query string) []byte {
	if v, ok := r.Header[header]; ok && len(v) > 0 {
		return append(b, strings.TrimSpace(v[0])...)
	}
	if a.method == AuthQuery {
		for i := range params {
			if params[i].key == query {
				return append(b, strings.TrimSpace(params[i].value)...)
			}
		}
	}
	return b
}

// appendV2AmzHeaders appends every x-amz-* header as "name:value\n", names lowercase and
// sorted, values trimmed, repeated headers joined by ','. A presigned URL's x-amz-*
// query parameters (botocore moves signed headers there) count as headers too.
func appendV2AmzHeaders(b []byte, r *http.Request, a *v2Auth, params []queryParam) []byte {
	type kv struct{ k, v string }
	var stack [16]kv
	amz := stack[:0]
	for k, vs := range r.Header {
		if len(k) < 6 || !strings.EqualFold(k[:6], "x-amz-") {
			continue
		}
		lk := strings.ToLower(k)
		for _, v := range vs {
			amz = append(amz, kv{lk, v})
		}
	}
	if a.method == AuthQuery {
		for i := range params {
			if k := params[i].key; len(k) >= 6 && strings.EqualFold(k[:6], "x-amz-") {
				amz = append(amz, kv{strings.ToLower(k), params[i].value})
			}
		}
	}
	// Stable on name so that repeated headers keep the order they were sent in.
	slices.SortStableFunc(amz, func(x, y kv) int { return strings.Compare(x.k, y.k) })
	for i := range amz {
		if i > 0 && amz[i].k == amz[i-1].k {
			b = append(b, ',')
		} else {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, amz[i].k...)
			b = append(b, ':')
		}
		b = appendV2HeaderValue(b, amz[i].v)
	}
	if len(amz) > 0 {
		b = append(b, '\n')
	}
	return b
}

// appendV2HeaderValue appends v trimmed, with folded lines (a newline and the
// whitespace after it) turned into one space.
func appendV2HeaderValue(b []byte, v string) []byte {
	v = strings.Trim(v, " \t\r\n")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			for i+1 < len(v) && (v[i+1] == ' ' || v[i+1] == '\t' || v[i+1] == '\r' || v[i+1] == '\n') {
				i++
			}
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

// v2VirtualBucket returns the bucket a virtual-host-style Host names under one of the
// domains (as s3api addresses it), or "".
func v2VirtualBucket(host string, domains []string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(host)
	for _, d := range domains {
		if b, ok := strings.CutSuffix(host, "."+d); ok {
			return b
		}
	}
	return ""
}
