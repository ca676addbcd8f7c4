package apierr

import (
	"errors"

	"github.com/arcastore/arca/internal/sigv4"
)

// The POST Object form's authentication errors (sigv4.VerifyPostPolicy; docs/AUTH.md).
func init() {
	s3Mappings = append(s3Mappings,
		mapping{sigv4.ErrPostFieldMissing, InvalidArgument},
		mapping{sigv4.ErrPostUnsigned, AccessDenied},
	)
}

// postFieldExtra adds ArgumentName and an empty ArgumentValue to a missing POST field
// error, as S3 sends them.
func postFieldExtra(w *Error) {
	var pfe *sigv4.PostFieldError
	if errors.As(w.Cause, &pfe) {
		w.Extra = append(w.Extra, Field{"ArgumentName", pfe.Field}, Field{"ArgumentValue", ""})
	}
}
