package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/arcastore/arca/internal/durable"
	"io/fs"
	"math/big"
	"os"
	"strings"

	"github.com/arcastore/arca/internal/sigv4"
)

// identity is the account this server is: created on first start, then kept.
type identity struct {
	AccountID string `json:"account_id"`
	// OwnerID is the 64-hex canonical user id S3 shows as bucket and object owner.
	OwnerID string `json:"owner_id"`
}

// loadIdentity reads the identity at path, creating it on first start.
func loadIdentity(path string) (identity, error) {
	var id identity
	data, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(data, &id); err != nil || len(id.AccountID) != 12 {
			return id, fmt.Errorf("%s is damaged: %v", path, err)
		}
		return id, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return id, err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(9e11))
	if err != nil {
		return id, err
	}
	id.AccountID = fmt.Sprintf("%012d", n.Int64()+1e11)
	sum := sha256.Sum256([]byte("arca-owner/" + id.AccountID))
	id.OwnerID = hex.EncodeToString(sum[:])
	data, _ = json.MarshalIndent(id, "", "  ")
	return id, durable.WriteFile(path, data, 0o600)
}

// rootCredentials are the account root's access key pair.
type rootCredentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// loadRootCredentials returns the configured pair or, when none is configured, the pair
// stored at path, generating it on first start (generated reports that).
func loadRootCredentials(path, ak, sk string) (c rootCredentials, generated bool, err error) {
	if ak != "" {
		return rootCredentials{ak, sk}, false, nil
	}
	data, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(data, &c); err != nil || c.AccessKeyID == "" {
			return c, false, fmt.Errorf("%s is damaged", path)
		}
		return c, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return c, false, err
	}
	c.AccessKeyID = "AKIA" + randomUpper(16)
	var sb [30]byte
	rand.Read(sb[:])
	c.SecretAccessKey = strings.NewReplacer("+", "A", "/", "z").Replace(base64.StdEncoding.EncodeToString(sb[:]))
	data, _ = json.MarshalIndent(c, "", "  ")
	return c, true, durable.WriteFile(path, data, 0o600)
}

// replacedRootKey returns the access key id of root credentials generated on an earlier
// start and kept at path when the configured access key ak replaces them ("" when none are
// kept, or they are the same key). Their holders' requests now fail: the server says so.
func replacedRootKey(path, ak string) string {
	if ak == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var c rootCredentials
	if json.Unmarshal(data, &c) != nil || c.AccessKeyID == "" || c.AccessKeyID == ak {
		return ""
	}
	return c.AccessKeyID
}

func randomUpper(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// credentialStore resolves access keys for SigV4 (see Lookup in iam.go): every account's
// root, then IAM users' keys (accounts.go).
type credentialStore struct {
	accounts *accountSet
}

var _ sigv4.Credentials = (*credentialStore)(nil)
