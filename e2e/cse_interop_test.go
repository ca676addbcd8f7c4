package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	s3ec "github.com/aws/amazon-s3-encryption-client-go/v3/client"
	"github.com/aws/amazon-s3-encryption-client-go/v3/commitment"
	"github.com/aws/amazon-s3-encryption-client-go/v3/materials"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/arcastore/arca/pkg/cse"
)

// The official Go S3 Encryption Client (v3.2.0) ships only KMS keyrings. For the raw
// wrapping algorithms it takes custom keyrings, so these two implement AES/GCM and
// RSA-OAEP-SHA1 from the specification, independently of pkg/cse: the official client
// then does all the content encryption, metadata and commitment work itself.

const specCipherName = "AES/GCM/NoPadding" // what raw keyrings bind the data key to

type specAESKeyring struct{ aead cipher.AEAD }

func newSpecAESKeyring(key []byte) *specAESKeyring {
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	return &specAESKeyring{aead}
}

func (k *specAESKeyring) OnEncrypt(_ context.Context, _ *materials.EncryptionMaterials) (*materials.CryptographicMaterials, error) {
	dk, iv, wrapIV := make([]byte, 32), make([]byte, 12), make([]byte, 12)
	rand.Read(dk)
	rand.Read(iv)
	rand.Read(wrapIV)
	return &materials.CryptographicMaterials{Key: dk, IV: iv, KeyringAlgorithm: "AES/GCM", CEKAlgorithm: specCipherName,
		TagLength: "128", MaterialDescription: materials.MaterialDescription{},
		EncryptedKey: k.aead.Seal(wrapIV, wrapIV, dk, []byte(specCipherName))}, nil
}

func (k *specAESKeyring) OnDecrypt(_ context.Context, m *materials.DecryptionMaterials, key materials.DataKey) (*materials.CryptographicMaterials, error) {
	c := key.EncryptedDataKey
	if key.DataKeyAlgorithm != "AES/GCM" || len(c) < 12 {
		return nil, errors.New("not an AES/GCM key")
	}
	dk, err := k.aead.Open(nil, c[:12], c[12:], []byte(specCipherName))
	if err != nil {
		return nil, err
	}
	return decrypted(m, key, dk), nil
}

type specRSAKeyring struct{ priv *rsa.PrivateKey }

func (k *specRSAKeyring) OnEncrypt(_ context.Context, _ *materials.EncryptionMaterials) (*materials.CryptographicMaterials, error) {
	dk, iv := make([]byte, 32), make([]byte, 12)
	rand.Read(dk)
	rand.Read(iv)
	pseudo := append(append([]byte{32}, dk...), specCipherName...)
	wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &k.priv.PublicKey, pseudo, nil)
	return &materials.CryptographicMaterials{Key: dk, IV: iv, KeyringAlgorithm: "RSA-OAEP-SHA1", CEKAlgorithm: specCipherName,
		TagLength: "128", MaterialDescription: materials.MaterialDescription{}, EncryptedKey: wrapped}, err
}

func (k *specRSAKeyring) OnDecrypt(_ context.Context, m *materials.DecryptionMaterials, key materials.DataKey) (*materials.CryptographicMaterials, error) {
	pseudo, err := rsa.DecryptOAEP(sha1.New(), nil, k.priv, key.EncryptedDataKey, nil)
	if err != nil || len(pseudo) != 33+len(specCipherName) || pseudo[0] != 32 || string(pseudo[33:]) != specCipherName {
		return nil, errors.New("cannot unwrap")
	}
	return decrypted(m, key, pseudo[1:33]), nil
}

func decrypted(m *materials.DecryptionMaterials, key materials.DataKey, dk []byte) *materials.CryptographicMaterials {
	return &materials.CryptographicMaterials{Key: dk, IV: m.ContentIV, KeyringAlgorithm: key.DataKeyAlgorithm,
		CEKAlgorithm: m.ContentAlgorithm, TagLength: m.TagLength, MaterialDescription: m.MaterialDescription,
		EncryptedKey: key.EncryptedDataKey}
}

// interopPair is one master key as both libraries see it.
type interopPair struct {
	name     string
	ours     cse.Keyring
	official materials.Keyring
}

