package s3api

import (
	"encoding/xml"
	"reflect"
	"testing"
)

var loggingDocs = []string{
	`<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>p/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix></TargetPrefix><TargetObjectKeyFormat><SimplePrefix/></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>x</TargetPrefix><TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>x</TargetPrefix><TargetGrants><Grant><Grantee><ID>abc</ID></Grantee><Permission>READ</Permission></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>`,
}

var loggingBad = []string{
	``, `<x/>`, `<BucketLoggingStatus><Foo/></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetPrefix>p</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>l</TargetBucket><TargetPrefix>p</TargetPrefix><TargetObjectKeyFormat><SimplePrefix/><PartitionedPrefix/></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>l</TargetBucket><TargetPrefix>p</TargetPrefix><TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>Yesterday</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`,
	`<BucketLoggingStatus><LoggingEnabled><TargetBucket>l</TargetBucket><TargetPrefix>p</TargetPrefix><TargetGrants><Grant><Permission>ALL</Permission></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>`,
}

func TestParseLoggingStatus(t *testing.T) {
	for _, d := range loggingDocs {
		if _, _, err := parseLoggingStatus([]byte(d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	for _, d := range loggingBad {
		if _, _, err := parseLoggingStatus([]byte(d)); err == nil {
			t.Errorf("%s: accepted", d)
		}
	}
}

// FuzzLoggingStatus: a document that parses, written back as GetBucketLogging writes it,
// parses to the same configuration; nothing panics.
func FuzzLoggingStatus(f *testing.F) {
	for _, d := range append(loggingDocs, loggingBad...) {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _, err := parseLoggingStatus(data)
		if err != nil {
			return
		}
		out, err := xml.Marshal(loggingStatusOf(c))
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := parseLoggingStatus(out)
		if err != nil {
			t.Fatalf("%s written as %s: %v", data, out, err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("%s: %+v became %+v", data, c, again)
		}
	})
}
