package trails

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"sort"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/rootkey"
)

// StoredTrails reads every account's trails (without the built-in ones) from a store
// opened directly, read-only is enough (offline tools): the primary account's first, by
// name, then each other account's by account and name. So a trail named by its name alone
// is the primary account's; another account's is named by its ARN.
func StoredTrails(db kv.DB) ([]*Trail, error) {
	var all []*Trail
	err := db.View(func(tx kv.Tx) error {
		var err error
		all, err = loadAll(tx)
		return err
	})
	sortTrails(all)
	return all, err
}

// sortTrails orders trails by account (the primary account, stored as "", first) and name.
func sortTrails(all []*Trail) {
	sort.Slice(all, func(i, j int) bool {
		if all[i].Account != all[j].Account {
			return all[i].Account < all[j].Account
		}
		return all[i].Name < all[j].Name
	})
}

// StoredPublicKeys reads the digest signing keys' public halves from a store
// opened directly (offline tools), each valid from its creation to the next key's.
//
// A public key is only as trustworthy as the file it is read from, so each is checked
// against its private half: that must open with root (the seal binds it to the
// fingerprint) and have the same public key. Someone who can rewrite the metadata file
// but does not hold the root key therefore cannot substitute a key pair of their own.
// Keys that fail the check are left out and described in bad.
func StoredPublicKeys(db kv.DB, root *rootkey.Key) (keys []PublicKey, bad []string, err error) {
	var recs []*signingKey
	if err := db.View(func(tx kv.Tx) error {
		var err error
		recs, err = loadKeys(tx)
		return err
	}); err != nil {
		return nil, nil, err
	}
	for i, k := range recs {
		if msg := checkKeyPair(k, root); msg != "" {
			bad = append(bad, fmt.Sprintf("digest signing key %s: %s", k.Fingerprint, msg))
			continue
		}
		pk := PublicKey{DER: k.Public, Fingerprint: k.Fingerprint, Start: k.Created}
		if i+1 < len(recs) {
			pk.End = recs[i+1].Created
		}
		keys = append(keys, pk)
	}
	return keys, bad, nil
}

func checkKeyPair(k *signingKey, root *rootkey.Key) string {
	if Fingerprint(k.Public) != k.Fingerprint {
		return "its public key does not have its fingerprint"
	}
	der, err := root.Open(signingAAD(k.Fingerprint), k.Sealed)
	if err != nil {
		return "its private key does not open with this root key"
	}
	defer clear(der)
	priv, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return "its private key is damaged"
	}
	if !bytes.Equal(x509.MarshalPKCS1PublicKey(&priv.PublicKey), k.Public) {
		return "its public key is not the private key's"
	}
	return ""
}

// ValidateInputFor fills a ValidateInput from a stored trail: its ARN, name, account,
// home region, bucket, prefix and last digest.
func ValidateInputFor(t *Trail) (ValidateInput, error) {
	m := arnRE.FindStringSubmatch(t.ARN)
	if m == nil {
		return ValidateInput{}, fmt.Errorf("trails: trail %s has a damaged ARN %q", t.Name, t.ARN)
	}
	return ValidateInput{TrailARN: t.ARN, Name: t.Name, AccountID: m[2], Region: t.HomeRegion,
		Bucket: t.Bucket, Prefix: t.Prefix, Head: t.Prev}, nil
}
