package cse

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// bufferPool hands out at most n buffers of one size; get blocks while all are in use,
// which is what bounds a transfer's memory.
type bufferPool struct {
	size int64
	free chan []byte
	made chan struct{} // one token per buffer not yet allocated
}

func newBufferPool(n int, size int64) *bufferPool {
	p := &bufferPool{size: size, free: make(chan []byte, n), made: make(chan struct{}, n)}
	for range n {
		p.made <- struct{}{}
	}
	return p
}

func (p *bufferPool) get() []byte {
	select {
	case b := <-p.free:
		return b
	default:
	}
	select {
	case b := <-p.free:
		return b
	case <-p.made:
		return make([]byte, p.size)
	}
}

// getCtx is get that gives up when ctx is done.
func (p *bufferPool) getCtx(ctx context.Context) ([]byte, error) {
	select {
	case b := <-p.free:
		return b, nil
	default:
	}
	select {
	case b := <-p.free:
		return b, nil
	case <-p.made:
		return make([]byte, p.size), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *bufferPool) put(b []byte) { p.free <- b[:cap(b)] }

// upload is one multipart upload: one goroutine (the caller's) cuts the ciphertext into
// parts in order; each part is sent by its own goroutine, at most pool-size at once.
type upload struct {
	c           *Client
	bucket, key string
	pool        *bufferPool
	src         *encryptReader
	want        int64 // the caller's Size, or 0

	mu    sync.Mutex
	parts []types.CompletedPart
	err   error
}

func (u *upload) fail(err error) {
	u.mu.Lock()
	if u.err == nil {
		u.err = err
	}
	u.mu.Unlock()
}

func (u *upload) failed() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

// run uploads first and the rest of src, then completes the upload.
func (u *upload) run(ctx context.Context, first []byte, meta map[string]string, contentType string) (*s3.CompleteMultipartUploadOutput, int, error) {
	opts := u.c.opts.S3Options
	created, err := u.c.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), Metadata: meta,
		ContentType: nonEmpty(contentType), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	}, opts...)
	if err != nil {
		u.pool.put(first)
		return nil, 0, err
	}
	id := created.UploadId
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	buf, n := first, len(first)
	for num := int32(1); ; num++ {
		if num > maxParts {
			u.pool.put(buf)
			u.fail(fmt.Errorf("cse: object needs more than %d parts; give Size or a larger PartSize", maxParts))
			break
		}
		wg.Add(1)
		go func(num int32, buf []byte) {
			defer wg.Done()
			defer u.pool.put(buf)
			out, err := u.c.s3.UploadPart(ctx, &s3.UploadPartInput{
				Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: id, PartNumber: aws.Int32(num),
				Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(len(buf))),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			}, opts...)
			if err != nil {
				u.fail(fmt.Errorf("cse: uploading part %d: %w", num, err))
				cancel()
				return
			}
			u.mu.Lock()
			u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
			u.mu.Unlock()
		}(num, buf[:n])
		if u.want > 0 && u.src.n > u.want {
			u.fail(fmt.Errorf("cse: body is longer than the %d bytes given as Size", u.want))
			break
		}
		if buf, err = u.pool.getCtx(ctx); err != nil {
			u.fail(err)
			break
		}
		n, err = io.ReadFull(u.src, buf)
		if err == io.EOF {
			u.pool.put(buf)
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			u.pool.put(buf)
			u.fail(err)
			break
		}
	}
	wg.Wait()
	if err := u.failed(); err == nil && u.want > 0 && u.src.n != u.want {
		u.fail(fmt.Errorf("cse: body had %d bytes, not the %d given as Size", u.src.n, u.want))
	}
	if err := u.failed(); err != nil {
		u.c.s3.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: id}, opts...)
		return nil, 0, err
	}
	sort.Slice(u.parts, func(i, j int) bool { return *u.parts[i].PartNumber < *u.parts[j].PartNumber })
	out, err := u.c.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
	}, opts...)
	if err != nil {
		return nil, 0, err
	}
	return out, len(u.parts), nil
}
