package sigv4

import (
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
	// SigV2 accepts Signature Version 2 (header "AWS AKID:sig", presigned AWSAccessKeyId/
	// Signature/Expires, POST forms with AWSAccessKeyId/signature) for S3; when false they
	// get ErrUnsupportedAlgorithm, as before SigV2 was implemented.
	SigV2 bool
	// Domains are the host names under which a virtual-host-style request names its bucket
	// as the first label (s3api.Config.Domains); SigV2 signs /bucket/key either way.
	Domains []string
}

// AuthMethod says how a request was authenticated.
type AuthMethod int

const (
	AuthNone     AuthMethod = iota // anonymous
	AuthHeader                     // Authorization header
	AuthQuery                      // presigned URL
	AuthPostForm                   // POST Object form: the signature covers the policy (VerifyPostPolicy)
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

func (m AuthMethod) String() string {
	switch m {
	case AuthNone:
		return "none"
	case AuthHeader:
		return "header"
	case AuthQuery:
		return "query"
	case AuthPostForm:
		return "post-form"
	}
	return "AuthMethod(" + strconv.Itoa(int(m)) + ")"
}

func (m PayloadMode) String() string {
	switch m {
	case PayloadNone:
		return "none"
	case PayloadSigned:
		return "signed"
	case PayloadUnsigned:
		return unsignedPayload
	case PayloadStreamingSigned:
		return streamingSigned
	case PayloadStreamingSignedTrailer:
		return streamingSignedTrailer
	case PayloadStreamingUnsignedTrailer:
		return streamingUnsignedTrailer
	}
	return "PayloadMode(" + strconv.Itoa(int(m)) + ")"
}

// Result describes an authenticated (or anonymous) request.
type Result struct {
	Method      AuthMethod
	Version     SignatureVersion // SigV4 or SigV2; SigNone when anonymous
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
// A signed request carrying an x-amz-* header its signature does not list gets
// a *HeadersNotSignedError (see checkSignedHeaders).
// With v.SigV2 set, an "AWS AKID:signature" Authorization header or an AWSAccessKeyId or
// Signature query parameter makes a Signature Version 2 request (see verifyV2); without
// it they get ErrUnsupportedAlgorithm (or are anonymous, with only one of the two
// parameters).
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
		return nil, errOneAuth
	case hasHeader && v.SigV2 && len(authz) == 1 && isV2Header(authz[0]):
		return v.verifyV2(r, authz[0], params)
	case hasHeader:
		err = v.headerAuth(r, authz, &a)
	case queryAuth:
		err = v.queryAuth(params, &a)
	case v.SigV2 && (v2Key || v2Sig):
		return v.verifyV2(r, "", params)
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
	if err := a.checkSignedHeaders(r.Header); err != nil {
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
		Version:       SigV4,
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

// regionOK reports whether a credential scope's region is acceptable: the server's region
// ("" accepts any) or, for the global services IAM and STS, also us-east-1, the region their
// clients sign with whatever region they are configured for.
// (Added for IAM/STS: the one change to this package that the identity work needed.)
func (v *Verifier) regionOK(cs credScope) bool {
	return v.Region == "" || cs.region == v.Region ||
		cs.region == "us-east-1" && (cs.service == "iam" || cs.service == "sts")
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
