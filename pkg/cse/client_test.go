package cse

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// plaintext is recognisable text, so a test can tell that stored bytes do not contain it.
func plaintext(n int) []byte {
	return bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog. "), n/45+1)[:n]
}

func aesKey(t testing.TB) []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

var rsaTestKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// keyrings builds one keyring of each kind.
func keyrings(t testing.TB) map[string]Keyring {
	t.Helper()
	a, err := NewAESKeyring(aesKey(t), map[string]string{"kid": "aes-1"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRSAKeyring(nil, rsaTestKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Keyring{"kms": NewKMSKeyring(testKMS(), newKMSKey(t)), "aes": a, "rsa": r}
}

func newClient(t testing.TB, ring Keyring, opts *Options) *Client {
	t.Helper()
	c, err := New(testS3(), ring, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getAll(t testing.TB, c *Client, bucket, key string) ([]byte, *Object, error) {
	t.Helper()
	obj, err := c.Get(context.Background(), bucket, key, nil)
	if err != nil {
		return nil, nil, err
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	return b, obj, err
}

func rawGet(t testing.TB, bucket, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out, err := testS3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out, b
}

// TestRoundTrip writes and reads back every keyring × policy × metadata place × size,
// including multipart uploads, and checks that the server holds only ciphertext.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	sizes := []int{0, 1, 1000, 5<<20 + 7, 11 << 20}
	for name, ring := range keyrings(t) {
		for _, policy := range []CommitmentPolicy{ForbidEncryptAllowDecrypt, RequireEncryptRequireDecrypt} {
			for _, instr := range []bool{false, true} {
				c := newClient(t, ring, &Options{CommitmentPolicy: policy, InstructionFile: instr, PartSize: 5 << 20, Concurrency: 3})
				for _, size := range sizes {
					key := fmt.Sprintf("%s/%v/%v/%d", name, policy, instr, size)
					t.Run(key, func(t *testing.T) {
						pt := plaintext(size)
						res, err := c.Put(ctx, bucket, key, bytes.NewReader(pt), &PutOptions{Metadata: map[string]string{"owner": "test"}})
						if err != nil {
							t.Fatal(err)
						}
						if wantParts := (size + 16 + 5<<20 - 1) / (5 << 20); size+16 > 5<<20 && res.Parts != wantParts {
							t.Errorf("%d parts, want %d", res.Parts, wantParts)
						}
						got, obj, err := getAll(t, c, bucket, key)
						if err != nil || !bytes.Equal(got, pt) {
							t.Fatalf("Get: %d bytes, %v", len(got), err)
						}
						wantFormat := map[CommitmentPolicy]Format{ForbidEncryptAllowDecrypt: FormatV2, RequireEncryptRequireDecrypt: FormatV3}[policy]
						if obj.Format != wantFormat || obj.InstructionFile != instr || obj.Size != int64(size) || obj.Metadata["owner"] != "test" {
							t.Errorf("info %+v", obj.ObjectInfo)
						}
						raw, stored := rawGet(t, bucket, key)
						if len(stored) != size+16 || (size >= 45 && bytes.Contains(stored, pt[:45])) {
							t.Errorf("stored %d bytes, plaintext visible: %v", len(stored), bytes.Contains(stored, pt[:min(45, size)]))
						}
						_, hasKey := raw.Metadata["x-amz-key-v2"]
						_, hasKey3 := raw.Metadata["x-amz-3"]
						if (hasKey || hasKey3) == instr {
							t.Errorf("object metadata %v with instruction file %v", raw.Metadata, instr)
						}
					})
				}
			}
		}
	}
}

func TestUnknownSize(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	ring, _ := NewAESKeyring(aesKey(t), nil)
	c := newClient(t, ring, &Options{PartSize: 5 << 20, CommitmentPolicy: ForbidEncryptAllowDecrypt})
	for _, size := range []int{10, 5 << 20, 13<<20 + 1} {
		pt := plaintext(size)
		body := io.MultiReader(bytes.NewReader(pt[:size/2]), bytes.NewReader(pt[size/2:])) // no Len
		res, err := c.Put(ctx, bucket, fmt.Sprint(size), body, nil)
		if err != nil || res.Size != int64(size) {
			t.Fatalf("Put %d: %v %+v", size, err, res)
		}
		got, _, err := getAll(t, c, bucket, fmt.Sprint(size))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Get %d: %v", size, err)
		}
		raw, _ := rawGet(t, bucket, fmt.Sprint(size))
		if l, ok := raw.Metadata[mdPlainLen]; ok != (size+16 <= 5<<20) || (ok && l != fmt.Sprint(size)) {
			t.Errorf("size %d: %s = %q (present %v)", size, mdPlainLen, l, ok)
		}
	}
}

func TestSizeMismatchStoresNothing(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	ring, _ := NewAESKeyring(aesKey(t), nil)
	c := newClient(t, ring, &Options{PartSize: 5 << 20})
	for _, tc := range []struct{ size, real int }{{10, 20}, {20, 10}, {6 << 20, 12 << 20}, {12 << 20, 6 << 20}} {
		key := fmt.Sprintf("%d-%d", tc.size, tc.real)
		if _, err := c.Put(ctx, bucket, key, io.LimitReader(bytes.NewReader(plaintext(tc.real)), int64(tc.real)),
			&PutOptions{Size: int64(tc.size)}); err == nil {
			t.Errorf("%s: Put accepted a body of the wrong size", key)
		}
		if _, err := testS3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key}); err == nil {
			t.Errorf("%s: an object was stored", key)
		}
	}
}

// rewrite replaces bucket/key's body and metadata as an attacker with write access would.
func rewrite(t testing.TB, bucket, key string, body func([]byte), md func(map[string]string)) {
	t.Helper()
	raw, b := rawGet(t, bucket, key)
	m := maps.Clone(raw.Metadata)
	if body != nil {
		body(b)
	}
	if md != nil {
		md(m)
	}
	_, err := testS3().PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key,
		Body: bytes.NewReader(b), Metadata: m})
	if err != nil {
		t.Fatal(err)
	}
}

