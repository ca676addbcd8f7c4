package cse_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/arcastore/arca/pkg/cse"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// These examples run against the Arca the tests start; the endpoint, region and
// credentials come from the standard AWS environment variables, as they would for you.

// Encrypt under a KMS key (Arca's built-in KMS here; AWS KMS works the same), store,
// and read back.
func Example() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	kmsc := kms.NewFromConfig(cfg)
	key, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("cse example")})
	if err != nil {
		log.Fatal(err)
	}

	client, err := cse.New(s3c, cse.NewKMSKeyring(kmsc, *key.KeyMetadata.KeyId), nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Put(ctx, "example-bucket", "plans.txt", strings.NewReader("attack at dawn"),
		&cse.PutOptions{EncryptionContext: map[string]string{"project": "dawn"}})
	if err != nil {
		log.Fatal(err)
	}

	obj, err := client.Get(ctx, "example-bucket", "plans.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Body.Close()
	plain, err := io.ReadAll(obj.Body) // a tampered object fails here, not with io.EOF
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%v, %v, wrapped with %s)\n", plain, obj.Format, obj.Suite, obj.WrapAlgorithm)

	// What the server holds is ciphertext only.
	raw, _ := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("example-bucket"), Key: aws.String("plans.txt")})
	stored, _ := io.ReadAll(raw.Body)
	fmt.Println(len(stored), bytes.Contains(stored, []byte("dawn")))
	// Output:
	// attack at dawn (V3, ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, wrapped with kms+context)
	// 30 false
}

// A raw AES-256 master key, V2 objects that every S3 Encryption Client reads, and the
// data-key metadata in an instruction file.
func ExampleNewAESKeyring() {
	ctx := context.Background()
	cfg, _ := config.LoadDefaultConfig(ctx)
	master := make([]byte, 32) // keep it somewhere safe: without it the objects are lost
	rand.Read(master)
	ring, err := cse.NewAESKeyring(master, map[string]string{"key": "backup-2025"})
	if err != nil {
		log.Fatal(err)
	}
	client, _ := cse.New(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), ring,
		&cse.Options{CommitmentPolicy: cse.ForbidEncryptAllowDecrypt, InstructionFile: true})
	if _, err := client.Put(ctx, "example-bucket", "db.dump", strings.NewReader("rows"), nil); err != nil {
		log.Fatal(err)
	}

	dir, _ := os.MkdirTemp("", "cse-example")
	defer os.RemoveAll(dir)
	info, err := client.GetFile(ctx, "example-bucket", "db.dump", filepath.Join(dir, "db.dump"), nil)
	if err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "db.dump"))
	fmt.Println(string(b), info.Format, info.InstructionFile, info.Description["key"])
	// Output: rows V2 true backup-2025
}

// Rotate from an old master key to a new one: read with both, re-encrypt with Copy.
func ExampleNewMultiKeyring() {
	ctx := context.Background()
	cfg, _ := config.LoadDefaultConfig(ctx)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	oldKey, newKey := make([]byte, 32), make([]byte, 32)
	rand.Read(oldKey)
	rand.Read(newKey)
	oldRing, _ := cse.NewAESKeyring(oldKey, map[string]string{"key": "2024"})
	newRing, _ := cse.NewAESKeyring(newKey, map[string]string{"key": "2025"})

	old, _ := cse.New(s3c, oldRing, nil)
	old.Put(ctx, "example-bucket", "ledger", strings.NewReader("balance: 42"), nil)

	both, _ := cse.New(s3c, cse.NewMultiKeyring(newRing, oldRing), nil)
	if _, err := both.Copy(ctx, "example-bucket", "ledger", "example-bucket", "ledger", both, nil); err != nil {
		log.Fatal(err)
	}
	_, err := old.Get(ctx, "example-bucket", "ledger", nil)
	fmt.Println(err)
	obj, _ := both.Get(ctx, "example-bucket", "ledger", nil)
	b, _ := io.ReadAll(obj.Body)
	fmt.Println(string(b), obj.Description["key"])
	// Output:
	// cse: no key in the keyring can decrypt the object's data key
	// balance: 42 2025
}

func ExampleParseCommitmentPolicy() {
	p, err := cse.ParseCommitmentPolicy("require_encrypt_require_decrypt")
	fmt.Println(p, err)
	var zero cse.CommitmentPolicy
	fmt.Println(zero)
	// Output:
	// REQUIRE_ENCRYPT_REQUIRE_DECRYPT <nil>
	// REQUIRE_ENCRYPT_ALLOW_DECRYPT
}
