// Package blastradius answers "what becomes unreadable if this KMS key goes?": for one key
// (of any account, named by its ARN), the object versions whose SSE-KMS record names it
// (bucket-key-wrapped ones included) with their bytes per bucket, the in-progress multipart
// uploads under it, the bucket default encryptions, trails, inventory configurations and
// server access log targets that would encrypt under it, and the key's own state. It also
// holds the deletion guard: Check refuses to let a key that still protects objects be
// disabled or scheduled for deletion unless the key carries the force tag
// (docs/BLAST-RADIUS.md).
//
// Use New(Deps) and Compute or Check. The metadata is read by a full scan, one page of
// versions at a time (bounded memory; cost linear in the number of versions stored).
// No HTTP; errors are sentinels (ErrKeyInUse) or the stores' own.
package blastradius

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/trails"
)

// ErrKeyInUse is the guard's refusal: the key still protects objects (an *errs.E whose
// message names the counts and the force).
var ErrKeyInUse = errors.New("blastradius: key still protects objects")

// ForceTag is the key tag that lets the guard through: a key tagged ForceTag=ForceValue may be
// disabled or scheduled for deletion whatever it protects (crypto-shredding on purpose).
const (
	ForceTag   = "arca:allow-deletion"
	ForceValue = "true"
)

// TrailLister lists an account's trails ("" = the primary account); trails.Service is one.
type TrailLister interface {
	List(account string) ([]*trails.Trail, error)
}

var _ TrailLister = (*trails.Service)(nil)

// Deps are what a computation reads.
type Deps struct {
	Meta meta.Store
	// Keys resolves key references (alias names, ids) of bucket defaults and inventory
	// configurations in the account that wrote them.
	Keys *kms.Keystores
	// Trails (nil: no trails counted) and Accounts, every account id whose trails to read
	// (nil: the primary account only).
	Trails   TrailLister
	Accounts func(ctx context.Context) ([]string, error)
	// PageSize bounds the versions read per page (0 = 1000).
	PageSize int
}

// Service computes blast radii.
type Service struct{ d Deps }

// New returns a Service over d.
func New(d Deps) *Service {
	if d.PageSize <= 0 {
		d.PageSize = 1000
	}
	return &Service{d: d}
}

// Report is what depends on one key. The JSON names are the wire shape of
// ArcaGetKeyBlastRadius and `arca kms blast-radius --json`.
type Report struct {
	KeyId        string
	KeyArn       string
	KeyState     string
	DeletionDate *time.Time `json:"-"` // the protocol writes it in its own time format
	// Objects and Bytes: every object version (current or not, delete markers excluded)
	// whose encryption record names the key, and their plaintext sizes.
	Objects int64
	Bytes   int64
	// Buckets holding such versions, by name.
	Buckets []BucketUse
	// Uploads: in-progress multipart uploads created under the key.
	Uploads int64
	// DefaultEncryption: buckets whose default encryption names the key (new objects).
	DefaultEncryption []DefaultUse
	// Trails delivering log files encrypted under the key.
	Trails []TrailUse
	// Inventories whose reports are SSE-KMS under the key (their own encryption, or the
	// destination bucket's default).
	Inventories []InventoryUse
	// AccessLogs: server access logging whose target bucket encrypts under the key.
	AccessLogs []LogUse
	// DamagedRecords: records that failed authentication while scanning (their
	// encryption is unknown, so the counts may be low by these).
	DamagedRecords int64 `json:",omitempty"`
	// ScannedVersions is how many version records were read.
	ScannedVersions int64
}

// BucketUse is one bucket's share.
type BucketUse struct {
	Name    string
	Owner   string `json:",omitempty"`
	Objects int64
	Bytes   int64
	// BucketKeyObjects of Objects are wrapped by a bucket key under the key.
	BucketKeyObjects int64
}

// DefaultUse is a bucket default encryption naming the key.
type DefaultUse struct {
	Bucket    string
	BucketKey bool
}

