package s3api

import (
	"encoding/xml"
	"errors"
	"reflect"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

// PutBucketEncryption bodies as clients send them (botocore, aws-sdk-go-v2, Terraform's
// provider), plus the variations a parser must survive.
var bucketEncryptionSeeds = []string{
	`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/photos</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
	// BlockedEncryptionTypes: block, unblock, alone, both, unknown, empty, repeated.
	`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>SSE-KMS</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes/></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes><BlockedEncryptionTypes><EncryptionType> NONE </EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType><![CDATA[SSE-C]]></EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
	// Structure errors.
	`<ServerSideEncryptionConfiguration/>`,
	`<ServerSideEncryptionConfiguration><Rule/></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms:dsse</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Rule/></ServerSideEncryptionConfiguration>`,
	`<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>maybe</BucketKeyEnabled></Rule>`,
}

// FuzzBucketEncryptionXML: a PutBucketEncryption body is refused with an S3 error (never a
// panic), or yields a change whose result blocks SSE-C exactly when the body said SSE-C
// (or said nothing and the bucket already blocked it), and which GetBucketEncryption's
// answer states back.
func FuzzBucketEncryptionXML(f *testing.F) {
	for _, s := range bucketEncryptionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c sseConfiguration
		if err := xml.Unmarshal(data, &c); err != nil {
			return
		}
		ch, err := parseSSEConfiguration(&c)
		if err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) && !errors.Is(err, object.ErrBlockedEncryptionType) {
				t.Fatalf("%q: error %v is neither an S3 error nor a mapped sentinel", data, err)
			}
			if w := apierr.S3(err); w.Status != 400 && w.Status != 501 {
				t.Fatalf("%q: answered %d %s", data, w.Status, w.Code)
			}
			return
		}
		for _, old := range []*meta.BucketEncryption{nil, {Blocked: []string{object.BlockSSEC}}} {
			got := ch.Apply(old)
			switch {
			case ch.Blocked != nil:
				if object.SSECBlocked(got) != reflect.DeepEqual(ch.Blocked, []string{object.BlockSSEC}) {
					t.Fatalf("%q on %+v: %+v blocks SSE-C = %v", data, old, got, object.SSECBlocked(got))
				}
			case object.SSECBlocked(got) != object.SSECBlocked(old):
				t.Fatalf("%q without BlockedEncryptionTypes changed the block of %+v to %+v", data, old, got)
			}
			if got != nil && len(got.Blocked) > 1 {
				t.Fatalf("%q: stored %q", data, got.Blocked)
			}
			// GetBucketEncryption states it back, and that parses to the same configuration.
			back := encodeBucketEncryption(got)
			b, err := xml.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			var c2 sseConfiguration
			if err := xml.Unmarshal(b, &c2); err != nil {
				t.Fatalf("GetBucketEncryption's %q does not decode: %v", b, err)
			}
			ch2, err := parseSSEConfiguration(&c2)
			if err != nil {
				t.Fatalf("GetBucketEncryption's %q does not parse: %v", b, err)
			}
			if again := ch2.Apply(nil); object.SSECBlocked(again) != object.SSECBlocked(got) || object.EffectiveDefault(again) != object.EffectiveDefault(got) {
				t.Fatalf("%q: %+v stated as %q reads back as %+v", data, got, b, again)
			}
		}
	})
}
