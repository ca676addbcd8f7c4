package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

// Request bodies as the aws CLI (botocore) and the SDKs send them, plus variations: other
// namespace spellings, prefixes, declarations, whitespace, entities, unknown elements.
var completeMultipartUploadSeeds = []string{
	// aws-sdk-go-v2
	`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&#34;3858f62230ac3c915f300c664312c11f&#34;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>&#34;7c6a9c2d3a1d2b8c3e3f1e55c0e7d44b&#34;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`,
	// botocore (aws CLI), with checksums
	`<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"3858f62230ac3c915f300c664312c11f"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32><PartNumber>1</PartNumber></Part><Part><ETag>"7c6a9c2d3a1d2b8c3e3f1e55c0e7d44b"</ETag><ChecksumCRC32>i9aeUg==</ChecksumCRC32><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`,
	// Java SDK v1 style: no namespace, pretty-printed
	"<CompleteMultipartUpload>\n  <Part>\n    <PartNumber>1</PartNumber>\n    <ETag>3858f62230ac3c915f300c664312c11f</ETag>\n  </Part>\n</CompleteMultipartUpload>\n",
	`<s3:CompleteMultipartUpload xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Part><s3:PartNumber>10000</s3:PartNumber><s3:ETag>"x"</s3:ETag><s3:ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</s3:ChecksumSHA256></s3:Part></s3:CompleteMultipartUpload>`,
	`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber> 3 </PartNumber><ETag>&quot;a&quot;</ETag><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME><ChecksumCRC32C>AAAAAA==</ChecksumCRC32C><ChecksumSHA1>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</ChecksumSHA1><Unknown>z</Unknown></Part></CompleteMultipartUpload>`,
	`<CompleteMultipartUpload/>`,
	`<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part><Part><PartNumber>99999999999999999999</PartNumber></Part></CompleteMultipartUpload>`,
	`<CompleteMultipartUpload><Part><ETag><![CDATA["a"]]></ETag><!-- c --><?pi x?></Part></CompleteMultipartUpload>`,
	`<?xml version="1.0" encoding="ISO-8859-1"?><CompleteMultipartUpload></CompleteMultipartUpload>`,
	`<Other><Part><PartNumber>1</PartNumber></Part></Other>`,
	`<CompleteMultipartUpload><Part>`,
	"<CompleteMultipartUpload><Part><ETag>a\r\nb\rc&#xD;</ETag></Part></CompleteMultipartUpload>",
}

var deleteSeeds = []string{
	// aws-sdk-go-v2
	`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>dir/b c</Key></Object><Quiet>true</Quiet></Delete>`,
	// botocore (aws s3 rm --recursive)
	`<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>photos/2006/January/sample.jpg</Key></Object><Object><Key>x</Key><VersionId>null</VersionId></Object></Delete>`,
	`<Delete><Quiet>1</Quiet><Object><Key>&lt;&amp;&gt;</Key><VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo</VersionId></Object></Delete>`,
	`<Delete><Object><Key>€ ü 日本</Key></Object><Quiet> false </Quiet></Delete>`,
	`<Delete><Quiet>maybe</Quiet></Delete>`,
	`<d:Delete xmlns:d="urn:x"><d:Object><d:Key>k</d:Key></d:Object></d:Delete>`,
	`<Delete/>`,
	`<Delete><Object><Key></Key></Object></Delete>`,
	`<Delete><Object><Key>a<x>b</x>c</Key></Object></Delete>`,
}

