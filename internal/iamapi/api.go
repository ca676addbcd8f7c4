// Package iamapi serves the AWS IAM (2010-05-08) and STS (2011-06-15) query protocols over
// internal/iam: form-encoded requests (Action=…&Version=…, in a POST body or the query
// string) and XML responses. It sees requests only after the server has authenticated them
// (see Caller). Each action is an entry of an explicit table naming the IAM action and
// resource it is authorized against and the function that does it. Authorization happens
// in one place, Serve, through Config.Authorize; the one choke point, respond, writes every
// response and error (through apierr.IAM).
package iamapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/iam"
)

// Services this package serves, as named in a SigV4 credential scope.
const (
	ServiceIAM = "iam"
	ServiceSTS = "sts"
)

// Caller is what authentication established about a request.
type Caller struct {
	Identity iam.Identity
	// Service is ServiceIAM or ServiceSTS, from the credential scope.
	Service string
	// Body is the verified payload; reading it to EOF fails if the signature did not cover it.
	Body io.Reader
}

// Authorizer decides whether id may perform action (e.g. "iam:CreateUser") on resource (an
// ARN). It returns nil to allow, or the error to answer with (normally
// apierr.IAMAccessDenied carrying AWS's message; see AccessDenied).
type Authorizer func(ctx context.Context, id iam.Identity, action, resource string) error

// RootOnly is the Authorizer used until identity policies are enforced: the account root
// may do everything, IAM users nothing.
func RootOnly(_ context.Context, id iam.Identity, action, resource string) error {
	if id.IsRoot() {
		return nil
	}
	return AccessDenied(id, action, resource)
}

// AccessDenied is AWS's refusal when no identity-based policy allows the action.
func AccessDenied(id iam.Identity, action, resource string) error {
	return apierr.IAMAccessDenied.WithMessage(fmt.Sprintf(
		"User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
		id.ARN, action, resource, action))
}

// Config is what the API needs.
type Config struct {
	// AccountID makes ARNs of resources that do not exist yet.
	AccountID string
	// RootCreated is the account's creation time, shown by GetUser for the root.
	RootCreated time.Time
	// Authorize is consulted before every IAM action (nil = RootOnly). STS
	// GetCallerIdentity needs no permission, as in AWS.
	Authorize Authorizer
	Log       *slog.Logger
	// Region fills the audit records' awsRegion; Audit receives one record per request
	// (nil: no auditing).
	Region string
	Audit  audit.Handler
}

// API is the IAM and STS request handler.
type API struct {
	cfg   Config
	store *iam.Store
}

// New returns an API over store.
func New(store *iam.Store, cfg Config) *API {
	if cfg.Authorize == nil {
		cfg.Authorize = RootOnly
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg, store: store}
}

// maxBody bounds a request body: a 128 KiB policy document, URL-encoded, fits easily.
const maxBody = 1 << 20

// protocol is one service's version and XML namespace.
type protocol struct {
	version, xmlns string
	ops            map[string]op
}

func protocolOf(service string) protocol {
	if service == ServiceSTS {
		return protocol{"2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/", stsOps}
	}
	return protocol{"2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/", iamOps}
}

// Service returns ServiceIAM or ServiceSTS when r is signed for one of them (by the
// credential scope of its Authorization header or X-Amz-Credential query), else "". It
// lets a request that fails authentication get its error in the query protocol's shape.
func Service(r *http.Request) string {
	cred := ""
	if h := r.Header.Get("Authorization"); h != "" {
		if _, after, ok := strings.Cut(h, "Credential="); ok {
			cred, _, _ = strings.Cut(after, ",")
		}
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) < 5 {
		return ""
	}
	switch s := parts[len(parts)-2]; s {
	case ServiceIAM, ServiceSTS:
		return s
	}
	return ""
}

// Serve handles one authenticated IAM or STS request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, c *Caller) {
	p := protocolOf(c.Service)
	x := &exchange{r: r, c: c, service: c.Service, p: p, action: "Unknown"}
	body, err := io.ReadAll(io.LimitReader(c.Body, maxBody+1))
	if err == nil && len(body) > maxBody {
		err = apierr.IAMMalformedQueryString.WithMessage("The request body is too large.")
	}
	if err != nil {
		a.respond(w, x, nil, err)
		return
	}
	f, err := parseForm(r.URL.RawQuery, body)
	if err != nil {
		a.respond(w, x, nil, err)
		return
	}
	x.form = f
	action, version := f["Action"], f["Version"]
	o, ok := p.ops[action]
	if !ok || version != "" && version != p.version || r.Method != http.MethodPost && r.Method != http.MethodGet {
		if version == "" {
			version = p.version
		}
		a.respond(w, x, nil, apierr.IAMInvalidAction.WithMessage(
			fmt.Sprintf("Could not find operation %s for version %s", action, version)))
		return
	}
	x.action = action
	cl := &call{ctx: r.Context(), store: a.store, cfg: &a.cfg, id: c.Identity, f: f}
	if o.action != "" {
		// The one place IAM actions are authorized.
		if err := a.cfg.Authorize(cl.ctx, c.Identity, o.action, o.resource(cl)); err != nil {
			a.respond(w, x, nil, err)
			return
		}
	}
	out, err := o.run(cl)
	a.respond(w, x, out, err)
}

// Reject answers a request for service that failed before reaching an action
// (authentication).
func (a *API) Reject(w http.ResponseWriter, r *http.Request, service string, err error) {
	a.respond(w, &exchange{r: r, p: protocolOf(service), service: service, action: "Unknown"}, nil, err)
}

// exchange is one request as respond sees it; c is nil when authentication failed.
type exchange struct {
	r       *http.Request
	c       *Caller
	service string
	p       protocol
	action  string
	form    form
	audited bool
}

func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

type wireError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestId string
}

// respond is the one place an IAM or STS response is written: <ActionResponse> with the
// <ActionResult> (omitted when out is nil) and the request id, or an <ErrorResponse>.
func (a *API) respond(w http.ResponseWriter, x *exchange, out any, err error) {
	p, action := x.p, x.action
	rid := requestID()
	var buf bytes.Buffer
	status := http.StatusOK
	if err == nil {
		buf.WriteString(`<` + action + `Response xmlns="` + p.xmlns + `">`)
		if out != nil {
			enc := xml.NewEncoder(&buf)
			err = enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
		}
		buf.WriteString(`<ResponseMetadata><RequestId>` + rid + `</RequestId></ResponseMetadata></` + action + `Response>`)
	}
	if aerr := a.emitAudit(x, rid, err); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		e := apierr.IAM(err)
		status = e.Status
		if status >= 500 {
			a.cfg.Log.Error("iam request failed", "action", action, "request_id", rid, "err", e.Cause)
		}
		we := wireError{Xmlns: p.xmlns, RequestId: rid}
		we.Error.Type, we.Error.Code, we.Error.Message = e.Type(), e.Code, e.Message
		buf.Reset()
		data, _ := xml.Marshal(we)
		buf.Write(data)
	}
	h := w.Header()
	h["X-Amzn-Requestid"] = []string{rid}
	h["Content-Type"] = []string{"text/xml"}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
