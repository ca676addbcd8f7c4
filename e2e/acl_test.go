package e2e

// Object Ownership and ACLs (docs/ACL.md) driven with aws-sdk-go-v2 and the aws CLI: new
// buckets are BucketOwnerEnforced and refuse ACLs other than the owner's; ObjectWriter and
// BucketOwnerPreferred buckets take canned ACLs and grants on buckets and objects, which
// allow as a resource-side grant (anonymous callers through AllUsers) while an explicit
// bucket-policy deny still wins; the new operations are authorized and audited.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// canonicalID is the canonical user id S3 shows for an account.
func canonicalID(account string) string {
	sum := sha256.Sum256([]byte("arca-owner/" + account))
	return hex.EncodeToString(sum[:])
}

// grantsOf is an ACL's grants as "grantee=PERMISSION" (grantee: id or group URI).
func grantsOf(gs []types.Grant) []string {
	var out []string
	for _, g := range gs {
		who := aws.ToString(g.Grantee.ID)
		if g.Grantee.URI != nil {
			who = aws.ToString(g.Grantee.URI)
		}
		out = append(out, who+"="+string(g.Permission))
	}
	return out
}

func wantGrants(t testing.TB, what string, got []types.Grant, want ...string) {
	t.Helper()
	if g := strings.Join(grantsOf(got), " "); g != strings.Join(want, " ") {
		t.Errorf("%s: grants %s, want %s", what, g, strings.Join(want, " "))
	}
}

