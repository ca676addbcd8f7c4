package cse

import (
	"bytes"
	"context"
	"io"
	"testing"
)

const benchSize = 64 << 20

// benchSeal encrypts pt as a new SuiteCommittingGCM object under an AES keyring, as Put
// does (data key, HKDF, streaming GCM), without the network, into w.
func benchSeal(b *testing.B, ring Keyring, pt []byte, w io.Writer) *envelope {
	dk, err := ring.WrapKey(context.Background(), SuiteCommittingGCM, nil)
	if err != nil {
		b.Fatal(err)
	}
	env := &envelope{key: dk.WrappedKey, plainLen: -1}
	seal, err := newSealer(dk, env)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyBuffer(w, &encryptReader{src: bytes.NewReader(pt), seal: seal}, make([]byte, 1<<20)); err != nil {
		b.Fatal(err)
	}
	return env
}

// discard is io.Discard without its ReadFrom, so io.CopyBuffer uses the 1 MiB buffer.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkEncrypt is the library's encryption throughput for a 64 MiB object.
func BenchmarkEncrypt(b *testing.B) {
	ring, _ := NewAESKeyring(make([]byte, 32), nil)
	pt := plaintext(benchSize)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		benchSeal(b, ring, pt, discard{})
	}
}

// BenchmarkDecrypt is the library's decryption throughput (unwrap, commitment check,
// streaming GCM with the tag verified) for a 64 MiB object.
func BenchmarkDecrypt(b *testing.B) {
	ring, _ := NewAESKeyring(make([]byte, 32), nil)
	var ct bytes.Buffer
	env := benchSeal(b, ring, plaintext(benchSize), &ct)
	buf := make([]byte, 1<<20)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		dk, err := ring.UnwrapKey(context.Background(), &env.key)
		if err != nil {
			b.Fatal(err)
		}
		open, err := newOpener(dk, env)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(discard{}, newDecryptReader(bytes.NewReader(ct.Bytes()), open), buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutGet stores and reads back a 64 MiB object through the in-process Arca:
// client encryption plus HTTP plus the server's own work, on one machine.
func BenchmarkPutGet(b *testing.B) {
	ctx := context.Background()
	bucket := newBucket(b)
	ring, _ := NewAESKeyring(make([]byte, 32), nil)
	c := newClient(b, ring, nil)
	pt := plaintext(benchSize)
	b.SetBytes(2 * benchSize)
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Put(ctx, bucket, "bench", bytes.NewReader(pt), nil); err != nil {
			b.Fatal(err)
		}
		obj, err := c.Get(ctx, bucket, "bench", nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, obj.Body); err != nil {
			b.Fatal(err)
		}
		obj.Body.Close()
	}
}
