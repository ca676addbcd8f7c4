package migrate

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"

	"github.com/arcastore/arca/internal/checksum"
)

// ErrVerify is the cause of an object failing its end-to-end check: the bytes read did not
// match the source's size or ETag, or the copy the destination states is not what was sent.
var ErrVerify = errors.New("verification failed")

type copier struct {
	src  Source
	dst  Dest
	j    *Journal
	o    Options
	p    *Progress
	pool sync.Pool // *[]byte part buffers
	// spare bounds the parts uploaded beside the one each object's worker holds.
	spare chan struct{}
}

// key copies one key's objects in order. Its error stops the whole run (the journal could
// not be written); an object's own failure is counted instead.
func (c *copier) key(ctx context.Context, objs []Object) error {
	for _, ob := range objs {
		if ctx.Err() != nil {
			return nil
		}
		if err := c.object(ctx, ob); err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) object(ctx context.Context, ob Object) error {
	dk := c.o.destKey(ob.Key)
	if c.done(ctx, ob, dk) {
		c.p.skipped.Add(1)
		return nil
	}
	if c.o.DryRun {
		if c.o.OnPlan != nil {
			c.o.OnPlan(ob, dk)
		}
		c.p.copied.Add(1)
		return nil
	}
	var e Entry
	var err error
	for range c.o.Attempts {
		if e, err = c.copy(ctx, ob, dk); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		c.p.failed.Add(1)
		if c.o.OnFailure != nil {
			c.o.OnFailure(Failure{Key: ob.Key, VersionID: ob.VersionID, Err: err})
		}
		return nil
	}
	if err := c.j.Record(e); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	c.p.copied.Add(1)
	return nil
}

// done reports whether the journal says ob was copied and the destination still holds
// that copy (same size and checksum).
func (c *copier) done(ctx context.Context, ob Object, dk string) bool {
	e, ok := c.j.Lookup(ob.Key, ob.VersionID)
	if !ok || e.ETag != ob.ETag || e.Marker != ob.DeleteMarker {
		return false
	}
	if e.Marker {
		return true // a marker has no body to check; its journal line is the record
	}
	if e.Size != ob.Size {
		return false
	}
	st, err := c.dst.Stat(ctx, dk, e.DestVer)
	return err == nil && st.Size == e.Size && st.CRC64NVME == e.CRC64
}

// copy copies one object and verifies it: the bytes read against the source's size and
// (plain) ETag before the copy is committed, the committed copy against what was sent.
func (c *copier) copy(ctx context.Context, ob Object, dk string) (Entry, error) {
	if ob.DeleteMarker {
		v, err := c.dst.MarkDeleted(ctx, dk)
		if err != nil {
			return Entry{}, err
		}
		return Entry{Key: ob.Key, VersionID: ob.VersionID, ETag: ob.ETag, Marker: true, DestVer: v}, nil
	}
	body, m, err := c.src.Open(ctx, ob)
	if err != nil {
		return Entry{}, err
	}
	defer body.Close()
	if m.Size != ob.Size && ob.VersionID != "" {
		return Entry{}, fmt.Errorf("%w: the source version is %d bytes, listed as %d", ErrVerify, m.Size, ob.Size)
	}
	if m.ETag == "" {
		m.ETag = ob.ETag
	}
	r := &reader{r: body, md5: md5.New(), crc: checksum.New("CRC64NVME")}
	var v string
	if m.Size <= c.o.PartSize {
		v, err = c.single(ctx, dk, m, r)
	} else {
		v, err = c.multipart(ctx, dk, m, r)
	}
	if err != nil {
		return Entry{}, err
	}
	sum := checksum.Encode(r.crc.Sum(nil))
	st, err := c.dst.Stat(ctx, dk, v)
	if err == nil && (st.Size != m.Size || st.CRC64NVME != sum) {
		err = fmt.Errorf("%w: the destination states %d bytes, CRC64NVME %q; sent %d bytes, CRC64NVME %q",
			ErrVerify, st.Size, st.CRC64NVME, m.Size, sum)
		if derr := c.dst.Delete(ctx, dk, v); derr != nil {
			err = fmt.Errorf("%w (and deleting the bad copy failed: %v)", err, derr)
		}
	}
	if err != nil {
		return Entry{}, err
	}
	c.p.bytes.Add(m.Size)
	return Entry{Key: ob.Key, VersionID: ob.VersionID, ETag: m.ETag, Size: m.Size, CRC64: sum, DestVer: v}, nil
}

// buffer returns a part buffer of n bytes from the pool.
func (c *copier) buffer(n int64) *[]byte {
	b := c.pool.Get().(*[]byte)
	if int64(cap(*b)) < n {
		*b = make([]byte, n, max(n, c.o.PartSize))
	}
	*b = (*b)[:n]
	return b
}

func (c *copier) single(ctx context.Context, dk string, m Meta, r *reader) (string, error) {
	b := c.buffer(m.Size)
	defer c.pool.Put(b)
	if err := r.fill(*b); err != nil {
		return "", err
	}
	if err := r.finish(m, c.o.CheckETag); err != nil {
		return "", err
	}
	return c.dst.Put(ctx, dk, m, *b, checksum.Encode(r.crc.Sum(nil)))
}

func (c *copier) multipart(ctx context.Context, dk string, m Meta, r *reader) (v string, err error) {
	size := c.o.PartSize
	if parts := (m.Size + size - 1) / size; parts > 10000 {
		size = (m.Size + 9999) / 10000
		size = (size + 1<<20 - 1) &^ (1<<20 - 1) // whole MiB
	}
	up, err := c.dst.Create(ctx, dk, m)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			up.Abort(context.WithoutCancel(ctx))
		}
	}()
	// Parts are read one after the other (the source is one stream) and uploaded while the
	// next is read when a spare buffer is free: each object holds one buffer, and at most
	// Concurrency more are in flight across the run.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var perr error
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return perr
	}
	upload := func(n int, b *[]byte, crc string) {
		if err := up.Part(ctx, n, *b, crc); err != nil {
			mu.Lock()
			perr = cmp.Or(perr, err)
			mu.Unlock()
		}
		c.pool.Put(b)
	}
	partCRC := checksum.New("CRC64NVME")
	for n, left := 1, m.Size; left > 0 && failed() == nil; n++ {
		b := c.buffer(min(size, left))
		if err := r.fill(*b); err != nil {
			c.pool.Put(b)
			wg.Wait()
			return "", err
		}
		partCRC.Reset()
		partCRC.Write(*b)
		crc := checksum.Encode(partCRC.Sum(nil))
		left -= int64(len(*b))
		select {
		case c.spare <- struct{}{}:
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-c.spare }()
				upload(n, b, crc)
			}()
		default:
			upload(n, b, crc)
		}
	}
	wg.Wait()
	if err := failed(); err != nil {
		return "", err
	}
	if err := r.finish(m, c.o.CheckETag); err != nil {
		return "", err
	}
	return up.Complete(ctx, checksum.Encode(r.crc.Sum(nil)))
}

