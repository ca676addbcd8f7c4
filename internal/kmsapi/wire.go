package kmsapi

import (
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
)

// epoch is a timestamp on the wire: seconds since 1970 as a JSON number.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type keyMetadata struct {
	AWSAccountId                string
	KeyId                       string
	Arn                         string
	CreationDate                epoch
	Enabled                     bool
	Description                 string
	KeyUsage                    string
	KeyState                    string
	DeletionDate                *epoch `json:",omitempty"`
	PendingDeletionWindowInDays int    `json:",omitempty"`
	Origin                      string
	KeyManager                  string
	CustomerMasterKeySpec       string
	KeySpec                     string
	EncryptionAlgorithms        []string
	MultiRegion                 bool
	CurrentKeyMaterialId        string
}

var symmetricAlgorithms = []string{"SYMMETRIC_DEFAULT"}

func toKeyMetadata(m kms.KeyMetadata) *keyMetadata {
	return &keyMetadata{AWSAccountId: m.AccountID, KeyId: m.KeyID, Arn: m.ARN, CreationDate: epoch(m.CreationDate),
		Enabled: m.Enabled, Description: m.Description, KeyUsage: "ENCRYPT_DECRYPT", KeyState: m.KeyState,
		DeletionDate: epochPtr(m.DeletionDate), PendingDeletionWindowInDays: m.PendingWindow, Origin: "AWS_KMS",
		KeyManager: m.KeyManager, CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
		EncryptionAlgorithms: symmetricAlgorithms, CurrentKeyMaterialId: m.CurrentKeyMaterialID}
}

type keyMetadataOut struct{ KeyMetadata *keyMetadata }

type wireTag struct {
	TagKey   string
	TagValue string
}

func fromWireTags(in []wireTag) []kms.Tag {
	out := make([]kms.Tag, len(in))
	for i, t := range in {
		out[i] = kms.Tag{Key: t.TagKey, Value: t.TagValue}
	}
	return out
}

// paging is the Limit/Marker pair of list requests.
type paging struct {
	Limit  *int
	Marker string
}

func (p paging) page() (kms.Page, error) {
	pg := kms.Page{Marker: p.Marker}
	if p.Limit != nil {
		if err := kms.CheckLimit(*p.Limit, 1000); err != nil {
			return pg, err
		}
		pg.Limit = *p.Limit
	}
	return pg, nil
}

// listOut is the NextMarker/Truncated pair of list responses.
type listOut struct {
	NextMarker string `json:",omitempty"`
	Truncated  bool
}

func more(next string) listOut { return listOut{NextMarker: next, Truncated: next != ""} }

func checkAlgorithm(alg string) error {
	switch alg {
	case "", "SYMMETRIC_DEFAULT":
		return nil
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		return errs.New(kms.ErrInvalidKeyUsage, "The encryption algorithm "+alg+" is not supported by SYMMETRIC_DEFAULT keys.")
	}
	return errs.New(kms.ErrValidation, "1 validation error detected: Value '"+alg+
		"' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")
}

func checkGrantTokens(t []string) error {
	if len(t) > 10 {
		return errs.New(kms.ErrValidation, "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	return nil
}

func required(field string) error {
	return errs.New(kms.ErrValidation, "1 validation error detected: Value null at '"+field+"' failed to satisfy constraint: Member must not be null")
}
