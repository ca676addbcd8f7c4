// Package server is Arca's composition root: it opens the data directory, wires the stores,
// authentication and the API handlers together, and owns the listeners' start and graceful
// stop. Nothing else in Arca depends on it.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/accountapi"
	"github.com/arcastore/arca/internal/alarm"
	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/analyzerapi"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/batch"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/compliance"
	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/configapi"
	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/discovery"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/iamapi"
	"github.com/arcastore/arca/internal/invreport"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/macieapi"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/metrics"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/s3api"
	"github.com/arcastore/arca/internal/sigv4"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/internal/storage/bolt"
	"github.com/arcastore/arca/internal/trailapi"
	"github.com/arcastore/arca/internal/trails"
)

// smallBlobMax is the largest blob kept inside the metadata file (group-committed) rather
// than as a file of its own.
const smallBlobMax = 64 << 10

// Server is a running Arca.
type Server struct {
	cfg  config.Config
	dir  datadir.Dir
	log  *slog.Logger
	id   identity
	root rootCredentials
	// store is the one kv store every domain package keeps its state in (the embedded
	// backend, in the data directory); it is closed last.
	store    *bolt.Store
	meta     *meta.KVStore
	blobs    *blob.Tiered
	objects  *object.Engine
	metrics  *metrics.Metrics
	verifier *sigv4.Verifier
	s3       *s3api.API
	kms      *kms.Service
	kmsAPI   *kmsapi.API
	iam      *iam.Store
	authz    *authz.Authorizer
	iamAPI   *iamapi.API
	creds    *credentialStore
	// accounts is the account registry and every account's IAM store (accounts.go).
	accounts *accountSet
	// accountAPI is the account admin API (internal/accountapi).
	accountAPI *accountapi.API
	// trail stores the audit records; audit is the handler the APIs write to (nil when
	// auditing is disabled).
	trail    *audit.Trail
	audit    audit.Handler
	trailAPI *trailapi.API
	// trails are the configured trails and their delivery (internal/trails).
	trails *trails.Service
	// inventory writes inventory reports, on schedule and on demand (inventory.go).
	inventory *invreport.Service
	// batch runs Batch Operations jobs (batch.go).
	batch *batch.Service
	// alarms matches records against the alarm rules (nil when there are none).
	alarms *alarm.Engine
	// analyzer keeps Access Analyzer findings; analyzerAPI serves access-analyzer (analyzer.go).
	analyzer    *analyzer.Service
	analyzerAPI *analyzerapi.API
	// compliance evaluates config rules; configAPI serves AWS Config (compliance.go).
	compliance *compliance.Service
	configAPI  *configapi.API
	// discovery runs sensitive-data discovery jobs; macieAPI serves macie2 (discovery.go).
	discovery *discovery.Service
	macieAPI  *macieapi.API

	// rootKey seals KMS material and SSE-S3 master keys; keyring holds the latter;
	// bucketKeys caches S3 bucket keys and is invalidated by KMS events.
	rootKey    *rootkey.Key
	keyring    *sse.Keyring
	bucketKeys *sse.BucketKeyCache

	tlsCert       tls.Certificate
	tlsCertPath   string
	rootGenerated bool

	mu        sync.Mutex
	listeners []net.Listener
	servers   []*http.Server
	inflight  inflight
	limit     requestLimit

	// keystores is every account's keystore (s.kms is the primary's).
	keystores *kms.Keystores
}

