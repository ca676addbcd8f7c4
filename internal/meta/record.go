package meta

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"strconv"
	"sync"
)

// Record authentication (docs/FORMAT.md, "Metadata records"). Every record this package
// stores is an envelope:
//
//	value = 0x02 || tag(32) || body
//	tag   = HMAC-SHA256(RK_rec, LP("arca/meta/record/v2") || LP(kind) || LP(loc_0) || ... || LP(body))
//
// where body is the record's JSON, kind names what the record is ("bucket", "object",
// "upload", "part") and loc is where it is stored (bucket name, object key, upload id, part
// number). RK_rec is a random 32-byte key sealed under the root key (recordKeyAAD). A value
// whose tag does not verify, or that is not an envelope, is damaged: it is never decoded.

// ErrDamagedRecord is returned for a record that fails authentication or does not decode:
// it was edited outside Arca (or the disk damaged it). It costs that record only; `arca
// admin check` lists every one.
var ErrDamagedRecord = errors.New("meta: damaged record (failed authentication)")

const (
	envelopeVersion = 0x02
	tagSize         = sha256.Size
	recordDomain    = "arca/meta/record/v2"
	// recordKeyAAD names the sealed record key for the root key's Seal/Open.
	recordKeyAAD = "arca/meta/record-key/v1"
)

// Record kinds bound into the tag.
const (
	kindBucket = "bucket"
	kindObject = "object"
	kindUpload = "upload"
	kindPart   = "part"
)

// recordMAC computes and checks record tags. It is safe for concurrent use.
type recordMAC struct {
	pool sync.Pool // of hash.Hash (HMAC-SHA256 under the record key)
	// legacy accepts bare JSON values (format 1) as authentic: only for a read-only view
	// of a data directory that no server of format 2 has opened yet.
	legacy bool
}

func newRecordMAC(key []byte) *recordMAC {
	k := append([]byte(nil), key...)
	m := &recordMAC{}
	m.pool.New = func() any { return hmac.New(sha256.New, k) }
	return m
}

func newRecordKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k
}

// tag appends the tag of body at (kind, loc) to dst.
func (m *recordMAC) tag(dst []byte, kind string, loc []string, body []byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	var lp [4]byte
	write := func(b []byte) {
		binary.BigEndian.PutUint32(lp[:], uint32(len(b)))
		h.Write(lp[:])
		h.Write(b)
	}
	writeS := func(s string) {
		binary.BigEndian.PutUint32(lp[:], uint32(len(s)))
		h.Write(lp[:])
		h.Write([]byte(s))
	}
	writeS(recordDomain)
	writeS(kind)
	for _, l := range loc {
		writeS(l)
	}
	write(body)
	dst = h.Sum(dst)
	m.pool.Put(h)
	return dst
}

// seal wraps body into an envelope for (kind, loc).
func (m *recordMAC) seal(kind string, loc []string, body []byte) []byte {
	out := make([]byte, 1, 1+tagSize+len(body))
	out[0] = envelopeVersion
	out = m.tag(out, kind, loc, body)
	return append(out, body...)
}

// open checks an envelope for (kind, loc) and returns its body, or ErrDamagedRecord.
func (m *recordMAC) open(kind string, loc []string, v []byte) ([]byte, error) {
	if len(v) > 0 && v[0] == '{' && m.legacy {
		return v, nil
	}
	if len(v) < 1+tagSize || v[0] != envelopeVersion {
		return nil, ErrDamagedRecord
	}
	var buf [tagSize]byte
	want := m.tag(buf[:0], kind, loc, v[1+tagSize:])
	if !hmac.Equal(want, v[1:1+tagSize]) {
		return nil, ErrDamagedRecord
	}
	return v[1+tagSize:], nil
}

// Locations of each kind of record.
func bucketLoc(name string) []string            { return []string{name} }
func objectLoc(bucket, key string) []string     { return []string{bucket, key} }
func uploadLoc(bucket, key, id string) []string { return []string{bucket, key, id} }
func partLoc(bucket, key, id string, n int) []string {
	return []string{bucket, key, id, strconv.Itoa(n)}
}
