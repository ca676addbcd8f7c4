package iamapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const account = "123456789012"

var root = iam.RootIdentity(account, "AKIAROOTROOTROOTROOT")

func newAPI(t *testing.T) (*API, *iam.Store) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, _ := rootkey.Parse(rootkey.Generate())
	store, err := iam.Open(context.Background(), iam.Config{DB: db, Root: key, AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{AccountID: account, RootCreated: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, Deps{Store: store}), store
}

// do sends form as a POST body to service as id and returns status and body.
func do(a *API, id iam.Identity, service string, form url.Values) (int, string) {
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	w := httptest.NewRecorder()
	a.Serve(w, r, &Caller{Identity: id, Service: service, Body: strings.NewReader(body)})
	data, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(data)
}

func iamForm(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func expect(t *testing.T, status int, body string, wantStatus int, wantParts ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	for _, p := range wantParts {
		if !strings.Contains(body, p) {
			t.Fatalf("response lacks %q:\n%s", p, body)
		}
	}
}

func TestWireShapes(t *testing.T) {
	a, store := newAPI(t)
	st, body := do(a, root, "iam", iamForm("CreateUser", "UserName", "alice", "Path", "/eng/"))
	expect(t, st, body, 200, `<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult><User><Path>/eng/</Path><UserName>alice</UserName><UserId>AIDA`,
		`<Arn>arn:aws:iam::123456789012:user/eng/alice</Arn><CreateDate>`, `</User></CreateUserResult><ResponseMetadata><RequestId>`)

	st, body = do(a, root, "iam", iamForm("CreateUser", "UserName", "alice"))
	expect(t, st, body, 409, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>User with name alice already exists.</Message></Error><RequestId>`)

	st, body = do(a, root, "iam", iamForm("GetUser", "UserName", "bob"))
	expect(t, st, body, 404, `<Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message>`)

	st, body = do(a, root, "iam", iamForm("GetUser"))
	expect(t, st, body, 200, `<User><UserId>123456789012</UserId><Arn>arn:aws:iam::123456789012:root</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate></User>`)

	st, body = do(a, root, "iam", iamForm("ListUsers"))
	expect(t, st, body, 200, `<ListUsersResult><Users><member><Path>/eng/</Path><UserName>alice</UserName>`, `<IsTruncated>false</IsTruncated></ListUsersResult>`)

	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
	st, body = do(a, root, "iam", iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "all", "PolicyDocument", doc))
	expect(t, st, body, 200, `<PutUserPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata>`)
	st, body = do(a, root, "iam", iamForm("GetUserPolicy", "UserName", "alice", "PolicyName", "all"))
	expect(t, st, body, 200, `<PolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22`)

	st, body = do(a, root, "iam", iamForm("CreateAccessKey", "UserName", "alice"))
	expect(t, st, body, 200, `<AccessKey><UserName>alice</UserName><AccessKeyId>AKIA`, `<Status>Active</Status><SecretAccessKey>`)
	st, body = do(a, root, "iam", iamForm("ListAccessKeys", "UserName", "alice"))
	expect(t, st, body, 200, `<AccessKeyMetadata><member><UserName>alice</UserName>`)
	if strings.Contains(body, "SecretAccessKey") {
		t.Fatalf("ListAccessKeys shows a secret: %s", body)
	}
	st, body = do(a, root, "iam", iamForm("ListAccessKeys"))
	expect(t, st, body, 400, `<Code>ValidationError</Code>`)

	st, body = do(a, root, "iam", iamForm("ListAttachedUserPolicies", "UserName", "alice"))
	expect(t, st, body, 200, `<AttachedPolicies></AttachedPolicies>`)
	st, body = do(a, root, "iam", iamForm("ListUsers", "MaxItems", "0"))
	expect(t, st, body, 400, `<Code>ValidationError</Code>`)

	st, body = do(a, root, "iam", iamForm("CreatePolicy", "PolicyName", "p", "PolicyDocument", doc))
	expect(t, st, body, 200, `<Policy><PolicyName>p</PolicyName><PolicyId>ANPA`, `<DefaultVersionId>v1</DefaultVersionId><AttachmentCount>0</AttachmentCount>`, `<IsAttachable>true</IsAttachable>`)
	st, body = do(a, root, "iam", iamForm("GetPolicyVersion", "PolicyArn", "arn:aws:iam::123456789012:policy/p", "VersionId", "v1"))
	expect(t, st, body, 200, `<PolicyVersion><Document>%7B%22Version`, `<IsDefaultVersion>true</IsDefaultVersion>`)

	_, id, err := store.LookupAccessKey(context.Background(), firstKey(t, store, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	st, body = do(a, id, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	expect(t, st, body, 200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/eng/alice</Arn><UserId>AIDA`, `<Account>123456789012</Account>`)
	st, body = do(a, root, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	expect(t, st, body, 200, `<Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId><Account>123456789012</Account>`)

	// IAM users may call no IAM action until policies are enforced.
	st, body = do(a, id, "iam", iamForm("ListUsers"))
	expect(t, st, body, 403, `<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/eng/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action</Message>`)
	st, body = do(a, id, "iam", iamForm("GetUser"))
	expect(t, st, body, 403, `on resource: arn:aws:iam::123456789012:user/eng/alice because`)
}

func firstKey(t *testing.T, s *iam.Store, user string) string {
	keys, _, err := s.ListAccessKeys(context.Background(), user, iam.Page{})
	if err != nil || len(keys) == 0 {
		t.Fatalf("no keys: %v", err)
	}
	return keys[0].ID
}

func TestProtocolErrors(t *testing.T) {
	a, _ := newAPI(t)
	st, body := do(a, root, "iam", iamForm("AssumeRole"))
	expect(t, st, body, 400, `<Code>InvalidAction</Code><Message>Could not find operation AssumeRole for version 2010-05-08</Message>`)
	st, body = do(a, root, "iam", url.Values{"Action": {"ListUsers"}, "Version": {"2011-06-15"}})
	expect(t, st, body, 400, `<Code>InvalidAction</Code>`)
	st, body = do(a, root, "sts", iamForm("ListUsers"))
	expect(t, st, body, 400, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code>`)

	r := httptest.NewRequest(http.MethodPost, "/", nil)
	w := httptest.NewRecorder()
	a.Serve(w, r, &Caller{Identity: root, Service: "iam", Body: strings.NewReader("Action=ListUsers&Action=GetUser")})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "MalformedQueryString") {
		t.Fatalf("duplicate parameter: %d %s", w.Code, w.Body)
	}
	r = httptest.NewRequest(http.MethodGet, "/?Action=ListUsers&Version=2010-05-08", nil)
	w = httptest.NewRecorder()
	a.Serve(w, r, &Caller{Identity: root, Service: "iam", Body: strings.NewReader("")})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<ListUsersResult>") {
		t.Fatalf("GET with query: %d %s", w.Code, w.Body)
	}
}

var serviceTests = []struct {
	authz, query, want string
}{
	{"AWS4-HMAC-SHA256 Credential=AKIAX/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00", "", "iam"},
	{"AWS4-HMAC-SHA256 Credential=AKIAX/20250101/eu-west-1/sts/aws4_request,SignedHeaders=host,Signature=00", "", "sts"},
	{"AWS4-HMAC-SHA256 Credential=AKIAX/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "", ""},
	{"garbage", "", ""},
	{"", "X-Amz-Credential=AKIAX%2F20250101%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Signature=00", "sts"},
	{"", "list-type=2", ""},
}

func TestService(t *testing.T) {
	for _, tc := range serviceTests {
		r := httptest.NewRequest(http.MethodPost, "/?"+tc.query, nil)
		if tc.authz != "" {
			r.Header.Set("Authorization", tc.authz)
		}
		if got := Service(r); got != tc.want {
			t.Errorf("Service(%q, %q) = %q, want %q", tc.authz, tc.query, got, tc.want)
		}
	}
}
