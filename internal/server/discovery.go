package server

import (
	"context"
	"io"
	"sync"

	"github.com/arcastore/arca/internal/discovery"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/macieapi"
	"github.com/arcastore/arca/internal/object"
)

// openDiscovery builds sensitive-data discovery (internal/discovery) and its macie2 API;
// called by openAPIs, once the KMS API (which jobs read SSE-KMS objects through) exists.
func (s *Server) openDiscovery() {
	s.discovery = discovery.NewService(discovery.Config{Region: s.cfg.Region, PrimaryAccount: s.id.AccountID},
		discovery.Deps{KV: s.store, Meta: s.meta, Reader: discoveryReader{s}, Log: s.log})
	s.macieAPI = macieapi.New(macieapi.Config{Region: s.cfg.Region, AccountID: s.id.AccountID}, macieapi.Deps{
		Discovery: s.discovery, Authz: s.authz, Audit: s.audit, Log: s.log,
	})
}

// startDiscovery runs classification jobs in the background; the returned function stops
// the runner and waits for it (a run cut short starts over at the next start).
func (s *Server) startDiscovery() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.discovery.Start(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// discoveryReader reads an object for a job through the object engine's decrypting read
// path, the KMS acting as the job's creator (kmsapi.ForS3): a key the creator may not use
// makes the object unreadable, and so does SSE-C (the job has no customer key).
type discoveryReader struct{ s *Server }

func (d discoveryReader) Read(ctx context.Context, principal iam.Identity, bucket, key, versionID string, w io.Writer) (int64, error) {
	r, err := d.s.objects.Open(ctx, object.ReadInput{Bucket: bucket, Key: key, VersionID: versionID,
		KMS: d.s.kmsAPI.ForS3(principal, true)})
	if err != nil {
		return 0, err
	}
	return r.WriteTo(w)
}
