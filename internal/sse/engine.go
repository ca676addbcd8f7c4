package sse

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"

	"github.com/arcastore/arca/internal/meta"
)

// Modes as stored and as S3 names them in x-amz-server-side-encryption ("SSE-C" has no
// header value of its own).
const (
	ModeS3  = "AES256"
	ModeKMS = "aws:kms"
	ModeC   = "SSE-C"
)

// Errors the API layer maps to S3's answers.
var (
	// ErrWrongCustomerKey: the SSE-C key presented is not the one the object was written
	// with (S3: 403 AccessDenied).
	ErrWrongCustomerKey = errors.New("sse: wrong customer key")
	// ErrCustomerKeyRequired: an SSE-C object read without the key (S3: 400 InvalidRequest).
	ErrCustomerKeyRequired = errors.New("sse: customer key required")
	// ErrCorrupt: a sealed key or stream failed to authenticate although the right key was
	// used: the stored data was tampered with or damaged.
	ErrCorrupt = errors.New("sse: encrypted data failed authentication")
)

// KMS is what SSE needs from a key management service, already bound to the S3 caller on
// whose behalf it acts (the server builds one per request).
type KMS interface {
	// GenerateDataKey returns a 32-byte data key, its ciphertext blob and the key's ARN.
	// keyID "" means the AWS-managed aws/s3 key.
	GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error)
	// Decrypt returns the plaintext of a blob made by GenerateDataKey with encCtx.
	Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, err error)
	// Authorize checks that the caller may perform action ("kms:GenerateDataKey",
	// "kms:Decrypt") on the key with encCtx, without calling the KMS: the bucket-key cache
	// uses it when it saves the call itself.
	Authorize(ctx context.Context, action, keyRef string, encCtx map[string]string) error
}

// Spec is the encryption to apply to a new object or upload, after request headers and the
// bucket default were combined.
type Spec struct {
	Mode        string
	FromDefault bool
	// KMSKeyID as requested (id, ARN, alias); "" = aws/s3.
	KMSKeyID string
	// UserContext and UserContextRaw: x-amz-server-side-encryption-context decoded and as given.
	UserContext    map[string]string
	UserContextRaw string
	BucketKey      bool
	// CustomerKey is the 32-byte SSE-C key.
	CustomerKey []byte
}

// Engine makes and recovers wrapping keys for the three modes.
type Engine struct {
	keyring    *Keyring
	bucketKeys *BucketKeyCache
}

// NewEngine returns an engine over the SSE-S3 keyring and a bucket-key cache.
func NewEngine(k *Keyring, bk *BucketKeyCache) *Engine { return &Engine{keyring: k, bucketKeys: bk} }

// ObjectARN and BucketARN are the aws:s3:arn encryption context values.
func ObjectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }
func BucketARN(bucket string) string      { return "arn:aws:s3:::" + bucket }

// Wrapper holds, for one request, the key that wraps the object keys of one object or upload.
type Wrapper struct {
	purpose     string
	wk          []byte
	bucket, key string
	mode        string
}

// Begin prepares a new object or upload: it fixes the encryption record to store and returns
// the wrapper to seal its stream keys with.
func (e *Engine) Begin(ctx context.Context, kms KMS, s Spec, bucket, key string) (*meta.Encryption, *Wrapper, error) {
	enc := &meta.Encryption{Mode: s.Mode, FromDefault: s.FromDefault}
	w := &Wrapper{bucket: bucket, key: key, mode: s.Mode}
	switch s.Mode {
	case ModeS3:
		enc.MasterVersion, w.wk = e.keyring.Current()
		w.purpose = "sse-s3"
	case ModeKMS:
		ec := map[string]string{}
		for k, v := range s.UserContext {
			ec[k] = v
		}
		enc.UserContext, enc.BucketKey = s.UserContextRaw, s.BucketKey
		if s.BucketKey {
			ec["aws:s3:arn"] = BucketARN(bucket)
			bk, err := e.bucketKeys.Get(ctx, kms, bucket, s.KMSKeyID, ec)
			if err != nil {
				return nil, nil, err
			}
			enc.KMSKeyARN, enc.KMSBlob, w.wk = bk.keyARN, bk.blob, bk.key
			w.purpose = "sse-kms-bucket-key"
		} else {
			ec["aws:s3:arn"] = ObjectARN(bucket, key)
			dk, blob, arn, err := kms.GenerateDataKey(ctx, s.KMSKeyID, ec)
			if err != nil {
				return nil, nil, err
			}
			enc.KMSKeyARN, enc.KMSBlob, w.wk = arn, blob, dk
			w.purpose = "sse-kms"
		}
		enc.KMSContext = ec
	case ModeC:
		if len(s.CustomerKey) != 32 {
			return nil, nil, errors.New("sse: customer key must be 32 bytes")
		}
		sum := md5.Sum(s.CustomerKey)
		enc.CustomerKeyMD5 = base64.StdEncoding.EncodeToString(sum[:])
		enc.CheckSalt = make([]byte, 32)
		if _, err := rand.Read(enc.CheckSalt); err != nil {
			return nil, nil, err
		}
		check, err := customerKeyCheck(s.CustomerKey, enc.CheckSalt, bucket, key)
		if err != nil {
			return nil, nil, err
		}
		enc.Check = check
		w.wk, w.purpose = s.CustomerKey, "sse-c"
	default:
		return nil, nil, errors.New("sse: unknown mode " + s.Mode)
	}
	return enc, w, nil
}

