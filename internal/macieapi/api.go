// Package macieapi serves the subset of the Amazon Macie (macie2) REST-JSON API that
// sensitive-data discovery needs, over internal/discovery: CreateClassificationJob,
// DescribeClassificationJob, ListClassificationJobs, CreateCustomDataIdentifier,
// GetCustomDataIdentifier, ListFindings, GetFindings and GetBucketStatistics. It sees
// requests only after the server has authenticated them (SigV4 service macie2). Every
// call is authorized as macie2:<Operation> by the one policy engine, and the one choke
// point, respond, writes the response or error and the call's audit record (eventSource
// macie2.amazonaws.com). docs/DISCOVERY.md describes what is served.
package macieapi

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
	"github.com/arcastore/arca/internal/discovery"
	"github.com/arcastore/arca/internal/iam"
)

// Service is the SigV4 service name of Macie; EventSource names it in audit records.
const (
	Service     = "macie2"
	EventSource = "macie2.amazonaws.com"
)

// Config is what the API needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
}

// Deps are the components the API works through.
type Deps struct {
	Discovery *discovery.Service
	// Authz decides every call with the caller's identity policies; nil lets every call
	// through (tests of the API alone).
	Authz *authz.Authorizer
	Audit audit.Handler
	Log   *slog.Logger
}

// API is the macie2 request handler.
type API struct {
	cfg   Config
	d     *discovery.Service
	authz *authz.Authorizer
	audit audit.Handler
	log   *slog.Logger
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg, d: d.Discovery, authz: d.Authz, audit: d.Audit, log: d.Log}
}

// call is one decoded request: the caller's account, the path parameter and the body.
type call struct {
	account string
	param   string
	body    []byte
}

type handler func(a *API, ctx context.Context, c *call) (any, error)

// op is one macie2 operation: its route (method and path, "{}" standing for the one path
// parameter), the IAM action, whether CloudTrail marks it readOnly, and its handler.
type op struct {
	Name, Method, Path string
	ReadOnly           bool
	Run                handler
	// Resource is the ARN kind of the path parameter ("" = authorized on "*").
	Resource string
}

var opTable = []op{
	{Name: "CreateClassificationJob", Method: "POST", Path: "/jobs", Run: (*API).createJob},
	{Name: "DescribeClassificationJob", Method: "GET", Path: "/jobs/{}", ReadOnly: true, Run: (*API).describeJob, Resource: "classification-job"},
	{Name: "ListClassificationJobs", Method: "POST", Path: "/jobs/list", ReadOnly: true, Run: (*API).listJobs},
	{Name: "CreateCustomDataIdentifier", Method: "POST", Path: "/custom-data-identifiers", Run: (*API).createCDI},
	{Name: "GetCustomDataIdentifier", Method: "GET", Path: "/custom-data-identifiers/{}", ReadOnly: true, Run: (*API).getCDI, Resource: "custom-data-identifier"},
	{Name: "ListFindings", Method: "POST", Path: "/findings", ReadOnly: true, Run: (*API).listFindings},
	{Name: "GetFindings", Method: "POST", Path: "/findings/describe", ReadOnly: true, Run: (*API).getFindings},
	{Name: "GetBucketStatistics", Method: "POST", Path: "/datasources/s3/statistics", ReadOnly: true, Run: (*API).bucketStatistics},
}

