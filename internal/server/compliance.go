package server

import (
	"bytes"
	"context"
	"errors"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/compliance"
	"github.com/arcastore/arca/internal/invreport"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/trails"
)

// openCompliance builds the config-rule service and puts its trigger at the end of the
// audit chain (after the trail and the alarms), so every recorded change queues the
// evaluations it calls for; the service's own compliance-change records go to the chain
// before the trigger (trail and alarms). With --no-audit there is no chain: rules are
// then evaluated periodically and on StartConfigRulesEvaluation only.
func (s *Server) openCompliance() {
	s.compliance = compliance.New(compliance.Config{Region: s.cfg.Region, Interval: s.cfg.ComplianceInterval},
		compliance.Deps{KV: s.store, Facts: complianceFacts{s}, Audit: s.audit, Log: s.log})
	if s.audit != nil {
		s.audit = audit.Multi{s.audit, s.compliance.Trigger()}
	}
}

// startCompliance runs the evaluation worker and scheduler; the returned function stops
// it and waits for an evaluation in progress to end.
func (s *Server) startCompliance() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.compliance.Run(ctx, time.Minute)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// complianceFacts reads what the rules need from the metadata store, the keystores and
// the trails, for one account at a time.
type complianceFacts struct{ s *Server }

var _ compliance.Facts = complianceFacts{}

func (f complianceFacts) owner(b *meta.Bucket) string {
	if b.Owner == "" {
		return f.s.id.AccountID
	}
	return b.Owner
}

func (f complianceFacts) Buckets(ctx context.Context, account string) ([]compliance.Bucket, error) {
	all, err := f.s.meta.ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	var out []compliance.Bucket
	for i := range all {
		if f.owner(&all[i]) == account {
			out = append(out, f.bucket(ctx, &all[i]))
		}
	}
	return out, nil
}

func (f complianceFacts) Bucket(ctx context.Context, account, name string) (compliance.Bucket, bool, error) {
	b, err := f.s.meta.GetBucket(ctx, name)
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return compliance.Bucket{}, false, nil
		}
		return compliance.Bucket{}, false, err
	}
	if f.owner(&b) != account {
		return compliance.Bucket{}, false, nil
	}
	return f.bucket(ctx, &b), true, nil
}

func (f complianceFacts) bucket(ctx context.Context, b *meta.Bucket) compliance.Bucket {
	out := compliance.Bucket{Name: b.Name, Owner: f.owner(b), Policy: b.Policy, SSECBlocked: object.SSECBlocked(b.Encryption)}
	switch {
	case object.DefaultConfigured(b.Encryption):
		out.Algorithm, out.KMSKeyID = b.Encryption.Algorithm, b.Encryption.KMSMasterKeyID
	case !f.s.cfg.LegacyBucketEncryption:
		out.Algorithm = object.EffectiveDefault(b.Encryption) // SSE-S3, as S3 since 2023
	}
	if out.KMSKeyID != "" {
		out.KMSKeyARN = f.keyARN(ctx, out.Owner, out.KMSKeyID)
	}
	if b.Logging != nil {
		out.Logging = &compliance.Logging{TargetBucket: b.Logging.TargetBucket, TargetPrefix: b.Logging.TargetPrefix}
	}
	if p := b.PublicAccessBlock; p != nil {
		out.BlockPublicAcls, out.IgnorePublicAcls, out.BlockPublicPolicy, out.RestrictPublicBuckets =
			p.BlockPublicAcls, p.IgnorePublicAcls, p.BlockPublicPolicy, p.RestrictPublicBuckets
	}
	return out
}

// keyARN resolves a bucket's configured key (id, alias or ARN) to its ARN; a key that
// does not resolve keeps the text configured.
func (f complianceFacts) keyARN(ctx context.Context, account, ref string) string {
	if strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":key/") {
		return ref
	}
	ks, err := f.s.keystores.For(ctx, account)
	if err != nil {
		return ref
	}
	md, err := ks.DescribeKey(ctx, f.principal(account), ref)
	if err != nil {
		return ref
	}
	return md.ARN
}

func (complianceFacts) principal(account string) kms.Principal {
	return kms.Principal{AccountID: account, ARN: "arn:aws:iam::" + account + ":root", ViaService: compliance.SourceConfig}
}

