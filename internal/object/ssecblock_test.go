package object

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

var parseBlockedTypesTests = []struct {
	in   []string
	want []string
	err  error
}{
	{nil, nil, nil},
	{[]string{}, nil, nil},
	{[]string{"SSE-C"}, []string{"SSE-C"}, nil},
	{[]string{"SSE-C", "SSE-C"}, []string{"SSE-C"}, nil},
	{[]string{"NONE"}, []string{"NONE"}, nil},
	{[]string{"NONE", "SSE-C"}, nil, ErrBlockedEncryptionType},
	{[]string{"sse-c"}, nil, ErrBlockedEncryptionType},
	{[]string{"SSE-KMS"}, nil, ErrBlockedEncryptionType},
	{[]string{""}, nil, ErrBlockedEncryptionType},
}

func TestParseBlockedTypes(t *testing.T) {
	for _, tc := range parseBlockedTypesTests {
		got, err := ParseBlockedTypes(tc.in)
		if !errors.Is(err, tc.err) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseBlockedTypes(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

var (
	newBucketEnc = &meta.BucketEncryption{Blocked: []string{BlockSSEC}}
	allowedEnc   = &meta.BucketEncryption{Blocked: []string{BlockNone}}
	kmsDefault   = &meta.BucketEncryption{Algorithm: sse.ModeKMS, KMSMasterKeyID: "k", BucketKey: true}
)

// encryptionChangeTests: PutBucketEncryption keeps what its rule leaves out.
var encryptionChangeTests = []struct {
	name string
	old  *meta.BucketEncryption
	ch   EncryptionChange
	want *meta.BucketEncryption
}{
	{"a bucket from before the upgrade gets a default, no block", nil, EncryptionChange{Default: kmsDefault}, kmsDefault},
	{"NONE on a new bucket", newBucketEnc, EncryptionChange{Blocked: []string{BlockNone}}, allowedEnc},
	{"a default without the element keeps the block", newBucketEnc, EncryptionChange{Default: kmsDefault},
		&meta.BucketEncryption{Algorithm: sse.ModeKMS, KMSMasterKeyID: "k", BucketKey: true, Blocked: []string{BlockSSEC}}},
	{"a default without the element keeps NONE", allowedEnc, EncryptionChange{Default: &meta.BucketEncryption{Algorithm: sse.ModeS3}},
		&meta.BucketEncryption{Algorithm: sse.ModeS3, Blocked: []string{BlockNone}}},
	{"the block alone keeps the default", kmsDefault, EncryptionChange{Blocked: []string{BlockSSEC}},
		&meta.BucketEncryption{Algorithm: sse.ModeKMS, KMSMasterKeyID: "k", BucketKey: true, Blocked: []string{BlockSSEC}}},
	{"a new default replaces the key and bucket key", &meta.BucketEncryption{Algorithm: sse.ModeKMS, KMSMasterKeyID: "k", BucketKey: true, Blocked: []string{BlockSSEC}},
		EncryptionChange{Default: &meta.BucketEncryption{Algorithm: sse.ModeS3}, Blocked: []string{BlockNone}},
		&meta.BucketEncryption{Algorithm: sse.ModeS3, Blocked: []string{BlockNone}}},
	{"nothing on nothing", nil, EncryptionChange{}, nil},
}

func TestEncryptionChangeApply(t *testing.T) {
	for _, tc := range encryptionChangeTests {
		var before *meta.BucketEncryption
		if tc.old != nil {
			c := *tc.old
			before = &c
		}
		got := tc.ch.Apply(tc.old)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Apply = %+v, want %+v", tc.name, got, tc.want)
		}
		if tc.old != nil && !reflect.DeepEqual(tc.old, before) {
			t.Errorf("%s: Apply changed its argument to %+v", tc.name, tc.old)
		}
	}
}

func TestResetEncryptionKeepsTheBlock(t *testing.T) {
	for _, tc := range []struct {
		old, want *meta.BucketEncryption
	}{
		{nil, nil},
		{kmsDefault, nil},
		{&meta.BucketEncryption{Algorithm: sse.ModeKMS, Blocked: []string{BlockSSEC}}, newBucketEnc},
		{&meta.BucketEncryption{Algorithm: sse.ModeKMS, Blocked: []string{BlockNone}}, allowedEnc},
	} {
		if got := ResetEncryption(tc.old); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ResetEncryption(%+v) = %+v, want %+v", tc.old, got, tc.want)
		}
	}
}

// TestNewBucketBlocksSSEC: a new bucket refuses SSE-C and writes other objects with SSE-S3
// from the default, unless the engine allows SSE-C by default; a bucket record without the
// field (from before the upgrade) allows SSE-C.
func TestNewBucketBlocksSSEC(t *testing.T) {
	ck := SSERequest{CustomerKey: make([]byte, 32)}
	e := New(Config{}, Deps{})
	b := &meta.Bucket{Name: "new", Encryption: e.NewBucketEncryption()}
	if _, err := ResolveSpec(ck, b); !errors.Is(err, ErrSSECBlocked) {
		t.Errorf("SSE-C on a new bucket: %v, want ErrSSECBlocked", err)
	}
	if s, err := ResolveSpec(SSERequest{}, b); err != nil || s.Mode != sse.ModeS3 || !s.FromDefault {
		t.Errorf("a header-less write on a new bucket: %+v, %v; want SSE-S3 from the default", s, err)
	}
	if DefaultConfigured(b.Encryption) {
		t.Errorf("a new bucket's default counts as configured (self-copies would be allowed)")
	}
	compat := New(Config{SSECAllowedByDefault: true}, Deps{})
	if enc := compat.NewBucketEncryption(); enc != nil {
		t.Errorf("with SSECAllowedByDefault a new bucket gets %+v, want nil", enc)
	}
	for _, enc := range []*meta.BucketEncryption{nil, kmsDefault, allowedEnc} {
		if s, err := ResolveSpec(ck, &meta.Bucket{Encryption: enc}); err != nil || s.Mode != sse.ModeC {
			t.Errorf("SSE-C on a bucket with %+v: %+v, %v; want SSE-C", enc, s, err)
		}
	}
}

// TestBucketRecordFromBeforeAllowsSSEC: a bucket record as Arca wrote it before new buckets
// blocked SSE-C (no "enc" at all, or a configured default without "blocked") decodes to a
// bucket that accepts SSE-C writes.
func TestBucketRecordFromBeforeAllowsSSEC(t *testing.T) {
	for _, rec := range []string{
		`{"name":"old","created":"2026-01-02T03:04:05Z","region":"us-east-1"}`,
		`{"name":"old","created":"2026-01-02T03:04:05Z","region":"us-east-1","enc":{"alg":"aws:kms","kms":"alias/k","bk":true}}`,
	} {
		var b meta.Bucket
		if err := json.Unmarshal([]byte(rec), &b); err != nil {
			t.Fatal(err)
		}
		if s, err := ResolveSpec(SSERequest{CustomerKey: make([]byte, 32)}, &b); err != nil || s.Mode != sse.ModeC {
			t.Errorf("SSE-C on the bucket of %s: %+v, %v; want SSE-C", rec, s, err)
		}
	}
	// And a new bucket's record says that it blocks.
	data, err := json.Marshal(meta.Bucket{Name: "new", Encryption: New(Config{}, Deps{}).NewBucketEncryption()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"enc":{"alg":"","blocked":["SSE-C"]}`) {
		t.Errorf("a new bucket's record is %s", data)
	}
}
