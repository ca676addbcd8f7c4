package e2e

// SIGKILL during a burst of mixed management and data calls: after a restart every
// management call that was answered with success is in the trail (found by LookupEvents,
// matched on requestID), the hash chain verifies offline (arca audit verify), and new
// records still append to it. Three cycles. A trail with log-file validation delivers and
// signs digests every second throughout, so kills also land in the middle of
// deliveries; at the end every acknowledged management call is in a delivered log file and
// the aws CLI's validate-logs proves the digest chain across the crashes.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

const (
	auditCrashCycles  = 3
	auditCrashWorkers = 6
)

// auditBurst is one cycle's calls: the acknowledged management calls by request id.
type auditBurst struct {
	t       *testing.T
	cycle   int
	killing atomic.Bool
	mu      sync.Mutex
	acked   map[string]string // request id -> eventName
	calls   atomic.Int64
}

// done records the outcome of one call: a success of a management call is remembered;
// a failure before the kill fails the test.
func (b *auditBurst) done(name string, mgmt bool, md middleware.Metadata, err error) {
	b.calls.Add(1)
	if err != nil {
		if !b.killing.Load() {
			b.t.Errorf("cycle %d: %s failed before the kill: %v", b.cycle, name, err)
		}
		return
	}
	if !mgmt {
		return
	}
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok || id == "" {
		b.t.Errorf("cycle %d: %s answered without a request id", b.cycle, name)
		return
	}
	b.mu.Lock()
	b.acked[id] = name
	b.mu.Unlock()
}

// auditCrashLookup returns the requestIDs of every record named name.
func auditCrashLookup(t *testing.T, ct *cloudtrail.Client, name string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("LookupEvents EventName=%s: %v", name, err)
		}
		for _, e := range page.Events {
			var rec struct{ RequestID string }
			if err := jsonUnmarshalString(aws.ToString(e.CloudTrailEvent), &rec); err != nil {
				t.Fatalf("CloudTrailEvent: %v", err)
			}
			ids[rec.RequestID] = true
		}
	}
	return ids
}

