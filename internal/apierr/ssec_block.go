package apierr

import "github.com/arcastore/arca/internal/object"

// SSE-C blocked per bucket (BlockedEncryptionTypes; docs/SSE.md).
var (
	// SSECBlocked (reference §1.4 #19): an SSE-C write (PutObject, CopyObject's destination,
	// CreateMultipartUpload, POST Object) to a bucket whose encryption configuration blocks
	// SSE-C. AWS documents the 403 AccessDenied and no text of its own; S3's generic
	// AccessDenied wording is what clients that test for the block see (and what they
	// report as giving no hint of the cause).
	SSECBlocked = AccessDenied.Msg("Access Denied")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{object.ErrSSECBlocked, SSECBlocked},
		// An EncryptionType other than SSE-C or NONE (or NONE with SSE-C) does not validate
		// against S3's schema, whose EncryptionType is an enumeration.
		mapping{object.ErrBlockedEncryptionType, MalformedXML},
	)
}
