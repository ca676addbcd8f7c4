package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// fullInventory is a configuration that sets every element S3 has.
func fullInventory(id string) *s3types.InventoryConfiguration {
	fields := []s3types.InventoryOptionalField{}
	for _, f := range s3types.InventoryOptionalField("").Values() {
		fields = append(fields, f)
	}
	fields = append(fields, "KMSKeyArn") // Arca's extension (docs/INVENTORY.md)
	return &s3types.InventoryConfiguration{
		Id:                     aws.String(id),
		IsEnabled:              aws.Bool(true),
		IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsAll,
		Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyWeekly},
		Filter:                 &s3types.InventoryFilter{Prefix: aws.String("logs/")},
		OptionalFields:         fields,
		Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
			AccountId: aws.String("111122223333"),
			Bucket:    aws.String("arn:aws:s3:::inv-reports"),
			Format:    s3types.InventoryFormatParquet,
			Prefix:    aws.String("reports"),
			Encryption: &s3types.InventoryEncryption{SSEKMS: &s3types.SSEKMS{
				KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")}},
		}},
	}
}

// minInventory is a configuration with only what S3 requires.
func minInventory(id string) *s3types.InventoryConfiguration {
	return &s3types.InventoryConfiguration{
		Id:                     aws.String(id),
		IsEnabled:              aws.Bool(false),
		IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsCurrent,
		Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyDaily},
		Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
			Bucket: aws.String("arn:aws:s3:::inv-reports"), Format: s3types.InventoryFormatCsv}},
	}
}

func putInventory(c *s3.Client, bucket, id string, cfg *s3types.InventoryConfiguration) error {
	_, err := c.PutBucketInventoryConfiguration(context.Background(), &s3.PutBucketInventoryConfigurationInput{
		Bucket: aws.String(bucket), Id: aws.String(id), InventoryConfiguration: cfg})
	return err
}

func getInventory(c *s3.Client, bucket, id string) (*s3types.InventoryConfiguration, error) {
	out, err := c.GetBucketInventoryConfiguration(context.Background(), &s3.GetBucketInventoryConfigurationInput{
		Bucket: aws.String(bucket), Id: aws.String(id)})
	if err != nil {
		return nil, err
	}
	return out.InventoryConfiguration, nil
}

