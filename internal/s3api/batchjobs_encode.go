package s3api

import (
	"slices"

	"github.com/arcastore/arca/internal/batch"
)

// A job as DescribeJob and ListJobs answer it.

// jobToXML is j as DescribeJob describes it: what CreateJob was given, and its state.
func jobToXML(j *batch.Job, region string) jobDescriptorXML {
	x := jobDescriptorXML{JobID: j.ID, ConfirmationRequired: j.ConfirmationRequired, Description: j.Description, JobArn: j.ARN(region),
		Status: string(j.Status), Priority: j.Priority, ProgressSummary: progressXML(j.Progress), StatusUpdateReason: j.StatusUpdateReason,
		CreationTime: controlTime(j.CreationTime), TerminationDate: controlTime(j.TerminationDate), RoleArn: j.RoleArn,
		SuspendedDate: controlTime(j.SuspendedDate), SuspendedCause: j.SuspendedCause, Operation: operationToXML(j.Operation)}
	if len(j.FailureReasons) > 0 {
		x.FailureReasons = &jobFailureListXML{}
		for _, f := range j.FailureReasons {
			x.FailureReasons.Members = append(x.FailureReasons.Members, jobFailureXML{FailureCode: f.FailureCode, FailureReason: f.FailureReason})
		}
	}
	r := j.Report
	x.Report = &jobReportXML{Enabled: ptr(r.Enabled)}
	for _, f := range []struct {
		dst **string
		v   string
	}{{&x.Report.Bucket, r.Bucket}, {&x.Report.Format, r.Format}, {&x.Report.Prefix, r.Prefix}, {&x.Report.ReportScope, r.ReportScope},
		{&x.Report.ExpectedBucketOwner, r.ExpectedBucketOwner}} {
		if f.v != "" {
			*f.dst = ptr(f.v)
		}
	}
	if m := j.Manifest; m != nil {
		x.Manifest = &jobManifestXML{Location: locationToXML(m.Location)}
		x.Manifest.Spec = &jobManifestSpecXML{Format: ptr(m.Spec.Format)}
		if len(m.Spec.Fields) > 0 {
			x.Manifest.Spec.Fields = &xmlStringList{Members: m.Spec.Fields}
		}
	}
	if g := j.Generator; g != nil {
		x.ManifestGenerator = generatorToXML(g)
	}
	if gm := j.GeneratedManifest; gm != nil {
		x.GeneratedManifest = &generatedManifestXML{Format: batch.FormatGeneratedCSV, Location: locationToXML(*gm)}
	}
	return x
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func locationToXML(l batch.Location) *jobManifestLocationXML {
	return &jobManifestLocationXML{ObjectArn: optStr(l.ObjectArn), ObjectVersionId: optStr(l.ObjectVersionId), ETag: optStr(l.ETag)}
}

func operationToXML(o batch.Operation) *jobOperationXML {
	x := &jobOperationXML{}
	switch {
	case o.S3PutObjectCopy != nil:
		c := o.S3PutObjectCopy
		cx := &s3CopyOperationXML{TargetResource: optStr(c.TargetResource), CannedAccessControlList: optStr(c.CannedAccessControlList),
			MetadataDirective: optStr(c.MetadataDirective), ModifiedSinceConstraint: c.ModifiedSinceConstraint,
			UnModifiedSinceConstraint: c.UnModifiedSinceConstraint, RedirectLocation: optStr(c.RedirectLocation),
			StorageClass: optStr(c.StorageClass), SSEAwsKmsKeyId: optStr(c.SSEAwsKmsKeyId), TargetKeyPrefix: optStr(c.TargetKeyPrefix),
			ObjectLockLegalHoldStatus: optStr(c.ObjectLockLegalHoldStatus), ObjectLockMode: optStr(c.ObjectLockMode),
			ObjectLockRetainUntilDate: c.ObjectLockRetainUntilDate, ChecksumAlgorithm: optStr(c.ChecksumAlgorithm)}
		if c.BucketKeyEnabled {
			cx.BucketKeyEnabled = ptr(true)
		}
		if c.RequesterPays {
			cx.RequesterPays = ptr(true)
		}
		if len(c.NewObjectTagging) > 0 {
			cx.NewObjectTagging = tagSetXML(c.NewObjectTagging)
		}
		if m := c.NewObjectMetadata; m != nil {
			mx := &xmlObjectMetadata{CacheControl: optStr(m.CacheControl), ContentDisposition: optStr(m.ContentDisposition),
				ContentEncoding: optStr(m.ContentEncoding), ContentLanguage: optStr(m.ContentLanguage), ContentLength: m.ContentLength,
				ContentMD5: optStr(m.ContentMD5), ContentType: optStr(m.ContentType), HttpExpiresDate: m.HttpExpiresDate,
				SSEAlgorithm: optStr(m.SSEAlgorithm)}
			if m.RequesterCharged {
				mx.RequesterCharged = ptr(true)
			}
			if len(m.UserMetadata) > 0 {
				mx.UserMetadata = &xmlUserMetaXML{}
				keys := make([]string, 0, len(m.UserMetadata))
				for k := range m.UserMetadata {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				for _, k := range keys {
					mx.UserMetadata.Entries = append(mx.UserMetadata.Entries, userMetaEntryXML{k, m.UserMetadata[k]})
				}
			}
			cx.NewObjectMetadata = mx
		}
		x.S3PutObjectCopy = cx
	case o.S3PutObjectTagging != nil:
		x.S3PutObjectTagging = &s3TaggingOpXML{TagSet: tagSetXML(o.S3PutObjectTagging.TagSet)}
	case o.S3DeleteObjectTagging != nil:
		x.S3DeleteObjectTagging = &xmlPresent{}
	case o.S3UpdateObjectEncryption != nil:
		u := &s3UpdateEncOpXML{}
		if k := o.S3UpdateObjectEncryption.ObjectEncryption.SSEKMS; k != nil {
			u.ObjectEncryption = &updateObjectEncryptionXML{SSEKMS: &updateSSEKMSXML{KMSKeyArn: ptr(k.KMSKeyArn), BucketKeyEnabled: ptr(k.BucketKeyEnabled)}}
		}
		x.S3UpdateObjectEncryption = u
	}
	return x
}

func generatorToXML(g *batch.Generator) *jobManifestGenXML {
	x := &s3ManifestGenXML{ExpectedBucketOwner: optStr(g.ExpectedBucketOwner), SourceBucket: optStr(g.SourceBucket),
		EnableManifestOutput: ptr(g.EnableManifestOutput)}
	if o := g.ManifestOutputLocation; o != nil {
		x.ManifestOutputLocation = &manifestOutputXML{ExpectedManifestBucketOwner: optStr(o.ExpectedManifestBucketOwner), Bucket: optStr(o.Bucket),
			ManifestPrefix: optStr(o.ManifestPrefix), ManifestFormat: optStr(o.ManifestFormat)}
		if e := o.ManifestEncryption; e != nil {
			x.ManifestOutputLocation.ManifestEncryption = &manifestEncryptionXML{}
			if e.SSES3 != nil {
				x.ManifestOutputLocation.ManifestEncryption.SSES3 = &xmlPresent{}
			}
			if e.SSEKMS != nil {
				x.ManifestOutputLocation.ManifestEncryption.SSEKMS = &manifestSSEKMSXML{KeyId: ptr(e.SSEKMS.KeyId)}
			}
		}
	}
	if f := g.Filter; f != nil {
		fx := &jobFilterXML{EligibleForReplication: f.EligibleForReplication, CreatedAfter: f.CreatedAfter, CreatedBefore: f.CreatedBefore,
			ObjectSizeGreaterThanBytes: f.ObjectSizeGreaterThanBytes, ObjectSizeLessThanBytes: f.ObjectSizeLessThanBytes}
		if len(f.ObjectReplicationStatuses) > 0 {
			fx.ObjectReplicationStatuses = &xmlStringList{Members: f.ObjectReplicationStatuses}
		}
		if len(f.MatchAnyStorageClass) > 0 {
			fx.MatchAnyStorageClass = &xmlStringList{Members: f.MatchAnyStorageClass}
		}
		if k := f.KeyNameConstraint; k != nil {
			fx.KeyNameConstraint = &keyNameConstraintXML{}
			if len(k.MatchAnyPrefix) > 0 {
				fx.KeyNameConstraint.MatchAnyPrefix = &xmlStringList{Members: k.MatchAnyPrefix}
			}
			if len(k.MatchAnySuffix) > 0 {
				fx.KeyNameConstraint.MatchAnySuffix = &xmlStringList{Members: k.MatchAnySuffix}
			}
			if len(k.MatchAnySubstring) > 0 {
				fx.KeyNameConstraint.MatchAnySubstring = &xmlStringList{Members: k.MatchAnySubstring}
			}
		}
		if len(f.MatchAnyObjectEncryption) > 0 {
			fx.MatchAnyObjectEncryption = &encFilterListXML{}
			for _, e := range f.MatchAnyObjectEncryption {
				var m xmlObjectEncFilter
				switch {
				case e.SSES3 != nil:
					m.SSES3 = &xmlPresent{}
				case e.SSEKMS != nil:
					m.SSEKMS = &sseKMSFilterXML{KmsKeyArn: optStr(e.SSEKMS.KmsKeyArn), BucketKeyEnabled: e.SSEKMS.BucketKeyEnabled}
				case e.DSSEKMS != nil:
					m.DSSEKMS = &xmlPresent{}
				case e.SSEC != nil:
					m.SSEC = &xmlPresent{}
				case e.NOTSSE != nil:
					m.NOTSSE = &xmlPresent{}
				}
				fx.MatchAnyObjectEncryption.Members = append(fx.MatchAnyObjectEncryption.Members, m)
			}
		}
		x.Filter = fx
	}
	return &jobManifestGenXML{S3JobManifestGenerator: x}
}
