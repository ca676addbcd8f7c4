package cse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// PutOptions tune one Put. The zero value is ready to use.
type PutOptions struct {
	// Size is the plaintext size when known. When zero, Put uses body's Len or Stat if it
	// has one, and otherwise reads up to one part to see whether the object is small.
	Size int64
	// EncryptionContext is bound to the data key by KMS keyrings (and stored with the
	// object); raw keyrings refuse one.
	EncryptionContext map[string]string
	// Metadata is extra user metadata, stored in the clear. Keys may not start with x-amz-.
	Metadata map[string]string
	// ContentType is stored as the object's Content-Type.
	ContentType string
	// Progress, when set, is called as the plaintext is encrypted with the bytes done so
	// far and the total (-1 when unknown).
	Progress func(done, total int64)
}

// PutResult describes a stored object.
type PutResult struct {
	ETag      string
	VersionID string
	// Size is the plaintext size; the stored object is 16 bytes longer.
	Size  int64
	Suite Suite
	// Parts is the number of multipart parts, or 0 for a single PutObject.
	Parts int
}

// sizeOf finds a body's length when it can tell.
func sizeOf(body io.Reader) int64 {
	switch b := body.(type) {
	case interface{ Len() int }:
		return int64(b.Len())
	case *os.File:
		if fi, err := b.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := b.Seek(0, io.SeekCurrent); err == nil {
				return fi.Size() - off
			}
		}
	}
	return 0
}

type progressReader struct {
	r           io.Reader
	fn          func(done, total int64)
	done, total int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		p.fn(p.done, p.total)
	}
	return n, err
}

// Put encrypts body and stores it as bucket/key: in one PutObject when it fits a part,
// else as a multipart upload whose parts are cut in order from one GCM stream and sent
// Concurrency at a time. Memory use is bounded by the part buffers, whatever the size.
// On failure no object is created (a multipart upload is aborted).
func (c *Client) Put(ctx context.Context, bucket, key string, body io.Reader, opts *PutOptions) (*PutResult, error) {
	var o PutOptions
	if opts != nil {
		o = *opts
	}
	for k := range o.Metadata {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return nil, fmt.Errorf("cse: user metadata key %q is reserved", k)
		}
	}
	size := o.Size
	if size == 0 {
		size = sizeOf(body)
	}
	suite := c.opts.CommitmentPolicy.writeSuite()
	dk, err := c.ring.WrapKey(ctx, suite, o.EncryptionContext)
	if err != nil {
		return nil, err
	}
	env := &envelope{key: dk.WrappedKey, plainLen: -1, instruction: c.opts.InstructionFile}
	seal, err := newSealer(dk, env)
	if err != nil {
		return nil, err
	}
	if o.Progress != nil {
		total := size
		if total == 0 {
			total = -1
		}
		body = &progressReader{r: body, fn: o.Progress, total: total}
	}
	enc := &encryptReader{src: body, seal: seal}
	partSize := c.partSizeFor(size)
	pool := newBufferPool(c.opts.Concurrency+1, partSize)
	first := pool.get()
	n, err := io.ReadFull(enc, first)
	last := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !last {
		pool.put(first)
		return nil, err
	}
	if last {
		env.plainLen = enc.n
	} else if size > 0 {
		env.plainLen = size
	}
	objMeta, instr, err := env.maps()
	if err != nil {
		return nil, err
	}
	for k, v := range o.Metadata {
		objMeta[k] = v
	}
	res := &PutResult{Suite: suite}
	if last {
		defer pool.put(first)
		if size > 0 && enc.n != size {
			return nil, fmt.Errorf("cse: body had %d bytes, not the %d given as Size", enc.n, size)
		}
		out, err := c.s3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(first[:n]),
			ContentLength: aws.Int64(int64(n)), Metadata: objMeta, ContentType: nonEmpty(o.ContentType),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		}, c.opts.S3Options...)
		if err != nil {
			return nil, err
		}
		res.ETag, res.VersionID = aws.ToString(out.ETag), aws.ToString(out.VersionId)
	} else {
		up := &upload{c: c, bucket: bucket, key: key, pool: pool, src: enc, want: size}
		out, parts, err := up.run(ctx, first, objMeta, o.ContentType)
		if err != nil {
			return nil, err
		}
		res.ETag, res.VersionID, res.Parts = aws.ToString(out.ETag), aws.ToString(out.VersionId), parts
	}
	res.Size = enc.n
	if instr != nil {
		if err := c.putInstruction(ctx, bucket, key, instr); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// partSizeFor grows the part size when size would otherwise need more than 10,000 parts.
func (c *Client) partSizeFor(size int64) int64 {
	ps := c.opts.PartSize
	if need := (size + tagSize + maxParts - 1) / maxParts; need > ps {
		ps = (need + 1<<20 - 1) &^ (1<<20 - 1)
	}
	return ps
}

func (c *Client) putInstruction(ctx context.Context, bucket, key string, instr map[string]string) error {
	body, err := json.Marshal(instr)
	if err != nil {
		return err
	}
	_, err = c.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key + InstructionSuffix), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
	}, c.opts.S3Options...)
	if err != nil {
		return fmt.Errorf("cse: writing the instruction file: %w", err)
	}
	return nil
}

// Delete removes bucket/key and its instruction file, if any.
func (c *Client) Delete(ctx context.Context, bucket, key string) error {
	_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, c.opts.S3Options...)
	if err != nil {
		return err
	}
	_, err = c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + InstructionSuffix)}, c.opts.S3Options...)
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		err = nil
	}
	return err
}
