package cse

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// rangeReader reads one object as a sequence of ranged GETs made Concurrency at a time
// into pooled buffers, and returns the bytes in order. The first range's response is
// streamed as it arrives. Every later range is pinned to the first response's ETag, so
// an object replaced mid-read fails instead of mixing two versions.
type rangeReader struct {
	cur    io.Reader
	curBuf []byte
	queue  chan chan rangeResult
	pool   *bufferPool
	cancel context.CancelFunc
	err    error
}

type rangeResult struct {
	buf []byte
	err error
}

// parseContentRange reads the total size from "bytes a-b/total".
func parseContentRange(s string) (int64, bool) {
	i := strings.LastIndexByte(s, '/')
	if !strings.HasPrefix(s, "bytes ") || i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 64)
	return n, err == nil && n >= 0
}

// newRangeReader continues first (the response to a GET of bytes 0..partSize-1) with
// the rest of the object.
func (c *Client) newRangeReader(ctx context.Context, bucket, key string, first *s3.GetObjectOutput, partSize int64) *rangeReader {
	total, ok := parseContentRange(aws.ToString(first.ContentRange))
	firstLen := aws.ToInt64(first.ContentLength)
	ctx, cancel := context.WithCancel(ctx)
	r := &rangeReader{cur: first.Body, queue: make(chan chan rangeResult, c.opts.Concurrency), cancel: cancel}
	closeFirst := first.Body
	if !ok || total <= firstLen {
		close(r.queue)
		r.cur = &closeOnEOF{closeFirst}
		return r
	}
	r.cur = &closeOnEOF{closeFirst}
	r.pool = newBufferPool(c.opts.Concurrency, partSize)
	go func() {
		defer close(r.queue)
		for off := firstLen; off < total; off += partSize {
			buf, err := r.pool.getCtx(ctx)
			if err != nil {
				return
			}
			end := min(off+partSize, total)
			res := make(chan rangeResult, 1)
			select {
			case r.queue <- res:
			case <-ctx.Done():
				r.pool.put(buf)
				return
			}
			go func() {
				res <- c.fetchRange(ctx, bucket, key, first.ETag, off, buf[:end-off])
			}()
		}
	}()
	return r
}

// fetchRange reads bytes [off, off+len(buf)) into buf, retrying a broken body twice.
func (c *Client) fetchRange(ctx context.Context, bucket, key string, etag *string, off int64, buf []byte) rangeResult {
	var err error
	for range 3 {
		var out *s3.GetObjectOutput
		out, err = c.s3.GetObject(ctx, &s3.GetObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: etag,
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+int64(len(buf))-1)),
		}, c.opts.S3Options...)
		if err != nil {
			return rangeResult{buf, err}
		}
		_, err = io.ReadFull(out.Body, buf)
		out.Body.Close()
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	return rangeResult{buf, err}
}

// closeOnEOF closes the first response's body as soon as it is drained.
type closeOnEOF struct{ rc io.ReadCloser }

func (c *closeOnEOF) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if err == io.EOF {
		c.rc.Close()
	}
	return n, err
}

func (r *rangeReader) Read(p []byte) (int, error) {
	for r.err == nil {
		if r.cur != nil {
			n, err := r.cur.Read(p)
			if err == io.EOF {
				r.cur = nil
				if r.curBuf != nil {
					r.pool.put(r.curBuf)
					r.curBuf = nil
				}
				if n > 0 {
					return n, nil
				}
				continue
			}
			if err != nil {
				r.err = err
			}
			return n, err
		}
		next, ok := <-r.queue
		if !ok {
			r.err = io.EOF
			break
		}
		res := <-next
		if res.err != nil {
			r.pool.put(res.buf)
			r.err = fmt.Errorf("cse: reading the object: %w", res.err)
			break
		}
		r.cur, r.curBuf = bytesReader(res.buf), res.buf
	}
	return 0, r.err
}

// Close stops the prefetching and releases the first response.
func (r *rangeReader) Close() error {
	r.cancel()
	if c, ok := r.cur.(*closeOnEOF); ok {
		c.rc.Close()
	}
	for next := range r.queue { // let the fetchers finish; their buffers are garbage now
		<-next
	}
	if r.err == nil {
		r.err = errClosed
	}
	return nil
}

type sliceReader struct{ b []byte }

func bytesReader(b []byte) *sliceReader { return &sliceReader{b} }

func (s *sliceReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}
