package apierr

import "github.com/arcastore/arca/internal/object"

// The checksum rules of CompleteMultipartUpload (docs/CHECKSUMS.md); the object engine's
// errors carry S3's message.
func init() {
	s3Mappings = append(s3Mappings,
		// A COMPOSITE upload's complete request without a part's checksum.
		mapping{object.ErrChecksumPartMissing, InvalidRequest},
		// x-amz-checksum-type on the complete request other than the upload's: S3
		// documents BadDigest.
		mapping{object.ErrChecksumTypeDiffers, BadDigest},
	)
}
