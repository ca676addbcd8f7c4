// Package analyzerapi serves the subset of the IAM Access Analyzer REST-JSON API (SigV4
// service "access-analyzer") that the aws CLI and SDKs need: CreateAnalyzer, ListAnalyzers,
// GetAnalyzer, DeleteAnalyzer, ListFindings, GetFinding, UpdateFindings, ValidatePolicy,
// CheckNoPublicAccess and CheckAccessNotGranted, over internal/analyzer. It sees requests
// only after the server authenticated them; every call is authorized as
// access-analyzer:<Operation> by the one policy engine, and the one choke point, respond,
// writes every response and error and the call's audit record.
package analyzerapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
)

// Service is the SigV4 signing name of Access Analyzer; EventSource its audit source.
const (
	Service     = "access-analyzer"
	EventSource = "access-analyzer.amazonaws.com"
)

// IsRequest reports whether r is signed for Access Analyzer (its credential scope names
// the service), so that a failed authentication is answered in this protocol's terms.
func IsRequest(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Authorization"), "/"+Service+"/aws4_request")
}

// Config is the API's deployment.
type Config struct {
	Region    string
	AccountID string
}

// Deps are the components the API works through.
type Deps struct {
	Analyzer *analyzer.Service
	// Authz decides every call with the caller's identity policies (nil: every call passes,
	// for tests of the API alone).
	Authz *authz.Authorizer
	Audit audit.Handler
	Log   *slog.Logger
}

// API is the Access Analyzer request handler.
type API struct {
	cfg   Config
	svc   *analyzer.Service
	authz *authz.Authorizer
	audit audit.Handler
	log   *slog.Logger
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg, svc: d.Analyzer, authz: d.Authz, audit: d.Audit, log: d.Log}
}

// call is one decoded request.
type call struct {
	ctx     context.Context
	account string
	path    string // the {analyzerName} or {id} path parameter
	query   url.Values
	body    []byte
}

type handler func(a *API, c *call) (any, error)

// op is one operation: its name, HTTP method and path (a trailing "/" takes one path
// parameter), whether CloudTrail marks it readOnly, and its handler. The IAM action is
// access-analyzer:<Name>.
type op struct {
	Name     string
	Method   string
	Path     string
	ReadOnly bool
	Run      handler
	// Resource is the ARN the action is authorized on ("" = "*").
	Resource func(a *API, c *call) string
}

var opTable = []op{
	{Name: "CreateAnalyzer", Method: http.MethodPut, Path: "/analyzer", Run: (*API).createAnalyzer, Resource: bodyAnalyzer},
	{Name: "ListAnalyzers", Method: http.MethodGet, Path: "/analyzer", ReadOnly: true, Run: (*API).listAnalyzers},
	{Name: "GetAnalyzer", Method: http.MethodGet, Path: "/analyzer/", ReadOnly: true, Run: (*API).getAnalyzer, Resource: pathAnalyzer},
	{Name: "DeleteAnalyzer", Method: http.MethodDelete, Path: "/analyzer/", Run: (*API).deleteAnalyzer, Resource: pathAnalyzer},
	{Name: "ListFindings", Method: http.MethodPost, Path: "/finding", ReadOnly: true, Run: (*API).listFindings, Resource: bodyAnalyzerARN},
	{Name: "GetFinding", Method: http.MethodGet, Path: "/finding/", ReadOnly: true, Run: (*API).getFinding, Resource: queryAnalyzerARN},
	{Name: "UpdateFindings", Method: http.MethodPut, Path: "/finding", Run: (*API).updateFindings, Resource: bodyAnalyzerARN},
	{Name: "ValidatePolicy", Method: http.MethodPost, Path: "/policy/validation", ReadOnly: true, Run: (*API).validatePolicy},
	{Name: "CheckNoPublicAccess", Method: http.MethodPost, Path: "/policy/check-no-public-access", ReadOnly: true, Run: (*API).checkNoPublicAccess},
	{Name: "CheckAccessNotGranted", Method: http.MethodPost, Path: "/policy/check-access-not-granted", ReadOnly: true, Run: (*API).checkAccessNotGranted},
}

// route finds the operation for method and path, and the path parameter.
func route(method, path string) (*op, string) {
	for i := range opTable {
		o := &opTable[i]
		if o.Method != method {
			continue
		}
		if strings.HasSuffix(o.Path, "/") {
			if rest, ok := strings.CutPrefix(path, o.Path); ok && rest != "" && !strings.Contains(rest, "/") {
				return o, rest
			}
			continue
		}
		if path == o.Path {
			return o, ""
		}
	}
	return nil, ""
}

const maxBody = 256 << 10

