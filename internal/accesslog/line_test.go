package accesslog

import (
	"reflect"
	"testing"
	"time"
)

// awsExample is the example line of AWS's "Amazon S3 server access log format" page, in
// its shape (values of our own).
const awsExample = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes`

func TestParseAWSExample(t *testing.T) {
	l, err := Parse(awsExample)
	if err != nil {
		t.Fatal(err)
	}
	want := Line{
		BucketOwner: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Bucket: "amzn-s3-demo-bucket1",
		Time: time.Date(2019, 2, 6, 0, 0, 38, 0, time.UTC), RemoteIP: "192.0.2.3",
		Requester: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", RequestID: "3E57427F3EXAMPLE",
		Operation: "REST.GET.VERSIONING", RequestURI: "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1", HTTPStatus: 200,
		BytesSent: 113, ObjectSize: -1, TotalTime: 7, TurnAroundTime: -1, UserAgent: "S3Console/0.4",
		HostID: "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=", SignatureVersion: "SigV4",
		CipherSuite: "ECDHE-RSA-AES128-GCM-SHA256", AuthType: "AuthHeader", HostHeader: "amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com",
		TLSVersion: "TLSV1.2", AccessPointARN: "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", ACLRequired: true,
	}
	if !reflect.DeepEqual(l, want) {
		t.Fatalf("got  %+v\nwant %+v", l, want)
	}
	if got := l.String(); got != awsExample {
		t.Fatalf("format:\n got %s\nwant %s", got, awsExample)
	}
}

var lineTests = []Line{
	{Bucket: "b", Time: time.Date(2026, 12, 6, 13, 0, 1, 0, time.UTC), Key: "dir/a b+c%d\"é", RequestURI: `PUT /b/dir/a%20b "x" HTTP/1.1`,
		HTTPStatus: 403, ErrorCode: "AccessDenied", ObjectSize: 12, TotalTime: 0, TurnAroundTime: 0, UserAgent: "ua \\ \"q\" \x01", Referer: "http://x/"},
	{Bucket: "b", Time: time.Unix(0, 0).UTC(), HTTPStatus: -1, ObjectSize: -1, TotalTime: -1, TurnAroundTime: -1, HostHeader: "[::1]:9000", Requester: "a b"},
}

func TestLineRoundTrip(t *testing.T) {
	for _, l := range lineTests {
		s := l.String()
		got, err := Parse(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Fatalf("%s:\n got %+v\nwant %+v", s, got, l)
		}
	}
}

// FuzzLine: any text Parse accepts formats back to a line that parses to the same Line.
func FuzzLine(f *testing.F) {
	f.Add(awsExample)
	for _, l := range lineTests {
		f.Add(l.String())
	}
	f.Add(`- - [01/Jan/2020:00:00:00 +0000] - - - - - "-" - - - - - - "-" "-" - - - - - - - - -`)
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(l.String())
		if err != nil {
			t.Fatalf("%q formatted as %q does not parse: %v", s, l.String(), err)
		}
		if !reflect.DeepEqual(again, l) {
			t.Fatalf("%q: %+v became %+v", s, l, again)
		}
	})
}
