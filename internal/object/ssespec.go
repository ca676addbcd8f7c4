package object

import (
	"context"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// SSERequest is the encryption a write (PUT, copy destination, CreateMultipartUpload)
// asked for, already validated as a request (s3api decodes the headers into it).
type SSERequest struct {
	// Algorithm is "", AES256 or aws:kms.
	Algorithm string
	KMSKeyID  string
	// HasKMSKeyID: a key id was given (possibly empty).
	HasKMSKeyID bool
	// Context and ContextRaw: the x-amz-server-side-encryption-context, decoded and as sent.
	Context    map[string]string
	ContextRaw string
	// BucketKey: nil when not given.
	BucketKey *bool
	// CustomerKey is the 32-byte SSE-C key, nil if none.
	CustomerKey []byte
}

// ResolveSpec combines a write's request with the bucket's default encryption, in S3's
// order of precedence (docs/SSE.md): SSE-C headers, then explicit SSE headers, then the
// bucket default, else SSE-S3. Fails with ErrSSECBlocked or ErrContextWithoutKMS.
func ResolveSpec(r SSERequest, b *meta.Bucket) (sse.Spec, error) {
	rule := b.Encryption
	if r.CustomerKey != nil {
		if SSECBlocked(rule) {
			return sse.Spec{}, ErrSSECBlocked
		}
		return sse.Spec{Mode: sse.ModeC, CustomerKey: r.CustomerKey}, nil
	}
	s := sse.Spec{Mode: r.Algorithm, UserContext: r.Context, UserContextRaw: r.ContextRaw}
	if s.Mode == "" {
		s.FromDefault = true
		s.Mode = EffectiveDefault(rule)
	}
	if s.Mode == sse.ModeKMS {
		s.KMSKeyID = r.KMSKeyID
		if !r.HasKMSKeyID && rule != nil && rule.Algorithm == sse.ModeKMS {
			s.KMSKeyID = rule.KMSMasterKeyID
		}
		if r.BucketKey != nil {
			s.BucketKey = *r.BucketKey
		} else if rule != nil {
			s.BucketKey = rule.BucketKey
		}
	}
	if s.Mode != sse.ModeKMS && s.UserContextRaw != "" {
		return sse.Spec{}, ErrContextWithoutKMS
	}
	return s, nil
}

// beginWrite resolves a write's encryption and prepares the wrapper its stream keys are
// sealed with. kms acts for the caller (nil: SSE-KMS is not available).
func (e *Engine) beginWrite(ctx context.Context, kms sse.KMS, r SSERequest, b *meta.Bucket, key string) (*meta.Encryption, *sse.Wrapper, error) {
	spec, err := ResolveSpec(r, b)
	if err != nil {
		return nil, nil, err
	}
	return e.sse.Begin(ctx, kms, spec, b.Name, key)
}

// WriteConditions are a write's If-Match / If-None-Match, checked atomically with the
// metadata commit ("" = absent).
type WriteConditions struct {
	IfMatch, IfNoneMatch string
}

// cond turns c into a meta.PutCondition (nil when there is none). If-None-Match fails
// first, as S3 checks it; If-Match on a missing key is meta.ErrNoSuchKey.
func (c WriteConditions) cond() meta.PutCondition {
	im, inm := c.IfMatch, c.IfNoneMatch
	if im == "" && inm == "" {
		return nil
	}
	return func(cur *meta.Object) error {
		if inm != "" && cur != nil && (trimSpace(inm) == "*" || ETagMatches(inm, cur.ETag)) {
			return fail(ErrPreconditionFailed, "Condition", "If-None-Match")
		}
		if im != "" {
			if cur == nil {
				return meta.ErrNoSuchKey
			}
			if !ETagMatches(im, cur.ETag) {
				return fail(ErrPreconditionFailed, "Condition", "If-Match")
			}
		}
		return nil
	}
}
