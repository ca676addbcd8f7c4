package apierr

// Tagging errors (docs/TAGGING.md), with AWS's codes, statuses and default messages.
var (
	InvalidTag   = def("InvalidTag", 400, "The tag provided was not a valid tag.")
	BadRequest   = def("BadRequest", 400, "Bad Request")
	NoSuchTagSet = def("NoSuchTagSet", 404, "The TagSet does not exist")
)