func TestAuditCrashDuringBurst(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x61756474))
	trailFlags := []string{"--trail-delivery-interval", "1s", "--trail-digest-interval", "1s"}
	srv := StartServer(t, trailFlags...)
	dataDir := srv.DataDir
	account := authzAccount(t, srv)
	ctx := context.Background()
	trailStart := time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05Z")
	const trailBucket, trailName = "audit-crash-trail", "crash-trail"
	mustCreateBucket(t, srv.S3(srv.HTTPURL), trailBucket)
	ct0 := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	tr, err := ct0.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trailName), S3BucketName: aws.String(trailBucket),
		EnableLogFileValidation: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct0.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trailName)}); err != nil {
		t.Fatal(err)
	}
	allAcked := map[string]string{}

	for cycle := 1; cycle <= auditCrashCycles; cycle++ {
		ep := srv.HTTPURL
		noRetry := func(o *s3.Options) { o.Retryer = aws.NopRetryer{} }
		sc := srv.S3(ep, noRetry)
		kc := kms.NewFromConfig(awsConfig(testAccessKey, testSecretKey, testRegion), func(o *kms.Options) { o.BaseEndpoint = aws.String(ep) })
		ic := iamClient(ep, testAccessKey, testSecretKey)
		bucket := fmt.Sprintf("audit-crash-%d", cycle)
		mustCreateBucket(t, sc, bucket)
		mustPut(t, sc, bucket, "seed", []byte("seed"))
		cryptoKey, _ := sseCreateKey(t, kc, "crash crypto")
		adminKey, _ := sseCreateKey(t, kc, "crash admin")
		ct, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(cryptoKey), Plaintext: []byte("crash")})
		if err != nil {
			t.Fatal(err)
		}
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, account, bucket)

		b := &auditBurst{t: t, cycle: cycle, acked: map[string]string{}}
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := range auditCrashWorkers {
			wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					switch op := wrng.IntN(12); op {
					case 0:
						out, err := sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)})
						b.done("PutBucketPolicy", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 1:
						out, err := sc.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
						b.done("DeleteBucketPolicy", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 2:
						out, err := sc.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
							ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
								ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
						b.done("PutBucketEncryption", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 3:
						out, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("burst")})
						b.done("CreateKey", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 4:
						out, err := kc.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(adminKey),
							Tags: []kmstypes.Tag{{TagKey: aws.String("burst"), TagValue: aws.String(fmt.Sprint(w, "-", i))}}})
						b.done("TagResource", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 5:
						out, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(adminKey)})
						b.done("DisableKey", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 6:
						out, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(adminKey)})
						b.done("EnableKey", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 7:
						out, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("crash-%d-%d-%d", cycle, w, i))})
						b.done("CreateUser", true, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 8:
						out, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("o%d", w)),
							Body: strings.NewReader("burst")})
						b.done("PutObject", false, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 9:
						out, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("seed")})
						if err == nil {
							out.Body.Close()
						}
						b.done("GetObject", false, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 10:
						out, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(cryptoKey), Plaintext: []byte("burst")})
						b.done("Encrypt", false, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					case 11:
						out, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob})
						b.done("Decrypt", false, md(out, err, func() middleware.Metadata { return out.ResultMetadata }), err)
					}
				}
			}()
		}
		killAfter := time.Duration(800+rng.IntN(1700)) * time.Millisecond // spans a delivery tick
		time.Sleep(killAfter)
		b.killing.Store(true)
		srv.Kill()
		stop.Store(true)
		wg.Wait()
		t.Logf("cycle %d: killed after %v, %d calls, %d management calls acknowledged", cycle, killAfter, b.calls.Load(), len(b.acked))
		if len(b.acked) == 0 {
			t.Fatalf("cycle %d: no management call was acknowledged before the kill", cycle)
		}
		for id, name := range b.acked {
			allAcked[id] = name
		}

		// After the restart every acknowledged management call is in the trail.
		srv = StartServerAt(t, dataDir, trailFlags...)
		ctc := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
		found := map[string]map[string]bool{}
		missing := 0
		for id, name := range b.acked {
			if found[name] == nil {
				found[name] = auditCrashLookup(t, ctc, name)
			}
			if !found[name][id] {
				missing++
				t.Errorf("cycle %d: %s request %s was acknowledged but is not in the trail", cycle, name, id)
			}
		}
		if missing > 0 {
			t.FailNow()
		}

		// The chain verifies with the server stopped; then the server appends to it.
		srv.Stop()
		if out, err := runArca("audit", "verify", "--data", dataDir); err != nil || !strings.Contains(out, "intact") {
			t.Fatalf("cycle %d: arca audit verify after the crash: %v\n%s", cycle, err, out)
		}
		srv = StartServerAt(t, dataDir, trailFlags...)
	}

	// New records still chain after the crashes.
	after, err := srv.S3(srv.HTTPURL).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("after-the-crashes")})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(after.ResultMetadata)
	if !auditCrashLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), "CreateBucket")[id] {
		t.Errorf("CreateBucket after the crashes (request %s) is not in the trail", id)
	}

	// The aws CLI's validate-logs proves the digest chain across the crashes, and every
	// acknowledged management call is in a log file it proved (a crash between a file's put
	// and the trail's commit leaves a file no digest lists and re-delivers its records).
	flushTrail(t, srv, trailName)
	out, ok := validateLogs(t, srv, aws.ToString(tr.TrailARN), trailStart)
	if !ok || strings.Contains(out, "INVALID") {
		t.Fatalf("validate-logs after the crashes:\n%s", out)
	}
	t.Logf("validate-logs after the crashes: %s", lastLines(out, 2))
	proved := map[string]bool{}
	c := srv.S3(srv.HTTPURL)
	for _, m := range regexp.MustCompile(`Log file\ts3://`+trailBucket+`/(\S+)\tvalid`).FindAllStringSubmatch(out, -1) {
		var file struct{ Records []struct{ RequestID string } }
		if err := json.Unmarshal(gunzipBytes(t, getObject(t, c, trailBucket, m[1]).body), &file); err != nil {
			t.Fatalf("log file %s: %v", m[1], err)
		}
		for _, r := range file.Records {
			proved[r.RequestID] = true
		}
	}
	for id, name := range allAcked {
		if !proved[id] {
			t.Errorf("%s request %s was acknowledged but is in no log file validate-logs proved", name, id)
		}
	}
	srv.Stop()
	if out, err := runArca("audit", "verify", "--data", dataDir); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("arca audit verify at the end: %v\n%s", err, out)
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

// md is a call's result metadata, or none when it failed.
func md[T any](out *T, err error, get func() middleware.Metadata) middleware.Metadata {
	if err != nil || out == nil {
		return middleware.Metadata{}
	}
	return get()
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
