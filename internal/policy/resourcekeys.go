package policy

// Condition keys naming the account that owns the resource a request acts on (set by the
// authorizer from the bucket's or key's owner; docs/POLICY.md).
const (
	KeyResourceAccount   = "aws:resourceaccount"
	KeyS3ResourceAccount = "s3:resourceaccount"
)
