package cse

import (
	"crypto/hkdf"
	"crypto/sha512"
	"fmt"
	"strings"
)

// Suite is a content encryption algorithm suite of the S3 Encryption Client, named by its
// 16-bit identifier. Objects of SuiteGCM use the V2 metadata format; objects of
// SuiteCommittingGCM use the V3 format.
type Suite uint16

const (
	// SuiteGCM is ALG_AES_256_GCM_IV12_TAG16_NO_KDF (0x0072, "AES/GCM/NoPadding"): AES-256-GCM
	// under the data key itself with a random 12-byte IV and no additional data. Every S3
	// Encryption Client since V2 reads it.
	SuiteGCM Suite = 0x0072
	// SuiteCommittingGCM is ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY (0x0073, "115"): the
	// content key and a 28-byte key commitment are derived from the data key with
	// HKDF-SHA512, salted by a random 28-byte message ID; the IV is twelve 0x01 bytes and
	// the additional data is the suite ID. A reader checks the commitment before
	// decrypting, so one ciphertext can never decrypt to two plaintexts. Read by the Go
	// client from v3.2.0 and by every V4 client.
	SuiteCommittingGCM Suite = 0x0073
)

// Sizes fixed by the suites.
const (
	dataKeySize    = 32
	ivSize         = 12 // SuiteGCM's content IV
	messageIDSize  = 28 // SuiteCommittingGCM's message ID (HKDF salt)
	commitmentSize = 28
	tagSize        = 16
)

// cekGCM and cekCommitting are the suites' content encryption algorithm names, as stored
// in x-amz-cek-alg / x-amz-c and in the KMS encryption context.
const (
	cekGCM        = "AES/GCM/NoPadding"
	cekCommitting = "115"
)

// cipherName is what raw keyrings bind the wrapped data key to (the AAD of AES/GCM
// wrapping, the suffix of the RSA-OAEP pseudo data key). The official clients use the
// suite's JCE cipher name, which is AES/GCM/NoPadding for both suites.
const cipherName = cekGCM

func (s Suite) String() string {
	switch s {
	case SuiteGCM:
		return "ALG_AES_256_GCM_IV12_TAG16_NO_KDF"
	case SuiteCommittingGCM:
		return "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY"
	}
	return fmt.Sprintf("Suite(0x%04x)", uint16(s))
}

// Committing reports whether the suite commits to its data key.
func (s Suite) Committing() bool { return s == SuiteCommittingGCM }

// contentAlgorithm is the suite's x-amz-cek-alg / x-amz-c value.
func (s Suite) contentAlgorithm() string {
	if s == SuiteCommittingGCM {
		return cekCommitting
	}
	return cekGCM
}

// CommitmentPolicy decides which suites a Client writes and reads, as the official S3
// Encryption Clients define it.
type CommitmentPolicy int

const (
	// ForbidEncryptAllowDecrypt writes SuiteGCM (V2), which every V2, V3 and V4 client
	// reads, and reads both suites. It is the official Go V3 client's default.
	ForbidEncryptAllowDecrypt CommitmentPolicy = iota + 1
	// RequireEncryptAllowDecrypt writes SuiteCommittingGCM (V3) and reads both suites.
	// It is this package's default (the zero CommitmentPolicy).
	RequireEncryptAllowDecrypt
	// RequireEncryptRequireDecrypt writes SuiteCommittingGCM and refuses to read
	// SuiteGCM objects, whose data key could have been swapped through an instruction
	// file. It is the official V4 clients' default.
	RequireEncryptRequireDecrypt
)

var policyNames = map[CommitmentPolicy]string{
	ForbidEncryptAllowDecrypt:    "FORBID_ENCRYPT_ALLOW_DECRYPT",
	RequireEncryptAllowDecrypt:   "REQUIRE_ENCRYPT_ALLOW_DECRYPT",
	RequireEncryptRequireDecrypt: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT",
}

func (p CommitmentPolicy) String() string {
	if n, ok := policyNames[p.orDefault()]; ok {
		return n
	}
	return fmt.Sprintf("CommitmentPolicy(%d)", int(p))
}

// ParseCommitmentPolicy reads a policy by its official name, in any case.
func ParseCommitmentPolicy(s string) (CommitmentPolicy, error) {
	for p, n := range policyNames {
		if strings.EqualFold(s, n) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("cse: unknown commitment policy %q (want FORBID_ENCRYPT_ALLOW_DECRYPT, "+
		"REQUIRE_ENCRYPT_ALLOW_DECRYPT or REQUIRE_ENCRYPT_REQUIRE_DECRYPT)", s)
}

func (p CommitmentPolicy) orDefault() CommitmentPolicy {
	if p == 0 {
		return RequireEncryptAllowDecrypt
	}
	return p
}

func (p CommitmentPolicy) valid() bool { _, ok := policyNames[p.orDefault()]; return ok }

// writeSuite is the suite new objects are encrypted with.
func (p CommitmentPolicy) writeSuite() Suite {
	if p.orDefault() == ForbidEncryptAllowDecrypt {
		return SuiteGCM
	}
	return SuiteCommittingGCM
}

// allowsRead reports whether objects of suite s may be decrypted.
func (p CommitmentPolicy) allowsRead(s Suite) bool {
	return s.Committing() || p.orDefault() != RequireEncryptRequireDecrypt
}

// committingIV is SuiteCommittingGCM's fixed content IV, and committingAAD its additional
// data (the suite ID, big-endian).
var (
	committingIV  = []byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	committingAAD = []byte{0x00, 0x73}
)

// hkdfPRK is HKDF-Extract with SHA-512 over the data key, salted by the message ID.
func hkdfPRK(dataKey, messageID []byte) ([]byte, error) {
	return hkdf.Extract(sha512.New, dataKey, messageID)
}

// hkdfExpand derives length bytes for label ("COMMITKEY" or "DERIVEKEY"); the info is
// the suite ID followed by the label.
func hkdfExpand(prk []byte, label string, length int) ([]byte, error) {
	return hkdf.Expand(sha512.New, prk, string(committingAAD)+label, length)
}

// commitKey is the key commitment of dataKey under messageID.
func commitKey(prk []byte) ([]byte, error) { return hkdfExpand(prk, "COMMITKEY", commitmentSize) }

// contentKey is the AES-256 key that encrypts SuiteCommittingGCM content.
func contentKey(prk []byte) ([]byte, error) { return hkdfExpand(prk, "DERIVEKEY", dataKeySize) }
