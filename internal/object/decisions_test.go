package object

import (
	"errors"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

func boolp(b bool) *bool { return &b }

var kmsRule = &meta.BucketEncryption{Algorithm: sse.ModeKMS, KMSMasterKeyID: "bucket-key", BucketKey: true}

// resolveSpecTests: S3's precedence of SSE-C, request headers and the bucket default.
var resolveSpecTests = []struct {
	name string
	req  SSERequest
	rule *meta.BucketEncryption
	want sse.Spec
	err  error
}{
	{"nothing, no default: SSE-S3 from the default", SSERequest{}, nil, sse.Spec{Mode: sse.ModeS3, FromDefault: true}, nil},
	{"nothing, KMS default: the bucket's key and bucket key", SSERequest{}, kmsRule,
		sse.Spec{Mode: sse.ModeKMS, FromDefault: true, KMSKeyID: "bucket-key", BucketKey: true}, nil},
	{"AES256 header over a KMS default", SSERequest{Algorithm: sse.ModeS3}, kmsRule, sse.Spec{Mode: sse.ModeS3}, nil},
	{"aws:kms without a key id takes the default's key", SSERequest{Algorithm: sse.ModeKMS}, kmsRule,
		sse.Spec{Mode: sse.ModeKMS, KMSKeyID: "bucket-key", BucketKey: true}, nil},
	{"aws:kms with a key id keeps it", SSERequest{Algorithm: sse.ModeKMS, KMSKeyID: "mine", HasKMSKeyID: true}, kmsRule,
		sse.Spec{Mode: sse.ModeKMS, KMSKeyID: "mine", BucketKey: true}, nil},
	{"bucket key header false over the default's true", SSERequest{Algorithm: sse.ModeKMS, BucketKey: boolp(false)}, kmsRule,
		sse.Spec{Mode: sse.ModeKMS, KMSKeyID: "bucket-key"}, nil},
	{"aws:kms without a default: the account's key", SSERequest{Algorithm: sse.ModeKMS}, nil, sse.Spec{Mode: sse.ModeKMS}, nil},
	{"SSE-C wins over a KMS default", SSERequest{CustomerKey: make([]byte, 32)}, kmsRule,
		sse.Spec{Mode: sse.ModeC, CustomerKey: make([]byte, 32)}, nil},
	{"SSE-C blocked by the bucket", SSERequest{CustomerKey: make([]byte, 32)},
		&meta.BucketEncryption{Algorithm: sse.ModeS3, Blocked: []string{"SSE-C"}}, sse.Spec{}, ErrSSECBlocked},
	{"a context with AES256", SSERequest{Algorithm: sse.ModeS3, ContextRaw: "e30="}, nil, sse.Spec{}, ErrContextWithoutKMS},
	{"a context with a KMS default applies", SSERequest{ContextRaw: "e30=", Context: map[string]string{}}, kmsRule,
		sse.Spec{Mode: sse.ModeKMS, FromDefault: true, KMSKeyID: "bucket-key", BucketKey: true, UserContext: map[string]string{}, UserContextRaw: "e30="}, nil},
}

func TestResolveSpec(t *testing.T) {
	for _, tt := range resolveSpecTests {
		got, err := ResolveSpec(tt.req, &meta.Bucket{Name: "b", Encryption: tt.rule})
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if got.Mode != tt.want.Mode || got.FromDefault != tt.want.FromDefault || got.KMSKeyID != tt.want.KMSKeyID ||
			got.BucketKey != tt.want.BucketKey || got.UserContextRaw != tt.want.UserContextRaw || (got.CustomerKey == nil) != (tt.want.CustomerKey == nil) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

var (
	t0       = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	condsObj = meta.Object{ETag: "abc", LastModified: t0.Add(500 * time.Millisecond)}
)

// conditionsTests: RFC 7232's order as S3 applies it.
var conditionsTests = []struct {
	name      string
	c         Conditions
	err       error
	condition string
}{
	{"none", Conditions{}, nil, ""},
	{"If-Match hit", Conditions{IfMatch: `"abc"`}, nil, ""},
	{"If-Match list and weak", Conditions{IfMatch: `"x", W/"abc"`}, nil, ""},
	{"If-Match *", Conditions{IfMatch: "*"}, nil, ""},
	{"If-Match miss", Conditions{IfMatch: `"x"`}, ErrPreconditionFailed, "If-Match"},
	{"If-Match hit beats a failing If-Unmodified-Since", Conditions{IfMatch: `"abc"`, IfUnmodifiedSince: t0.Add(-time.Hour)}, nil, ""},
	{"If-Unmodified-Since before", Conditions{IfUnmodifiedSince: t0.Add(-time.Second)}, ErrPreconditionFailed, "If-Unmodified-Since"},
	{"If-Unmodified-Since the same second", Conditions{IfUnmodifiedSince: t0}, nil, ""},
	{"If-None-Match hit", Conditions{IfNoneMatch: `"abc"`}, ErrNotModified, ""},
	{"If-None-Match miss", Conditions{IfNoneMatch: `"x"`}, nil, ""},
	{"If-None-Match miss beats If-Modified-Since", Conditions{IfNoneMatch: `"x"`, IfModifiedSince: t0.Add(time.Hour)}, nil, ""},
	{"If-Modified-Since after", Conditions{IfModifiedSince: t0.Add(time.Second)}, ErrNotModified, ""},
	{"If-Modified-Since the same second", Conditions{IfModifiedSince: t0}, ErrNotModified, ""},
	{"If-Modified-Since before", Conditions{IfModifiedSince: t0.Add(-time.Second)}, nil, ""},
	{"If-Match beats If-None-Match", Conditions{IfMatch: `"x"`, IfNoneMatch: `"abc"`}, ErrPreconditionFailed, "If-Match"},
	{"copy source prefix named", Conditions{IfMatch: `"x"`, Prefix: "x-amz-copy-source-"}, ErrPreconditionFailed, "x-amz-copy-source-If-Match"},
}

func TestConditions(t *testing.T) {
	for _, tt := range conditionsTests {
		err := tt.c.Check(&condsObj, ErrNotModified)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
			continue
		}
		var e *Error
		if tt.condition != "" && (!errors.As(err, &e) || e.Field("Condition") != tt.condition) {
			t.Errorf("%s: %v, want Condition %s", tt.name, err, tt.condition)
		}
	}
}

// writeConditionTests: conditional writes, checked against the current object.
var writeConditionTests = []struct {
	name string
	c    WriteConditions
	cur  *meta.Object
	err  error
}{
	{"none", WriteConditions{}, nil, nil},
	{"If-None-Match * on a new key", WriteConditions{IfNoneMatch: "*"}, nil, nil},
	{"If-None-Match * on an existing key", WriteConditions{IfNoneMatch: "*"}, &condsObj, ErrPreconditionFailed},
	{"If-None-Match etag hit", WriteConditions{IfNoneMatch: `"abc"`}, &condsObj, ErrPreconditionFailed},
	{"If-Match on a missing key", WriteConditions{IfMatch: `"abc"`}, nil, meta.ErrNoSuchKey},
	{"If-Match hit", WriteConditions{IfMatch: `"abc"`}, &condsObj, nil},
	{"If-Match miss", WriteConditions{IfMatch: `"x"`}, &condsObj, ErrPreconditionFailed},
}

func TestWriteConditions(t *testing.T) {
	for _, tt := range writeConditionTests {
		cond := tt.c.cond()
		if cond == nil {
			if tt.err != nil {
				t.Errorf("%s: no condition made", tt.name)
			}
			continue
		}
		if err := cond(tt.cur); !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
}

// selfCopyTests: what makes copying an object onto itself legal.
var selfCopyTests = []struct {
	name string
	in   CopyInput
	b    meta.Bucket
	ok   bool
}{
	{"nothing changes", CopyInput{}, meta.Bucket{}, false},
	{"metadata replaced", CopyInput{ReplaceMetadata: true}, meta.Bucket{}, true},
	{"an SSE header", CopyInput{SSE: SSERequest{Algorithm: sse.ModeS3}}, meta.Bucket{}, true},
	{"an SSE-C key", CopyInput{SSE: SSERequest{CustomerKey: make([]byte, 32)}}, meta.Bucket{}, true},
	{"a configured default (re-encryption)", CopyInput{}, meta.Bucket{Encryption: &meta.BucketEncryption{Algorithm: sse.ModeS3}}, true},
	{"a storage class or redirect", CopyInput{OtherChange: true}, meta.Bucket{}, true},
	{"a KMS key id alone is not an SSE header", CopyInput{SSE: SSERequest{KMSKeyID: "k"}}, meta.Bucket{}, false},
}

func TestSelfCopyAllowed(t *testing.T) {
	for _, tt := range selfCopyTests {
		if got := selfCopyAllowed(&tt.in, &tt.b); got != tt.ok {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestCheckCopyRangeAndPartSpan(t *testing.T) {
	if s, l, err := CheckCopyRange(&CopyRange{First: 10, Last: 19, Spec: "bytes=10-19"}, 20); err != nil || s != 10 || l != 10 {
		t.Errorf("in range: %d %d %v", s, l, err)
	}
	var e *Error
	if _, _, err := CheckCopyRange(&CopyRange{First: 10, Last: 20, Spec: "bytes=10-20"}, 20); !errors.As(err, &e) ||
		!errors.Is(err, ErrInvalidCopyRange) || e.Field("ActualObjectSize") != "20" || e.Field("RangeRequested") != "bytes=10-20" {
		t.Errorf("past the end: %v", err)
	}
	if s, l, err := CheckCopyRange(nil, 7); err != nil || s != 0 || l != 7 {
		t.Errorf("whole: %d %d %v", s, l, err)
	}
	mp := &meta.Object{Size: 30, Parts: []meta.PartInfo{{Number: 1, Size: 10, Checksum: "a"}, {Number: 2, Size: 20, Checksum: "b"}}}
	if s, l, ck, err := partSpan(mp, 2); err != nil || s != 10 || l != 20 || ck != "b" {
		t.Errorf("part 2: %d %d %q %v", s, l, ck, err)
	}
	if _, _, _, err := partSpan(mp, 3); !errors.Is(err, ErrInvalidPartNumber) {
		t.Errorf("part 3: %v", err)
	}
	simple := &meta.Object{Size: 5, Checksum: &meta.Checksum{Value: "c"}}
	if s, l, ck, err := partSpan(simple, 1); err != nil || s != 0 || l != 5 || ck != "c" {
		t.Errorf("simple part 1: %d %d %q %v", s, l, ck, err)
	}
	if _, _, _, err := partSpan(simple, 2); !errors.Is(err, ErrInvalidPartNumber) {
		t.Errorf("simple part 2: %v", err)
	}
}
