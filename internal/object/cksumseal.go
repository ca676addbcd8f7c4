package object

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// Checksums of SSE-KMS and SSE-C objects are kept encrypted (docs/CHECKSUMS.md): a CRC or
// SHA of the plaintext lets anyone who reads the metadata confirm a guess of the content,
// which is what those modes promise to prevent. The algorithm and type stay in clear
// (listings show them without any key); the values (the object's and each part's) are
// sealed under a fresh key that the object's SSE wrapper seals like a stream key. SSE-S3
// objects keep theirs in clear: their ETag is the plaintext MD5 already, as on AWS.

// Errors of the checksum rules of CompleteMultipartUpload; they carry AWS's message (errs.E).
var (
	// ErrChecksumPartMissing: a COMPOSITE upload's complete request lists a part without
	// its checksum.
	ErrChecksumPartMissing = errors.New("object: the complete request lacks a part's checksum")
	// ErrChecksumTypeDiffers: the complete request names another checksum type than the
	// upload's.
	ErrChecksumTypeDiffers = errors.New("object: the complete request names another checksum type")
)

const (
	// checksumSlot is the upload name the checksum key is sealed under by the wrapper; no
	// real upload id has this form (they are hex).
	checksumSlot = "arca-checksum"
	// checksumPurpose binds the box to its use.
	checksumPurpose = "arca/checksum/v1"
)

// SealsChecksum reports whether an object encrypted as enc keeps its checksum values sealed.
func SealsChecksum(enc *meta.Encryption) bool {
	return enc != nil && (enc.Mode == sse.ModeKMS || enc.Mode == sse.ModeC)
}

// checksumBox is the plaintext of a SealedChecksum.
type checksumBox struct {
	Value string   `json:"v"`
	Parts []string `json:"p,omitempty"`
}

// sealedRecord returns the record to store for o: o itself, or for an SSE-KMS or SSE-C
// object with a checksum, a copy whose checksum values (the object's and its parts') are
// moved into SealedChecksum, sealed under slot part 0. o is not changed.
func sealedRecord(w *sse.Wrapper, o meta.Object) (meta.Object, error) {
	if !SealsChecksum(o.Enc) || o.Checksum == nil || w == nil {
		return o, nil
	}
	box := checksumBox{Value: o.Checksum.Value}
	var parts []meta.PartInfo
	if len(o.Parts) > 0 {
		parts = make([]meta.PartInfo, len(o.Parts))
		copy(parts, o.Parts)
		for i := range parts {
			box.Parts = append(box.Parts, parts[i].Checksum)
			parts[i].Checksum = ""
		}
	}
	sc, err := sealBox(w, 0, box)
	if err != nil {
		return o, err
	}
	c := *o.Checksum
	c.Value = ""
	o.Checksum, o.Parts, o.SealedChecksum = &c, parts, sc
	return o, nil
}

// openChecksum puts o's sealed checksum values back in place (nothing for a record without
// SealedChecksum, as every record written before checksums were sealed). A box that does not
// open is sse.ErrCorrupt.
func openChecksum(w *sse.Wrapper, o *meta.Object) error {
	if o.SealedChecksum == nil || o.Checksum == nil {
		return nil
	}
	box, err := openBox(w, 0, o.SealedChecksum)
	if err != nil {
		return err
	}
	if len(box.Parts) != 0 && len(box.Parts) != len(o.Parts) {
		return sse.ErrCorrupt
	}
	c := *o.Checksum
	c.Value = box.Value
	o.Checksum = &c
	if len(box.Parts) > 0 {
		parts := make([]meta.PartInfo, len(o.Parts))
		copy(parts, o.Parts)
		for i := range parts {
			parts[i].Checksum = box.Parts[i]
		}
		o.Parts = parts
	}
	return nil
}

// commitObject commits o as commit does, with its checksum sealed under w when its
// encryption calls for it; o keeps its values in clear (for the response) and gets the
// version id.
func (e *Engine) commitObject(ctx context.Context, bucket string, o *meta.Object, w *sse.Wrapper, cond meta.PutCondition, newBlobs ...string) error {
	rec, err := sealedRecord(w, *o)
	if err != nil {
		for _, id := range newBlobs {
			e.blobs.Remove(ctx, id)
		}
		return err
	}
	if err := e.commit(ctx, bucket, &rec, cond, newBlobs...); err != nil {
		return err
	}
	o.VersionID = rec.VersionID
	return nil
}

// AttributesInput is a GetObjectAttributes.
type AttributesInput struct {
	Bucket, Key string
	// VersionID names the version ("" = the current one, "null" = the null version).
	VersionID string
	// CustomerKey checks the SSE-C values; nil means none were sent.
	CustomerKey CustomerKeyFunc
	// KMS acts for the caller (needed to open an SSE-KMS object's sealed checksum).
	KMS sse.KMS
	// Checksums: the checksum values are wanted (the Checksum or ObjectParts attribute).
	Checksums bool
}

