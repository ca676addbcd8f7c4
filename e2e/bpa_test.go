package e2e

// S3 Block Public Access (docs/BPA.md) driven with aws-sdk-go-v2 (s3 and s3control) and
// the aws CLI: new buckets block public access, each setting blocks what it should and
// only that, at bucket and at account level, GetBucketPolicyStatus agrees with the
// evaluator on the table of internal/policy/testdata/public.jsonl, and the account-level
// API is authorized and audited.

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// allowPublicPolicies removes bucket's bucket-level Block Public Access, as an AWS user
// must before giving a bucket created since April 2023 a public policy.
func allowPublicPolicies(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.DeletePublicAccessBlock(context.Background(), &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("DeletePublicAccessBlock %s: %v", bucket, err)
	}
}

// bpaControl is an S3 Control client for srv as creds. S3 Control clients put the account
// id in front of the endpoint's host (<account>.127.0.0.1:port); the client dials srv
// whatever the host, as a wildcard DNS name for Arca's endpoint would.
func bpaControl(t testing.TB, srv *Server, creds authzCreds) *s3control.Client {
	addr := strings.TrimPrefix(srv.HTTPURL, "http://")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	hc := &http.Client{Transport: tr}
	t.Cleanup(hc.CloseIdleConnections)
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(creds.AK, creds.SK, ""),
		HTTPClient: hc, RetryMaxAttempts: 1}
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.BaseEndpoint = aws.String(srv.HTTPURL) })
}

// bpaCLI runs the aws CLI as the root with srv's HTTP listener also as its HTTP proxy: the
// CLI's S3 Control calls go to <account>.127.0.0.1:port, a name that resolves nowhere, and
// a proxy forwards them by URL (Arca serves the absolute-form request itself).
func bpaCLI(t testing.TB, srv *Server, wantErr bool, args ...string) string {
	t.Helper()
	full := append([]string{"--endpoint-url", srv.HTTPURL, "--cli-read-timeout", "60"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", full...)
	var env []string
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); !strings.EqualFold(k, "no_proxy") && !strings.EqualFold(k, "http_proxy") {
			env = append(env, e)
		}
	}
	cmd.Env = append(env, "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "PYTHONWARNINGS=ignore", "HTTP_PROXY="+srv.HTTPURL)
	out, err := cmd.CombinedOutput()
	if (err != nil) != wantErr {
		t.Fatalf("aws %s: err=%v wantErr=%v\n%s", strings.Join(args, " "), err, wantErr, out)
	}
	return string(out)
}

func bpaPutPolicy(c *s3.Client, bucket, doc string) error {
	_, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

func bpaPublicRead(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
}

// bpaBlockedMsg is S3's refusal of a public policy under BlockPublicPolicy.
func bpaBlockedMsg(who, bucket string) string {
	return s3DenyMsg(who, "s3:PutBucketPolicy", "arn:aws:s3:::"+bucket, "because public policies are blocked by the BlockPublicPolicy block public access setting.")
}

type bpaCase struct {
	Name      string          `json:"name"`
	Public    bool            `json:"public"`
	Statement json.RawMessage `json:"statement"`
}

func bpaCases(t *testing.T) []bpaCase {
	t.Helper()
	f, err := os.Open("../internal/policy/testdata/public.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []bpaCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c bpaCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("public.jsonl: %v", err)
		}
		cases = append(cases, c)
	}
	return cases
}

func (c bpaCase) doc(bucket string) string {
	return `{"Version":"2012-10-17","Statement":` + strings.ReplaceAll(string(c.Statement), "BUCKET", bucket) + `}`
}

// TestBPAPolicyStatusTable: every policy of the table, put on a bucket without a block,
// has the GetBucketPolicyStatus the table says, and is refused under BlockPublicPolicy
// exactly when it is public: the policy status and the setting's check agree. The
// evaluator agrees too: RestrictPublicBuckets turns an anonymous read the policy allows
// into a denial exactly when the policy is public, and changes nothing otherwise.
func TestBPAPolicyStatusTable(t *testing.T) {
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	ctx := context.Background()
	root := authzRoot(authzAccount(t, srv))
	const open, blocked = "bpa-status", "bpa-blocked"
	mustCreateBucket(t, c, open)
	mustCreateBucket(t, c, blocked)
	allowPublicPolicies(t, c, open)
	mustPut(t, c, open, "k", []byte("object"))
	anonGet := func() int { return anonymous(t, http.MethodGet, srv.HTTPURL+"/"+open+"/k").Status }
	restrict := func(on bool) {
		t.Helper()
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(open),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(on)}}); err != nil {
			t.Fatalf("PutPublicAccessBlock: %v", err)
		}
	}
	restricted := 0
	cases := bpaCases(t)
	if len(cases) < 30 {
		t.Fatalf("the table has %d policies", len(cases))
	}
	publics := 0
	for _, tc := range cases {
		if err := bpaPutPolicy(c, open, tc.doc(open)); err != nil {
			t.Errorf("%s: PutBucketPolicy without a block: %v", tc.Name, err)
			continue
		}
		st, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(open)})
		if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) != tc.Public {
			t.Errorf("%s: GetBucketPolicyStatus: %v, want IsPublic %v", tc.Name, err, tc.Public)
		}
		restrict(false)
		before := anonGet()
		restrict(true)
		after := anonGet()
		switch {
		case tc.Public && after != http.StatusForbidden:
			t.Errorf("%s: anonymous GET through a public policy under RestrictPublicBuckets: %d", tc.Name, after)
		case !tc.Public && after != before:
			t.Errorf("%s: RestrictPublicBuckets changed an anonymous GET through a non-public policy: %d, then %d", tc.Name, before, after)
		case tc.Public && before == http.StatusOK:
			restricted++
		}
		err = bpaPutPolicy(c, blocked, tc.doc(blocked))
		if tc.Public {
			publics++
			wantS3Denied(t, tc.Name+": PutBucketPolicy under BlockPublicPolicy", err, bpaBlockedMsg(root.ARN, blocked))
		} else if err != nil {
			t.Errorf("%s: a non-public policy under BlockPublicPolicy: %v", tc.Name, err)
		}
	}
	if publics == 0 || publics == len(cases) || restricted == 0 {
		t.Errorf("the table has %d public policies of %d, %d of which RestrictPublicBuckets restricted", publics, len(cases), restricted)
	}
}

