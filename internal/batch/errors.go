package batch

import "errors"

// Sentinels. Each is returned wrapped in *errs.E with the message AWS sends for the case;
// internal/apierr (apierr/batch.go) maps them to S3 Control's wire errors.
var (
	// ErrNoSuchJob: the job does not exist in the account (NotFoundException, 404).
	ErrNoSuchJob = errors.New("batch: no such job")
	// ErrInvalidStatusTransition: UpdateJobStatus asked for a status the job cannot move
	// to from its current one (JobStatusException, 400).
	ErrInvalidStatusTransition = errors.New("batch: invalid job status transition")
	// ErrIdempotency: CreateJob reused a ClientRequestToken with different parameters
	// (IdempotencyException, 400).
	ErrIdempotency = errors.New("batch: client request token reused with different parameters")
	// ErrInvalidRequest: a job definition or argument the engine refuses
	// (BadRequestException / InvalidRequest, 400).
	ErrInvalidRequest = errors.New("batch: invalid request")
	// ErrTooManyTags: more than MaxTags job tags (TooManyTagsException, 400).
	ErrTooManyTags = errors.New("batch: too many tags")
	// ErrNotStarted: a method that needs the running engine was called before Start.
	ErrNotStarted = errors.New("batch: service not started")
)

// MaxTags is the most tags a job may carry (AWS: 50).
const MaxTags = 50
