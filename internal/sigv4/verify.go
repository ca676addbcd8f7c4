package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Credentials resolves an access key id to its secret. Implementations return
// ErrInvalidAccessKeyID (possibly wrapped) when the key is unknown or inactive.
// Any other error is returned by Verify unchanged.
type Credentials interface {
	Lookup(ctx context.Context, accessKeyID string) (secret string, err error)
}

// Verifier authenticates requests. Its fields must not change while Verify
// runs; Verify is safe for concurrent use.
type Verifier struct {
	Creds   Credentials
	Region  string           // the server's region; a scope naming another region is rejected ("" accepts any)
	Now     func() time.Time // nil = time.Now
	MaxSkew time.Duration    // 0 = 15 minutes
}

// AuthMethod says how a request was authenticated.
type AuthMethod int

const (
	AuthNone   AuthMethod = iota // anonymous
	AuthHeader                   // Authorization header
	AuthQuery                    // presigned URL
)

// PayloadMode says how the payload is protected (the x-amz-content-sha256 value).
type PayloadMode int

const (
	PayloadNone                     PayloadMode = iota // anonymous request without x-amz-content-sha256
	PayloadSigned                                      // hex SHA-256 given (or computed for small non-S3 bodies)
	PayloadUnsigned                                    // UNSIGNED-PAYLOAD
	PayloadStreamingSigned                             // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	PayloadStreamingSignedTrailer                      // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
	PayloadStreamingUnsignedTrailer                    // STREAMING-UNSIGNED-PAYLOAD-TRAILER
)

// Result describes an authenticated (or anonymous) request.
type Result struct {
	Method      AuthMethod
	AccessKeyID string
	Service     string // from the credential scope ("s3","kms","iam","sts","cloudtrail"); "" when anonymous
	Region      string
	SignedAt    time.Time
	Payload     PayloadMode
	// SecurityToken is X-Amz-Security-Token (header or query), "" if absent.
	// Verify does not check it: temporary credentials are the caller's job.
	SecurityToken string
	// Body replaces r.Body. It yields the DECODED payload (aws-chunked framing removed) and
	// verifies as it goes: for PayloadSigned it hashes and, at EOF, returns
	// ErrContentSHA256Mismatch instead of io.EOF if the sha256 differs; for streaming modes it
	// verifies every chunk signature (and the trailer signature), returning
	// ErrSignatureDoesNotMatch on the first bad one, ErrIncompleteBody / ErrMalformedChunk on bad
	// framing or when the decoded byte count differs from x-amz-decoded-content-length.
	// Nothing is ever returned to the caller from a chunk whose signature has not been checked.
	Body io.ReadCloser
	// ContentLength is the decoded length: x-amz-decoded-content-length for aws-chunked,
	// else r.ContentLength (-1 when unknown, which includes an unsigned aws-chunked
	// upload that does not state its decoded length, as aws-sdk-go-v2 sends for
	// bodies of unknown length).
	ContentLength int64
	// Trailer returns the trailing headers (e.g. "x-amz-checksum-crc32") once Body has
	// returned io.EOF; nil before that or when there are none. Names lowercase.
	Trailer func() http.Header
}

// authState is what the Authorization header or the query told us.
type authState struct {
	method        AuthMethod
	cred          credScope
	signedHeaders string   // as sent, for the canonical request
	names         []string // lowercase
	signature     string
	amzDate       string // ISO 8601 basic, for the string to sign
	t             time.Time
	expires       int64
	token         string
}

