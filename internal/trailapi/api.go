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

// operation is the operation name an X-Amz-Target names.
func operation(r *http.Request) string {
	t := r.Header.Get("X-Amz-Target")
	if op, ok := strings.CutPrefix(t, TargetPrefix); ok {
		return op
	}
	if op, ok := strings.CutPrefix(t, ArcaTargetPrefix); ok {
		if arcaOps[op] {
			return op
		}
		return "Unknown"
	}
	op := strings.TrimPrefix(t, ShortTargetPrefix)
	if arcaOps[op] {
		return "Unknown" // Arca's extensions only under their own prefix
	}
	return op
}

// Authorizer decides whether id may perform action ("cloudtrail:LookupEvents"); nil allows.
// It returns nil to allow, or the error to answer with (normally an authz.ErrDenied).
type Authorizer func(ctx context.Context, id iam.Identity, action string) error

// Config is what the API needs.
type Config struct {
	Trail *audit.Trail
	// Trails manages the trails and their delivery.
	Trails    *trails.Service
	Region    string
	AccountID string
	Authorize Authorizer
	// Audit receives the record of each CloudTrail call (nil: none).
	Audit audit.Handler
	Log   *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// API is the CloudTrail request handler.
type API struct{ cfg Config }

// New returns the API.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &API{cfg: cfg}
}

type handler func(a *API, ctx context.Context, body []byte) (any, error)

// ops is the operation table; readOnly marks the calls CloudTrail records as readOnly.
var ops = map[string]struct {
	run      handler
	readOnly bool
}{
	"LookupEvents":   {(*API).lookupEvents, true},
	"CreateTrail":    {(*API).createTrail, false},
	"UpdateTrail":    {(*API).updateTrail, false},
	"DeleteTrail":    {(*API).deleteTrail, false},
	"StartLogging":   {(*API).startLogging, false},
	"StopLogging":    {(*API).stopLogging, false},
	"DescribeTrails": {(*API).describeTrails, true},
	"GetTrail":       {(*API).getTrail, true},
	"GetTrailStatus": {(*API).getTrailStatus, true},
	"ListTrails":     {(*API).listTrails, true},
	"ListPublicKeys": {(*API).listPublicKeys, true},
	"FlushTrail":     {(*API).flushTrail, false},
}

// arcaOps are the operations only ArcaTargetPrefix names.
var arcaOps = map[string]bool{"FlushTrail": true}

const maxBody = 64 << 10

// Serve handles one authenticated CloudTrail request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, id iam.Identity, body io.Reader) {
	op := operation(r)
	o, ok := ops[op]
	if !ok || r.Method != http.MethodPost || !IsRequest(r) {
		if !ok && IsRequest(r) && knownUnimplemented[op] {
			a.respond(w, r, &id, op, false, nil, nil, apierr.TrailUnsupported.WithMessage(
				"Arca does not implement "+op+": every trail receives every event."))
			return
		}
		a.respond(w, r, &id, "Unknown", true, nil, nil, apierr.TrailUnknownOperation.WithMessage("Unknown operation "+op))
		return
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = apierr.TrailValidation.WithMessage("The request body is too large.")
	}
	if err == nil && a.cfg.Authorize != nil {
		err = a.cfg.Authorize(r.Context(), id, "cloudtrail:"+op)
	}
	var out any
	if err == nil {
		out, err = o.run(a, r.Context(), data)
	}
	a.respond(w, r, &id, op, o.readOnly, requestParameters(data), out, err)
}

// knownUnimplemented are the trail-management calls left for later (docs/AUDIT.md).
var knownUnimplemented = map[string]bool{"PutEventSelectors": true, "GetEventSelectors": true,
	"PutInsightSelectors": true, "GetInsightSelectors": true}

// Reject answers a request that failed authentication.
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	a.respond(w, r, nil, operation(r), true, nil, nil, err)
}

// respond is the one place a CloudTrail response is written, with its audit record
// (committed first when the call changes something: if it cannot be written, the request
// fails); errors become wire errors through apierr.Trail.
func (a *API) respond(w http.ResponseWriter, r *http.Request, id *iam.Identity, op string, readOnly bool, params map[string]any, out any, err error) {
	rid := audit.NewEventID()
	var data []byte
	if err == nil {
		if data, err = json.Marshal(out); err != nil {
			a.cfg.Log.Error("cloudtrail: encoding a response", "request_id", rid, "err", err)
		}
	}
	if err == nil && a.cfg.Audit != nil && !readOnly {
		// A change must be on record before it is answered.
		if aerr := a.audit(r, id, op, readOnly, rid, params, nil); aerr != nil {
			err = aerr
		}
	} else if a.cfg.Audit != nil {
		a.audit(r, id, op, readOnly, rid, params, err)
	}
	status := http.StatusOK
	if err != nil {
		e := apierr.Trail(err)
		if e.Status >= 500 {
			a.cfg.Log.Error("cloudtrail: request failed", "request_id", rid, "err", err)
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

func (a *API) audit(r *http.Request, id *iam.Identity, op string, readOnly bool, rid string, params map[string]any, err error) error {
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
	herr := a.cfg.Audit.Handle(r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.cfg.Log.Error("cloudtrail: audit record lost", "request_id", rid, "err", herr)
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
