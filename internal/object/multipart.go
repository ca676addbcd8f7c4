package object

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// newUploadID returns an id that sorts by creation time, so ListMultipartUploads lists one
// key's uploads in initiation order: 16 hex digits of time, 24 of randomness.
func newUploadID() string {
	var r [12]byte
	rand.Read(r[:])
	return fmt.Sprintf("%016x", time.Now().UnixNano()) + hex.EncodeToString(r[:])
}

// CreateUploadInput is a CreateMultipartUpload, already validated as a request.
type CreateUploadInput struct {
	Bucket, Key string
	Template    meta.Object
	SSE         SSERequest
	KMS         sse.KMS
	// ChecksumAlgorithm ("" = none) and ChecksumType (FULL_OBJECT or COMPOSITE).
	ChecksumAlgorithm, ChecksumType string
}

// CreateUpload starts an upload. Its encryption (and for SSE-KMS the data key every part's
// key is sealed under) is fixed now, once for the whole upload.
func (e *Engine) CreateUpload(ctx context.Context, in CreateUploadInput) (*meta.Upload, error) {
	u := meta.Upload{ID: newUploadID(), Key: in.Key, Initiated: time.Now().UTC(), Template: in.Template,
		ChecksumAlgorithm: in.ChecksumAlgorithm, ChecksumType: in.ChecksumType}
	b, err := e.meta.GetBucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if u.Enc, _, err = e.beginWrite(ctx, in.KMS, in.SSE, &b, in.Key); err != nil {
		return nil, err
	}
	if err := e.meta.CreateUpload(ctx, in.Bucket, u); err != nil {
		return nil, err
	}
	return &u, nil
}

// PartAlgorithm is the checksum computed for every part of u: the upload's, else S3's
// default.
func PartAlgorithm(u *meta.Upload) string {
	if u.ChecksumAlgorithm != "" {
		return u.ChecksumAlgorithm
	}
	return DefaultChecksum
}

// PartCustomerKey is what a part request says of SSE-C: whether values were sent, and (when
// they were) the key, validated by the protocol layer.
type PartCustomerKey struct {
	Present bool
	Key     func() ([]byte, error)
}

// openUpload recovers the wrapper of an upload for a part. An SSE-C upload needs the same
// key on every part; other uploads must not get one.
func (e *Engine) openUpload(ctx context.Context, bucket string, u *meta.Upload, pk PartCustomerKey, kms sse.KMS) (*sse.Wrapper, error) {
	isC := u.Enc != nil && u.Enc.Mode == sse.ModeC
	if isC != pk.Present {
		return nil, ErrSSEMultipartMismatch
	}
	var ck []byte
	if isC {
		key, err := pk.Key()
		if err != nil {
			return nil, err
		}
		if !sse.CheckCustomerKey(u.Enc, key, bucket, u.Key) {
			return nil, ErrSSEMultipartKey
		}
		ck = key
	}
	return e.sse.Open(ctx, kms, u.Enc, bucket, u.Key, ck)
}

// UploadPartInput is an UploadPart.
type UploadPartInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	CustomerKey           PartCustomerKey
	KMS                   sse.KMS
	// Body returns the payload; it is called once the upload is found (so that a missing
	// upload is reported before anything about the body).
	Body func() (Body, error)
}

// PartResult is a stored part and the upload it belongs to.
type PartResult struct {
	Part   meta.Part
	Upload *meta.Upload
	// Algorithm and Checksum are the checksum computed over the part.
	Algorithm, Checksum string
}

// UploadPart stores a part, replacing one with the same number.
//
// Errors: meta.ErrNoSuchUpload; Body's errors; ErrChecksumTypeMismatch; the SSE-C
// decisions (ErrSSEMultipartMismatch, ErrSSEMultipartKey); the body's digest errors.
func (e *Engine) UploadPart(ctx context.Context, in UploadPartInput) (*PartResult, error) {
	u, err := e.meta.GetUpload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	body, err := in.Body()
	if err != nil {
		return nil, err
	}
	if alg := body.Digests.Algorithm; alg != "" && u.ChecksumAlgorithm != "" && alg != u.ChecksumAlgorithm {
		return nil, fail(ErrChecksumTypeMismatch, "Expected", u.ChecksumAlgorithm, "Actual", alg)
	}
	w, err := e.openUpload(ctx, in.Bucket, &u, in.CustomerKey, in.KMS)
	if err != nil {
		return nil, err
	}
	sd, err := e.storeBody(ctx, w, u.ID, in.PartNumber, body, PartAlgorithm(&u))
	if err != nil {
		return nil, err
	}
	return e.recordPart(ctx, in.Bucket, &u, in.PartNumber, sd, w)
}

