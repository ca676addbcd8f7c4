package iam

import (
	"log/slog"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// PolicyValidator checks an identity policy document when it is written (PutUserPolicy,
// PutGroupPolicy, CreatePolicy). A non-nil error rejects the document: an *Error is
// returned as it is (so a validator may answer LimitExceeded for a document over its size
// limit); any other error means MalformedPolicyDocument with the error's text as the
// message the client sees, so that text must be AWS-worded and must not leak internals.
// The server wires it to the policy engine's parser.
type PolicyValidator func(doc []byte) error

// Config is what a Store needs.
type Config struct {
	// DB is the store (group-committed) the identities share with the rest of Arca.
	DB kv.DB
	// Root seals secret access keys before they are written.
	Root *rootkey.Key
	// RecordKey authenticates the store's records (meta.KVStore.RecordKey; stored.go).
	// nil: a key of this Store only, for tests that never reopen the file: what it writes
	// is damaged for any later Open.
	RecordKey *recauth.Key
	// Log receives one line per damaged record at Open (nil: none). Never secrets.
	Log *slog.Logger
	// AccountID (12 digits) makes ARNs.
	AccountID string
	// Namespace is "" for the primary account's store (kv bucket iam/) and the account id
	// for any other account's (iam-accounts/<id>/; docs/ACCOUNTS.md).
	Namespace string
	// ValidatePolicy checks policy documents on write; nil accepts any JSON object.
	ValidatePolicy PolicyValidator
	// Now is the clock (nil = time.Now).
	Now func() time.Time
}

// Identity types (the aws:PrincipalType condition key and CloudTrail's userIdentity.type).
const (
	TypeRoot    = "Root"
	TypeIAMUser = "IAMUser"
)

// Identity is an authenticated principal.
type Identity struct {
	Type        string // TypeRoot or TypeIAMUser
	AccountID   string
	ARN         string // arn:aws:iam::<acct>:root or arn:aws:iam::<acct>:user/<path><name>
	UserID      string // the account id for the root, "AIDA…" for a user
	UserName    string // "" for the root
	AccessKeyID string
}

// RootIdentity is the account root authenticated with accessKeyID.
func RootIdentity(accountID, accessKeyID string) Identity {
	return Identity{Type: TypeRoot, AccountID: accountID, ARN: "arn:aws:iam::" + accountID + ":root",
		UserID: accountID, AccessKeyID: accessKeyID}
}

// IsRoot reports whether id is the account root.
func (id Identity) IsRoot() bool { return id.Type == TypeRoot }

// User is an IAM user.
type User struct {
	Name    string
	ID      string // "AIDA…"
	ARN     string
	Path    string
	Created time.Time
}

// Access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// AccessKey describes an access key. Secret is set only in what CreateAccessKey returns.
type AccessKey struct {
	ID       string // "AKIA…", 20 characters
	UserName string
	Status   string
	Created  time.Time
	Secret   string
}

// Group is an IAM group.
type Group struct {
	Name    string
	ID      string // "AGPA…"
	ARN     string
	Path    string
	Created time.Time
}

// ManagedPolicy describes a customer managed policy.
type ManagedPolicy struct {
	Name            string
	ID              string // "ANPA…"
	ARN             string
	Path            string
	Description     string
	DefaultVersion  string // "v1"
	AttachmentCount int
	Created         time.Time
	Updated         time.Time
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	VersionID string
	Document  string
	IsDefault bool
	Created   time.Time
}

// AttachedPolicy names a managed policy attached to a user or group.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// Page selects a page of a list: items after Marker (from a previous page), at most
// MaxItems (0 = 100; at most 1000).
type Page struct {
	Marker   string
	MaxItems int
}
