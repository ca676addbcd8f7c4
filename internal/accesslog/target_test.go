package accesslog

import (
	"errors"
	"testing"
	"time"
)

func allowPolicy(effect, resource, sourceAccount string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":{"Service":"logging.s3.amazonaws.com"},` +
		`"Action":"s3:PutObject","Resource":"` + resource + `","Condition":{"StringEquals":{"aws:SourceAccount":"` + sourceAccount + `"}}}]}`
}

var checkTargetTests = []struct {
	name   string
	target *Bucket
	grants bool
	want   error
}{
	{"no such bucket", nil, false, ErrInvalidTarget},
	{"other region", &Bucket{Name: "l", Owner: "111122223333", Region: "eu-west-1", Policy: allowPolicy("Allow", "arn:aws:s3:::l/*", "111122223333")}, false, ErrCrossLocation},
	{"other owner", &Bucket{Name: "l", Owner: "444455556666", Region: "us-east-1", Policy: allowPolicy("Allow", "arn:aws:s3:::l/*", "111122223333")}, false, ErrInvalidTarget},
	{"grants on owner enforced", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1", OwnerEnforced: true, Policy: allowPolicy("Allow", "arn:aws:s3:::l/*", "111122223333")}, true, ErrGrantsNotAllowed},
	{"grants with ACLs on", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1", Policy: allowPolicy("Allow", "arn:aws:s3:::l/*", "111122223333")}, true, nil},
	{"no policy", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1"}, false, ErrInvalidTarget},
	{"policy denies", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1", Policy: allowPolicy("Deny", "arn:aws:s3:::l/*", "111122223333")}, false, ErrInvalidTarget},
	{"policy for another source account", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1", Policy: allowPolicy("Allow", "arn:aws:s3:::l/*", "444455556666")}, false, ErrInvalidTarget},
	{"policy for another prefix", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1", Policy: allowPolicy("Allow", "arn:aws:s3:::l/other/*", "111122223333")}, false, ErrInvalidTarget},
	{"policy for the prefix", &Bucket{Name: "l", Owner: "111122223333", Region: "us-east-1", Policy: allowPolicy("Allow", "arn:aws:s3:::l/logs/*", "111122223333")}, false, nil},
}

func TestCheckTarget(t *testing.T) {
	src := Bucket{Name: "src", Owner: "111122223333", Region: "us-east-1"}
	c := &Config{TargetBucket: "l", TargetPrefix: "logs/"}
	for _, tt := range checkTargetTests {
		err := CheckTarget(src, tt.target, c, tt.grants, time.Now())
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := Config{TargetBucket: "l", KeyFormat: FormatPartitioned}
	if err := c.Validate(); err != nil || c.PartitionDateSource != DateDeliveryTime {
		t.Fatalf("PartitionedPrefix without a date source: %v %q", err, c.PartitionDateSource)
	}
	for _, bad := range []Config{{}, {TargetBucket: "l", KeyFormat: "Other"}, {TargetBucket: "l", PartitionDateSource: DateEventTime},
		{TargetBucket: "l", KeyFormat: FormatPartitioned, PartitionDateSource: "Now"}} {
		if err := bad.Validate(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%+v: %v, want ErrMalformed", bad, err)
		}
	}
}
