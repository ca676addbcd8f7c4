// Package trailapi serves the subset of the AWS CloudTrail JSON 1.1 API (X-Amz-Target:
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>) that the aws CLI and
// SDKs need: LookupEvents over internal/audit; CreateTrail, UpdateTrail, DeleteTrail,
// StartLogging, StopLogging, DescribeTrails, GetTrail, GetTrailStatus, ListTrails and
// ListPublicKeys over internal/trails; and Arca's own ArcaCloudTrail.FlushTrail. It sees
// requests only after the server has authenticated them. The one choke point, respond,
// writes every response and error and the request's own audit record.
package trailapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/trails"
)

// TargetPrefix starts the X-Amz-Target of a CloudTrail request as botocore (the aws CLI)
// sends it; current SDKs send the short form, ShortTargetPrefix.
const (
	TargetPrefix      = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	ShortTargetPrefix = "CloudTrail_20131101."
	// ArcaTargetPrefix names Arca's extensions (FlushTrail), signed for service cloudtrail.
	ArcaTargetPrefix = "ArcaCloudTrail."
)

// IsRequest reports whether r is addressed to CloudTrail by its X-Amz-Target.
func IsRequest(r *http.Request) bool {
	t := r.Header.Get("X-Amz-Target")
	return strings.HasPrefix(t, TargetPrefix) || strings.HasPrefix(t, ShortTargetPrefix) || strings.HasPrefix(t, ArcaTargetPrefix)
}

// operation is the row an X-Amz-Target names, and the name to record. Arca's extensions
// are not named under the short CloudTrail prefix, and the Arca prefix names nothing else
// ("Unknown"); the botocore prefix names any operation.
func operation(r *http.Request) (*op, string) {
	t := r.Header.Get("X-Amz-Target")
	if name, ok := strings.CutPrefix(t, TargetPrefix); ok {
		return ops[name], name
	}
	if name, ok := strings.CutPrefix(t, ArcaTargetPrefix); ok {
		if o := ops[name]; o != nil && o.Arca {
			return o, name
		}
		return nil, "Unknown"
	}
	name := strings.TrimPrefix(t, ShortTargetPrefix)
	o := ops[name]
	if o != nil && o.Arca {
		return nil, "Unknown"
	}
	return o, name
}

// Config is what the API needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Deps are the components the API works through.
type Deps struct {
	// Trail is the audit trail LookupEvents reads.
	Trail *audit.Trail
	// Trails manages the trails and their delivery.
	Trails *trails.Service
	// Authz decides every call with the caller's identity policies; nil lets every call
	// through (tests of the API alone).
	Authz *authz.Authorizer
	// Audit receives the record of each CloudTrail call (nil: none).
	Audit audit.Handler
	Log   *slog.Logger
}

// API is the CloudTrail request handler.
type API struct {
	cfg    Config
	trail  *audit.Trail
	trails *trails.Service
	authz  *authz.Authorizer
	audit  audit.Handler
	log    *slog.Logger
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &API{cfg: cfg, trail: d.Trail, trails: d.Trails, authz: d.Authz, audit: d.Audit, log: d.Log}
}

// handler runs one operation for account, the caller's account: every account sees and
// manages only its own trails and event history.
type handler func(a *API, ctx context.Context, account string, body []byte) (any, error)

// op is one CloudTrail operation, the single place that says what it is: its name (the
// X-Amz-Target suffix), the IAM action it is authorized as (on resource "*"), whether
// CloudTrail marks it readOnly (every CloudTrail event is a management event), whether it
// is one of Arca's extensions (see operation), and its handler.
type op struct {
	Name     string
	Action   string
	ReadOnly bool
	Arca     bool
	Run      handler
}

