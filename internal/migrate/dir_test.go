package migrate

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDirSourceOrder: keys come in the order S3 lists them ('/'-joined relative paths in
// byte order), symlinks are skipped, and Open reads the file with a guessed content type.
func TestDirSourceOrder(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"a/b", "a.txt", "a-b", "a/c/d.json", "z", "a/b.d/x"} {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "z"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	d := &DirSource{Root: root}
	var keys []string
	var objs []Object
	if err := d.Walk(context.Background(), false, func(o []Object) error {
		keys = append(keys, o[0].Key)
		objs = append(objs, o[0])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"a-b", "a.txt", "a/b", "a/b.d/x", "a/c/d.json", "z"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("keys not in byte order: %v", keys)
	}
	rc, m, err := d.Open(context.Background(), objs[4])
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	if string(b) != "a/c/d.json" || m.ContentType != "application/json" || m.Size != int64(len(b)) || m.ETag != objs[4].ETag {
		t.Errorf("Open: %q %+v (listed %+v)", b, m, objs[4])
	}
}
