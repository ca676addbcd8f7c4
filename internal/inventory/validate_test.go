package inventory

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/errs"
)

func valid() Config {
	return Config{ID: "daily-1", IsEnabled: true, Schedule: Daily, IncludedObjectVersions: VersionsAll,
		Destination: Destination{BucketARN: "arn:aws:s3:::dst-bucket", Format: FormatCSV}}
}

var validateTests = []struct {
	name string
	id   string
	edit func(*Config)
	want error
	msg  string
}{
	{"valid", "daily-1", func(*Config) {}, nil, ""},
	{"every optional field", "daily-1", func(c *Config) { c.OptionalFields = OptionalFields }, nil, ""},
	{"Arca's KMSKeyArn", "daily-1", func(c *Config) { c.OptionalFields = []string{"EncryptionStatus", FieldKMSKeyArn} }, nil, ""},
	{"KMSKeyArn in another case", "daily-1", func(c *Config) { c.OptionalFields = []string{"KmsKeyArn"} }, ErrMalformed, ""},
	{"SSE-S3", "daily-1", func(c *Config) { c.Destination.Encryption = &Encryption{SSES3: true} }, nil, ""},
	{"SSE-KMS", "daily-1", func(c *Config) {
		c.Destination.Encryption = &Encryption{KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k"}
	}, nil, ""},
	{"Parquet weekly current", "daily-1", func(c *Config) {
		c.Destination.Format, c.Schedule, c.IncludedObjectVersions = FormatParquet, Weekly, VersionsCurrent
	}, nil, ""},
	{"ORC", "daily-1", func(c *Config) { c.Destination.Format = FormatORC }, nil, ""},
	{"64-char id", strings.Repeat("a", 64), func(c *Config) { c.ID = strings.Repeat("a", 64) }, nil, ""},
	{"id of every allowed char", "Az09_.-", func(c *Config) { c.ID = "Az09_.-" }, nil, ""},

	{"empty id", "", func(c *Config) { c.ID = "" }, ErrMalformed, ""},
	{"65-char id", strings.Repeat("a", 65), func(c *Config) { c.ID = strings.Repeat("a", 65) }, ErrMalformed, ""},
	{"id with a space", "a b", func(c *Config) { c.ID = "a b" }, ErrMalformed, ""},
	{"id with a slash", "a/b", func(c *Config) { c.ID = "a/b" }, ErrMalformed, ""},
	{"format json", "daily-1", func(c *Config) { c.Destination.Format = "JSON" }, ErrMalformed, ""},
	{"format lowercase", "daily-1", func(c *Config) { c.Destination.Format = "csv" }, ErrMalformed, ""},
	{"hourly", "daily-1", func(c *Config) { c.Schedule = "Hourly" }, ErrMalformed, ""},
	{"versions none", "daily-1", func(c *Config) { c.IncludedObjectVersions = "None" }, ErrMalformed, ""},
	{"unknown field", "daily-1", func(c *Config) { c.OptionalFields = []string{"Size", "Colour"} }, ErrMalformed, ""},
	{"no destination bucket", "daily-1", func(c *Config) { c.Destination.BucketARN = "" }, ErrMalformed, ""},
	{"both encryptions", "daily-1", func(c *Config) { c.Destination.Encryption = &Encryption{SSES3: true, KMSKeyID: "k"} }, ErrMalformed, ""},
	{"empty encryption", "daily-1", func(c *Config) { c.Destination.Encryption = &Encryption{} }, ErrMalformed, ""},
	// the schema is checked before the ids are compared
	{"bad format and other id", "other", func(c *Config) { c.Destination.Format = "JSON" }, ErrMalformed, ""},

	{"id mismatch", "other", func(*Config) {}, ErrIDMismatch, "Document ID does not match the specified configuration ID."},
	{"id differs in case", "Daily-1", func(*Config) {}, ErrIDMismatch, ""},
	// the ids are compared before the destination is judged
	{"id mismatch and bad arn", "other", func(c *Config) { c.Destination.BucketARN = "dst" }, ErrIDMismatch, ""},

	{"bucket name, not arn", "daily-1", func(c *Config) { c.Destination.BucketARN = "dst-bucket" }, ErrInvalidDestination, "Invalid bucket ARN."},
	{"kms arn", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws:kms:::dst-bucket" }, ErrInvalidDestination, "Invalid bucket ARN."},
	{"other partition", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws-cn:s3:::dst-bucket" }, ErrInvalidDestination, "Invalid bucket ARN."},
	{"account in arn", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws:s3::111122223333:dst-bucket" }, ErrInvalidDestination, "Bucket ARN should not specify a namespace."},
	{"region in arn", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws:s3:us-east-1::dst-bucket" }, ErrInvalidDestination, "Bucket ARN should not specify a namespace."},
	{"bad bucket name", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws:s3:::Dst_Bucket" }, ErrInvalidDestination, "Invalid bucket ARN."},
	{"arn with key", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws:s3:::dst-bucket/prefix" }, ErrInvalidDestination, "Invalid bucket ARN."},
	{"empty bucket", "daily-1", func(c *Config) { c.Destination.BucketARN = "arn:aws:s3:::" }, ErrInvalidDestination, "Invalid bucket ARN."},
}

func TestValidate(t *testing.T) {
	for _, tc := range validateTests {
		c := valid()
		tc.edit(&c)
		err := Validate(tc.id, c)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Validate = %v, want %v", tc.name, err, tc.want)
			continue
		}
		if tc.msg != "" && errs.Message(err) != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, errs.Message(err), tc.msg)
		}
	}
}

func TestOptionalFieldsAreAWSs(t *testing.T) {
	// aws-sdk-go-v2's InventoryOptionalField enum, in its order.
	want := "Size LastModifiedDate StorageClass ETag IsMultipartUploaded ReplicationStatus EncryptionStatus ObjectLockRetainUntilDate ObjectLockMode ObjectLockLegalHoldStatus ObjectLockEventHoldStatus ObjectLockEventHoldDuration IntelligentTieringAccessTier BucketKeyStatus ChecksumAlgorithm ObjectAccessControlList ObjectOwner LifecycleExpirationDate IntelligentTieringReferenceDate"
	if got := strings.Join(OptionalFields, " "); got != want {
		t.Fatalf("OptionalFields = %s", got)
	}
}

func TestPutReplacesInPlaceAndLimits(t *testing.T) {
	var cs []Config
	for i := range MaxConfigs {
		c := valid()
		c.ID = fmt.Sprintf("c%04d", i)
		var err error
		if cs, err = Put(cs, c); err != nil {
			t.Fatalf("Put #%d: %v", i, err)
		}
	}
	c := valid()
	c.ID = "c0500"
	c.Schedule = Weekly
	got, err := Put(cs, c)
	if err != nil || len(got) != MaxConfigs || got[500].Schedule != Weekly || cs[500].Schedule != Daily {
		t.Fatalf("replacing at the limit: %v, %d configs, %q (original %q)", err, len(got), got[500].Schedule, cs[500].Schedule)
	}
	c.ID = "one-too-many"
	if _, err := Put(cs, c); !errors.Is(err, ErrTooMany) {
		t.Fatalf("the 1001st: %v", err)
	}
	if cs, err = Delete(cs, "c0000"); err != nil || len(cs) != MaxConfigs-1 {
		t.Fatalf("Delete: %v, %d", err, len(cs))
	}
	if _, err := Put(cs, c); err != nil {
		t.Fatalf("a new one after a delete: %v", err)
	}
}

func TestFindDelete(t *testing.T) {
	a, b := valid(), valid()
	b.ID = "b"
	cs := []Config{a, b}
	if got, err := Find(cs, "b"); err != nil || got.ID != "b" {
		t.Fatalf("Find: %v %v", got, err)
	}
	if _, err := Find(cs, "B"); !errors.Is(err, ErrNoSuchConfiguration) || errs.Message(err) != "The specified configuration does not exist." {
		t.Fatalf("Find of a missing id: %v", err)
	}
	if _, err := Delete(cs, "zz"); !errors.Is(err, ErrNoSuchConfiguration) {
		t.Fatalf("Delete of a missing id: %v", err)
	}
	out, err := Delete(cs, "daily-1")
	if err != nil || len(out) != 1 || out[0].ID != "b" || len(cs) != 2 {
		t.Fatalf("Delete: %v %v (input now %d)", out, err, len(cs))
	}
	if out, _ = Delete(out, "b"); out != nil {
		t.Fatalf("deleting the last leaves %v, want nil", out)
	}
}

func TestPage(t *testing.T) {
	var cs []Config
	for i := 249; i >= 0; i-- { // put in reverse: pages are by Id all the same
		c := valid()
		c.ID = fmt.Sprintf("id-%03d", i)
		cs = append(cs, c)
	}
	var seen []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		p, next := Page(cs, after)
		for _, c := range p {
			seen = append(seen, c.ID)
		}
		if next == "" {
			if len(p) != 50 {
				t.Fatalf("last page has %d", len(p))
			}
			break
		}
		if len(p) != PageSize || next != p[len(p)-1].ID {
			t.Fatalf("page of %d, next %q", len(p), next)
		}
		after = next
	}
	for i, id := range seen {
		if id != fmt.Sprintf("id-%03d", i) {
			t.Fatalf("listing #%d is %s", i, id)
		}
	}
	// a page after an Id that was deleted meanwhile goes on from the next one
	if p, _ := Page(cs, "id-099x"); p[0].ID != "id-100" {
		t.Fatalf("after a vanished id: %s", p[0].ID)
	}
	if p, next := Page(nil, ""); len(p) != 0 || next != "" {
		t.Fatal("empty")
	}
}
