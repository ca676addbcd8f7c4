package trails

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// memObjects is an in-memory bucket for Validate: bucket/key -> object.
type memObjects struct {
	objects map[string]Object
	broken  map[string]error // Get answers this (stored bytes that fail to decrypt)
	panics  map[string]bool  // Get panics (a reader choking on damaged data)
}

func (m *memObjects) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	var out []string
	seen := false
	for k := range m.objects {
		b, key, _ := strings.Cut(k, "/")
		if b != bucket {
			continue
		}
		seen = true
		if strings.HasPrefix(key, prefix) {
			out = append(out, key)
		}
	}
	if !seen {
		return nil, fmt.Errorf("bucket %s: %w", bucket, ErrObjectNotFound)
	}
	sort.Strings(out)
	return out, nil
}

func (m *memObjects) Get(ctx context.Context, bucket, key string) ([]byte, map[string]string, error) {
	if m.panics[bucket+"/"+key] {
		panic("damaged")
	}
	if err := m.broken[bucket+"/"+key]; err != nil {
		return nil, nil, err
	}
	o, ok := m.objects[bucket+"/"+key]
	if !ok {
		return nil, nil, fmt.Errorf("%s/%s: %w", bucket, key, ErrObjectNotFound)
	}
	return o.Body, o.UserMeta, nil
}

// validateEnv is a trail with three chained digests: the first and the last list one log
// file each, the middle one none.
type validateEnv struct {
	e       *env
	objs    *bucketStore
	digests []string // keys without the bucket, oldest first
	logs    []string
	in      ValidateInput
}

func newValidateEnv(t *testing.T) *validateEnv {
	t.Helper()
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	startTrail(t, e, "checked", true)
	ctx := context.Background()
	e.record(t, "PutObject", "GetObject")
	for i := 0; i < 3; i++ {
		if i == 2 {
			e.record(t, "DeleteObject")
		}
		if res, err := e.svc.Flush(ctx, "", "checked"); err != nil || res[0].DigestKey == "" {
			t.Fatalf("flush %d: %+v %v", i, res, err)
		}
	}
	v := &validateEnv{e: e, objs: objs}
	for _, k := range objs.keys("/CloudTrail-Digest/") {
		v.digests = append(v.digests, strings.TrimPrefix(k, "logs/"))
	}
	for _, k := range objs.keys("/CloudTrail/") {
		v.logs = append(v.logs, strings.TrimPrefix(k, "logs/"))
	}
	sort.Strings(v.digests)
	sort.Strings(v.logs)
	if len(v.digests) != 3 || len(v.logs) != 2 {
		t.Fatalf("want 3 digests and 2 logs, got %v %v", v.digests, v.logs)
	}
	all, err := StoredTrails(e.db)
	if err != nil || len(all) != 1 {
		t.Fatalf("StoredTrails: %v %v", all, err)
	}
	if v.in, err = ValidateInputFor(all[0]); err != nil {
		t.Fatal(err)
	}
	keys, bad, err := StoredPublicKeys(e.db, e.root)
	if err != nil || len(keys) != 1 || len(bad) != 0 {
		t.Fatalf("StoredPublicKeys: %v %v %v", keys, bad, err)
	}
	v.in.Keys = keys
	return v
}

// objects returns a copy of the delivered objects to change.
func (v *validateEnv) objects() *memObjects {
	return &memObjects{objects: maps.Clone(v.objs.objects), broken: map[string]error{}, panics: map[string]bool{}}
}

