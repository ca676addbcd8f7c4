package e2e

// Buckets across accounts (docs/POLICY.md): bucket owners, a bucket shared read-only with
// another account by bucket policy, the principal forms and account condition keys, the
// expected-bucket-owner headers, and what the audit trail says of a cross-account call.

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func xacctGet(c *s3.Client, bucket, key string, opt ...func(*s3.GetObjectInput)) error {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	for _, o := range opt {
		o(in)
	}
	out, err := c.GetObject(context.Background(), in)
	if err == nil {
		_, _ = io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	return err
}

func xacctPolicy(t *testing.T, c *s3.Client, bucket string, stmts ...string) {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	if _, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy %s: %v\n%s", bucket, err, doc)
	}
}

func TestCrossAccountS3(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	acctA := authzAccount(t, srv)
	acctB, akB, skB := createAccount(t, srv, "team-b")
	rootA := authzRoot(acctA)
	rootB := authzCreds{ARN: "arn:aws:iam::" + acctB + ":root", AK: akB, SK: skB}
	s3A, s3B := authzS3(t, srv.HTTPURL, rootA), authzS3(t, srv.HTTPURL, rootB)
	iamB := iamClient(srv.HTTPURL, akB, skB)

	mustCreateBucket(t, s3A, "xs-shared")
	mustCreateBucket(t, s3A, "xs-private")
	mustCreateBucket(t, s3B, "xs-b-own")
	mustPut(t, s3A, "xs-shared", "report.txt", []byte("shared with B"))
	mustPut(t, s3A, "xs-shared", "secret/plan.txt", []byte("A only"))
	mustPut(t, s3A, "xs-private", "k", []byte("A only"))
	mustPut(t, s3B, "xs-b-own", "b.txt", []byte("B's"))

	// Bucket names are global; each account sees its own buckets, under its own owner id.
	_, err := s3A.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("xs-b-own")})
	wantAPIError(t, err, "BucketAlreadyExists", 409)
	_, err = s3B.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("xs-b-own")})
	wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
	for _, c := range []struct {
		acct   string
		client *s3.Client
		want   []string
	}{{acctA, s3A, []string{"xs-private", "xs-shared"}}, {acctB, s3B, []string{"xs-b-own"}}} {
		out, err := c.client.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") || aws.ToString(out.Owner.ID) != canonicalID(c.acct) {
			t.Errorf("ListBuckets as %s: %v owner %s, want %v owner %s", c.acct, got, aws.ToString(out.Owner.ID), c.want, canonicalID(c.acct))
		}
	}
	lo, err := s3B.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xs-b-own"), FetchOwner: aws.Bool(true)})
	if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Owner.ID) != canonicalID(acctB) {
		t.Errorf("B's FetchOwner listing: %v %+v", err, lo)
	}
	lo, err = s3A.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xs-private"), FetchOwner: aws.Bool(true)})
	if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Owner.ID) != canonicalID(acctA) {
		t.Errorf("A's FetchOwner listing: %v %+v", err, lo)
	}
	lv, err := s3B.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("xs-b-own")})
	if err != nil || len(lv.Versions) != 1 || aws.ToString(lv.Versions[0].Owner.ID) != canonicalID(acctB) {
		t.Errorf("B's version listing: %v %+v", err, lv)
	}
	up, err := s3B.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("xs-b-own"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	lu, err := s3B.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("xs-b-own")})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Owner.ID) != canonicalID(acctB) {
		t.Errorf("B's upload listing: %v %+v", err, lu)
	}
	if _, err := s3B.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("xs-b-own"), Key: aws.String("mp"), UploadId: up.UploadId}); err != nil {
		t.Fatal(err)
	}

	// Without a bucket policy another account's root (allowed everything by its identity)
	// is refused: no resource-based policy allows it.
	wantS3Denied(t, "B reads A's private object", xacctGet(s3B, "xs-private", "k"),
		s3DenyMsg(rootB.ARN, "s3:GetObject", "arn:aws:s3:::xs-private/k", whyNoResource("s3:GetObject")))
	_, err = s3B.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xs-private")})
	wantS3Denied(t, "B lists A's private bucket", err,
		s3DenyMsg(rootB.ARN, "s3:ListBucket", "arn:aws:s3:::xs-private", whyNoResource("s3:ListBucket")))
	_, err = s3B.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("xs-private")})
	wantS3Denied(t, "B heads A's private bucket", err, "")
	_, err = s3B.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("xs-private")})
	wantS3Denied(t, "B deletes A's bucket", err,
		s3DenyMsg(rootB.ARN, "s3:DeleteBucket", "arn:aws:s3:::xs-private", whyNoResource("s3:DeleteBucket")))
	_, err = s3B.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xs-private"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctB + `"},"Action":"s3:*","Resource":"arn:aws:s3:::xs-private/*"}]}`)})
	wantS3Denied(t, "B puts a policy on A's bucket", err,
		s3DenyMsg(rootB.ARN, "s3:PutBucketPolicy", "arn:aws:s3:::xs-private", whyNoResource("s3:PutBucketPolicy")))

	// A shares xs-shared read-only with B's account.
	readB := func(principal string) string {
		return `{"Sid":"ReadB","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xs-shared/*"}`
	}
	xacctPolicy(t, s3A, "xs-shared", readB(acctB))
	wantOK(t, "B's root reads the shared object", xacctGet(s3B, "xs-shared", "report.txt"))
	_, err = s3B.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xs-shared"), Key: aws.String("from-b"), Body: bytes.NewReader([]byte("x"))})
	wantS3Denied(t, "B writes to the read-only share", err,
		s3DenyMsg(rootB.ARN, "s3:PutObject", "arn:aws:s3:::xs-shared/from-b", whyNoResource("s3:PutObject")))
	_, err = s3B.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xs-shared")})
	wantS3Denied(t, "B lists the share (not granted)", err,
		s3DenyMsg(rootB.ARN, "s3:ListBucket", "arn:aws:s3:::xs-shared", whyNoResource("s3:ListBucket")))
	_, err = s3B.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("xs-shared"), Key: aws.String("report.txt")})
	wantS3Denied(t, "B deletes from the share", err,
		s3DenyMsg(rootB.ARN, "s3:DeleteObject", "arn:aws:s3:::xs-shared/report.txt", whyNoResource("s3:DeleteObject")))

	// B's IAM user needs B's identity policy as well.
	reader := authzUser(t, iamB, "reader")
	s3R := authzS3(t, srv.HTTPURL, reader)
	wantS3Denied(t, "B's user without an identity policy", xacctGet(s3R, "xs-shared", "report.txt"),
		s3DenyMsg(reader.ARN, "s3:GetObject", "arn:aws:s3:::xs-shared/report.txt", whyNoIdentity("s3:GetObject")))
	authzPutUserPolicy(t, iamB, "reader", "read", authzAllow(`"s3:GetObject"`, `"*"`))
	wantOK(t, "B's user with an identity policy", xacctGet(s3R, "xs-shared", "report.txt"))

	// Principal forms: the root ARN names the whole account; a user ARN only that user.
	xacctPolicy(t, s3A, "xs-shared", readB("arn:aws:iam::"+acctB+":root"))
	wantOK(t, "root ARN form, B's root", xacctGet(s3B, "xs-shared", "report.txt"))
	wantOK(t, "root ARN form, B's user", xacctGet(s3R, "xs-shared", "report.txt"))
	xacctPolicy(t, s3A, "xs-shared", readB(reader.ARN))
	wantOK(t, "user ARN form, that user", xacctGet(s3R, "xs-shared", "report.txt"))
	wantS3Denied(t, "user ARN form, B's root", xacctGet(s3B, "xs-shared", "report.txt"),
		s3DenyMsg(rootB.ARN, "s3:GetObject", "arn:aws:s3:::xs-shared/report.txt", whyNoResource("s3:GetObject")))

	// Account condition keys: s3:ResourceAccount / aws:ResourceAccount are A's (the bucket
	// owner's), aws:PrincipalAccount the caller's; an explicit deny wins over the grant.
	cond := func(key, val string) string {
		return `{"Sid":"Cond","Effect":"Allow","Principal":{"AWS":"` + acctB + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xs-shared/*",` +
			`"Condition":{"StringEquals":{"` + key + `":"` + val + `"}}}`
	}
	for _, c := range []struct {
		key, val string
		ok       bool
	}{
		{"s3:ResourceAccount", acctA, true}, {"s3:ResourceAccount", acctB, false},
		{"aws:ResourceAccount", acctA, true}, {"aws:ResourceAccount", acctB, false},
		{"aws:PrincipalAccount", acctB, true}, {"aws:PrincipalAccount", acctA, false},
	} {
		xacctPolicy(t, s3A, "xs-shared", cond(c.key, c.val))
		err := xacctGet(s3B, "xs-shared", "report.txt")
		if c.ok {
			wantOK(t, c.key+"="+c.val, err)
		} else {
			wantS3Denied(t, c.key+"="+c.val, err, s3DenyMsg(rootB.ARN, "s3:GetObject", "arn:aws:s3:::xs-shared/report.txt", whyNoResource("s3:GetObject")))
		}
	}
	xacctPolicy(t, s3A, "xs-shared", readB(acctB),
		`{"Sid":"NotSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::xs-shared/secret/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"`+acctA+`"}}}`)
	wantOK(t, "B reads outside the denied prefix", xacctGet(s3B, "xs-shared", "report.txt"))
	wantS3Denied(t, "explicit deny for other accounts", xacctGet(s3B, "xs-shared", "secret/plan.txt"),
		s3DenyMsg(rootB.ARN, "s3:GetObject", "arn:aws:s3:::xs-shared/secret/plan.txt", whyResourceDeny))
	wantOK(t, "A reads its secret", xacctGet(s3A, "xs-shared", "secret/plan.txt"))
	// A data perimeter in B's identity policy: B's user may read only B's own buckets.
	authzPutUserPolicy(t, iamB, "reader", "read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceAccount":"`+acctB+`"}}}]}`)
	wantS3Denied(t, "perimeter: A's bucket", xacctGet(s3R, "xs-shared", "report.txt"),
		s3DenyMsg(reader.ARN, "s3:GetObject", "arn:aws:s3:::xs-shared/report.txt", whyNoIdentity("s3:GetObject")))
	wantOK(t, "perimeter: B's bucket", xacctGet(s3R, "xs-b-own", "b.txt"))

	// x-amz-expected-bucket-owner: a mismatch is 403 AccessDenied, a match goes through.
	expect := func(acct string) func(*s3.GetObjectInput) {
		return func(in *s3.GetObjectInput) { in.ExpectedBucketOwner = aws.String(acct) }
	}
	wantS3Denied(t, "B expects itself as the owner of A's bucket", xacctGet(s3B, "xs-shared", "report.txt", expect(acctB)), "Access Denied")
	wantOK(t, "B expects A", xacctGet(s3B, "xs-shared", "report.txt", expect(acctA)))
	wantS3Denied(t, "A expects B on its own bucket", xacctGet(s3A, "xs-shared", "report.txt", expect(acctB)), "Access Denied")
	for _, bad := range []string{"not-an-account", "1234567890123", acctA[:11]} {
		wantAPIError(t, xacctGet(s3A, "xs-shared", "report.txt", expect(bad)), "InvalidBucketOwnerAWSAccountID", 400)
	}
	_, err = s3A.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xs-shared"), ExpectedBucketOwner: aws.String(acctA)})
	wantOK(t, "A lists with itself expected", err)
	_, err = s3B.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xs-b-own"), Key: aws.String("x"), Body: bytes.NewReader(nil), ExpectedBucketOwner: aws.String(acctA)})
	wantS3Denied(t, "B writes its bucket expecting A", err, "Access Denied")
	copyIn := func(src string) *s3.CopyObjectInput {
		return &s3.CopyObjectInput{Bucket: aws.String("xs-b-own"), Key: aws.String("copied.txt"), CopySource: aws.String("xs-shared/report.txt"),
			ExpectedSourceBucketOwner: aws.String(src), ExpectedBucketOwner: aws.String(acctB)}
	}
	_, err = s3B.CopyObject(ctx, copyIn(acctB))
	wantS3Denied(t, "copy with the wrong source owner", err, "Access Denied")
	_, err = s3B.CopyObject(ctx, copyIn(acctA))
	wantOK(t, "B copies A's shared object into its bucket", err)

	// The bucket policy operations are the owner account's: another account is refused,
	// with 405 MethodNotAllowed when its permission would allow it; A's root always may.
	_, err = s3B.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("xs-shared")})
	wantS3Denied(t, "B reads A's bucket policy", err,
		s3DenyMsg(rootB.ARN, "s3:GetBucketPolicy", "arn:aws:s3:::xs-shared", whyNoResource("s3:GetBucketPolicy")))
	xacctPolicy(t, s3A, "xs-shared", readB(acctB),
		`{"Sid":"PolicyB","Effect":"Allow","Principal":{"AWS":"`+acctB+`"},"Action":["s3:GetBucketPolicy","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::xs-shared"}`,
		`{"Sid":"NoRootA","Effect":"Deny","Principal":{"AWS":"`+acctA+`"},"Action":"s3:GetBucketPolicy","Resource":"arn:aws:s3:::xs-shared"}`)
	_, err = s3B.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("xs-shared")})
	wantAPIError(t, err, "MethodNotAllowed", 405)
	_, err = s3A.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("xs-shared")})
	wantOK(t, "A's root reads its policy despite a deny", err)

	// The audit trail: B's call on A's bucket names B as the caller; A's history holds it
	// with A as the recipient, B's with B.
	for _, c := range []struct{ who, ak, sk string }{{acctA, testAccessKey, testSecretKey}, {acctB, akB, skB}} {
		recs := auditLookup(t, cloudTrailClient(srv.HTTPURL, c.ak, c.sk), cttypes.LookupAttributeKeyEventName, "GetBucketPolicy")
		rec := findRecord(recs, "GetBucketPolicy", func(r map[string]any) bool { return field(r, "userIdentity.accountId") == acctB })
		wantFields(t, "B's GetBucketPolicy in "+c.who+"'s history", rec, map[string]any{
			"userIdentity.accountId": acctB, "userIdentity.arn": rootB.ARN, "recipientAccountId": c.who,
			"errorCode": "MethodNotAllowed", "requestParameters.bucketName": "xs-shared",
		})
	}
}

// The aws CLI as B: the share reads, writes are refused, B's listing holds only its bucket,
// and the expected-owner check.
func TestCrossAccountS3CLI(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	acctA := authzAccount(t, srv)
	acctB, akB, skB := createAccount(t, srv, "cli-b")
	s3A := authzS3(t, srv.HTTPURL, authzRoot(acctA))
	mustCreateBucket(t, s3A, "xc-shared")
	mustPut(t, s3A, "xc-shared", "r.txt", []byte("shared"))
	xacctPolicy(t, s3A, "xc-shared", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acctB+`:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xc-shared/*"}`)
	awsCLIAs(t, srv.HTTPURL, akB, skB, false, "s3", "mb", "s3://xc-b")

	if out := awsCLIAs(t, srv.HTTPURL, akB, skB, false, "s3", "cp", "s3://xc-shared/r.txt", "-"); out != "shared" {
		t.Errorf("B's cp printed %q", out)
	}
	if out := awsCLIAs(t, srv.HTTPURL, akB, skB, false, "s3", "ls"); !strings.Contains(out, "xc-b") || strings.Contains(out, "xc-shared") {
		t.Errorf("B's ls: %s", out)
	}
	if out := awsCLIAs(t, srv.HTTPURL, akB, skB, true, "s3api", "get-object", "--bucket", "xc-shared", "--key", "r.txt",
		"--expected-bucket-owner", acctB, "/dev/null"); !strings.Contains(out, "AccessDenied") {
		t.Errorf("expected-bucket-owner mismatch: %s", out)
	}
	awsCLIAs(t, srv.HTTPURL, akB, skB, false, "s3api", "get-object", "--bucket", "xc-shared", "--key", "r.txt",
		"--expected-bucket-owner", acctA, "/dev/null")
	if out := awsCLIAs(t, srv.HTTPURL, akB, skB, true, "s3api", "put-object", "--bucket", "xc-shared", "--key", "w.txt"); !strings.Contains(out, "AccessDenied") {
		t.Errorf("B's put-object: %s", out)
	}
	if out := awsCLIAs(t, srv.HTTPURL, testAccessKey, testSecretKey, true, "s3api", "create-bucket", "--bucket", "xc-b"); !strings.Contains(out, "BucketAlreadyExists") {
		t.Errorf("A's create-bucket of B's name: %s", out)
	}
}
