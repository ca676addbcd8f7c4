package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

var jsonTestTime = time.Date(2024, 5, 17, 9, 30, 12, 0, time.UTC)

func s3GetObjectRecord() *Record {
	return &Record{
		EventVersion: EventVersion,
		UserIdentity: UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE0001", ARN: "arn:aws:iam::123456789012:user/alice",
			AccountID: "123456789012", AccessKeyID: "AKIAEXAMPLE0001", UserName: "alice"},
		EventTime: jsonTestTime, EventSource: SourceS3, EventName: "GetObject", AWSRegion: "us-east-1",
		SourceIPAddress: "10.0.3.17", UserAgent: "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux api/s3#1.58.0",
		RequestParameters: map[string]any{"Host": "arca.example.com:9000", "bucketName": "photos", "key": "2024/05/cat & dog <1>.jpg"},
		AdditionalEventData: map[string]any{"bytesTransferredIn": int64(0), "bytesTransferredOut": int64(48213),
			"x-amz-id-2": "Zm9vYmFyYmF6cXV4", "SignatureVersion": "SigV4", "AuthenticationMethod": "AuthHeader",
			"CipherSuite": "TLS_AES_128_GCM_SHA256", "SSEApplied": "SSE_KMS"},
		RequestID: "17D2A9E3C4B5F601", EventID: "3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60", ReadOnly: true,
		Resources: []Resource{{ARN: "arn:aws:s3:::photos/2024/05/cat & dog <1>.jpg", Type: "AWS::S3::Object"},
			{ARN: "arn:aws:s3:::photos", AccountID: "123456789012", Type: "AWS::S3::Bucket"}},
		EventType: "AwsApiCall", RecipientAccountID: "123456789012", EventCategory: CategoryData,
		TLSDetails: &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "arca.example.com:9000"},
	}
}

func kmsDecryptRecord() *Record {
	return &Record{
		EventVersion: EventVersion,
		UserIdentity: UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE0002", ARN: "arn:aws:iam::123456789012:user/app",
			AccountID: "123456789012", AccessKeyID: "AKIAEXAMPLE0002", UserName: "app", InvokedBy: SourceS3},
		EventTime: jsonTestTime.Add(1500 * time.Millisecond), EventSource: SourceKMS, EventName: "Decrypt", AWSRegion: "us-east-1",
		SourceIPAddress: "10.0.3.18", UserAgent: "aws-sdk-go-v2/1.30.0 api/kms#1.35.0",
		RequestParameters: map[string]any{"keyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
			"encryptionContext":   map[string]string{"aws:s3:arn": "arn:aws:s3:::photos/a.jpg", "tenant": "acme", "purpose": "x<y&z>w"}},
		RequestID: "8c5a1e2f-0000-4a4a-9b9b-0123456789ab", EventID: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", ReadOnly: true,
		Resources: []Resource{{ARN: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			AccountID: "123456789012", Type: "AWS::KMS::Key"}},
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: "123456789012", EventCategory: CategoryManagement,
		TLSDetails: &TLSDetails{TLSVersion: "TLSv1.2", CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ClientProvidedHostHeader: "kms.local"},
	}
}

