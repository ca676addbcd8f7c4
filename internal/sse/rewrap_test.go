package sse

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/meta"
)

// TestReseal: a stream key resealed from one wrapper to another opens under the new one to
// the same key, for the same (bucket, key, upload, part) only, and no longer under the old.
func TestReseal(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	_, oldW, err := e.Begin(ctx, nil, Spec{Mode: ModeS3}, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	ok, sealed, err := oldW.NewStreamKey("u1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.keyring.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	_, newW, err := e.Begin(ctx, nil, Spec{Mode: ModeS3}, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	resealed, err := oldW.Reseal(sealed, newW, "u1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(resealed, sealed) {
		t.Fatal("reseal returned the same box")
	}
	got, err := newW.StreamKey(resealed, "u1", 3)
	if err != nil || !bytes.Equal(got, ok) {
		t.Fatalf("resealed key: %v", err)
	}
	if _, err := oldW.StreamKey(resealed, "u1", 3); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("resealed key opened under the old wrapper: %v", err)
	}
	if _, err := newW.StreamKey(resealed, "u1", 4); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("resealed key opened as another part: %v", err)
	}
	if _, err := oldW.Reseal(sealed, newW, "u1", 4); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("reseal of the wrong part: %v", err)
	}
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, err := oldW.Reseal(bad, newW, "u1", 3); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("reseal of a damaged box: %v", err)
	}
	_, otherW, _ := e.Begin(ctx, nil, Spec{Mode: ModeS3}, "b", "other")
	if _, err := oldW.Reseal(sealed, otherW, "u1", 3); !errors.Is(err, ErrRewrapMismatch) {
		t.Fatalf("reseal onto another object's wrapper: %v", err)
	}
}

var kmsSpecTests = []struct {
	name string
	prev *meta.Encryption
	want Spec
}{
	{"from SSE-S3", &meta.Encryption{Mode: ModeS3, MasterVersion: 2}, Spec{Mode: ModeKMS, KMSKeyID: "arn:k", BucketKey: true}},
	{"from KMS without context", &meta.Encryption{Mode: ModeKMS, KMSContext: map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}},
		Spec{Mode: ModeKMS, KMSKeyID: "arn:k", BucketKey: true}},
	{"from KMS with a user context", &meta.Encryption{Mode: ModeKMS, UserContext: "e30=",
		KMSContext: map[string]string{"aws:s3:arn": "arn:aws:s3:::b", "team": "x"}},
		Spec{Mode: ModeKMS, KMSKeyID: "arn:k", BucketKey: true, UserContextRaw: "e30=", UserContext: map[string]string{"team": "x"}}},
}

func TestKMSSpec(t *testing.T) {
	for _, tc := range kmsSpecTests {
		got := KMSSpec(tc.prev, "arn:k", true)
		if got.Mode != tc.want.Mode || got.KMSKeyID != tc.want.KMSKeyID || got.BucketKey != tc.want.BucketKey ||
			got.UserContextRaw != tc.want.UserContextRaw || len(got.UserContext) != len(tc.want.UserContext) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
		for k, v := range tc.want.UserContext {
			if got.UserContext[k] != v {
				t.Errorf("%s: context %q = %q, want %q", tc.name, k, got.UserContext[k], v)
			}
		}
	}
}