// reader reads the source's bytes, hashing them as they pass.
type reader struct {
	r   io.Reader
	md5 hash.Hash
	crc hash.Hash
	n   int64
}

// fill reads exactly len(b) bytes: a source that ends early fails the object.
func (r *reader) fill(b []byte) error {
	n, err := io.ReadFull(r.r, b)
	r.n += int64(n)
	r.md5.Write(b[:n])
	r.crc.Write(b[:n])
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) && len(b) > 0 {
		return fmt.Errorf("%w: the source sent %d bytes, fewer than its size", ErrVerify, r.n)
	}
	return err
}

// finish checks that the source has nothing more to send and that the bytes read are the
// ones its ETag names when that is a plain MD5.
func (r *reader) finish(m Meta, checkETag bool) error {
	var one [1]byte
	n, err := io.ReadFull(r.r, one[:])
	if n > 0 {
		return fmt.Errorf("%w: the source sent more than its size of %d bytes", ErrVerify, m.Size)
	}
	if !errors.Is(err, io.EOF) {
		return err
	}
	if checkETag && m.PlainMD5 {
		if got, want := hex.EncodeToString(r.md5.Sum(nil)), strings.Trim(m.ETag, `"`); got != want {
			return fmt.Errorf("%w: the bytes read have MD5 %s, the source's ETag is %s", ErrVerify, got, want)
		}
	}
	return nil
}

// IsPlainMD5 reports whether an S3 ETag (quoted or not) has the form of a plain MD5: 32
// hex digits, no "-N" part count. Whether it is one also depends on the source's
// encryption (SSE-KMS and SSE-C ETags are not), which the adapter knows.
func IsPlainMD5(etag string) bool {
	e := strings.Trim(etag, `"`)
	if len(e) != 32 {
		return false
	}
	_, err := hex.DecodeString(e)
	return err == nil
}
