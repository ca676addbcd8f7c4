package sse

import (
	"errors"

	"github.com/arcastore/arca/internal/meta"
)

// Rewrapping (UpdateObjectEncryption, docs/SSE.md): an object's stream keys stay what they
// are, so its bytes, ETag and checksums stay valid; only the key that wraps them changes.
// The caller opens the old wrapper (Engine.Open), makes the new one (Engine.Begin with an
// SSE-KMS Spec) and reseals each sealed key from one to the other.

// ErrRewrapMismatch: the two wrappers of a Reseal belong to different objects.
var ErrRewrapMismatch = errors.New("sse: reseal between wrappers of different objects")

// Reseal opens sealed, a stream key of (upload, part) sealed by w, and seals the same key
// under to. Both wrappers must be of the same bucket and key (the key's context does not
// change). A sealed key that does not open under w is ErrCorrupt.
func (w *Wrapper) Reseal(sealed []byte, to *Wrapper, upload string, part int) ([]byte, error) {
	if w.bucket != to.bucket || w.key != to.key {
		return nil, ErrRewrapMismatch
	}
	ok, err := w.StreamKey(sealed, upload, part)
	if err != nil {
		return nil, err
	}
	defer clear(ok)
	return Seal(to.wk, to.purpose, streamCtx(to.bucket, to.key, upload, part), ok)
}

// KMSSpec is the Spec of an object rewrapped under the KMS key keyARN: SSE-KMS, with or
// without a bucket key, keeping the user encryption context of prev (the object's current
// encryption, whose KMSContext holds the user pairs next to aws:s3:arn) so that a reader
// who names the context still finds it.
func KMSSpec(prev *meta.Encryption, keyARN string, bucketKey bool) Spec {
	s := Spec{Mode: ModeKMS, KMSKeyID: keyARN, BucketKey: bucketKey}
	if prev != nil && prev.Mode == ModeKMS && prev.UserContext != "" {
		s.UserContextRaw = prev.UserContext
		s.UserContext = map[string]string{}
		for k, v := range prev.KMSContext {
			if k != "aws:s3:arn" {
				s.UserContext[k] = v
			}
		}
	}
	return s
}