// TrailUse is a trail encrypting under the key.
type TrailUse struct {
	Name, TrailARN, Bucket string
}

// InventoryUse is an inventory configuration whose reports are encrypted under the key.
type InventoryUse struct {
	Bucket, Id, DestinationBucket string
	// Via is "InventoryEncryption" (the configuration's SSE-KMS) or "DestinationDefault".
	Via string
}

// LogUse is a bucket whose access logs go to a target bucket encrypting under the key.
type LogUse struct {
	SourceBucket, TargetBucket string
}

// Compute returns the blast radius of key (already resolved and authorized by the caller).
func (s *Service) Compute(ctx context.Context, key kms.KeyMetadata) (Report, error) {
	r := Report{KeyId: key.KeyID, KeyArn: key.ARN, KeyState: key.KeyState}
	if !key.DeletionDate.IsZero() {
		d := key.DeletionDate.UTC()
		r.DeletionDate = &d
	}
	buckets, err := s.d.Meta.ListBuckets(ctx)
	if err != nil {
		return Report{}, err
	}
	byName := make(map[string]meta.Bucket, len(buckets))
	for _, b := range buckets {
		byName[b.Name] = b
	}
	// defaultKey reports whether a bucket's default encryption resolves to key.
	defaultKey := func(b meta.Bucket) bool {
		e := b.Encryption
		return e != nil && e.Algorithm == "aws:kms" && s.resolve(b.Owner, e.KMSMasterKeyID) == key.ARN
	}
	for _, b := range buckets {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		if defaultKey(b) {
			r.DefaultEncryption = append(r.DefaultEncryption, DefaultUse{Bucket: b.Name, BucketKey: b.Encryption.BucketKey})
		}
		for _, c := range b.Inventory {
			dest := c.Destination.Bucket()
			switch e := c.Destination.Encryption; {
			case e != nil && e.KMSKeyID != "":
				if s.resolve(b.Owner, e.KMSKeyID) == key.ARN {
					r.Inventories = append(r.Inventories, InventoryUse{Bucket: b.Name, Id: c.ID, DestinationBucket: dest, Via: "InventoryEncryption"})
				}
			case e == nil:
				if d, ok := byName[dest]; ok && defaultKey(d) {
					r.Inventories = append(r.Inventories, InventoryUse{Bucket: b.Name, Id: c.ID, DestinationBucket: dest, Via: "DestinationDefault"})
				}
			}
		}
		if l := b.Logging; l != nil {
			if d, ok := byName[l.TargetBucket]; ok && defaultKey(d) {
				r.AccessLogs = append(r.AccessLogs, LogUse{SourceBucket: b.Name, TargetBucket: l.TargetBucket})
			}
		}
		use, err := s.scanBucket(ctx, b.Name, key.ARN, &r)
		if err != nil {
			return Report{}, err
		}
		if use.Objects > 0 {
			use.Owner = b.Owner
			r.Buckets = append(r.Buckets, use)
			r.Objects += use.Objects
			r.Bytes += use.Bytes
		}
		if r.Uploads, err = s.scanUploads(ctx, b.Name, key.ARN, r.Uploads); err != nil {
			return Report{}, err
		}
	}
	if err := s.trails(ctx, key.ARN, &r); err != nil {
		return Report{}, err
	}
	sort.Slice(r.Buckets, func(i, j int) bool { return r.Buckets[i].Name < r.Buckets[j].Name })
	return r, nil
}