// route finds the operation for a method and path, and the path parameter.
func route(method, path string) (*op, string) {
	path = strings.TrimSuffix(path, "/")
	for i := range opTable {
		o := &opTable[i]
		if o.Method != method {
			continue
		}
		if pre, ok := strings.CutSuffix(o.Path, "{}"); ok {
			if p, ok := strings.CutPrefix(path, pre); ok && p != "" && !strings.Contains(p, "/") && p != "list" && p != "describe" {
				return o, p
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

// Serve handles one authenticated macie2 request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, id iam.Identity, body io.Reader) {
	o, param := route(r.Method, r.URL.Path)
	if o == nil {
		a.respond(w, r, &id, "Unknown", true, nil, nil, apierr.MacieUnknownOperation.WithMessage("Arca does not serve "+r.Method+" "+r.URL.Path+" of macie2."))
		return
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = apierr.MacieValidation.WithMessage("The request body is too large.")
	}
	account := id.AccountID
	if account == "" {
		account = a.cfg.AccountID
	}
	if err == nil && a.authz != nil {
		res := "*"
		if o.Resource != "" {
			res = "arn:aws:macie2:" + a.cfg.Region + ":" + account + ":" + o.Resource + "/" + param
		}
		err = a.authz.IdentityOnly(r.Context(), id, "macie2:"+o.Name, res)
	}
	var out any
	if err == nil {
		out, err = o.Run(a, withPrincipal(r.Context(), id), &call{account: account, param: param, body: data})
	}
	a.respond(w, r, &id, o.Name, o.ReadOnly, requestParameters(o.Name, param, data), out, err)
}

// Reject answers a request that failed authentication.
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	name := "Unknown"
	if o, _ := route(r.Method, r.URL.Path); o != nil {
		name = o.Name
	}
	a.respond(w, r, nil, name, true, nil, nil, err)
}

// respond is the one place a macie2 response is written, with its audit record
// (committed first when the call changes something).
func (a *API) respond(w http.ResponseWriter, r *http.Request, id *iam.Identity, op string, readOnly bool, params map[string]any, out any, err error) {
	rid := audit.NewEventID()
	var data []byte
	if err == nil {
		if data, err = json.Marshal(out); err != nil {
			a.log.Error("macie2: encoding a response", "request_id", rid, "err", err)
		}
	}
	if err == nil && a.audit != nil && !readOnly {
		if aerr := a.record(r, id, op, readOnly, rid, params, nil); aerr != nil {
			err = aerr
		}
	} else if a.audit != nil {
		a.record(r, id, op, readOnly, rid, params, err)
	}
	status := http.StatusOK
	if err != nil {
		e := apierr.Macie(err)
		if e.Status >= 500 {
			a.log.Error("macie2: request failed", "request_id", rid, "err", err)
		}
		status = e.Status
		w.Header().Set("X-Amzn-Errortype", e.Type)
		data, _ = json.Marshal(map[string]string{"message": e.Message})
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", rid)
	h.Set("Content-Type", "application/json")
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
	rec.EventSource, rec.EventName, rec.AWSRegion = EventSource, op, a.cfg.Region
	rec.RequestID, rec.ReadOnly, rec.ManagementEvent = rid, readOnly, true
	rec.RequestParameters = params
	if err != nil {
		e := apierr.Macie(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	herr := a.audit.Handle(r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("macie2: audit record lost", "request_id", rid, "err", herr)
		return nil
	}
	return herr
}

// requestParameters is what the trail records of a call: identifiers and names only
// (never a regex's matches, and no finding content).
func requestParameters(op, param string, body []byte) map[string]any {
	out := map[string]any{}
	switch op {
	case "DescribeClassificationJob":
		out["jobId"] = param
	case "GetCustomDataIdentifier":
		out["id"] = param
	}
	var in map[string]any
	if len(body) > 0 && json.Unmarshal(body, &in) == nil {
		for _, k := range []string{"name", "jobType", "clientToken", "samplingPercentage", "managedDataIdentifierSelector", "customDataIdentifierIds", "findingIds", "maxResults"} {
			if v, ok := in[k]; ok {
				out[k] = v
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// IsRequest reports whether r is signed for macie2 (its credential scope names the
// service), so that a request failing authentication is answered in macie2's shape.
func IsRequest(r *http.Request) bool {
	if strings.Contains(r.Header.Get("Authorization"), "/"+Service+"/aws4_request") {
		return true
	}
	return strings.Contains(r.URL.Query().Get("X-Amz-Credential"), "/"+Service+"/aws4_request")
}
