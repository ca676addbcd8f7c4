package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Retention on a real server, with a 3 s retention and pruning every 200 ms (the test
// knob ARCA_AUDIT_PRUNE_INTERVAL): an old record leaves LookupEvents; a record a logging
// trail has not delivered stays however old until the trail is flushed, then goes (and is
// in the trail's log file); the offline chain check passes after the server stops.
// Not parallel: t.Setenv.
func TestAuditRetention(t *testing.T) {
	t.Setenv("ARCA_AUDIT_PRUNE_INTERVAL", "200ms")
	ctx := context.Background()
	dir := t.TempDir()
	srv := StartServerAt(t, dir, "--audit-retention", "3s", "--log-level", "info")
	c := srv.S3(srv.HTTPURL)
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	created := func(bucket string) []map[string]any {
		var out []map[string]any
		for _, r := range auditLookup(t, ct, cttypes.LookupAttributeKeyResourceName, bucket) {
			if r["eventName"] == "CreateBucket" {
				out = append(out, r)
			}
		}
		return out
	}

	mustCreateBucket(t, c, "early-bucket")
	if n := len(created("early-bucket")); n != 1 {
		t.Fatalf("CreateBucket early-bucket: %d records just after, want 1", n)
	}
	waitForTrail(t, "the early CreateBucket record to be pruned", func() bool { return len(created("early-bucket")) == 0 })

	mustCreateBucket(t, c, "trail-logs")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("keeper"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("keeper")}); err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, c, "held-bucket")
	time.Sleep(6 * time.Second) // twice the retention, 30 pruning passes
	held := created("held-bucket")
	if len(held) != 1 {
		t.Fatalf("CreateBucket held-bucket: %d records while the trail has not delivered it, want 1", len(held))
	}
	if !strings.Contains(srv.Output(), "records past the retention are kept because a trail has not delivered them") {
		t.Errorf("the held-back records were not reported:\n%s", srv.Output())
	}
	flushTrail(t, srv, "keeper")
	waitForTrail(t, "the delivered CreateBucket record to be pruned", func() bool { return len(created("held-bucket")) == 0 })
	if _, ok := logRecords(t, c, "trail-logs")[held[0]["eventID"].(string)]; !ok {
		t.Fatalf("the pruned record %v is not in the trail's log files", held[0]["eventID"])
	}

	srv.Stop()
	if !strings.Contains(srv.Output(), "audit: pruned records past the retention") {
		t.Errorf("no pruning logged:\n%s", srv.Output())
	}
	if strings.Contains(srv.Output(), "pruning stopped") {
		t.Errorf("pruning failed:\n%s", srv.Output())
	}
	out, code := arcaExit(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "arca: audit trail intact") || !strings.Contains(out, "pruned)") {
		t.Fatalf("arca audit verify after pruning: exit %d\n%s", code, out)
	}
}