// TestBPABucketSettings: a new bucket has all four settings on (SDK and CLI); each
// policy setting blocks what it should and only that; a bucket without a block (as every
// bucket created before Arca blocked public access by default) behaves as it always did.
func TestBPABucketSettings(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	ctx := context.Background()
	account := authzAccount(t, srv)
	root := authzRoot(account)
	iamRoot := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	body := []byte("public page")

	const b = "bpa-new"
	mustCreateBucket(t, c, b)
	mustPut(t, c, b, "index.html", body)
	got, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatalf("GetPublicAccessBlock of a new bucket: %v", err)
	}
	if p := got.PublicAccessBlockConfiguration; !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) ||
		!aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Errorf("a new bucket's block: %+v", p)
	}
	out := srv.AWS(t, srv.HTTPURL, false, "s3api", "get-public-access-block", "--bucket", b)
	for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
		if !strings.Contains(out, `"`+k+`": true`) {
			t.Errorf("aws s3api get-public-access-block: %s not true:\n%s", k, out)
		}
	}

	// BlockPublicPolicy: the public policy is refused (SDK and CLI) with S3's words, a
	// non-public one accepted.
	wantS3Denied(t, "public policy on a new bucket", bpaPutPolicy(c, b, bpaPublicRead(b)), bpaBlockedMsg(root.ARN, b))
	pol, _ := os.CreateTemp(t.TempDir(), "policy")
	pol.WriteString(bpaPublicRead(b))
	pol.Close()
	out = srv.AWS(t, srv.HTTPURL, true, "s3api", "put-bucket-policy", "--bucket", b, "--policy", "file://"+pol.Name())
	if !strings.Contains(out, "AccessDenied") || !strings.Contains(out, "because public policies are blocked by the BlockPublicPolicy block public access setting.") {
		t.Errorf("aws s3api put-bucket-policy (public): %s", out)
	}
	nonPublic := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b +
		`/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}}]}`
	if err := bpaPutPolicy(c, b, nonPublic); err != nil {
		t.Fatalf("a non-public policy on a new bucket: %v", err)
	}
	// RestrictPublicBuckets applies to public policies only: the non-public grant to
	// 127.0.0.1 lets an anonymous reader in.
	if r := anonymous(t, http.MethodGet, srv.HTTPURL+"/"+b+"/index.html"); r.Status != http.StatusOK {
		t.Errorf("anonymous GET through a non-public policy under RestrictPublicBuckets: %d", r.Status)
	}

	// BlockPublicPolicy alone off: the public policy goes in; RestrictPublicBuckets (still
	// on) keeps anonymous callers out while the account's own principals keep their access.
	pab := func(blockPolicy, restrict bool) {
		t.Helper()
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
				BlockPublicPolicy: aws.Bool(blockPolicy), RestrictPublicBuckets: aws.Bool(restrict)}}); err != nil {
			t.Fatalf("PutPublicAccessBlock: %v", err)
		}
	}
	pab(false, true)
	if err := bpaPutPolicy(c, b, bpaPublicRead(b)); err != nil {
		t.Fatalf("public policy with BlockPublicPolicy off: %v", err)
	}
	wantXMLError(t, anonymous(t, http.MethodGet, srv.HTTPURL+"/"+b+"/index.html"), http.StatusForbidden, "AccessDenied")
	reader := authzUser(t, iamRoot, "bpa-reader") // no identity policy: the bucket policy alone grants it
	if got, _ := mustGet(t, authzS3(t, srv.HTTPURL, reader), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("index.html")}); string(got) != string(body) {
		t.Errorf("the account's own user under RestrictPublicBuckets: %q", got)
	}
	pab(false, false)
	if r := anonymous(t, http.MethodGet, srv.HTTPURL+"/"+b+"/index.html"); r.Status != http.StatusOK {
		t.Errorf("anonymous GET with RestrictPublicBuckets off: %d", r.Status)
	}
	// BlockPublicPolicy does not touch the policy in place.
	pab(true, false)
	if r := anonymous(t, http.MethodGet, srv.HTTPURL+"/"+b+"/index.html"); r.Status != http.StatusOK {
		t.Errorf("anonymous GET after BlockPublicPolicy was turned on: %d", r.Status)
	}

	// A bucket without a block: no configuration, public policies and anonymous reads as
	// before blocks existed.
	const old = "bpa-old-style"
	mustCreateBucket(t, c, old)
	mustPut(t, c, old, "index.html", body)
	allowPublicPolicies(t, c, old)
	_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(old)})
	sseSDKError(t, "GetPublicAccessBlock without a block", err, 404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
	if err := bpaPutPolicy(c, old, bpaPublicRead(old)); err != nil {
		t.Fatalf("public policy without a block: %v", err)
	}
	if r := anonymous(t, http.MethodGet, srv.HTTPURL+"/"+old+"/index.html"); r.Status != http.StatusOK {
		t.Errorf("anonymous GET without a block: %d", r.Status)
	}

	// Who may change the bucket's block: s3:PutBucketPublicAccessBlock.
	nobody := authzS3(t, srv.HTTPURL, authzUser(t, iamRoot, "bpa-nobody"))
	_, err = nobody.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(b)})
	wantS3Denied(t, "DeletePublicAccessBlock without permission", err, "")
	_, err = nobody.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(b)})
	wantS3Denied(t, "GetPublicAccessBlock without permission", err, "")
	_, err = nobody.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})
	wantS3Denied(t, "GetBucketPolicyStatus without permission", err, "")
}

