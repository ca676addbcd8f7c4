package object

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// UpdateObjectEncryption (docs/SSE.md, "Changing an existing object's encryption"): a
// version's stream keys are resealed under a new SSE-KMS wrapper and its record rewritten
// in one metadata transaction. The blobs are never touched, so the version's bytes, ETag,
// checksums, Last-Modified, version id, tags and metadata stay what they were.
//
// Crash safety: the new KMS data key (or bucket key) blob is made and every key resealed
// before the commit; the commit replaces the old record by the new one atomically. A crash
// before it leaves the old record, which still opens (its blob and keys are unchanged); a
// crash after it leaves the new one. No blob is written, so nothing is left behind.

// Errors of UpdateEncryption (apierr/updateenc.go gives AWS's answers).
var (
	// ErrUpdateEncUnencrypted: the version is not encrypted at all.
	ErrUpdateEncUnencrypted = errors.New("object: UpdateObjectEncryption of an unencrypted object")
	// ErrUpdateEncSourceType: the version is encrypted with SSE-C (or DSSE-KMS).
	ErrUpdateEncSourceType = errors.New("object: UpdateObjectEncryption of an SSE-C object")
	// ErrUpdateEncLocked: the version has a retention period in force or a legal hold.
	ErrUpdateEncLocked = errors.New("object: UpdateObjectEncryption of a locked object")
	// ErrUpdateEncConflict: the version kept changing under the update (concurrent writes).
	ErrUpdateEncConflict = errors.New("object: the object changed during UpdateObjectEncryption")
)

// errRecordChanged makes the commit of one attempt give way to a concurrent change.
var errRecordChanged = errors.New("object: record changed since read")

// updateEncAttempts bounds how often UpdateEncryption reads again after a concurrent change.
const updateEncAttempts = 4

// UpdateEncryptionInput is an UpdateObjectEncryption.
type UpdateEncryptionInput struct {
	Bucket, Key string
	// VersionID names the version ("" = the current one, "null" = the null version).
	VersionID string
	// KMSKeyARN is the new KMS key (a full key ARN, checked by the caller).
	KMSKeyARN string
	// BucketKey: wrap under an S3 Bucket Key of that KMS key (docs/KEYS.md).
	BucketKey bool
	// KMS acts for the caller: kms:Decrypt on the old key, kms:GenerateDataKey on the new.
	KMS sse.KMS
}

// UpdateEncryptionResult is what UpdateEncryption changed.
type UpdateEncryptionResult struct {
	// Object is the version's new record (its checksum values as stored).
	Object *meta.Object
	// Previous is the encryption the version had before.
	Previous *meta.Encryption
}

// UpdateEncryption rewraps a version's keys under the KMS key in.KMSKeyARN and returns its
// new record; see Rewrap.
func (e *Engine) UpdateEncryption(ctx context.Context, in UpdateEncryptionInput) (*meta.Object, error) {
	r, err := e.Rewrap(ctx, in)
	if err != nil {
		return nil, err
	}
	return r.Object, nil
}

// Rewrap is UpdateEncryption returning the previous encryption as well. The record commits
// only if it is still the one read (same ETag, Last-Modified, encryption and sealed keys);
// otherwise the work is done again from a fresh read, a few times at most. The record takes
// the task marker of ctx.
//
// Errors: meta.ErrNoSuchBucket, meta.ErrNoSuchKey, meta.ErrNoSuchVersion,
// meta.ErrDamagedRecord; ErrDeleteMarker, ErrVersionIsDeleteMarker; ErrUpdateEncUnencrypted,
// ErrUpdateEncSourceType, ErrUpdateEncLocked, ErrUpdateEncConflict; KMS errors (the old
// key's Decrypt, the new key's GenerateDataKey); sse.ErrCorrupt for keys that do not open.
func (e *Engine) Rewrap(ctx context.Context, in UpdateEncryptionInput) (*UpdateEncryptionResult, error) {
	for attempt := 0; attempt < updateEncAttempts; attempt++ {
		r, err := e.rewrapOnce(ctx, in)
		if errors.Is(err, errRecordChanged) {
			continue
		}
		return r, err
	}
	return nil, ErrUpdateEncConflict
}

