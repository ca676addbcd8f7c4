package migrate

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// DirSource is a directory of files as a source: each regular file is an object whose key
// is its path relative to Root with '/' separators. Symbolic links and other non-regular
// files are skipped. Its ETag is the file's size and modification time, so a file changed
// since it was copied is copied again.
type DirSource struct {
	Root string
}

var _ Source = (*DirSource)(nil)

// Name is the directory as given.
func (d *DirSource) Name() string { return d.Root }

// Walk lists the files in key order (WalkDir's lexical order per directory is not the
// order of the '/'-joined keys, so each directory's entries are sorted by key).
func (d *DirSource) Walk(ctx context.Context, _ bool, fn func([]Object) error) error {
	return d.walk(ctx, d.Root, "", fn)
}

func (d *DirSource) walk(ctx context.Context, dir, prefix string, fn func([]Object) error) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	// The key of a directory's file sorts by "name/" + rest: order entries by that.
	sortKey := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	sort.Slice(ents, func(i, k int) bool { return sortKey(ents[i]) < sortKey(ents[k]) })
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(dir, e.Name())
		key := prefix + e.Name()
		switch {
		case e.IsDir():
			if err := d.walk(ctx, p, key+"/", fn); err != nil {
				return err
			}
		case e.Type().IsRegular():
			fi, err := e.Info()
			if err != nil {
				return err
			}
			if err := fn([]Object{{Key: key, Size: fi.Size(), ETag: fileTag(fi), LastModified: fi.ModTime()}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func fileTag(fi fs.FileInfo) string {
	return fmt.Sprintf("file:%d:%d", fi.Size(), fi.ModTime().UnixNano())
}

// Open opens the file; its content type is guessed from the extension, as the aws CLI
// does.
func (d *DirSource) Open(_ context.Context, o Object) (io.ReadCloser, Meta, error) {
	f, err := os.Open(filepath.Join(d.Root, filepath.FromSlash(o.Key)))
	if err != nil {
		return nil, Meta{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Meta{}, err
	}
	m := Meta{Size: fi.Size(), ETag: fileTag(fi), ContentType: mime.TypeByExtension(path.Ext(o.Key))}
	if i := strings.IndexByte(m.ContentType, ';'); i >= 0 && !strings.HasPrefix(m.ContentType, "text/") {
		m.ContentType = m.ContentType[:i]
	}
	return f, m, nil
}
