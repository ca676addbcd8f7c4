package analyzer

import (
	"context"
	"strings"

	"github.com/arcastore/arca/internal/audit"
)

// Trigger is the audit.Handler that keeps findings current: a successful call that changes
// who can reach a bucket or key has it re-analysed before the call is answered (the record
// passes through the handler chain first), so a ListFindings right after sees the result.
func (s *Service) Trigger() audit.Handler { return trigger{s} }

type trigger struct{ s *Service }

// bucketEvents change a bucket's reach; accountEvents may change every resource of the
// account; keyEvents change a key's.
var (
	bucketEvents = map[string]bool{
		"PutBucketPolicy": true, "DeleteBucketPolicy": true, "PutBucketAcl": true, "CreateBucket": true,
		"DeleteBucket": true, "PutBucketPublicAccessBlock": true, "DeleteBucketPublicAccessBlock": true,
		"PutPublicAccessBlock": true, "DeletePublicAccessBlock": true, "PutBucketOwnershipControls": true,
		"DeleteBucketOwnershipControls": true,
	}
	accountEvents = map[string]bool{
		"PutAccountPublicAccessBlock": true, "DeleteAccountPublicAccessBlock": true, "CreateKey": true,
	}
	keyEvents = map[string]bool{
		"PutKeyPolicy": true, "CreateGrant": true, "RevokeGrant": true, "RetireGrant": true,
		"ScheduleKeyDeletion": true, "CancelKeyDeletion": true, "DisableKey": true, "EnableKey": true,
	}
)

func (t trigger) Handle(ctx context.Context, r *audit.Record) error {
	if r.ErrorCode != "" {
		return nil
	}
	var err error
	switch {
	case r.EventSource == audit.SourceS3 && bucketEvents[r.EventName]:
		for _, res := range r.Resources {
			if res.Type == TypeBucket {
				acct := res.AccountID
				if acct == "" {
					acct = r.RecipientAccountID
				}
				if acct == "" {
					acct = r.UserIdentity.AccountID
				}
				err = t.s.BucketChanged(ctx, acct, strings.TrimPrefix(res.ARN, "arn:aws:s3:::"))
			}
		}
		if len(r.Resources) == 0 {
			err = t.s.Rescan(ctx, recordAccount(r))
		}
	case accountEvents[r.EventName]:
		err = t.s.Rescan(ctx, recordAccount(r))
	case r.EventSource == audit.SourceKMS && keyEvents[r.EventName]:
		for _, res := range r.Resources {
			if res.Type == TypeKey {
				err = t.s.KeyChanged(ctx, accountOf(res.ARN), res.ARN)
			}
		}
	}
	if err != nil {
		t.s.log.Error("access analyzer: re-analysis failed", "event", r.EventName, "err", err)
	}
	return nil // a failed analysis never fails the call that changed the resource
}

// recordAccount is the account a record's change is in: its recipient, else the caller's.
func recordAccount(r *audit.Record) string {
	if r.RecipientAccountID != "" {
		return r.RecipientAccountID
	}
	return r.UserIdentity.AccountID
}