// TestInventoryConfiguration: Put, Get, List and Delete with aws-sdk-go-v2 round-trip every
// element of a configuration (every optional field, SSE-KMS and SSE-S3 report
// encryption); a put with the same Id replaces; a missing configuration is
// NoSuchConfiguration; the refusals carry S3's codes; the configurations go with their
// bucket.
func TestInventoryConfiguration(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "inv-config"
	mustCreateBucket(t, c, b)

	_, err := getInventory(c, b, "full")
	wantAPIError(t, err, "NoSuchConfiguration", 404)
	if err != nil && !strings.Contains(err.Error(), "The specified configuration does not exist.") {
		t.Errorf("NoSuchConfiguration message: %v", err)
	}
	list, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b)})
	if err != nil || len(list.InventoryConfigurationList) != 0 || aws.ToBool(list.IsTruncated) {
		t.Fatalf("empty list: %+v %v", list, err)
	}

	full, min := fullInventory("full"), minInventory("min")
	for id, cfg := range map[string]*s3types.InventoryConfiguration{"full": full, "min": min} {
		if err := putInventory(c, b, id, cfg); err != nil {
			t.Fatalf("Put %s: %v", id, err)
		}
		got, err := getInventory(c, b, id)
		if err != nil {
			t.Fatalf("Get %s: %v", id, err)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Errorf("%s read back as\n%s\nwant\n%s", id, dumpInventory(got), dumpInventory(cfg))
		}
	}
	// SSE-S3, and a put with the same Id replaces the configuration.
	min.Destination.S3BucketDestination.Encryption = &s3types.InventoryEncryption{SSES3: &s3types.SSES3{}}
	min.IsEnabled = aws.Bool(true)
	if err := putInventory(c, b, "min", min); err != nil {
		t.Fatal(err)
	}
	if got, err := getInventory(c, b, "min"); err != nil || !reflect.DeepEqual(got, min) {
		t.Errorf("replaced min read back as %s (%v)", dumpInventory(got), err)
	}
	list, err = c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b)})
	if err != nil || len(list.InventoryConfigurationList) != 2 || aws.ToBool(list.IsTruncated) {
		t.Fatalf("list: %+v %v", list, err)
	}
	if !reflect.DeepEqual(&list.InventoryConfigurationList[0], full) || !reflect.DeepEqual(&list.InventoryConfigurationList[1], min) {
		t.Errorf("list, by Id, read back as %s, %s", dumpInventory(&list.InventoryConfigurationList[0]), dumpInventory(&list.InventoryConfigurationList[1]))
	}

	// Refusals; nothing changes.
	bad := func(edit func(*s3types.InventoryConfiguration)) *s3types.InventoryConfiguration {
		cfg := minInventory("bad")
		edit(cfg)
		return cfg
	}
	for _, tt := range []struct {
		name, id string
		cfg      *s3types.InventoryConfiguration
		code     string
		status   int
		msg      string
	}{
		{"id mismatch", "other", bad(func(*s3types.InventoryConfiguration) {}), "IdMismatch", 400, "Document ID does not match the specified configuration ID."},
		{"bucket name not ARN", "bad", bad(func(c *s3types.InventoryConfiguration) {
			c.Destination.S3BucketDestination.Bucket = aws.String("inv-reports")
		}),
			"InvalidS3DestinationBucket", 400, "Invalid bucket ARN."},
		{"ARN with account", "bad", bad(func(c *s3types.InventoryConfiguration) {
			c.Destination.S3BucketDestination.Bucket = aws.String("arn:aws:s3::111122223333:inv-reports")
		}), "InvalidS3DestinationBucket", 400, "Bucket ARN should not specify a namespace."},
		{"format", "bad", bad(func(c *s3types.InventoryConfiguration) { c.Destination.S3BucketDestination.Format = "JSON" }), "MalformedXML", 400, ""},
		{"frequency", "bad", bad(func(c *s3types.InventoryConfiguration) { c.Schedule.Frequency = "Hourly" }), "MalformedXML", 400, ""},
		{"versions", "bad", bad(func(c *s3types.InventoryConfiguration) { c.IncludedObjectVersions = "Some" }), "MalformedXML", 400, ""},
		{"optional field", "bad", bad(func(c *s3types.InventoryConfiguration) {
			c.OptionalFields = []s3types.InventoryOptionalField{"Size", "Colour"}
		}), "MalformedXML", 400, ""},
		{"both encryptions", "bad", bad(func(c *s3types.InventoryConfiguration) {
			c.Destination.S3BucketDestination.Encryption = &s3types.InventoryEncryption{SSES3: &s3types.SSES3{}, SSEKMS: &s3types.SSEKMS{KeyId: aws.String("k")}}
		}), "MalformedXML", 400, ""},
		{"id with space", "a b", bad(func(c *s3types.InventoryConfiguration) { c.Id = aws.String("a b") }), "MalformedXML", 400, ""},
		{"65-char id", strings.Repeat("i", 65), bad(func(c *s3types.InventoryConfiguration) { c.Id = aws.String(strings.Repeat("i", 65)) }), "MalformedXML", 400, ""},
	} {
		err := putInventory(c, b, tt.id, tt.cfg)
		wantAPIError(t, err, tt.code, tt.status)
		if tt.msg != "" && (err == nil || !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("%s: %v, want message %q", tt.name, err, tt.msg)
		}
	}
	_, err = getInventory(c, b, "bad")
	wantAPIError(t, err, "NoSuchConfiguration", 404)
	_, err = c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b), ContinuationToken: aws.String("!!")})
	wantAPIError(t, err, "InvalidArgument", 400)
	wantAPIError(t, putInventory(c, "no-such-bucket", "x", minInventory("x")), "NoSuchBucket", 404)

	// Delete: 204, then NoSuchConfiguration for the configuration and for a second delete.
	if _, err := c.DeleteBucketInventoryConfiguration(ctx, &s3.DeleteBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String("full")}); err != nil {
		t.Fatal(err)
	}
	_, err = getInventory(c, b, "full")
	wantAPIError(t, err, "NoSuchConfiguration", 404)
	_, err = c.DeleteBucketInventoryConfiguration(ctx, &s3.DeleteBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String("full")})
	wantAPIError(t, err, "NoSuchConfiguration", 404)

	// The configurations go with their bucket: a new bucket of the same name has none.
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, c, b)
	_, err = getInventory(c, b, "min")
	wantAPIError(t, err, "NoSuchConfiguration", 404)
}