// Attributes returns an object version's record for GetObjectAttributes, its checksum
// values opened when in.Checksums. An SSE-C object needs its key, as for HEAD.
//
// Errors: meta.ErrNoSuchBucket, meta.ErrNoSuchKey, meta.ErrNoSuchVersion,
// meta.ErrDamagedRecord; ErrDeleteMarker and ErrVersionIsDeleteMarker (with the marker's
// record); the CustomerKey's errors and sse.ErrWrongCustomerKey; KMS errors and
// sse.ErrCorrupt when the sealed checksum is opened.
func (e *Engine) Attributes(ctx context.Context, in AttributesInput) (*meta.Object, error) {
	o, err := e.meta.GetVersion(ctx, in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		if in.VersionID != "" {
			return &o, ErrVersionIsDeleteMarker
		}
		return &o, ErrDeleteMarker
	}
	ck, err := e.openCustomerKey(in.CustomerKey, o.Enc)
	if err != nil {
		return nil, err
	}
	if o.Enc != nil && o.Enc.Mode == sse.ModeC && !sse.CheckCustomerKey(o.Enc, ck, in.Bucket, in.Key) {
		return nil, sse.ErrWrongCustomerKey
	}
	if in.Checksums && o.SealedChecksum != nil {
		w, err := e.sse.Open(ctx, in.KMS, o.Enc, in.Bucket, in.Key, ck)
		if err != nil {
			return nil, err
		}
		if err := openChecksum(w, &o); err != nil {
			return nil, err
		}
	}
	return &o, nil
}

// sealBox seals value under a fresh key that w seals as the stream key of (checksumSlot,
// part).
func sealBox(w *sse.Wrapper, part int, box checksumBox) (*meta.SealedChecksum, error) {
	key, sealedKey, err := w.NewStreamKey(checksumSlot, part)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	pt, err := json.Marshal(box)
	if err != nil {
		return nil, err
	}
	ct, err := sse.Seal(key, checksumPurpose, nil, pt)
	clear(pt)
	if err != nil {
		return nil, err
	}
	return &meta.SealedChecksum{Key: sealedKey, Box: ct}, nil
}

// openBox opens what sealBox made for part; anything that does not open is sse.ErrCorrupt.
func openBox(w *sse.Wrapper, part int, sc *meta.SealedChecksum) (checksumBox, error) {
	var box checksumBox
	key, err := w.StreamKey(sc.Key, checksumSlot, part)
	if err != nil {
		return box, err
	}
	defer clear(key)
	pt, err := sse.Unseal(key, checksumPurpose, nil, sc.Box)
	if err != nil {
		return box, sse.ErrCorrupt
	}
	if err := json.Unmarshal(pt, &box); err != nil {
		return box, sse.ErrCorrupt
	}
	return box, nil
}

// sealedPart returns the record to store for part p of an upload encrypted as enc: p, or
// for SSE-KMS and SSE-C a copy whose checksum is sealed (under slot part p.Number).
func sealedPart(w *sse.Wrapper, enc *meta.Encryption, p meta.Part) (meta.Part, error) {
	if !SealsChecksum(enc) || p.Checksum == "" || w == nil {
		return p, nil
	}
	sc, err := sealBox(w, p.Number, checksumBox{Value: p.Checksum})
	if err != nil {
		return p, err
	}
	p.Checksum, p.SealedChecksum = "", sc
	return p, nil
}

// openPartChecksums puts the sealed checksums of parts back in place; with w nil (an SSE-C
// request without the key) they stay unknown ("").
func openPartChecksums(w *sse.Wrapper, parts []meta.Part) error {
	if w == nil {
		return nil
	}
	for i := range parts {
		if parts[i].SealedChecksum == nil {
			continue
		}
		box, err := openBox(w, parts[i].Number, parts[i].SealedChecksum)
		if err != nil {
			return err
		}
		parts[i].Checksum = box.Value
	}
	return nil
}

// OpenPartChecksums puts the sealed checksums of an upload's parts back in place, for
// ListParts. SSE-KMS opens the upload's data key through kms (the caller needs kms:Decrypt,
// as S3 asks for ListParts); SSE-C needs the key, without which the parts are listed without
// checksums, unless the upload named a checksum algorithm (ErrSSEMultipartMismatch).
//
// Errors: the SSE-C decisions (ErrSSEMultipartMismatch, ErrSSEMultipartKey), KMS errors,
// sse.ErrCorrupt.
func (e *Engine) OpenPartChecksums(ctx context.Context, bucket string, u *meta.Upload, parts []meta.Part, pk PartCustomerKey, kms sse.KMS) error {
	sealed := false
	for _, p := range parts {
		sealed = sealed || p.SealedChecksum != nil
	}
	if !sealed {
		return nil
	}
	w, err := e.checksumWrapper(ctx, CompleteInput{Bucket: bucket, CustomerKey: pk, KMS: kms}, u)
	if err != nil {
		return err
	}
	return openPartChecksums(w, parts)
}