// customerKeyCheck is the salted HMAC that tells a wrong SSE-C key from a tampered object.
func customerKeyCheck(ck, salt []byte, bucket, key string) ([]byte, error) {
	mk, err := hkdf.Key(sha256.New, ck, salt, "arca/sse-c/key-check/v1", 32)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, mk)
	m.Write(lp(lp(nil, bucket), key))
	clear(mk)
	return m.Sum(nil), nil
}

// CheckCustomerKey reports whether ck is the SSE-C key enc was written with (constant time).
func CheckCustomerKey(enc *meta.Encryption, ck []byte, bucket, key string) bool {
	if enc == nil || len(ck) != 32 {
		return false
	}
	got, err := customerKeyCheck(ck, enc.CheckSalt, bucket, key)
	return err == nil && hmac.Equal(got, enc.Check)
}

// Open recovers the wrapper of an existing object or upload. For SSE-C, customerKey must
// be the right key (ErrCustomerKeyRequired, ErrWrongCustomerKey otherwise).
func (e *Engine) Open(ctx context.Context, kms KMS, enc *meta.Encryption, bucket, key string, customerKey []byte) (*Wrapper, error) {
	if enc == nil {
		return nil, ErrCorrupt
	}
	w := &Wrapper{bucket: bucket, key: key, mode: enc.Mode}
	switch enc.Mode {
	case ModeS3:
		k, err := e.keyring.Get(enc.MasterVersion)
		if err != nil {
			return nil, err
		}
		w.wk, w.purpose = k, "sse-s3"
	case ModeKMS:
		if enc.BucketKey {
			k, err := e.bucketKeys.Open(ctx, kms, enc.KMSKeyARN, enc.KMSBlob, enc.KMSContext)
			if err != nil {
				return nil, err
			}
			w.wk, w.purpose = k, "sse-kms-bucket-key"
		} else {
			k, err := kms.Decrypt(ctx, enc.KMSBlob, enc.KMSContext)
			if err != nil {
				return nil, err
			}
			w.wk, w.purpose = k, "sse-kms"
		}
	case ModeC:
		if customerKey == nil {
			return nil, ErrCustomerKeyRequired
		}
		if !CheckCustomerKey(enc, customerKey, bucket, key) {
			return nil, ErrWrongCustomerKey
		}
		w.wk, w.purpose = customerKey, "sse-c"
	default:
		return nil, ErrCorrupt
	}
	return w, nil
}

func streamCtx(bucket, key, upload string, part int) []string {
	return []string{bucket, key, upload, strconv.Itoa(part)}
}

// NewStreamKey makes the object key of one stream (a whole object: upload "" and part 0;
// else one part) and returns it with its sealed form.
func (w *Wrapper) NewStreamKey(upload string, part int) (ok, sealed []byte, err error) {
	ok, err = NewObjectKey()
	if err != nil {
		return nil, nil, err
	}
	sealed, err = Seal(w.wk, w.purpose, streamCtx(w.bucket, w.key, upload, part), ok)
	return ok, sealed, err
}

// StreamKey unseals a stream's object key; failure means the metadata was tampered with.
func (w *Wrapper) StreamKey(sealed []byte, upload string, part int) ([]byte, error) {
	ok, err := Unseal(w.wk, w.purpose, streamCtx(w.bucket, w.key, upload, part), sealed)
	if err != nil {
		return nil, ErrCorrupt
	}
	return ok, nil
}

// ETag is the ETag of a stream with plaintext MD5 md5sum: the MD5 itself for SSE-S3, as AWS
// does; for SSE-KMS and SSE-C an opaque value keyed by the object key, so it reveals nothing
// about the content and differs between two uploads of the same bytes.
func (w *Wrapper) ETag(ok, md5sum []byte) string {
	if w.mode == ModeS3 {
		return hex.EncodeToString(md5sum)
	}
	m := hmac.New(sha256.New, ok)
	m.Write([]byte("arca/etag/v1"))
	m.Write(md5sum)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Mode is the wrapper's SSE mode.
func (w *Wrapper) Mode() string { return w.mode }