// TestInventoryConfigurationLimits: ListBucketInventoryConfigurations pages 100 at a time
// by continuation token (the SDK's paginator reads all 1,000, by Id); the 1,001st
// configuration is TooManyConfigurations, a replacement at the limit is not.
func TestInventoryConfigurationLimits(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "inv-limits"
	mustCreateBucket(t, c, b)
	const n = 1000
	ids := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				id := fmt.Sprintf("cfg-%04d", i)
				errs <- putInventory(c, b, id, minInventory(id))
			}
		}()
	}
	for i := n - 1; i >= 0; i-- {
		ids <- i
	}
	close(ids)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	first, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b)})
	if err != nil || len(first.InventoryConfigurationList) != 100 || !aws.ToBool(first.IsTruncated) || aws.ToString(first.NextContinuationToken) == "" {
		t.Fatalf("first page: %d, truncated %v, next %q, %v", len(first.InventoryConfigurationList), aws.ToBool(first.IsTruncated), aws.ToString(first.NextContinuationToken), err)
	}
	second, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b), ContinuationToken: first.NextContinuationToken})
	if err != nil || aws.ToString(second.ContinuationToken) != aws.ToString(first.NextContinuationToken) || aws.ToString(second.InventoryConfigurationList[0].Id) != "cfg-0100" {
		t.Fatalf("second page: %+v %v", second, err)
	}
	var got []string
	token := (*string)(nil)
	for pages := 0; ; pages++ {
		out, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b), ContinuationToken: token})
		if err != nil || pages > 10 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, cfg := range out.InventoryConfigurationList {
			got = append(got, aws.ToString(cfg.Id))
		}
		if !aws.ToBool(out.IsTruncated) {
			if out.NextContinuationToken != nil {
				t.Errorf("last page has a next token")
			}
			break
		}
		token = out.NextContinuationToken
	}
	if len(got) != n || got[0] != "cfg-0000" || got[n-1] != "cfg-0999" {
		t.Fatalf("listed %d, %v … %v", len(got), got[:1], got[len(got)-1:])
	}
	wantAPIError(t, putInventory(c, b, "one-too-many", minInventory("one-too-many")), "TooManyConfigurations", 400)
	cfg := minInventory("cfg-0500")
	cfg.Schedule.Frequency = s3types.InventoryFrequencyWeekly
	if err := putInventory(c, b, "cfg-0500", cfg); err != nil {
		t.Fatalf("replacing at the limit: %v", err)
	}
}