func (v *validateEnv) validate(t *testing.T, m *memObjects, in ValidateInput) *Report {
	t.Helper()
	rep, err := Validate(context.Background(), m, in)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// resign re-signs a changed digest with k (the trail's real key or another one).
func resign(t *testing.T, m *memObjects, key string, k *rsa.PrivateKey, edit func(*Digest)) {
	t.Helper()
	o := m.objects["logs/"+key]
	var d Digest
	if err := json.Unmarshal(gunzip(t, o.Body), &d); err != nil {
		t.Fatal(err)
	}
	edit(&d)
	raw, _ := json.Marshal(&d)
	sig, err := sign(k, StringToSign(d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, raw, d.PreviousDigestSignature))
	if err != nil {
		t.Fatal(err)
	}
	gz, _ := gzipBytes(raw)
	m.objects["logs/"+key] = Object{Bucket: "logs", Key: key, Body: gz, UserMeta: map[string]string{"signature": sig, "signature-algorithm": SignatureAlgorithm}}
}

func flipGzipped(t *testing.T, m *memObjects, key string, at func(raw []byte) int) {
	t.Helper()
	o := m.objects["logs/"+key]
	raw := gunzip(t, o.Body)
	raw[at(raw)] ^= 0x01
	o.Body, _ = gzipBytes(raw)
	m.objects["logs/"+key] = o
}

func TestValidate(t *testing.T) {
	v := newValidateEnv(t)
	signer, _, err := v.e.svc.signer()
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	d0, d1, d2 := v.digests[0], v.digests[1], v.digests[2]
	line := func(kind, key, verdict string) string { return kind + "\ts3://logs/" + key + "\t" + verdict }
	var validateTests = []struct {
		name string
		edit func(m *memObjects, in *ValidateInput)
		// invalid are the lines reported INVALID, exactly; valid digests and logs counted.
		invalid                 []string
		validDigests, validLogs int
	}{
		{"untouched", func(*memObjects, *ValidateInput) {}, nil, 3, 2},
		{"a log byte flipped", func(m *memObjects, _ *ValidateInput) {
			flipGzipped(t, m, v.logs[1], func(raw []byte) int { return len(raw) / 2 })
		}, []string{line("Log file", v.logs[1], "INVALID: hash value doesn't match")}, 3, 1},
		{"a log deleted", func(m *memObjects, _ *ValidateInput) { delete(m.objects, "logs/"+v.logs[0]) },
			[]string{line("Log file", v.logs[0], "INVALID: not found")}, 3, 1},
		{"a log not gzip", func(m *memObjects, _ *ValidateInput) {
			o := m.objects["logs/"+v.logs[0]]
			o.Body = []byte("plain")
			m.objects["logs/"+v.logs[0]] = o
		}, []string{line("Log file", v.logs[0], "INVALID: invalid format")}, 3, 1},
		{"a log unreadable at rest", func(m *memObjects, _ *ValidateInput) {
			m.broken["logs/"+v.logs[0]] = errors.New("sse: encrypted data failed authentication")
		}, []string{line("Log file", v.logs[0], "INVALID: unreadable (damaged or tampered with at rest): sse: encrypted data failed authentication")}, 3, 1},
		{"a reader panicking on a log", func(m *memObjects, _ *ValidateInput) { m.panics["logs/"+v.logs[1]] = true },
			[]string{line("Log file", v.logs[1], "INVALID: unreadable (damaged at rest): damaged")}, 3, 1},
		{"a digest byte flipped", func(m *memObjects, _ *ValidateInput) {
			flipGzipped(t, m, d1, func(raw []byte) int { return bytes.Index(raw, []byte(`"digestStartTime":"`)) + 20 })
		}, []string{line("Digest file", d1, "INVALID: signature verification failed")}, 2, 2},
		{"the middle digest deleted", func(m *memObjects, _ *ValidateInput) { delete(m.objects, "logs/"+d1) },
			[]string{line("Digest file", d1, "INVALID: not found")}, 2, 2},
		{"the newest digest deleted (the trail's own link)", func(m *memObjects, _ *ValidateInput) { delete(m.objects, "logs/"+d2) },
			[]string{line("Digest file", d2, "INVALID: not found")}, 2, 1},
		{"the newest digest deleted, no trail link (as validate-logs sees it)", func(m *memObjects, in *ValidateInput) {
			delete(m.objects, "logs/"+d2)
			in.Head = nil
		}, nil, 2, 1},
		{"a digest signed with another key", func(m *memObjects, _ *ValidateInput) { resign(t, m, d1, other, func(*Digest) {}) },
			[]string{line("Digest file", d1, "INVALID: signature verification failed")}, 2, 2},
		{"a digest naming another key", func(m *memObjects, _ *ValidateInput) {
			fp := Fingerprint(x509.MarshalPKCS1PublicKey(&other.PublicKey))
			resign(t, m, d0, other, func(d *Digest) { d.DigestPublicKeyFingerprint = fp })
		}, []string{line("Digest file", d0, "INVALID: public key not found in region us-east-1 for fingerprint "+
			Fingerprint(x509.MarshalPKCS1PublicKey(&other.PublicKey)))}, 2, 1},
		{"a digest replaced by another one signed with the trail's key", func(m *memObjects, _ *ValidateInput) {
			resign(t, m, d0, signer, func(d *Digest) { d.LogFiles = nil })
		}, []string{line("Digest file", d0, "INVALID: hash value doesn't match the previousDigestHashValue of "+d1)}, 2, 1},
		{"the signature metadata removed", func(m *memObjects, _ *ValidateInput) {
			o := m.objects["logs/"+d2]
			o.UserMeta = nil
			m.objects["logs/"+d2] = o
		}, []string{line("Digest file", d2, "INVALID: signature verification failed")}, 2, 1},
		{"a digest moved", func(m *memObjects, in *ValidateInput) {
			o := m.objects["logs/"+d0]
			moved := strings.Replace(d0, "T", "X", 1)
			m.objects["logs/"+moved] = o
			delete(m.objects, "logs/"+d0)
			resign(t, m, d1, signer, func(d *Digest) { d.PreviousDigestS3Object = &moved })
			delete(m.objects, "logs/"+d2) // start the walk at d1
			in.Head = nil
		}, []string{line("Digest file", strings.Replace(d0, "T", "X", 1), "INVALID: has been moved from its original location")}, 1, 0},
	}
	for _, tc := range validateTests {
		t.Run(tc.name, func(t *testing.T) {
			m, in := v.objects(), v.in
			tc.edit(m, &in)
			rep := v.validate(t, m, in)
			var got []string
			for _, f := range rep.Invalid() {
				got = append(got, f.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.invalid, "\n") {
				t.Fatalf("invalid files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.invalid, "\n"))
			}
			if rep.ValidDigests != tc.validDigests || rep.ValidLogs != tc.validLogs || rep.OK() != (len(tc.invalid) == 0) {
				t.Fatalf("valid digests %d logs %d ok %v, want %d %d", rep.ValidDigests, rep.ValidLogs, rep.OK(), tc.validDigests, tc.validLogs)
			}
			var out bytes.Buffer
			rep.Write(&out, true)
			for _, l := range tc.invalid {
				if !strings.Contains(out.String(), l+"\n") {
					t.Fatalf("report lacks %q:\n%s", l, out.String())
				}
			}
		})
	}
}

// The digest with no log files is valid and its logFiles is empty; the report reads like
// validate-logs'.
func TestValidateReport(t *testing.T) {
	v := newValidateEnv(t)
	m := v.objects()
	var mid Digest
	if err := json.Unmarshal(gunzip(t, m.objects["logs/"+v.digests[1]].Body), &mid); err != nil || mid.LogFiles == nil || len(mid.LogFiles) != 0 {
		t.Fatalf("middle digest logFiles: %v %v", mid.LogFiles, err)
	}
	var newest Digest
	if err := json.Unmarshal(gunzip(t, m.objects["logs/"+v.digests[2]].Body), &newest); err != nil || len(newest.LogFiles) != 1 {
		t.Fatalf("newest digest logFiles: %v %v", newest.LogFiles, err)
	}
	rep := v.validate(t, m, v.in)
	var out bytes.Buffer
	rep.Write(&out, true)
	s := out.String()
	for _, want := range []string{
		"Validating log files for trail " + v.in.TrailARN + " between the first digest and ",
		"Digest file\ts3://logs/" + v.digests[2] + "\tvalid\nLog file\ts3://logs/" + newest.LogFiles[0].S3Object + "\tvalid\nDigest file\ts3://logs/" + v.digests[1] + "\tvalid\nDigest file",
		"\n3/3 digest files valid\n2/2 log files valid\n",
	} {
		if !strings.Contains(s, want) {
			t.Fatalf("report lacks %q:\n%s", want, s)
		}
	}
	// A range after the last digest finds none; one ending before the first finds none.
	in := v.in
	in.Start, in.Head = time.Now().Add(2*time.Hour), nil
	if rep := v.validate(t, m, in); rep.ValidDigests+rep.InvalidDigests != 0 {
		t.Fatalf("future range: %+v", rep)
	}
	// A missing bucket is an error, not a report.
	in = v.in
	in.Bucket, in.Head = "gone", nil
	if _, err := Validate(context.Background(), m, in); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("missing bucket: %v", err)
	}
}

// A stored public key that its sealed private half does not back is not trusted.
func TestStoredPublicKeysCheckedAgainstRootKey(t *testing.T) {
	v := newValidateEnv(t)
	keys, bad, err := StoredPublicKeys(v.e.db, newRoot(t))
	if err != nil || len(keys) != 0 || len(bad) != 1 || !strings.Contains(bad[0], "does not open with this root key") {
		t.Fatalf("another root key: %v %v %v", keys, bad, err)
	}
	m := v.objects()
	in := v.in
	in.Keys = keys
	rep := v.validate(t, m, in)
	if rep.OK() || rep.InvalidDigests != 3 || rep.ValidDigests != 0 || rep.ValidLogs+rep.InvalidLogs != 0 {
		t.Fatalf("no trusted key: %+v", rep.Invalid())
	}
	for _, f := range rep.Invalid() {
		if !strings.HasPrefix(f.Reason, "public key not found") {
			t.Fatalf("no trusted key: %s", f)
		}
	}
}
