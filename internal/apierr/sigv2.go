package apierr

import (
	"errors"

	"github.com/arcastore/arca/internal/sigv4"
)

// The Signature Version 2 and POST Object form authentication errors (sigv4.Verify,
// sigv4.VerifyPostPolicy; docs/AUTH.md). Their messages travel in the errors.
func init() {
	s3Mappings = append(s3Mappings,
		mapping{sigv4.ErrPostFieldMissing, InvalidArgument},
		mapping{sigv4.ErrPostUnsigned, AccessDenied},
		mapping{sigv4.ErrInvalidArgument, InvalidArgument},
		mapping{sigv4.ErrQueryAuthV2, AccessDenied},
	)
}

// postFieldExtra adds ArgumentName and ArgumentValue to a missing POST field error (empty
// value) or a malformed SigV2 Authorization header, as S3 sends them.
func postFieldExtra(w *Error) {
	var pfe *sigv4.PostFieldError
	var ae *sigv4.ArgumentError
	switch {
	case errors.As(w.Cause, &pfe):
		w.Extra = append(w.Extra, Field{"ArgumentName", pfe.Field}, Field{"ArgumentValue", ""})
	case errors.As(w.Cause, &ae):
		w.Extra = append(w.Extra, Field{"ArgumentName", ae.Name}, Field{"ArgumentValue", ae.Value})
	}
}
