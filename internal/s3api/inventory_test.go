package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/inventory"
)

// Requests of the ?inventory family select their rows by method and by whether ?id= is
// there; B2's POST ?inventory&id= row, once landed, takes POST.
var inventoryRouteTests = []struct{ method, target, op, err string }{
	{"PUT", "/b?inventory&id=x", "PutBucketInventoryConfiguration", ""},
	{"PUT", "/b?inventory", "PutBucketInventoryConfiguration", ""},
	{"GET", "/b?inventory&id=x", "GetBucketInventoryConfiguration", ""},
	{"GET", "/b?id=x&inventory", "GetBucketInventoryConfiguration", ""},
	{"GET", "/b?inventory&id=", "GetBucketInventoryConfiguration", ""},
	{"GET", "/b?inventory", "ListBucketInventoryConfigurations", ""},
	{"GET", "/b?inventory&continuation-token=abc", "ListBucketInventoryConfigurations", ""},
	{"DELETE", "/b?inventory&id=x", "DeleteBucketInventoryConfiguration", ""},
	{"GET", "/b?id=x", "ListObjects", ""},
	{"GET", "/b/k?inventory&id=x", "Unsupported", "NotImplemented"},
	{"HEAD", "/b?inventory&id=x", "", "MethodNotAllowed"},
}

func TestInventoryRoute(t *testing.T) {
	for _, tc := range inventoryRouteTests {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		q := &request{r: r}
		q.bucket, q.key = (&API{}).bucketAndKey(r)
		var err error
		if q.query, err = parseQuery(r.URL.RawQuery); err != nil {
			t.Fatal(err)
		}
		name, _, err := route(q)
		code := ""
		if err != nil {
			code = apierr.S3(err).Code
		}
		if name != tc.op || code != tc.err {
			t.Errorf("%s %s: %q %q, want %q %q", tc.method, tc.target, name, code, tc.op, tc.err)
		}
	}
}

// inventorySeeds are PutBucketInventoryConfiguration bodies as clients send them, and
// variations S3 refuses.
var inventorySeeds = []string{
	// aws-sdk-go-v2, every element
	`<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Destination><S3BucketDestination><AccountId>111122223333</AccountId><Bucket>arn:aws:s3:::dst</Bucket><Encryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab</KeyId></SSE-KMS></Encryption><Format>Parquet</Format><Prefix>reports</Prefix></S3BucketDestination></Destination><Filter><Prefix>logs/</Prefix></Filter><Id>full</Id><IncludedObjectVersions>All</IncludedObjectVersions><IsEnabled>true</IsEnabled><OptionalFields><Field>Size</Field><Field>EncryptionStatus</Field><Field>BucketKeyStatus</Field></OptionalFields><Schedule><Frequency>Weekly</Frequency></Schedule></InventoryConfiguration>`,
	// botocore (aws CLI), the minimum, SSE-S3
	`<?xml version="1.0" encoding="UTF-8"?>
<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Destination><S3BucketDestination><Bucket>arn:aws:s3:::dst</Bucket><Format>CSV</Format><Encryption><SSE-S3 /></Encryption></S3BucketDestination></Destination><IsEnabled>false</IsEnabled><Id>min</Id><IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>`,
	"<InventoryConfiguration>\n <Id>p</Id>\n <IsEnabled> true </IsEnabled>\n <Destination><S3BucketDestination><Bucket>arn:aws:s3:::dst</Bucket><Format>ORC</Format></S3BucketDestination></Destination>\n <Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions>\n</InventoryConfiguration>\n",
	`<i:InventoryConfiguration xmlns:i="http://s3.amazonaws.com/doc/2006-03-01/"><i:Id>ns</i:Id><i:IsEnabled>1</i:IsEnabled><i:Destination><i:S3BucketDestination><i:Bucket>arn:aws:s3:::dst</i:Bucket><i:Format>CSV</i:Format></i:S3BucketDestination></i:Destination><i:Schedule><i:Frequency>Daily</i:Frequency></i:Schedule><i:IncludedObjectVersions>All</i:IncludedObjectVersions></i:InventoryConfiguration>`,
	// refused
	`<InventoryConfiguration><Id>x</Id><IsEnabled>maybe</IsEnabled></InventoryConfiguration>`,
	`<InventoryConfiguration><Id>x</Id><IsEnabled>true</IsEnabled><Destination><S3BucketDestination><Bucket>arn:aws:s3:::dst</Bucket><Format>CSV</Format><Encryption><SSE-KMS/></Encryption></S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`,
	`<InventoryConfiguration><Id>x</Id><IsEnabled>true</IsEnabled><Destination><S3BucketDestination><Bucket>arn:aws:s3:::dst</Bucket><Format>CSV</Format></S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions><Colour>red</Colour></InventoryConfiguration>`,
	`<InventoryConfiguration><Id>x</Id><IsEnabled>true</IsEnabled><Destination><S3BucketDestination><Bucket>arn:aws:s3:::dst</Bucket><Format>CSV</Format></S3BucketDestination></Destination><Filter/><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`,
	`<InventoryConfiguration><Id>x</Id><IsEnabled>true</IsEnabled><Destination/><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`,
	`<LifecycleConfiguration><Id>x</Id></LifecycleConfiguration>`,
	`<InventoryConfiguration><Id>x`,
	``,
	`<InventoryConfiguration><Id><![CDATA[a&b]]></Id><OptionalFields><Field>Size</Field><Field/></OptionalFields></InventoryConfiguration>`,
}

