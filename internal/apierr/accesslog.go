package apierr

import "github.com/arcastore/arca/internal/accesslog"

// Server access logging errors (docs/ACCESS-LOGS.md), in S3's words; the message an
// accesslog error carries replaces the default.
var (
	// InvalidTargetBucketForLogging: the target bucket does not exist, has another owner,
	// or does not let the logging service write.
	InvalidTargetBucketForLogging = def("InvalidTargetBucketForLogging", 400, "The target bucket for logging does not exist")
	// CrossLocationLoggingProhibited: the target bucket is in another region.
	CrossLocationLoggingProhibited = def("CrossLocationLoggingProhibited", 403, "Cross S3 location logging not allowed. ")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{accesslog.ErrMalformed, fixed(MalformedXML)},
		mapping{accesslog.ErrInvalidTarget, InvalidTargetBucketForLogging},
		mapping{accesslog.ErrCrossLocation, CrossLocationLoggingProhibited},
		mapping{accesslog.ErrGrantsNotAllowed, ACLNotSupported},
		mapping{accesslog.ErrInvalidArgument, InvalidArgument})
}
