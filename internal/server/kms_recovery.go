package server

import (
	"context"
	"fmt"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kmsapi"
)

// The key policy lockout, both halves (docs/KMS.md, "Key policy lockout"): the KMS API
// refuses a policy that would lock its caller out, and a key locked anyway (with the
// bypass) is reset offline by `arca admin kms reset-key-policy`, which this start records.

// Offline resets are recorded as an AwsServiceEvent of KMS named after the verb, by
// Arca's administration tool rather than an authenticated principal.
const (
	eventResetKeyPolicy = "ResetKeyPolicy"
	adminTool           = "arca.admin"
	resetKeyPolicyVerb  = "arca admin kms reset-key-policy"
)

// recordKeyPolicyResets records in the audit trail every key policy reset offline since
// the last start, removing each marker only once its record is durable. It needs the KMS
// service and the audit handler. With --no-audit the markers stay (and are recorded by a
// later start with auditing on).
func (s *Server) recordKeyPolicyResets() error {
	for _, svc := range s.keystores.All() { // every account's keystore
		if err := s.recordResets(svc); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) recordResets(svc *kms.Service) error {
	ctx := context.Background()
	resets, err := svc.Recoveries()
	if err != nil {
		return err
	}
	for _, r := range resets {
		if s.audit == nil {
			s.log.Warn("a key policy was reset offline and auditing is off (--no-audit): it is recorded at the next start with auditing on",
				"key_id", r.KeyID, "time", r.Time)
			continue
		}
		if err := s.audit.Handle(ctx, s.resetRecord(svc, r)); err != nil {
			return fmt.Errorf("recording the offline key policy reset of %s: %w", r.KeyID, err)
		}
		if err := svc.ClearRecovery(ctx, r.ID); err != nil {
			return fmt.Errorf("recorded the offline key policy reset of %s, but clearing its marker failed: %w", r.KeyID, err)
		}
		s.log.Warn("recorded an offline key policy reset in the audit trail", "key_id", r.KeyID, "time", r.Time, "event_id", r.ID)
	}
	return nil
}

// resetRecord is the audit record of an offline reset: a management event that is not
// read-only (so durable before Handle returns), at the time of the reset, its eventID the
// marker's id (so a reset recorded twice after a crash shows as one event twice).
func (s *Server) resetRecord(svc *kms.Service, r kms.Recovery) *audit.Record {
	details := map[string]any{"operation": resetKeyPolicyVerb, "keyId": r.KeyID, "policyName": "default",
		"policy": r.Policy, "previousPolicy": r.PreviousPolicy, "defaultPolicy": r.Default}
	if r.OSUser != "" {
		details["osUser"] = r.OSUser
	}
	if r.Host != "" {
		details["host"] = r.Host
	}
	return &audit.Record{
		UserIdentity: audit.UserIdentity{Type: "AWSService", PrincipalID: adminTool, AccountID: r.Account, InvokedBy: adminTool},
		EventTime:    r.Time, EventSource: audit.SourceKMS, EventName: eventResetKeyPolicy, AWSRegion: s.cfg.Region,
		SourceIPAddress: adminTool, UserAgent: resetKeyPolicyVerb, RequestID: r.ID, EventID: r.ID,
		EventType: "AwsServiceEvent", ManagementEvent: true, ServiceEventDetails: details,
		Resources: kmsapi.KeyResource(svc, r.KeyID),
	}
}