// flipB64 flips one bit of a base64 metadata value, keeping it valid base64.
func flipB64(m map[string]string, k string, at int) {
	b, err := decodeB64(m, k, 0)
	if err != nil {
		panic(k + " missing")
	}
	b[at%len(b)] ^= 1
	m[k] = b64(b)
}

func TestTamperingFails(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	rings := keyrings(t)
	pt := plaintext(6 << 20)
	cases := []struct {
		name   string
		format Format
		body   func([]byte)
		md     func(map[string]string)
	}{
		{"V2 body", FormatV2, func(b []byte) { b[3<<20] ^= 1 }, nil},
		{"V2 tag", FormatV2, func(b []byte) { b[len(b)-1] ^= 1 }, nil},
		{"V2 wrapped key", FormatV2, nil, func(m map[string]string) { flipB64(m, mdKeyV2, 20) }},
		{"V2 IV", FormatV2, nil, func(m map[string]string) { flipB64(m, mdIV, 3) }},
		{"V3 body", FormatV3, func(b []byte) { b[0] ^= 0x80 }, nil},
		{"V3 wrapped key", FormatV3, nil, func(m map[string]string) { flipB64(m, mdKeyV3, 20) }},
		{"V3 message ID", FormatV3, nil, func(m map[string]string) { flipB64(m, mdMessageIDV3, 0) }},
		{"V3 commitment", FormatV3, nil, func(m map[string]string) { flipB64(m, mdCommitV3, 27) }},
	}
	for name, ring := range rings {
		if name == "rsa" { // no description: a damaged wrapped key reads as a wrong key (TestWrongKey)
			continue
		}
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				policy := ForbidEncryptAllowDecrypt
				if tc.format == FormatV3 {
					policy = RequireEncryptAllowDecrypt
				}
				c := newClient(t, ring, &Options{CommitmentPolicy: policy, PartSize: 5 << 20})
				key := name + "/" + tc.name
				if _, err := c.Put(ctx, bucket, key, bytes.NewReader(pt), nil); err != nil {
					t.Fatal(err)
				}
				rewrite(t, bucket, key, tc.body, tc.md)
				_, _, err := getAll(t, c, bucket, key)
				if !errors.Is(err, ErrAuthentication) {
					t.Fatalf("got %v, want ErrAuthentication", err)
				}
				dir := t.TempDir()
				if _, err := c.GetFile(ctx, bucket, key, filepath.Join(dir, "out"), nil); !errors.Is(err, ErrAuthentication) {
					t.Fatalf("GetFile: %v", err)
				}
				if ents, _ := os.ReadDir(dir); len(ents) != 0 {
					t.Fatalf("GetFile left %v behind", ents[0].Name())
				}
			})
		}
	}
}

