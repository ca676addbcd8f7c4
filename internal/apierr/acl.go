package apierr

import "github.com/arcastore/arca/internal/acl"

// Object Ownership and ACL errors (docs/ACL.md), with AWS's codes, statuses and messages.
var (
	// OwnershipControlsNotFound: GetBucketOwnershipControls on a bucket that has none.
	OwnershipControlsNotFound = def("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")
	// InvalidBucketAclWithObjectOwnership: an ACL granting more than the owner given to
	// CreateBucket (or PutBucketOwnershipControls over such an ACL) under
	// BucketOwnerEnforced.
	InvalidBucketAclWithObjectOwnership = def("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	// MalformedACL: an AccessControlPolicy body that does not parse or validate.
	MalformedACL = def("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema")
	// UnresolvableGrantByEmail: a grantee named by e-mail address.
	UnresolvableGrantByEmail = def("UnresolvableGrantByEmailAddress", 400, "The e-mail address you provided does not match any account on record.")
	// CannedAndGrants: x-amz-acl together with x-amz-grant-* headers.
	CannedAndGrants = InvalidRequest.Msg("Specifying both Canned ACLs and Header Grants is not allowed")
	// ACLHeadersAndBody: PutBucketAcl/PutObjectAcl with both ACL headers and a body.
	ACLHeadersAndBody = def("UnexpectedContent", 400, "This request does not support content")
	// MissingACL: PutBucketAcl/PutObjectAcl with neither ACL headers nor a body.
	MissingACL = MissingSecurityHeader.With("MissingHeaderName", "x-amz-acl")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{acl.ErrMalformed, MalformedACL},
		mapping{acl.ErrTooManyGrants, MalformedACL},
		mapping{acl.ErrInvalidID, InvalidArgument.Msg("Invalid id").Arg("CanonicalUser/ID", "")},
		mapping{acl.ErrInvalidGroup, InvalidArgument.Msg("Invalid group uri").Arg("Group/URI", "")},
		mapping{acl.ErrEmailGrantee, UnresolvableGrantByEmail},
		mapping{acl.ErrInvalidCanned, InvalidArgument.Arg("x-amz-acl", "")},
		mapping{acl.ErrInvalidHeader, InvalidArgument.Msg("Invalid grant header")})
}
