package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Bench holds what the S3 operations share during a run. Everything is
// allocated up front so the per-request cost is the SDK call itself.
type s3Bench struct {
	o       Options
	client  *s3.Client
	payload []byte   // one random body, wrapped in a bytes.Reader per PUT
	getKeys []string // pre-populated keys for get/mixed
	bufs    [][]byte // per-worker GET read buffers
	puts    []int64  // per-worker count of timed PUTs issued (key sequence)
	putOpts []func(*s3.Options)

	sseCAlg, sseCKey, sseCMD5 *string
}

func newS3Bench(ctx context.Context, o Options) (*s3Bench, error) {
	client, err := newS3Client(ctx, &o)
	if err != nil {
		return nil, err
	}
	b := &s3Bench{
		o:       o,
		client:  client,
		payload: make([]byte, o.Size),
		bufs:    make([][]byte, o.Concurrency),
		puts:    make([]int64, o.Concurrency),
		putOpts: []func(*s3.Options){s3.WithAPIOptions(unsignedPayload)},
	}
	// Random bytes so neither compression nor dedup flatter the server.
	// ChaCha8 fills even 5 GiB quickly; the seed does not need to be secret.
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(rand.Uint32())
	}
	_, _ = rand.NewChaCha8(seed).Read(b.payload)
	bufSize := int(min(max(o.Size, 16<<10), 256<<10))
	for w := range b.bufs {
		b.bufs[w] = make([]byte, bufSize)
	}
	if o.Op != OpPut {
		b.getKeys = make([]string, o.Objects)
		for i := range b.getKeys {
			b.getKeys[i] = o.Prefix + "obj/" + strconv.Itoa(i)
		}
	}
	if o.SSECKey != nil {
		sum := md5.Sum(o.SSECKey) //nolint:gosec // MD5 of the key is what the SSE-C protocol requires
		b.sseCAlg = aws.String("AES256")
		b.sseCKey = aws.String(base64.StdEncoding.EncodeToString(o.SSECKey))
		b.sseCMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	}
	return b, nil
}

func (b *s3Bench) putKey(worker int, seq int64) string {
	return b.o.Prefix + "put/" + strconv.Itoa(worker) + "/" + strconv.FormatInt(seq, 10)
}

// op returns the timed operation for b.o.Op.
func (b *s3Bench) op() opFunc {
	put := func(ctx context.Context, w int, _ int64) (int64, error) {
		seq := b.puts[w] // only worker w touches b.puts[w]
		b.puts[w]++
		return b.o.Size, b.put(ctx, b.putKey(w, seq))
	}
	get := func(ctx context.Context, w int, _ int64) (int64, error) {
		return b.get(ctx, w, b.getKeys[rand.IntN(len(b.getKeys))])
	}
	switch b.o.Op {
	case OpGet:
		return get
	case OpMixed:
		return func(ctx context.Context, w int, i int64) (int64, error) {
			if rand.Float64() < b.o.MixRatio {
				return get(ctx, w, i)
			}
			return put(ctx, w, i)
		}
	default:
		return put
	}
}

func (b *s3Bench) put(ctx context.Context, key string) error {
	in := &s3.PutObjectInput{
		Bucket:        &b.o.Bucket,
		Key:           &key,
		Body:          bytes.NewReader(b.payload),
		ContentLength: aws.Int64(b.o.Size),
		ContentType:   aws.String("application/octet-stream"),
	}
	switch b.o.SSE {
	case SSES3:
		in.ServerSideEncryption = types.ServerSideEncryptionAes256
	case SSEKMS:
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		if b.o.KMSKeyID != "" {
			in.SSEKMSKeyId = &b.o.KMSKeyID
		}
		if b.o.BucketKey {
			in.BucketKeyEnabled = aws.Bool(true)
		}
	}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = b.sseCAlg, b.sseCKey, b.sseCMD5
	_, err := b.client.PutObject(ctx, in, b.putOpts...)
	return err
}

