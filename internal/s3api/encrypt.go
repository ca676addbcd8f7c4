package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/sse"
)

// SSE request and response headers.
const (
	hSSE       = "X-Amz-Server-Side-Encryption"
	hKMSKeyID  = "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"
	hContext   = "X-Amz-Server-Side-Encryption-Context"
	hBucketKey = "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"
	hCAlg      = "X-Amz-Server-Side-Encryption-Customer-Algorithm"
	hCKey      = "X-Amz-Server-Side-Encryption-Customer-Key"
	hCKeyMD5   = "X-Amz-Server-Side-Encryption-Customer-Key-Md5"
	// copySource is the prefix of the SSE-C headers that describe a copy's source.
	copySource = "X-Amz-Copy-Source-"
)

// customerHeaders are the raw SSE-C headers (target or copy source).
type customerHeaders struct {
	alg, key, md5          string
	hasAlg, hasKey, hasMD5 bool
}

// readCustomerHeaders reads the SSE-C trio; with prefix copySource, the copy-source trio
// (x-amz-copy-source-server-side-encryption-customer-*: the prefix replaces "x-amz-").
func readCustomerHeaders(h http.Header, prefix string) customerHeaders {
	name := func(n string) string {
		if prefix == "" {
			return n
		}
		return prefix + strings.TrimPrefix(n, "X-Amz-")
	}
	var c customerHeaders
	c.alg, c.hasAlg = h.Get(name(hCAlg)), len(h.Values(name(hCAlg))) > 0
	c.key, c.hasKey = h.Get(name(hCKey)), len(h.Values(name(hCKey))) > 0
	c.md5, c.hasMD5 = h.Get(name(hCKeyMD5)), len(h.Values(name(hCKeyMD5))) > 0
	return c
}

func (c customerHeaders) present() bool { return c.hasAlg || c.hasKey || c.hasMD5 }

// key validates the SSE-C trio in the order S3 checks it (reference §1.4) and returns the
// 32-byte key.
func (c customerHeaders) validKey() ([]byte, error) {
	switch {
	case c.hasKey && !c.hasAlg:
		return nil, apierr.SSECNoAlgorithm
	case c.hasAlg && !c.hasKey:
		return nil, apierr.SSECNoKey
	case c.alg != "AES256":
		return nil, apierr.SSECAlgorithm.Arg("x-amz-server-side-encryption", c.alg)
	}
	key, err := base64.StdEncoding.DecodeString(c.key)
	if err != nil || len(key) != 32 {
		return nil, apierr.SSECKeySize
	}
	if !c.hasMD5 {
		return nil, apierr.SSECNoKeyMD5
	}
	sum := md5.Sum(key)
	if base64.StdEncoding.EncodeToString(sum[:]) != c.md5 {
		return nil, apierr.SSECKeyMD5
	}
	return key, nil
}

// sseCInQuery refuses SSE parameters (the target's x-amz-server-side-encryption*, or, with
// prefix copySource, the copy source's SSE-C trio) given in the query string, as some
// presigners hoist them. S3 documents them as headers; honouring them from the query would
// keep them from bucket-policy conditions (which read headers) and put a customer's key in
// URLs and logs, and ignoring them would store the object under another encryption than the
// client asked for (SSE-S3 instead of SSE-KMS or SSE-C).
func sseCInQuery(q *request, prefix string) error {
	want := "x-amz-server-side-encryption"
	if prefix != "" {
		want = strings.ToLower(prefix) + "server-side-encryption-customer-"
	}
	for k := range q.query {
		if len(k) >= len(want) && strings.EqualFold(k[:len(want)], want) {
			return apierr.NotImplemented.Msg("Arca does not accept SSE parameters in the query string; send %s* as signed headers.", want)
		}
	}
	return nil
}

