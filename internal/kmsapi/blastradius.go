package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/blastradius"
	"github.com/arcastore/arca/internal/kms"
)

// ArcaGetKeyBlastRadius is Arca's extension of the KMS API (X-Amz-Target
// TrentService.ArcaGetKeyBlastRadius, body {"KeyId": id, ARN, alias name or alias ARN}):
// what depends on one of the caller's account's keys (blastradius.Report). It is authorized
// as kms:DescribeKey on that key and audited like every KMS call (docs/BLAST-RADIUS.md).
// The deletion guard (Config.DeletionGuard) wraps DisableKey and ScheduleKeyDeletion.

// blastRadiusOut is the response: the report, with DeletionDate in KMS's epoch seconds.
type blastRadiusOut struct {
	blastradius.Report
	DeletionDate *epoch `json:",omitempty"`
}

// getKeyBlastRadius runs ArcaGetKeyBlastRadius.
func getKeyBlastRadius(ctx context.Context, a *API, c *Caller, in *keyIDIn) (any, error) {
	if a.blast == nil {
		return nil, kms.ErrUnsupported
	}
	s := a.keysOf(c)
	md, err := s.DescribeKey(ctx, c.Principal, in.KeyId)
	if err != nil {
		return nil, err
	}
	r, err := a.blast.Compute(ctx, md)
	if err != nil {
		return nil, err
	}
	out := blastRadiusOut{Report: r}
	if r.DeletionDate != nil {
		out.DeletionDate = epochPtr(*r.DeletionDate)
	}
	return out, nil
}

// runAPI adapts an operation that needs the API itself (its blast radius service).
func runAPI[In any, P interface {
	*In
	request
}](fn func(ctx context.Context, a *API, c *Caller, in P) (any, error)) handler {
	return handler{
		decode: decoder[In, P](),
		run: func(ctx context.Context, a *API, c *Caller, in request) (any, error) {
			return fn(ctx, a, c, in.(P))
		},
	}
}

// guarded puts the deletion guard in front of op's handler h (DisableKey,
// ScheduleKeyDeletion): with Config.DeletionGuard on, a key that still protects objects is
// refused (blastradius.ErrKeyInUse, KMSInvalidStateException) unless tagged with
// blastradius.ForceTag. The guard runs after authorization, so a caller who may not change
// the key learns nothing of what it protects.
func guarded(op string, h handler) handler {
	next := h.run
	h.run = func(ctx context.Context, a *API, c *Caller, in request) (any, error) {
		if a.cfg.DeletionGuard && a.blast != nil && !invalidWindow(in) {
			if err := a.guard(ctx, op, c, in.auth().KeyID); err != nil {
				return nil, err
			}
		}
		return next(ctx, a, c, in)
	}
	return h
}

// guard checks one guarded request on keyID.
func (a *API) guard(ctx context.Context, op string, c *Caller, keyID string) error {
	s := a.keysOf(c)
	md, err := s.DescribeKey(ctx, c.Principal, keyID)
	if err != nil {
		return nil // the operation itself reports a key it cannot find, in its words
	}
	switch {
	case md.KeyManager == "AWS":
		return nil // an AWS managed key: the operation refuses it as KMS does
	case md.KeyState == "PendingDeletion" || md.KeyState == "PendingReplicaDeletion":
		return nil // nothing to guard: the operation refuses or no-ops as KMS does
	case op == "DisableKey" && md.KeyState == "Disabled":
		return nil // already disabled: AWS succeeds without a change
	}
	var tags []kms.Tag
	for pg := (kms.Page{}); ; {
		t, next, err := s.ListResourceTags(ctx, c.Principal, md.KeyID, pg)
		if err != nil {
			return err
		}
		tags = append(tags, t...)
		if next == "" {
			break
		}
		pg.Marker = next
	}
	return a.blast.Check(ctx, op, md, tags)
}

// invalidWindow reports a ScheduleKeyDeletion whose PendingWindowInDays the operation will
// refuse (ValidationException): input errors come before the guard, as on AWS.
func invalidWindow(in request) bool {
	r, ok := in.(*scheduleKeyDeletionIn)
	return ok && r.PendingWindowInDays != 0 && (r.PendingWindowInDays < 7 || r.PendingWindowInDays > 30)
}
