package apierr

import "github.com/arcastore/arca/internal/meta"

// Object Lock's refusals, in S3's words.
var (
	// ObjectLocked: removing or weakening the protection of a locked version.
	ObjectLocked = AccessDenied.Msg("Access Denied because object protected by object lock.")
	// LockNotEnabled: lock settings on a bucket without Object Lock.
	LockNotEnabled = InvalidRequest.Msg("Bucket is missing Object Lock Configuration")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{meta.ErrObjectLocked, ObjectLocked},
		mapping{meta.ErrLockNotEnabled, LockNotEnabled})
}
