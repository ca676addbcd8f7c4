package kms

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func randomContext(r *rand.Rand) map[string]string {
	n := r.IntN(5)
	if n == 0 && r.IntN(2) == 0 {
		return nil
	}
	ec := map[string]string{}
	alphabet := "ab:/=\x00é"
	str := func() string {
		b := make([]rune, r.IntN(4))
		rs := []rune(alphabet)
		for i := range b {
			b[i] = rs[r.IntN(len(rs))]
		}
		return string(b)
	}
	for range n {
		ec[str()] = str()
	}
	return ec
}

// TestEncryptionContextProperty: with the same context decryption always succeeds; with
// any different one it always fails, with InvalidCiphertext and no message.
func TestEncryptionContextProperty(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		ec1, ec2 := randomContext(r), randomContext(r)
		if i%3 == 0 { // near misses: one pair changed, added or removed
			ec2 = maps.Clone(ec1)
			if ec2 == nil {
				ec2 = map[string]string{}
			}
			ec2["a"] += "b"
		}
		blob, _, err := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("pt"), ec1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Decrypt(testCtx, caller, blob, maps.Clone(ec1)); err != nil {
			t.Fatalf("same context %q: %v", ec1, err)
		}
		_, err = e.svc.Decrypt(testCtx, caller, blob, ec2)
		same := len(ec1) == len(ec2) && maps.Equal(ec1, ec2)
		if same != (err == nil) {
			t.Fatalf("contexts %q / %q: err %v", ec1, ec2, err)
		}
		if err != nil {
			wantErr(t, "different context", err, ErrInvalidCiphertext, "")
		}
	}
}

func TestCanonicalContextIsUnambiguous(t *testing.T) {
	a := canonicalContext(nil, map[string]string{"a": "bc"})
	b := canonicalContext(nil, map[string]string{"ab": "c"})
	if bytes.Equal(a, b) {
		t.Fatal(`{"a":"bc"} and {"ab":"c"} canonicalise alike`)
	}
	e := newEnv(t)
	md := e.createKey()
	blob, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("x"), map[string]string{"a": "bc"})
	_, err := e.svc.Decrypt(testCtx, caller, blob, map[string]string{"ab": "c"})
	wantErr(t, "ambiguous context", err, ErrInvalidCiphertext, "")
	if !bytes.Equal(canonicalContext(nil, nil), canonicalContext(nil, map[string]string{})) {
		t.Fatal("nil and empty contexts differ")
	}
	want := []byte{0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 2, 'b', 'c', 0, 0, 0, 1, 'b', 0, 0, 0, 0}
	if got := canonicalContext(nil, map[string]string{"b": "", "a": "bc"}); !bytes.Equal(got, want) {
		t.Fatalf("canonical form %x, want %x", got, want)
	}
}

func TestTamperEveryByte(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	ec := map[string]string{"k": "v"}
	dk, err := e.svc.GenerateDataKey(testCtx, caller, md.KeyID, ec, 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Ciphertext) != blobOverhead+32 {
		t.Fatalf("blob is %d bytes", len(dk.Ciphertext))
	}
	for i := range dk.Ciphertext {
		for _, bit := range []byte{0x01, 0x80} {
			b := bytes.Clone(dk.Ciphertext)
			b[i] ^= bit
			_, err := e.svc.Decrypt(testCtx, caller, b, ec)
			if err == nil {
				t.Fatalf("byte %d bit %x: tampered blob decrypted", i, bit)
			}
			// Flipping the key id yields a well-formed blob of an unknown key.
			if !errorsIsAny(err, ErrInvalidCiphertext, ErrAccessDenied) {
				t.Fatalf("byte %d: %v", i, err)
			}
			if Message(err) != "" && !errorsIsAny(err, ErrAccessDenied) {
				t.Fatalf("byte %d: message %q", i, Message(err))
			}
		}
	}
	for _, n := range []int{0, 1, blobOverhead, len(dk.Ciphertext) - 1} {
		_, err := e.svc.Decrypt(testCtx, caller, dk.Ciphertext[:n], ec)
		wantErr(t, "truncated", err, ErrInvalidCiphertext, "")
	}
	d, err := e.svc.Decrypt(testCtx, caller, dk.Ciphertext, ec)
	if err != nil || !bytes.Equal(d.Plaintext, dk.Plaintext) || d.KeyARN != md.ARN {
		t.Fatalf("untampered: %v", err)
	}
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if isErr(err, t) {
			return true
		}
	}
	return false
}