func TestWrongKey(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	other, _ := NewAESKeyring(aesKey(t), nil)
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaRing, _ := NewRSAKeyring(nil, otherRSA, nil)
	rings := keyrings(t)
	wrong := map[string]Keyring{"kms": NewKMSKeyring(testKMS(), newKMSKey(t)), "aes": other, "rsa": rsaRing}
	for name, ring := range rings {
		c := newClient(t, ring, nil)
		if _, err := c.Put(ctx, bucket, name, strings.NewReader("secret"), nil); err != nil {
			t.Fatal(err)
		}
		for wname, w := range wrong {
			_, _, err := getAll(t, newClient(t, w, nil), bucket, name)
			if !errors.Is(err, ErrWrongKey) {
				t.Errorf("%s object with the wrong %s key: %v", name, wname, err)
			}
		}
	}
}

func TestNotEncryptedAndMalformed(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	ring, _ := NewAESKeyring(aesKey(t), nil)
	c := newClient(t, ring, nil)
	testS3().PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("plain"), Body: strings.NewReader("hello")})
	testS3().PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("empty"), Body: strings.NewReader("")})
	for _, k := range []string{"plain", "empty"} {
		if _, _, err := getAll(t, c, bucket, k); !errors.Is(err, ErrNotEncrypted) {
			t.Errorf("%s: %v", k, err)
		}
	}
	c.Put(ctx, bucket, "enc", strings.NewReader("x"), nil)
	rewrite(t, bucket, "enc", nil, func(m map[string]string) { delete(m, mdKeyV3) })
	if _, _, err := getAll(t, c, bucket, "enc"); !errors.Is(err, ErrMalformed) {
		t.Errorf("metadata without its data key: %v", err)
	}
	if _, _, err := getAll(t, c, bucket, "missing"); err == nil {
		t.Error("missing object read")
	}
}

