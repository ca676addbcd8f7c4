package iamapi

import (
	"net/url"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/iam"
)

// XML shapes of the responses. Element order follows AWS's documentation; clients match by
// name.

// isoTime is a timestamp on the wire: ISO 8601 in UTC, as IAM sends it.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// members is a list the query protocol way: <Name><member>…</member>…</Name>. An empty
// list is sent as an empty element, as AWS does.
type members[T any] struct {
	Member []T `xml:"member"`
}

// paged is the IsTruncated/Marker pair of list results.
type paged struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func more(next string) paged { return paged{IsTruncated: next != "", Marker: next} }

type userXML struct {
	Path       string `xml:",omitempty"`
	UserName   string `xml:",omitempty"`
	UserId     string
	Arn        string
	CreateDate string
}

func toUser(u iam.User) userXML {
	return userXML{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created)}
}

type userResult struct{ User userXML }

type listUsersResult struct {
	Users members[userXML]
	paged
}

type accessKeyXML struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string `xml:",omitempty"`
	CreateDate      string
}

func toAccessKey(k iam.AccessKey) accessKeyXML {
	return accessKeyXML{UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status, SecretAccessKey: k.Secret,
		CreateDate: isoTime(k.Created)}
}

type createAccessKeyResult struct{ AccessKey accessKeyXML }

type listAccessKeysResult struct {
	AccessKeyMetadata members[accessKeyXML]
	paged
}

type groupXML struct {
	Path       string
	GroupName  string
	GroupId    string
	Arn        string
	CreateDate string
}

type createGroupResult struct{ Group groupXML }

type userPolicyResult struct {
	UserName       string
	PolicyName     string
	PolicyDocument string
}

type policyXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
}

func toPolicy(p iam.ManagedPolicy) policyXML {
	return policyXML{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
}

type policyResult struct{ Policy policyXML }

type policyVersionXML struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type policyVersionResult struct{ PolicyVersion policyVersionXML }

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies members[attachedPolicyXML]
	paged
}

type callerIdentityResult struct {
	Arn     string
	UserId  string
	Account string
}

// encodeDocument URL-encodes a policy document as IAM returns it (RFC 3986: every byte
// but the unreserved ones escaped, space as %20), which clients decode.
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
