// Package recauth authenticates stored records: a record's bytes are kept in an envelope
// whose HMAC-SHA256 tag binds them to what the record is (its kind) and where it is stored
// (its location), under a key the data directory cannot give away (the record key, sealed
// under the root key by its owner, package meta). A record edited, moved or replaced
// outside Arca fails Open with ErrDamaged and is never decoded.
//
// Format (stable; docs/FORMAT.md, "Metadata records"):
//
//	value = 0x02 || tag(32) || body
//	tag   = HMAC-SHA256(K, LP("arca/meta/record/v2") || LP(kind) || LP(loc_0) || ... || LP(body))
//	LP(x) = u32be(len(x)) || x
package recauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"sync"
)

// ErrDamaged is the one error for a value that is not an authentic envelope of its kind at
// its location: tampering, a disk fault, a record moved from elsewhere. It says nothing of
// which check failed.
var ErrDamaged = errors.New("damaged record (failed authentication)")

const (
	// Version is the envelope's first byte.
	Version = 0x02
	// TagSize is the length of the tag after it.
	TagSize = sha256.Size
	// KeySize is the length of a record key.
	KeySize = 32
	domain  = "arca/meta/record/v2"
)

// Key computes and checks record tags. It is safe for concurrent use.
type Key struct {
	pool sync.Pool // of hash.Hash (HMAC-SHA256 under the key)
	// legacy accepts bare JSON values (format 1, before records were authenticated) as
	// authentic: only for a read-only view of a data directory no server of format 2
	// has opened yet.
	legacy bool
}

// New returns a Key for the KeySize bytes k (copied).
func New(k []byte) *Key {
	kc := append([]byte(nil), k...)
	m := &Key{}
	m.pool.New = func() any { return hmac.New(sha256.New, kc) }
	return m
}

// NewLegacy returns a Key that also accepts format-1 values (bare JSON objects) as they
// are, for reading a data directory that has no record key yet. Seal still seals.
func NewLegacy() *Key {
	k := New(Generate())
	k.legacy = true
	return k
}

// Generate returns a fresh random record key.
func Generate() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k
}

// tag appends the tag of body at (kind, loc) to dst.
func (m *Key) tag(dst []byte, kind string, loc []string, body []byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	var lp [4]byte
	writeS := func(s string) {
		binary.BigEndian.PutUint32(lp[:], uint32(len(s)))
		h.Write(lp[:])
		h.Write([]byte(s))
	}
	writeS(domain)
	writeS(kind)
	for _, l := range loc {
		writeS(l)
	}
	binary.BigEndian.PutUint32(lp[:], uint32(len(body)))
	h.Write(lp[:])
	h.Write(body)
	dst = h.Sum(dst)
	m.pool.Put(h)
	return dst
}

// Seal wraps body into an envelope for (kind, loc).
func (m *Key) Seal(kind string, loc []string, body []byte) []byte {
	out := make([]byte, 1, 1+TagSize+len(body))
	out[0] = Version
	out = m.tag(out, kind, loc, body)
	return append(out, body...)
}

// Open checks an envelope for (kind, loc) and returns its body (aliasing v), or ErrDamaged.
func (m *Key) Open(kind string, loc []string, v []byte) ([]byte, error) {
	if m.legacy && len(v) > 0 && v[0] == '{' {
		return v, nil
	}
	if len(v) < 1+TagSize || v[0] != Version {
		return nil, ErrDamaged
	}
	var buf [TagSize]byte
	want := m.tag(buf[:0], kind, loc, v[1+TagSize:])
	if !hmac.Equal(want, v[1:1+TagSize]) {
		return nil, ErrDamaged
	}
	return v[1+TagSize:], nil
}

// IsLegacy reports whether v looks like a format-1 value (a bare JSON object).
func IsLegacy(v []byte) bool { return len(v) > 0 && v[0] == '{' }
