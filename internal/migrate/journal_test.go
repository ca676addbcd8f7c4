package migrate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "j.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	entries := []Entry{
		{Key: "a", ETag: `"x"`, Size: 3, CRC64: "AAAAAAAAAAA="},
		{Key: "a", VersionID: "v2", ETag: `"y"`, Size: 4, CRC64: "AQAAAAAAAAA=", DestVer: "d2"},
		{Key: "gone", VersionID: "m1", ETag: "delete-marker", Marker: true, DestVer: "dm"},
	}
	for _, e := range entries {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// A kill mid-write leaves a torn last line: it is ignored.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"k":"torn","e":"z","s":1,"c":"AAA`)
	f.Close()

	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.Len() != len(entries) {
		t.Fatalf("%d entries read back, want %d", j.Len(), len(entries))
	}
	for _, e := range entries {
		if got, ok := j.Lookup(e.Key, e.VersionID); !ok || got != e {
			t.Errorf("Lookup(%q, %q) = %+v, %v; want %+v", e.Key, e.VersionID, got, ok, e)
		}
	}
	if _, ok := j.Lookup("torn", ""); ok {
		t.Error("the torn line was taken as an entry")
	}
	if _, ok := j.Lookup("a", "v9"); ok {
		t.Error("a version never recorded was found")
	}
	// Appending after the torn line starts a new, readable line.
	if err := j.Record(Entry{Key: "after", ETag: "e", Size: 1, CRC64: "AAAAAAAAAAA="}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if _, ok := j2.Lookup("after", ""); !ok {
		b, _ := os.ReadFile(path)
		t.Fatalf("the entry written after a torn line is lost:\n%s", b)
	}
}

var parseEntryTests = []struct {
	line string
	ok   bool
}{
	{`{"k":"a","e":"x","s":1,"c":"AAAAAAAAAAA="}`, true},
	{`{"k":"a","v":"1","e":"delete-marker","dm":true}`, true},
	{`{"k":"a","e":"x","s":1}`, false},        // an object without its checksum
	{`{"k":"","e":"x","s":1,"c":"A"}`, false}, // no key
	{`{"k":"a","e":"x","s":-1,"c":"A"}`, false},
	{`{"k":"a"`, false},
	{``, false},
	{`null`, false},
	{`[]`, false},
}

func TestParseEntry(t *testing.T) {
	for _, tt := range parseEntryTests {
		if _, ok := ParseEntry([]byte(tt.line)); ok != tt.ok {
			t.Errorf("ParseEntry(%s) ok = %v, want %v", tt.line, ok, tt.ok)
		}
	}
}

// FuzzParseEntry: any line either is refused or is an entry that writes back to itself.
func FuzzParseEntry(f *testing.F) {
	for _, tt := range parseEntryTests {
		f.Add([]byte(tt.line))
	}
	f.Add([]byte(`{"k":"\u0000","e":"","s":9223372036854775807,"c":"x","dv":"d","v":"v"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, ok := ParseEntry(line)
		if !ok {
			return
		}
		path := filepath.Join(t.TempDir(), "j")
		j, err := OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
		j.Close()
		j, err = OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		if got, ok := j.Lookup(e.Key, e.VersionID); !ok || got != e {
			t.Fatalf("%+v read back as %+v, %v", e, got, ok)
		}
	})
}

func TestDefaultJournalPath(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	a, err := DefaultJournalPath("s3://a", "http://x", "s3://b", "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DefaultJournalPath("s3://a", "http://y", "s3://b", "")
	c, _ := DefaultJournalPath("s3://ab", "", "s3://b", "")
	d, _ := DefaultJournalPath("s3://a", "b", "s3://b", "")
	if a == b || c == d {
		t.Errorf("different migrations share a journal: %s %s %s %s", a, b, c, d)
	}
	if !strings.Contains(a, filepath.Join("arca", "migrate")) {
		t.Errorf("journal path %s is not under the cache directory's arca/migrate", a)
	}
}