func jsonTestRecords() map[string]*Record {
	kmsCreate := kmsDecryptRecord()
	kmsCreate.EventName, kmsCreate.ReadOnly = "CreateKey", false
	kmsCreate.RequestParameters = map[string]any{"description": "tenant key", "keyUsage": "ENCRYPT_DECRYPT",
		"multiRegion": false, "bypassPolicyLockoutSafetyCheck": true, "numberOfBytes": 32,
		"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*"}]}`,
		"tags":   []map[string]string{{"TagKey": "env", "TagValue": "prod"}}}
	kmsCreate.ResponseElements = map[string]any{"keyMetadata": map[string]any{"keyId": "1234abcd", "arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd"}}

	iamRec := &Record{
		EventVersion: EventVersion, UserIdentity: UserIdentity{Type: "Root", PrincipalID: "123456789012",
			ARN: "arn:aws:iam::123456789012:root", AccountID: "123456789012"},
		EventTime: jsonTestTime, EventSource: SourceIAM, EventName: "AttachUserPolicy", AWSRegion: "us-east-1",
		SourceIPAddress: "::1", UserAgent: "aws-cli/2.15.0",
		RequestParameters: map[string]any{"userName": "bob", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		ResponseElements:  nil, RequestID: "REQ1", EventID: "EV1", EventType: "AwsApiCall", ManagementEvent: true,
		RecipientAccountID: "123456789012", EventCategory: CategoryManagement,
	}

	denied := s3GetObjectRecord()
	denied.UserIdentity = UserIdentity{Type: "Unknown", AccessKeyID: "AKIA\"quoted\"<script>"}
	denied.ErrorCode = "AccessDenied"
	denied.ErrorMessage = "Access \"Denied\" <b>&amp;</b>\x00\x01\x07\b\f\n\r\t\x1f\x7f \\ \u2028\u2029 bad:\xff\xfe\xc3 end\xe2\x80 ok é 日本 🎉"
	denied.UserAgent = "agent\u2028with\u2029separators\xed\xa0\x80"
	denied.RequestParameters = map[string]any{"key\x00<&>": "v\xff", "\u2028": "", "": "empty key"}
	denied.TLSDetails = nil
	denied.AdditionalEventData = map[string]any{}

	alarm := &Record{
		EventVersion: EventVersion, UserIdentity: UserIdentity{Type: "AWSService", PrincipalID: "alarms.arca", AccountID: "123456789012",
			InvokedBy: "alarms.arca"},
		EventTime: jsonTestTime, EventSource: "alarms.arca", EventName: "AlarmTriggered", AWSRegion: "us-east-1",
		SourceIPAddress: "alarms.arca", UserAgent: "alarms.arca", EventID: "alarm-1", EventType: "AwsServiceEvent",
		ManagementEvent: true, RecipientAccountID: "123456789012", EventCategory: CategoryManagement,
		ServiceEventDetails: map[string]any{"alarm": "alarm-1", "rule": "denied-burst", "count": 12,
			"eventIds": []string{"a", "b", "c<d>"}, "actions": []string{"log", "record"}, "window": "5m0s",
			"nested": map[string]any{"floats": []any{0.0, -0.0, 1.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, -2.5e-10, math.MaxFloat64, math.SmallestNonzeroFloat64},
				"ints": []any{0, -1, int64(math.MaxInt64), int64(math.MinInt64)}, "nil": nil, "emptySlice": []any{}, "nilSlice": []any(nil),
				"nilStrings": []string(nil), "emptyMap": map[string]any{}, "nilMap": map[string]any(nil), "nilStringMap": map[string]string(nil),
				"mixed": []any{"s", true, false, nil, map[string]any{"z": 1, "a": []any{map[string]string{"k": "v"}}}}},
			"fallback": map[string]any{"uint": uint32(7), "float32": float32(0.1), "dur": time.Second, "time": jsonTestTime,
				"raw": json.RawMessage(`{"b": 1, "a":"<"}`), "struct": struct {
					A string `json:"a"`
					B int    `json:"b,omitempty"`
				}{A: "<&>"}, "bytes": []byte("hi"), "named": namedMap{"x": "y"}, "num": json.Number("12.50")}},
	}

	emptyMaps := &Record{RequestParameters: map[string]any{}, ResponseElements: map[string]any{},
		AdditionalEventData: map[string]any{}, ServiceEventDetails: map[string]any{}, Resources: []Resource{}}
	zoned := iamRec.clone()
	zoned.EventTime = time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", -(5*3600+30*60)))

	return map[string]*Record{
		"s3 GetObject": s3GetObjectRecord(), "kms Decrypt": kmsDecryptRecord(), "kms CreateKey": kmsCreate,
		"iam": iamRec, "denied": denied, "alarm": alarm, "zero": {}, "empty maps": emptyMaps, "zoned time": zoned,
	}
}

// namedMap is a map type the encoder does not know, like kmsapi's params.
type namedMap map[string]any

func (r *Record) clone() *Record { c := *r; return &c }

func TestAppendJSONMatchesMarshal(t *testing.T) {
	for name, r := range jsonTestRecords() {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			prefix := []byte("prefix")
			got := r.AppendJSON(prefix)
			if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
				t.Fatalf("AppendJSON differs from json.Marshal\n got %s\nwant %s", got[len(prefix):], want)
			}
		})
	}
}

// What json.Marshal rejects, appendJSON rejects with the same error (and AppendJSON leaves
// the buffer alone).
func TestAppendJSONErrors(t *testing.T) {
	bad := map[string]*Record{
		"year":     {EventTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"negative": {EventTime: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		"zone":     {EventTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 24*3600))},
		"nan":      {RequestParameters: map[string]any{"x": math.NaN()}},
		"inf":      {ServiceEventDetails: map[string]any{"x": []any{math.Inf(-1)}}},
		"chan":     {AdditionalEventData: map[string]any{"c": make(chan int)}},
	}
	for name, r := range bad {
		_, werr := json.Marshal(r)
		_, gerr := r.appendJSON(nil)
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
			t.Errorf("%s: json.Marshal error %v, appendJSON error %v", name, werr, gerr)
		}
		if got := r.AppendJSON([]byte("x")); string(got) != "x" {
			t.Errorf("%s: AppendJSON appended %q", name, got)
		}
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	r := &Record{RequestParameters: cyclic}
	if _, err := r.appendJSON(nil); err == nil {
		t.Error("cyclic map: no error")
	}
	deep := any("leaf")
	for range 3 * maxJSONDepth {
		deep = map[string]any{"d": []any{deep}}
	}
	r = &Record{ServiceEventDetails: map[string]any{"deep": deep}}
	want, _ := json.Marshal(r)
	if got := r.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Error("deep value differs from json.Marshal")
	}
}

func FuzzRecordJSON(f *testing.F) {
	f.Add("GetObject", "a<b>&c\u2028", "\xff\xfe", "key", int64(42), 1.5, true, int64(1700000000), int64(5))
	f.Add("", "\x00\x1f\"\\", "日本語", "", int64(-1), 1e-7, false, int64(0), int64(999999999))
	f.Add("x", "\xed\xa0\x80", "\u2029", "\x7f", int64(math.MinInt64), 1e21, true, int64(-62135596800), int64(-1))
	f.Fuzz(func(t *testing.T, s1, s2, s3, k string, n int64, fl float64, ok bool, sec, nsec int64) {
		r := &Record{
			EventVersion: s1, UserIdentity: UserIdentity{Type: s2, PrincipalID: s3, ARN: k, UserName: s1, InvokedBy: s2},
			EventTime: time.Unix(sec, nsec).In(time.FixedZone("z", int(n%100000))), EventName: s2, ErrorCode: s3, ErrorMessage: s1 + s2 + s3,
			RequestParameters: map[string]any{k: s1, s2: n, s3: fl, s1 + "x": ok, "ec": map[string]string{s1: s2, s3: k}},
			ReadOnly:          ok, ManagementEvent: !ok,
			Resources: []Resource{{ARN: s1, AccountID: s2, Type: s3}},
		}
		if n%2 == 0 {
			r.ResponseElements = map[string]any{}
			r.AdditionalEventData = map[string]any{"l": []string{s1, s2, k}, "i": int(n), "nil": nil}
			r.TLSDetails = &TLSDetails{TLSVersion: s1, CipherSuite: s2, ClientProvidedHostHeader: s3}
		}
		if n%3 == 0 {
			r.ServiceEventDetails = map[string]any{s2: []any{s1, fl, n, ok, nil, map[string]any{k: []any{s3}}}, "u": uint8(n)}
		}
		want, werr := json.Marshal(r)
		got, gerr := r.appendJSON([]byte("pre"))
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("errors differ: json.Marshal %v, appendJSON %v", werr, gerr)
		}
		if werr == nil && !bytes.Equal(got[3:], want) {
			t.Fatalf("AppendJSON differs from json.Marshal\n got %s\nwant %s", got[3:], want)
		}
	})
}

func benchRecords() map[string]*Record {
	return map[string]*Record{"S3GetObject": s3GetObjectRecord(), "KMSDecrypt": kmsDecryptRecord()}
}

func BenchmarkRecordMarshal(b *testing.B) {
	for _, name := range []string{"S3GetObject", "KMSDecrypt"} {
		r := benchRecords()[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRecordAppendJSON(b *testing.B) {
	for _, name := range []string{"S3GetObject", "KMSDecrypt"} {
		r := benchRecords()[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf = r.AppendJSON(buf[:0])
			}
			if !strings.HasPrefix(string(buf), `{"eventVersion"`) {
				b.Fatal("bad output")
			}
		})
	}
}
