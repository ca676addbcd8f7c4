package acl

// Object Ownership settings (PutBucketOwnershipControls).
const (
	// ObjectWriter: the writing account owns an object; ACLs are enabled.
	ObjectWriter = "ObjectWriter"
	// BucketOwnerPreferred: the bucket owner owns objects written with
	// bucket-owner-full-control; ACLs are enabled.
	BucketOwnerPreferred = "BucketOwnerPreferred"
	// BucketOwnerEnforced: the bucket owner owns every object; ACLs are disabled (S3's
	// default for new buckets since April 2023).
	BucketOwnerEnforced = "BucketOwnerEnforced"
)

// Ownerships is every Object Ownership setting.
var Ownerships = []string{BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter}

// Enabled reports whether ACLs affect access under ownership ("" = no ownership controls,
// a bucket created before they existed: ObjectWriter, as on S3).
func Enabled(ownership string) bool { return ownership != BucketOwnerEnforced }

// ObjectOwner is who owns an object that writer's account writes with canned ACL canned
// ("" if none) in a bucket owned by bucketOwner under ownership: the bucket owner under
// BucketOwnerEnforced, and under BucketOwnerPreferred when the write says
// bucket-owner-full-control; the writer otherwise.
func ObjectOwner(ownership, writer, bucketOwner, canned string) string {
	switch {
	case ownership == BucketOwnerEnforced:
		return bucketOwner
	case ownership == BucketOwnerPreferred && canned == CannedBucketOwnerFullControl:
		return bucketOwner
	}
	return writer
}