// Serve handles one authenticated Access Analyzer request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, id iam.Identity, body io.Reader) {
	path := r.URL.EscapedPath()
	o, param := route(r.Method, path)
	if o == nil {
		a.respond(w, r, &id, "Unknown", true, nil, nil, apierr.AnalyzerUnknownOp, "")
		return
	}
	if p, err := url.PathUnescape(param); err == nil {
		param = p
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = apierr.AnalyzerValidation("body", "The request body is too large.")
	}
	account := id.AccountID
	if account == "" {
		account = a.cfg.AccountID
	}
	c := &call{ctx: r.Context(), account: account, path: param, query: r.URL.Query(), body: data}
	if err == nil && a.authz != nil {
		res := "*"
		if o.Resource != nil {
			if s := o.Resource(a, c); s != "" {
				res = s
			}
		}
		err = a.authz.IdentityOnly(r.Context(), id, "access-analyzer:"+o.Name, res)
	}
	var out any
	if err == nil {
		out, err = o.Run(a, c)
	}
	rid := param
	if rid == "" {
		rid = resourceHint(data)
	}
	a.respond(w, r, &id, o.Name, o.ReadOnly, requestParameters(c), out, err, rid)
}

// Reject answers a request that failed authentication.
func (a *API) Reject(w http.ResponseWriter, r *http.Request) {
	name := "Unknown"
	if o, _ := route(r.Method, r.URL.EscapedPath()); o != nil {
		name = o.Name
	}
	a.respond(w, r, nil, name, true, nil, nil, apierr.AnalyzerUnrecognized, "")
}

// resourceHint is the analyzer named in a request body, for not-found errors.
func resourceHint(body []byte) string {
	var in struct {
		AnalyzerName string `json:"analyzerName"`
		AnalyzerArn  string `json:"analyzerArn"`
	}
	json.Unmarshal(body, &in)
	if in.AnalyzerName != "" {
		return in.AnalyzerName
	}
	return in.AnalyzerArn
}

// respond is the one place a response is written, with its audit record (committed first
// when the call changes something); errors become wire errors through apierr.Analyzer.
func (a *API) respond(w http.ResponseWriter, r *http.Request, id *iam.Identity, op string, readOnly bool, params map[string]any, out any, err error, rid string) {
	reqID := audit.NewEventID()
	var data []byte
	if err == nil && out != nil {
		if data, err = json.Marshal(out); err != nil {
			a.log.Error("access analyzer: encoding a response", "request_id", reqID, "err", err)
		}
	}
	if a.audit != nil {
		if aerr := a.record(r, id, op, readOnly, reqID, params, err, rid); aerr != nil && err == nil && !readOnly {
			err = aerr
		}
	}
	status := http.StatusOK
	if err != nil {
		e := apierr.Analyzer(err, rid)
		if e.Status >= 500 {
			a.log.Error("access analyzer: request failed", "request_id", reqID, "err", err)
		}
		status = e.Status
		w.Header().Set("X-Amzn-Errortype", e.Type)
		body := map[string]any{"message": e.Message}
		if e.Reason != "" {
			body["reason"] = e.Reason
		}
		if e.Type == "ValidationException" {
			fl := e.Fields
			if fl == nil {
				fl = []apierr.AnalyzerField{}
			}
			body["fieldList"] = fl
		}
		if e.ResourceType != "" {
			body["resourceId"], body["resourceType"] = e.ResourceID, e.ResourceType
		}
		data, _ = json.Marshal(body)
	}
	if data == nil {
		data = []byte("{}")
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", reqID)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

func (a *API) record(r *http.Request, id *iam.Identity, op string, readOnly bool, reqID string, params map[string]any, err error, rid string) error {
	var ident iam.Identity
	if id != nil {
		ident = *id
	}
	rec := audithttp.Base(r, ident, false)
	rec.EventSource, rec.EventName, rec.AWSRegion = EventSource, op, a.cfg.Region
	rec.RequestID, rec.ReadOnly, rec.ManagementEvent = reqID, readOnly, true
	rec.RequestParameters = params
	if err != nil {
		e := apierr.Analyzer(err, rid)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	herr := a.audit.Handle(r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("access analyzer: audit record lost", "request_id", reqID, "err", herr)
		return nil
	}
	return herr
}

// requestParameters are the call's body members and its path and query parameters, as
// CloudTrail records Access Analyzer calls. They carry no secrets.
func requestParameters(c *call) map[string]any {
	out := map[string]any{}
	var in map[string]any
	if len(c.body) > 0 && json.Unmarshal(c.body, &in) == nil {
		for k, v := range in {
			out[k] = v
		}
	}
	for k, v := range c.query {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	if c.path != "" {
		out["pathParameter"] = c.path
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// iso is AWS's timestamp shape for Access Analyzer (iso8601, milliseconds).
func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func bodyAnalyzer(a *API, c *call) string {
	var in struct {
		AnalyzerName string `json:"analyzerName"`
	}
	json.Unmarshal(c.body, &in)
	if in.AnalyzerName == "" {
		return ""
	}
	return a.svc.ARN(c.account, in.AnalyzerName)
}

func pathAnalyzer(a *API, c *call) string { return a.svc.ARN(c.account, c.path) }

func bodyAnalyzerARN(_ *API, c *call) string {
	var in struct {
		AnalyzerArn string `json:"analyzerArn"`
	}
	json.Unmarshal(c.body, &in)
	return in.AnalyzerArn
}

func queryAnalyzerARN(_ *API, c *call) string { return c.query.Get("analyzerArn") }
