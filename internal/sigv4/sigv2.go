package sigv4

import "strconv"

// SignatureVersion says which AWS signature version authenticated a request.
type SignatureVersion int

const (
	SigNone SignatureVersion = iota // anonymous
	SigV4                           // AWS4-HMAC-SHA256
	SigV2                           // HMAC-SHA1, "AWS AKID:sig" or AWSAccessKeyId/Signature/Expires
)

// String is CloudTrail's additionalEventData.SignatureVersion value ("SigV4", "SigV2"),
// "" for SigNone.
func (s SignatureVersion) String() string {
	switch s {
	case SigNone:
		return ""
	case SigV4:
		return "SigV4"
	case SigV2:
		return "SigV2"
	}
	return "SignatureVersion(" + strconv.Itoa(int(s)) + ")"
}
