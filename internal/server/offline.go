package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/internal/storage/bolt"
	"github.com/arcastore/arca/internal/trails"
)

// Offline is a stopped server's data directory opened for reading, by offline tools
// (`arca audit verify`): the metadata file read-only (so it fails while a server runs and
// never changes the directory), the blobs, and the keys needed to decrypt objects through
// the same read path as GetObject: the SSE-S3 keyring and the KMS keystore, both unsealed
// with the root key the server uses. Nothing is swept, scheduled, listened on or written.
type Offline struct {
	store *bolt.Store
	meta  *meta.KVStore
	objs  *object.Engine
	kms   *kms.Keystores
	root  *rootkey.Key
	id    identity
}

var _ trails.ObjectReader = (*Offline)(nil)

// OpenOffline opens cfg.DataDir for reading. The root key comes from cfg.RootKey
// (ARCA_ROOT_KEY), cfg.RootKeyFile, else the development key in the data directory, as for
// the server; unlike the server it is never generated.
func OpenOffline(cfg config.Config) (*Offline, error) {
	dir := datadir.At(cfg.DataDir)
	if cfg.RootKey != "" && cfg.RootKeyFile != "" {
		return nil, fmt.Errorf("ARCA_ROOT_KEY and --root-key-file both give the root key: use one")
	}
	if err := dir.Check(); err != nil {
		return nil, err
	}
	id, err := loadIdentity(dir.Identity()) // present, so only read
	if err != nil {
		return nil, fmt.Errorf("account identity: %w", err)
	}
	root, err := OfflineRootKey(cfg)
	if err != nil {
		return nil, err
	}
	o := &Offline{root: root, id: id}
	if o.store, err = dir.OpenStore(datadir.ReadOnly); err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			o.store.Close()
		}
	}()
	if o.meta, err = meta.OpenReadOnly(o.store, root, nil); err != nil {
		return nil, err
	}
	keyring, err := sse.OpenKeyring(context.Background(), o.store, root)
	if err != nil {
		return nil, fmt.Errorf("SSE-S3 keyring: %w", err)
	}
	blobs, err := blob.OpenTieredReadOnly(o.store, dir.Blobs(), smallBlobMax)
	if err != nil {
		return nil, err
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	if o.kms, err = kms.OpenKeystoresReadOnly(kms.Config{DB: o.store, Root: root, RecordKey: o.meta.RecordKey(), Region: region, AccountID: id.AccountID}); err != nil {
		return nil, err
	}
	o.objs = object.New(object.Config{}, object.Deps{Meta: o.meta, Blobs: blobs,
		SSE: sse.NewEngine(keyring, sse.NewBucketKeyCache(0, nil)), Log: slog.New(slog.DiscardHandler)})
	ok = true
	return o, nil
}

// OfflineRootKey loads the root key of cfg.DataDir as OpenOffline does (cfg.RootKey,
// cfg.RootKeyFile, else the development key in the data directory; never generated),
// for offline tools that need only the key (the audit chain key).
func OfflineRootKey(cfg config.Config) (*rootkey.Key, error) {
	if cfg.RootKey != "" && cfg.RootKeyFile != "" {
		return nil, fmt.Errorf("ARCA_ROOT_KEY and --root-key-file both give the root key: use one")
	}
	dir := datadir.At(cfg.DataDir)
	if cfg.RootKey == "" && cfg.RootKeyFile == "" {
		if _, err := os.Stat(dir.RootKey()); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("root key: none given (--root-key-file, ARCA_ROOT_KEY) and no %s in %s", datadir.RootKeyName, cfg.DataDir)
		}
	}
	root, _, _, err := loadRootKey(dir, cfg.RootKey, cfg.RootKeyFile)
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	return root, nil
}

// Close releases the metadata file.
func (o *Offline) Close() error {
	o.meta.Close()
	return o.store.Close()
}

// Store is the data directory's store (read-only).
func (o *Offline) Store() kv.DB { return o.store }

// RootKey is the root key the directory was opened with.
func (o *Offline) RootKey() *rootkey.Key { return o.root }

// AccountID is the account the data directory belongs to.
func (o *Offline) AccountID() string { return o.id.AccountID }

// List returns the keys in bucket beginning with prefix, in key order.
func (o *Offline) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	keys, err := o.objs.ListInternalKeys(ctx, bucket, prefix)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return nil, fmt.Errorf("bucket %s: %w", bucket, trails.ErrObjectNotFound)
	}
	return keys, err
}

// Get reads an object's plaintext and user metadata through the GetObject read path.
func (o *Offline) Get(ctx context.Context, bucket, key string) ([]byte, map[string]string, error) {
	obj, err := o.objs.GetInternal(ctx, bucket, key, offlineKMS{o})
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchBucket) {
		return nil, nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, trails.ErrObjectNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	return obj.Body, obj.UserMeta, nil
}

// offlineKMS decrypts SSE-KMS data keys as Arca itself, the way trail delivery encrypts
// them (serviceKMS): not authorized as a user, not audited. It cannot make new keys.
type offlineKMS struct{ o *Offline }

func (k offlineKMS) GenerateDataKey(context.Context, string, map[string]string) ([]byte, []byte, string, error) {
	return nil, nil, "", errors.New("server: the data directory is open read-only")
}

func (k offlineKMS) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	p := kms.Principal{AccountID: k.o.id.AccountID, ARN: cloudTrailService}
	svc := k.o.kms.ForCiphertext(blob) // the keystore of whichever account holds the key
	p.AccountID = svc.AccountID()
	d, err := svc.Decrypt(ctx, p, blob, ec)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}

func (offlineKMS) Authorize(context.Context, string, string, map[string]string) error { return nil }
