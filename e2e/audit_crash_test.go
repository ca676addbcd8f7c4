package e2e

// SIGKILL during a burst of mixed management and data calls: after a restart every
// management call that was answered with success is in the trail (found by LookupEvents,
// matched on requestID), the hash chain verifies offline (arca audit verify), and new
// records still append to it. Three cycles.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
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
	srv := StartServer(t)
	dataDir := srv.DataDir
	account := authzAccount(t, srv)
	ctx := context.Background()

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
		killAfter := time.Duration(300+rng.IntN(900)) * time.Millisecond
		time.Sleep(killAfter)
		b.killing.Store(true)
		srv.Kill()
		stop.Store(true)
		wg.Wait()
		t.Logf("cycle %d: killed after %v, %d calls, %d management calls acknowledged", cycle, killAfter, b.calls.Load(), len(b.acked))
		if len(b.acked) == 0 {
			t.Fatalf("cycle %d: no management call was acknowledged before the kill", cycle)
		}

		// After the restart every acknowledged management call is in the trail.
		srv = StartServerAt(t, dataDir)
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
		srv = StartServerAt(t, dataDir)
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
	srv.Stop()
	if out, err := runArca("audit", "verify", "--data", dataDir); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("arca audit verify at the end: %v\n%s", err, out)
	}
}

// md is a call's result metadata, or none when it failed.
func md[T any](out *T, err error, get func() middleware.Metadata) middleware.Metadata {
	if err != nil || out == nil {
		return middleware.Metadata{}
	}
	return get()
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
