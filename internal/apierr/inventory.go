package apierr

import "github.com/arcastore/arca/internal/inventory"

// S3 Inventory configuration errors (docs/INVENTORY.md), in S3's words; the message an
// inventory error carries replaces the default.
var (
	// NoSuchConfiguration: Get or Delete of an inventory configuration the bucket does not
	// have.
	NoSuchConfiguration = def("NoSuchConfiguration", 404, "The specified configuration does not exist.")
	// TooManyConfigurations: a bucket's 1,001st inventory configuration.
	TooManyConfigurations = def("TooManyConfigurations", 400, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")
	// IdMismatch: the Id of the document is not the ?id= of the request.
	IdMismatch = def("IdMismatch", 400, "Document ID does not match the specified configuration ID.")
	// InvalidS3DestinationBucket: an inventory destination that is not arn:aws:s3:::<bucket>.
	InvalidS3DestinationBucket = def("InvalidS3DestinationBucket", 400, "Invalid bucket ARN.")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{inventory.ErrMalformed, fixed(MalformedXML)},
		mapping{inventory.ErrIDMismatch, IdMismatch},
		mapping{inventory.ErrInvalidDestination, InvalidS3DestinationBucket},
		mapping{inventory.ErrNoSuchConfiguration, NoSuchConfiguration},
		mapping{inventory.ErrTooMany, TooManyConfigurations},
		mapping{inventory.ErrInvalidArgument, InvalidArgument})
}
