package server

import (
	"context"
	"sync"

	"github.com/arcastore/arca/internal/batch"
)

// openBatch opens the Batch Operations job engine over the metadata file (its records are
// authenticated with the file's record key). It runs nothing until startBatch; s3api
// serves its job API (s3api.Deps.Batch), so it is opened before the APIs.
func (s *Server) openBatch() {
	s.batch = batch.New(batch.Config{}, batch.Deps{KV: s.store, Records: s.meta.RecordKey(), Log: s.log})
}

// startBatch runs the engine with the S3 API's executor (every task an S3 request as the
// job's creator, authorized, encrypted and audited like a client's): jobs that were
// preparing or running when the server stopped resume. The returned function stops it
// and waits until every job's progress is stored, so it is called before the audit trail
// and the store close.
func (s *Server) startBatch() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.batch.Start(ctx, s.s3.BatchExecutor())
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
