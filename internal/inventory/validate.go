package inventory

import (
	"errors"
	"slices"
	"strings"

	"github.com/arcastore/arca/internal/errs"
)

// Limits S3 sets on a bucket's inventory configurations.
const (
	// MaxConfigs is how many configurations a bucket may have.
	MaxConfigs = 1000
	// PageSize is how many configurations one ListBucketInventoryConfigurations page holds.
	PageSize = 100
	// MaxIDLength is the longest configuration Id S3 accepts.
	MaxIDLength = 64
)

// Errors of the configuration API, each mapped to S3's code by internal/apierr
// (apierr/inventory.go).
var (
	// ErrMalformed: a document S3 refuses as not valid against its schema (a missing
	// required element, a value outside an enumeration, an Id S3 does not accept):
	// MalformedXML.
	ErrMalformed = errors.New("inventory: malformed configuration")
	// ErrIDMismatch: the document's Id is not the ?id= of the request: IdMismatch.
	ErrIDMismatch = errors.New("inventory: document id differs from the request's")
	// ErrInvalidDestination: the destination bucket is not arn:aws:s3:::<bucket>:
	// InvalidS3DestinationBucket.
	ErrInvalidDestination = errors.New("inventory: invalid destination bucket")
	// ErrNoSuchConfiguration: no configuration of the bucket has the Id: NoSuchConfiguration.
	ErrNoSuchConfiguration = errors.New("inventory: no such configuration")
	// ErrTooMany: a new configuration past MaxConfigs: TooManyConfigurations.
	ErrTooMany = errors.New("inventory: too many configurations")
	// ErrInvalidArgument: a request parameter S3 refuses (no ?id=, a bad continuation
	// token): InvalidArgument.
	ErrInvalidArgument = errors.New("inventory: invalid argument")
)

// OptionalFields is every column S3 lets a configuration add to its reports
// (InventoryOptionalField in AWS's API model as aws-sdk-go-v2 has it; botocore 1.43 lacks
// the event-hold and tiering-reference fields), in the model's order.
var OptionalFields = []string{
	"Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded",
	"ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode",
	"ObjectLockLegalHoldStatus", "ObjectLockEventHoldStatus", "ObjectLockEventHoldDuration",
	"IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm",
	"ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate",
	"IntelligentTieringReferenceDate",
}

// FieldKMSKeyArn is Arca's one optional field beyond S3's: the ARN of the KMS key an
// SSE-KMS object's data key is encrypted under (invreport writes it after S3's columns;
// `arca inventory summary` counts objects per key with it). S3 refuses it as MalformedXML.
const FieldKMSKeyArn = "KMSKeyArn"

// ValidID reports whether S3 accepts id as a configuration Id: 1 to 64 letters, digits,
// '_', '.' or '-'.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '.', c == '-':
		default:
			return false
		}
	}
	return true
}

// Validate checks c as PutBucketInventoryConfiguration with ?id=id does, in S3's order:
// the document against the schema (ErrMalformed), then its Id against id (ErrIDMismatch),
// then the destination bucket's ARN (ErrInvalidDestination). The destination bucket's
// existence and policy are not checked here: S3 checks them when it delivers a report.
func Validate(id string, c Config) error {
	if !ValidID(c.ID) {
		return ErrMalformed
	}
	d := c.Destination
	switch {
	case d.BucketARN == "":
		return ErrMalformed
	case d.Format != FormatCSV && d.Format != FormatORC && d.Format != FormatParquet:
		return ErrMalformed
	case c.Schedule != Daily && c.Schedule != Weekly:
		return ErrMalformed
	case c.IncludedObjectVersions != VersionsAll && c.IncludedObjectVersions != VersionsCurrent:
		return ErrMalformed
	case d.Encryption != nil && d.Encryption.SSES3 == (d.Encryption.KMSKeyID != ""):
		// exactly one of SSE-S3 and SSE-KMS (with its KeyId)
		return ErrMalformed
	}
	for _, f := range c.OptionalFields {
		if !slices.Contains(OptionalFields, f) && f != FieldKMSKeyArn {
			return ErrMalformed
		}
	}
	if c.ID != id {
		return errs.New(ErrIDMismatch, "Document ID does not match the specified configuration ID.")
	}
	return checkBucketARN(d.BucketARN)
}

// checkBucketARN accepts arn:aws:s3:::<bucket> with a bucket name S3 allows.
func checkBucketARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "s3" {
		return errs.New(ErrInvalidDestination, "Invalid bucket ARN.")
	}
	if parts[3] != "" || parts[4] != "" {
		return errs.New(ErrInvalidDestination, "Bucket ARN should not specify a namespace.")
	}
	if !validBucketName(parts[5]) {
		return errs.New(ErrInvalidDestination, "Invalid bucket ARN.")
	}
	return nil
}

// validBucketName is S3's rule for a general purpose bucket's name: 3 to 63 lowercase
// letters, digits, '.' and '-', beginning and ending with a letter or digit, no "..".
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 || strings.Contains(n, "..") {
		return false
	}
	for i, c := range []byte(n) {
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || i == len(n)-1 || c != '.' && c != '-') {
			return false
		}
	}
	return true
}

// Find returns the configuration of cs with Id id, or ErrNoSuchConfiguration.
func Find(cs []Config, id string) (Config, error) {
	for _, c := range cs {
		if c.ID == id {
			return c.Clone(), nil
		}
	}
	return Config{}, errNoSuch
}

var errNoSuch = errs.New(ErrNoSuchConfiguration, "The specified configuration does not exist.")

// Put returns cs with c in place of the configuration with its Id, or added after the
// others; ErrTooMany when that would make more than MaxConfigs. c must have passed
// Validate.
func Put(cs []Config, c Config) ([]Config, error) {
	out := CloneAll(cs)
	for i := range out {
		if out[i].ID == c.ID {
			out[i] = c.Clone()
			return out, nil
		}
	}
	if len(out) >= MaxConfigs {
		return nil, errs.New(ErrTooMany, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")
	}
	return append(out, c.Clone()), nil
}

// Delete returns cs without the configuration with Id id (nil when none is left), or
// ErrNoSuchConfiguration.
func Delete(cs []Config, id string) ([]Config, error) {
	for i, c := range cs {
		if c.ID == id {
			out := append(CloneAll(cs[:i]), CloneAll(cs[i+1:])...)
			if len(out) == 0 {
				out = nil
			}
			return out, nil
		}
	}
	return nil, errNoSuch
}

// Page is one page of ListBucketInventoryConfigurations: the configurations sorted by Id,
// PageSize of them after the Id after (exclusive; "" = from the first), and the Id to
// continue after when more follow ("" = none).
func Page(cs []Config, after string) (page []Config, next string) {
	sorted := CloneAll(cs)
	slices.SortFunc(sorted, func(a, b Config) int { return strings.Compare(a.ID, b.ID) })
	i := 0
	if after != "" {
		i, _ = slices.BinarySearchFunc(sorted, after, func(c Config, id string) int { return strings.Compare(c.ID, id) })
		if i < len(sorted) && sorted[i].ID == after {
			i++
		}
	}
	page = sorted[i:]
	if len(page) > PageSize {
		page = page[:PageSize]
		next = page[PageSize-1].ID
	}
	return page, next
}