// rewrapTarget refuses what UpdateObjectEncryption does not apply to.
func rewrapTarget(o *meta.Object, versionID string, now time.Time) error {
	if err := markerRefusal(o, versionID); err != nil {
		return err
	}
	switch {
	case o.Enc == nil || o.Enc.Mode == "":
		return ErrUpdateEncUnencrypted
	case o.Enc.Mode != sse.ModeS3 && o.Enc.Mode != sse.ModeKMS:
		return ErrUpdateEncSourceType
	case o.LegalHold == meta.LegalHoldOn || o.Retention.InForce(now):
		return ErrUpdateEncLocked
	}
	return nil
}

func (e *Engine) rewrapOnce(ctx context.Context, in UpdateEncryptionInput) (*UpdateEncryptionResult, error) {
	o, err := e.meta.GetVersion(ctx, in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return nil, err
	}
	if err := rewrapTarget(&o, in.VersionID, time.Now()); err != nil {
		return nil, err
	}
	oldW, err := e.sse.Open(ctx, in.KMS, o.Enc, in.Bucket, in.Key, nil)
	if err != nil {
		return nil, err
	}
	enc, newW, err := e.sse.Begin(ctx, in.KMS, sse.KMSSpec(o.Enc, in.KMSKeyARN, in.BucketKey), in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	next, err := resealed(&o, oldW, newW)
	if err != nil {
		return nil, err
	}
	next.Enc = enc
	marker := TaskMarkerFrom(ctx)
	var out meta.Object
	err = e.meta.UpdateVersion(ctx, in.Bucket, in.Key, in.VersionID, func(cur *meta.Object) error {
		if !sameRecord(cur, &o) {
			return errRecordChanged
		}
		if err := rewrapTarget(cur, in.VersionID, time.Now()); err != nil {
			return err
		}
		cur.Enc, cur.Pieces = next.Enc, next.Pieces
		cur.Checksum, cur.Parts, cur.SealedChecksum = next.Checksum, next.Parts, next.SealedChecksum
		cur.Task = marker
		out = *cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateEncryptionResult{Object: &out, Previous: o.Enc}, nil
}

// resealed returns a copy of o with every piece's stream key and the sealed checksum moved
// from oldW to newW. An SSE-S3 object's checksum, kept in clear, is sealed now, as every
// SSE-KMS object's is (cksumseal.go).
func resealed(o *meta.Object, oldW, newW *sse.Wrapper) (meta.Object, error) {
	next := *o
	next.Pieces = make([]meta.Piece, len(o.Pieces))
	for i, p := range o.Pieces {
		if p.SealedKey != nil {
			sk, err := oldW.Reseal(p.SealedKey, newW, p.Upload, p.Part)
			if err != nil {
				return next, err
			}
			p.SealedKey = sk
		}
		next.Pieces[i] = p
	}
	if o.SealedChecksum != nil {
		k, err := oldW.Reseal(o.SealedChecksum.Key, newW, checksumSlot, 0)
		if err != nil {
			return next, err
		}
		next.SealedChecksum = &meta.SealedChecksum{Key: k, Box: o.SealedChecksum.Box}
		return next, nil
	}
	next.Enc = &meta.Encryption{Mode: sse.ModeKMS} // what sealedRecord decides on
	return sealedRecord(newW, next)
}

// sameRecord reports whether cur is still the record a was read as: the same data under
// the same keys (a rewrap, overwrite or new version in between changes one of these).
func sameRecord(cur, a *meta.Object) bool {
	if cur.DeleteMarker != a.DeleteMarker || cur.VersionID != a.VersionID || cur.ETag != a.ETag ||
		!cur.LastModified.Equal(a.LastModified) || len(cur.Pieces) != len(a.Pieces) || !sameEnc(cur.Enc, a.Enc) {
		return false
	}
	for i := range cur.Pieces {
		if cur.Pieces[i].BlobID != a.Pieces[i].BlobID || !bytes.Equal(cur.Pieces[i].SealedKey, a.Pieces[i].SealedKey) {
			return false
		}
	}
	if (cur.SealedChecksum == nil) != (a.SealedChecksum == nil) {
		return false
	}
	return cur.SealedChecksum == nil || bytes.Equal(cur.SealedChecksum.Key, a.SealedChecksum.Key)
}

func sameEnc(x, y *meta.Encryption) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.Mode == y.Mode && x.MasterVersion == y.MasterVersion && x.KMSKeyARN == y.KMSKeyARN &&
		x.BucketKey == y.BucketKey && bytes.Equal(x.KMSBlob, y.KMSBlob)
}