// TestBPAAccountLevel: the account-level settings through S3 Control (SDK and CLI) apply
// to every bucket of the account, OR-ed with the bucket's; only the account's own
// principals with s3:Put/GetAccountPublicAccessBlock manage them; every call is audited.
func TestBPAAccountLevel(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	ctx := context.Background()
	account := authzAccount(t, srv)
	root := authzRoot(account)
	ctl := bpaControl(t, srv, root)
	body := []byte("public page")

	_, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	sseSDKError(t, "account GetPublicAccessBlock before any", err, 404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")

	// Two buckets without a bucket-level block, each with a public policy in place.
	buckets := []string{"bpa-acct-one", "bpa-acct-two"}
	for _, b := range buckets {
		mustCreateBucket(t, c, b)
		mustPut(t, c, b, "index.html", body)
		allowPublicPolicies(t, c, b)
		if err := bpaPutPolicy(c, b, bpaPublicRead(b)); err != nil {
			t.Fatal(err)
		}
	}
	anonOK := func(want bool) {
		t.Helper()
		for _, b := range buckets {
			r := anonymous(t, http.MethodGet, srv.HTTPURL+"/"+b+"/index.html")
			if (r.Status == http.StatusOK) != want {
				t.Errorf("anonymous GET %s: %d, want OK %v", b, r.Status, want)
			}
		}
	}
	anonOK(true)

	// Account BlockPublicPolicy: every bucket refuses a public policy; the policies in
	// place stay and still work.
	put := func(cfg ctypes.PublicAccessBlockConfiguration) {
		t.Helper()
		if _, err := ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
			PublicAccessBlockConfiguration: &cfg}); err != nil {
			t.Fatalf("account PutPublicAccessBlock: %v", err)
		}
	}
	put(ctypes.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)})
	g, err := ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	if err != nil || !aws.ToBool(g.PublicAccessBlockConfiguration.BlockPublicPolicy) || aws.ToBool(g.PublicAccessBlockConfiguration.RestrictPublicBuckets) ||
		aws.ToBool(g.PublicAccessBlockConfiguration.BlockPublicAcls) || aws.ToBool(g.PublicAccessBlockConfiguration.IgnorePublicAcls) {
		t.Fatalf("account GetPublicAccessBlock: %+v %v", g, err)
	}
	for _, b := range buckets {
		wantS3Denied(t, b+": public policy under the account's BlockPublicPolicy", bpaPutPolicy(c, b, bpaPublicRead(b)), bpaBlockedMsg(root.ARN, b))
	}
	anonOK(true)

	// Account RestrictPublicBuckets: anonymous access through the public policies stops.
	put(ctypes.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)})
	anonOK(false)
	for _, b := range buckets {
		if err := bpaPutPolicy(c, b, bpaPublicRead(b)); err != nil {
			t.Errorf("%s: public policy with the account's BlockPublicPolicy off: %v", b, err)
		}
	}

	// The CLI reads and removes the account's settings.
	out := bpaCLI(t, srv, false, "s3control", "get-public-access-block", "--account-id", account)
	if !strings.Contains(out, `"RestrictPublicBuckets": true`) || !strings.Contains(out, `"BlockPublicPolicy": false`) {
		t.Errorf("aws s3control get-public-access-block:\n%s", out)
	}
	bpaCLI(t, srv, false, "s3control", "delete-public-access-block", "--account-id", account)
	anonOK(true)
	out = bpaCLI(t, srv, true, "s3control", "get-public-access-block", "--account-id", account)
	if !strings.Contains(out, "NoSuchPublicAccessBlockConfiguration") {
		t.Errorf("aws s3control get-public-access-block after delete:\n%s", out)
	}
	bpaCLI(t, srv, false, "s3control", "put-public-access-block", "--account-id", account,
		"--public-access-block-configuration", "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
	anonOK(false)
	if _, err := ctl.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(account)}); err != nil {
		t.Fatalf("account DeletePublicAccessBlock: %v", err)
	}
	anonOK(true)

	// Only the caller's own account, and only with the permissions.
	_, err = ctl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("111122223333")})
	sseSDKError(t, "another account's GetPublicAccessBlock", err, 403, "AccessDenied", "")
	iamRoot := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	nobody := bpaControl(t, srv, authzUser(t, iamRoot, "bpa-ctl-nobody"))
	_, err = nobody.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &ctypes.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(false)}})
	sseSDKError(t, "PutPublicAccessBlock without s3:PutAccountPublicAccessBlock", err, 403, "AccessDenied", "")
	_, err = nobody.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	sseSDKError(t, "GetPublicAccessBlock without s3:GetAccountPublicAccessBlock", err, 403, "AccessDenied", "")
	admin := bpaControl(t, srv, authzUser(t, iamRoot, "bpa-ctl-admin",
		authzAllow(`["s3:PutAccountPublicAccessBlock","s3:GetAccountPublicAccessBlock"]`, `"*"`)))
	if _, err := admin.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account),
		PublicAccessBlockConfiguration: &ctypes.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}); err != nil {
		t.Errorf("PutPublicAccessBlock with the permission: %v", err)
	}
	if g, err := admin.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)}); err != nil ||
		!aws.ToBool(g.PublicAccessBlockConfiguration.IgnorePublicAcls) {
		t.Errorf("GetPublicAccessBlock with the permission: %v", err)
	}

	// Audit: each call is a management event of s3.amazonaws.com named as CloudTrail names
	// it; the refused ones carry their error.
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventSource, "s3.amazonaws.com")
	for _, name := range []string{"PutAccountPublicAccessBlock", "GetAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock"} {
		rec := findRecord(recs, name, func(r map[string]any) bool { return field(r, "errorCode") == nil })
		wantFields(t, name, rec, map[string]any{"eventSource": "s3.amazonaws.com", "managementEvent": true,
			"readOnly": name == "GetAccountPublicAccessBlock"})
		if rec != nil && !strings.HasPrefix(field(rec, "requestParameters.Host").(string), account+".") {
			t.Errorf("%s: Host %v, want the account-prefixed host the client sent", name, field(rec, "requestParameters.Host"))
		}
	}
	rec := findRecord(recs, "PutAccountPublicAccessBlock", func(r map[string]any) bool { return field(r, "errorCode") == "AccessDenied" })
	if rec == nil || !strings.HasSuffix(field(rec, "userIdentity.arn").(string), ":user/bpa-ctl-nobody") {
		t.Errorf("refused PutAccountPublicAccessBlock record: %v", rec)
	}
}

