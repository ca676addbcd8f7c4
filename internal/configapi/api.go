// Package configapi serves the subset of the AWS Config JSON 1.1 API (X-Amz-Target:
// StarlingDoveService.<Operation>, SigV4 service "config") that `aws configservice` and
// the SDKs need for config rules: PutConfigRule, DescribeConfigRules, DeleteConfigRule,
// StartConfigRulesEvaluation, DescribeComplianceByConfigRule,
// DescribeComplianceByResource, GetComplianceDetailsByConfigRule and
// GetComplianceDetailsByResource, over internal/compliance. It sees requests only after
// the server authenticated them; one op table says each operation's IAM action and
// whether it is read-only, and one choke point, respond, writes every response, error and
// audit record (eventSource config.amazonaws.com).
package configapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/compliance"
	"github.com/arcastore/arca/internal/iam"
)

// Service is the SigV4 signing name of AWS Config; TargetPrefix starts its X-Amz-Target.
const (
	Service      = "config"
	TargetPrefix = "StarlingDoveService."
)

// IsRequest reports whether r is addressed to AWS Config by its X-Amz-Target.
func IsRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// Config is what the API needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
}

// Deps are the components the API works through.
type Deps struct {
	Rules *compliance.Service
	// Authz decides every call with the caller's identity policies (nil: all allowed,
	// for tests of the API alone).
	Authz *authz.Authorizer
	Audit audit.Handler
	Log   *slog.Logger
}

// API is the AWS Config request handler.
type API struct {
	cfg   Config
	rules *compliance.Service
	authz *authz.Authorizer
	audit audit.Handler
	log   *slog.Logger
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg, rules: d.Rules, authz: d.Authz, audit: d.Audit, log: d.Log}
}

type handler func(a *API, ctx context.Context, account string, body []byte) (any, error)

// op is one AWS Config operation: its name (the X-Amz-Target suffix), the IAM action it is
// authorized as (on resource "*"), whether it is read-only, and its handler.
type op struct {
	Name     string
	Action   string
	ReadOnly bool
	Run      handler
}

var opTable = []op{
	{Name: "PutConfigRule", Action: "config:PutConfigRule", Run: (*API).putConfigRule},
	{Name: "DescribeConfigRules", Action: "config:DescribeConfigRules", ReadOnly: true, Run: (*API).describeConfigRules},
	{Name: "DeleteConfigRule", Action: "config:DeleteConfigRule", Run: (*API).deleteConfigRule},
	{Name: "StartConfigRulesEvaluation", Action: "config:StartConfigRulesEvaluation", Run: (*API).startConfigRulesEvaluation},
	{Name: "DescribeComplianceByConfigRule", Action: "config:DescribeComplianceByConfigRule", ReadOnly: true, Run: (*API).describeComplianceByConfigRule},
	{Name: "DescribeComplianceByResource", Action: "config:DescribeComplianceByResource", ReadOnly: true, Run: (*API).describeComplianceByResource},
	{Name: "GetComplianceDetailsByConfigRule", Action: "config:GetComplianceDetailsByConfigRule", ReadOnly: true, Run: (*API).getComplianceDetailsByConfigRule},
	{Name: "GetComplianceDetailsByResource", Action: "config:GetComplianceDetailsByResource", ReadOnly: true, Run: (*API).getComplianceDetailsByResource},
}

var ops = func() map[string]*op {
	m := make(map[string]*op, len(opTable))
	for i := range opTable {
		m[opTable[i].Name] = &opTable[i]
	}
	return m
}()

const maxBody = 64 << 10

func operation(r *http.Request) (*op, string) {
	name := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	return ops[name], name
}

// Serve handles one authenticated AWS Config request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, id iam.Identity, body io.Reader) {
	o, name := operation(r)
	if o == nil || r.Method != http.MethodPost || !IsRequest(r) {
		a.respond(w, r, &id, "Unknown", true, nil, nil, apierr.ConfigUnknownOperation.WithMessage("Unknown operation "+name))
		return
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = apierr.ConfigValidation.WithMessage("The request body is too large.")
	}
	if err == nil && a.authz != nil {
		err = a.authz.IdentityOnly(r.Context(), id, o.Action, "*")
	}
	var out any
	if err == nil {
		account := id.AccountID
		if account == "" {
			account = a.cfg.AccountID
		}
		out, err = o.Run(a, r.Context(), account, data)
	}
	a.respond(w, r, &id, name, o.ReadOnly, requestParameters(data), out, err)
}

// Reject answers a request that failed authentication.
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	_, name := operation(r)
	a.respond(w, r, nil, name, true, nil, nil, err)
}

// respond is the one place an AWS Config response is written, with its audit record (a
// change is on record before it is answered).
func (a *API) respond(w http.ResponseWriter, r *http.Request, id *iam.Identity, op string, readOnly bool, params map[string]any, out any, err error) {
	rid := audit.NewEventID()
	var data []byte
	if err == nil {
		if out == nil {
			out = struct{}{}
		}
		if data, err = json.Marshal(out); err != nil {
			a.log.Error("config: encoding a response", "request_id", rid, "err", err)
		}
	}
	if a.audit != nil {
		if aerr := a.record(r, id, op, readOnly, rid, params, err); aerr != nil && err == nil && !readOnly {
			err = aerr
		}
	}
	status := http.StatusOK
	if err != nil {
		e := apierr.Config(err)
		if e.Status >= 500 {
			a.log.Error("config: request failed", "request_id", rid, "err", err)
		}
		status = e.Status
		w.Header().Set("X-Amzn-Errortype", e.Type)
		data, _ = json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", rid)
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

func (a *API) record(r *http.Request, id *iam.Identity, op string, readOnly bool, rid string, params map[string]any, err error) error {
	var ident iam.Identity
	if id != nil {
		ident = *id
	}
	rec := audithttp.Base(r, ident, false)
	rec.EventSource, rec.EventName, rec.AWSRegion = compliance.SourceConfig, op, a.cfg.Region
	rec.RequestID, rec.ReadOnly, rec.ManagementEvent = rid, readOnly, true
	rec.RequestParameters = params
	if err != nil {
		e := apierr.Config(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	herr := a.audit.Handle(r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("config: audit record lost", "request_id", rid, "err", herr)
		return nil
	}
	return herr
}

// requestParameters is a request's JSON members in lower camel case, as AWS records its
// own calls; AWS Config requests carry no secrets.
func requestParameters(body []byte) map[string]any {
	var in map[string]any
	if len(body) == 0 || json.Unmarshal(body, &in) != nil || len(in) == 0 {
		return nil
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		if k != "" {
			k = strings.ToLower(k[:1]) + k[1:]
		}
		out[k] = v
	}
	return out
}