// opTable is every CloudTrail operation Arca serves.
var opTable = []op{
	{Name: "LookupEvents", Action: "cloudtrail:LookupEvents", ReadOnly: true, Run: (*API).lookupEvents},
	{Name: "CreateTrail", Action: "cloudtrail:CreateTrail", Run: (*API).createTrail},
	{Name: "UpdateTrail", Action: "cloudtrail:UpdateTrail", Run: (*API).updateTrail},
	{Name: "DeleteTrail", Action: "cloudtrail:DeleteTrail", Run: (*API).deleteTrail},
	{Name: "StartLogging", Action: "cloudtrail:StartLogging", Run: (*API).startLogging},
	{Name: "StopLogging", Action: "cloudtrail:StopLogging", Run: (*API).stopLogging},
	{Name: "DescribeTrails", Action: "cloudtrail:DescribeTrails", ReadOnly: true, Run: (*API).describeTrails},
	{Name: "GetTrail", Action: "cloudtrail:GetTrail", ReadOnly: true, Run: (*API).getTrail},
	{Name: "GetTrailStatus", Action: "cloudtrail:GetTrailStatus", ReadOnly: true, Run: (*API).getTrailStatus},
	{Name: "ListTrails", Action: "cloudtrail:ListTrails", ReadOnly: true, Run: (*API).listTrails},
	{Name: "ListPublicKeys", Action: "cloudtrail:ListPublicKeys", ReadOnly: true, Run: (*API).listPublicKeys},
	{Name: "FlushTrail", Action: "cloudtrail:FlushTrail", Arca: true, Run: (*API).flushTrail},
}

// ops finds an operation by name.
var ops = func() map[string]*op {
	m := make(map[string]*op, len(opTable))
	for i := range opTable {
		m[opTable[i].Name] = &opTable[i]
	}
	return m
}()

const maxBody = 64 << 10

// Serve handles one authenticated CloudTrail request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, id iam.Identity, body io.Reader) {
	o, name := operation(r)
	if o == nil || r.Method != http.MethodPost || !IsRequest(r) {
		if o == nil && IsRequest(r) && knownUnimplemented[name] {
			a.respond(w, r, &id, name, false, nil, nil, apierr.TrailUnsupported.WithMessage(
				"Arca does not implement "+name+": every trail receives every event."))
			return
		}
		a.respond(w, r, &id, "Unknown", true, nil, nil, apierr.TrailUnknownOperation.WithMessage("Unknown operation "+name))
		return
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = apierr.TrailValidation.WithMessage("The request body is too large.")
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

// knownUnimplemented are the trail-management calls left for later (docs/AUDIT.md).
var knownUnimplemented = map[string]bool{"PutEventSelectors": true, "GetEventSelectors": true,
	"PutInsightSelectors": true, "GetInsightSelectors": true}

// Reject answers a request that failed authentication.
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	_, name := operation(r)
	a.respond(w, r, nil, name, true, nil, nil, err)
}

// respond is the one place a CloudTrail response is written, with its audit record
// (committed first when the call changes something: if it cannot be written, the request
// fails); errors become wire errors through apierr.Trail.
func (a *API) respond(w http.ResponseWriter, r *http.Request, id *iam.Identity, op string, readOnly bool, params map[string]any, out any, err error) {
	rid := audit.NewEventID()
	var data []byte
	if err == nil {
		if data, err = json.Marshal(out); err != nil {
			a.log.Error("cloudtrail: encoding a response", "request_id", rid, "err", err)
		}
	}
	if err == nil && a.audit != nil && !readOnly {
		// A change must be on record before it is answered.
		if aerr := a.record(r, id, op, readOnly, rid, params, nil); aerr != nil {
			err = aerr
		}
	} else if a.audit != nil {
		a.record(r, id, op, readOnly, rid, params, err)
	}
	status := http.StatusOK
	if err != nil {
		e := apierr.Trail(err)
		if e.Status >= 500 {
			a.log.Error("cloudtrail: request failed", "request_id", rid, "err", err)
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
	rec.EventSource, rec.EventName, rec.AWSRegion = audit.SourceCloudTrail, op, a.cfg.Region
	rec.RequestID, rec.ReadOnly, rec.ManagementEvent = rid, readOnly, true
	rec.RequestParameters = params
	if err != nil {
		e := apierr.Trail(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	herr := a.audit.Handle(r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("cloudtrail: audit record lost", "request_id", rid, "err", herr)
		return nil
	}
	return herr
}

// requestParameters is a CloudTrail request's JSON members in lower camel case, as
// CloudTrail records its own calls (name, s3BucketName, …). CloudTrail requests carry no
// secrets; nil when the body is not a JSON object.
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
