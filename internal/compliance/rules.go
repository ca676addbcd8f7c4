package compliance

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// ruleDef is one rule Arca knows by its SourceIdentifier: the resource type it reports
// on, its parameters (AWS's names), whether it is periodic (a MaximumExecutionFrequency
// is allowed), and how it decides.
type ruleDef struct {
	Owner    string
	Type     string // the resource type its results are about
	Params   []string
	Required []string
	Periodic bool
	// exactly one of these decides
	bucket func(ctx context.Context, f Facts, account string, b Bucket, p params) (Evaluation, error)
	key    func(k Key, p params) (Evaluation, bool) // false: the key is out of the rule's scope
	trails func(account string, ts []Trail, p params) []Evaluation
}

// catalog is every rule Arca evaluates (docs/COMPLIANCE.md).
var catalog = map[string]*ruleDef{
	"S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED": {Owner: OwnerAWS, Type: TypeBucket, bucket: bucketSSEEnabled},
	"S3_DEFAULT_ENCRYPTION_KMS":                {Owner: OwnerAWS, Type: TypeBucket, Params: []string{"kmsKeyArns"}, bucket: bucketDefaultKMS},
	"S3_BUCKET_SSL_REQUESTS_ONLY":              {Owner: OwnerAWS, Type: TypeBucket, bucket: bucketSSLOnly},
	"S3_BUCKET_LOGGING_ENABLED":                {Owner: OwnerAWS, Type: TypeBucket, Params: []string{"targetBucket", "targetPrefix"}, bucket: bucketLogging},
	"S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED": {Owner: OwnerAWS, Type: TypeBucket, Params: []string{"excludedPublicBuckets"}, bucket: bucketPublicProhibited},
	"KMS_CMK_NOT_SCHEDULED_FOR_DELETION":       {Owner: OwnerAWS, Type: TypeKey, Params: []string{"kmsKeyIds"}, Periodic: true, key: keyNotPendingDeletion},
	"CMK_BACKING_KEY_ROTATION_ENABLED":         {Owner: OwnerAWS, Type: TypeKey, Periodic: true, key: keyRotation},
	"CLOUD_TRAIL_ENCRYPTION_ENABLED":           {Owner: OwnerAWS, Type: TypeTrail, Periodic: true, trails: trailsEncrypted},
	"CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED":  {Owner: OwnerAWS, Type: TypeTrail, Periodic: true, trails: trailsValidated},
	"CLOUD_TRAIL_ENABLED": {Owner: OwnerAWS, Type: TypeAccount, Periodic: true,
		Params: []string{"s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn"}, trails: trailEnabled},

	"ARCA_S3_SSEC_BLOCKED":            {Owner: OwnerArca, Type: TypeBucket, bucket: bucketSSECBlocked},
	"ARCA_S3_OBJECT_ENCRYPTION_DRIFT": {Owner: OwnerArca, Type: TypeBucket, Periodic: true, bucket: bucketDrift},
}

func eval(typ, id, c, note string) Evaluation {
	return Evaluation{ResourceType: typ, ResourceID: id, Compliance: c, Annotation: note}
}

// bucketSSEEnabled: COMPLIANT when the bucket has a default encryption, or its policy
// explicitly denies a PutObject that asks for no server-side encryption (decided by the
// policy engine, policyDenies).
func bucketSSEEnabled(_ context.Context, _ Facts, _ string, b Bucket, _ params) (Evaluation, error) {
	if b.Algorithm != "" {
		return eval(TypeBucket, b.Name, Compliant, ""), nil
	}
	if policyDenies(b, []probe{{"s3:PutObject", objectARN(b.Name), nil}}) {
		return eval(TypeBucket, b.Name, Compliant, ""), nil
	}
	return eval(TypeBucket, b.Name, NonCompliant, "The bucket has no default encryption and its policy does not deny unencrypted PutObject requests."), nil
}

// bucketDefaultKMS: COMPLIANT when the default encryption is SSE-KMS (or DSSE-KMS) and,
// with kmsKeyArns, under one of those keys.
func bucketDefaultKMS(_ context.Context, _ Facts, _ string, b Bucket, p params) (Evaluation, error) {
	if b.Algorithm != "aws:kms" && b.Algorithm != "aws:kms:dsse" {
		return eval(TypeBucket, b.Name, NonCompliant, "The bucket's default encryption is not SSE-KMS."), nil
	}
	if arns := p.list("kmsKeyArns"); len(arns) > 0 && !slices.Contains(arns, b.KMSKeyARN) {
		return eval(TypeBucket, b.Name, NonCompliant, "The bucket's default encryption uses a KMS key not listed in kmsKeyArns."), nil
	}
	return eval(TypeBucket, b.Name, Compliant, ""), nil
}

