package cse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/arcastore/arca/pkg/cse/internal/gcmstream"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// GetOptions tune one Get. The zero value is ready to use.
type GetOptions struct {
	// EncryptionContext, when not nil, must equal the object's stored encryption context
	// (material description) without the client's reserved keys, or Get fails with
	// ErrContextMismatch before any key is unwrapped.
	EncryptionContext map[string]string
	// Progress, when set, is called as the plaintext is decrypted with the bytes done so
	// far and the total (-1 when unknown).
	Progress func(done, total int64)
}

// ObjectInfo describes an encrypted object.
type ObjectInfo struct {
	// Size is the plaintext size (the stored object is 16 bytes longer), or -1 if the
	// server did not say.
	Size   int64
	Suite  Suite
	Format Format
	// InstructionFile reports that the data-key metadata came from an instruction file.
	InstructionFile bool
	// WrapAlgorithm and Description are the data key's wrapping algorithm and its
	// material description or KMS encryption context.
	WrapAlgorithm string
	Description   map[string]string
	// Metadata is the object's user metadata other than the encryption entries.
	Metadata    map[string]string
	ContentType string
	ETag        string
	VersionID   string
}

// Object is a decrypting download.
//
// Body yields plaintext as it arrives and returns ErrAuthentication instead of io.EOF
// if the object fails authentication at the end. Bytes read before that point are
// unauthenticated: a caller that acts on them before Body returns io.EOF (writes them to
// their final place, parses them, pipes them on) can be fed altered data. Use GetFile,
// which verifies before the file appears, or read to io.EOF before using anything.
type Object struct {
	ObjectInfo
	Body io.ReadCloser
}

type bodyCloser struct {
	r      io.Reader
	close  func() error
	closed bool
}

var errClosed = errors.New("cse: read after Close")

func (b *bodyCloser) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errClosed
	}
	return b.r.Read(p)
}

func (b *bodyCloser) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	return b.close()
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// Get starts downloading and decrypting bucket/key. The data key is unwrapped (and, for
// committing objects, the commitment checked) before Get returns.
func (c *Client) Get(ctx context.Context, bucket, key string, opts *GetOptions) (*Object, error) {
	var o GetOptions
	if opts != nil {
		o = *opts
	}
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=0-%d", c.opts.PartSize-1))}
	first, err := c.s3.GetObject(ctx, in, c.opts.S3Options...)
	if isCode(err, "InvalidRange") { // an empty object
		in.Range = nil
		first, err = c.s3.GetObject(ctx, in, c.opts.S3Options...)
	}
	if err != nil {
		return nil, err
	}
	obj, opener, err := c.open(ctx, bucket, key, first, &o)
	if err != nil {
		first.Body.Close()
		return nil, err
	}
	rr := c.newRangeReader(ctx, bucket, key, first, c.opts.PartSize)
	var r io.Reader = newDecryptReader(rr, opener)
	if o.Progress != nil {
		r = &progressReader{r: r, fn: o.Progress, total: obj.Size}
	}
	obj.Body = &bodyCloser{r: r, close: rr.Close}
	return obj, nil
}

// open reads the envelope of a GET response and unwraps its data key.
func (c *Client) open(ctx context.Context, bucket, key string, first *s3.GetObjectOutput, o *GetOptions) (*Object, *gcmstream.Opener, error) {
	md := normalize(first.Metadata)
	l, err := detect(md)
	if err != nil {
		return nil, nil, err
	}
	var instr []byte
	if l == layoutNone || l == layoutInstruction {
		instr, err = c.getInstruction(ctx, bucket, key)
		if err != nil {
			return nil, nil, err
		}
		if instr == nil && l == layoutNone {
			return nil, nil, ErrNotEncrypted
		}
	}
	env, err := parseEnvelope(md, instr)
	if err != nil {
		return nil, nil, err
	}
	if !c.opts.CommitmentPolicy.allowsRead(env.key.Suite) {
		return nil, nil, fmt.Errorf("%w: %v objects are not key-committing and the policy is %v",
			ErrCommitmentPolicy, env.key.Suite, c.opts.CommitmentPolicy)
	}
	if o.EncryptionContext != nil && !contextMatches(env.key.Description, o.EncryptionContext) {
		return nil, nil, ErrContextMismatch
	}
	dk, err := c.ring.UnwrapKey(ctx, &env.key)
	if err != nil {
		return nil, nil, err
	}
	opener, err := newOpener(dk, env)
	if err != nil {
		return nil, nil, err
	}
	size := int64(-1)
	if total, ok := parseContentRange(aws.ToString(first.ContentRange)); ok {
		size = total - tagSize
	} else if first.ContentLength != nil {
		size = *first.ContentLength - tagSize
	}
	if size < 0 && (first.ContentRange != nil || first.ContentLength != nil) {
		return nil, nil, ErrAuthentication // shorter than a tag: truncated
	}
	user := map[string]string{}
	for k, v := range md {
		if !strings.HasPrefix(k, "x-amz-") {
			user[k] = v
		}
	}
	return &Object{ObjectInfo: ObjectInfo{
		Size: size, Suite: env.key.Suite, Format: env.format(), InstructionFile: env.instruction,
		WrapAlgorithm: env.key.Algorithm, Description: maps.Clone(env.key.Description), Metadata: user,
		ContentType: aws.ToString(first.ContentType), ETag: aws.ToString(first.ETag), VersionID: aws.ToString(first.VersionId),
	}}, opener, nil
}

// getInstruction returns the instruction file's body, or nil if there is none.
func (c *Client) getInstruction(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + InstructionSuffix)},
		c.opts.S3Options...)
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) || isCode(err, "NoSuchKey", "NotFound") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cse: reading the instruction file: %w", err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, 64<<10+1))
	if err != nil {
		return nil, fmt.Errorf("cse: reading the instruction file: %w", err)
	}
	if len(body) > 64<<10 {
		return nil, fmt.Errorf("%w: instruction file larger than 64 KiB", ErrMalformed)
	}
	return body, nil
}

// GetFile downloads and decrypts bucket/key into path. The plaintext goes to a
// temporary file in path's directory that is renamed to path only after the object has
// authenticated, so path never holds unverified data: on any failure it is left as it
// was. A new file is created with mode 0600; an existing one keeps its mode.
func (c *Client) GetFile(ctx context.Context, bucket, key, path string, opts *GetOptions) (*ObjectInfo, error) {
	obj, err := c.Get(ctx, bucket, key, opts)
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".cse-*")
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		tmp.Chmod(fi.Mode().Perm())
	}
	if _, err := io.Copy(tmp, obj.Body); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	done = true
	return &obj.ObjectInfo, nil
}

// Copy decrypts src (in srcBucket) with c and stores it re-encrypted as dstBucket/dst
// with to (which may be c): the way to move objects to a new master key, a new suite or
// an instruction file. The destination is completed only after the source has
// authenticated.
func (c *Client) Copy(ctx context.Context, srcBucket, src, dstBucket, dst string, to *Client, opts *PutOptions) (*PutResult, error) {
	obj, err := c.Get(ctx, srcBucket, src, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	var o PutOptions
	if opts != nil {
		o = *opts
	}
	if obj.Size >= 0 {
		o.Size = obj.Size
	}
	if o.Metadata == nil {
		o.Metadata = obj.Metadata
	}
	if o.ContentType == "" {
		o.ContentType = obj.ContentType
	}
	return to.Put(ctx, dstBucket, dst, obj.Body, &o)
}