// get reads the object into worker w's buffer and discards it, failing if
// the body is not exactly Size bytes.
func (b *s3Bench) get(ctx context.Context, w int, key string) (int64, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:               &b.o.Bucket,
		Key:                  &key,
		SSECustomerAlgorithm: b.sseCAlg,
		SSECustomerKey:       b.sseCKey,
		SSECustomerKeyMD5:    b.sseCMD5,
	})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	buf := b.bufs[w]
	var n int64
	for {
		m, err := out.Body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fmt.Errorf("reading %s: %w", key, err)
		}
	}
	if n != b.o.Size {
		return n, fmt.Errorf("GET %s returned %d bytes, want %d", key, n, b.o.Size)
	}
	return n, nil
}

// ensureBucket makes sure the bucket exists, creating it if HeadBucket says
// it is missing (or cannot tell). BucketAlreadyOwnedByYou is success.
func (b *s3Bench) ensureBucket(ctx context.Context) error {
	_, headErr := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b.o.Bucket})
	if headErr == nil {
		return nil
	}
	in := &s3.CreateBucketInput{Bucket: &b.o.Bucket}
	if b.o.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(b.o.Region),
		}
	}
	_, err := b.client.CreateBucket(ctx, in)
	if err == nil && b.sseCKey != nil {
		// S3 (since April 2026) and Arca create buckets that refuse SSE-C writes: allow
		// them on the bucket the run made for itself.
		_, err = b.client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &b.o.Bucket,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
				BlockedEncryptionTypes: &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}}}}}})
		if err != nil {
			return fmt.Errorf("allowing SSE-C on the new bucket %q: %w", b.o.Bucket, err)
		}
		return nil
	}
	var owned *types.BucketAlreadyOwnedByYou
	if err == nil || errors.As(err, &owned) {
		return nil
	}
	var notFound *types.NotFound
	if errors.As(headErr, &notFound) {
		return fmt.Errorf("creating bucket %q: %w", b.o.Bucket, err)
	}
	return fmt.Errorf("bucket %q is not usable: HeadBucket: %v; CreateBucket: %w", b.o.Bucket, headErr, err)
}

// prepopulate uploads the get/mixed keys before timing starts.
func (b *s3Bench) prepopulate(ctx context.Context) error {
	_, err := forEach(ctx, len(b.getKeys), b.o.Concurrency, true, func(ctx context.Context, i int) error {
		return b.put(ctx, b.getKeys[i])
	})
	if err != nil {
		return fmt.Errorf("uploading the %d objects to read: %w", len(b.getKeys), err)
	}
	return nil
}

// cleanupKeys lists every key the run may have written.
func (b *s3Bench) cleanupKeys() []string {
	keys := append([]string(nil), b.getKeys...)
	for w, n := range b.puts {
		for seq := range n {
			keys = append(keys, b.putKey(w, seq))
		}
	}
	return keys
}

// cleanup deletes the run's objects with single DeleteObject calls (any
// S3 server supports them; deleting a key whose PUT failed is harmless) and
// returns a description of failures, or "" if all went well.
func (b *s3Bench) cleanup(ctx context.Context) string {
	keys := b.cleanupKeys()
	if b.o.Progress != nil {
		fmt.Fprintf(b.o.Progress, "deleting %d objects\n", len(keys))
	}
	failed, err := forEach(ctx, len(keys), b.o.Concurrency, false, func(ctx context.Context, i int) error {
		_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.o.Bucket, Key: &keys[i]})
		return err
	})
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%d of %d deletes failed, first: %v", failed, len(keys), err)
}

// forEach calls fn for 0..n-1 from up to conc goroutines and returns the
// number of failed calls and the first error. With stop, no new calls start
// after the first failure.
func forEach(ctx context.Context, n, conc int, stop bool, fn func(context.Context, int) error) (int64, error) {
	var next, failed atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Go(func() {
			for ctx.Err() == nil && !(stop && failed.Load() > 0) {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					failed.Add(1)
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil && int(next.Load()) < n {
		return failed.Load(), ctx.Err()
	}
	return failed.Load(), first
}