func TestCommitmentPolicyAndContext(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	ring := NewKMSKeyring(testKMS(), newKMSKey(t))
	v2 := newClient(t, ring, &Options{CommitmentPolicy: ForbidEncryptAllowDecrypt})
	ec := map[string]string{"app": "cse-test"}
	if _, err := v2.Put(ctx, bucket, "v2", strings.NewReader("old"), &PutOptions{EncryptionContext: ec}); err != nil {
		t.Fatal(err)
	}
	strict := newClient(t, ring, &Options{CommitmentPolicy: RequireEncryptRequireDecrypt})
	if _, _, err := getAll(t, strict, bucket, "v2"); !errors.Is(err, ErrCommitmentPolicy) {
		t.Errorf("V2 under REQUIRE_ENCRYPT_REQUIRE_DECRYPT: %v", err)
	}
	if _, err := v2.Get(ctx, bucket, "v2", &GetOptions{EncryptionContext: map[string]string{"app": "other"}}); !errors.Is(err, ErrContextMismatch) {
		t.Errorf("other context: %v", err)
	}
	obj, err := v2.Get(ctx, bucket, "v2", &GetOptions{EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if obj.Description["aws:x-amz-cek-alg"] != "AES/GCM/NoPadding" || obj.Description["app"] != "cse-test" {
		t.Errorf("stored context %v", obj.Description)
	}
	if _, err := v2.Put(ctx, bucket, "x", strings.NewReader(""), &PutOptions{EncryptionContext: map[string]string{cekContextKey: "x"}}); err == nil {
		t.Error("reserved context key accepted")
	}
	// A tampered stored context is refused by KMS.
	rewrite(t, bucket, "v2", nil, func(m map[string]string) { m[mdMatDesc] = `{"app":"cse-tesT","aws:x-amz-cek-alg":"AES/GCM/NoPadding"}` })
	if _, _, err := getAll(t, v2, bucket, "v2"); !errors.Is(err, ErrAuthentication) {
		t.Errorf("tampered context: %v", err)
	}
}

func TestRotationAndCopy(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	oldRing, _ := NewAESKeyring(aesKey(t), map[string]string{"kid": "2024"})
	newRing := NewKMSKeyring(testKMS(), newKMSKey(t))
	old := newClient(t, oldRing, &Options{CommitmentPolicy: ForbidEncryptAllowDecrypt})
	pt := plaintext(7 << 20)
	if _, err := old.Put(ctx, bucket, "doc", bytes.NewReader(pt), nil); err != nil {
		t.Fatal(err)
	}
	both := newClient(t, NewMultiKeyring(newRing, oldRing), &Options{PartSize: 5 << 20})
	if got, _, err := getAll(t, both, bucket, "doc"); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("multi keyring read: %v", err)
	}
	res, err := both.Copy(ctx, bucket, "doc", bucket, "doc", both, nil)
	if err != nil || res.Suite != SuiteCommittingGCM {
		t.Fatalf("Copy: %v %+v", err, res)
	}
	if _, _, err := getAll(t, old, bucket, "doc"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("old key after rotation: %v", err)
	}
	got, obj, err := getAll(t, newClient(t, newRing, nil), bucket, "doc")
	if err != nil || !bytes.Equal(got, pt) || obj.WrapAlgorithm != WrapKMSContext {
		t.Fatalf("new key alone: %v", err)
	}
	// Copying a tampered source creates nothing.
	rewrite(t, bucket, "doc", func(b []byte) { b[len(b)-20] ^= 1 }, nil)
	if _, err := both.Copy(ctx, bucket, "doc", bucket, "copy", both, nil); !errors.Is(err, ErrAuthentication) {
		t.Fatalf("Copy of tampered object: %v", err)
	}
	if _, err := testS3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("copy")}); err == nil {
		t.Fatal("copy of a tampered object was stored")
	}
}

func TestGetFileAndDelete(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	ring, _ := NewAESKeyring(aesKey(t), nil)
	c := newClient(t, ring, &Options{InstructionFile: true, PartSize: 5 << 20})
	pt := plaintext(9 << 20)
	if _, err := c.Put(ctx, bucket, "f", bytes.NewReader(pt), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f")
	var seen, total int64
	info, err := c.GetFile(ctx, bucket, "f", path, &GetOptions{Progress: func(d, t int64) { seen, total = d, t }})
	if err != nil || !info.InstructionFile || seen != int64(len(pt)) || total != seen {
		t.Fatalf("GetFile: %v %+v progress %d", err, info, seen)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, pt) {
		t.Fatal("file differs")
	}
	if err := c.Delete(ctx, bucket, "f"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"f", "f" + InstructionSuffix} {
		if _, err := testS3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &k}); err == nil {
			t.Errorf("%s survived Delete", k)
		}
	}
}

// TestCloseEarly stops a multipart read half way: Close must return promptly and
// release the prefetching goroutines.
func TestCloseEarly(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	ring, _ := NewAESKeyring(aesKey(t), nil)
	c := newClient(t, ring, &Options{PartSize: 5 << 20, Concurrency: 2})
	if _, err := c.Put(ctx, bucket, "big", bytes.NewReader(plaintext(26<<20)), nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{0, 1, 7 << 20} {
		obj, err := c.Get(ctx, bucket, "big", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, obj.Body, n); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- obj.Body.Close() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Close after %d bytes hangs", n)
		}
		if _, err := obj.Body.Read(make([]byte, 1)); err == nil {
			t.Fatal("read after Close succeeded")
		}
	}
}
