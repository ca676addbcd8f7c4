package apierr

import (
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/inventory"
)

// Each inventory error becomes S3's code, status and message; the message the domain
// error carries is the one sent.
func TestInventoryErrors(t *testing.T) {
	c := inventory.Config{ID: "a", Schedule: inventory.Daily, IncludedObjectVersions: inventory.VersionsAll,
		Destination: inventory.Destination{BucketARN: "arn:aws:s3:::dst", Format: inventory.FormatCSV}}
	ns := c
	ns.Destination.BucketARN = "arn:aws:s3::111122223333:dst"
	bad := c
	bad.Schedule = "Hourly"
	_, noSuch := inventory.Find(nil, "a")
	var many []inventory.Config
	for i := range inventory.MaxConfigs {
		many = append(many, inventory.Config{ID: fmt.Sprintf("c%d", i)})
	}
	_, tooMany := inventory.Put(many, inventory.Config{ID: "new"})
	for _, tc := range []struct {
		name   string
		err    error
		code   string
		status int
		msg    string
	}{
		{"schema", inventory.Validate("a", bad), "MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema"},
		{"ids", inventory.Validate("b", c), "IdMismatch", 400, "Document ID does not match the specified configuration ID."},
		{"namespace", inventory.Validate("a", ns), "InvalidS3DestinationBucket", 400, "Bucket ARN should not specify a namespace."},
		{"no such", noSuch, "NoSuchConfiguration", 404, "The specified configuration does not exist."},
		{"too many", tooMany, "TooManyConfigurations", 400, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit."},
	} {
		w := S3(tc.err)
		if w.Code != tc.code || w.StatusCode() != tc.status || w.Message != tc.msg {
			t.Errorf("%s: %s %d %q, want %s %d %q", tc.name, w.Code, w.StatusCode(), w.Message, tc.code, tc.status, tc.msg)
		}
	}
}