// TestBPACrossAccount: with two accounts, RestrictPublicBuckets keeps a public policy's
// grants within the bucket owner's account, blocking another account even where the
// policy names it (AWS: "including non-public delegation to specific accounts"), and
// gives it back once the policy is no longer public; account-level settings apply to the
// buckets the account owns only; an account manages only its own settings.
func TestBPACrossAccount(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	a := sdk(t, srv, srv.HTTPURL)
	acctA := authzAccount(t, srv)
	idB, akB, skB := createAccount(t, srv, "bpa-b")
	rootB := authzCreds{ARN: "arn:aws:iam::" + idB + ":root", AK: akB, SK: skB}
	b := authzS3(t, srv.HTTPURL, rootB)
	body := []byte("shared")

	const shared = "bpa-xacct-a"
	mustCreateBucket(t, a, shared)
	mustPut(t, a, shared, "k", body)
	allowPublicPolicies(t, a, shared)
	grantB := `{"Effect":"Allow","Principal":{"AWS":"` + idB + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + shared + `/*"}`
	public := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + shared + `/*"}`
	bReads := func(want bool) {
		t.Helper()
		_, err := b.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(shared), Key: aws.String("k")})
		if want && err != nil {
			t.Errorf("account B's GET: %v", err)
		} else if !want {
			wantS3Denied(t, "account B's GET", err, "")
		}
	}
	if err := bpaPutPolicy(a, shared, `{"Version":"2012-10-17","Statement":[`+grantB+`,`+public+`]}`); err != nil {
		t.Fatal(err)
	}
	bReads(true)
	if _, err := a.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(shared),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	bReads(false)
	if got, _ := mustGet(t, a, &s3.GetObjectInput{Bucket: aws.String(shared), Key: aws.String("k")}); string(got) != string(body) {
		t.Errorf("the owner's GET under RestrictPublicBuckets: %q", got)
	}
	if err := bpaPutPolicy(a, shared, `{"Version":"2012-10-17","Statement":[`+grantB+`]}`); err != nil {
		t.Fatal(err)
	}
	bReads(true) // the policy is no longer public: RestrictPublicBuckets no longer applies

	// B's account-level BlockPublicPolicy binds B's buckets, not A's.
	ctlB := bpaControl(t, srv, rootB)
	if _, err := ctlB.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(idB),
		PublicAccessBlockConfiguration: &ctypes.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}); err != nil {
		t.Fatalf("B's PutPublicAccessBlock: %v", err)
	}
	const own = "bpa-xacct-b"
	mustCreateBucket(t, b, own)
	allowPublicPolicies(t, b, own)
	wantS3Denied(t, "B's public policy under B's account block", bpaPutPolicy(b, own, bpaPublicRead(own)), bpaBlockedMsg(rootB.ARN, own))
	if err := bpaPutPolicy(a, shared, bpaPublicRead(shared)); err != nil {
		t.Errorf("A's public policy while B's account blocks public policies: %v", err)
	}
	// Each account manages only its own settings.
	_, err := ctlB.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(acctA)})
	sseSDKError(t, "B reading A's account settings", err, 403, "AccessDenied", "")
	_, err = bpaControl(t, srv, authzRoot(acctA)).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(acctA)})
	sseSDKError(t, "A's settings untouched by B", err, 404, "NoSuchPublicAccessBlockConfiguration", "")
}