func (e *Engine) recordPart(ctx context.Context, bucket string, u *meta.Upload, n int, sd *stored, w *sse.Wrapper) (*PartResult, error) {
	p := meta.Part{Number: n, BlobID: sd.blobID, Size: sd.size, ETag: sd.etag,
		LastModified: time.Now().UTC(), Checksum: sd.ck, SealedKey: sd.sealed}
	if sd.alg != PartAlgorithm(u) {
		p.Checksum = ""
	}
	rec, err := sealedPart(w, u.Enc, p)
	if err != nil {
		e.blobs.Remove(ctx, sd.blobID)
		return nil, err
	}
	old, err := e.meta.PutPart(ctx, bucket, u.Key, u.ID, rec)
	if err != nil {
		e.blobs.Remove(ctx, sd.blobID)
		return nil, err
	}
	if old != nil {
		e.blobs.Remove(ctx, old.BlobID)
	}
	return &PartResult{Part: p, Upload: u, Algorithm: sd.alg, Checksum: sd.ck}, nil
}

// CopyRange is an x-amz-copy-source-range already parsed: bytes First..Last inclusive.
type CopyRange struct {
	First, Last int64
	// Spec is the value as sent, for the error.
	Spec string
}

// CheckCopyRange resolves a copy range against the source's size: the whole source for nil,
// ErrInvalidCopyRange when it ends past the source.
func CheckCopyRange(r *CopyRange, size int64) (start, length int64, err error) {
	if r == nil {
		return 0, size, nil
	}
	if r.Last >= size {
		return 0, 0, fail(ErrInvalidCopyRange, "RangeRequested", r.Spec, "ActualObjectSize", strconv.FormatInt(size, 10))
	}
	return r.First, r.Last - r.First + 1, nil
}

// UploadPartCopyInput is an UploadPartCopy; Source is already authorized.
type UploadPartCopyInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	CustomerKey           PartCustomerKey
	KMS                   sse.KMS
	Source                CopySource
	// Range is nil for the whole source.
	Range *CopyRange
}

// UploadPartCopy stores a part copied from (a range of) another object, re-encrypted under
// the upload's encryption. A source blob that vanishes under a concurrent overwrite makes
// it start again (three times at most).
//
// Errors: as UploadPart and Copy, ErrInvalidCopyRange and ErrCopyTooLarge.
func (e *Engine) UploadPartCopy(ctx context.Context, in UploadPartCopyInput) (*PartResult, error) {
	u, err := e.meta.GetUpload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	w, err := e.openUpload(ctx, in.Bucket, &u, in.CustomerKey, in.KMS)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		src, srcW, err := e.openSource(ctx, in.Source, in.KMS)
		if err != nil {
			return nil, err
		}
		start, length, err := CheckCopyRange(in.Range, src.Size)
		if err != nil {
			return nil, err
		}
		if length > MaxPutSize {
			return nil, ErrCopyTooLarge
		}
		sd, err := e.copyData(ctx, src, srcW, start, length, w, u.ID, in.PartNumber, PartAlgorithm(&u))
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return e.recordPart(ctx, in.Bucket, &u, in.PartNumber, sd, w)
	}
}

// CompletedPart is one entry of a CompleteMultipartUpload's list.
type CompletedPart struct {
	Number int
	ETag   string // as sent (quotes allowed)
	// Checksum returns the part's checksum the client listed for an algorithm ("" if none).
	Checksum func(alg string) string
}

// CompleteInput is a CompleteMultipartUpload.
type CompleteInput struct {
	Bucket, Key, UploadID string
	// Parts is called once the upload is found; it reads and validates the request's list.
	Parts func() ([]CompletedPart, error)
	// FullObjectChecksum returns the full-object checksum the client sent for an algorithm
	// ("" if none).
	FullObjectChecksum func(alg string) string
	// ChecksumType is the x-amz-checksum-type the client sent ("" if none); it must be
	// the upload's.
	ChecksumType string
	// CustomerKey and KMS open the upload's wrapper, to seal the checksum of an SSE-C or
	// SSE-KMS object (docs/CHECKSUMS.md).
	CustomerKey PartCustomerKey
	KMS         sse.KMS
	Cond        WriteConditions
}

