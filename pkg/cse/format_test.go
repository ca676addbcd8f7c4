package cse

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hkdfVectors are the official Go client's known answers for
// ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY key derivation.
var hkdfVectors = []struct{ dataKey, messageID, contentKey, commitment string }{
	{"80d90dc4cc7e77d8a6332efa44eba56230a7fe7b89af37d1e501ab2e07c0a163",
		"b8ea76bed24c7b85382a148cb9dcd1cfdfb765f55ded4dfa6e0c4c79",
		"6dd14f546cc006e639126e83f5d4d1b118576bb5df97f38c6fb3a1db87bbc338",
		"f89818bc0a346d3a3426b68e9509b6b2ae5fe1f904aa329fb73625db"},
	{"501afb8227d22e75e68010414b8abdaf3064c081e8e922dafef4992036394d60",
		"61a00b4981a5aacfd136c55cb726e32d2a547dc7600a7d4675c69127",
		"e14786a714748d1d2c3a4a6816dec56ddf1881bbeabb4f39420ffb9f63700b2f",
		"5c1e73e47f6fe3a70d6d094283aceaa76d2975feb829212d88f0afc1"},
}

func TestHKDFVectors(t *testing.T) {
	for _, v := range hkdfVectors {
		prk, err := hkdfPRK(unhex(t, v.dataKey), unhex(t, v.messageID))
		if err != nil {
			t.Fatal(err)
		}
		ck, _ := commitKey(prk)
		dk, _ := contentKey(prk)
		if hex.EncodeToString(ck) != v.commitment || hex.EncodeToString(dk) != v.contentKey {
			t.Errorf("data key %s…: commitment %x, content key %x", v.dataKey[:8], ck, dk)
		}
	}
}

// officialV2Put is what the official Go client v3.2.0 sends for a PutObject of
// officialV2Plaintext with a keyring that returns data key 0x42×32, IV "0123456789ab"
// and the wrapped key "wrapped-by-kms" (captured from its HTTP request).
var (
	officialV2Plaintext = "Arca client-side encryption test vector, V2 format."
	officialV2Put       = map[string]string{
		"x-amz-cek-alg":                    "AES/GCM/NoPadding",
		"x-amz-iv":                         "MDEyMzQ1Njc4OWFi",
		"x-amz-key-v2":                     "d3JhcHBlZC1ieS1rbXM=",
		"x-amz-matdesc":                    `{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","purpose":"vector"}`,
		"x-amz-tag-len":                    "128",
		"x-amz-unencrypted-content-length": "51",
		"x-amz-wrap-alg":                   "kms+context",
	}
	officialV2Body = "e6a15354b5ff42c8b79d14bae0755e4c40f1c217b3a3aa4ab924dbf6f2708f8e" +
		"1d02aa81fd16454f3c1433eb6c9da8d63d707931558239cc6e5f697906c3a7c44e98c0"
)

func TestV2WriterMatchesOfficialClient(t *testing.T) {
	dk := &DataKey{Plaintext: bytes.Repeat([]byte{0x42}, 32), WrappedKey: WrappedKey{
		Ciphertext: []byte("wrapped-by-kms"), Algorithm: WrapKMSContext, Suite: SuiteGCM,
		Description: map[string]string{"aws:x-amz-cek-alg": "AES/GCM/NoPadding", "purpose": "vector"},
	}}
	env := &envelope{key: dk.WrappedKey, nonce: []byte("0123456789ab"), plainLen: int64(len(officialV2Plaintext))}
	seal, err := newSealer(dk, env)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(&encryptReader{src: strings.NewReader(officialV2Plaintext), seal: seal})
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(body) != officialV2Body {
		t.Errorf("body %x\nwant %s", body, officialV2Body)
	}
	md, instr, err := env.maps()
	if err != nil || instr != nil {
		t.Fatal(err)
	}
	if !maps.Equal(md, officialV2Put) {
		t.Errorf("metadata %v\nwant %v", md, officialV2Put)
	}
}

