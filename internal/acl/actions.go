package acl

// bucketPermissions is the permission a bucket ACL must grant for each action it governs,
// as S3 maps them: READ lists the bucket; WRITE creates, overwrites and deletes its
// objects; READ_ACP and WRITE_ACP read and write the bucket's ACL.
var bucketPermissions = map[string]Permission{
	"s3:ListBucket":                 Read,
	"s3:ListBucketVersions":         Read,
	"s3:ListBucketMultipartUploads": Read,
	"s3:PutObject":                  Write,
	"s3:DeleteObject":               Write,
	"s3:GetBucketAcl":               ReadACP,
	"s3:PutBucketAcl":               WriteACP,
}

// objectPermissions is the permission an object ACL must grant for each action it
// governs: READ reads the object's data and metadata; READ_ACP and WRITE_ACP read and
// write the object's ACL (of the current or a named version).
var objectPermissions = map[string]Permission{
	"s3:GetObject":           Read,
	"s3:GetObjectVersion":    Read,
	"s3:GetObjectAcl":        ReadACP,
	"s3:GetObjectVersionAcl": ReadACP,
	"s3:PutObjectAcl":        WriteACP,
	"s3:PutObjectVersionAcl": WriteACP,
}

// BucketPermission is the permission a bucket ACL grant must give for action (false: a
// bucket ACL never allows action).
func BucketPermission(action string) (Permission, bool) {
	p, ok := bucketPermissions[action]
	return p, ok
}

// ObjectPermission is the permission an object ACL grant must give for action (false: an
// object ACL never allows action).
func ObjectPermission(action string) (Permission, bool) {
	p, ok := objectPermissions[action]
	return p, ok
}