// bucketSSLOnly: COMPLIANT when the bucket policy denies requests made without TLS
// (aws:SecureTransport false) to reads, writes, deletes and listings of the bucket, for any
// caller: the policy engine decides each probe.
func bucketSSLOnly(_ context.Context, _ Facts, _ string, b Bucket, _ params) (Evaluation, error) {
	insecure := map[string]string{"aws:SecureTransport": "false"}
	probes := []probe{
		{"s3:GetObject", objectARN(b.Name), insecure},
		{"s3:PutObject", objectARN(b.Name), insecure},
		{"s3:DeleteObject", objectARN(b.Name), insecure},
		{"s3:ListBucket", "arn:aws:s3:::" + b.Name, insecure},
	}
	if policyDenies(b, probes) {
		return eval(TypeBucket, b.Name, Compliant, ""), nil
	}
	return eval(TypeBucket, b.Name, NonCompliant, "The bucket policy does not deny requests made without SSL (aws:SecureTransport false)."), nil
}

// bucketLogging: COMPLIANT when server access logging is on and, when given, to
// targetBucket and with targetPrefix.
func bucketLogging(_ context.Context, _ Facts, _ string, b Bucket, p params) (Evaluation, error) {
	if b.Logging == nil {
		return eval(TypeBucket, b.Name, NonCompliant, "Server access logging is not enabled."), nil
	}
	if tb, ok := p["targetBucket"]; ok && tb != "" && tb != b.Logging.TargetBucket {
		return eval(TypeBucket, b.Name, NonCompliant, "Server access logs are delivered to another bucket than targetBucket."), nil
	}
	if tp, ok := p["targetPrefix"]; ok && tp != "" && tp != b.Logging.TargetPrefix {
		return eval(TypeBucket, b.Name, NonCompliant, "Server access logs are delivered under another prefix than targetPrefix."), nil
	}
	return eval(TypeBucket, b.Name, Compliant, ""), nil
}

// bucketPublicProhibited: COMPLIANT when the bucket-level Block Public Access settings
// are all on, or the bucket is listed in excludedPublicBuckets.
func bucketPublicProhibited(_ context.Context, _ Facts, _ string, b Bucket, p params) (Evaluation, error) {
	if slices.Contains(p.list("excludedPublicBuckets"), b.Name) {
		return eval(TypeBucket, b.Name, Compliant, ""), nil
	}
	if b.BlockPublicAcls && b.IgnorePublicAcls && b.BlockPublicPolicy && b.RestrictPublicBuckets {
		return eval(TypeBucket, b.Name, Compliant, ""), nil
	}
	return eval(TypeBucket, b.Name, NonCompliant, "The bucket-level Block Public Access settings are not all enabled."), nil
}

// keyNotPendingDeletion: NON_COMPLIANT for a customer managed key pending deletion; with
// kmsKeyIds, only those keys are evaluated.
func keyNotPendingDeletion(k Key, p params) (Evaluation, bool) {
	if !k.CustomerManaged {
		return Evaluation{}, false
	}
	if ids := p.list("kmsKeyIds"); len(ids) > 0 && !slices.Contains(ids, k.ID) && !slices.Contains(ids, k.ARN) {
		return Evaluation{}, false
	}
	if k.State == "PendingDeletion" {
		return eval(TypeKey, k.ID, NonCompliant, "The KMS key is scheduled for deletion."), true
	}
	return eval(TypeKey, k.ID, Compliant, ""), true
}

// keyRotation: NON_COMPLIANT for a customer managed key without automatic rotation;
// keys pending deletion are NOT_APPLICABLE (they can no longer rotate).
func keyRotation(k Key, _ params) (Evaluation, bool) {
	if !k.CustomerManaged {
		return Evaluation{}, false
	}
	if k.State == "PendingDeletion" {
		return eval(TypeKey, k.ID, NotApplicable, ""), true
	}
	if !k.Rotation {
		return eval(TypeKey, k.ID, NonCompliant, "Automatic key rotation is not enabled."), true
	}
	return eval(TypeKey, k.ID, Compliant, ""), true
}

func perTrail(account string, ts []Trail, ok func(Trail) (bool, string)) []Evaluation {
	if len(ts) == 0 {
		return []Evaluation{eval(TypeAccount, account, NotApplicable, "")}
	}
	out := make([]Evaluation, 0, len(ts))
	for _, t := range ts {
		if good, why := ok(t); good {
			out = append(out, eval(TypeTrail, t.Name, Compliant, ""))
		} else {
			out = append(out, eval(TypeTrail, t.Name, NonCompliant, why))
		}
	}
	return out
}