// TestInventoryConfigurationAccess: a user without s3:PutInventoryConfiguration or
// s3:GetInventoryConfiguration is refused all four calls, one with them is not; the calls
// are management events in the audit trail, readOnly for Get and List.
func TestInventoryConfigurationAccess(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	root := sdk(t, srv, srv.HTTPURL)
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	b := "inv-access"
	mustCreateBucket(t, root, b)
	ctx := context.Background()
	if err := putInventory(root, b, "r", minInventory("r")); err != nil {
		t.Fatal(err)
	}
	calls := func(c *s3.Client) map[string]error {
		_, get := c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String("r")})
		_, list := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b)})
		put := putInventory(c, b, "u", minInventory("u"))
		_, del := c.DeleteBucketInventoryConfiguration(ctx, &s3.DeleteBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String("u")})
		return map[string]error{"Get": get, "List": list, "Put": put, "Delete": del}
	}
	eve := authzUser(t, rootIAM, "eve", authzAllow(`["s3:ListBucket","s3:GetObject","s3:PutObject"]`, `"*"`))
	for name, err := range calls(authzS3(t, srv.HTTPURL, eve)) {
		action := "s3:GetInventoryConfiguration"
		if name == "Put" || name == "Delete" {
			action = "s3:PutInventoryConfiguration"
		}
		wantS3Denied(t, name+" without "+action, err, s3DenyMsg(eve.ARN, action, "arn:aws:s3:::"+b, whyNoIdentity(action)))
	}
	ann := authzUser(t, rootIAM, "ann", authzAllow(`["s3:GetInventoryConfiguration","s3:PutInventoryConfiguration"]`, `"arn:aws:s3:::`+b+`"`))
	for name, err := range calls(authzS3(t, srv.HTTPURL, ann)) {
		wantOK(t, name+" with the actions", err)
	}

	all := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), "", "")
	for name, readOnly := range map[string]bool{"PutBucketInventoryConfiguration": false, "GetBucketInventoryConfiguration": true,
		"ListBucketInventoryConfigurations": true, "DeleteBucketInventoryConfiguration": false} {
		wantFields(t, name, findRecord(all, name, func(r map[string]any) bool { return r["errorCode"] == nil }), map[string]any{
			"managementEvent": true, "readOnly": readOnly, "requestParameters.bucketName": b, "requestParameters.inventory": ""})
		wantFields(t, name+" refused", findRecord(all, name, func(r map[string]any) bool { return r["errorCode"] != nil }), map[string]any{
			"errorCode": "AccessDenied", "managementEvent": true})
	}
	wantFields(t, "Get's id", findRecord(all, "GetBucketInventoryConfiguration", nil), map[string]any{"requestParameters.id": "r"})
}

// TestInventoryConfigurationCLI: the aws CLI (botocore) puts a configuration from a JSON
// file and reads it back, lists and deletes it.
func TestInventoryConfigurationCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	b := "inv-cli"
	srv.AWS(t, srv.HTTPURL, false, "s3api", "create-bucket", "--bucket", b)
	doc := `{"Destination":{"S3BucketDestination":{"AccountId":"111122223333","Bucket":"arn:aws:s3:::inv-reports","Format":"CSV","Prefix":"inv",
	  "Encryption":{"SSES3":{}}}},"IsEnabled":true,"Filter":{"Prefix":"data/"},"Id":"cli-1","IncludedObjectVersions":"Current",
	  "OptionalFields":["Size","LastModifiedDate","ETag","EncryptionStatus","BucketKeyStatus","ChecksumAlgorithm","KMSKeyArn"],"Schedule":{"Frequency":"Daily"}}`
	path := filepath.Join(t.TempDir(), "inv.json")
	writeFile(t, path, []byte(doc))
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-inventory-configuration", "--bucket", b, "--id", "cli-1", "--inventory-configuration", "file://"+path)
	got := cliJSON(t, srv.AWS(t, srv.HTTPURL, false, "s3api", "get-bucket-inventory-configuration", "--bucket", b, "--id", "cli-1"))
	want := cliJSON(t, `{"InventoryConfiguration":`+doc+`}`)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("get-bucket-inventory-configuration:\n%v\nwant\n%v", got, want)
	}
	list := cliJSON(t, srv.AWS(t, srv.HTTPURL, false, "s3api", "list-bucket-inventory-configurations", "--bucket", b))
	if l, _ := list["InventoryConfigurationList"].([]any); len(l) != 1 || list["IsTruncated"] != false {
		t.Errorf("list-bucket-inventory-configurations: %v", list)
	}
	out := srv.AWS(t, srv.HTTPURL, true, "s3api", "put-bucket-inventory-configuration", "--bucket", b, "--id", "other", "--inventory-configuration", "file://"+path)
	if !strings.Contains(out, "IdMismatch") {
		t.Errorf("id mismatch: %s", out)
	}
	srv.AWS(t, srv.HTTPURL, false, "s3api", "delete-bucket-inventory-configuration", "--bucket", b, "--id", "cli-1")
	out = srv.AWS(t, srv.HTTPURL, true, "s3api", "get-bucket-inventory-configuration", "--bucket", b, "--id", "cli-1")
	if !strings.Contains(out, "NoSuchConfiguration") {
		t.Errorf("after delete: %s", out)
	}
}