func TestDecryptKeyIDChecks(t *testing.T) {
	e := newEnv(t)
	a, b := e.createKey(), e.createKey()
	e.svc.CreateAlias(testCtx, caller, "alias/a", a.KeyID)
	blob, _, _ := e.svc.Encrypt(testCtx, caller, a.KeyID, []byte("x"), nil)
	for _, id := range []string{a.KeyID, a.ARN, "alias/a"} {
		if _, err := e.svc.DecryptWithKeyID(testCtx, caller, blob, nil, id); err != nil {
			t.Fatalf("KeyId %s: %v", id, err)
		}
	}
	_, err := e.svc.DecryptWithKeyID(testCtx, caller, blob, nil, b.KeyID)
	wantErr(t, "wrong key", err, ErrIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
	re, err := e.svc.ReEncrypt(testCtx, caller, blob, nil, "", b.KeyID, map[string]string{"n": "1"})
	if err != nil || re.SourceKeyARN != a.ARN || re.KeyARN != b.ARN {
		t.Fatalf("reencrypt: %+v %v", re, err)
	}
	if d, err := e.svc.Decrypt(testCtx, caller, re.Ciphertext, map[string]string{"n": "1"}); err != nil || string(d.Plaintext) != "x" {
		t.Fatalf("decrypt re-encrypted: %v", err)
	}
}

func TestCryptoValidation(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	_, _, err := e.svc.Encrypt(testCtx, caller, md.KeyID, make([]byte, 4097), nil)
	wantErr(t, "4097", err, ErrValidation, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	if _, _, err := e.svc.Encrypt(testCtx, caller, md.KeyID, make([]byte, 4096), nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1025} {
		_, err := e.svc.GenerateDataKey(testCtx, caller, md.KeyID, nil, n)
		wantErr(t, "gdk size", err, ErrValidation, "-")
		_, err = e.svc.GenerateRandom(testCtx, caller, n)
		wantErr(t, "random size", err, ErrValidation, "-")
	}
	dk, err := e.svc.GenerateDataKeyWithoutPlaintext(testCtx, caller, md.KeyID, nil, 16)
	if err != nil || dk.Plaintext != nil || len(dk.Ciphertext) != blobOverhead+16 {
		t.Fatalf("without plaintext: %+v %v", dk, err)
	}
	_, err = e.svc.CreateKey(testCtx, caller, CreateKeyInput{KeySpec: "RSA_2048"})
	wantErr(t, "asymmetric", err, ErrUnsupported, "-")
	_, err = e.svc.CreateKey(testCtx, caller, CreateKeyInput{KeySpec: "NOPE"})
	wantErr(t, "bad spec", err, ErrValidation, "-")
}

func TestQuota(t *testing.T) {
	e := newEnv(t)
	e.close()
	e.open(Config{CryptoRateLimit: 5})
	md := e.createKey()
	ok := 0
	for range 20 {
		if _, err := e.svc.GenerateRandom(testCtx, caller, 8); err == nil {
			ok++
		} else {
			wantErr(t, "throttle", err, ErrThrottled, "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.")
		}
	}
	if ok != 5 || e.obs.throttled != 15 {
		t.Fatalf("%d allowed, %d throttled; want 5 and 15", ok, e.obs.throttled)
	}
	e.clock.Advance(1e9) // one second refills the bucket
	if _, _, err := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	other := caller
	other.AccountID = "999999999999"
	for range 5 {
		if _, err := e.svc.GenerateRandom(testCtx, other, 8); err != nil {
			t.Fatalf("another account shares the bucket: %v", err)
		}
	}
	if e.obs.ops[md.KeyID+" Encrypt"] != 1 || e.obs.ops[md.KeyID+" CreateKey"] != 1 {
		t.Fatalf("per-key counters: %v", e.obs.ops)
	}
}

// TestNoRawMaterialOnDisk runs a workload and searches every file of the data dir for any
// unsealed material version and any data key plaintext.
func TestNoRawMaterialOnDisk(t *testing.T) {
	e := newEnv(t)
	var secrets [][]byte
	for range 5 {
		md := e.createKey()
		e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID)
		e.svc.CreateAlias(testCtx, caller, "alias/k"+md.KeyID[:8], md.KeyID)
		dk, _ := e.svc.GenerateDataKey(testCtx, caller, md.KeyID, map[string]string{"x": "y"}, 32)
		secrets = append(secrets, dk.Plaintext)
		for _, m := range e.svc.keys[md.KeyID].mat {
			secrets = append(secrets, bytes.Clone(m.raw))
		}
	}
	doomed := e.createKey()
	for _, m := range e.svc.keys[doomed.KeyID].mat {
		secrets = append(secrets, bytes.Clone(m.raw))
	}
	e.svc.ScheduleKeyDeletion(testCtx, caller, doomed.KeyID, 7)
	e.clock.Advance(8 * day)
	e.svc.RunDue(testCtx)
	e.close()
	filepath.Walk(e.dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, _ := os.ReadFile(path)
		for i, s := range secrets {
			if bytes.Contains(data, s) || bytes.Contains(data, s[:16]) {
				t.Errorf("%s holds secret %d in the clear", path, i)
			}
		}
		return nil
	})
}