const (
	allUsersURI  = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

func TestACLOwnershipAndCannedACLs(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	acct := authzAccount(t, srv)
	me := canonicalID(acct)

	// A new bucket is BucketOwnerEnforced: ACLs disabled, the owner's FULL_CONTROL only.
	mustCreateBucket(t, c, "enforced")
	oc, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("enforced")})
	if err != nil || len(oc.OwnershipControls.Rules) != 1 || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("GetBucketOwnershipControls of a new bucket: %+v %v", oc, err)
	}
	ba, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("enforced")})
	if err != nil || aws.ToString(ba.Owner.ID) != me {
		t.Fatalf("GetBucketAcl: %+v %v", ba, err)
	}
	wantGrants(t, "enforced bucket ACL", ba.Grants, me+"=FULL_CONTROL")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	wantAPIError(t, err, "AccessControlListNotSupported", 400)
	for _, canned := range []types.ObjectCannedACL{types.ObjectCannedACLBucketOwnerFullControl, types.ObjectCannedACLPrivate} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: canned}); err != nil {
			t.Fatalf("PutObject %s under BucketOwnerEnforced: %v", canned, err)
		}
	}
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("enforced"), ACL: types.BucketCannedACLPublicRead})
	wantAPIError(t, err, "AccessControlListNotSupported", 400)
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("enforced"), Key: aws.String("k"), GrantRead: aws.String(`uri="` + authUsersURI + `"`)})
	wantAPIError(t, err, "AccessControlListNotSupported", 400)
	oa, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("enforced"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	wantGrants(t, "enforced object ACL", oa.Grants, me+"=FULL_CONTROL")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("enforced-public"), ACL: types.BucketCannedACLPublicRead})
	wantAPIError(t, err, "InvalidBucketAclWithObjectOwnership", 400)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("writer-public"), ACL: types.BucketCannedACLPublicRead, ObjectOwnership: types.ObjectOwnershipObjectWriter})
	wantAPIError(t, err, "InvalidBucketAclWithBlockPublicAccessError", 400)

	// ObjectWriter: canned ACLs and grants are stored and evaluated.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("writer"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	oc, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("writer")})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Fatalf("GetBucketOwnershipControls: %+v %v", oc, err)
	}
	// Public ACLs are blocked until Block Public Access is lifted.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("writer"), Key: aws.String("pub"), Body: strings.NewReader("public"), ACL: types.ObjectCannedACLPublicRead})
	wantAPIError(t, err, "AccessDenied", 403)
	allowPublicPolicies(t, c, "writer")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("writer"), Key: aws.String("pub"), Body: strings.NewReader("public"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "writer", "priv", []byte("private"))
	oa, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("pub")})
	if err != nil || aws.ToString(oa.Owner.ID) != me {
		t.Fatalf("GetObjectAcl: %+v %v", oa, err)
	}
	wantGrants(t, "public-read object", oa.Grants, me+"=FULL_CONTROL", allUsersURI+"=READ")

	// Anonymous callers read what AllUsers may read, and nothing else.
	anonGet := func(key string) int {
		resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/writer/" + key, Anonymous: true})
		return resp.Status
	}
	if s := anonGet("pub"); s != 200 {
		t.Errorf("anonymous GET of a public-read object: %d", s)
	}
	if s := anonGet("priv"); s != 403 {
		t.Errorf("anonymous GET of a private object: %d", s)
	}
	if s := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/writer/pub", Query: "acl", Anonymous: true}).Status; s != 403 {
		t.Errorf("anonymous GetObjectAcl of a public-read object: %d", s)
	}
	// IgnorePublicAcls makes the grant count for nothing; lifting it restores it.
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("writer"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if s := anonGet("pub"); s != 403 {
		t.Errorf("anonymous GET under IgnorePublicAcls: %d", s)
	}
	allowPublicPolicies(t, c, "writer")

	// An explicit deny in the bucket policy beats the ACL's allow.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::writer/pub"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("writer"), Policy: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	if s := anonGet("pub"); s != 403 {
		t.Errorf("anonymous GET with a bucket policy deny: %d", s)
	}
	if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("writer")}); err != nil {
		t.Fatal(err)
	}

	// PutObjectAcl with grant headers, then with an AccessControlPolicy body.
	other := canonicalID("111122223333")
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("priv"),
		GrantRead: aws.String(`id="` + other + `"`), GrantFullControl: aws.String(`id="` + me + `"`)}); err != nil {
		t.Fatal(err)
	}
	oa, _ = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("priv")})
	wantGrants(t, "grant headers", oa.Grants, me+"=FULL_CONTROL", other+"=READ")
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("priv"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: oa.Owner, Grants: []types.Grant{
			{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(me)}, Permission: types.PermissionFullControl},
			{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(authUsersURI)}, Permission: types.PermissionRead},
		}}}); err != nil {
		t.Fatal(err)
	}
	oa, _ = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("priv")})
	wantGrants(t, "AccessControlPolicy body", oa.Grants, me+"=FULL_CONTROL", authUsersURI+"=READ")
	if s := anonGet("priv"); s != 403 {
		t.Errorf("anonymous GET of an authenticated-read object: %d", s)
	}
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("priv"), GrantRead: aws.String(`emailAddress="a@example.com"`)})
	wantAPIError(t, err, "UnresolvableGrantByEmailAddress", 400)
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("priv"), GrantRead: aws.String(`id="nothex"`)})
	wantAPIError(t, err, "InvalidArgument", 400)
	bad := do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/writer/priv", Query: "acl", Body: []byte("<AccessControlPolicy><AccessControlList><Grant>")})
	wantXMLError(t, bad, 400, "MalformedACLError")

	// Bucket ACLs: public-read-write lets anonymous callers write.
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("writer"), ACL: types.BucketCannedACLPublicReadWrite}); err != nil {
		t.Fatal(err)
	}
	ba, _ = c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("writer")})
	wantGrants(t, "public-read-write bucket", ba.Grants, me+"=FULL_CONTROL", allUsersURI+"=READ", allUsersURI+"=WRITE")
	if s := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/writer", Query: "list-type=2", Anonymous: true}).Status; s != 200 {
		t.Errorf("anonymous ListObjectsV2 of a public-read-write bucket: %d", s)
	}
	if s := do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/writer/anon", Body: []byte("anon"), Anonymous: true}).Status; s != 200 {
		t.Errorf("anonymous PutObject to a public-read-write bucket: %d", s)
	}
	// Switching to BucketOwnerEnforced over a bucket ACL that grants others is refused.
	_, err = c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
	wantAPIError(t, err, "InvalidBucketAclWithObjectOwnership", 400)
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("writer"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
		t.Fatal(err)
	}
	// ACLs disabled: the object's public-read grant no longer counts.
	if s := anonGet("pub"); s != 403 {
		t.Errorf("anonymous GET after BucketOwnerEnforced: %d", s)
	}
	oa, _ = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("writer"), Key: aws.String("pub")})
	wantGrants(t, "object ACL under BucketOwnerEnforced", oa.Grants, me+"=FULL_CONTROL")
	// Without ownership controls a bucket behaves as ObjectWriter (as on S3).
	if _, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("writer")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("writer")})
	wantAPIError(t, err, "OwnershipControlsNotFoundError", 404)
	if s := anonGet("pub"); s != 200 {
		t.Errorf("anonymous GET without ownership controls (ObjectWriter): %d", s)
	}
	bad = do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/writer", Query: "ownershipControls", Body: []byte("<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>")})
	wantXMLError(t, bad, 400, "MalformedXML")

	// BucketOwnerPreferred with POST Object's acl field (ACLs follow ownership there too).
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("writer"), Key: aws.String("copy"), CopySource: aws.String("writer/priv"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if s := anonGet("copy"); s != 200 {
		t.Errorf("anonymous GET of a public-read copy: %d", s)
	}
	mu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("writer"), Key: aws.String("mp"), ACL: types.ObjectCannedACLPublicRead})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("writer"), Key: aws.String("mp"), UploadId: mu.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("multi")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("writer"), Key: aws.String("mp"), UploadId: mu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/writer/mp", Anonymous: true})
	if resp.Status != 200 || string(resp.Body) != "multi" {
		t.Errorf("anonymous GET of a public-read multipart object: %d %q", resp.Status, resp.Body)
	}
}

