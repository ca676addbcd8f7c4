package s3api

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/batch"
)

// CreateJob's body, checked as S3 Control checks it (the model's required members, enums,
// lengths and patterns), into batch's model.

var (
	roleARNRE   = regexp.MustCompile(`^arn:[^:]+:iam::\d{12}:role/.*$`)
	s3ARNRE     = regexp.MustCompile(`^arn:[^:]+:s3:.*$`)
	kmsKeyARNRE = regexp.MustCompile(`^arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$`)
	jobIDRE     = regexp.MustCompile(`^[a-zA-Z0-9\-_]{5,36}$`)
)

// badJob is CreateJob's refusal of an argument.
func badJob(format string, args ...any) error { return apierr.BatchBadRequest.Msg(format, args...) }

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// checkLen refuses a set string member outside [min, max] characters.
func checkLen(name string, p *string, min, max int) error {
	if p == nil {
		return nil
	}
	if n := utf8.RuneCountInString(*p); n < min || n > max {
		return badJob("%s must be between %d and %d characters long.", name, min, max)
	}
	return nil
}

func checkEnum(name string, p *string, values ...string) error {
	if p == nil || slices.Contains(values, *p) {
		return nil
	}
	return badJob("%s must be one of: %s.", name, strings.Join(values, ", "))
}

