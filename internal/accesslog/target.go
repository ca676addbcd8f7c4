package accesslog

import (
	"errors"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/policy"
)

// ServicePrincipal is who delivers access logs, as a target bucket policy names it.
const ServicePrincipal = "logging.s3.amazonaws.com"

// Errors of a logging configuration, each carrying S3's message (apierr maps them).
var (
	// ErrMalformed: the BucketLoggingStatus document does not parse or validate.
	ErrMalformed = errors.New("accesslog: malformed logging configuration")
	// ErrInvalidTarget: InvalidTargetBucketForLogging (no such bucket, another owner, no
	// permission for the logging service).
	ErrInvalidTarget = errors.New("accesslog: invalid target bucket for logging")
	// ErrCrossLocation: the target bucket is in another region.
	ErrCrossLocation = errors.New("accesslog: cross-location logging")
	// ErrGrantsNotAllowed: TargetGrants for a target bucket with BucketOwnerEnforced.
	ErrGrantsNotAllowed = errors.New("accesslog: target grants not allowed")
	// ErrInvalidArgument: a field with a value S3 does not accept.
	ErrInvalidArgument = errors.New("accesslog: invalid argument")
)

// Validate checks c's own fields.
func (c *Config) Validate() error {
	if c.TargetBucket == "" {
		return errs.New(ErrMalformed, "")
	}
	if len(c.TargetPrefix) > 1024 {
		return errs.New(ErrInvalidArgument, "The target prefix is too long.")
	}
	switch c.KeyFormat {
	case FormatSimple:
		if c.PartitionDateSource != "" {
			return errs.New(ErrMalformed, "")
		}
	case FormatPartitioned:
		switch c.PartitionDateSource {
		case DateEventTime, DateDeliveryTime:
		case "":
			c.PartitionDateSource = DateDeliveryTime
		default:
			return errs.New(ErrMalformed, "")
		}
	default:
		return errs.New(ErrMalformed, "")
	}
	return nil
}

// Bucket is what the target check needs to know of a bucket.
type Bucket struct {
	Name, Owner, Region string
	Policy              string // "" = none
	OwnerEnforced       bool   // Object Ownership BucketOwnerEnforced (ACLs disabled)
}

// CheckTarget decides whether src's logs may go to target under c, as S3 decides at
// PutBucketLogging (and Arca again at each delivery): the target must be in src's region
// and owned by src's owner, and its bucket policy must allow the logging service principal
// s3:PutObject on the log keys (with aws:SourceAccount and aws:SourceArn, as S3 sends);
// an explicit Deny refuses. grants is whether the request carried TargetGrants. The target
// found is nil when it does not exist.
func CheckTarget(src Bucket, target *Bucket, c *Config, grants bool, now time.Time) error {
	if target == nil {
		return errs.New(ErrInvalidTarget, "The target bucket for logging does not exist")
	}
	if target.Region != src.Region {
		return errs.New(ErrCrossLocation, "Cross S3 location logging not allowed. ")
	}
	if target.Owner != src.Owner {
		return errs.New(ErrInvalidTarget, "The owner for the bucket to be logged and the target bucket must be the same.")
	}
	if grants && target.OwnerEnforced {
		return errs.New(ErrGrantsNotAllowed, "Target grants not allowed for bucket owner enforced buckets")
	}
	decision := policy.NotApplicable
	if target.Policy != "" {
		p, err := policy.Parse([]byte(target.Policy), policy.Bucket)
		if err != nil {
			return err
		}
		r := &policy.Request{
			Principal:       policy.Principal{Type: policy.TypeService, ARN: ServicePrincipal},
			Action:          "s3:PutObject",
			Resource:        "arn:aws:s3:::" + target.Name + "/" + c.TargetPrefix,
			ResourceAccount: target.Owner,
		}
		r.Set("aws:SourceAccount", src.Owner)
		r.Set("aws:SourceArn", "arn:aws:s3:::"+src.Name)
		r.FillGlobalKeys(now)
		decision = p.Evaluate(r)
	}
	if decision != policy.Allow {
		return errs.New(ErrInvalidTarget, "You must either provide the necessary permissions to the logging service using a bucket policy or give the log-delivery group WRITE and READ_ACP permissions to the target bucket")
	}
	return nil
}