// Complete assembles the upload's listed parts into the object at its key, atomically
// replacing any object there, and removes the parts not used and the replaced object's
// blobs. It returns the new record and the upload.
//
// Errors: meta.ErrNoSuchUpload; Parts' errors; ErrInvalidPart; ErrEntityTooSmall;
// ErrBadChecksum, ErrChecksumPartMissing, ErrChecksumTypeDiffers; the SSE-C decisions and
// KMS errors of opening the upload to seal its checksum; the conditions' errors.
func (e *Engine) Complete(ctx context.Context, in CompleteInput) (*meta.Object, *meta.Upload, error) {
	u, err := e.meta.GetUpload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, nil, err
	}
	list, err := in.Parts()
	if err != nil {
		return nil, nil, err
	}
	typ := u.ChecksumType
	if typ == "" {
		typ = "FULL_OBJECT"
	}
	if in.ChecksumType != "" && in.ChecksumType != typ {
		return nil, nil, errs.Newf(ErrChecksumTypeDiffers, "The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", typ)
	}
	stored, _, err := e.meta.ListParts(ctx, in.Bucket, in.Key, in.UploadID, 0, 0)
	if err != nil {
		return nil, nil, err
	}
	w, err := e.checksumWrapper(ctx, in, &u)
	if err != nil {
		return nil, nil, err
	}
	if err := openPartChecksums(w, stored); err != nil {
		return nil, nil, err
	}
	byNum := make(map[int]meta.Part, len(stored))
	for _, p := range stored {
		byNum[p.Number] = p
	}
	o := u.Template
	o.Key = in.Key
	alg := PartAlgorithm(&u)
	md5s := md5.New()
	var cks []string
	var sizes []int64
	for i, rp := range list {
		p, ok := byNum[rp.Number]
		if !ok || strings.Trim(strings.TrimSpace(rp.ETag), `"`) != p.ETag {
			return nil, nil, fail(ErrInvalidPart, "PartNumber", strconv.Itoa(rp.Number), "ETag", rp.ETag)
		}
		v := ""
		if rp.Checksum != nil {
			v = rp.Checksum(alg)
		}
		if v != "" && v != p.Checksum && (p.SealedChecksum == nil || w != nil) {
			return nil, nil, fail(ErrInvalidPart, "PartNumber", strconv.Itoa(rp.Number))
		}
		if v == "" && u.ChecksumAlgorithm != "" && typ == "COMPOSITE" {
			return nil, nil, errs.Newf(ErrChecksumPartMissing, "The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.",
				strings.ToLower(alg), rp.Number)
		}
		if i < len(list)-1 && p.Size < e.cfg.MinPartSize {
			return nil, nil, fail(ErrEntityTooSmall, "ProposedSize", strconv.FormatInt(p.Size, 10),
				"MinSizeAllowed", strconv.FormatInt(e.cfg.MinPartSize, 10), "PartNumber", strconv.Itoa(p.Number), "ETag", `"`+p.ETag+`"`)
		}
		raw, _ := hex.DecodeString(p.ETag)
		md5s.Write(raw)
		o.Pieces = append(o.Pieces, meta.Piece{BlobID: p.BlobID, Size: p.Size, SealedKey: p.SealedKey, Upload: u.ID, Part: p.Number})
		o.Parts = append(o.Parts, meta.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum})
		o.Size += p.Size
		cks = append(cks, p.Checksum)
		sizes = append(sizes, p.Size)
	}
	o.ETag = hex.EncodeToString(md5s.Sum(nil)) + "-" + strconv.Itoa(len(list))
	o.Enc = u.Enc
	o.LastModified = time.Now().UTC()
	if o.Checksum, err = objectChecksum(&u, cks, sizes, in.FullObjectChecksum); err != nil {
		return nil, nil, err
	}
	if SealsChecksum(u.Enc) && w == nil { // an SSE-C complete without the key
		o.Checksum = nil
		for i := range o.Parts {
			o.Parts[i].Checksum = ""
		}
	}
	rec, err := sealedRecord(w, o)
	if err != nil {
		return nil, nil, err
	}
	rec.Task = TaskMarkerFrom(ctx)
	res, unused, err := e.meta.CompleteUpload(ctx, in.Bucket, u.ID, rec, in.Cond.cond())
	if err != nil {
		return nil, nil, err
	}
	o.VersionID = res.VersionID
	e.removeBlobs(ctx, res.Replaced)
	for _, p := range unused {
		e.blobs.Remove(ctx, p.BlobID)
	}
	return &o, &u, nil
}

