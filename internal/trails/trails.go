// Package trails keeps CloudTrail trails (docs/AUDIT.md): their configuration in the
// metadata file, the delivery of audit records into each trail's bucket as CloudTrail log
// files, and the hourly digest files, chained by hash and signed with an RSA key pair that
// is kept sealed under the root key, which `aws cloudtrail validate-logs` verifies.
//
// Entry points: New (the Service), its trail calls (Create, Delete, Start, Stop, Get, List,
// Status), Run (the delivery loop), Flush (deliver and digest now), PublicKeys; ResealTx for
// `arca admin rotate-root-key`; VerifyDigest for checking a digest offline. Nothing here
// knows HTTP: objects are written through the PutObject function the server passes in,
// which is Arca's S3 write path.
//
// What is promised: a record is delivered at least once into every trail that was logging
// when it was committed (a crash between writing a log file and advancing the trail's
// cursor delivers the same records again in a new file; nothing is skipped). A digest
// lists every log file delivered since the previous digest of that trail, and chains to
// it by hash and signature.
package trails

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kv"
)

// DefaultName is the built-in trail: the audit records kept in the metadata file, which
// LookupEvents reads. It exists from first start, always logs, has no bucket and cannot be
// changed or deleted.
const DefaultName = "arca-default"

// MaxTrails is how many trails besides the default one may exist (AWS: 5 per region).
const MaxTrails = 5

// bucketTrails holds name -> JSON(Trail).
var bucketTrails = []byte("audit.trails")

// Trail is one trail as stored. Trails belong to accounts: each account has its own
// (names are unique within an account, MaxTrails each), sees and manages only its own,
// and a trail receives only its account's records (audit.Record.VisibleTo).
type Trail struct {
	Name string `json:"name"`
	// Account owns the trail; "" is the primary account (Config.AccountID), so trails
	// stored before accounts existed keep their key and record unchanged.
	Account    string `json:"account,omitempty"`
	ARN        string `json:"arn"`
	HomeRegion string `json:"region"`
	Bucket     string `json:"bucket"`
	Prefix     string `json:"prefix,omitempty"`
	// KMSKeyARN is the resolved key the trail's files are encrypted with ("" = the bucket's
	// default encryption).
	KMSKeyARN  string    `json:"kms,omitempty"`
	Validation bool      `json:"validation"`
	IsLogging  bool      `json:"logging"`
	Created    time.Time `json:"created"`
	StartedAt  time.Time `json:"started,omitempty"`
	StoppedAt  time.Time `json:"stopped,omitempty"`

	// Cursor is the sequence number of the last record delivered (or skipped while the
	// trail was stopped); StopSeq is the last record to deliver after StopLogging.
	Cursor  uint64 `json:"cursor"`
	StopSeq uint64 `json:"stopSeq,omitempty"`

	LastDelivery        time.Time `json:"lastDelivery,omitempty"`
	LastDeliveryAttempt time.Time `json:"lastAttempt,omitempty"`
	DeliveryError       string    `json:"deliveryError,omitempty"`
	LastDigest          time.Time `json:"lastDigestTime,omitempty"`
	DigestError         string    `json:"digestError,omitempty"`

	// Pending are the log files delivered since the last digest; Prev is the last digest
	// (nil before the first); DigestFrom starts the next digest's period.
	Pending    []LogFile  `json:"pending,omitempty"`
	Prev       *DigestRef `json:"prev,omitempty"`
	DigestFrom time.Time  `json:"digestFrom"`
}

// LogFile is one delivered log file as a digest lists it.
type LogFile struct {
	Bucket string    `json:"b"`
	Key    string    `json:"k"`
	Hash   string    `json:"h"` // hex SHA-256 of the uncompressed file
	Oldest time.Time `json:"o"`
	Newest time.Time `json:"n"`
}

// DigestRef is what the next digest chains to.
type DigestRef struct {
	Bucket    string    `json:"b"`
	Key       string    `json:"k"`
	Hash      string    `json:"h"` // hex SHA-256 of the uncompressed digest
	Signature string    `json:"s"` // hex
	End       time.Time `json:"e"`
}

// Errors of the trail calls; the CloudTrail API maps each to its exception (named).
var (
	ErrNotFound          = errors.New("trails: trail not found")                     // TrailNotFoundException
	ErrAlreadyExists     = errors.New("trails: trail already exists")                // TrailAlreadyExistsException
	ErrInvalidName       = errors.New("trails: invalid trail name")                  // InvalidTrailNameException
	ErrInvalidARN        = errors.New("trails: invalid trail ARN")                   // CloudTrailARNInvalidException
	ErrNoName            = errors.New("trails: no trail name")                       // TrailNotProvidedException
	ErrTooMany           = errors.New("trails: too many trails")                     // MaximumNumberOfTrailsExceededException
	ErrInvalidBucketName = errors.New("trails: invalid bucket name")                 // InvalidS3BucketNameException
	ErrNoSuchBucket      = errors.New("trails: bucket does not exist")               // S3BucketDoesNotExistException
	ErrInvalidPrefix     = errors.New("trails: invalid key prefix")                  // InvalidS3PrefixException
	ErrKMSKeyNotFound    = errors.New("trails: KMS key not found")                   // KmsKeyNotFoundException
	ErrKMSKeyInvalid     = errors.New("trails: KMS key id not valid")                // InvalidKmsKeyIdException
	ErrKMSKeyUnusable    = errors.New("trails: KMS key cannot be used")              // KmsException
	ErrDefaultTrail      = errors.New("trails: the default trail cannot be changed") // OperationNotPermittedException
	ErrTimeRange         = errors.New("trails: invalid time range")                  // InvalidTimeRangeException
	ErrBucketPolicy      = errors.New("trails: bucket of another account")           // InsufficientS3BucketPolicyException
)

