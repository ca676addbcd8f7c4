package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
)

type encryptIn struct {
	KeyId               string
	Plaintext           []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	EncryptionAlgorithm string
	DryRun              bool
}

type encryptOut struct {
	CiphertextBlob      []byte
	KeyId               string
	EncryptionAlgorithm string
}

func encrypt(ctx context.Context, s *kms.Service, p kms.Principal, in *encryptIn) (any, error) {
	if in.Plaintext == nil {
		return nil, required("plaintext")
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, kms.ErrDryRun
	}
	blob, arn, err := s.Encrypt(ctx, p, in.KeyId, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return encryptOut{CiphertextBlob: blob, KeyId: arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}

type decryptIn struct {
	CiphertextBlob      []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	KeyId               string
	EncryptionAlgorithm string
	Recipient           *struct{}
	DryRun              bool
}

type decryptOut struct {
	KeyId               string
	Plaintext           []byte
	EncryptionAlgorithm string
	KeyMaterialId       string
}

func decrypt(ctx context.Context, s *kms.Service, p kms.Principal, in *decryptIn) (any, error) {
	if in.CiphertextBlob == nil {
		return nil, required("ciphertextBlob")
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, errs.New(kms.ErrUnsupported, "Recipient (Nitro Enclaves attestation) is not supported.")
	}
	if in.DryRun {
		return nil, kms.ErrDryRun
	}
	d, err := s.DecryptWithKeyID(ctx, p, in.CiphertextBlob, in.EncryptionContext, in.KeyId)
	if err != nil {
		return nil, err
	}
	return decryptOut{KeyId: d.KeyARN, Plaintext: d.Plaintext, EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
		KeyMaterialId: d.KeyMaterialID}, nil
}

type reEncryptIn struct {
	CiphertextBlob                 []byte
	SourceEncryptionContext        map[string]string
	SourceKeyId                    string
	DestinationKeyId               string
	DestinationEncryptionContext   map[string]string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
	GrantTokens                    []string
	DryRun                         bool
}

type reEncryptOut struct {
	CiphertextBlob                 []byte
	SourceKeyId                    string
	KeyId                          string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
	SourceKeyMaterialId            string
	DestinationKeyMaterialId       string
}

func reEncrypt(ctx context.Context, s *kms.Service, p kms.Principal, in *reEncryptIn) (any, error) {
	if in.CiphertextBlob == nil {
		return nil, required("ciphertextBlob")
	}
	if in.DestinationKeyId == "" {
		return nil, required("destinationKeyId")
	}
	for _, alg := range []string{in.SourceEncryptionAlgorithm, in.DestinationEncryptionAlgorithm} {
		if err := checkAlgorithm(alg); err != nil {
			return nil, err
		}
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, kms.ErrDryRun
	}
	r, err := s.ReEncrypt(ctx, p, in.CiphertextBlob, in.SourceEncryptionContext, in.SourceKeyId,
		in.DestinationKeyId, in.DestinationEncryptionContext)
	if err != nil {
		return nil, err
	}
	return reEncryptOut{CiphertextBlob: r.Ciphertext, SourceKeyId: r.SourceKeyARN, KeyId: r.KeyARN,
		SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT", DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
		SourceKeyMaterialId: r.SourceMaterialID, DestinationKeyMaterialId: r.MaterialID}, nil
}

type generateDataKeyIn struct {
	KeyId             string
	EncryptionContext map[string]string
	NumberOfBytes     *int
	KeySpec           string
	GrantTokens       []string
	Recipient         *struct{}
	DryRun            bool
}

type generateDataKeyOut struct {
	CiphertextBlob []byte
	Plaintext      []byte `json:",omitempty"`
	KeyId          string
	KeyMaterialId  string
}

// size resolves NumberOfBytes/KeySpec: exactly one must be given.
func (in *generateDataKeyIn) size() (int, error) {
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "":
		return 0, errs.New(kms.ErrValidation, "Please specify either number of bytes or key spec.")
	case in.NumberOfBytes != nil:
		return *in.NumberOfBytes, nil
	case in.KeySpec == "AES_256":
		return 32, nil
	case in.KeySpec == "AES_128":
		return 16, nil
	case in.KeySpec != "":
		return 0, errs.New(kms.ErrValidation, "1 validation error detected: Value '"+in.KeySpec+
			"' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")
	}
	return 0, errs.New(kms.ErrValidation, "Please specify either number of bytes or key spec.")
}

func (in *generateDataKeyIn) check() (int, error) {
	n, err := in.size()
	if err != nil {
		return 0, err
	}
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return 0, err
	}
	if in.Recipient != nil {
		return 0, errs.New(kms.ErrUnsupported, "Recipient (Nitro Enclaves attestation) is not supported.")
	}
	if in.DryRun {
		return 0, kms.ErrDryRun
	}
	return n, nil
}

func generateDataKey(ctx context.Context, s *kms.Service, p kms.Principal, in *generateDataKeyIn) (any, error) {
	n, err := in.check()
	if err != nil {
		return nil, err
	}
	dk, err := s.GenerateDataKey(ctx, p, in.KeyId, in.EncryptionContext, n)
	if err != nil {
		return nil, err
	}
	return generateDataKeyOut{CiphertextBlob: dk.Ciphertext, Plaintext: dk.Plaintext, KeyId: dk.KeyARN,
		KeyMaterialId: dk.KeyMaterialID}, nil
}

func generateDataKeyWithoutPlaintext(ctx context.Context, s *kms.Service, p kms.Principal, in *generateDataKeyIn) (any, error) {
	in.Recipient = nil
	n, err := in.check()
	if err != nil {
		return nil, err
	}
	dk, err := s.GenerateDataKeyWithoutPlaintext(ctx, p, in.KeyId, in.EncryptionContext, n)
	if err != nil {
		return nil, err
	}
	return generateDataKeyOut{CiphertextBlob: dk.Ciphertext, KeyId: dk.KeyARN, KeyMaterialId: dk.KeyMaterialID}, nil
}

type generateRandomIn struct {
	NumberOfBytes    *int
	CustomKeyStoreId string
	Recipient        *struct{}
}

type generateRandomOut struct{ Plaintext []byte }

func generateRandom(ctx context.Context, s *kms.Service, p kms.Principal, in *generateRandomIn) (any, error) {
	if in.NumberOfBytes == nil {
		return nil, errs.New(kms.ErrValidation, "NumberOfBytes is required.")
	}
	if in.CustomKeyStoreId != "" {
		return nil, errs.New(kms.ErrUnsupported, "Custom key stores are not supported.")
	}
	if in.Recipient != nil {
		return nil, errs.New(kms.ErrUnsupported, "Recipient (Nitro Enclaves attestation) is not supported.")
	}
	b, err := s.GenerateRandom(ctx, p, *in.NumberOfBytes)
	if err != nil {
		return nil, err
	}
	return generateRandomOut{b}, nil
}
