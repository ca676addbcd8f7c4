package object

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

// CustomerKeyFunc checks a request's SSE-C values against an object's encryption (in the
// order S3 checks them, which depends on the object) and returns the key to open it with,
// nil when the object is not SSE-C. The protocol layer supplies it: the values are headers.
type CustomerKeyFunc func(enc *meta.Encryption) ([]byte, error)

// ReadInput is a GET or HEAD.
type ReadInput struct {
	Bucket, Key string
	// VersionID names the version ("" = the current one, "null" = the null version).
	VersionID string
	// CustomerKey checks the SSE-C values; nil means none were sent.
	CustomerKey CustomerKeyFunc
	// KMS acts for the caller (nil: SSE-KMS objects cannot be opened).
	KMS sse.KMS
	// HeadOnly checks the SSE-C key without unsealing anything and reads no bytes.
	HeadOnly   bool
	Conditions Conditions
	// PartNumber (1..10000) reads one part; 0 for the whole object or Range.
	PartNumber int
	// Range is the Range header's value ("" for none); a malformed one is ignored, as S3
	// does.
	Range string
	// WantChecksum: the caller asked for the checksum (x-amz-checksum-mode); a sealed one
	// is opened (for HEAD too, which then needs the KMS for SSE-KMS, as on AWS).
	WantChecksum bool
}

// Reader is an object opened for reading: its record, the span to serve, and the stream.
type Reader struct {
	Object meta.Object
	// Start and Length are the plaintext span served; Partial for a range or a part.
	Start, Length int64
	Partial       bool
	// PartsCount is the number of parts when a part of a multipart object was asked for.
	PartsCount int
	// ChecksumValue and ChecksumType are what S3 states for the span ("" when it states
	// none: a range, or a part of a simple object's type).
	ChecksumValue, ChecksumType string
	stream                      func(io.Writer) (int64, error)
}

// WriteTo streams the span's plaintext, each chunk authenticated before it is written. A
// failure after the first bytes means the output is truncated: the caller must abort it.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	if r.stream == nil {
		return 0, nil
	}
	return r.stream(w)
}

func (e *Engine) openCustomerKey(in CustomerKeyFunc, enc *meta.Encryption) ([]byte, error) {
	if in == nil {
		if enc != nil && enc.Mode == sse.ModeC {
			return nil, ErrInternalSSEC
		}
		return nil, nil
	}
	return in(enc)
}

// Open reads an object's record, checks the SSE-C key and the conditions, resolves the part
// or range, and prepares the stream (the first piece's start is authenticated already, so a
// damaged object fails here, before anything is sent). A blob that vanished under a
// concurrent overwrite makes it read the record again (three times at most).
//
// Errors: meta.ErrNoSuchBucket, meta.ErrNoSuchKey, meta.ErrNoSuchVersion,
// meta.ErrDamagedRecord; ErrDeleteMarker and ErrVersionIsDeleteMarker (with a Reader whose
// Object is the marker, for the response's headers); the
// CustomerKey's errors; ErrNotModified (with a non-nil Reader whose Object is set, for the
// 304's headers); ErrPreconditionFailed; ErrInvalidRange; ErrInvalidPartNumber;
// sse.ErrCorrupt (wrapped) for bytes or keys that fail authentication.
func (e *Engine) Open(ctx context.Context, in ReadInput) (*Reader, error) {
	for attempt := 0; ; attempt++ {
		r, err := e.openOnce(ctx, in)
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		if errors.Is(err, blob.ErrNotFound) {
			return nil, fmt.Errorf("object data missing: %w", err)
		}
		return r, err
	}
}

