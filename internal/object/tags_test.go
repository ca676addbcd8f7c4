package object

import (
	"errors"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

func TestDeleteConditions(t *testing.T) {
	mod := time.Date(2026, 12, 6, 3, 0, 0, 500e6, time.UTC)
	cur := &meta.Object{Key: "k", ETag: "abc", Size: 5, LastModified: mod}
	var deleteCondTests = []struct {
		name string
		c    DeleteConditions
		cur  *meta.Object
		want error // nil, ErrPreconditionFailed or meta.ErrNoSuchKey
		cond string
	}{
		{"none", DeleteConditions{}, nil, nil, ""},
		{"etag hit", DeleteConditions{IfMatch: `"abc"`}, cur, nil, ""},
		{"etag in a list", DeleteConditions{IfMatch: `"x", "abc"`}, cur, nil, ""},
		{"star", DeleteConditions{IfMatch: "*"}, cur, nil, ""},
		{"etag miss", DeleteConditions{IfMatch: `"x"`}, cur, ErrPreconditionFailed, "If-Match"},
		{"no current version", DeleteConditions{IfMatch: "*"}, nil, meta.ErrNoSuchKey, ""},
		{"delete marker", DeleteConditions{HasSize: true}, &meta.Object{DeleteMarker: true}, meta.ErrNoSuchKey, ""},
		{"time to the second", DeleteConditions{LastModified: mod.Truncate(time.Second)}, cur, nil, ""},
		{"time miss", DeleteConditions{LastModified: mod.Add(time.Second)}, cur, ErrPreconditionFailed, "x-amz-if-match-last-modified-time"},
		{"size hit", DeleteConditions{Size: 5, HasSize: true}, cur, nil, ""},
		{"size zero miss", DeleteConditions{Size: 0, HasSize: true}, cur, ErrPreconditionFailed, "x-amz-if-match-size"},
		{"all hit", DeleteConditions{IfMatch: "abc", LastModified: mod, Size: 5, HasSize: true}, cur, nil, ""},
	}
	for _, tt := range deleteCondTests {
		f := tt.c.cond()
		if (f == nil) != !tt.c.Any() {
			t.Errorf("%s: cond() nil = %v, Any() = %v", tt.name, f == nil, tt.c.Any())
		}
		if f == nil {
			continue
		}
		err := f(tt.cur)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		var oe *Error
		if errors.As(err, &oe) && oe.Field("Condition") != tt.cond {
			t.Errorf("%s: Condition %q, want %q", tt.name, oe.Field("Condition"), tt.cond)
		}
	}
}