// TestACLAuthorizationAndAudit: a caller without s3:PutBucketAcl / s3:PutObjectAcl is
// refused, one allowed s3:GetBucketAcl alone reads but does not write; the calls are audited.
func TestACLAuthorizationAndAudit(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acls"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "acls", "k", []byte("v"))
	reader := authzUser(t, root, "aclreader", authzAllow(`["s3:GetBucketAcl","s3:GetObjectAcl","s3:GetBucketOwnershipControls"]`, `["arn:aws:s3:::acls","arn:aws:s3:::acls/*"]`))
	u := authzS3(t, srv.HTTPURL, reader)
	if _, err := u.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("acls")}); err != nil {
		t.Errorf("GetBucketAcl with s3:GetBucketAcl: %v", err)
	}
	if _, err := u.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k")}); err != nil {
		t.Errorf("GetObjectAcl with s3:GetObjectAcl: %v", err)
	}
	if _, err := u.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("acls")}); err != nil {
		t.Errorf("GetBucketOwnershipControls: %v", err)
	}
	_, err := u.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acls"), ACL: types.BucketCannedACLPrivate})
	wantS3Denied(t, "PutBucketAcl", err, s3DenyMsg(reader.ARN, "s3:PutBucketAcl", "arn:aws:s3:::acls", whyNoIdentity("s3:PutBucketAcl")))
	_, err = u.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate})
	wantS3Denied(t, "PutObjectAcl", err, s3DenyMsg(reader.ARN, "s3:PutObjectAcl", "arn:aws:s3:::acls/k", whyNoIdentity("s3:PutObjectAcl")))
	_, err = u.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acls"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
	wantS3Denied(t, "PutBucketOwnershipControls", err, s3DenyMsg(reader.ARN, "s3:PutBucketOwnershipControls", "arn:aws:s3:::acls", whyNoIdentity("s3:PutBucketOwnershipControls")))
	_, err = u.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("acls")})
	wantS3Denied(t, "DeleteBucketOwnershipControls", err, s3DenyMsg(reader.ARN, "s3:PutBucketOwnershipControls", "arn:aws:s3:::acls", whyNoIdentity("s3:PutBucketOwnershipControls")))
	// The owner's own FULL_CONTROL grant does not empower the account's IAM users: they
	// need identity policies (as on AWS).
	_, err = u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acls"), Key: aws.String("k")})
	wantS3Denied(t, "GetObject by a user of the owner's account", err, s3DenyMsg(reader.ARN, "s3:GetObject", "arn:aws:s3:::acls/k", whyNoIdentity("s3:GetObject")))
	// A grant to AuthenticatedUsers does.
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), GrantRead: aws.String(`uri="` + authUsersURI + `"`)})
	wantAPIError(t, err, "AccessDenied", 403) // BlockPublicAcls of the new bucket
	allowPublicPolicies(t, c, "acls")
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("k"), ACL: types.ObjectCannedACLAuthenticatedRead}); err != nil {
		t.Fatal(err)
	}
	out, err := u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acls"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObject of an authenticated-read object by a signed caller: %v", err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "v" {
		t.Errorf("body %q", body)
	}

	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	for _, name := range []string{"PutBucketAcl", "PutObjectAcl", "GetBucketAcl", "GetObjectAcl", "PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls"} {
		recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, name)
		if name == "PutObjectAcl" || name == "GetObjectAcl" {
			continue // data events: not in event history, checked in the trail below
		}
		if len(recs) == 0 {
			t.Errorf("no audit record of %s", name)
		}
	}
	denied := findRecord(auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "PutBucketAcl"), "PutBucketAcl", func(r map[string]any) bool {
		return r["errorCode"] == "AccessDenied"
	})
	if denied == nil {
		t.Error("the refused PutBucketAcl is not audited")
	}
}

