package compliance

import (
	"errors"
	"testing"
)

var paramTests = []struct {
	ident, input string
	want         map[string]string
	bad          bool
}{
	{"S3_DEFAULT_ENCRYPTION_KMS", "", map[string]string{}, false},
	{"S3_DEFAULT_ENCRYPTION_KMS", `{"kmsKeyArns":"arn:aws:kms:us-east-1:111122223333:key/a,arn:aws:kms:us-east-1:111122223333:key/b"}`,
		map[string]string{"kmsKeyArns": "arn:aws:kms:us-east-1:111122223333:key/a,arn:aws:kms:us-east-1:111122223333:key/b"}, false},
	{"S3_BUCKET_LOGGING_ENABLED", `{"targetBucket":"logs","targetPrefix":"p/"}`, map[string]string{"targetBucket": "logs", "targetPrefix": "p/"}, false},
	{"S3_BUCKET_LOGGING_ENABLED", `{"targetBucket":1}`, map[string]string{"targetBucket": "1"}, false},
	{"S3_BUCKET_LOGGING_ENABLED", `{"unknown":"x"}`, nil, true},
	{"S3_BUCKET_LOGGING_ENABLED", `{bad`, nil, true},
	{"S3_BUCKET_LOGGING_ENABLED", `[]`, nil, true},
	{"S3_BUCKET_LOGGING_ENABLED", `null`, nil, true},
	{"S3_BUCKET_LOGGING_ENABLED", `{"targetBucket":{"a":1}}`, nil, true},
	{"S3_BUCKET_LOGGING_ENABLED", `{} {}`, nil, true},
	{"CMK_BACKING_KEY_ROTATION_ENABLED", `{}`, map[string]string{}, false},
}

func TestParseInputParameters(t *testing.T) {
	for _, tt := range paramTests {
		got, err := ParseInputParameters(tt.ident, tt.input)
		if tt.bad {
			if !errors.Is(err, ErrInvalidParameter) {
				t.Errorf("%s %q: err %v, want ErrInvalidParameter", tt.ident, tt.input, err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%s %q: %v, %v; want %v", tt.ident, tt.input, got, err, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s %q: %s = %q, want %q", tt.ident, tt.input, k, got[k], v)
			}
		}
	}
}

// FuzzInputParameters: any input either parses into parameters the rule knows, or fails
// with ErrInvalidParameter; never a panic.
func FuzzInputParameters(f *testing.F) {
	for _, tt := range paramTests {
		f.Add(tt.ident, tt.input)
	}
	f.Add("KMS_CMK_NOT_SCHEDULED_FOR_DELETION", `{"kmsKeyIds":"1234abcd-12ab-34cd-56ef-1234567890ab"}`)
	f.Add("CLOUD_TRAIL_ENABLED", `{"s3BucketName":"trail-bucket","snsTopicArn":""}`)
	f.Add("S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "{\"excludedPublicBuckets\":\"a,\\u0000b\"}")
	f.Fuzz(func(t *testing.T, ident, input string) {
		got, err := ParseInputParameters(ident, input)
		if err != nil {
			if !errors.Is(err, ErrInvalidParameter) {
				t.Fatalf("error %v is not ErrInvalidParameter", err)
			}
			return
		}
		if def := catalog[ident]; def != nil {
			for k := range got {
				found := false
				for _, p := range def.Params {
					found = found || p == k
				}
				if !found {
					t.Fatalf("accepted unknown parameter %q for %s", k, ident)
				}
			}
		}
	})
}