// officialVectors are objects from the official Go client's own decryption tests, with
// the data key its mock KMS returns.
var officialVectors = []struct {
	name               string
	meta               map[string]string
	dataKey, body, out string // base64, hex, hex ("" = must fail authentication)
}{
	{"V2 kms+context", map[string]string{
		"x-amz-key-v2":   "PsuclPnlo2O0MQoov6kL1TBlaZG6oyNwWuAqmAgq7g8b9ZeeORi3VTMg624FU9jx",
		"x-amz-iv":       "dqqlq2dRVSQ5hFRb",
		"x-amz-matdesc":  `{"aws:x-amz-cek-alg":"AES/GCM/NoPadding"}`,
		"x-amz-wrap-alg": "kms+context", "x-amz-cek-alg": "AES/GCM/NoPadding",
	}, "hJUv7S6K2cHF64boS9ixHX0TZAjBZLT4ZpEO4XxkGnY=",
		"6b134eb7a353131de92faff64f594b2794e3544e31776cca26fe3bbeeffc68742d1007234f11c6670522602326868e29f37e9d2678f1614ec1a2418009b9772100929aadbed9a21a",
		"af150d7156bf5b3f5c461e5c6ac820acc5a33aab7085d920666c250ff251209d5a4029b3bd78250fab6e11aed52fae948d407056a9519b68"},
	{"V3 kms+context", map[string]string{
		"x-amz-3": "8gSzlk7giyfFbLPUVgoVjvQebI1827jp8lDkO+n2chsiSoegx1sjm8NdPk0Bl70I",
		"x-amz-c": "115", "x-amz-d": "6JOSx47RkdyfciJkNauuC4RpkMcWZY4a+i1RzQ==",
		"x-amz-i": "sE9zLb4tsEBJkvEhLMZFxMj9oZJBbQ6ZOgOqHA==",
		"x-amz-t": `{"aws:x-amz-cek-alg":"115"}`, "x-amz-w": "12",
	}, "lP6AbIQTmptyb/+WQq+ubDw+w7na0T1LGSByZGuaono=",
		"2d4ff4dafe27f69f628872d82b5a1002ed1a21b8485d532bd8159f6487945b3641af5865fc0a029a3650053600c6d213625b9a0cc9c239577c09f3423dedc5641e88b6835824417c",
		"8f2c59c6dbfcacf356f3da40788cbde67ca38161a4702cbcf757af663e1c24a600001b2f500417dbf5a050f57db6737422b2ed6a44c75e0d"},
	{"V3 wrong commitment", map[string]string{
		"x-amz-3": "8gSzlk7giyfFbLPUVgoVjvQebI1827jp8lDkO+n2chsiSoegx1sjm8NdPk0Bl70I",
		"x-amz-c": "115", "x-amz-d": "FiQepGw+/O+3MuYrmQU5mAkotUnxB+W+EwYDHw==",
		"x-amz-i": "cPwtbK08jrpe3x+QElyG+vGtkk9jDn6KmOta2Q==",
		"x-amz-t": `{"aws:x-amz-cek-alg":"115"}`, "x-amz-w": "12",
	}, "lP6AbIQTmptyb/+WQq+ubDw+w7na0T1LGSByZGuaono=",
		"e403a8f941e43bdf0ca3ef0bcf6701acd739b2de0a8ee524fa89497210fb0213dfc856376a9ff7753db6ee549dc4040861bc7080a66f902441904bf4a003e028e982de8ea6958c30",
		""},
}

func TestOfficialVectors(t *testing.T) {
	for _, v := range officialVectors {
		t.Run(v.name, func(t *testing.T) {
			env, err := parseEnvelope(v.meta, nil)
			if err != nil {
				t.Fatal(err)
			}
			dk, _ := decodeB64(map[string]string{"k": v.dataKey}, "k", 32)
			opener, err := newOpener(dk, env)
			if v.out == "" {
				if !errors.Is(err, ErrAuthentication) {
					t.Fatalf("got %v, want ErrAuthentication from the commitment check", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pt, err := io.ReadAll(newDecryptReader(bytes.NewReader(unhex(t, v.body)), opener))
			if err != nil || hex.EncodeToString(pt) != v.out {
				t.Fatalf("got %x, %v", pt, err)
			}
		})
	}
}

// TestV3MetadataShape checks the V3 writer's keys against the official reader's
// expectations: content entries with the object, data-key entries (and x-amz-t for KMS,
// x-amz-m otherwise) with the object or the instruction file.
func TestV3MetadataShape(t *testing.T) {
	for _, tc := range []struct {
		alg, descKey string
		instruction  bool
	}{{WrapKMSContext, mdContextV3, false}, {WrapAESGCM, mdMatDescV3, false}, {WrapRSAOAEP, mdMatDescV3, true}} {
		env := &envelope{key: WrappedKey{Ciphertext: []byte{1}, Algorithm: tc.alg, Suite: SuiteCommittingGCM},
			nonce: make([]byte, 28), commitment: make([]byte, 28), instruction: tc.instruction, plainLen: 5}
		obj, instr, err := env.maps()
		if err != nil {
			t.Fatal(err)
		}
		keyed := obj
		if tc.instruction {
			keyed = instr
		}
		for _, k := range []string{mdContentV3, mdCommitV3, mdMessageIDV3} {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s: %s not with the object", tc.alg, k)
			}
		}
		for _, k := range []string{mdKeyV3, mdWrapV3, tc.descKey} {
			if _, ok := keyed[k]; !ok {
				t.Errorf("%s: %s missing", tc.alg, k)
			}
		}
		if _, ok := obj[mdPlainLen]; ok {
			t.Errorf("%s: V3 object carries %s", tc.alg, mdPlainLen)
		}
		if obj[mdContentV3] != "115" || keyed[mdWrapV3] != wrapToV3[tc.alg] {
			t.Errorf("%s: c=%q w=%q", tc.alg, obj[mdContentV3], keyed[mdWrapV3])
		}
	}
}
