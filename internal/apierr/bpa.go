package apierr

// S3 Block Public Access (docs/BPA.md).
var (
	// NoSuchPublicAccessBlockConfiguration answers a GetPublicAccessBlock (bucket or S3
	// Control account level) when none is set.
	NoSuchPublicAccessBlockConfiguration = def("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
	// InvalidAccountID answers an S3 Control request whose x-amz-account-id is missing or
	// not 12 digits.
	InvalidAccountID = def("InvalidRequest", 400, "Account ID is required and must be a 12-digit number.")
)

// InvalidBucketAclWithBlockPublicAccessError answers a CreateBucket whose ACL is public
// while BlockPublicAcls is in force (the new bucket's own, or its account's).
var InvalidBucketAclWithBlockPublicAccessError = def("InvalidBucketAclWithBlockPublicAccessError", 400,
	"Bucket cannot have public ACLs set with BlockPublicAccess enabled")
