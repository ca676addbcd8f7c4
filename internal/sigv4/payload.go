package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// x-amz-content-sha256 literals.
const (
	unsignedPayload          = "UNSIGNED-PAYLOAD"
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingECDSA           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
	emptySHA256              = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// maxBufferedBody bounds the body read to compute the payload hash of a
// non-S3 request that sent no x-amz-content-sha256.
const maxBufferedBody = 1 << 20

// classifyPayload maps an x-amz-content-sha256 value to its mode. For
// PayloadSigned it also returns the decoded digest.
func classifyPayload(v string) (PayloadMode, [32]byte, error) {
	var sum [32]byte
	switch v {
	case unsignedPayload:
		return PayloadUnsigned, sum, nil
	case streamingSigned:
		return PayloadStreamingSigned, sum, nil
	case streamingSignedTrailer:
		return PayloadStreamingSignedTrailer, sum, nil
	case streamingUnsignedTrailer:
		return PayloadStreamingUnsignedTrailer, sum, nil
	case streamingECDSA, streamingECDSATrailer:
		return 0, sum, ErrUnsupportedAlgorithm
	}
	if len(v) == 64 {
		if _, err := hex.Decode(sum[:], []byte(v)); err == nil {
			return PayloadSigned, sum, nil
		}
	}
	return 0, sum, detail(ErrInvalidContentSHA256, msgBadContentSHA)
}

// sha256Body passes the body through, hashing it, and turns the final
// io.EOF into ErrContentSHA256Mismatch when the digest differs.
type sha256Body struct {
	rc   io.ReadCloser
	h    hash.Hash
	want [32]byte
	err  error // sticky
}

func newSHA256Body(rc io.ReadCloser, want [32]byte) *sha256Body {
	return &sha256Body{rc: rc, h: sha256.New(), want: want}
}

func (b *sha256Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	b.h.Write(p[:n])
	if err == io.EOF {
		var got [32]byte
		if [32]byte(b.h.Sum(got[:0])) != b.want {
			err = ErrContentSHA256Mismatch
		}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

func (b *sha256Body) Close() error { return b.rc.Close() }

// bufferedBody is a body already read into memory and verified.
type bufferedBody struct {
	*bytes.Reader
	io.Closer
}

// readSmallBody reads at most maxBufferedBody bytes of r.Body. The result
// is never nil.
func readSmallBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	if r.ContentLength > maxBufferedBody {
		return nil, errBodyTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBufferedBody+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrIncompleteBody
		}
		return nil, err
	}
	if len(b) > maxBufferedBody {
		return nil, errBodyTooLarge
	}
	return b, nil
}

var errBodyTooLarge = detail(ErrMissingContentSHA256, "Missing required header for this request: x-amz-content-sha256 (a request body over 1 MiB must state its hash)")

// noTrailer is Result.Trailer for bodies without trailers.
func noTrailer() http.Header { return nil }

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
	cfg.decoded, cfg.min = n, minChunk
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