// Verify authenticates r. Anonymous requests (no Authorization header and no X-Amz-Signature
// query) return a Result with Method == AuthNone and a nil error; the caller decides.
// A request with any of X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature in
// its query is a presigned one; one that also has an Authorization header gets
// ErrAuthorizationQueryParametersError ("Only one auth mechanism allowed").
// Verify does not modify r.
func (v *Verifier) Verify(r *http.Request) (*Result, error) {
	authz, hasHeader := r.Header["Authorization"]
	params := parseQuery(r.URL.RawQuery)
	queryAuth, v2Key, v2Sig := false, false, false
	for i := range params {
		switch k := params[i].key; {
		case isQueryAuthKey(k):
			queryAuth = true
		case k == "AWSAccessKeyId":
			v2Key = true
		case k == "Signature":
			v2Sig = true
		}
	}
	var a authState
	var err error
	switch {
	case hasHeader && (queryAuth || v2Key && v2Sig):
		return nil, detail(ErrAuthorizationQueryParametersError, msgOneAuth)
	case hasHeader:
		err = v.headerAuth(r, authz, &a)
	case queryAuth:
		err = v.queryAuth(params, &a)
	case v2Key && v2Sig:
		return nil, ErrUnsupportedAlgorithm
	default:
		return anonymous(r)
	}
	if err != nil {
		return nil, err
	}
	if err := v.checkTime(&a); err != nil {
		return nil, err
	}

	// The payload hash that ends the canonical request.
	shaVals := r.Header["X-Amz-Content-Sha256"]
	var (
		payloadHash string
		mode        PayloadMode
		want        [32]byte
		hashBody    bool // non-S3 header auth without x-amz-content-sha256
	)
	switch {
	case len(shaVals) > 1:
		return nil, detail(ErrInvalidContentSHA256, msgBadContentSHA)
	case len(shaVals) == 1:
		payloadHash = shaVals[0]
		if mode, want, err = classifyPayload(payloadHash); err != nil {
			return nil, err
		}
	case a.method == AuthQuery:
		payloadHash, mode = unsignedPayload, PayloadUnsigned
	case a.cred.service == "s3":
		return nil, detail(ErrMissingContentSHA256, "Missing required header for this request: x-amz-content-sha256")
	default:
		hashBody, mode = true, PayloadSigned
	}

	if v.Creds == nil {
		return nil, ErrInvalidAccessKeyID
	}
	secret, err := v.Creds.Lookup(r.Context(), a.cred.accessKey)
	if err != nil {
		return nil, err
	}
	key := defaultKeys.SigningKey(secret, a.cred.date, a.cred.region, a.cred.service)

	var body []byte // read and hashed here; nil when streamed
	if hashBody {
		if body, err = readSmallBody(r); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	}

	var provided [32]byte
	validSig := len(a.signature) == 64
	if validSig {
		_, err := hex.Decode(provided[:], []byte(a.signature))
		validSig = err == nil
	}
	sortQuery(params)
	sig, ok := a.match(r, params, payloadHash, key, &provided)
	if !ok && a.method == AuthQuery && len(shaVals) == 0 && a.cred.service != "s3" {
		// Non-S3 presigned URLs are signed either with UNSIGNED-PAYLOAD
		// (botocore) or with the body's hash (aws-sdk-go-v2).
		if body, err = readSmallBody(r); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		if sig, ok = a.match(r, params, hex.EncodeToString(sum[:]), key, &provided); ok {
			mode = PayloadSigned
		}
	}
	if !ok || !validSig {
		return nil, ErrSignatureDoesNotMatch
	}

	res := &Result{
		Method:        a.method,
		AccessKeyID:   a.cred.accessKey,
		Service:       a.cred.service,
		Region:        a.cred.region,
		SignedAt:      a.t,
		Payload:       mode,
		SecurityToken: a.token,
		ContentLength: r.ContentLength,
		Trailer:       noTrailer,
	}
	cfg := chunkConfig{mode: mode, key: key, amzDate: a.amzDate, scope: a.cred.scope}
	cfg.seed = hex.EncodeToString(sig[:])
	if err := attachBody(res, r, body, want, cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// match computes the signature for the request, also trying the Host
// without a default port (some clients sign it without), and reports
// whether it equals provided.
func (a *authState) match(r *http.Request, params []queryParam, payloadHash string, key []byte, provided *[32]byte) ([32]byte, bool) {
	sig := a.sign(r, params, r.Host, payloadHash, key)
	if hmac.Equal(sig[:], provided[:]) {
		return sig, true
	}
	for _, port := range [...]string{":80", ":443"} {
		if h, ok := strings.CutSuffix(r.Host, port); ok {
			sig = a.sign(r, params, h, payloadHash, key)
			return sig, hmac.Equal(sig[:], provided[:])
		}
	}
	return sig, false
}

// sign builds the canonical request and the string to sign and returns the
// signature.
func (a *authState) sign(r *http.Request, params []queryParam, host, payloadHash string, key []byte) [32]byte {
	var stack [1024]byte
	b := append(stack[:0], r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.URL.EscapedPath())
	b = append(b, '\n')
	b = appendCanonicalQuery(b, params, a.method == AuthQuery)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, a.names, host)
	b = append(b, '\n')
	b = append(b, a.signedHeaders...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	h := sha256.Sum256(b)

	var stack2 [256]byte
	s := append(stack2[:0], "AWS4-HMAC-SHA256\n"...)
	s = append(s, a.amzDate...)
	s = append(s, '\n')
	s = append(s, a.cred.scope...)
	s = append(s, '\n')
	s = hex.AppendEncode(s, h[:])
	m := hmac.New(sha256.New, key)
	m.Write(s)
	var sig [32]byte
	m.Sum(sig[:0])
	return sig
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// checkTime applies the clock-skew rule (header auth) or the expiry rule
// (presigned).
func (v *Verifier) checkTime(a *authState) error {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	now := v.now()
	if a.method == AuthQuery {
		if a.t.Sub(now) > skew {
			return detail(ErrRequestExpired, "Request is not valid yet")
		}
		if now.Sub(a.t) > time.Duration(a.expires)*time.Second {
			return ErrRequestExpired
		}
		return nil
	}
	if d := now.Sub(a.t); d > skew || d < -skew {
		return ErrRequestTimeTooSkewed
	}
	return nil
}

// clean makes client text safe to echo in an error message.
func clean(s string) string {
	q := quote(s)
	return q[1 : len(q)-1]
}

func (v *Verifier) headerAuth(r *http.Request, authz []string, a *authState) error {
	if len(authz) != 1 {
		return malformedHeader("more than one Authorization header.")
	}
	h, err := parseAuthorization(authz[0])
	if err != nil {
		return err
	}
	cs, reason := parseCredential(h.credential)
	if reason != "" {
		return malformedHeader(reason)
	}
	if v.Region != "" && cs.region != v.Region {
		return malformedHeader("the region '" + clean(cs.region) + "' is wrong; expecting '" + v.Region + "'")
	}
	names, ok := parseSignedHeaders(h.signedHeaders)
	if !ok {
		return malformedHeader("the SignedHeaders component is not valid.")
	}
	if !hasName(names, "host") {
		return malformedHeader("the SignedHeaders component must include host.")
	}
	a.method, a.cred, a.signedHeaders, a.names, a.signature = AuthHeader, cs, h.signedHeaders, names, h.signature
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		if a.t, ok = parseAmzDate(d); !ok {
			return detail(ErrMissingSecurityHeader, msgDateRequired)
		}
		a.amzDate = d
	} else if d := r.Header.Get("Date"); d != "" {
		t, err := http.ParseTime(d)
		if err != nil {
			return detail(ErrMissingSecurityHeader, msgDateRequired)
		}
		a.t = t.UTC()
		a.amzDate = a.t.Format(amzDateForm)
	} else {
		return detail(ErrMissingSecurityHeader, msgDateRequired)
	}
	if cs.date != a.amzDate[:8] {
		return malformedHeader("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	a.token = r.Header.Get("X-Amz-Security-Token")
	return nil
}

func (v *Verifier) queryAuth(params []queryParam, a *authState) error {
	p, err := parsePresign(params)
	if err != nil {
		return err
	}
	cs, reason := parseCredential(p.credential)
	if reason != "" {
		return queryError(msgCredPrefix + reason)
	}
	if v.Region != "" && cs.region != v.Region {
		return queryError(msgCredPrefix + "the region '" + clean(cs.region) + "' is wrong; expecting '" + v.Region + "'")
	}
	names, ok := parseSignedHeaders(p.signedHeaders)
	if !ok {
		return queryError("X-Amz-SignedHeaders is not valid.")
	}
	if !hasName(names, "host") {
		return queryError("X-Amz-SignedHeaders must include host.")
	}
	if cs.date != p.date[:8] {
		return queryError("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	a.method, a.cred, a.signedHeaders, a.names, a.signature = AuthQuery, cs, p.signedHeaders, names, p.signature
	a.amzDate, a.expires, a.token = p.date, p.expiresSec, p.token
	a.t, _ = parseAmzDate(p.date)
	return nil
}

// anonymous builds the Result for an unauthenticated request. A hex
// x-amz-content-sha256 is still enforced and an unsigned aws-chunked body is
// still decoded; signed streaming without a signature is refused.
func anonymous(r *http.Request) (*Result, error) {
	res := &Result{Method: AuthNone, ContentLength: r.ContentLength, Trailer: noTrailer}
	vals := r.Header["X-Amz-Content-Sha256"]
	if len(vals) == 0 {
		res.Body = requestBody(r)
		return res, nil
	}
	if len(vals) > 1 {
		return nil, detail(ErrInvalidContentSHA256, msgBadContentSHA)
	}
	mode, want, err := classifyPayload(vals[0])
	if err != nil {
		return nil, err
	}
	if mode == PayloadStreamingSigned || mode == PayloadStreamingSignedTrailer {
		return nil, detail(ErrMissingSecurityHeader, "Your request is missing a required header: Authorization")
	}
	res.Payload = mode
	if err := attachBody(res, r, nil, want, chunkConfig{mode: mode}); err != nil {
		return nil, err
	}
	return res, nil
}

func requestBody(r *http.Request) io.ReadCloser {
	if r.Body == nil {
		return http.NoBody
	}
	return r.Body
}

// attachBody sets res.Body (and ContentLength/Trailer) for the payload mode.
func attachBody(res *Result, r *http.Request, buffered []byte, want [32]byte, cfg chunkConfig) error {
	src := requestBody(r)
	if buffered != nil {
		res.Body = bufferedBody{bytes.NewReader(buffered), src}
		res.ContentLength = int64(len(buffered))
		return nil
	}
	streaming := cfg.mode == PayloadStreamingSigned || cfg.mode == PayloadStreamingSignedTrailer ||
		cfg.mode == PayloadStreamingUnsignedTrailer
	if !streaming && !awsChunked(r) {
		if cfg.mode == PayloadSigned {
			src = newSHA256Body(src, want)
		}
		res.Body = src
		return nil
	}
	// aws-sdk-go-v2 streams a body of unknown length as an unsigned
	// aws-chunked upload without x-amz-decoded-content-length; signed
	// streaming always states it.
	n := int64(-1)
	dl, hasDL := r.Header["X-Amz-Decoded-Content-Length"]
	switch {
	case hasDL:
		var err error
		if n, err = strconv.ParseInt(dl[0], 10, 64); err != nil || n < 0 || len(dl) > 1 {
			return malformed("x-amz-decoded-content-length is not a valid length")
		}
	case cfg.mode == PayloadStreamingSigned || cfg.mode == PayloadStreamingSignedTrailer:
		return detail(ErrMissingSecurityHeader, "Your request is missing a required header: x-amz-decoded-content-length")
	}
	if cfg.mode == PayloadSigned {
		src = newSHA256Body(src, want) // the hash covers the encoded body
	}
	cfg.decoded = n
	for _, t := range strings.Split(r.Header.Get("X-Amz-Trailer"), ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			cfg.trailers = append(cfg.trailers, t)
		}
	}
	cr := newChunkedReader(src, cfg)
	res.Body, res.ContentLength, res.Trailer = cr, n, cr.Trailers
	return nil
}

// awsChunked reports whether Content-Encoding lists aws-chunked.
func awsChunked(r *http.Request) bool {
	for _, v := range r.Header["Content-Encoding"] {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "aws-chunked") {
				return true
			}
		}
	}
	return false
}
