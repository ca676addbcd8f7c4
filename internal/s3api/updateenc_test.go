package s3api

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

const ueARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// ObjectEncryption bodies as clients send them (aws-sdk-go-v2 writes BucketKeyEnabled
// first, botocore KMSKeyArn first), and what S3 answers for each.
var objectEncryptionTests = []struct {
	body      string
	want      error // nil: accepted
	keyARN    string
	bucketKey bool
}{
	{`<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><SSE-KMS><BucketKeyEnabled>true</BucketKeyEnabled><KMSKeyArn>` + ueARN + `</KMSKeyArn></SSE-KMS></ObjectEncryption>`, nil, ueARN, true},
	{`<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><SSE-KMS><KMSKeyArn>` + ueARN + `</KMSKeyArn></SSE-KMS></ObjectEncryption>`, nil, ueARN, false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn> ` + ueARN + "\n" + `</KMSKeyArn><BucketKeyEnabled>false</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`, nil, ueARN, false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1</KMSKeyArn></SSE-KMS></ObjectEncryption>`, nil, "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1", false},
	{`<ObjectEncryption/>`, apierr.UpdateEncNoType, "", false},
	{`<ObjectEncryption><SSE-S3/></ObjectEncryption>`, apierr.UpdateEncNoType, "", false},
	{`<ObjectEncryption><SSE-C/></ObjectEncryption>`, apierr.UpdateEncTargetType, "", false},
	{`<ObjectEncryption><DSSE-KMS/></ObjectEncryption>`, apierr.UpdateEncTargetType, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>` + ueARN + `</KMSKeyArn></SSE-KMS><SSE-C/></ObjectEncryption>`, apierr.MalformedXML, "", false},
	{`<ObjectEncryption><SSE-KMS/></ObjectEncryption>`, apierr.UpdateEncNoKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>  </KMSKeyArn></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncNoKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>1234abcd-12ab-34cd-56ef-1234567890ab</KMSKeyArn></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBadKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>alias/aws/s3</KMSKeyArn></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBadKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:111122223333:alias/x</KMSKeyArn></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBadKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:11112222333:key/x</KMSKeyArn></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBadKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:111122223333:key/x/y</KMSKeyArn></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBadKeyARN, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>` + ueARN + `</KMSKeyArn><BucketKeyEnabled>TRUE</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBucketKey, "", false},
	{`<ObjectEncryption><SSE-KMS><KMSKeyArn>` + ueARN + `</KMSKeyArn><BucketKeyEnabled></BucketKeyEnabled></SSE-KMS></ObjectEncryption>`, apierr.UpdateEncBucketKey, "", false},
}

func TestParseObjectEncryption(t *testing.T) {
	for _, tc := range objectEncryptionTests {
		var c objectEncryptionXML
		if err := xml.Unmarshal([]byte(tc.body), &c); err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		r, err := parseObjectEncryption(&c)
		if err != tc.want {
			t.Errorf("%s: %v, want %v", tc.body, err, tc.want)
			continue
		}
		if err == nil && (r.KeyARN != tc.keyARN || r.BucketKey != tc.bucketKey) {
			t.Errorf("%s: %+v", tc.body, r)
		}
	}
}

func TestARNAccount(t *testing.T) {
	for arn, want := range map[string]string{ueARN: "111122223333", "arn:aws:kms:x": "", "": ""} {
		if got := arnAccount(arn); got != want {
			t.Errorf("arnAccount(%q) = %q, want %q", arn, got, want)
		}
	}
}

// FuzzObjectEncryptionXML: an UpdateObjectEncryption body is refused with an S3 error
// (never a panic), or names a full KMS key ARN (as AWS's model defines it) and its account.
func FuzzObjectEncryptionXML(f *testing.F) {
	for _, tc := range objectEncryptionTests {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(`<ObjectEncryption><SSE-KMS><KMSKeyArn><![CDATA[` + ueARN + `]]></KMSKeyArn></SSE-KMS></ObjectEncryption>`))
	f.Add([]byte(`<ObjectEncryption><SSE-KMS><KMSKeyArn>a</KMSKeyArn><KMSKeyArn>` + ueARN + `</KMSKeyArn></SSE-KMS></ObjectEncryption>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c objectEncryptionXML
		if err := xml.Unmarshal(data, &c); err != nil {
			return
		}
		r, err := parseObjectEncryption(&c)
		if err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) || e.Status != 400 {
				t.Fatalf("refusal %v is not a 400 S3 error", err)
			}
			return
		}
		if !kmsKeyARN.MatchString(r.KeyARN) || strings.TrimSpace(r.KeyARN) != r.KeyARN || len(arnAccount(r.KeyARN)) != 12 {
			t.Fatalf("accepted key ARN %q", r.KeyARN)
		}
	})
}
