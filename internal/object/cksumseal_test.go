package object

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// ssecWrapper begins an SSE-C object bucket/key under a fixed customer key and returns its
// encryption record, its wrapper and a function reopening it as another bucket/key.
func ssecWrapper(t *testing.T) (*meta.Encryption, *sse.Wrapper, func(bucket, key string) *sse.Wrapper) {
	t.Helper()
	eng := sse.NewEngine(nil, nil)
	ck := bytes.Repeat([]byte{7}, 32)
	enc, w, err := eng.Begin(context.Background(), nil, sse.Spec{Mode: sse.ModeC, CustomerKey: ck}, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	reopen := func(bucket, key string) *sse.Wrapper {
		// Another name: a wrapper under the same customer key, bound to that name.
		if bucket == "b" && key == "k" {
			w, err := eng.Open(context.Background(), nil, enc, bucket, key, ck)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		_, w, err := eng.Begin(context.Background(), nil, sse.Spec{Mode: sse.ModeC, CustomerKey: ck}, bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	return enc, w, reopen
}

func multipartRecord(enc *meta.Encryption) meta.Object {
	return meta.Object{Key: "k", Enc: enc, Checksum: &meta.Checksum{Algorithm: "SHA256", Value: "Y29tcG9zaXRl-2", Type: "COMPOSITE"},
		Parts: []meta.PartInfo{{Number: 1, Size: 5, Checksum: "cGFydDE="}, {Number: 2, Size: 6, Checksum: "cGFydDI="}}}
}

// TestSealedRecord: an SSE-C object's checksum values leave the record (into a box that
// opens with the object's wrapper only) and come back; o itself is not changed; an SSE-S3
// record and one without a checksum are stored as they are.
func TestSealedRecord(t *testing.T) {
	enc, w, reopen := ssecWrapper(t)
	o := multipartRecord(enc)
	rec, err := sealedRecord(w, o)
	if err != nil {
		t.Fatal(err)
	}
	if rec.SealedChecksum == nil || rec.Checksum.Value != "" || rec.Checksum.Algorithm != "SHA256" || rec.Checksum.Type != "COMPOSITE" ||
		rec.Parts[0].Checksum != "" || rec.Parts[1].Checksum != "" {
		t.Fatalf("sealed record keeps values: %+v %+v", rec.Checksum, rec.Parts)
	}
	if o.Checksum.Value != "Y29tcG9zaXRl-2" || o.Parts[0].Checksum != "cGFydDE=" {
		t.Fatalf("sealing changed the original: %+v %+v", o.Checksum, o.Parts)
	}
	for _, secret := range []string{"Y29tcG9zaXRl", "cGFydDE=", "composite", "part1"} {
		if bytes.Contains(rec.SealedChecksum.Box, []byte(secret)) {
			t.Fatalf("box holds %q in clear", secret)
		}
	}
	back := rec
	if err := openChecksum(reopen("b", "k"), &back); err != nil {
		t.Fatal(err)
	}
	if back.Checksum.Value != o.Checksum.Value || back.Parts[0].Checksum != "cGFydDE=" || back.Parts[1].Checksum != "cGFydDI=" {
		t.Fatalf("opened %+v %+v", back.Checksum, back.Parts)
	}
	if rec.Checksum.Value != "" || rec.Parts[1].Checksum != "" {
		t.Fatal("opening changed the record it was given a copy of")
	}
	// Another object's wrapper (same customer key, other name) does not open it.
	moved := rec
	if err := openChecksum(reopen("b", "other"), &moved); !errors.Is(err, sse.ErrCorrupt) {
		t.Fatalf("opened as another key: %v", err)
	}
	// A box with a part list of another length is damage.
	short := rec
	short.Parts = short.Parts[:1]
	if err := openChecksum(reopen("b", "k"), &short); !errors.Is(err, sse.ErrCorrupt) {
		t.Fatalf("part count mismatch: %v", err)
	}
	// An older record (no sealed field) reads as it is.
	old := multipartRecord(enc)
	if err := openChecksum(reopen("b", "k"), &old); err != nil || old.Checksum.Value != "Y29tcG9zaXRl-2" {
		t.Fatalf("older record: %v %+v", err, old.Checksum)
	}
	for name, o := range map[string]meta.Object{
		"sse-s3":      multipartRecord(&meta.Encryption{Mode: sse.ModeS3}),
		"no checksum": {Key: "k", Enc: enc},
	} {
		rec, err := sealedRecord(w, o)
		if err != nil || rec.SealedChecksum != nil || (o.Checksum != nil && rec.Checksum.Value != o.Checksum.Value) {
			t.Errorf("%s: sealed %+v, %v", name, rec.SealedChecksum, err)
		}
	}
}

// TestSealedPart: a part's checksum is sealed under its part number and opens only there.
func TestSealedPart(t *testing.T) {
	enc, w, reopen := ssecWrapper(t)
	p, err := sealedPart(w, enc, meta.Part{Number: 3, Checksum: "AAAAAA=="})
	if err != nil || p.Checksum != "" || p.SealedChecksum == nil {
		t.Fatalf("sealedPart: %+v %v", p, err)
	}
	parts := []meta.Part{p, {Number: 4, Checksum: "clear"}}
	if err := openPartChecksums(reopen("b", "k"), parts); err != nil || parts[0].Checksum != "AAAAAA==" || parts[1].Checksum != "clear" {
		t.Fatalf("open: %+v %v", parts, err)
	}
	swapped := []meta.Part{{Number: 4, SealedChecksum: p.SealedChecksum}}
	if err := openPartChecksums(reopen("b", "k"), swapped); !errors.Is(err, sse.ErrCorrupt) {
		t.Fatalf("a part's box opened as another part: %v", err)
	}
	if err := openPartChecksums(nil, []meta.Part{p}); err != nil {
		t.Fatalf("no wrapper: %v", err)
	}
}

func ck(alg string, data string) string {
	h := checksum.New(alg)
	h.Write([]byte(data))
	return checksum.Encode(h.Sum(nil))
}

// TestObjectChecksum: the value a CompleteMultipartUpload sends must be the object's
// (a COMPOSITE one with or without its -N).
func TestObjectChecksum(t *testing.T) {
	parts := []string{"hello ", "world"}
	cks := []string{ck("CRC32", parts[0]), ck("CRC32", parts[1])}
	sizes := []int64{6, 5}
	whole := ck("CRC32", "hello world")
	comp, _ := checksum.Composite("CRC32", cks)
	for _, tt := range []struct {
		typ, sent, want string
		bad             bool
	}{
		{"FULL_OBJECT", "", whole, false},
		{"FULL_OBJECT", whole, whole, false},
		{"FULL_OBJECT", ck("CRC32", "other"), "", true},
		{"COMPOSITE", "", comp, false},
		{"COMPOSITE", comp, comp, false},
		{"COMPOSITE", strings.Split(comp, "-")[0], comp, false},
		{"COMPOSITE", whole, "", true},
		{"COMPOSITE", strings.Split(comp, "-")[0] + "-3", "", true},
	} {
		u := &meta.Upload{ChecksumAlgorithm: "CRC32", ChecksumType: tt.typ}
		got, err := objectChecksum(u, cks, sizes, func(string) string { return tt.sent })
		if tt.bad {
			if !errors.Is(err, ErrBadChecksum) {
				t.Errorf("%s sent %q: %v, want ErrBadChecksum", tt.typ, tt.sent, err)
			}
			continue
		}
		if err != nil || got.Value != tt.want || got.Type != tt.typ {
			t.Errorf("%s sent %q: %+v %v, want %s", tt.typ, tt.sent, got, err, tt.want)
		}
	}
	// A part without a checksum leaves the object without one.
	if got, err := objectChecksum(&meta.Upload{}, []string{cks[0], ""}, sizes, nil); got != nil || err != nil {
		t.Errorf("missing part checksum: %+v %v", got, err)
	}
}
