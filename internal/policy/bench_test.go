package policy

import (
	"testing"
	"time"
)

// benchPolicy is a 10-statement bucket policy of the kind deployments carry: the four
// canonical denies, grants to users, a public prefix, an IP-restricted area.
const benchPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyUnencryptedPut","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*",
  "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
 {"Sid":"DenyWrongSSE","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*",
  "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}},
 {"Sid":"DenyWrongKey","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*",
  "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
 {"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"],
  "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/admin","arn:aws:iam::123456789012:role/ops"]},
  "Action":"s3:*","Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]},
 {"Sid":"Readers","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],
  "Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]},
 {"Sid":"Home","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["s3:PutObject","s3:DeleteObject"],
  "Resource":"arn:aws:s3:::B/home/${aws:username}/*"},
 {"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/public/*"},
 {"Sid":"Office","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/office/*",
  "Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}},
 {"Sid":"NoDeletes","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/admin"},"Action":"s3:DeleteBucket*",
  "Resource":"arn:aws:s3:::B"}
]}`

// BenchmarkEvaluate: an SSE-KMS upload into the caller's home prefix over TLS, which
// walks all ten statements (no Deny applies) and ends in Allow.
func BenchmarkEvaluate(b *testing.B) {
	p := MustParse(benchPolicy, Bucket)
	r := &Request{Principal: principals["alice"], Action: "s3:PutObject", Resource: "arn:aws:s3:::B/home/alice/2024/report.csv"}
	r.FillGlobalKeys(time.Unix(1700000000, 0))
	r.Set(KeySecureTransport, "true")
	r.Set(KeySourceIP, "192.0.2.10")
	r.Set(KeySSE, "aws:kms")
	r.Set(KeySSEKMSKeyID, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	if d := p.Evaluate(r); d != Allow {
		b.Fatalf("decision %v, want Allow", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(r)
	}
}

// BenchmarkParse: the same policy, parsed as on PutBucketPolicy.
func BenchmarkParse(b *testing.B) {
	doc := []byte(benchPolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, Bucket); err != nil {
			b.Fatal(err)
		}
	}
}