func dumpInventory(c *s3types.InventoryConfiguration) string {
	if c == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("id=%s enabled=%v versions=%s sched=%+v filter=%+v fields=%v", aws.ToString(c.Id), aws.ToBool(c.IsEnabled), c.IncludedObjectVersions, c.Schedule, c.Filter, c.OptionalFields)
	if c.Destination != nil && c.Destination.S3BucketDestination != nil {
		d := c.Destination.S3BucketDestination
		s += fmt.Sprintf(" dst{acct=%s bucket=%s fmt=%s prefix=%s enc=%+v}", aws.ToString(d.AccountId), aws.ToString(d.Bucket), d.Format, aws.ToString(d.Prefix), d.Encryption)
		if d.Encryption != nil && d.Encryption.SSEKMS != nil {
			s += " kms=" + aws.ToString(d.Encryption.SSEKMS.KeyId)
		}
	}
	return s
}

// TestInventoryConfigurationCrossAccount: another account's root is refused the calls on a
// bucket it does not own until the bucket's policy allows the action (then only that
// action); x-amz-expected-bucket-owner naming another account is refused.
func TestInventoryConfigurationCrossAccount(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	acctA := authzAccount(t, srv)
	acctB, akB, skB := createAccount(t, srv, "inv-b")
	rootB := authzCreds{ARN: "arn:aws:iam::" + acctB + ":root", AK: akB, SK: skB}
	a, bc := authzS3(t, srv.HTTPURL, authzRoot(acctA)), authzS3(t, srv.HTTPURL, rootB)
	b := "inv-xacct"
	mustCreateBucket(t, a, b)
	if err := putInventory(a, b, "r", minInventory("r")); err != nil {
		t.Fatal(err)
	}
	res := "arn:aws:s3:::" + b
	_, err := getInventory(bc, b, "r")
	wantS3Denied(t, "B gets A's configuration", err, s3DenyMsg(rootB.ARN, "s3:GetInventoryConfiguration", res, whyNoResource("s3:GetInventoryConfiguration")))
	wantS3Denied(t, "B puts on A's bucket", putInventory(bc, b, "b", minInventory("b")), s3DenyMsg(rootB.ARN, "s3:PutInventoryConfiguration", res, whyNoResource("s3:PutInventoryConfiguration")))

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + rootB.ARN + `"},
	  "Action":"s3:GetInventoryConfiguration","Resource":"` + res + `"}]}`
	if _, err := a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	got, err := getInventory(bc, b, "r")
	wantOK(t, "B gets A's configuration under A's policy", err)
	if err == nil && aws.ToString(got.Id) != "r" {
		t.Errorf("B read %s", dumpInventory(got))
	}
	list, err := bc.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b)})
	wantOK(t, "B lists A's configurations under A's policy", err)
	if err == nil && len(list.InventoryConfigurationList) != 1 {
		t.Errorf("B listed %d", len(list.InventoryConfigurationList))
	}
	wantS3Denied(t, "B puts under a policy that allows only reads", putInventory(bc, b, "b", minInventory("b")), "")
	_, err = bc.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String("r"), ExpectedBucketOwner: aws.String(acctB)})
	wantAPIError(t, err, "AccessDenied", 403)
	_, err = bc.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String("r"), ExpectedBucketOwner: aws.String(acctA)})
	wantOK(t, "B names A as the expected owner", err)
}
