package apierr

import "github.com/arcastore/arca/internal/cors"

// CORS errors (docs/CORS.md), in S3's words.
var (
	// NoSuchCORSConfiguration: GetBucketCors of a bucket without one.
	NoSuchCORSConfiguration = def("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist")
	// AccessForbidden is S3's refusal of a preflight request; the preflight handler adds
	// Method and ResourceType.
	AccessForbidden = def("AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	// CORSNotEnabled: a preflight request to a bucket without a CORS configuration.
	CORSNotEnabled = AccessForbidden.Msg("CORSResponse: CORS is not enabled for this bucket.")
	// CORSBucketNotFound: a preflight request to a bucket that does not exist.
	CORSBucketNotFound = AccessForbidden.Msg("CORSResponse: Bucket not found")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{cors.ErrMalformed, MalformedXML},
		mapping{cors.ErrInvalid, InvalidRequest},
		mapping{cors.ErrNoOrigin, BadRequest.Msg("Insufficient information. Origin request header needed.")},
		mapping{cors.ErrBadMethod, BadRequest},
		mapping{cors.ErrNotEnabled, CORSNotEnabled},
		mapping{cors.ErrNotAllowed, AccessForbidden})
}
