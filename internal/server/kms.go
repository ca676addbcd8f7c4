package server

import (
	"context"
	"fmt"

	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/metrics"
	"github.com/arcastore/arca/internal/rootkey"
)

// The metrics registry is what counts KMS operations, per request and per key.
var (
	_ kms.Observer    = (*metrics.Metrics)(nil)
	_ kmsapi.Observer = (*metrics.Metrics)(nil)
)

// loadRootKey returns the configured root key, or the one generated into the data
// directory (generated reports a first start that just made it).
func loadRootKey(d datadir.Dir, b64, file string) (k *rootkey.Key, inDataDir, generated bool, err error) {
	switch {
	case b64 != "":
		k, err = rootkey.Parse(b64)
		if err != nil {
			err = fmt.Errorf("ARCA_ROOT_KEY: %w", err)
		}
		return k, false, false, err
	case file != "":
		k, err = rootkey.ReadFile(file)
		return k, false, false, err
	}
	k, generated, err = rootkey.LoadOrCreate(d.RootKey())
	return k, true, generated, err
}

// openRootKey loads the root key that seals KMS material and SSE-S3 master keys, warning
// loudly when it lives in the data directory.
func (s *Server) openRootKey() error {
	root, inDataDir, generated, err := loadRootKey(s.dir, s.cfg.RootKey, s.cfg.RootKeyFile)
	if err != nil {
		return fmt.Errorf("root key: %w", err)
	}
	if inDataDir {
		path := s.dir.RootKey()
		if generated {
			s.log.Warn("GENERATED A ROOT KEY INTO THE DATA DIRECTORY: it sits beside the data it protects, so anyone who copies the directory can read every KMS key and object. Development only: move it off this disk and start with --root-key-file or ARCA_ROOT_KEY.", "path", path)
		} else {
			s.log.Warn("the root key is read from the data directory, beside the data it protects (development only); use --root-key-file or ARCA_ROOT_KEY", "path", path)
		}
	}
	s.rootKey = root
	return nil
}

// openKMS opens every account's keystore in the metadata file: s.kms is the primary
// account's (openAPIs builds the KMS API over them all).
func (s *Server) openKMS() error {
	ks, err := kms.OpenKeystores(context.Background(), kms.Config{
		DB: s.store, Root: s.rootKey, RecordKey: s.meta.RecordKey(), Region: s.cfg.Region, AccountID: s.id.AccountID,
		Observer: s.metrics, CryptoRateLimit: s.cfg.KMSRateLimit, Log: s.log,
	})
	if err != nil {
		return err
	}
	s.keystores, s.kms = ks, ks.Primary()
	return nil
}

// closeKMS stops every account's keystore.
func (s *Server) closeKMS() {
	if s.keystores != nil {
		s.keystores.Close()
	}
}

// KMS is the key service, for in-process users (SSE-KMS).
func (s *Server) KMS() *kms.Service { return s.kms }
