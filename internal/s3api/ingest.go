package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"hash"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
)

// maxPutSize is the largest single PUT (and part) S3 accepts.
const maxPutSize = 5 << 30

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// digestSpec is what the client said the payload's digests are.
type digestSpec struct {
	md5 []byte // Content-MD5, nil if absent
	alg string // flexible checksum algorithm, "" if none
	// value is the expected checksum (base64); "" when it comes in a trailer.
	value   string
	trailer bool
}

func checksumValueError(alg string) error {
	return apierr.InvalidRequest.Msg("Value for %s header is invalid.", checksum.Header(alg))
}

// readDigestSpec parses Content-MD5 and the flexible checksum headers.
func readDigestSpec(h http.Header) (digestSpec, error) {
	var d digestSpec
	if v := h.Get("Content-Md5"); v != "" || len(h.Values("Content-Md5")) > 0 {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return d, apierr.InvalidDigest
		}
		d.md5 = b
	}
	for name, vals := range h {
		alg := checksum.FromHeader(name)
		if alg == "" || strings.EqualFold(name, "x-amz-checksum-type") {
			continue
		}
		if d.alg != "" {
			return d, apierr.InvalidRequest.Msg("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		d.alg, d.value = alg, vals[0]
		if !checksum.ValidValue(alg, d.value) {
			return d, checksumValueError(alg)
		}
	}
	if t := h.Get("X-Amz-Trailer"); t != "" {
		alg := checksum.FromHeader(strings.TrimSpace(t))
		if alg == "" {
			return d, apierr.InvalidRequest.Msg("The value specified in the x-amz-trailer header is not supported")
		}
		if d.alg != "" && d.alg != alg {
			return d, apierr.InvalidRequest.Msg("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		d.alg, d.trailer = alg, true
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" {
		alg := strings.ToUpper(sdk)
		if !checksum.Valid(alg) {
			return d, apierr.InvalidRequest.Msg("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		if d.alg == "" {
			return d, apierr.InvalidRequest.Msg("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if d.alg != alg {
			return d, apierr.InvalidRequest.Msg("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return d, nil
}

// digester computes, in the same pass as the write, the MD5 (for the ETag) and the
// flexible checksum.
type digester struct {
	spec digestSpec
	md5  hash.Hash
	ck   hash.Hash
	alg  string
}

// newDigester prepares hashing for spec; defaultAlg is computed when the client named no
// checksum (S3 adds a CRC64NVME checksum to every new object).
func newDigester(spec digestSpec, defaultAlg string) *digester {
	d := &digester{spec: spec, md5: md5.New(), alg: spec.alg}
	if d.alg == "" {
		d.alg = defaultAlg
	}
	if d.alg != "" {
		d.ck = checksum.New(d.alg)
	}
	return d
}

func (d *digester) Write(p []byte) (int, error) {
	d.md5.Write(p)
	if d.ck != nil {
		d.ck.Write(p)
	}
	return len(p), nil
}

// verify checks the computed digests against what the client sent (headers or trailer).
func (d *digester) verify(trailer func() http.Header) (md5sum []byte, ck string, err error) {
	md5sum = d.md5.Sum(nil)
	if d.spec.md5 != nil && !bytes.Equal(md5sum, d.spec.md5) {
		return nil, "", apierr.BadDigest
	}
	if d.ck == nil {
		return md5sum, "", nil
	}
	ck = checksum.Encode(d.ck.Sum(nil))
	want := d.spec.value
	if d.spec.trailer {
		var th http.Header
		if trailer != nil {
			th = trailer()
		}
		want = trailerValue(th, checksum.Header(d.spec.alg))
		if !checksum.ValidValue(d.spec.alg, want) {
			return nil, "", checksumValueError(d.spec.alg)
		}
	}
	if d.spec.alg != "" && want != ck {
		return nil, "", apierr.BadDigest.Msg("The %s you specified did not match the calculated checksum.", d.spec.alg)
	}
	return md5sum, ck, nil
}

// verifyBodyDigests checks Content-MD5 and checksum headers of a small, fully read body.
func verifyBodyDigests(q *request, data []byte) error {
	spec, err := readDigestSpec(q.r.Header)
	if err != nil {
		return err
	}
	d := newDigester(spec, "")
	d.Write(data)
	_, _, err = d.verify(q.caller.Trailer)
	return err
}

// copyBody streams exactly n bytes from src to dst through the digester, mapping short
// bodies to IncompleteBody. Verification errors from the authenticated body pass through.
func copyBody(dst io.Writer, src io.Reader, n int64, d *digester) (int64, error) {
	var got int64
	var err error
	if n >= pipeThreshold {
		got, err = pipelinedCopy(dst, d, src, n)
	} else {
		bp := copyBufs.Get().(*[]byte)
		got, err = io.CopyBuffer(io.MultiWriter(dst, d), io.LimitReader(src, n), *bp)
		copyBufs.Put(bp)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return got, apierr.IncompleteBody
		}
		return got, err
	}
	if got < n {
		return got, apierr.IncompleteBody
	}
	// Drain to EOF so that streaming-signature and payload-hash checks run (they report
	// at EOF) and trailers are read.
	var one [1]byte
	for {
		k, err := src.Read(one[:])
		if k > 0 {
			return got, apierr.IncompleteBody.Msg("The request body is longer than its declared length.")
		}
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}

// trailerValue reads a trailing header; sigv4 keys trailers by their lowercase wire name.
func trailerValue(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return h.Get(name)
}