func trailsEncrypted(account string, ts []Trail, _ params) []Evaluation {
	return perTrail(account, ts, func(t Trail) (bool, string) {
		return t.KMSKeyARN != "", "The trail's log files are not encrypted with a KMS key (KmsKeyId is not set)."
	})
}

func trailsValidated(account string, ts []Trail, _ params) []Evaluation {
	return perTrail(account, ts, func(t Trail) (bool, string) {
		return t.Validation, "Log file validation is not enabled for the trail."
	})
}

// trailEnabled: the account is COMPLIANT when one of its trails is logging (to
// s3BucketName when given). Arca has no SNS or CloudWatch Logs: a rule that names
// snsTopicArn or cloudWatchLogsLogGroupArn finds no trail that matches.
func trailEnabled(account string, ts []Trail, p params) []Evaluation {
	for _, t := range ts {
		if !t.IsLogging {
			continue
		}
		if b := p["s3BucketName"]; b != "" && b != t.Bucket {
			continue
		}
		if p["snsTopicArn"] != "" || p["cloudWatchLogsLogGroupArn"] != "" {
			continue
		}
		return []Evaluation{eval(TypeAccount, account, Compliant, "")}
	}
	why := "No trail is logging."
	if p["s3BucketName"] != "" {
		why = "No trail is logging to " + p["s3BucketName"] + "."
	}
	return []Evaluation{eval(TypeAccount, account, NonCompliant, why)}
}

// bucketSSECBlocked (ARCA_S3_SSEC_BLOCKED): COMPLIANT when the bucket refuses SSE-C writes.
func bucketSSECBlocked(_ context.Context, _ Facts, _ string, b Bucket, _ params) (Evaluation, error) {
	if b.SSECBlocked {
		return eval(TypeBucket, b.Name, Compliant, ""), nil
	}
	return eval(TypeBucket, b.Name, NonCompliant, "SSE-C writes are allowed (BlockedEncryptionTypes does not block SSE-C)."), nil
}

// bucketDrift (ARCA_S3_OBJECT_ENCRYPTION_DRIFT): from the bucket's latest inventory report
// that lists EncryptionStatus, NON_COMPLIANT when an object version is encrypted otherwise
// than the bucket's default encryption now says (another mode, or with SSE-KMS another key
// when the report has the KMSKeyArn column and the default names a key); INSUFFICIENT_DATA
// when the bucket has no such report. Delete markers are not objects.
func bucketDrift(ctx context.Context, f Facts, account string, b Bucket, _ params) (Evaluation, error) {
	want := expectedStatus(b.Algorithm)
	var total, drifted int64
	example := ""
	manifest, ok, err := f.InventoryRows(ctx, account, b, func(r InventoryRow) error {
		if r.DeleteMarker {
			return nil
		}
		total++
		if Drifted(want, b.KMSKeyARN, r) {
			drifted++
			if example == "" {
				example = r.Key
			}
		}
		return nil
	})
	if err != nil {
		return Evaluation{}, err
	}
	if !ok {
		return eval(TypeBucket, b.Name, InsufficientData, "The bucket has no inventory report with the EncryptionStatus field."), nil
	}
	if drifted > 0 {
		return eval(TypeBucket, b.Name, NonCompliant, truncate(fmt.Sprintf("%d of %d objects in inventory report %s are not encrypted as the bucket's default (%s), e.g. %q.",
			drifted, total, manifest, want, example), 256)), nil
	}
	return eval(TypeBucket, b.Name, Compliant, ""), nil
}

// expectedStatus is the EncryptionStatus an object written under a bucket's default gets.
func expectedStatus(algorithm string) string {
	switch algorithm {
	case "aws:kms", "aws:kms:dsse":
		return "SSE-KMS"
	}
	return "SSE-S3" // AES256, and no configured default (S3 encrypts with SSE-S3)
}

// Drifted reports whether an inventory row's encryption differs from the expected status
// (and, for SSE-KMS with a known key on both sides, from the default's key).
func Drifted(want, keyARN string, r InventoryRow) bool {
	if r.EncryptionStatus != want {
		return true
	}
	return want == "SSE-KMS" && keyARN != "" && r.KMSKeyArn != "" && r.KMSKeyArn != keyARN
}

func objectARN(bucket string) string { return "arn:aws:s3:::" + bucket + "/arca-config-probe" }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// params are a rule's InputParameters.
type params map[string]string

// list is a CSV parameter's values, trimmed, empty ones dropped.
func (p params) list(name string) []string {
	var out []string
	for _, v := range strings.Split(p[name], ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
