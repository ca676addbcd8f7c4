package object

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"hash"
	"io"
	"sync"

	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// Digests is what the client said the payload's digests are.
type Digests struct {
	// MD5 is Content-MD5 (16 bytes), nil if absent.
	MD5 []byte
	// Algorithm is the flexible checksum algorithm (CRC32, CRC32C, CRC64NVME, SHA1,
	// SHA256), "" if none.
	Algorithm string
	// Value is the expected checksum (base64); "" when it comes in a trailer.
	Value string
	// Trailer: the value comes in a trailing header, read through the input's Trailer.
	Trailer bool
}

// TrailerFunc returns a trailing header's value (by its lowercase wire name) once the body
// reached EOF; "" if absent.
type TrailerFunc func(name string) string

// stored is one encrypted stream written to the blob store and verified.
type stored struct {
	blobID string
	size   int64 // plaintext
	md5    []byte
	alg    string
	ck     string
	sealed []byte // the stream's object key, sealed
	etag   string
}

// piece is the stored stream as a metadata piece.
func (sd *stored) piece(upload string, part int) meta.Piece {
	return meta.Piece{BlobID: sd.blobID, Size: sd.size, SealedKey: sd.sealed, Upload: upload, Part: part}
}

// digester computes, in the same pass as the write, the MD5 (for the ETag) and the
// flexible checksum.
type digester struct {
	spec Digests
	md5  hash.Hash
	ck   hash.Hash
	alg  string
}

// newDigester prepares hashing for spec; defaultAlg is computed when the client named no
// checksum (S3 adds a CRC64NVME checksum to every new object).
func newDigester(spec Digests, defaultAlg string) *digester {
	d := &digester{spec: spec, md5: md5.New(), alg: spec.Algorithm}
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

// verify checks the computed digests against what the client sent (values or trailer).
func (d *digester) verify(trailer TrailerFunc) (md5sum []byte, ck string, err error) {
	md5sum = d.md5.Sum(nil)
	if d.spec.MD5 != nil && !bytes.Equal(md5sum, d.spec.MD5) {
		return nil, "", ErrBadDigest
	}
	if d.ck == nil {
		return md5sum, "", nil
	}
	ck = checksum.Encode(d.ck.Sum(nil))
	want := d.spec.Value
	if d.spec.Trailer {
		want = ""
		if trailer != nil {
			want = trailer(checksum.Header(d.spec.Algorithm))
		}
		if !checksum.ValidValue(d.spec.Algorithm, want) {
			return nil, "", fail(ErrBadChecksumVal, "Algorithm", d.spec.Algorithm)
		}
	}
	if d.spec.Algorithm != "" && want != ck {
		return nil, "", fail(ErrBadChecksum, "Algorithm", d.spec.Algorithm)
	}
	return md5sum, ck, nil
}

// VerifyDigests checks a small body read whole (a request document) against its digests.
func VerifyDigests(data []byte, spec Digests, trailer TrailerFunc) error {
	d := newDigester(spec, "")
	d.Write(data)
	_, _, err := d.verify(trailer)
	return err
}

// copyBody streams exactly n bytes from src to dst through the digester, mapping short
// bodies to ErrIncompleteBody. Verification errors from an authenticated body pass through.
func copyBody(dst io.Writer, src io.Reader, n int64, d *digester) (int64, error) {
	if n < 0 {
		// Unknown length (a POST form's file): everything up to src's EOF; src enforces
		// any bound (docs/POST-OBJECT.md).
		return pipelinedCopy(dst, d, src, -1)
	}
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
			return got, ErrIncompleteBody
		}
		return got, err
	}
	if got < n {
		return got, ErrIncompleteBody
	}
	// Drain to EOF so that streaming-signature and payload-hash checks run (they report
	// at EOF) and trailers are read.
	var one [1]byte
	for {
		k, err := src.Read(one[:])
		if k > 0 {
			return got, ErrBodyTooLong
		}
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}

// writeStream encrypts what fill writes into a new blob under a new stream key, then runs
// verify (which returns the plaintext MD5 and checksum) before committing the blob.
func (e *Engine) writeStream(ctx context.Context, w *sse.Wrapper, upload string, part int, d *digester,
	fill func(*encstream.Writer) error, verify func() ([]byte, string, error), size int64) (*stored, error) {
	ok, sealed, err := w.NewStreamKey(upload, part)
	if err != nil {
		return nil, err
	}
	defer clear(ok)
	bw, err := e.blobs.Create(ctx)
	if err != nil {
		return nil, err
	}
	ew, err := encstream.NewWriter(bw, ok)
	if err != nil {
		bw.Abort()
		return nil, err
	}
	if err := fill(ew); err != nil {
		bw.Abort()
		return nil, err
	}
	if err := ew.Close(); err != nil {
		bw.Abort()
		return nil, err
	}
	md5sum, ck, err := verify()
	if err != nil {
		bw.Abort()
		return nil, err
	}
	id, err := bw.Commit(ctx)
	if err != nil {
		return nil, err
	}
	return &stored{blobID: id, size: size, md5: md5sum, alg: d.alg, ck: ck, sealed: sealed,
		etag: w.ETag(ok, md5sum)}, nil
}

// Body is a payload to store: Size bytes read from R, with the digests the client sent;
// Size -1 is a body of unknown length, read to R's EOF (R bounds it, and returns an error
// instead of io.EOF to refuse what it read). Read counts the bytes read (for metrics), also
// when the write fails.
type Body struct {
	R       io.Reader
	Size    int64
	Digests Digests
	Trailer TrailerFunc
	Read    *int64
}

// storeBody streams b, encrypted under a new object key from w, into a new blob, verifying
// every digest the client sent, and commits the blob only if all hold. The plaintext is
// hashed (MD5 for the ETag, the flexible checksum) in the same pass.
func (e *Engine) storeBody(ctx context.Context, w *sse.Wrapper, upload string, part int, b Body, defaultAlg string) (*stored, error) {
	d := newDigester(b.Digests, defaultAlg)
	var got int64
	sd, err := e.writeStream(ctx, w, upload, part, d, func(dst *encstream.Writer) error {
		var err error
		got, err = copyBody(dst, b.R, b.Size, d)
		if b.Read != nil {
			*b.Read += got
		}
		return err
	}, func() ([]byte, string, error) { return d.verify(b.Trailer) }, b.Size)
	if err == nil && b.Size < 0 {
		sd.size = got
	}
	return sd, err
}
