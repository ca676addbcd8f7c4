package kmsapi

import (
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// KeyResource is the resources entry for the key ref names (nil if it names no key).
func KeyResource(svc *kms.Service, ref string) []audit.Resource {
	if ref == "" {
		return nil
	}
	arn := svc.KeyARN(ref)
	if arn == "" {
		return nil
	}
	return []audit.Resource{{ARN: arn, AccountID: arnAccount(arn), Type: "AWS::KMS::Key"}}
}

// arnAccount returns the account field of an ARN (arn:partition:service:region:account:…).
func arnAccount(arn string) string {
	s := arn
	for range 4 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	account, _, _ := strings.Cut(s, ":")
	return account
}

// emitAudit hands x's record to the handler; for a change that must be durable, the error
// is the handler's (respond then fails the request).
func (a *API) emitAudit(x *exchange, rid string, out any, err error) error {
	if a.audit == nil || x.audited {
		return nil
	}
	x.audited = true
	rec := a.auditRecord(x, rid, out, err)
	herr := a.audit.Handle(x.r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("kms: audit record lost", "request_id", rid, "op", x.op, "err", herr)
		return nil
	}
	return herr
}

func (a *API) auditRecord(x *exchange, rid string, out any, err error) *audit.Record {
	var rec *audit.Record
	if x.c != nil {
		rec = audithttp.Base(x.r, x.c.Identity, false)
	} else {
		rec = audithttp.Base(x.r, iam.Identity{}, false)
	}
	rec.EventSource = audit.SourceKMS
	rec.EventName = x.op
	rec.AWSRegion = a.cfg.Region
	rec.RequestID = rid
	// Every KMS event is a management event; readOnly is the operation's (opTable).
	rec.ReadOnly = x.o != nil && x.o.ReadOnly
	rec.ManagementEvent = true
	ref := ""
	if x.req != nil {
		// An empty body is recorded as no parameters, {} as empty ones.
		if len(x.body) > 0 {
			rec.RequestParameters = x.req.params()
		}
		ref = x.auth.resourceRef()
	}
	if err != nil {
		e := apierr.KMS(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	} else if o, ok := out.(keyMetadataOut); ok && x.op == "CreateKey" {
		rec.ResponseElements = map[string]any{"keyMetadata": map[string]any{"keyId": o.KeyMetadata.KeyId, "arn": o.KeyMetadata.Arn}}
		ref = o.KeyMetadata.Arn
	}
	svc := a.svc
	if x.c != nil {
		svc = a.keysOf(x.c)
	}
	rec.Resources = KeyResource(svc, ref)
	return rec
}
