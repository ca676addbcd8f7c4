package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/sse"
)

// Finding is one problem `arca admin check` found: what (Kind and Where), what is wrong
// with it, and what the operator can do.
type Finding struct {
	Kind    string // "record", "blob", "key"
	Where   string // s3://bucket/key, upload/part names, a blob id, a key's name
	Problem string
	Fix     string
}

// CheckReport is the result of CheckDataDir.
type CheckReport struct {
	Records  int // metadata records read
	Blobs    int // stored blobs seen
	Findings []Finding
}

// CheckDataDir reads a stopped server's data directory, like fsck and without writing to
// it, and lists every damaged or orphaned record, blob and key: metadata records (buckets,
// objects, uploads, parts, KMS keys, aliases and reset markers, IAM users, groups,
// policies and access keys) that fail authentication or do not decode, KMS keys whose
// material does not open, blobs no record references and blobs a record names that are
// gone, SSE-S3 master key versions that objects name but the keyring lacks, and key stores
// that do not open with the root key. The root key comes from cfg as for the
// server, and is never generated.
func CheckDataDir(ctx context.Context, cfg config.Config) (*CheckReport, error) {
	dir := datadir.At(cfg.DataDir)
	if cfg.RootKey != "" && cfg.RootKeyFile != "" {
		return nil, fmt.Errorf("ARCA_ROOT_KEY and --root-key-file both give the root key: use one")
	}
	if !dir.HasStore() {
		return nil, fmt.Errorf("%s: %w", cfg.DataDir, datadir.ErrNotADataDir)
	}
	if cfg.RootKey == "" && cfg.RootKeyFile == "" {
		if _, err := os.Stat(dir.RootKey()); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("root key: none given (--root-key-file, ARCA_ROOT_KEY) and no %s in %s", datadir.RootKeyName, cfg.DataDir)
		}
	}
	root, _, _, err := loadRootKey(dir, cfg.RootKey, cfg.RootKeyFile)
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	store, err := dir.OpenStore(datadir.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	defer store.Close()
	m, err := meta.OpenReadOnly(store, root, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer m.Close()
	rep := &CheckReport{}
	add := func(kind, where, problem, fix string) {
		rep.Findings = append(rep.Findings, Finding{kind, where, problem, fix})
	}

	keyring, kerr := sse.OpenKeyring(ctx, store, root)
	if kerr != nil {
		add("key", "SSE-S3 keyring", "does not open with this root key: "+kerr.Error(),
			"check that the root key is the one the server runs with; if it is, restore meta.db from a backup (every SSE-S3 object depends on it)")
	}
	if _, err := kms.OpenReadOnly(kms.Config{DB: store, Root: root, RecordKey: m.RecordKey(), Region: orDefault(cfg.Region, "us-east-1")}); err != nil {
		add("key", "KMS keystore", "does not open: "+err.Error(),
			"check that the root key is the one the server runs with; if it is, restore meta.db from a backup")
	}

	referenced := map[string]string{} // blob id -> who names it
	damaged := 0
	err = m.WalkRecords(ctx, func(r meta.WalkedRecord) {
		rep.Records++
		where := recordWhere(r)
		if r.Err != nil {
			damaged++
			add("record", where, "damaged: fails authentication or does not decode (edited outside Arca, or a disk fault); it is not served",
				recordFix(r))
			return
		}
		switch {
		case r.Object != nil:
			for _, p := range r.Object.Pieces {
				referenced[p.BlobID] = where
			}
			if e := r.Object.Enc; e != nil && e.Mode == "AES256" && keyring != nil {
				if _, err := keyring.Get(e.MasterVersion); err != nil {
					add("key", where, fmt.Sprintf("names SSE-S3 master key version %d, which the keyring does not hold", e.MasterVersion),
						"restore meta.db from a backup; the object cannot be decrypted without that version")
				}
			}
		case r.Part != nil:
			referenced[r.Part.BlobID] = where
		}
	})
	if err != nil {
		return nil, err
	}
	err = store.View(func(tx kv.Tx) error {
		err := kms.WalkRecordsTx(tx, m.RecordKey(), root, func(r kms.WalkedRecord) {
			rep.Records++
			if r.Err != nil {
				where, problem, fix := kmsFinding(r)
				add("record", where, problem, fix)
			}
		})
		if err != nil {
			return err
		}
		err = iam.WalkRecordsTx(tx, m.RecordKey(), func(r iam.WalkedRecord) {
			rep.Records++
			if r.Err != nil {
				where, problem, fix := iamFinding(r)
				if r.Namespace != "" {
					where = "account " + r.Namespace + ": " + where
				}
				add("record", where, problem, fix)
			}
		})
		if err != nil {
			return err
		}
		return account.WalkRecordsTx(tx, m.RecordKey(), func(r account.WalkedRecord) {
			rep.Records++
			if r.Err != nil {
				add("record", "account "+r.ID, damagedRecord+"; the account's root and its IAM users are refused (InvalidAccessKeyId)",
					"restore meta.db from a backup")
			}
		})
	})
	if err != nil {
		return nil, err
	}

	blobs, err := blob.OpenTieredReadOnly(store, dir.Blobs(), smallBlobMax)
	if err != nil {
		add("blob", dir.Blobs(), "the blob store does not open: "+err.Error(), "restore the blobs directory from a backup")
		return rep, nil
	}
	present := map[string]bool{}
	err = blobs.Walk(ctx, func(id string, _ time.Time) error {
		rep.Blobs++
		present[id] = true
		if _, ok := referenced[id]; !ok {
			fix := "none needed: the server removes it at its next start"
			if damaged > 0 {
				fix = "it may belong to a damaged record above; the server removes unreferenced blobs only once no record is damaged"
			}
			add("blob", id, "orphaned: no record references it", fix)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	missing := make([]string, 0)
	for id := range referenced {
		if !present[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		add("blob", id, "missing: "+referenced[id]+" names it but it is not stored",
			"restore the blob from a backup, or delete "+referenced[id]+" (its bytes are gone)")
	}
	return rep, nil
}

func recordWhere(r meta.WalkedRecord) string {
	switch r.Kind {
	case "bucket":
		return "bucket " + r.Bucket
	case "object":
		return "s3://" + r.Bucket + "/" + r.Key
	case "version":
		vid := r.VersionID
		if vid == "" {
			vid = "null"
		}
		return fmt.Sprintf("version %s of s3://%s/%s", vid, r.Bucket, r.Key)
	case "upload":
		return fmt.Sprintf("upload %q of s3://%s/%s", r.UploadID, r.Bucket, r.Key)
	case "account-pab":
		return "Block Public Access settings of account " + r.Account
	default:
		return fmt.Sprintf("part %d of upload %q of s3://%s/%s", r.PartNumber, r.UploadID, r.Bucket, r.Key)
	}
}

func recordFix(r meta.WalkedRecord) string {
	switch r.Kind {
	case "bucket":
		return "restore meta.db from a backup: the bucket's configuration (encryption, policy) cannot be trusted"
	case "object":
		return "restore meta.db from a backup, or delete the object (DeleteObject works on a damaged record; its blobs are then removed at the next start) and upload it again"
	case "version":
		return "restore meta.db from a backup, or delete that version (DeleteObject with its versionId)"
	case "account-pab":
		return "set them again (aws s3control put-public-access-block, or delete-public-access-block), or restore meta.db from a backup"
	default:
		return "abort the upload (AbortMultipartUpload) and upload again"
	}
}

const damagedRecord = "damaged: fails authentication or does not decode (edited outside Arca, or a disk fault)"

// kmsFinding words a damaged KMS record for the operator.
func kmsFinding(r kms.WalkedRecord) (where, problem, fix string) {
	switch r.Kind {
	case kms.KindKey:
		problem = damagedRecord
		if errors.Is(r.Err, kms.ErrDamagedMaterial) {
			problem = "its key material is missing or does not open with this root key"
		}
		return "KMS key " + r.Name, problem + "; the key is unusable (KMSInvalidStateException) and SSE-KMS objects under it cannot be read",
			"restore meta.db from a backup: the key's policy, grants and state cannot be trusted, and nothing encrypted under it decrypts until then"
	case kms.KindAlias:
		return "KMS alias " + r.Name, damagedRecord + "; requests naming the alias fail (KMSInvalidStateException)",
			"restore meta.db from a backup, or name the key by its id or ARN instead of this alias"
	}
	return "KMS key policy reset marker " + r.Name, damagedRecord + "; it is not recorded in the audit trail",
		"restore meta.db from a backup; if a key policy was reset offline since the last start, run 'arca admin kms reset-key-policy' again so that the reset is audited"
}

// iamFinding words a damaged IAM record for the operator.
func iamFinding(r iam.WalkedRecord) (where, problem, fix string) {
	switch r.Kind {
	case iam.KindUser:
		return "IAM user " + r.Name, damagedRecord + "; the user's access keys are refused and IAM calls naming it fail",
			"restore meta.db from a backup, or delete the user (DeleteUser removes a damaged user with its access keys) and create it again"
	case iam.KindGroup:
		return "IAM group " + r.Name, damagedRecord + "; requests of its members fail (their policies cannot be decided)",
			"restore meta.db from a backup"
	case iam.KindPolicy:
		return "IAM managed policy " + r.Name, damagedRecord + "; requests of the users and groups it is attached to fail (their policies cannot be decided)",
			"restore meta.db from a backup"
	}
	return "IAM access key " + r.Name, damagedRecord + "; the key is refused (InvalidAccessKeyId)",
		"delete it (DeleteAccessKey) and create a new key for its user, or restore meta.db from a backup"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// UpgradeDataDir authenticates the metadata records of a stopped server's data directory
// written before record authentication (docs/FORMAT.md, "Metadata records"), as the server
// does at its first start; it returns how many records it upgraded (0 when the directory
// already has a record key).
func UpgradeDataDir(cfg config.Config) (int, error) {
	dir := datadir.At(cfg.DataDir)
	if !dir.HasStore() {
		return 0, fmt.Errorf("%s: %w", cfg.DataDir, datadir.ErrNotADataDir)
	}
	var root *rootkey.Key
	var err error
	if cfg.RootKey == "" && cfg.RootKeyFile == "" {
		if _, err := os.Stat(dir.RootKey()); errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("root key: none given (--root-key-file, ARCA_ROOT_KEY) and no %s in %s", datadir.RootKeyName, cfg.DataDir)
		}
	}
	if root, _, _, err = loadRootKey(dir, cfg.RootKey, cfg.RootKeyFile); err != nil {
		return 0, fmt.Errorf("root key: %w", err)
	}
	store, err := dir.OpenStore(datadir.Offline)
	if err != nil {
		return 0, fmt.Errorf("meta: %w", err)
	}
	m, err := meta.Open(store, root, slog.New(slog.DiscardHandler), kms.UpgradeRecordsTx, iam.UpgradeRecordsTx)
	if err != nil {
		store.Close()
		return 0, err
	}
	n := m.Upgraded()
	m.Close()
	return n, store.Close()
}
