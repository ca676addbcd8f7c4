package iamapi

import (
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/iam"
)

// secretParam reports a form field that must never enter a record.
func secretParam(k string) bool {
	l := strings.ToLower(k)
	return strings.Contains(l, "password") || strings.Contains(l, "secret") || strings.HasPrefix(l, "x-amz-") ||
		k == "Action" || k == "Version"
}

// emitAudit hands x's record to the handler; for a change that must be durable, the error
// is the handler's (respond then fails the request).
func (a *API) emitAudit(x *exchange, rid string, err error) error {
	if a.audit == nil || x.audited {
		return nil
	}
	x.audited = true
	id := iam.Identity{}
	if x.c != nil {
		id = x.c.Identity
	}
	rec := audithttp.Base(x.r, id, false)
	rec.EventSource = audit.SourceIAM
	if x.service == ServiceSTS {
		rec.EventSource = audit.SourceSTS
	}
	rec.EventName = x.action
	rec.AWSRegion = a.cfg.Region
	rec.RequestID = rid
	// Every IAM and STS event is a management event; readOnly is the action's (ops.go).
	rec.ReadOnly = x.o != nil && x.o.ReadOnly
	rec.ManagementEvent = true
	if err != nil {
		e := apierr.IAM(err)
		rec.ErrorCode, rec.ErrorMessage = e.Code, e.Message
	}
	if len(x.form) > 0 {
		params := map[string]any{}
		for k, v := range x.form {
			if !secretParam(k) && k != "" {
				params[strings.ToLower(k[:1])+k[1:]] = v
			}
		}
		rec.RequestParameters = params
	}
	herr := a.audit.Handle(x.r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("iam: audit record lost", "request_id", rid, "action", x.action, "err", herr)
		return nil
	}
	return herr
}
