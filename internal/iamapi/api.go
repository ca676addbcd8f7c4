// Package iamapi serves the AWS IAM (2010-05-08) and STS (2011-06-15) query protocols over
// internal/iam: form-encoded requests (Action=…&Version=…, in a POST body or the query
// string) and XML responses. It sees requests only after the server has authenticated them
// (see Caller). Each action is a row of one table per service (iamTable, stsTable in
// ops.go) naming the IAM action and resource it is authorized against, whether CloudTrail
// marks it readOnly and the function that does it. Authorization happens in one place,
// Serve, with the caller's identity policies (Deps.Authz); the one choke point, respond,
// writes every response and error (through apierr.IAM) and the audit record.
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
	"github.com/arcastore/arca/internal/authz"
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

// Config is what the API needs to know about its deployment.
type Config struct {
	// AccountID makes ARNs of resources that do not exist yet.
	AccountID string
	// RootCreated is the account's creation time, shown by GetUser for the root.
	RootCreated time.Time
	// Region fills the audit records' awsRegion.
	Region string
}

// Deps are the components the API works through.
type Deps struct {
	// Store is the identity store of Config.AccountID, used when StoreFor is nil.
	Store *iam.Store
	// StoreFor returns the identity store of the caller's account and the account's
	// creation time (docs/ACCOUNTS.md): every caller is served from its own account's
	// store, with ARNs of its own account id. nil: Store for every caller.
	StoreFor func(ctx context.Context, accountID string) (*iam.Store, time.Time, error)
	// Authz decides every action with the caller's identity policies (IdentityOnly); nil
	// knows no policies, so the account root may do everything and IAM users nothing.
	Authz *authz.Authorizer
	// Audit receives one record per request (nil: no auditing).
	Audit audit.Handler
	Log   *slog.Logger
}

// API is the IAM and STS request handler.
type API struct {
	cfg      Config
	store    *iam.Store
	storeFor func(ctx context.Context, accountID string) (*iam.Store, time.Time, error)
	authz    *authz.Authorizer
	audit    audit.Handler
	log      *slog.Logger
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Authz == nil {
		d.Authz = authz.New(nil, nil)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg, store: d.Store, storeFor: d.StoreFor, authz: d.Authz, audit: d.Audit, log: d.Log}
}

// maxBody bounds a request body: a 128 KiB policy document, URL-encoded, fits easily.
const maxBody = 1 << 20

// protocol is one service's version and XML namespace.
type protocol struct {
	version, xmlns string
	ops            map[string]*op
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
	x.action, x.o = action, o
	cl := &call{ctx: r.Context(), store: a.store, cfg: &a.cfg, id: c.Identity, f: f}
	if a.storeFor != nil && c.Identity.AccountID != "" {
		// The caller's own account: its store, its ARNs.
		st, created, err := a.storeFor(cl.ctx, c.Identity.AccountID)
		if err != nil {
			a.respond(w, x, nil, err)
			return
		}
		cfg := a.cfg
		cfg.AccountID, cfg.RootCreated = c.Identity.AccountID, created
		cl.store, cl.cfg = st, &cfg
	}
	if !o.Anyone {
		// The one place IAM actions are authorized.
		if err := a.authz.IdentityOnly(cl.ctx, c.Identity, o.Action, o.Resource(cl)); err != nil {
			a.respond(w, x, nil, err)
			return
		}
	}
	out, err := o.Run(cl)
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
	// o is the action's row (nil when the request names none Arca serves).
	o       *op
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
			a.log.Error("iam request failed", "action", action, "request_id", rid, "err", e.Cause)
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