// jobFromXML checks a CreateJob body as S3 Control does and turns it into a job.
func jobFromXML(in *createJobRequestXML) (*batch.Job, error) {
	j := &batch.Job{}
	switch {
	case in.ClientRequestToken == nil:
		return nil, badJob("ClientRequestToken is required.")
	case in.Priority == nil:
		return nil, badJob("Priority is required.")
	case in.RoleArn == nil:
		return nil, badJob("RoleArn is required.")
	case in.Operation == nil:
		return nil, badJob("Operation is required.")
	case in.Report == nil:
		return nil, badJob("Report is required.")
	}
	if err := checkLen("ClientRequestToken", in.ClientRequestToken, 1, 64); err != nil {
		return nil, err
	}
	if err := checkLen("Description", in.Description, 1, 256); err != nil {
		return nil, err
	}
	if p := *in.Priority; p < 0 || p > 2147483647 {
		return nil, badJob("Priority must be between 0 and 2147483647.")
	}
	if r := *in.RoleArn; len(r) > 2048 || !roleARNRE.MatchString(r) {
		return nil, badJob("RoleArn is not a valid IAM role ARN: %s", truncate(r, 256))
	}
	j.ClientRequestToken, j.Description, j.RoleArn = *in.ClientRequestToken, strOf(in.Description), *in.RoleArn
	j.Priority = int32(*in.Priority)
	if in.ConfirmationRequired != nil {
		j.ConfirmationRequired = *in.ConfirmationRequired
	}
	var err error
	if j.Operation, err = operationFromXML(in.Operation); err != nil {
		return nil, err
	}
	if j.Report, err = reportFromXML(in.Report); err != nil {
		return nil, err
	}
	switch {
	case in.Manifest != nil && in.ManifestGenerator != nil:
		return nil, badJob("A job must have either a Manifest or a ManifestGenerator, but not both.")
	case in.Manifest == nil && in.ManifestGenerator == nil:
		return nil, badJob("A job must have either a Manifest or a ManifestGenerator.")
	case in.Manifest != nil:
		if j.Manifest, err = manifestFromXML(in.Manifest); err != nil {
			return nil, err
		}
	default:
		if j.Generator, err = generatorFromXML(in.ManifestGenerator); err != nil {
			return nil, err
		}
	}
	if in.Tags != nil {
		if j.Tags, err = jobTags(in.Tags); err != nil {
			return nil, err
		}
	}
	return j, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// jobTags checks a job's tags (S3Tag: key 1-128, value 0-256 characters, at most 50).
func jobTags(in *xmlTagSet) ([]batch.Tag, error) {
	if len(in.Members) > batch.MaxTags {
		return nil, apierr.BatchTooManyTags
	}
	return tagsFromXML(in, "Tags")
}

func tagsFromXML(in *xmlTagSet, name string) ([]batch.Tag, error) {
	var out []batch.Tag
	seen := map[string]bool{}
	for _, t := range in.Members {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > maxTagKey || !validTagText(t.Key) {
			return nil, badJob("%s: invalid tag key %q.", name, truncate(t.Key, 128))
		}
		if utf8.RuneCountInString(t.Value) > maxTagValue || !validTagText(t.Value) {
			return nil, badJob("%s: invalid tag value for key %q.", name, t.Key)
		}
		if seen[t.Key] {
			return nil, badJob("%s: duplicate tag key %q.", name, t.Key)
		}
		seen[t.Key] = true
		out = append(out, batch.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

func tagSetXML(tags []batch.Tag) *xmlTagSet {
	s := &xmlTagSet{}
	for _, t := range tags {
		s.Members = append(s.Members, xmlTag{Key: t.Key, Value: t.Value})
	}
	return s
}

// unsupportedOps are the operations of S3 Control's model that Arca does not run.
var unsupportedOps = []string{"LambdaInvoke", "S3PutObjectAcl", "S3InitiateRestoreObject", "S3PutObjectLegalHold",
	"S3PutObjectRetention", "S3ReplicateObject", "S3ComputeObjectChecksum"}

func operationFromXML(in *jobOperationXML) (batch.Operation, error) {
	var op batch.Operation
	set := []string{}
	for name, present := range map[string]bool{"LambdaInvoke": in.LambdaInvoke != nil, "S3PutObjectAcl": in.S3PutObjectAcl != nil,
		"S3InitiateRestoreObject": in.S3InitiateRestoreObject != nil, "S3PutObjectLegalHold": in.S3PutObjectLegalHold != nil,
		"S3PutObjectRetention": in.S3PutObjectRetention != nil, "S3ReplicateObject": in.S3ReplicateObject != nil,
		"S3ComputeObjectChecksum": in.S3ComputeObjectChecksum != nil, batch.OpPutObjectCopy: in.S3PutObjectCopy != nil,
		batch.OpPutObjectTagging: in.S3PutObjectTagging != nil, batch.OpDeleteObjectTagging: in.S3DeleteObjectTagging != nil,
		batch.OpUpdateObjectEncryption: in.S3UpdateObjectEncryption != nil} {
		if present {
			set = append(set, name)
		}
	}
	for _, u := range in.Unknown {
		set = append(set, u.XMLName.Local)
	}
	if len(set) != 1 {
		return op, badJob("The Operation must specify exactly one operation.")
	}
	if slices.Contains(unsupportedOps, set[0]) {
		return op, apierr.NotImplemented.Msg("Arca does not implement the %s operation of Batch Operations.", set[0])
	}
	switch {
	case in.S3PutObjectCopy != nil:
		c, err := copyOpFromXML(in.S3PutObjectCopy)
		if err != nil {
			return op, err
		}
		op.S3PutObjectCopy = c
	case in.S3PutObjectTagging != nil:
		t := &batch.PutTaggingOperation{}
		if in.S3PutObjectTagging.TagSet != nil {
			if len(in.S3PutObjectTagging.TagSet.Members) > maxObjectTags {
				return op, badJob("S3PutObjectTagging: an object can have at most %d tags.", maxObjectTags)
			}
			var err error
			if t.TagSet, err = tagsFromXML(in.S3PutObjectTagging.TagSet, "TagSet"); err != nil {
				return op, err
			}
		}
		op.S3PutObjectTagging = t
	case in.S3DeleteObjectTagging != nil:
		op.S3DeleteObjectTagging = &batch.DeleteTaggingOperation{}
	case in.S3UpdateObjectEncryption != nil:
		oe := in.S3UpdateObjectEncryption.ObjectEncryption
		if oe == nil || oe.SSEKMS == nil {
			return op, badJob("S3UpdateObjectEncryption: ObjectEncryption must specify SSE-KMS.")
		}
		arn := strOf(oe.SSEKMS.KMSKeyArn)
		if len(arn) < 20 || len(arn) > 2048 || !kmsKeyARNRE.MatchString(arn) {
			return op, badJob("S3UpdateObjectEncryption: KMSKeyArn must be the full ARN of a KMS key.")
		}
		k := &batch.UpdateSSEKMS{KMSKeyArn: arn}
		if oe.SSEKMS.BucketKeyEnabled != nil {
			k.BucketKeyEnabled = *oe.SSEKMS.BucketKeyEnabled
		}
		op.S3UpdateObjectEncryption = &batch.UpdateEncryptionOperation{ObjectEncryption: batch.ObjectEncryption{SSEKMS: k}}
	default:
		return op, badJob("The Operation must specify exactly one operation.")
	}
	return op, nil
}

var storageClasses = []string{"STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}

func copyOpFromXML(in *s3CopyOperationXML) (*batch.CopyOperation, error) {
	if in.TargetResource != nil && (len(*in.TargetResource) > 128 || !s3ARNRE.MatchString(*in.TargetResource)) {
		return nil, badJob("S3PutObjectCopy: TargetResource must be a bucket ARN.")
	}
	if in.AccessControlGrants != nil {
		return nil, apierr.NotImplemented.Msg("Arca does not implement AccessControlGrants in S3PutObjectCopy.")
	}
	for _, c := range []error{
		checkEnum("CannedAccessControlList", in.CannedAccessControlList, "private", "public-read", "public-read-write",
			"aws-exec-read", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control"),
		checkEnum("MetadataDirective", in.MetadataDirective, "COPY", "REPLACE"),
		checkEnum("StorageClass", in.StorageClass, storageClasses...),
		checkEnum("ObjectLockLegalHoldStatus", in.ObjectLockLegalHoldStatus, "OFF", "ON"),
		checkEnum("ObjectLockMode", in.ObjectLockMode, "COMPLIANCE", "GOVERNANCE"),
		checkEnum("ChecksumAlgorithm", in.ChecksumAlgorithm, "CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"),
		checkLen("SSEAwsKmsKeyId", in.SSEAwsKmsKeyId, 1, 2000),
		checkLen("TargetKeyPrefix", in.TargetKeyPrefix, 1, 1024),
		checkLen("RedirectLocation", in.RedirectLocation, 1, 2048),
	} {
		if c != nil {
			return nil, c
		}
	}
	c := &batch.CopyOperation{TargetResource: strOf(in.TargetResource), CannedAccessControlList: strOf(in.CannedAccessControlList),
		MetadataDirective: strOf(in.MetadataDirective), ModifiedSinceConstraint: in.ModifiedSinceConstraint,
		UnModifiedSinceConstraint: in.UnModifiedSinceConstraint, RedirectLocation: strOf(in.RedirectLocation),
		StorageClass: strOf(in.StorageClass), SSEAwsKmsKeyId: strOf(in.SSEAwsKmsKeyId), TargetKeyPrefix: strOf(in.TargetKeyPrefix),
		ObjectLockLegalHoldStatus: strOf(in.ObjectLockLegalHoldStatus), ObjectLockMode: strOf(in.ObjectLockMode),
		ObjectLockRetainUntilDate: in.ObjectLockRetainUntilDate, ChecksumAlgorithm: strOf(in.ChecksumAlgorithm)}
	if in.RequesterPays != nil {
		c.RequesterPays = *in.RequesterPays
	}
	if in.BucketKeyEnabled != nil {
		c.BucketKeyEnabled = *in.BucketKeyEnabled
	}
	if in.NewObjectTagging != nil {
		if len(in.NewObjectTagging.Members) > maxObjectTags {
			return nil, badJob("S3PutObjectCopy: an object can have at most %d tags.", maxObjectTags)
		}
		var err error
		if c.NewObjectTagging, err = tagsFromXML(in.NewObjectTagging, "NewObjectTagging"); err != nil {
			return nil, err
		}
	}
	if m := in.NewObjectMetadata; m != nil {
		if err := checkEnum("SSEAlgorithm", m.SSEAlgorithm, "AES256", "KMS"); err != nil {
			return nil, err
		}
		om := &batch.ObjectMetadata{CacheControl: strOf(m.CacheControl), ContentDisposition: strOf(m.ContentDisposition),
			ContentEncoding: strOf(m.ContentEncoding), ContentLanguage: strOf(m.ContentLanguage), ContentLength: m.ContentLength,
			ContentMD5: strOf(m.ContentMD5), ContentType: strOf(m.ContentType), HttpExpiresDate: m.HttpExpiresDate,
			SSEAlgorithm: strOf(m.SSEAlgorithm)}
		if m.RequesterCharged != nil {
			om.RequesterCharged = *m.RequesterCharged
		}
		if m.UserMetadata != nil {
			om.UserMetadata = map[string]string{}
			for _, e := range m.UserMetadata.Entries {
				om.UserMetadata[e.Key] = e.Value
			}
		}
		c.NewObjectMetadata = om
	}
	if c.SSEAwsKmsKeyId != "" && c.NewObjectMetadata != nil && c.NewObjectMetadata.SSEAlgorithm == "AES256" {
		return nil, badJob("S3PutObjectCopy: SSEAwsKmsKeyId requires SSEAlgorithm KMS.")
	}
	return c, nil
}

func reportFromXML(in *jobReportXML) (batch.Report, error) {
	var r batch.Report
	if in.Enabled == nil {
		return r, badJob("Report.Enabled is required.")
	}
	r.Enabled = *in.Enabled
	if err := checkEnum("Report.Format", in.Format, batch.ReportFormatCSV); err != nil {
		return r, err
	}
	if err := checkEnum("Report.ReportScope", in.ReportScope, batch.ReportScopeAll, batch.ReportScopeFailedOnly); err != nil {
		return r, err
	}
	if err := checkLen("Report.Prefix", in.Prefix, 1, 512); err != nil {
		return r, err
	}
	if in.ExpectedBucketOwner != nil && !accountIDRE.MatchString(*in.ExpectedBucketOwner) {
		return r, badJob("Report.ExpectedBucketOwner must be a 12-digit account ID.")
	}
	r.Bucket, r.Format, r.Prefix, r.ReportScope, r.ExpectedBucketOwner = strOf(in.Bucket), strOf(in.Format), strOf(in.Prefix),
		strOf(in.ReportScope), strOf(in.ExpectedBucketOwner)
	if !r.Enabled {
		return r, nil
	}
	switch {
	case r.Bucket == "":
		return r, badJob("Report.Bucket is required when the report is enabled.")
	case len(r.Bucket) > 128 || !s3ARNRE.MatchString(r.Bucket) || bucketOfARN(r.Bucket) == "":
		return r, badJob("Report.Bucket must be a bucket ARN.")
	case r.Format == "":
		return r, badJob("Report.Format is required when the report is enabled.")
	}
	if r.ReportScope == "" {
		r.ReportScope = batch.ReportScopeAll
	}
	return r, nil
}

func manifestFromXML(in *jobManifestXML) (*batch.Manifest, error) {
	if in.Spec == nil || in.Spec.Format == nil {
		return nil, badJob("Manifest.Spec.Format is required.")
	}
	if in.Location == nil || in.Location.ObjectArn == nil || in.Location.ETag == nil {
		return nil, badJob("Manifest.Location requires ObjectArn and ETag.")
	}
	m := &batch.Manifest{Spec: batch.ManifestSpec{Format: *in.Spec.Format}}
	if err := checkEnum("Manifest.Spec.Format", in.Spec.Format, batch.FormatBatchCSV, batch.FormatInventoryCSV); err != nil {
		return nil, err
	}
	if in.Spec.Fields != nil {
		for _, f := range in.Spec.Fields.Members {
			if !slices.Contains([]string{batch.FieldIgnore, batch.FieldBucket, batch.FieldKey, batch.FieldVersionID}, f) {
				return nil, badJob("Manifest.Spec.Fields: invalid field %q.", truncate(f, 64))
			}
		}
		m.Spec.Fields = in.Spec.Fields.Members
	}
	if m.Spec.Format == batch.FormatBatchCSV {
		if !slices.Contains(m.Spec.Fields, batch.FieldBucket) || !slices.Contains(m.Spec.Fields, batch.FieldKey) {
			return nil, badJob("Manifest.Spec.Fields must include Bucket and Key for the %s format.", batch.FormatBatchCSV)
		}
	}
	loc, err := locationFromXML(in.Location, "Manifest.Location")
	if err != nil {
		return nil, err
	}
	m.Location = loc
	return m, nil
}

func locationFromXML(in *jobManifestLocationXML, name string) (batch.Location, error) {
	arn := strOf(in.ObjectArn)
	if len(arn) > 2000 || !s3ARNRE.MatchString(arn) {
		return batch.Location{}, badJob("%s.ObjectArn must be an object ARN.", name)
	}
	if b, k := objectOfARN(arn); b == "" || k == "" {
		return batch.Location{}, badJob("%s.ObjectArn must be an object ARN.", name)
	}
	if err := checkLen(name+".ETag", in.ETag, 1, 1024); err != nil {
		return batch.Location{}, err
	}
	if err := checkLen(name+".ObjectVersionId", in.ObjectVersionId, 1, 2000); err != nil {
		return batch.Location{}, err
	}
	return batch.Location{ObjectArn: arn, ObjectVersionId: strOf(in.ObjectVersionId), ETag: strOf(in.ETag)}, nil
}

// bucketOfARN is the bucket an S3 bucket ARN (arn:<partition>:s3:::<bucket>) names ("" if
// it is not one).
func bucketOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "s3" || strings.Contains(parts[5], "/") {
		return ""
	}
	return parts[5]
}

// objectOfARN is the bucket and key an S3 object ARN (arn:<partition>:s3:::<bucket>/<key>)
// names.
func objectOfARN(arn string) (string, string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "s3" {
		return "", ""
	}
	b, k, _ := strings.Cut(parts[5], "/")
	return b, k
}

func generatorFromXML(in *jobManifestGenXML) (*batch.Generator, error) {
	if len(in.Unknown) > 0 || in.S3JobManifestGenerator == nil {
		return nil, badJob("ManifestGenerator must specify S3JobManifestGenerator.")
	}
	x := in.S3JobManifestGenerator
	if x.SourceBucket == nil || len(*x.SourceBucket) > 128 || !s3ARNRE.MatchString(*x.SourceBucket) || bucketOfARN(*x.SourceBucket) == "" {
		return nil, badJob("S3JobManifestGenerator.SourceBucket must be a bucket ARN.")
	}
	if x.EnableManifestOutput == nil {
		return nil, badJob("S3JobManifestGenerator.EnableManifestOutput is required.")
	}
	if x.ExpectedBucketOwner != nil && !accountIDRE.MatchString(*x.ExpectedBucketOwner) {
		return nil, badJob("S3JobManifestGenerator.ExpectedBucketOwner must be a 12-digit account ID.")
	}
	g := &batch.Generator{SourceBucket: *x.SourceBucket, ExpectedBucketOwner: strOf(x.ExpectedBucketOwner), EnableManifestOutput: *x.EnableManifestOutput}
	if o := x.ManifestOutputLocation; o != nil {
		if o.Bucket == nil || len(*o.Bucket) > 128 || !s3ARNRE.MatchString(*o.Bucket) || bucketOfARN(*o.Bucket) == "" {
			return nil, badJob("ManifestOutputLocation.Bucket must be a bucket ARN.")
		}
		if o.ManifestFormat == nil {
			return nil, badJob("ManifestOutputLocation.ManifestFormat is required.")
		}
		if err := checkEnum("ManifestOutputLocation.ManifestFormat", o.ManifestFormat, batch.FormatGeneratedCSV); err != nil {
			return nil, err
		}
		if err := checkLen("ManifestOutputLocation.ManifestPrefix", o.ManifestPrefix, 1, 512); err != nil {
			return nil, err
		}
		if o.ExpectedManifestBucketOwner != nil && !accountIDRE.MatchString(*o.ExpectedManifestBucketOwner) {
			return nil, badJob("ManifestOutputLocation.ExpectedManifestBucketOwner must be a 12-digit account ID.")
		}
		ol := &batch.ManifestOutputLocation{ExpectedManifestBucketOwner: strOf(o.ExpectedManifestBucketOwner), Bucket: *o.Bucket,
			ManifestPrefix: strOf(o.ManifestPrefix), ManifestFormat: *o.ManifestFormat}
		if e := o.ManifestEncryption; e != nil {
			if (e.SSES3 != nil) == (e.SSEKMS != nil) {
				return nil, badJob("ManifestEncryption must specify exactly one of SSE-S3 and SSE-KMS.")
			}
			ol.ManifestEncryption = &batch.ManifestEncryption{}
			if e.SSES3 != nil {
				ol.ManifestEncryption.SSES3 = &struct{}{}
			} else {
				if e.SSEKMS.KeyId == nil {
					return nil, badJob("ManifestEncryption SSE-KMS requires KeyId.")
				}
				if err := checkLen("ManifestEncryption.SSE-KMS.KeyId", e.SSEKMS.KeyId, 1, 2000); err != nil {
					return nil, err
				}
				ol.ManifestEncryption.SSEKMS = &batch.ManifestSSEKMS{KeyId: *e.SSEKMS.KeyId}
			}
		}
		g.ManifestOutputLocation = ol
	}
	if g.EnableManifestOutput && g.ManifestOutputLocation == nil {
		return nil, badJob("ManifestOutputLocation is required when EnableManifestOutput is true.")
	}
	if x.Filter != nil {
		f, err := filterFromXML(x.Filter)
		if err != nil {
			return nil, err
		}
		g.Filter = f
	}
	return g, nil
}

func listOf(l *xmlStringList) []string {
	if l == nil {
		return nil
	}
	return l.Members
}

func filterFromXML(in *jobFilterXML) (*batch.Filter, error) {
	f := &batch.Filter{EligibleForReplication: in.EligibleForReplication, CreatedAfter: in.CreatedAfter, CreatedBefore: in.CreatedBefore,
		ObjectReplicationStatuses: listOf(in.ObjectReplicationStatuses), ObjectSizeGreaterThanBytes: in.ObjectSizeGreaterThanBytes,
		ObjectSizeLessThanBytes: in.ObjectSizeLessThanBytes, MatchAnyStorageClass: listOf(in.MatchAnyStorageClass)}
	for _, s := range f.MatchAnyStorageClass {
		if !slices.Contains(storageClasses, s) {
			return nil, badJob("MatchAnyStorageClass: invalid storage class %q.", truncate(s, 64))
		}
	}
	for _, s := range f.ObjectReplicationStatuses {
		if !slices.Contains([]string{"COMPLETED", "FAILED", "REPLICA", "NONE"}, s) {
			return nil, badJob("ObjectReplicationStatuses: invalid status %q.", truncate(s, 64))
		}
	}
	if k := in.KeyNameConstraint; k != nil {
		f.KeyNameConstraint = &batch.KeyNameConstraint{MatchAnyPrefix: listOf(k.MatchAnyPrefix), MatchAnySuffix: listOf(k.MatchAnySuffix),
			MatchAnySubstring: listOf(k.MatchAnySubstring)}
		for _, l := range [][]string{f.KeyNameConstraint.MatchAnyPrefix, f.KeyNameConstraint.MatchAnySuffix, f.KeyNameConstraint.MatchAnySubstring} {
			for _, s := range l {
				if s == "" || utf8.RuneCountInString(s) > 1024 {
					return nil, badJob("KeyNameConstraint values must be between 1 and 1024 characters long.")
				}
			}
		}
	}
	if e := in.MatchAnyObjectEncryption; e != nil {
		if len(e.Members) != 1 {
			return nil, badJob("MatchAnyObjectEncryption must have exactly one member.")
		}
		for _, m := range e.Members {
			n := 0
			var ef batch.EncryptionFilter
			if m.SSES3 != nil {
				n++
				ef.SSES3 = &struct{}{}
			}
			if m.SSEKMS != nil {
				n++
				arn := strOf(m.SSEKMS.KmsKeyArn)
				if arn != "" && (len(arn) < 20 || len(arn) > 2048 || !kmsKeyARNRE.MatchString(arn)) {
					return nil, badJob("MatchAnyObjectEncryption SSE-KMS: KmsKeyArn must be the full ARN of a KMS key.")
				}
				ef.SSEKMS = &batch.SSEKMSFilter{KmsKeyArn: arn, BucketKeyEnabled: m.SSEKMS.BucketKeyEnabled}
			}
			if m.DSSEKMS != nil {
				n++
				ef.DSSEKMS = &batch.DSSEKMSFilter{}
			}
			if m.SSEC != nil {
				n++
				ef.SSEC = &struct{}{}
			}
			if m.NOTSSE != nil {
				n++
				ef.NOTSSE = &struct{}{}
			}
			if n != 1 {
				return nil, badJob("Each ObjectEncryption filter must specify exactly one encryption type.")
			}
			f.MatchAnyObjectEncryption = append(f.MatchAnyObjectEncryption, ef)
		}
	}
	return f, nil
}