func TestDecodeInventory(t *testing.T) {
	c, err := decodeInventory([]byte(inventorySeeds[0]))
	if err != nil {
		t.Fatal(err)
	}
	want := inventory.Config{ID: "full", IsEnabled: true, Schedule: "Weekly", IncludedObjectVersions: "All", Prefix: "logs/",
		OptionalFields: []string{"Size", "EncryptionStatus", "BucketKeyStatus"},
		Destination: inventory.Destination{AccountID: "111122223333", BucketARN: "arn:aws:s3:::dst", Format: "Parquet", Prefix: "reports",
			Encryption: &inventory.Encryption{KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", c, want)
	}
	if err := inventory.Validate("full", c); err != nil {
		t.Fatal(err)
	}
	if c, err := decodeInventory([]byte(inventorySeeds[1])); err != nil || c.IsEnabled || c.Destination.Encryption == nil || !c.Destination.Encryption.SSES3 {
		t.Fatalf("minimum: %+v %v", c, err)
	}
	for i := 4; i < len(inventorySeeds); i++ {
		if _, err := decodeInventory([]byte(inventorySeeds[i])); !errors.Is(err, inventory.ErrMalformed) {
			t.Errorf("seed %d: %v, want ErrMalformed", i, err)
		}
	}
}

// FuzzInventoryConfiguration: no body makes the decoder panic; whatever it accepts and
// Validate passes encodes to a document that decodes to the same configuration.
func FuzzInventoryConfiguration(f *testing.F) {
	for _, s := range inventorySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := decodeInventory(data)
		if err != nil {
			if !errors.Is(err, inventory.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if inventory.Validate(c.ID, c) != nil {
			return
		}
		doc := encodeInventory(c)
		doc.NS = s3NS
		out, err := xml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeInventory(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		// what the document cannot carry: an empty filter prefix is no filter, an empty
		// field list none
		if len(c.OptionalFields) == 0 {
			c.OptionalFields = nil
		}
		if len(back.OptionalFields) == 0 {
			back.OptionalFields = nil
		}
		if !reflect.DeepEqual(c, back) {
			t.Fatalf("round trip of %q\n%+v\nbecame\n%+v", data, c, back)
		}
		if strings.Count(string(out), "<InventoryConfiguration") != 1 {
			t.Fatalf("encoded %s", out)
		}
	})
}

// BenchmarkInventoryPut is the CPU work of a PutBucketInventoryConfiguration besides the
// bucket record's write: decoding and validating the document and replacing it in a
// bucket that has 999 others (go test ./internal/s3api/ -run X -bench InventoryPut).
func BenchmarkInventoryPut(b *testing.B) {
	doc := []byte(inventorySeeds[0])
	var cs []inventory.Config
	for i := range inventory.MaxConfigs - 1 {
		c, _ := decodeInventory(doc)
		c.ID = fmt.Sprintf("c%04d", i)
		cs = append(cs, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := decodeInventory(doc)
		if err != nil || inventory.Validate("full", c) != nil {
			b.Fatal(err)
		}
		if _, err := inventory.Put(cs, c); err != nil {
			b.Fatal(err)
		}
	}
}
