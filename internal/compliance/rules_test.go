package compliance

import (
	"context"
	"testing"
)

const owner = "111122223333"

func bucketPolicy(stmts string) string {
	return `{"Version":"2012-10-17","Statement":[` + stmts + `]}`
}

const denyInsecure = `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`

// The SSL rule asks the policy engine: table of policies and the compliance they give.
var sslTests = []struct {
	name, policy, want string
}{
	{"no policy", "", NonCompliant},
	{"deny all insecure", bucketPolicy(denyInsecure), Compliant},
	{"deny objects only", bucketPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), NonCompliant},
	{"deny one account only", bucketPolicy(`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), NonCompliant},
	{"deny GetObject only", bucketPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), NonCompliant},
	{"allow secure only", bucketPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}`), NonCompliant},
	{"NumericLessThan TLS version is not it", bucketPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}`), NonCompliant},
}

func TestSSLRequestsOnly(t *testing.T) {
	for _, tt := range sslTests {
		e, _ := bucketSSLOnly(context.Background(), nil, owner, Bucket{Name: "b", Owner: owner, Policy: tt.policy}, nil)
		if e.Compliance != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, e.Compliance, tt.want)
		}
	}
}

func TestBucketRules(t *testing.T) {
	denyUnencrypted := bucketPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`)
	arn := "arn:aws:kms:us-east-1:111122223333:key/k1"
	tests := []struct {
		name  string
		rule  string
		b     Bucket
		input string
		want  string
	}{
		{"no default", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", Bucket{}, "", NonCompliant},
		{"default", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", Bucket{Algorithm: "AES256"}, "", Compliant},
		{"policy denies unencrypted", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", Bucket{Policy: denyUnencrypted}, "", Compliant},
		{"sse-s3 not kms", "S3_DEFAULT_ENCRYPTION_KMS", Bucket{Algorithm: "AES256"}, "", NonCompliant},
		{"kms any key", "S3_DEFAULT_ENCRYPTION_KMS", Bucket{Algorithm: "aws:kms", KMSKeyARN: arn}, "", Compliant},
		{"kms listed key", "S3_DEFAULT_ENCRYPTION_KMS", Bucket{Algorithm: "aws:kms", KMSKeyARN: arn}, `{"kmsKeyArns":"x, ` + arn + `"}`, Compliant},
		{"kms other key", "S3_DEFAULT_ENCRYPTION_KMS", Bucket{Algorithm: "aws:kms", KMSKeyARN: arn + "2"}, `{"kmsKeyArns":"` + arn + `"}`, NonCompliant},
		{"logging off", "S3_BUCKET_LOGGING_ENABLED", Bucket{}, "", NonCompliant},
		{"logging on", "S3_BUCKET_LOGGING_ENABLED", Bucket{Logging: &Logging{TargetBucket: "logs"}}, "", Compliant},
		{"logging wrong bucket", "S3_BUCKET_LOGGING_ENABLED", Bucket{Logging: &Logging{TargetBucket: "logs"}}, `{"targetBucket":"other"}`, NonCompliant},
		{"logging wrong prefix", "S3_BUCKET_LOGGING_ENABLED", Bucket{Logging: &Logging{TargetBucket: "logs", TargetPrefix: "a/"}}, `{"targetBucket":"logs","targetPrefix":"b/"}`, NonCompliant},
		{"bpa partial", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", Bucket{BlockPublicAcls: true}, "", NonCompliant},
		{"bpa all", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", Bucket{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}, "", Compliant},
		{"bpa excluded", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", Bucket{}, `{"excludedPublicBuckets":"a,b"}`, Compliant},
		{"ssec allowed", "ARCA_S3_SSEC_BLOCKED", Bucket{}, "", NonCompliant},
		{"ssec blocked", "ARCA_S3_SSEC_BLOCKED", Bucket{SSECBlocked: true}, "", Compliant},
	}
	for _, tt := range tests {
		tt.b.Name, tt.b.Owner = "b", owner
		p, err := ParseInputParameters(tt.rule, tt.input)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		e, err := catalog[tt.rule].bucket(context.Background(), nil, owner, tt.b, p)
		if err != nil || e.Compliance != tt.want {
			t.Errorf("%s: %s (%v), want %s", tt.name, e.Compliance, err, tt.want)
		}
	}
}

func TestKeyAndTrailRules(t *testing.T) {
	k := Key{ID: "k1", ARN: "arn:aws:kms:us-east-1:111122223333:key/k1", State: "Enabled", CustomerManaged: true}
	if e, ok := keyNotPendingDeletion(k, nil); !ok || e.Compliance != Compliant {
		t.Errorf("enabled key: %v %v", e, ok)
	}
	k.State = "PendingDeletion"
	if e, _ := keyNotPendingDeletion(k, nil); e.Compliance != NonCompliant {
		t.Errorf("pending key: %v", e)
	}
	if _, ok := keyNotPendingDeletion(k, params{"kmsKeyIds": "other"}); ok {
		t.Errorf("a key not in kmsKeyIds was evaluated")
	}
	if _, ok := keyRotation(Key{ID: "m", State: "Enabled"}, nil); ok {
		t.Errorf("an AWS managed key was evaluated")
	}
	if e, _ := keyRotation(Key{ID: "k", State: "Enabled", CustomerManaged: true}, nil); e.Compliance != NonCompliant {
		t.Errorf("rotation off: %v", e)
	}
	ts := []Trail{{Name: "t", Bucket: "logs", IsLogging: true}}
	if e := trailEnabled(owner, ts, params{"s3BucketName": "logs"}); e[0].Compliance != Compliant || e[0].ResourceType != TypeAccount {
		t.Errorf("trail enabled: %v", e)
	}
	if e := trailEnabled(owner, ts, params{"s3BucketName": "other"}); e[0].Compliance != NonCompliant {
		t.Errorf("trail to another bucket: %v", e)
	}
	if e := trailsEncrypted(owner, ts, nil); e[0].Compliance != NonCompliant || e[0].ResourceID != "t" {
		t.Errorf("unencrypted trail: %v", e)
	}
	if e := trailsValidated(owner, nil, nil); e[0].Compliance != NotApplicable {
		t.Errorf("no trails: %v", e)
	}
}
