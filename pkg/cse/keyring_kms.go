package cse

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// KMSClient is the part of aws-sdk-go-v2's *kms.Client the KMS keyring uses; any KMS
// endpoint will do (AWS KMS, Arca's built-in KMS).
type KMSClient interface {
	GenerateDataKey(context.Context, *kms.GenerateDataKeyInput, ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

var _ KMSClient = (*kms.Client)(nil)

// KMSKeyring gets data keys from KMS ("kms+context"): GenerateDataKey under a KMS key
// with the caller's encryption context plus {"aws:x-amz-cek-alg": <content algorithm>},
// which is stored with the object (x-amz-matdesc or x-amz-t) and given back to Decrypt.
type KMSKeyring struct {
	client KMSClient
	keyID  string
}

var _ Keyring = (*KMSKeyring)(nil)

// NewKMSKeyring returns a keyring that encrypts under keyID (a key ID, key ARN, alias
// name or alias ARN) and decrypts only data keys of that key.
func NewKMSKeyring(client KMSClient, keyID string) *KMSKeyring {
	return &KMSKeyring{client: client, keyID: keyID}
}

// NewKMSAnyKeyKeyring returns a decrypt-only keyring that lets KMS pick the key named in
// each wrapped key (Decrypt without a KeyId), like the official KmsAnyKeyKeyring.
func NewKMSAnyKeyKeyring(client KMSClient) *KMSKeyring {
	return &KMSKeyring{client: client}
}

// WrapKey calls GenerateDataKey. context may not use the reserved key aws:x-amz-cek-alg.
func (k *KMSKeyring) WrapKey(ctx context.Context, suite Suite, context map[string]string) (*DataKey, error) {
	if k.keyID == "" {
		return nil, errors.New("cse: this KMS keyring only decrypts (it has no key ID)")
	}
	if _, ok := context[cekContextKey]; ok {
		return nil, fmt.Errorf("cse: encryption context key %s is reserved for the client", cekContextKey)
	}
	ec := maps.Clone(context)
	if ec == nil {
		ec = map[string]string{}
	}
	ec[cekContextKey] = suite.contentAlgorithm()
	out, err := k.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId: aws.String(k.keyID), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec,
	})
	if err != nil {
		return nil, fmt.Errorf("cse: KMS GenerateDataKey: %w", err)
	}
	if len(out.Plaintext) != dataKeySize || len(out.CiphertextBlob) == 0 {
		return nil, errors.New("cse: KMS GenerateDataKey returned no 32-byte key")
	}
	return &DataKey{Plaintext: out.Plaintext, WrappedKey: WrappedKey{
		Ciphertext: out.CiphertextBlob, Algorithm: WrapKMSContext, Description: ec, Suite: suite,
	}}, nil
}

// UnwrapKey calls Decrypt with the stored encryption context, after checking that the
// context's aws:x-amz-cek-alg names the object's content algorithm. KMS's
// IncorrectKeyException becomes ErrWrongKey and InvalidCiphertextException (an altered
// wrapped key or context) ErrAuthentication.
func (k *KMSKeyring) UnwrapKey(ctx context.Context, key *WrappedKey) ([]byte, error) {
	if key.Algorithm != WrapKMSContext {
		return nil, ErrWrongKey
	}
	if key.Description[cekContextKey] != key.Suite.contentAlgorithm() {
		return nil, ErrAuthentication
	}
	in := &kms.DecryptInput{CiphertextBlob: key.Ciphertext, EncryptionContext: key.Description}
	if k.keyID != "" {
		in.KeyId = aws.String(k.keyID)
	}
	out, err := k.client.Decrypt(ctx, in)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			switch ae.ErrorCode() {
			case "IncorrectKeyException":
				return nil, fmt.Errorf("%w: KMS says the data key is under another KMS key", ErrWrongKey)
			case "InvalidCiphertextException":
				return nil, fmt.Errorf("%w: KMS rejected the wrapped key or its encryption context", ErrAuthentication)
			}
		}
		return nil, fmt.Errorf("cse: KMS Decrypt: %w", err)
	}
	if len(out.Plaintext) != dataKeySize {
		return nil, ErrAuthentication
	}
	return out.Plaintext, nil
}