// scanBucket counts the bucket's versions under keyARN, one page at a time.
func (s *Service) scanBucket(ctx context.Context, bucket, keyARN string, r *Report) (BucketUse, error) {
	use := BucketUse{Name: bucket}
	opt := meta.VersionListOptions{MaxKeys: s.d.PageSize}
	for {
		if err := ctx.Err(); err != nil {
			return use, err
		}
		page, err := s.d.Meta.ListVersions(ctx, bucket, opt)
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return use, nil // deleted while we scanned
		}
		if err != nil {
			return use, err
		}
		for i := range page.Versions {
			o := &page.Versions[i]
			r.ScannedVersions++
			if o.DeleteMarker || o.Enc == nil || o.Enc.KMSKeyARN != keyARN {
				continue
			}
			use.Objects++
			use.Bytes += o.Size
			if o.Enc.BucketKey {
				use.BucketKeyObjects++
			}
		}
		if !page.IsTruncated {
			return use, nil
		}
		opt.KeyMarker, opt.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}

// scanUploads adds the bucket's in-progress uploads under keyARN to n.
func (s *Service) scanUploads(ctx context.Context, bucket, keyARN string, n int64) (int64, error) {
	opt := meta.UploadListOptions{MaxUploads: s.d.PageSize}
	for {
		page, err := s.d.Meta.ListUploads(ctx, bucket, opt)
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		for _, u := range page.Uploads {
			if u.Enc != nil && u.Enc.KMSKeyARN == keyARN {
				n++
			}
		}
		if !page.IsTruncated {
			return n, nil
		}
		opt.KeyMarker, opt.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}

// trails adds every account's trails encrypting under keyARN.
func (s *Service) trails(ctx context.Context, keyARN string, r *Report) error {
	if s.d.Trails == nil {
		return nil
	}
	accounts := []string{""}
	if s.d.Accounts != nil {
		var err error
		if accounts, err = s.d.Accounts(ctx); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, a := range accounts {
		ts, err := s.d.Trails.List(a)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.KMSKeyARN == keyARN && !seen[t.ARN] {
				seen[t.ARN] = true
				r.Trails = append(r.Trails, TrailUse{Name: t.Name, TrailARN: t.ARN, Bucket: t.Bucket})
			}
		}
	}
	return nil
}

// resolve returns the ARN of the key ref names as account (a bucket's owner, "" = the
// primary account) names it, "" for none: a key ARN is itself, an alias ARN is looked up
// in its account, an id or alias name in account's keystore, "" is aws/s3.
func (s *Service) resolve(account, ref string) string {
	if ref == "" {
		ref = "alias/aws/s3"
	}
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) < 6 {
			return ""
		}
		if strings.HasPrefix(parts[5], "key/") {
			return ref
		}
		account = parts[4]
	}
	if s.d.Keys == nil {
		return ""
	}
	ks := s.d.Keys.Primary()
	if account != "" && account != s.d.Keys.PrimaryAccount() {
		if ks = s.d.Keys.Lookup(account); ks == nil {
			return ""
		}
	}
	return ks.KeyARN(ref)
}

// Forced reports whether tags carry the guard's force tag.
func Forced(tags []kms.Tag) bool {
	for _, t := range tags {
		if t.Key == ForceTag && strings.EqualFold(t.Value, ForceValue) {
			return true
		}
	}
	return false
}

// Check is the deletion guard for op (DisableKey or ScheduleKeyDeletion) on key: nil when
// the key protects no object or is forced by its tags, else ErrKeyInUse naming the counts.
func (s *Service) Check(ctx context.Context, op string, key kms.KeyMetadata, tags []kms.Tag) error {
	if Forced(tags) {
		return nil
	}
	r, err := s.Compute(ctx, key)
	if err != nil {
		return err
	}
	if r.Objects == 0 && r.Uploads == 0 {
		return nil
	}
	return errs.Newf(ErrKeyInUse, "%s refused by the deletion guard: key %s still protects %d objects (%d bytes) in %d buckets and %d in-progress multipart uploads. "+
		"Run `arca kms blast-radius %s` to see them; to proceed anyway, tag the key %s=%s.",
		op, key.ARN, r.Objects, r.Bytes, len(r.Buckets), r.Uploads, key.KeyID, ForceTag, ForceValue)
}
