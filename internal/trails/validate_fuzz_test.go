package trails

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// FuzzValidate replaces the newest digest (its decompressed JSON and its signature) or a
// delivered log file (its stored bytes, gzip or not) with arbitrary input: the validator
// must never panic or fail as a whole, and must never call the trail valid unless the
// input is the original content.
func FuzzValidate(f *testing.F) {
	f.Add(uint8(0), []byte(`{}`), "00", []byte(nil))
	f.Add(uint8(0), []byte(`{"digestEndTime":"2026-01-01T00:00:00Z","digestS3Bucket":"logs","logFiles":[{"s3Bucket":"logs","s3Object":"x","hashValue":"zz"}],"previousDigestS3Object":"nope"}`), "abcd", []byte(nil))
	f.Add(uint8(1), []byte(nil), "", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"))
	f.Add(uint8(1), []byte(nil), "", []byte(`{"Records":[]}`))
	var once sync.Once
	var base *validateEnv
	f.Fuzz(func(t *testing.T, which uint8, digestRaw []byte, sig string, logBody []byte) {
		once.Do(func() { base = newValidateEnv(t) }) // the objects outlive t's temp dir; the db is not used again
		m := base.objects()
		if which%2 == 0 {
			key := "logs/" + base.digests[len(base.digests)-1]
			orig := m.objects[key]
			gz, err := gzipBytes(digestRaw)
			if err != nil {
				t.Fatal(err)
			}
			m.objects[key] = Object{Bucket: orig.Bucket, Key: orig.Key, Body: gz,
				UserMeta: map[string]string{"signature": sig, "signature-algorithm": SignatureAlgorithm}}
			rep := base.validate(t, m, base.in)
			same := bytes.Equal(digestRaw, gunzip(t, orig.Body)) && strings.EqualFold(sig, orig.UserMeta["signature"])
			if rep.OK() && !same {
				t.Fatalf("a replaced digest validated: %q sig %q", digestRaw, sig)
			}
			return
		}
		key := "logs/" + base.logs[0]
		orig := m.objects[key]
		m.objects[key] = Object{Bucket: orig.Bucket, Key: orig.Key, Body: logBody, UserMeta: orig.UserMeta}
		rep := base.validate(t, m, base.in)
		if rep.OK() && !bytes.Equal(gunzipOrNil(logBody), gunzip(t, orig.Body)) {
			t.Fatalf("a replaced log file validated: %q", logBody)
		}
	})
}

// gunzipOrNil is the decompressed body, or nil when it is not gzip.
func gunzipOrNil(b []byte) []byte {
	out, err := gunzipLimited(b)
	if err != nil {
		return nil
	}
	return out
}