// New opens the data directory and prepares everything; it does not listen yet.
func New(cfg config.Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dir := datadir.At(cfg.DataDir)
	if err := dir.Create(); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	s := &Server{cfg: cfg, dir: dir, log: log, metrics: metrics.New()}
	var err error
	if s.id, err = loadIdentity(dir.Identity()); err != nil {
		return nil, fmt.Errorf("account identity: %w", err)
	}
	if s.root, s.rootGenerated, err = loadRootCredentials(dir.RootCredentials(), cfg.RootAccessKey, cfg.RootSecretKey); err != nil {
		return nil, fmt.Errorf("root credentials: %w", err)
	}
	if old := replacedRootKey(dir.RootCredentials(), cfg.RootAccessKey); old != "" {
		log.Warn("ARCA_ROOT_ACCESS_KEY replaces the root credentials generated on an earlier start; clients still using them now get InvalidAccessKeyId",
			"replaced_access_key_id", old, "access_key_id", cfg.RootAccessKey, "kept_in", dir.RootCredentials())
	}
	if cfg.TLSListen != "" {
		if s.tlsCert, s.tlsCertPath, err = loadTLS(dir, cfg.TLSCert, cfg.TLSKey); err != nil {
			return nil, err
		}
	}
	if err := s.openRootKey(); err != nil {
		return nil, err
	}
	if s.store, err = dir.OpenStore(datadir.Serve); err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	if s.meta, err = meta.Open(s.store, s.rootKey, log, kms.UpgradeRecordsTx, iam.UpgradeRecordsTx); err != nil {
		s.store.Close()
		return nil, err
	}
	if n := s.meta.Upgraded(); n > 0 {
		log.Warn("authenticated the metadata records written before record authentication (format 1 to 2); this happens once per data directory, and seen again it means the record key was removed from meta.db", "records", n)
	}
	opened := false
	defer func() {
		if !opened { // close what was opened, newest first
			s.closeKMS()
			s.closeAlarms()
			if s.trail != nil {
				s.trail.Close()
			}
			s.meta.Close()
			s.store.Close()
		}
	}()
	if s.keyring, err = sse.OpenKeyring(context.Background(), s.store, s.rootKey); err != nil {
		return nil, fmt.Errorf("SSE-S3 keyring: %w", err)
	}
	if s.blobs, err = blob.OpenTiered(s.store, dir.Blobs(), smallBlobMax); err != nil {
		return nil, err
	}
	if err := sweepOrphans(context.Background(), s.meta, s.blobs, log); err != nil {
		return nil, fmt.Errorf("sweeping orphaned blobs: %w", err)
	}
	if err := s.openAudit(); err != nil {
		return nil, err
	}
	if err := s.openAlarms(); err != nil {
		return nil, err
	}
	s.openCompliance()
	s.openAnalyzer()
	if err := s.openKMS(); err != nil {
		return nil, err
	}
	s.bucketKeys = sse.NewBucketKeyCache(0, nil)
	s.keystores.Subscribe(func(e kms.Event) {
		// A key that can no longer be used must not keep working through cached bucket keys.
		if e.Kind != kms.EventRotated {
			s.bucketKeys.Invalidate(e.KeyARN)
		}
	})
	if err := s.openIAM(); err != nil {
		return nil, err
	}
	if err := s.recordKeyPolicyResets(); err != nil {
		return nil, err
	}
	s.creds = &credentialStore{accounts: s.accounts}
	s.verifier = &sigv4.Verifier{Creds: s.creds, Region: cfg.Region}
	s.objects = object.New(object.Config{SSECAllowedByDefault: s.cfg.SSECAllowedByDefault}, object.Deps{Meta: s.meta, Blobs: s.blobs,
		SSE: sse.NewEngine(s.keyring, s.bucketKeys), Log: log})
	if err := s.openTrails(); err != nil {
		return nil, err
	}
	s.openInventory()
	s.openBatch()
	s.openAPIs()
	opened = true
	return s, nil
}

// Handler is the one HTTP handler both listeners serve.
// Requests are counted so that shutdown closes the audit trail only after their handlers
// (which write the records) have returned.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.enter()
		defer s.inflight.leave()
		s.serveHTTP(w, r)
	})
}

