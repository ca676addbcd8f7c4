package apierr

// Buckets across accounts (docs/POLICY.md).

// InvalidBucketOwnerAWSAccountID answers an x-amz-expected-bucket-owner (or
// x-amz-source-expected-bucket-owner) that is not a 12-digit account id; the caller appends
// " [value]".
var InvalidBucketOwnerAWSAccountID = def("InvalidBucketOwnerAWSAccountID", 400,
	"The value of the expected bucket owner parameter must be an AWS Account ID...")
