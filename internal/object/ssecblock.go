package object

import (
	"errors"
	"slices"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// Blocking SSE-C per bucket (S3's BlockedEncryptionTypes; docs/SSE.md, "SSE-C is blocked on
// new buckets"). Since April 2026 S3 creates every general purpose bucket with SSE-C writes
// blocked; PutBucketEncryption with BlockedEncryptionTypes NONE allows them again. A bucket
// record written before Arca knew of the default carries no block and keeps allowing SSE-C:
// absent means not blocked, so an upgrade changes no existing bucket.
const (
	// BlockSSEC blocks writes that ask for SSE-C.
	BlockSSEC = "SSE-C"
	// BlockNone blocks nothing: SSE-C writes are allowed.
	BlockNone = "NONE"
)

// ErrBlockedEncryptionType: a BlockedEncryptionTypes list names a type S3 does not know, or
// NONE together with a type.
var ErrBlockedEncryptionType = errors.New("object: invalid BlockedEncryptionTypes")

// SSECBlocked reports whether a bucket with this encryption configuration refuses SSE-C
// writes (PutObject, CopyObject's destination, CreateMultipartUpload, POST Object). Reads of
// existing SSE-C objects are never refused by it.
func SSECBlocked(be *meta.BucketEncryption) bool {
	return be != nil && slices.Contains(be.Blocked, BlockSSEC)
}

// NewBucketEncryption is the encryption configuration a bucket gets at CreateBucket: one
// that blocks SSE-C and sets no default (objects get SSE-S3), as S3 does since April 2026;
// nil (none at all, as before) when the engine was configured with SSECAllowedByDefault.
func (e *Engine) NewBucketEncryption() *meta.BucketEncryption {
	if e.cfg.SSECAllowedByDefault {
		return nil
	}
	return &meta.BucketEncryption{Blocked: []string{BlockSSEC}}
}

// DefaultConfigured reports whether be sets a default encryption (PutBucketEncryption with
// ApplyServerSideEncryptionByDefault), not only blocked types.
func DefaultConfigured(be *meta.BucketEncryption) bool {
	return be != nil && be.Algorithm != ""
}

// ParseBlockedTypes validates a BlockedEncryptionTypes list: each entry SSE-C or NONE, NONE
// alone (duplicates are folded). It returns the list to store: [SSE-C] or [NONE].
func ParseBlockedTypes(types []string) ([]string, error) {
	var ssec, none bool
	for _, t := range types {
		switch t {
		case BlockSSEC:
			ssec = true
		case BlockNone:
			none = true
		default:
			return nil, ErrBlockedEncryptionType
		}
	}
	switch {
	case ssec && none:
		return nil, ErrBlockedEncryptionType
	case ssec:
		return []string{BlockSSEC}, nil
	case none:
		return []string{BlockNone}, nil
	}
	return nil, nil
}

// EncryptionChange is one PutBucketEncryption rule, decoded.
type EncryptionChange struct {
	// Default is the rule's ApplyServerSideEncryptionByDefault with its BucketKeyEnabled
	// (Blocked unused); nil when the rule has none: the bucket's default stays as it is.
	Default *meta.BucketEncryption
	// Blocked is the rule's BlockedEncryptionTypes as ParseBlockedTypes returned it; nil
	// when the rule has none (or an empty one): the bucket's block stays as it is.
	Blocked []string
}

// Apply returns the configuration old becomes under c. An element the rule leaves out keeps
// its setting, so a PutBucketEncryption written before BlockedEncryptionTypes existed (a
// script that only sets SSE-KMS) does not unblock SSE-C.
func (c EncryptionChange) Apply(old *meta.BucketEncryption) *meta.BucketEncryption {
	var out meta.BucketEncryption
	if old != nil {
		out = *old
		out.Blocked = slices.Clone(old.Blocked)
	}
	if c.Default != nil {
		out.Algorithm, out.KMSMasterKeyID, out.BucketKey = c.Default.Algorithm, c.Default.KMSMasterKeyID, c.Default.BucketKey
	}
	if c.Blocked != nil {
		out.Blocked = slices.Clone(c.Blocked)
	}
	if out.Algorithm == "" && out.Blocked == nil {
		return nil
	}
	return &out
}

// ResetEncryption is DeleteBucketEncryption: the default goes back to SSE-S3 and the block
// stays as it is (deleting the default encryption is no way to re-enable SSE-C).
func ResetEncryption(old *meta.BucketEncryption) *meta.BucketEncryption {
	if old == nil || len(old.Blocked) == 0 {
		return nil
	}
	return &meta.BucketEncryption{Blocked: slices.Clone(old.Blocked)}
}

// EffectiveDefault is the default a bucket's writes without SSE headers get: its configured
// algorithm, else SSE-S3.
func EffectiveDefault(be *meta.BucketEncryption) string {
	if DefaultConfigured(be) {
		return be.Algorithm
	}
	return sse.ModeS3
}