func (e *Engine) openOnce(ctx context.Context, in ReadInput) (*Reader, error) {
	o, err := e.meta.GetVersion(ctx, in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		if in.VersionID != "" {
			return &Reader{Object: o}, ErrVersionIsDeleteMarker
		}
		return &Reader{Object: o}, ErrDeleteMarker
	}
	// The SSE checks come first: without the right SSE-C key nothing about the object,
	// not even its ETag, is revealed.
	ck, err := e.openCustomerKey(in.CustomerKey, o.Enc)
	if err != nil {
		return nil, err
	}
	var w *sse.Wrapper
	if in.HeadOnly {
		if o.Enc != nil && o.Enc.Mode == sse.ModeC && !sse.CheckCustomerKey(o.Enc, ck, in.Bucket, in.Key) {
			return nil, sse.ErrWrongCustomerKey
		}
	} else if w, err = e.sse.Open(ctx, in.KMS, o.Enc, in.Bucket, in.Key, ck); err != nil {
		return nil, err
	}
	if in.WantChecksum && o.SealedChecksum != nil {
		if w == nil {
			if w, err = e.sse.Open(ctx, in.KMS, o.Enc, in.Bucket, in.Key, ck); err != nil {
				return nil, err
			}
		}
		if err := openChecksum(w, &o); err != nil {
			return nil, err
		}
	}
	r := &Reader{Object: o}
	if err := in.Conditions.Check(&o, ErrNotModified); err != nil {
		if errors.Is(err, ErrNotModified) {
			return r, err
		}
		return nil, err
	}
	r.Start, r.Length = 0, o.Size
	if o.Checksum != nil {
		r.ChecksumValue, r.ChecksumType = o.Checksum.Value, o.Checksum.Type
	}
	switch {
	case in.PartNumber > 0:
		if r.Start, r.Length, r.ChecksumValue, err = partSpan(&o, in.PartNumber); err != nil {
			return nil, err
		}
		if len(o.Parts) > 0 {
			r.PartsCount, r.Partial, r.ChecksumType = len(o.Parts), true, ""
		}
		if len(o.Parts) > 1 && o.Checksum != nil && o.Checksum.Type == "FULL_OBJECT" {
			r.ChecksumValue = "" // a part of a full-object checksum has none S3 states
		}
	default:
		br, res := parseRange(in.Range, o.Size)
		switch res {
		case rangeUnsatisfiable:
			return nil, fail(ErrInvalidRange, "RangeRequested", in.Range, "ActualObjectSize", fmt.Sprint(o.Size))
		case rangeOK:
			r.Start, r.Length, r.Partial = br.start, br.length, true
			r.ChecksumValue = ""
		}
	}
	if in.HeadOnly || r.Length == 0 {
		return r, nil
	}
	if r.stream, err = e.openRange(ctx, &o, w, r.Start, r.Length); err != nil {
		return nil, err
	}
	return r, nil
}

// partSpan locates part n of an object: a multipart object's part, or the whole of a
// simple object for n == 1.
func partSpan(o *meta.Object, n int) (start, length int64, ck string, err error) {
	if len(o.Parts) == 0 {
		if n != 1 {
			return 0, 0, "", ErrInvalidPartNumber
		}
		ck := ""
		if o.Checksum != nil {
			ck = o.Checksum.Value
		}
		return 0, o.Size, ck, nil
	}
	if n > len(o.Parts) {
		return 0, 0, "", ErrInvalidPartNumber
	}
	for _, p := range o.Parts[:n-1] {
		start += p.Size
	}
	return start, o.Parts[n-1].Size, o.Parts[n-1].Checksum, nil
}

// headAuthSize is how much of a GET is decrypted and authenticated before it is handed out.
const headAuthSize = 256 << 10

// openRange prepares to stream plaintext [start, start+length) of o, decrypting only the
// chunks that hold it. The first piece is opened (and its key unsealed) now, so a vanished
// blob or a damaged key is reported before any header is written; later pieces as the
// stream reaches them. Each chunk is authenticated before its bytes are written.
func (e *Engine) openRange(ctx context.Context, o *meta.Object, w *sse.Wrapper, start, length int64) (func(io.Writer) (int64, error), error) {
	type span struct {
		p        meta.Piece
		off, len int64
	}
	var spans []span
	pos := int64(0)
	end := start + length
	for _, p := range o.Pieces {
		pStart, pEnd := pos, pos+p.Size
		pos = pEnd
		if pEnd <= start || pStart >= end {
			continue
		}
		s := max(start, pStart)
		en := min(end, pEnd)
		spans = append(spans, span{p, s - pStart, en - s})
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("object: range outside object pieces")
	}
	open := func(p meta.Piece) (*encstream.Reader, blob.Reader, error) {
		br, err := e.blobs.Open(ctx, p.BlobID)
		if err != nil {
			return nil, nil, err
		}
		ok, err := w.StreamKey(p.SealedKey, p.Upload, p.Part)
		if err != nil {
			br.Close()
			return nil, nil, err
		}
		er, err := encstream.NewReader(br, br.Size(), ok)
		clear(ok)
		if err == nil && er.Size() != p.Size {
			err = encstream.ErrAuth
		}
		if err != nil {
			br.Close()
			return nil, nil, fmt.Errorf("%w: %v", sse.ErrCorrupt, err)
		}
		return er, br, nil
	}
	firstER, firstBR, err := open(spans[0].p)
	if err != nil {
		return nil, err
	}
	// Authenticate the start of the range before any header is sent, so that damage there
	// (the whole of most objects) is a clean error rather than a dropped connection.
	head := min(spans[0].len, int64(headAuthSize))
	var first bytes.Buffer
	if _, err := firstER.WriteRangeTo(&first, spans[0].off, head); err != nil {
		firstBR.Close()
		return nil, fmt.Errorf("%w: %v", sse.ErrCorrupt, err)
	}
	spans[0].off += head
	spans[0].len -= head
	return func(wr io.Writer) (int64, error) {
		total, err := io.Copy(wr, &first)
		if err != nil {
			firstBR.Close()
			return total, err
		}
		for i, s := range spans {
			er, br := firstER, firstBR
			if i > 0 {
				if er, br, err = open(s.p); err != nil {
					return total, err
				}
			}
			n, err := er.WriteRangeTo(wr, s.off, s.len)
			br.Close()
			total += n
			if err != nil {
				return total, err
			}
		}
		return total, nil
	}, nil
}