// TestBPAACLs: with ACLs enabled (ObjectWriter), BlockPublicAcls refuses every ACL write
// that grants to AllUsers or AuthenticatedUsers (canned and explicit, bucket and object,
// PutObject with an ACL) and nothing else; IgnorePublicAcls makes such grants count for
// nothing without refusing them; the account-level settings do the same for every bucket
// of the account.
func TestBPAACLs(t *testing.T) {
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	ctx := context.Background()
	account := authzAccount(t, srv)
	ctl := bpaControl(t, srv, authzRoot(account))
	const b = "bpa-acls"
	mustCreateBucket(t, c, b)
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(b),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatalf("PutBucketOwnershipControls: %v", err)
	}
	mustPut(t, c, b, "k", []byte("acl object"))
	authUsers := []types.Grant{{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AuthenticatedUsers")},
		Permission: types.PermissionRead}}
	owner, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatalf("GetBucketAcl: %v", err)
	}
	writes := func(t *testing.T, wantRefused bool) {
		t.Helper()
		check := func(what string, err error) {
			t.Helper()
			if wantRefused {
				wantS3Denied(t, what+" under BlockPublicAcls", err, "")
			} else if err != nil {
				t.Errorf("%s without BlockPublicAcls: %v", what, err)
			}
		}
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("pub"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("x")})
		check("PutObject public-read", err)
		_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(b), Key: aws.String("k"), ACL: types.ObjectCannedACLAuthenticatedRead})
		check("PutObjectAcl authenticated-read", err)
		_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(b), AccessControlPolicy: &types.AccessControlPolicy{
			Owner: owner.Owner, Grants: authUsers}})
		check("PutBucketAcl granting AuthenticatedUsers", err)
		// A private ACL is never refused.
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("priv"), ACL: types.ObjectCannedACLPrivate, Body: strings.NewReader("x")}); err != nil {
			t.Errorf("PutObject private: %v", err)
		}
	}
	pab := func(blockACLs, ignoreACLs bool) {
		t.Helper()
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(blockACLs), IgnorePublicAcls: aws.Bool(ignoreACLs)}}); err != nil {
			t.Fatalf("PutPublicAccessBlock: %v", err)
		}
	}
	writes(t, true) // the new bucket's block
	pab(false, true)
	writes(t, false)
	anonGet := func() int { return anonymous(t, http.MethodGet, srv.HTTPURL+"/"+b+"/pub").Status }
	if s := anonGet(); s != http.StatusForbidden {
		t.Errorf("anonymous GET of a public-read object under IgnorePublicAcls: %d", s)
	}
	pab(false, false)
	if s := anonGet(); s != http.StatusOK {
		t.Errorf("anonymous GET of a public-read object without IgnorePublicAcls: %d", s)
	}

	// The account's settings apply to the bucket as its own do.
	put := func(cfg ctypes.PublicAccessBlockConfiguration) {
		t.Helper()
		if _, err := ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account), PublicAccessBlockConfiguration: &cfg}); err != nil {
			t.Fatalf("account PutPublicAccessBlock: %v", err)
		}
	}
	put(ctypes.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)})
	if s := anonGet(); s != http.StatusForbidden {
		t.Errorf("anonymous GET under the account's IgnorePublicAcls: %d", s)
	}
	put(ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)})
	if s := anonGet(); s != http.StatusOK {
		t.Errorf("anonymous GET under the account's BlockPublicAcls alone (the ACL in place stays): %d", s)
	}
	writes(t, true)
}
