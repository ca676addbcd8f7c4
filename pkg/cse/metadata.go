package cse

import (
	"encoding/base64"
	"fmt"
	"strconv"
)

// Metadata map keys (stored as user metadata, so S3 shows them as x-amz-meta-<key>).
const (
	mdKeyV1       = "x-amz-key" // V1 only: never written, refused on read
	mdKeyV2       = "x-amz-key-v2"
	mdIV          = "x-amz-iv"
	mdMatDesc     = "x-amz-matdesc"
	mdWrapAlg     = "x-amz-wrap-alg"
	mdCEKAlg      = "x-amz-cek-alg"
	mdTagLen      = "x-amz-tag-len"
	mdPlainLen    = "x-amz-unencrypted-content-length"
	mdContentV3   = "x-amz-c"
	mdKeyV3       = "x-amz-3"
	mdMatDescV3   = "x-amz-m"
	mdContextV3   = "x-amz-t"
	mdWrapV3      = "x-amz-w"
	mdCommitV3    = "x-amz-d"
	mdMessageIDV3 = "x-amz-i"

	// InstructionSuffix is appended to an object's key to name its instruction file.
	InstructionSuffix = ".instruction"
)

// Wrapping algorithms, as stored in x-amz-wrap-alg (V2); V3 stores the two-digit codes.
const (
	WrapKMSContext = "kms+context"
	WrapAESGCM     = "AES/GCM"
	WrapRSAOAEP    = "RSA-OAEP-SHA1"
)

var wrapToV3 = map[string]string{WrapAESGCM: "02", WrapKMSContext: "12", WrapRSAOAEP: "22"}

var wrapFromV3 = map[string]string{"02": WrapAESGCM, "12": WrapKMSContext, "22": WrapRSAOAEP}

// legacyWraps are wrapping algorithms other clients may have written that this package
// recognises but does not decrypt.
var legacyWraps = map[string]bool{
	"kms": true, "AESWrap": true, "AES": true, "RSA": true, "RSA/ECB/OAEPWithSHA-256AndMGF1Padding": true,
}

// Format is the version of an object's metadata layout.
type Format int

const (
	// FormatV2 is the layout of SuiteGCM objects (x-amz-key-v2, x-amz-iv, ...).
	FormatV2 Format = 2
	// FormatV3 is the compressed layout of SuiteCommittingGCM objects (x-amz-3, x-amz-d, ...).
	FormatV3 Format = 3
)

// envelope is everything an object's encryption metadata says, in either format.
type envelope struct {
	key WrappedKey
	// nonce is the content IV (V2, 12 bytes) or the message ID (V3, 28 bytes).
	nonce []byte
	// commitment is the V3 key commitment.
	commitment []byte
	// plainLen is x-amz-unencrypted-content-length, or -1 when absent (always, in V3).
	plainLen int64
	// instruction reports that the data-key fields live in the instruction file.
	instruction bool
}

func (e *envelope) format() Format {
	if e.key.Suite == SuiteCommittingGCM {
		return FormatV3
	}
	return FormatV2
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// maps returns the metadata to store: object holds user-metadata entries, and instr the
// instruction file's entries (nil unless e.instruction). In V2 an instruction file takes
// every entry; in V3 the content entries (c, d, i) stay with the object.
func (e *envelope) maps() (object, instr map[string]string, err error) {
	desc, err := encodeDescription(e.key.Description)
	if err != nil {
		return nil, nil, err
	}
	content, keyed := map[string]string{}, map[string]string{}
	switch e.key.Suite {
	case SuiteGCM:
		keyed[mdKeyV2] = b64(e.key.Ciphertext)
		keyed[mdIV] = b64(e.nonce)
		keyed[mdMatDesc] = desc
		keyed[mdWrapAlg] = e.key.Algorithm
		keyed[mdCEKAlg] = cekGCM
		keyed[mdTagLen] = "128"
		if e.plainLen >= 0 {
			keyed[mdPlainLen] = strconv.FormatInt(e.plainLen, 10)
		}
	case SuiteCommittingGCM:
		code, ok := wrapToV3[e.key.Algorithm]
		if !ok {
			return nil, nil, fmt.Errorf("cse: wrapping algorithm %q has no V3 code", e.key.Algorithm)
		}
		content[mdContentV3] = cekCommitting
		content[mdCommitV3] = b64(e.commitment)
		content[mdMessageIDV3] = b64(e.nonce)
		keyed[mdKeyV3] = b64(e.key.Ciphertext)
		keyed[mdWrapV3] = code
		if e.key.Algorithm == WrapKMSContext {
			keyed[mdContextV3] = desc
		} else {
			keyed[mdMatDescV3] = desc
		}
	default:
		return nil, nil, fmt.Errorf("cse: cannot write %v", e.key.Suite)
	}
	if e.instruction {
		return content, keyed, nil
	}
	for k, v := range keyed {
		content[k] = v
	}
	return content, nil, nil
}

func (f Format) String() string {
	switch f {
	case FormatV2:
		return "V2"
	case FormatV3:
		return "V3"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}