// parseSSEWrite reads and validates the SSE headers of a write request.
func parseSSEWrite(q *request) (object.SSERequest, error) {
	h := q.r.Header
	if err := sseCInQuery(q, ""); err != nil {
		return object.SSERequest{}, err
	}
	var w object.SSERequest
	w.Algorithm = h.Get(hSSE)
	w.KMSKeyID, w.HasKMSKeyID = h.Get(hKMSKeyID), len(h.Values(hKMSKeyID)) > 0
	c := readCustomerHeaders(h, "")
	if c.present() {
		if w.Algorithm != "" {
			return w, apierr.SSECIncompatible.Arg("x-amz-server-side-encryption", w.Algorithm)
		}
		key, err := c.validKey()
		if err != nil {
			return w, err
		}
		if !q.caller.TLS {
			return w, apierr.SSECInsecure
		}
		w.CustomerKey = key
	}
	switch w.Algorithm {
	case "", sse.ModeS3:
	case sse.ModeKMS:
		if q.caller.SignatureVersion == "SigV2" {
			return w, apierr.SSEKMSNeedsSigV4
		}
	case "aws:kms:dsse":
		return w, apierr.NotImplemented.Msg("Arca does not implement dual-layer SSE-KMS (aws:kms:dsse); use aws:kms.")
	default:
		return w, apierr.SSEUnsupported.Arg("x-amz-server-side-encryption", w.Algorithm)
	}
	if w.HasKMSKeyID && w.Algorithm != sse.ModeKMS {
		return w, apierr.SSEKMSKeyWithoutKMS.Arg("x-amz-server-side-encryption-aws-kms-key-id", w.KMSKeyID)
	}
	if raw := h.Get(hContext); raw != "" {
		ctx, err := decodeContext(raw)
		if err != nil {
			return w, err
		}
		w.ContextRaw, w.Context = raw, ctx
	}
	if v := h.Get(hBucketKey); v != "" {
		switch strings.ToLower(v) {
		case "true":
			b := true
			w.BucketKey = &b
		case "false":
			b := false
			w.BucketKey = &b
		default:
			return w, apierr.SSEBucketKeyInvalid
		}
	}
	return w, nil
}

func decodeContext(raw string) (map[string]string, error) {
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || !utf8.Valid(data) {
		return nil, apierr.SSEContextInvalid
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, apierr.SSEContextInvalid
	}
	if _, reserved := m["aws:s3:arn"]; reserved {
		return nil, apierr.SSEContextInvalid.Msg("The encryption context may not contain the reserved key aws:s3:arn.")
	}
	return m, nil
}

// writeSSEHeaders states how an object (or upload) is encrypted, as S3 does on every
// response that carries an object's encryption.
func writeSSEHeaders(h http.Header, enc *meta.Encryption) {
	if enc == nil {
		return
	}
	switch enc.Mode {
	case sse.ModeS3:
		h.Set(hSSE, sse.ModeS3)
	case sse.ModeKMS:
		h.Set(hSSE, sse.ModeKMS)
		h.Set(hKMSKeyID, enc.KMSKeyARN)
		if enc.BucketKey {
			h.Set(hBucketKey, "true")
		}
	case sse.ModeC:
		h.Set(hCAlg, "AES256")
		h.Set(hCKeyMD5, enc.CustomerKeyMD5)
	}
}

// readKey checks a read's SSE headers against the object (GET, HEAD, or a copy source when
// prefix is copySource) in S3's order, and returns the SSE-C key to open it with.
func readKey(q *request, enc *meta.Encryption, prefix string) ([]byte, error) {
	if err := sseCInQuery(q, prefix); err != nil {
		return nil, err
	}
	c := readCustomerHeaders(q.r.Header, prefix)
	if prefix == "" && q.r.Header.Get(hSSE) != "" {
		return nil, apierr.SSEOnRead
	}
	if enc != nil && enc.Mode == sse.ModeKMS && q.caller.SignatureVersion == "SigV2" {
		return nil, apierr.SSEKMSNeedsSigV4
	}
	if enc == nil || enc.Mode != sse.ModeC {
		if c.present() {
			return nil, apierr.SSECNotApplicable
		}
		return nil, nil
	}
	// S3 checks the object first (reference §1.4): no key-MD5 → #9, another MD5 → #10,
	// and only then the format of what was sent.
	if !c.hasMD5 {
		return nil, apierr.SSECRequired
	}
	if c.hasMD5 && c.md5 != enc.CustomerKeyMD5 {
		return nil, apierr.SSECWrongKey
	}
	key, err := c.validKey()
	if err != nil {
		return nil, err
	}
	if !q.caller.TLS {
		return nil, apierr.SSECInsecure
	}
	return key, nil
}

// customerKey returns the engine's check of this request's SSE-C values (the target's, or
// with prefix copySource the copy source's) against an object's encryption.
func customerKey(q *request, prefix string) object.CustomerKeyFunc {
	return func(enc *meta.Encryption) ([]byte, error) { return readKey(q, enc, prefix) }
}

// kmsFor returns the KMS acting for this request's caller, or nil when none is configured.
func (a *API) kmsFor(q *request) sse.KMS {
	if a.kms == nil {
		return nil
	}
	return a.kms.ForCaller(q.caller)
}

// KMSProvider gives SSE a KMS bound to the S3 caller (the server adapts the KMS service).
type KMSProvider interface {
	ForCaller(c *Caller) sse.KMS
}
