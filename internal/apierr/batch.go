package apierr

import "github.com/arcastore/arca/internal/batch"

// S3 Control's Batch Operations job API (docs/BATCH.md, "API"): its errors are S3 Control
// exceptions, sent in S3 Control's <ErrorResponse> form (s3api's controlError) and read by
// the SDKs by Code.
var (
	// BatchBadRequest: a CreateJob (or other job call) argument AWS refuses.
	BatchBadRequest = def("BadRequestException", 400, "Bad Request")
	// BatchInvalidRequest: ListJobs' arguments (jobStatuses, maxResults).
	BatchInvalidRequest = def("InvalidRequestException", 400, "Invalid Request")
	// BatchInvalidNextToken: a ListJobs nextToken this account's listing did not give.
	BatchInvalidNextToken = def("InvalidNextTokenException", 400, "The continuation token provided is invalid.")
	// BatchNotFound: no such job in the caller's account.
	BatchNotFound = def("NotFoundException", 404, "The specified job was not found.")
	// BatchJobStatus: UpdateJobStatus to a status the job cannot move to.
	BatchJobStatus = def("JobStatusException", 400, "The job status cannot be changed to the requested status.")
	// BatchIdempotency: a ClientRequestToken reused with other parameters.
	BatchIdempotency = def("IdempotencyException", 400, "The client request token was already used for a different job.")
	// BatchTooManyTags: more than 50 job tags.
	BatchTooManyTags = def("TooManyTagsException", 400, "The number of tags exceeds the limit of 50 tags.")
	// BatchUnavailable: the job engine is not running (the server is starting or stopping).
	BatchUnavailable = def("TooManyRequestsException", 503, "Batch Operations is not available right now. Please retry.")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{batch.ErrNoSuchJob, BatchNotFound},
		mapping{batch.ErrInvalidStatusTransition, BatchJobStatus},
		mapping{batch.ErrIdempotency, BatchIdempotency},
		mapping{batch.ErrInvalidRequest, BatchBadRequest},
		mapping{batch.ErrTooManyTags, BatchTooManyTags},
		mapping{batch.ErrNotStarted, BatchUnavailable})
}