// objectChecksum derives a multipart object's checksum from its parts' checksums: the
// checksum of checksums ("-N") for COMPOSITE, the combined CRC for FULL_OBJECT. A full-object
// value the client sent with CompleteMultipartUpload must match.
func objectChecksum(u *meta.Upload, cks []string, sizes []int64, full func(string) string) (*meta.Checksum, error) {
	alg := PartAlgorithm(u)
	for _, c := range cks {
		if c == "" {
			return nil, nil
		}
	}
	typ := u.ChecksumType
	if typ == "" {
		typ = "FULL_OBJECT"
	}
	var v string
	var ok bool
	if typ == "COMPOSITE" {
		v, ok = checksum.Composite(alg, cks)
	} else {
		v, ok = checksum.CombineCRC(alg, cks, sizes)
	}
	if !ok {
		return nil, nil
	}
	if full != nil {
		if want := full(alg); want != "" && want != v && (typ == "FULL_OBJECT" || want+"-"+strconv.Itoa(len(cks)) != v) {
			// S3 names the algorithm in lower case here ("The sha256 you specified did not
			// match the calculated checksum."), unlike for a PUT.
			return nil, fail(ErrBadChecksum, "Algorithm", strings.ToLower(alg))
		}
	}
	return &meta.Checksum{Algorithm: alg, Value: v, Type: typ}, nil
}

// checksumWrapper opens the upload's wrapper when its checksums are sealed (SSE-KMS and
// SSE-C): to read its parts' and seal the object's. SSE-KMS needs the caller's KMS
// (kms:Decrypt, as S3 asks for a complete and ListParts). An SSE-C request without the key
// (S3 asks for it only when the upload named a checksum algorithm) gets nil for an upload
// that named none (a complete then stores no checksum) and is refused as a part would be for
// one that did.
func (e *Engine) checksumWrapper(ctx context.Context, in CompleteInput, u *meta.Upload) (*sse.Wrapper, error) {
	if !SealsChecksum(u.Enc) {
		return nil, nil
	}
	if u.Enc.Mode == sse.ModeC && !in.CustomerKey.Present {
		if u.ChecksumAlgorithm != "" {
			return nil, ErrSSEMultipartMismatch
		}
		return nil, nil
	}
	if u.Enc.Mode != sse.ModeC {
		in.CustomerKey = PartCustomerKey{}
	}
	return e.openUpload(ctx, in.Bucket, u, in.CustomerKey, in.KMS)
}

// Abort deletes an upload and its parts' blobs. Returns meta.ErrNoSuchUpload.
func (e *Engine) Abort(ctx context.Context, bucket, key, uploadID string) error {
	parts, err := e.meta.AbortUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return err
	}
	for _, p := range parts {
		e.blobs.Remove(ctx, p.BlobID)
	}
	return nil
}

// ListParts returns an upload and one page of its parts (numbers > after, at most max) and
// whether more remain. Returns meta.ErrNoSuchUpload.
func (e *Engine) ListParts(ctx context.Context, bucket, key, uploadID string, after, max int) (*meta.Upload, []meta.Part, bool, error) {
	u, err := e.meta.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return nil, nil, false, err
	}
	parts, more, err := e.meta.ListParts(ctx, bucket, key, uploadID, after, max)
	if err != nil {
		return nil, nil, false, err
	}
	return &u, parts, more, nil
}

// ListUploads returns one page of a bucket's uploads. Returns meta.ErrNoSuchBucket.
func (e *Engine) ListUploads(ctx context.Context, bucket string, opt meta.UploadListOptions) (meta.UploadListResult, error) {
	return e.meta.ListUploads(ctx, bucket, opt)
}
