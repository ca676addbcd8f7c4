package apierr

import "github.com/arcastore/arca/internal/trails"

// Errors of per-account trails (issue 16): a trail's bucket must be its own account's.
// CloudTrail answers InsufficientS3BucketPolicyException when the bucket's policy does not
// let it write; Arca has no such policy to consult and refuses another account's bucket.
func init() {
	trailMappings = append(trailMappings,
		jsonMapping{trails.ErrBucketPolicy, NewJSON("InsufficientS3BucketPolicyException", 400, "")})
}
