// Package accountapi serves Arca's account admin API (docs/ACCOUNTS.md): a JSON 1.1
// protocol signed with SigV4 for service "arca", its operation named by X-Amz-Target
// (ArcaAccounts.CreateAccount, ListAccounts, DescribeAccount, DisableAccount), over
// internal/account. It sees requests only after the server has authenticated them. Each
// operation is a row of one table (opTable) naming its action; authorization happens in
// one place, Serve (only the primary account's root, the operator, is allowed, and the
// policy engine decides the action), and the one choke point, respond, writes every
// response and error and the request's audit record.
package accountapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
)

// Wire names.
const (
	// Service is the SigV4 credential scope's service name.
	Service = "arca"
	// TargetPrefix starts every operation's X-Amz-Target.
	TargetPrefix = "ArcaAccounts."
	// EventSource names the API in audit records.
	EventSource = "accounts.arca.amazonaws.com"
)

// IsRequest reports whether r is addressed to the account API by its X-Amz-Target.
func IsRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// Config is what the API needs to know about its deployment.
type Config struct {
	Region string
}

// Deps are the components the API works through.
type Deps struct {
	Accounts *account.Registry
	// Authz decides every call (IdentityOnly); nil: authz.New(nil, nil).
	Authz *authz.Authorizer
	// OnCreate, if set, runs after an account is created (the server opens its stores).
	OnCreate func(ctx context.Context, a account.Account) error
	Audit    audit.Handler
	Log      *slog.Logger
}

// API is the account admin request handler.
type API struct {
	cfg Config
	d   Deps
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Authz == nil {
		d.Authz = authz.New(nil, nil)
	}
	return &API{cfg: cfg, d: d}
}

// op is one operation: its name (the X-Amz-Target suffix), the action it is authorized as
// (on the account ARN it names, or the primary's for Create and List), whether it only
// reads, and its handler.
type op struct {
	Name     string
	Action   string
	ReadOnly bool
	Run      func(a *API, ctx context.Context, in *input) (any, error)
}

var opTable = []op{
	{Name: "CreateAccount", Action: "arca:CreateAccount", Run: (*API).createAccount},
	{Name: "ListAccounts", Action: "arca:ListAccounts", ReadOnly: true, Run: (*API).listAccounts},
	{Name: "DescribeAccount", Action: "arca:DescribeAccount", ReadOnly: true, Run: (*API).describeAccount},
	{Name: "DisableAccount", Action: "arca:DisableAccount", Run: (*API).disableAccount},
}

var ops = func() map[string]*op {
	m := make(map[string]*op, len(opTable))
	for i := range opTable {
		m[opTable[i].Name] = &opTable[i]
	}
	return m
}()

const maxBody = 16 << 10

// input is every operation's request members.
type input struct {
	AccountName string `json:",omitempty"`
	AccountId   string `json:",omitempty"`
}

// Serve handles one authenticated account API request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, id iam.Identity, body io.Reader) {
	name := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	o := ops[name]
	if o == nil || r.Method != http.MethodPost {
		a.respond(w, r, &id, "Unknown", true, nil, nil, apierr.AccountUnknownOperation.WithMessage("Unknown operation "+name))
		return
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = apierr.AccountValidation.WithMessage("The request body is too large.")
	}
	in := &input{}
	if err == nil && len(data) > 0 {
		if json.Unmarshal(data, in) != nil {
			err = apierr.AccountSerialization
		}
	}
	var params map[string]any
	if err == nil {
		params = parameters(in)
		err = a.authorize(r.Context(), id, o, in)
	}
	var out any
	if err == nil {
		out, err = o.Run(a, r.Context(), in)
	}
	a.respond(w, r, &id, name, o.ReadOnly, params, out, err)
}

// authorize is the one place an account API call is authorized: only the primary
// account's root (the operator) manages accounts, and the policy engine decides the
// action on the account's ARN like any other.
func (a *API) authorize(ctx context.Context, id iam.Identity, o *op, in *input) error {
	primary := a.d.Accounts.Primary().ID
	resource := "arn:aws:organizations::" + primary + ":account/" + in.AccountId
	if in.AccountId == "" {
		resource = "arn:aws:organizations::" + primary + ":root"
	}
	if id.AccountID != primary || !id.IsRoot() {
		return apierr.AccountAccessDenied.WithMessage("User: " + id.ARN + " is not authorized to perform: " + o.Action +
			" on resource: \"" + resource + "\": only the root user of the primary account (" + primary + ") manages accounts")
	}
	return a.d.Authz.IdentityOnly(ctx, id, o.Action, resource)
}

// Reject answers a request that failed authentication.
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	name := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if ops[name] == nil {
		name = "Unknown"
	}
	a.respond(w, r, nil, name, true, nil, nil, err)
}

