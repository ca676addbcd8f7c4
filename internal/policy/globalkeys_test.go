package policy

import (
	"reflect"
	"testing"
	"time"
)

var globalKeyTests = []struct {
	caller string
	want   map[string][]string
}{
	{"alice", map[string][]string{
		KeyPrincipalType: {"User"}, KeyPrincipalArn: {aliceAR}, KeyPrincipalAccount: {acct},
		KeyUserID: {"AIDAALICE"}, KeyUsername: {"alice"}}},
	{"root", map[string][]string{
		KeyPrincipalType: {"Account"}, KeyPrincipalArn: {"arn:aws:iam::123456789012:root"},
		KeyPrincipalAccount: {acct}, KeyUserID: {acct}}},
	{"session", map[string][]string{
		KeyPrincipalType: {"AssumedRole"}, KeyPrincipalArn: {"arn:aws:iam::123456789012:role/r"},
		KeyPrincipalAccount: {acct}, KeyUserID: {"AROAR:s"}}},
	{"anonymous", map[string][]string{KeyPrincipalType: {"Anonymous"}, KeyUserID: {"anonymous"}}},
	{"s3", map[string][]string{KeyPrincipalType: {"AWSService"}}},
}

func TestFillGlobalKeys(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 500, time.FixedZone("X", 3600))
	for _, tt := range globalKeyTests {
		r := &Request{Principal: principals[tt.caller]}
		r.Set(KeyUsername, "stale")
		r.Set("aws:SecureTransport", "true")
		r.FillGlobalKeys(now)
		want := map[string][]string{KeySecureTransport: {"true"},
			KeyCurrentTime: {"2024-05-06T06:08:09Z"}, KeyEpochTime: {"1714975689"}}
		for k, v := range tt.want {
			want[k] = v
		}
		if !reflect.DeepEqual(r.Context, want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.caller, r.Context, want)
		}
	}
}

// Time conditions against the filled aws:CurrentTime and aws:EpochTime.
func TestTimeConditions(t *testing.T) {
	p := MustParse(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
		"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"},"DateLessThan":{"aws:EpochTime":"1735689600"}}}}`, Identity)
	for _, tt := range []struct {
		now  time.Time
		want Decision
	}{
		{time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC), NotApplicable},
		{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Allow},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotApplicable},
	} {
		r := &Request{Principal: principals["alice"], Action: "s3:GetObject", Resource: objARN}
		r.FillGlobalKeys(tt.now)
		if got := p.Evaluate(r); got != tt.want {
			t.Errorf("at %v: %v, want %v", tt.now, got, tt.want)
		}
	}
}

// The KMS default key policy delegates to the account; the aws/s3 key's policy lets any
// principal of the account use the key through S3 only (reference §4.6, issue item 4).
func TestKeyPolicies(t *testing.T) {
	def := MustParse(`{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",
		"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`, Key)
	awsS3 := MustParse(`{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[{"Sid":"Allow access through S3",
		"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],
		"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012","kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
		{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},
		"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`, Key)
	for _, tt := range []struct {
		policy *Policy
		caller string
		action string
		via    string
		want   Decision
	}{
		{def, "alice", "kms:Decrypt", "", Allow},
		{def, "stranger", "kms:Decrypt", "", NotApplicable},
		{def, "anonymous", "kms:Decrypt", "", NotApplicable},
		{awsS3, "alice", "kms:Decrypt", "s3.us-east-1.amazonaws.com", Allow},
		{awsS3, "alice", "kms:GenerateDataKey", "s3.us-east-1.amazonaws.com", Allow},
		{awsS3, "alice", "kms:Decrypt", "", NotApplicable},
		{awsS3, "alice", "kms:Decrypt", "s3.eu-west-1.amazonaws.com", NotApplicable},
		{awsS3, "stranger", "kms:Decrypt", "s3.us-east-1.amazonaws.com", NotApplicable},
		{awsS3, "alice", "kms:DescribeKey", "", Allow},
		{awsS3, "alice", "kms:ScheduleKeyDeletion", "", NotApplicable},
	} {
		r := &Request{Principal: principals[tt.caller], Action: tt.action, Resource: keyARN}
		r.FillGlobalKeys(time.Now())
		if pr := principals[tt.caller]; pr.Account != "" {
			r.Set(KeyCallerAccount, pr.Account)
		}
		if tt.via != "" {
			r.Set(KeyViaService, tt.via)
		}
		if got := tt.policy.Evaluate(r); got != tt.want {
			t.Errorf("%s %s %s via %q: %v, want %v", tt.policy.ID, tt.caller, tt.action, tt.via, got, tt.want)
		}
	}
}

var publicTests = []struct {
	stmt string
	want bool
}{
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"`, true},
	{`"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"`, true},
	{`"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"`, false},
	{`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"`, false},
	{`"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"`, true},
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, false},
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, true},
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`, false},
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*","Condition":{"StringLike":{"aws:PrincipalArn":"*"}}`, true},
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}`, true},
	{`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}`, true},
}

func TestIsPublic(t *testing.T) {
	for _, tt := range publicTests {
		p := MustParse(`{"Version":"2012-10-17","Statement":{`+tt.stmt+`}}`, Bucket)
		if got := p.IsPublic(); got != tt.want {
			t.Errorf("%s: IsPublic = %v, want %v", tt.stmt, got, tt.want)
		}
	}
}