func (f complianceFacts) Keys(ctx context.Context, account string) ([]compliance.Key, error) {
	ks, err := f.s.keystores.For(ctx, account)
	if err != nil {
		return nil, err
	}
	var out []compliance.Key
	marker := ""
	for {
		page, next, err := ks.ListKeys(ctx, f.principal(account), kms.Page{Limit: 1000, Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if k, ok, err := f.key(ctx, ks, account, e.KeyID); err != nil {
				return nil, err
			} else if ok {
				out = append(out, k)
			}
		}
		if next == "" {
			return out, nil
		}
		marker = next
	}
}

func (f complianceFacts) Key(ctx context.Context, account, id string) (compliance.Key, bool, error) {
	ks, err := f.s.keystores.For(ctx, account)
	if err != nil {
		return compliance.Key{}, false, err
	}
	return f.key(ctx, ks, account, id)
}

func (f complianceFacts) key(ctx context.Context, ks *kms.Service, account, id string) (compliance.Key, bool, error) {
	md, err := ks.DescribeKey(ctx, f.principal(account), id)
	if err != nil {
		return compliance.Key{}, false, nil // gone (or destroyed meanwhile)
	}
	k := compliance.Key{ID: md.KeyID, ARN: md.ARN, State: md.KeyState, CustomerManaged: md.KeyManager == "CUSTOMER"}
	if k.CustomerManaged && md.KeyState != kms.StatePendingDeletion {
		if st, err := ks.GetKeyRotationStatus(ctx, f.principal(account), md.KeyID); err == nil {
			k.Rotation = st.Enabled
		}
	}
	return k, true, nil
}

func (f complianceFacts) Trails(ctx context.Context, account string) ([]compliance.Trail, error) {
	ts, err := f.s.trails.List(account)
	if err != nil {
		return nil, err
	}
	out := make([]compliance.Trail, 0, len(ts))
	for _, t := range ts {
		if t.Name == trails.DefaultName {
			continue // the built-in event history delivers nowhere: not a trail the rules judge
		}
		out = append(out, compliance.Trail{Name: t.Name, ARN: t.ARN, Bucket: t.Bucket, KMSKeyARN: t.KMSKeyARN,
			Validation: t.Validation, IsLogging: t.IsLogging})
	}
	return out, nil
}

// InventoryRows reads the newest report, among bucket b's inventory configurations that
// list EncryptionStatus, through the object engine's decrypting read path with the KMS as
// the inventory writer uses it (the S3 service for the source bucket's account: the
// reports are the account's own, written by that principal).
func (f complianceFacts) InventoryRows(ctx context.Context, account string, cb compliance.Bucket, fn func(compliance.InventoryRow) error) (string, bool, error) {
	b, err := f.s.meta.GetBucket(ctx, cb.Name)
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return "", false, nil
		}
		return "", false, err
	}
	var dest, latest string
	for _, c := range b.Inventory {
		if !slices.Contains(c.OptionalFields, "EncryptionStatus") {
			continue
		}
		db := strings.TrimPrefix(c.Destination.BucketARN, "arn:aws:s3:::")
		p := c.Destination.Prefix
		if p != "" && !strings.HasSuffix(p, "/") {
			p += "/"
		}
		key, err := f.latestManifest(ctx, db, p+b.Name+"/"+c.ID+"/")
		if err != nil {
			return "", false, err
		}
		// Report folders are named by time (YYYY-MM-DDTHH-MMZ): the greatest is the newest.
		if key != "" && (latest == "" || path.Base(path.Dir(key)) > path.Base(path.Dir(latest))) {
			dest, latest = db, key
		}
	}
	if latest == "" {
		return "", false, nil
	}
	kmsFor := inventoryKMS{f.s, account}
	mo, err := f.s.objects.GetInternal(ctx, dest, latest, kmsFor)
	if err != nil {
		return "", false, err
	}
	m, err := invreport.ParseManifest(mo.Body)
	if err != nil {
		return "", false, err
	}
	cols := m.Columns()
	row := func(r *invreport.Row) error {
		return fn(compliance.InventoryRow{Key: r.Key, VersionID: r.VersionID, DeleteMarker: r.IsDeleteMarker,
			EncryptionStatus: r.EncryptionStatus, KMSKeyArn: r.KMSKeyArn})
	}
	for _, file := range m.Files {
		df, err := f.s.objects.GetInternal(ctx, dest, file.Key, kmsFor)
		if err != nil {
			return "", false, err
		}
		if m.FileFormat == "Parquet" {
			err = invreport.ReadParquet(bytes.NewReader(df.Body), int64(len(df.Body)), row)
		} else {
			err = invreport.ReadCSV(bytes.NewReader(df.Body), cols, row)
		}
		if err != nil {
			return "", false, err
		}
	}
	return dest + "/" + latest, true, nil
}

// latestManifest is the key of the newest manifest.json under base in bucket ("" = none).
func (f complianceFacts) latestManifest(ctx context.Context, bucket, base string) (string, error) {
	newest, after := "", ""
	for {
		res, err := f.s.meta.ListObjects(ctx, bucket, meta.ListOptions{Prefix: base, Delimiter: "/", After: after, MaxKeys: 1000})
		if err != nil {
			if errors.Is(err, meta.ErrNoSuchBucket) {
				return "", nil
			}
			return "", err
		}
		for _, p := range res.CommonPrefixes {
			if p != base+"data/" && p != base+"hive/" && p > newest {
				newest = p
			}
		}
		if !res.IsTruncated {
			break
		}
		after = res.Next
	}
	if newest == "" {
		return "", nil
	}
	key := newest + "manifest.json"
	if _, err := f.s.meta.GetObject(ctx, bucket, key); err != nil {
		return "", nil // a report still being written has no manifest yet
	}
	return key, nil
}
