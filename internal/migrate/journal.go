package migrate

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Entry is one line of the journal: an object copied and verified.
type Entry struct {
	Key       string `json:"k"`            // source key
	VersionID string `json:"v,omitempty"`  // source version id
	ETag      string `json:"e"`            // source ETag (or a file's size and time)
	Size      int64  `json:"s"`            // bytes copied
	CRC64     string `json:"c,omitempty"`  // the copy's CRC64NVME (base64); "" for a delete marker
	DestVer   string `json:"dv,omitempty"` // the copy's version id at the destination
	Marker    bool   `json:"dm,omitempty"` // a delete marker
}

type entryKey struct{ key, version string }

// Journal is the resume state of one SRC→DST migration: JSON lines, one per object copied
// and verified, appended as each one finishes. A line cut short by a kill is ignored when
// the journal is read again, so its object is copied again.
type Journal struct {
	mu      sync.Mutex
	f       *os.File
	entries map[entryKey]Entry
}

// OpenJournal reads the journal at path (creating it and its directory if needed) and
// opens it for appending.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	j := &Journal{f: f, entries: map[entryKey]Entry{}}
	if err := j.read(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("reading the journal %s: %w", path, err)
	}
	// A torn last line gets its end, so the next entry starts a line of its own.
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], fi.Size()-1); err != nil {
			f.Close()
			return nil, err
		}
		if last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return j, nil
}

func (j *Journal) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		if e, ok := ParseEntry(sc.Bytes()); ok {
			j.entries[entryKey{e.Key, e.VersionID}] = e
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return nil // a damaged tail: its objects are copied again
	}
	return sc.Err()
}

// ParseEntry decodes one journal line; ok is false for anything that is not a whole,
// plausible entry (a torn last line, garbage).
func ParseEntry(line []byte) (Entry, bool) {
	var e Entry
	if err := json.Unmarshal(line, &e); err != nil {
		return Entry{}, false
	}
	if e.Key == "" || e.Size < 0 || (!e.Marker && e.CRC64 == "") {
		return Entry{}, false
	}
	return e, true
}

// Lookup returns the entry for a source object, if there is one.
func (j *Journal) Lookup(key, versionID string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.entries[entryKey{key, versionID}]
	return e, ok
}

// Len is the number of entries.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.entries)
}

// Record appends e. One write per line: a kill leaves at most one torn line, the last.
func (j *Journal) Record(e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return err
	}
	j.entries[entryKey{e.Key, e.VersionID}] = e
	return nil
}

// Close syncs and closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// DefaultJournalPath is where the journal of a migration lives when --state is not given:
// the user's cache directory, named by a hash of everything that identifies the pair.
func DefaultJournalPath(identity ...string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, s := range identity {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return filepath.Join(dir, "arca", "migrate", hex.EncodeToString(h.Sum(nil))[:24]+".jsonl"), nil
}
