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
// object with a checksum, a copy whose checksum values are moved into SealedChecksum under
// a key sealed by w. o is not changed.
func sealedRecord(w *sse.Wrapper, o meta.Object) (meta.Object, error) {
	if !SealsChecksum(o.Enc) || o.Checksum == nil || w == nil {
		return o, nil
	}
	key, sealedKey, err := w.NewStreamKey(checksumSlot, 0)
	if err != nil {
		return o, err
	}
	defer clear(key)
	box := checksumBox{Value: o.Checksum.Value}
	parts := make([]meta.PartInfo, len(o.Parts))
	copy(parts, o.Parts)
	for i := range parts {
		box.Parts = append(box.Parts, parts[i].Checksum)
		parts[i].Checksum = ""
	}
	pt, err := json.Marshal(box)
	if err != nil {
		return o, err
	}
	ct, err := sse.Seal(key, checksumPurpose, nil, pt)
	clear(pt)
	if err != nil {
		return o, err
	}
	c := *o.Checksum
	c.Value = ""
	o.Checksum, o.Parts = &c, parts
	if len(parts) == 0 {
		o.Parts = nil
	}
	o.SealedChecksum = &meta.SealedChecksum{Key: sealedKey, Box: ct}
	return o, nil
}

// openChecksum puts o's sealed checksum values back in place (nothing for a record without
// SealedChecksum, as every record written before checksums were sealed). A box that does not
// open is sse.ErrCorrupt.
func openChecksum(w *sse.Wrapper, o *meta.Object) error {
	if o.SealedChecksum == nil || o.Checksum == nil {
		return nil
	}
	key, err := w.StreamKey(o.SealedChecksum.Key, checksumSlot, 0)
	if err != nil {
		return err
	}
	defer clear(key)
	pt, err := sse.Unseal(key, checksumPurpose, nil, o.SealedChecksum.Box)
	if err != nil {
		return sse.ErrCorrupt
	}
	var box checksumBox
	if err := json.Unmarshal(pt, &box); err != nil || (len(box.Parts) != 0 && len(box.Parts) != len(o.Parts)) {
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
