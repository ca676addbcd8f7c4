package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/accesslog"
	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

// startAccessLog runs server access log delivery (docs/ACCESS-LOGS.md) every
// --access-log-interval; the returned function stops it and waits for a delivery in
// progress. Delivery reads the audit records, so with --no-audit nothing is logged.
func (s *Server) startAccessLog() (stop func()) {
	if s.cfg.AuditDisabled || s.trail == nil {
		return func() {}
	}
	svc, err := accesslog.New(accesslog.Deps{DB: s.store, Head: s.trail.Head, Put: s.putAccessLog, Log: s.log})
	if err != nil {
		s.log.Error("accesslog: opening the delivery state; server access logs are not delivered", "err", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		svc.Run(ctx, s.cfg.AccessLogInterval)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// putAccessLog writes one log object as the logging service: the target must still accept
// logs from the source (same checks as PutBucketLogging), and the object is written
// through the object engine's write path, so the target bucket's default encryption
// (SSE-S3 or SSE-KMS) applies. Neither authorized as a user nor audited (a delivery that
// made records would feed the next delivery).
func (s *Server) putAccessLog(ctx context.Context, o accesslog.Object) error {
	src, err := s.loggingBucket(ctx, o.SourceBucket)
	if err != nil {
		return err
	}
	if src == nil {
		src = &accesslog.Bucket{Name: o.SourceBucket, Owner: o.Account, Region: s.cfg.Region}
	}
	target, err := s.loggingBucket(ctx, o.Bucket)
	if err != nil {
		return err
	}
	if err := accesslog.CheckTarget(*src, target, &o.Target, false, time.Now()); err != nil {
		return errs.New(accesslog.ErrTargetUnusable, err.Error())
	}
	_, err = s.objects.PutInternal(ctx, object.InternalObject{Bucket: o.Bucket, Key: o.Key, Body: o.Body, ContentType: "text/plain"},
		serviceKMS{s, target.Owner})
	return err
}

// loggingBucket is what the logging target check knows of a bucket (nil: no such bucket).
func (s *Server) loggingBucket(ctx context.Context, name string) (*accesslog.Bucket, error) {
	b, err := s.meta.GetBucket(ctx, name)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	owner, region := b.Owner, b.Region
	if owner == "" {
		owner = s.id.AccountID
	}
	if region == "" {
		region = s.cfg.Region
	}
	return &accesslog.Bucket{Name: b.Name, Owner: owner, Region: region, Policy: b.Policy, OwnerEnforced: b.Ownership == acl.BucketOwnerEnforced}, nil
}

// accessLogPruneBound is the highest audit record seq pruning may remove without losing an
// access log line not yet delivered (for pruneAudit, beside the trails' bound).
func (s *Server) accessLogPruneBound() (uint64, error) { return accesslog.PruneBound(s.store) }
