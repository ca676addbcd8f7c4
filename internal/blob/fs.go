package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FS stores blobs as files under root:
//
//	root/tmp/<id>        being written
//	root/<ab>/<id>       committed; <ab> is the first two hex digits of the id
type FS struct {
	root string
	dirs *dirSyncers
}

var _ Store = (*FS)(nil)

// OpenFS opens (creating if needed) a blob directory.
func OpenFS(root string) (*FS, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &FS{root: root, dirs: newDirSyncers()}, nil
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b[:])
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (s *FS) path(id string) string { return filepath.Join(s.root, id[:2], id) }

func (s *FS) Create(ctx context.Context) (Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := newID()
	tmp := filepath.Join(s.root, "tmp", id)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("blob: create: %w", err)
	}
	return &fileWriter{s: s, id: id, tmp: tmp, f: f}, nil
}

type fileWriter struct {
	s       *FS
	id      string
	tmp     string
	f       *os.File
	done    bool
	written int64
	flushed int64 // bytes handed to early writeback
}

// writebackChunk is how much a writer accumulates before asking the kernel to start writing
// it out, so the fsync at Commit finds most of a large blob already on its way to disk.
const writebackChunk = 8 << 20

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.flushed >= writebackChunk {
		startWriteback(w.f, w.flushed, w.written-w.flushed)
		w.flushed = w.written
	}
	return n, err
}

func (w *fileWriter) Commit(ctx context.Context) (string, error) {
	if w.done {
		return "", errors.New("blob: writer already closed")
	}
	w.done = true
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		os.Remove(w.tmp)
		return "", fmt.Errorf("blob: sync: %w", err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.tmp)
		return "", fmt.Errorf("blob: close: %w", err)
	}
	dir := filepath.Join(w.s.root, w.id[:2])
	final := filepath.Join(dir, w.id)
	if err := os.Rename(w.tmp, final); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			os.Remove(w.tmp)
			return "", fmt.Errorf("blob: rename: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			os.Remove(w.tmp)
			return "", fmt.Errorf("blob: mkdir: %w", err)
		}
		if err := w.s.dirs.sync(w.s.root); err != nil {
			return "", err
		}
		if err := os.Rename(w.tmp, final); err != nil {
			os.Remove(w.tmp)
			return "", fmt.Errorf("blob: rename: %w", err)
		}
	}
	if err := w.s.dirs.sync(dir); err != nil {
		return "", err
	}
	return w.id, nil
}

func (w *fileWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	return os.Remove(w.tmp)
}

func (s *FS) Open(ctx context.Context, id string) (Reader, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	f, err := os.Open(s.path(id))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: stat: %w", err)
	}
	return &fileReader{File: f, size: st.Size()}, nil
}

type fileReader struct {
	*os.File
	size int64
}

func (r *fileReader) Size() int64 { return r.size }

func (s *FS) Remove(ctx context.Context, id string) error {
	if !validID(id) {
		return nil
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: remove: %w", err)
	}
	return nil
}

func (s *FS) Walk(ctx context.Context, fn func(id string, mod time.Time) error) error {
	tops, err := os.ReadDir(s.root)
	if err != nil {
		return fmt.Errorf("blob: walk: %w", err)
	}
	for _, t := range tops {
		if !t.IsDir() || len(t.Name()) != 2 {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(s.root, t.Name()))
		if err != nil {
			return fmt.Errorf("blob: walk: %w", err)
		}
		for _, e := range ents {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !validID(e.Name()) || !strings.HasPrefix(e.Name(), t.Name()) {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			if err := fn(e.Name(), info.ModTime()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *FS) CleanTemp(ctx context.Context) error {
	dir := filepath.Join(s.root, "tmp")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("blob: clean: %w", err)
	}
	for _, e := range ents {
		os.Remove(filepath.Join(dir, e.Name()))
	}
	return nil
}