// TestACLCLI: the aws CLI's put-object-acl/get-object-acl and bucket forms.
func TestACLCLI(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ep := srv.HTTPURL
	srv.AWS(t, ep, false, "s3api", "create-bucket", "--bucket", "cli-acl", "--object-ownership", "BucketOwnerPreferred")
	out := srv.AWS(t, ep, false, "s3api", "get-bucket-ownership-controls", "--bucket", "cli-acl")
	if !strings.Contains(out, "BucketOwnerPreferred") {
		t.Fatalf("get-bucket-ownership-controls: %s", out)
	}
	srv.AWS(t, ep, false, "s3api", "delete-public-access-block", "--bucket", "cli-acl")
	body := t.TempDir() + "/body"
	writeFile(t, body, []byte("cli"))
	srv.AWS(t, ep, false, "s3api", "put-object", "--bucket", "cli-acl", "--key", "k", "--body", body)
	srv.AWS(t, ep, false, "s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "k", "--acl", "public-read")
	out = srv.AWS(t, ep, false, "s3api", "get-object-acl", "--bucket", "cli-acl", "--key", "k")
	if !strings.Contains(out, allUsersURI) || !strings.Contains(out, `"READ"`) {
		t.Fatalf("get-object-acl: %s", out)
	}
	if s := do(t, ep, rawReq{Method: "GET", Path: "/cli-acl/k", Anonymous: true}).Status; s != 200 {
		t.Errorf("anonymous GET after put-object-acl --acl public-read: %d", s)
	}
	srv.AWS(t, ep, false, "s3api", "put-bucket-acl", "--bucket", "cli-acl", "--grant-read", `uri="`+authUsersURI+`"`)
	out = srv.AWS(t, ep, false, "s3api", "get-bucket-acl", "--bucket", "cli-acl")
	if !strings.Contains(out, authUsersURI) {
		t.Fatalf("get-bucket-acl: %s", out)
	}
	srv.AWS(t, ep, false, "s3api", "put-bucket-ownership-controls", "--bucket", "cli-acl", "--ownership-controls", "Rules=[{ObjectOwnership=ObjectWriter}]")
	out = srv.AWS(t, ep, true, "s3api", "put-bucket-ownership-controls", "--bucket", "cli-acl", "--ownership-controls", "Rules=[{ObjectOwnership=BucketOwnerEnforced}]")
	if !strings.Contains(out, "InvalidBucketAclWithObjectOwnership") {
		t.Fatalf("BucketOwnerEnforced over a granting bucket ACL: %s", out)
	}
	srv.AWS(t, ep, false, "s3api", "delete-bucket-ownership-controls", "--bucket", "cli-acl")
	out = srv.AWS(t, ep, true, "s3api", "get-bucket-ownership-controls", "--bucket", "cli-acl")
	if !strings.Contains(out, "OwnershipControlsNotFoundError") {
		t.Fatalf("get-bucket-ownership-controls after delete: %s", out)
	}
}

// TestACLConditionKeys: s3:x-amz-acl is a condition key of PutObject, so a bucket policy can
// require bucket-owner-full-control (AWS's recipe for BucketOwnerPreferred).
func TestACLConditionKeys(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pref"), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}); err != nil {
		t.Fatal(err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::pref/*",` +
		`"Condition":{"StringNotEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pref"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pref"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pref"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatalf("PutObject with bucket-owner-full-control: %v", err)
	}
	oc, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("pref")})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred {
		t.Fatalf("GetBucketOwnershipControls: %+v %v", oc, err)
	}
}

// TestACLCrossAccount: two accounts. A's ACL grants reach B's root (B's identity allows
// it) and B's IAM users only as far as B's identity policies allow; AuthenticatedUsers
// reaches any signed caller of B; a WRITE grant on A's bucket lets B upload, and the object
// is B's under ObjectWriter but A's under BucketOwnerPreferred with
// bucket-owner-full-control; an explicit deny in A's bucket policy beats A's ACL grant.
func TestACLCrossAccount(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	a := sdk(t, srv, srv.HTTPURL)
	acctA := authzAccount(t, srv)
	idA := canonicalID(acctA)
	acctB, bAK, bSK := createAccount(t, srv, "acl-b")
	idB := canonicalID(acctB)
	bRoot := authzCreds{ARN: "arn:aws:iam::" + acctB + ":root", AK: bAK, SK: bSK}
	b := authzS3(t, srv.HTTPURL, bRoot)
	bIAM := iamClient(srv.HTTPURL, bAK, bSK)
	bNone := authzS3(t, srv.HTTPURL, authzUser(t, bIAM, "nopolicy"))
	bReader := authzS3(t, srv.HTTPURL, authzUser(t, bIAM, "reader", authzAllow(`"s3:GetObject"`, `"arn:aws:s3:::xacl/*"`)))

	if _, err := a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("xacl"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	allowPublicPolicies(t, a, "xacl")
	mustPut(t, a, "xacl", "shared", []byte("for B"))
	get := func(c *s3.Client, key string) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("xacl"), Key: aws.String(key)})
		if err == nil {
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
		return err
	}
	wantAPIError(t, get(b, "shared"), "AccessDenied", 403)

	// A grant to B's account.
	if _, err := a.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("shared"),
		GrantFullControl: aws.String(`id="` + idA + `"`), GrantRead: aws.String(`id="` + idB + `"`)}); err != nil {
		t.Fatal(err)
	}
	if err := get(b, "shared"); err != nil {
		t.Errorf("B's root reading an object whose ACL grants B READ: %v", err)
	}
	if err := get(bReader, "shared"); err != nil {
		t.Errorf("B's user allowed s3:GetObject by B reading it: %v", err)
	}
	wantAPIError(t, get(bNone, "shared"), "AccessDenied", 403)
	// READ does not give READ_ACP or WRITE_ACP.
	_, err := b.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("shared")})
	wantAPIError(t, err, "AccessDenied", 403)
	_, err = b.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("shared"), ACL: types.ObjectCannedACLPublicRead})
	wantAPIError(t, err, "AccessDenied", 403)

	// authenticated-read: any signed caller of any account.
	mustPut(t, a, "xacl", "authread", []byte("signed"))
	wantAPIError(t, get(b, "authread"), "AccessDenied", 403)
	if _, err := a.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("authread"), ACL: types.ObjectCannedACLAuthenticatedRead}); err != nil {
		t.Fatal(err)
	}
	if err := get(b, "authread"); err != nil {
		t.Errorf("B's root reading an authenticated-read object: %v", err)
	}
	if s := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/xacl/authread", Anonymous: true}).Status; s != 403 {
		t.Errorf("anonymous GET of an authenticated-read object: %d", s)
	}

	// An explicit deny in A's bucket policy beats the grant.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"` + acctB + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xacl/shared"}]}`
	if _, err := a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xacl"), Policy: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, get(b, "shared"), "AccessDenied", 403)
	if _, err := a.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("xacl")}); err != nil {
		t.Fatal(err)
	}

	// A WRITE grant on the bucket lets B upload; under ObjectWriter B owns what it writes.
	_, err = b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xacl"), Key: aws.String("fromB"), Body: strings.NewReader("b")})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := a.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("xacl"),
		GrantFullControl: aws.String(`id="` + idA + `"`), GrantWrite: aws.String(`id="` + idB + `"`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xacl"), Key: aws.String("fromB"), Body: strings.NewReader("b")}); err != nil {
		t.Fatalf("B's PutObject with a WRITE grant: %v", err)
	}
	oa, err := b.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("fromB")})
	if err != nil || aws.ToString(oa.Owner.ID) != idB {
		t.Fatalf("owner of B's object under ObjectWriter: %+v %v", oa, err)
	}
	wantGrants(t, "B's object", oa.Grants, idB+"=FULL_CONTROL")
	// The bucket owner reads an object another account owns only through its ACL (AWS).
	aGet := func(key string) error {
		out, err := a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("xacl"), Key: aws.String(key)})
		if err == nil {
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
		return err
	}
	wantAPIError(t, aGet("fromB"), "AccessDenied", 403)
	_, err = a.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("fromB")})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := b.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("fromB"), ACL: types.ObjectCannedACLBucketOwnerRead}); err != nil {
		t.Fatalf("B's PutObjectAcl bucket-owner-read on its object: %v", err)
	}
	if err := aGet("fromB"); err != nil {
		t.Errorf("the bucket owner reading B's object after bucket-owner-read: %v", err)
	}
	// The bucket owner can still delete it (bucket WRITE is the owner's).
	if _, err := a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("xacl"), Key: aws.String("fromB")}); err != nil {
		t.Errorf("the bucket owner deleting B's object: %v", err)
	}
	// B's IAM user without identity policies cannot use B's grant.
	_, err = bNone.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xacl"), Key: aws.String("fromUser"), Body: strings.NewReader("u")})
	wantAPIError(t, err, "AccessDenied", 403)

	// BucketOwnerPreferred: bucket-owner-full-control hands the object to A.
	if _, err := a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("xacl"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xacl"), Key: aws.String("handed"), Body: strings.NewReader("h"),
		ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatal(err)
	}
	oa, err = a.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("handed")})
	if err != nil || aws.ToString(oa.Owner.ID) != idA {
		t.Fatalf("owner under BucketOwnerPreferred with bucket-owner-full-control: %+v %v", oa, err)
	}
	if _, err := b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xacl"), Key: aws.String("kept"), Body: strings.NewReader("k")}); err != nil {
		t.Fatal(err)
	}
	oa, _ = b.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xacl"), Key: aws.String("kept")})
	if aws.ToString(oa.Owner.ID) != idB {
		t.Errorf("owner under BucketOwnerPreferred without the canned ACL: %s, want B", aws.ToString(oa.Owner.ID))
	}

	// BucketOwnerEnforced: the grants stop counting.
	if _, err := a.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("xacl"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("xacl"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, get(b, "authread"), "AccessDenied", 403)
}

// TestACLPostObject: POST Object's acl field follows the bucket's ownership as x-amz-acl
// does: refused under BucketOwnerEnforced, stored and evaluated under ObjectWriter.
func TestACLPostObject(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "post-enforced")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("post-writer"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	spec := func(bucket string) postSpec {
		return postSpec{Bucket: bucket, Key: "form", Fields: map[string]string{"acl": "public-read"},
			Conditions: []any{map[string]string{"acl": "public-read"}}}
	}
	wantXMLError(t, presignPost(t, srv.HTTPURL, spec("post-enforced")).post(t, nil, "f", []byte("x")), 400, "AccessControlListNotSupported")
	// Block Public Access refuses the public ACL until lifted.
	wantXMLError(t, presignPost(t, srv.HTTPURL, spec("post-writer")).post(t, nil, "f", []byte("x")), 403, "AccessDenied")
	allowPublicPolicies(t, c, "post-writer")
	if resp := presignPost(t, srv.HTTPURL, spec("post-writer")).post(t, nil, "f", []byte("posted")); resp.Status/100 != 2 {
		t.Fatalf("POST with acl public-read under ObjectWriter: %d %s", resp.Status, resp.Body)
	}
	resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/post-writer/form", Anonymous: true})
	if resp.Status != 200 || string(resp.Body) != "posted" {
		t.Errorf("anonymous GET of the public-read POSTed object: %d %q", resp.Status, resp.Body)
	}
	oa, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("post-writer"), Key: aws.String("form")})
	if err != nil {
		t.Fatal(err)
	}
	wantGrants(t, "POSTed object", oa.Grants, canonicalID(authzAccount(t, srv))+"=FULL_CONTROL", allUsersURI+"=READ")
}

// TestACLVersions: each version has its own ACL; ?versionId= reads and writes that one
// (s3:GetObjectVersionAcl / s3:PutObjectVersionAcl) and GETs of a version use its ACL.
func TestACLVersions(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vacl"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	allowPublicPolicies(t, c, "vacl")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vacl"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vacl"), Key: aws.String("k"), Body: strings.NewReader("one"), ACL: types.ObjectCannedACLPublicRead})
	if err != nil {
		t.Fatal(err)
	}
	v2 := mustPut(t, c, "vacl", "k", []byte("two"))
	anon := func(query string) int {
		return do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/vacl/k", Query: query, Anonymous: true}).Status
	}
	if s := anon("versionId=" + aws.ToString(v1.VersionId)); s != 200 {
		t.Errorf("anonymous GET of the public-read version: %d", s)
	}
	if s := anon(""); s != 403 {
		t.Errorf("anonymous GET of the private current version: %d", s)
	}
	oa, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vacl"), Key: aws.String("k"), VersionId: v1.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	me := canonicalID(authzAccount(t, srv))
	wantGrants(t, "version 1", oa.Grants, me+"=FULL_CONTROL", allUsersURI+"=READ")
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("vacl"), Key: aws.String("k"), VersionId: v2.VersionId, ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if s := anon(""); s != 200 {
		t.Errorf("anonymous GET after PutObjectAcl on the current version: %d", s)
	}
	// An IAM user allowed s3:GetObjectAcl but not s3:GetObjectVersionAcl.
	u := authzUser(t, iamClient(srv.HTTPURL, testAccessKey, testSecretKey), "acluser", authzAllow(`"s3:GetObjectAcl"`, `"arn:aws:s3:::vacl/*"`))
	uc := authzS3(t, srv.HTTPURL, u)
	if _, err := uc.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vacl"), Key: aws.String("k")}); err != nil {
		t.Errorf("GetObjectAcl with s3:GetObjectAcl: %v", err)
	}
	_, err = uc.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vacl"), Key: aws.String("k"), VersionId: v1.VersionId})
	wantS3Denied(t, "GetObjectAcl of a version", err, s3DenyMsg(u.ARN, "s3:GetObjectVersionAcl", "arn:aws:s3:::vacl/k", whyNoIdentity("s3:GetObjectVersionAcl")))
}