func interopPairs(t *testing.T, srv *Server) []interopPair {
	kmsc := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	created := must[*kms.CreateKeyOutput](t, "CreateKey")(kmsc.CreateKey(context.Background(), &kms.CreateKeyInput{}))
	keyID := *created.KeyMetadata.KeyId
	aesKey := make([]byte, 32)
	rand.Read(aesKey)
	ourAES, err := cse.NewAESKeyring(aesKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := rsa.GenerateKey(rand.Reader, 2048)
	ourRSA, err := cse.NewRSAKeyring(nil, priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return []interopPair{
		{"kms", cse.NewKMSKeyring(kmsc, keyID), materials.NewKmsKeyring(kmsc, keyID)},
		{"aes", ourAES, newSpecAESKeyring(aesKey)},
		{"rsa", ourRSA, &specRSAKeyring{priv}},
	}
}

func officialClient(t *testing.T, s3c *s3.Client, ring materials.Keyring) *s3ec.S3EncryptionClientV3 {
	cmm, err := materials.NewCryptographicMaterialsManager(ring)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s3ec.New(s3c, cmm, func(o *s3ec.EncryptionClientOptions) { o.CommitmentPolicy = commitment.FORBID_ENCRYPT_ALLOW_DECRYPT })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// officialEnv points the official client's instruction-file reader, which builds its own
// S3 client from the environment, at srv.
func officialEnv(t *testing.T, srv *Server) {
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": srv.HTTPURL, "AWS_ACCESS_KEY_ID": testAccessKey,
		"AWS_SECRET_ACCESS_KEY": testSecretKey, "AWS_REGION": testRegion, "AWS_CONFIG_FILE": os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
}

// assertCiphertextOnly fails if a plain GET of bucket/key shows the plaintext.
func assertCiphertextOnly(t *testing.T, c *s3.Client, bucket, key string, pt []byte) {
	t.Helper()
	raw, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if len(raw) != len(pt)+16 || bytes.Contains(raw, pt[:64]) {
		t.Errorf("%s: the server holds %d bytes containing the plaintext: %v", key, len(raw), bytes.Contains(raw, pt[:64]))
	}
}

func interopPlaintext(n int) []byte {
	line := []byte("interoperability with the official S3 Encryption Client. ")
	return bytes.Repeat(line, n/len(line)+1)[:n]
}

// TestCSEOfficialReadsArca: objects written by pkg/cse, V2 and V3, in object metadata or
// an instruction file, small or multipart, are read by the official client.
func TestCSEOfficialReadsArca(t *testing.T) {
	srv := StartServer(t)
	officialEnv(t, srv)
	ctx := context.Background()
	s3c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, s3c, "interop")
	for _, p := range interopPairs(t, srv) {
		for _, policy := range []cse.CommitmentPolicy{cse.ForbidEncryptAllowDecrypt, cse.RequireEncryptAllowDecrypt} {
			for _, instr := range []bool{false, true} {
				ours, err := cse.New(s3c, p.ours, &cse.Options{CommitmentPolicy: policy, InstructionFile: instr, PartSize: 5 << 20})
				if err != nil {
					t.Fatal(err)
				}
				official := officialClient(t, s3c, p.official)
				for _, size := range []int{100, 6 << 20} {
					key := fmt.Sprintf("ours/%s/%v/%v/%d", p.name, policy, instr, size)
					pt := interopPlaintext(size)
					if _, err := ours.Put(ctx, "interop", key, bytes.NewReader(pt), nil); err != nil {
						t.Fatalf("%s: Put: %v", key, err)
					}
					out, err := official.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("interop"), Key: aws.String(key)})
					if err != nil {
						t.Fatalf("%s: official GetObject: %v", key, err)
					}
					got, err := io.ReadAll(out.Body)
					if err != nil || !bytes.Equal(got, pt) {
						t.Fatalf("%s: official client read %d bytes, %v", key, len(got), err)
					}
					assertCiphertextOnly(t, s3c, "interop", key, pt)
				}
			}
		}
	}
}

// TestCSEArcaReadsOfficial: objects written by the official client (V2: v3.2.0 cannot
// write V3) are read by pkg/cse, from object metadata and, moved there the way other
// clients write it, from an instruction file.
func TestCSEArcaReadsOfficial(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	s3c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, s3c, "interop")
	for _, p := range interopPairs(t, srv) {
		official := officialClient(t, s3c, p.official)
		ours, err := cse.New(s3c, p.ours, nil)
		if err != nil {
			t.Fatal(err)
		}
		strict, _ := cse.New(s3c, p.ours, &cse.Options{CommitmentPolicy: cse.RequireEncryptRequireDecrypt})
		for _, size := range []int{0, 100, 6 << 20} {
			key := fmt.Sprintf("official/%s/%d", p.name, size)
			pt := interopPlaintext(size)
			putCtx := ctx
			if p.name == "kms" {
				putCtx = context.WithValue(ctx, s3ec.EncryptionContext, map[string]string{"written-by": "official"})
			}
			if _, err := official.PutObject(putCtx, &s3.PutObjectInput{Bucket: aws.String("interop"), Key: aws.String(key),
				Body: bytes.NewReader(pt)}); err != nil {
				t.Fatalf("%s: official PutObject: %v", key, err)
			}
			check := func(key string, wantInstr bool) {
				t.Helper()
				obj, err := ours.Get(ctx, "interop", key, nil)
				if err != nil {
					t.Fatalf("%s: Get: %v", key, err)
				}
				got, err := io.ReadAll(obj.Body)
				obj.Body.Close()
				if err != nil || !bytes.Equal(got, pt) || obj.Format != cse.FormatV2 || obj.InstructionFile != wantInstr {
					t.Fatalf("%s: read %d bytes, %v, %+v", key, len(got), err, obj.ObjectInfo)
				}
				if _, err := strict.Get(ctx, "interop", key, nil); !errors.Is(err, cse.ErrCommitmentPolicy) {
					t.Errorf("%s under REQUIRE_ENCRYPT_REQUIRE_DECRYPT: %v", key, err)
				}
			}
			check(key, false)
			if size > 0 {
				assertCiphertextOnly(t, s3c, "interop", key, pt)
			}
			// The same object with its metadata in an instruction file.
			body, raw := mustGet(t, s3c, &s3.GetObjectInput{Bucket: aws.String("interop"), Key: aws.String(key)})
			instr, _ := json.Marshal(raw.Metadata)
			mustPut(t, s3c, "interop", key+"-instr", body)
			mustPut(t, s3c, "interop", key+"-instr"+cse.InstructionSuffix, instr)
			check(key+"-instr", true)
		}
	}
}