// Listen opens the configured listeners. Call Serve next.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.Listen != "" {
		ln, err := net.Listen("tcp", s.cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen %s: %w", s.cfg.Listen, err)
		}
		s.listeners = append(s.listeners, ln)
	}
	if s.cfg.TLSListen != "" {
		ln, err := net.Listen("tcp", s.cfg.TLSListen)
		if err != nil {
			for _, l := range s.listeners {
				l.Close()
			}
			return fmt.Errorf("listen %s: %w", s.cfg.TLSListen, err)
		}
		tcfg := &tls.Config{Certificates: []tls.Certificate{s.tlsCert}, MinVersion: tls.VersionTLS12,
			NextProtos: []string{"http/1.1"}}
		s.listeners = append(s.listeners, tls.NewListener(ln, tcfg))
	}
	return nil
}

// Endpoints returns the URLs being served, HTTP first.
func (s *Server) Endpoints() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for i, ln := range s.listeners {
		scheme := "http"
		if i == len(s.listeners)-1 && s.cfg.TLSListen != "" {
			scheme = "https"
		}
		out = append(out, scheme+"://"+ln.Addr().String())
	}
	return out
}

// Banner writes the startup text: endpoints, certificate, credentials when new, an example.
func (s *Server) Banner(w io.Writer) {
	eps := s.Endpoints()
	for _, ep := range eps {
		if len(ep) > 5 && ep[:5] == "https" {
			fmt.Fprintf(w, "arca: serving %s (TLS, certificate %s, SHA-256 %s)\n", ep, s.tlsCertPath, fingerprint(s.tlsCert))
		} else {
			fmt.Fprintf(w, "arca: serving %s\n", ep)
		}
	}
	fmt.Fprintf(w, "arca: region %s, account %s, data in %s\n", s.cfg.Region, s.id.AccountID, s.cfg.DataDir)
	if s.rootGenerated {
		fmt.Fprintf(w, "arca: generated root credentials (shown once; kept in %s, mode 0600):\n",
			s.dir.RootCredentials())
		fmt.Fprintf(w, "  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", s.root.AccessKeyID, s.root.SecretAccessKey)
	}
	if len(eps) > 0 {
		fmt.Fprintf(w, "arca: try it:\n  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=<secret> AWS_DEFAULT_REGION=%s\n",
			s.root.AccessKeyID, s.cfg.Region)
		fmt.Fprintf(w, "  aws --endpoint-url %s s3 mb s3://my-bucket\n", eps[0])
	}
}

// Serve runs until ctx is done, then shuts down gracefully: listeners close, in-flight
// requests finish (up to 30 s; then their connections are cut and their handlers get
// handlerGrace to return), the audit trail commits every record, and the metadata store
// closes cleanly.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	errc := make(chan error, len(s.listeners))
	for _, ln := range s.listeners {
		hs := &http.Server{
			Handler:           s.Handler(),
			ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		}
		s.servers = append(s.servers, hs)
		go func(ln net.Listener) {
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}(ln)
	}
	s.mu.Unlock()
	stopTrails := s.startTrailDelivery()
	stopRetention := s.startAuditRetention()
	stopInventory := s.startInventory()
	stopBatch := s.startBatch()
	stopDiscovery := s.startDiscovery()
	stopCompliance := s.startCompliance()
	stopAccessLog := s.startAccessLog()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	s.log.Info("shutting down: waiting for in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, hs := range s.servers {
		hs.Shutdown(sctx)
	}
	if sctx.Err() != nil {
		// Past the timeout: cut the remaining connections so their handlers fail fast,
		// and let them return (writing their audit records) before the trail closes.
		for _, hs := range s.servers {
			hs.Close()
		}
	}
	wctx, wcancel := context.WithTimeout(context.Background(), handlerGrace)
	if n := s.inflight.wait(wctx); n > 0 {
		s.log.Error("shutting down with requests still running; their audit records are lost", "requests", n)
	}
	wcancel()
	stopAccessLog()
	stopCompliance()
	stopDiscovery()
	stopBatch()
	stopInventory()
	stopRetention()
	stopTrails()
	s.closeAlarms()
	s.closeKMS()
	if cerr := s.trail.Close(); cerr != nil && err == nil {
		err = cerr
	}
	s.meta.Close()
	if cerr := s.store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	s.log.Info("stopped")
	return err
}