// accountOut is an account on the wire.
type accountOut struct {
	Id              string
	Name            string
	Status          string
	Arn             string
	CanonicalUserId string
	JoinedTimestamp float64
	RootAccessKeyId string
	Primary         bool `json:",omitempty"`
}

func (a *API) wire(acct account.Account) accountOut {
	return accountOut{Id: acct.ID, Name: acct.Name, Status: acct.Status,
		Arn:             "arn:aws:iam::" + acct.ID + ":root",
		CanonicalUserId: account.CanonicalID(acct.ID), JoinedTimestamp: float64(acct.Created.Unix()),
		RootAccessKeyId: acct.RootAccessKeyID, Primary: acct.Primary}
}

type createOut struct {
	AccountId       string
	Account         accountOut
	AccessKeyId     string
	SecretAccessKey string
}

func (a *API) createAccount(ctx context.Context, in *input) (any, error) {
	if in.AccountName == "" {
		return nil, apierr.AccountValidation.WithMessage("AccountName is required.")
	}
	acct, secret, err := a.d.Accounts.Create(ctx, in.AccountName)
	if err != nil {
		return nil, err
	}
	if a.d.OnCreate != nil {
		if err := a.d.OnCreate(ctx, acct); err != nil {
			return nil, err
		}
	}
	return createOut{AccountId: acct.ID, Account: a.wire(acct), AccessKeyId: acct.RootAccessKeyID, SecretAccessKey: secret}, nil
}

func (a *API) listAccounts(ctx context.Context, _ *input) (any, error) {
	all, err := a.d.Accounts.List(ctx)
	if err != nil {
		return nil, err
	}
	out := struct{ Accounts []accountOut }{Accounts: []accountOut{}}
	for _, acct := range all {
		out.Accounts = append(out.Accounts, a.wire(acct))
	}
	return out, nil
}

func validID(id string) error {
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return apierr.AccountValidation.WithMessage("AccountId must be 12 digits.")
	}
	return nil
}

func (a *API) describeAccount(ctx context.Context, in *input) (any, error) {
	if err := validID(in.AccountId); err != nil {
		return nil, err
	}
	acct, err := a.d.Accounts.Get(ctx, in.AccountId)
	if err != nil {
		return nil, err
	}
	return struct{ Account accountOut }{a.wire(acct)}, nil
}

func (a *API) disableAccount(ctx context.Context, in *input) (any, error) {
	if err := validID(in.AccountId); err != nil {
		return nil, err
	}
	acct, err := a.d.Accounts.Disable(ctx, in.AccountId)
	if err != nil {
		return nil, err
	}
	return struct{ Account accountOut }{a.wire(acct)}, nil
}

// parameters is what the audit record keeps of a request (no secrets are ever in one).
func parameters(in *input) map[string]any {
	m := map[string]any{}
	if in.AccountName != "" {
		m["accountName"] = in.AccountName
	}
	if in.AccountId != "" {
		m["accountId"] = in.AccountId
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// respond is the one place an account API response is written, with its audit record
// (committed first when the call changes something: if it cannot be written, the request
// fails and says so). The secret access key of a new root is never recorded.
func (a *API) respond(w http.ResponseWriter, r *http.Request, id *iam.Identity, op string, readOnly bool, params map[string]any, out any, err error) {
	rid := audit.NewEventID()
	var data []byte
	if err == nil {
		if data, err = json.Marshal(out); err != nil {
			a.d.Log.Error("accounts: encoding a response", "request_id", rid, "err", err)
		}
	}
	var resp map[string]any
	if c, ok := out.(createOut); ok && err == nil {
		resp = map[string]any{"accountId": c.AccountId, "accessKeyId": c.AccessKeyId}
	}
	if a.d.Audit != nil {
		if err == nil && !readOnly {
			if aerr := a.record(r, id, op, readOnly, rid, params, resp, nil); aerr != nil {
				err = aerr
			}
		} else {
			a.record(r, id, op, readOnly, rid, params, nil, err)
		}
	}
	status := http.StatusOK
	if err != nil {
		e := apierr.Account(err)
		if e.Status >= 500 {
			a.d.Log.Error("accounts: request failed", "request_id", rid, "err", err)
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

func (a *API) record(r *http.Request, id *iam.Identity, op string, readOnly bool, rid string, params, resp map[string]any, err error) error {
	var ident iam.Identity
	if id != nil {
		ident = *id
	}
	rec := audithttp.Base(r, ident, false)
	rec.EventSource, rec.EventName, rec.AWSRegion = EventSource, op, a.cfg.Region
	rec.RequestID, rec.ReadOnly, rec.ManagementEvent = rid, readOnly, true
	rec.RequestParameters, rec.ResponseElements = params, resp
	rec.EventTime = time.Now()
	if err != nil {
		e := apierr.Account(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	herr := a.d.Audit.Handle(r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.d.Log.Error("accounts: audit record lost", "request_id", rid, "err", herr)
		return nil
	}
	return herr
}
