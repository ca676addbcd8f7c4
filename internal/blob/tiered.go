package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Tiered keeps small blobs inside the kv store and large ones as files. A small blob is
// committed with the store's group commit, so many concurrent small writes share one fsync
// instead of paying a file fsync, a rename and a directory fsync each; this is what lets
// small-object PUTs run at thousands per second with every write durable.
//
// Durability of a small blob is tied to the store it shares with the metadata (see
// Commit): the contract "durable when Commit returns" becomes "durable no later than the next
// update of the shared store that succeeds" (kv.DB.UpdateAsync's ordering), which is what
// the metadata commit that references it is.
//
// Ids say where a blob lives: 32 hex digits for a file, "s" + 31 hex digits for a small
// blob. Callers treat ids as opaque.
type Tiered struct {
	db        kv.DB
	files     *FS
	threshold int
	// pending holds small blobs committed (queued on the store) whose transaction has not
	// committed yet, so that Open and Walk see a blob as soon as Commit returned.
	pending sync.Map // id -> []byte
}

var _ Store = (*Tiered)(nil)

var bktSmall = []byte("blobs")

// OpenTiered stores blobs of at most threshold bytes in db (bucket "blobs") and the rest
// under dir.
func OpenTiered(db kv.DB, dir string, threshold int) (*Tiered, error) {
	fs, err := OpenFS(dir)
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx kv.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktSmall)
		return err
	}); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Tiered{db: db, files: fs, threshold: threshold}, nil
}

func smallID() string {
	var b [16]byte
	rand.Read(b[:])
	return "s" + hex.EncodeToString(b[:])[1:]
}

func isSmall(id string) bool { return len(id) == 32 && id[0] == 's' }

func (t *Tiered) Create(ctx context.Context) (Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &tieredWriter{t: t}, nil
}

// tieredWriter buffers up to the threshold in memory, then spills to a file writer.
type tieredWriter struct {
	t    *Tiered
	buf  bytes.Buffer
	file Writer
	done bool
}

func (w *tieredWriter) Write(p []byte) (int, error) {
	if w.file != nil {
		return w.file.Write(p)
	}
	if w.buf.Len()+len(p) <= w.t.threshold {
		return w.buf.Write(p)
	}
	f, err := w.t.files.Create(context.Background())
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(w.buf.Bytes()); err != nil {
		f.Abort()
		return 0, err
	}
	w.buf = bytes.Buffer{}
	w.file = f
	return f.Write(p)
}

func (w *tieredWriter) Commit(ctx context.Context) (string, error) {
	if w.done {
		return "", errors.New("blob: writer already closed")
	}
	w.done = true
	if w.file != nil {
		return w.file.Commit(ctx)
	}
	// The small blob rides in the group commit queue without waiting for it: the metadata
	// commit that will reference the id is queued later on the same store, so it commits
	// in the same or a later transaction, and commit failures are sticky. When
	// that metadata commit is durable, so is this blob; a crash before it leaves at most
	// an unreferenced blob, which the start-up sweep removes.
	id := smallID()
	data := w.buf.Bytes()
	w.t.pending.Store(id, data)
	done := w.t.db.UpdateAsync(func(tx kv.Tx) error {
		return tx.Bucket(bktSmall).Put([]byte(id), data)
	})
	go func() {
		<-done
		w.t.pending.Delete(id)
	}()
	return id, nil
}

func (w *tieredWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.file != nil {
		return w.file.Abort()
	}
	return nil
}

func (t *Tiered) Open(ctx context.Context, id string) (Reader, error) {
	if !isSmall(id) {
		return t.files.Open(ctx, id)
	}
	if v, ok := t.pending.Load(id); ok {
		data := v.([]byte)
		return &memReader{Reader: bytes.NewReader(data), size: int64(len(data))}, nil
	}
	var data []byte
	err := t.db.View(func(tx kv.Tx) error {
		v := tx.Bucket(bktSmall).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		data = bytes.Clone(v) // kv memory is valid only inside the transaction
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &memReader{Reader: bytes.NewReader(data), size: int64(len(data))}, nil
}

type memReader struct {
	*bytes.Reader
	size int64
}

func (r *memReader) Size() int64  { return r.size }
func (r *memReader) Close() error { return nil }

func (t *Tiered) Remove(ctx context.Context, id string) error {
	if !isSmall(id) {
		return t.files.Remove(ctx, id)
	}
	t.pending.Delete(id) // the removal commits after the blob's own (FIFO)
	return t.db.Update(func(tx kv.Tx) error { return tx.Bucket(bktSmall).Delete([]byte(id)) })
}

func (t *Tiered) Walk(ctx context.Context, fn func(id string, mod time.Time) error) error {
	if err := t.files.Walk(ctx, fn); err != nil {
		return err
	}
	var ids []string
	seen := map[string]bool{}
	err := t.db.View(func(tx kv.Tx) error {
		return tx.Bucket(bktSmall).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			seen[string(k)] = true
			return nil
		})
	})
	t.pending.Range(func(k, _ any) bool {
		if id := k.(string); !seen[id] {
			ids = append(ids, id)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := fn(id, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tiered) CleanTemp(ctx context.Context) error { return t.files.CleanTemp(ctx) }

var _ io.ReaderAt = (*memReader)(nil)