func errf(sentinel error, format string, args ...any) error {
	return errs.Newf(sentinel, format, args...)
}

// Message returns the client-facing message of err ("" if it carries none).
func Message(err error) string { return errs.Message(err) }

var (
	nameChars   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	nameRuns    = regexp.MustCompile(`[._-]{2}`)
	ipLike      = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	arnRE       = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)$`)
	bucketRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	alnumString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// ValidateName checks a trail name by AWS's rules: 3–128 of letters, digits, '.', '_' and
// '-', starting and ending with a letter or digit, no two of '.', '_', '-' in a row, not
// shaped like an IP address.
func ValidateName(n string) error {
	switch {
	case n == "":
		return errf(ErrNoName, "Trail name or ARN not provided.")
	case len(n) < 3:
		return errf(ErrInvalidName, "Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(n))
	case len(n) > 128:
		return errf(ErrInvalidName, "Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(n))
	case !nameChars.MatchString(n):
		return errf(ErrInvalidName, "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	case !isAlnum(n[0]) || !isAlnum(n[len(n)-1]):
		return errf(ErrInvalidName, "Trail name must starts with a letter or number.")
	case nameRuns.MatchString(n):
		return errf(ErrInvalidName, "Trail name or ARN cannot have adjacent periods, underscores or dashes.")
	case ipLike.MatchString(n):
		return errf(ErrInvalidName, "Trail name cannot be formatted as an IP address.")
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ARN is a trail's ARN.
func ARN(region, account, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
}

// nameOf turns a name or ARN, as the API accepts either, into a name of account's trail.
// An ARN of another account or region names no trail of account's.
func (s *Service) nameOf(account, ref string) (string, error) {
	if !strings.HasPrefix(ref, "arn:") {
		return ref, ValidateName(ref)
	}
	m := arnRE.FindStringSubmatch(ref)
	if m == nil {
		return "", errf(ErrInvalidARN, "ARN %s is not valid.", ref)
	}
	if m[1] != s.cfg.Region || m[2] != account {
		return "", notFound(ref, account)
	}
	return m[3], ValidateName(m[3])
}

// account is the account a call is made for: "" means the primary account.
func (s *Service) account(a string) string {
	if a == "" {
		return s.cfg.AccountID
	}
	return a
}

// OwnerAccount is the account that owns t.
func (t *Trail) OwnerAccount(primary string) string {
	if t.Account == "" {
		return primary
	}
	return t.Account
}

// storeKey is where account's trail name is kept in bucketTrails: the name for the
// primary account (as before accounts existed), "<account>/<name>" for any other (a trail
// name cannot hold a '/', so the two never collide).
func (s *Service) storeKey(account, name string) []byte {
	if account == "" || account == s.cfg.AccountID {
		return []byte(name)
	}
	return []byte(account + "/" + name)
}

func notFound(ref, account string) error {
	return errf(ErrNotFound, "Unknown trail: %s for the user: %s", ref, account)
}

// validBucketName is S3's rule for new bucket names, which the trail's bucket must follow.
func validBucketName(b string) bool {
	return bucketRE.MatchString(b) && !strings.Contains(b, "..") && !ipLike.MatchString(b)
}

// load reads the trail stored under key in tx (nil, nil if absent).
func load(tx kv.Tx, key []byte) (*Trail, error) {
	name := string(key)
	b := tx.Bucket(bucketTrails)
	if b == nil {
		return nil, nil
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil
	}
	t := new(Trail)
	if err := json.Unmarshal(v, t); err != nil {
		return nil, fmt.Errorf("trails: damaged record of trail %q: %w", name, err)
	}
	return t, nil
}

func store(tx kv.Tx, key []byte, t *Trail) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketTrails).Put(key, data)
}

func loadAll(tx kv.Tx) ([]*Trail, error) {
	b := tx.Bucket(bucketTrails)
	if b == nil {
		return nil, nil
	}
	var out []*Trail
	err := b.ForEach(func(k, v []byte) error {
		t := new(Trail)
		if err := json.Unmarshal(v, t); err != nil {
			return fmt.Errorf("trails: damaged record of trail %q: %w", k, err)
		}
		out = append(out, t)
		return nil
	})
	return out, err
}