var createBucketConfigurationSeeds = []string{
	// aws-sdk-go-v2 and botocore
	`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
	`<?xml version="1.0" encoding="UTF-8"?>
<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>us-west-2</LocationConstraint></CreateBucketConfiguration>`,
	"<CreateBucketConfiguration>\n\t<LocationConstraint>\n\t\tEU\n\t</LocationConstraint>\n</CreateBucketConfiguration>",
	`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>us-east-1</LocationConstraint><Location><Name>usw2-az1</Name><Type>AvailabilityZone</Type></Location><Bucket><DataRedundancy>SingleAvailabilityZone</DataRedundancy><Type>Directory</Type></Bucket></CreateBucketConfiguration>`,
	`<CreateBucketConfiguration/>`,
	`<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>`,
	`<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint><LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>`,
	`<LocationConstraint>eu-west-1</LocationConstraint>`,
}

// xmlRoundTrip decodes data into a new T; when that succeeds, the value must marshal,
// decode again to an equal value (up to the root element's namespace, which Marshal does
// not write back because the types fix the root name) and marshal again to the same bytes.
func xmlRoundTrip[T any](t *testing.T, data []byte, clearName func(*T)) {
	var v1 T
	if err := xml.Unmarshal(data, &v1); err != nil {
		return
	}
	b1, err := xml.Marshal(&v1)
	if err != nil {
		t.Fatalf("decoded %q into %+v, which does not marshal: %v", data, v1, err)
	}
	var v2 T
	if err := xml.Unmarshal(b1, &v2); err != nil {
		t.Fatalf("decoded %q into %+v, marshalled to %q, which does not decode: %v", data, v1, b1, err)
	}
	b2, err := xml.Marshal(&v2)
	if err != nil {
		t.Fatalf("second marshal of %+v: %v", v2, err)
	}
	clearName(&v1)
	clearName(&v2)
	if !reflect.DeepEqual(v1, v2) {
		t.Fatalf("round trip changed the value:\ninput  %q\nfirst  %+v\nxml    %q\nsecond %+v", data, v1, b1, v2)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("marshal is not stable:\ninput %q\nfirst  %q\nsecond %q", data, b1, b2)
	}
}

func FuzzCompleteMultipartUploadXML(f *testing.F) {
	for _, s := range completeMultipartUploadSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		xmlRoundTrip(t, data, func(v *completeMultipartUpload) { v.XMLName = xml.Name{} })
	})
}

func FuzzDeleteXML(f *testing.F) {
	for _, s := range deleteSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		xmlRoundTrip(t, data, func(v *deleteRequest) { v.XMLName = xml.Name{} })
	})
}

func FuzzCreateBucketConfigurationXML(f *testing.F) {
	for _, s := range createBucketConfigurationSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		xmlRoundTrip(t, data, func(v *createBucketConfiguration) { v.XMLName = xml.Name{} })
	})
}

// The seeds must keep decoding as the SDKs mean them (so the fuzzers start from the
// shapes that matter, and the types keep accepting them).
func TestXMLSeedsDecode(t *testing.T) {
	var c completeMultipartUpload
	if err := xml.Unmarshal([]byte(completeMultipartUploadSeeds[1]), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Parts) != 2 || c.Parts[1].PartNumber != 2 || c.Parts[1].ETag != `"7c6a9c2d3a1d2b8c3e3f1e55c0e7d44b"` ||
		c.Parts[1].ChecksumCRC32 != "i9aeUg==" || c.XMLName.Space != s3NS {
		t.Errorf("CompleteMultipartUpload decoded as %+v", c)
	}
	c = completeMultipartUpload{}
	if err := xml.Unmarshal([]byte(completeMultipartUploadSeeds[3]), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Parts) != 1 || c.Parts[0].PartNumber != 10000 || c.Parts[0].ChecksumSHA256 == "" {
		t.Errorf("prefixed CompleteMultipartUpload decoded as %+v", c)
	}
	var d deleteRequest
	if err := xml.Unmarshal([]byte(deleteSeeds[0]), &d); err != nil {
		t.Fatal(err)
	}
	if !d.Quiet || len(d.Objects) != 2 || d.Objects[1].Key != "dir/b c" {
		t.Errorf("Delete decoded as %+v", d)
	}
	var b createBucketConfiguration
	if err := xml.Unmarshal([]byte(createBucketConfigurationSeeds[0]), &b); err != nil {
		t.Fatal(err)
	}
	if b.LocationConstraint != "eu-west-1" {
		t.Errorf("CreateBucketConfiguration decoded as %+v", b)
	}
}

var routeMethods = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodHead, http.MethodDelete,
	http.MethodPatch, http.MethodOptions,
}

// routeOps lists, per method and level (service, bucket, object), the operations route
// may pick. A HEAD or GET must never reach an operation that writes.
var routeOps = map[string]map[string][]string{
	http.MethodGet: {
		"service": {"ListBuckets"},
		"bucket":  {"GetBucketLocation", "GetBucketVersioning", "ListMultipartUploads", "ListObjectsV2", "ListObjects", "GetBucketTagging", "GetBucketAcl", "GetBucketOwnershipControls"},
		"object":  {"ListParts", "GetObject", "GetObjectTagging", "GetObjectAcl"},
	},
	http.MethodHead: {
		"bucket": {"HeadBucket"},
		"object": {"HeadObject"},
	},
	http.MethodPut: {
		"bucket": {"CreateBucket", "PutBucketTagging", "PutBucketAcl", "PutBucketOwnershipControls"},
		"object": {"UploadPartCopy", "UploadPart", "CopyObject", "PutObject", "PutObjectTagging", "PutObjectAcl"},
	},
	http.MethodPost: {
		"bucket": {"DeleteObjects"},
		"object": {"CreateMultipartUpload", "CompleteMultipartUpload"},
	},
	http.MethodDelete: {
		"bucket": {"DeleteBucket", "DeleteBucketTagging", "DeleteBucketOwnershipControls"},
		"object": {"AbortMultipartUpload", "DeleteObject", "DeleteObjectTagging"},
	},
}

func FuzzParseQueryRoute(f *testing.F) {
	seeds := []struct {
		m          uint8
		copySource bool
		path, q    string
	}{
		{0, false, "/", ""},
		{0, false, "/bucket", "list-type=2&prefix=a%2F&delimiter=%2F&max-keys=2"},
		{0, false, "/bucket", "location"},
		{0, false, "/bucket", "versioning="},
		{0, false, "/bucket", "uploads&prefix=x"},
		{0, false, "/bucket", "acl"},
		{0, false, "/bucket/key", "uploadId=abc&max-parts=2"},
		{0, false, "/bucket/dir/key with space", "partNumber=1&response-content-type=x"},
		{0, false, "/bucket/key", "versionId=null"},
		{0, false, "/bucket/key", "tagging"},
		{1, false, "/bucket", ""},
		{1, false, "/bucket/key", "partNumber=3&uploadId=abc"},
		{1, true, "/bucket/key", "partNumber=3&uploadId=abc"},
		{1, true, "/bucket/key", "x-id=CopyObject"},
		{1, false, "/bucket/key", "x-id=PutObject"},
		{2, false, "/bucket", "delete"},
		{2, false, "/bucket/key", "uploads"},
		{2, false, "/bucket/key", "uploadId=abc"},
		{2, false, "/bucket/key", ""},
		{3, false, "/bucket", ""},
		{3, false, "/bucket/key", "partNumber=1"},
		{4, false, "/bucket", ""},
		{4, false, "/bucket/key", "uploadId=abc"},
		{5, false, "/bucket/key", ""},
		{6, false, "/", ""},
		{0, false, "/bucket", "%zz"},
		{0, false, "/bucket", "a;b"},
		{0, false, "//key", ""},
		{0, false, "bucket/key", "=&&=x"},
	}
	for _, s := range seeds {
		f.Add(s.m, s.copySource, s.path, s.q)
	}
	f.Fuzz(func(t *testing.T, m uint8, copySource bool, path, rawQuery string) {
		method := routeMethods[int(m)%len(routeMethods)]
		req := &http.Request{Method: method, URL: &url.URL{Path: path, RawQuery: rawQuery}, Host: "localhost:9000", Header: http.Header{}}
		if copySource {
			req.Header.Set("x-amz-copy-source", "/src/key")
		}
		bucket, key := (&API{}).bucketAndKey(req)
		query, err := parseQuery(rawQuery)
		if err != nil {
			if !errors.Is(err, apierr.InvalidURI) {
				t.Fatalf("parseQuery(%q): %v, want InvalidURI", rawQuery, err)
			}
			return
		}
		q := &request{r: req, query: query, bucket: bucket, key: key}
		op, h, err := route(q)
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("route(%s %q ?%q): error %v is not an S3 error", method, path, rawQuery, err)
			}
			if s := ae.StatusCode(); s != http.StatusMethodNotAllowed && s != http.StatusNotImplemented {
				t.Fatalf("route(%s %q ?%q): %s (%d), want MethodNotAllowed or NotImplemented", method, path, rawQuery, ae.Code, s)
			}
			return
		}
		if h == nil || op == "" {
			t.Fatalf("route(%s %q ?%q) = %q, handler nil: %v, with no error", method, path, rawQuery, op, h == nil)
		}
		level := "object"
		if bucket == "" {
			level = "service"
		} else if key == "" {
			level = "bucket"
		}
		for _, want := range routeOps[method][level] {
			if op == want {
				return
			}
		}
		t.Fatalf("route(%s %q ?%q) picked %s, not a %s-level %s operation (bucket %q, key %q)", method, path, rawQuery, op, level, method, bucket, key)
	})
}
