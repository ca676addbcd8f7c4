// Package kmsapi serves the AWS KMS JSON 1.1 protocol (POST / with X-Amz-Target:
// TrentService.<Operation>) over internal/kms. It sees requests only after the server has
// authenticated them (see Caller). Each operation is a row of one table (opTable in
// ops.go): its IAM action and the key it is decided on, whether it administers the key,
// whether CloudTrail marks it readOnly, and its handler, which decodes the JSON body once
// into the operation's request struct and calls the kms Service. The one choke point,
// respond, writes every response and error (through apierr.KMS), the audit record (derived
// from the same decoded request) and the metrics.
//
// ForS3 is the KMS as S3 calls it for SSE-KMS on a caller's behalf: the same decisions and
// audit records as a KMS request made through S3.
package kmsapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/blastradius"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// Caller is what authentication established about a request.
type Caller struct {
	Principal kms.Principal
	// Identity is the authenticated principal, for the policy engine.
	Identity iam.Identity
	// TLS reports whether the request came over HTTPS (aws:SecureTransport).
	TLS bool
	// Body is the verified payload; reading it to EOF fails if the signature did not cover it.
	Body io.Reader
	// ContentLength is the payload length if known (sizes the read buffer), else -1 or 0.
	ContentLength int64
	// keys is the keystore the request addresses (route): the caller's account's, or the
	// one of the account a key ARN names. Serve sets it; nil is the API's primary keystore.
	keys *kms.Service
}

// Observer receives one call per finished request; the server wires metrics to it.
type Observer interface {
	ObserveKMS(op string, status int, bytesIn, bytesOut int64, d time.Duration)
}

// Config is what the API needs to know about its deployment.
type Config struct {
	// Region fills the audit records' awsRegion and S3's kms:ViaService.
	Region string
	// AccountID is the account anonymous S3 requests call KMS in (PrincipalOf).
	AccountID string
	// DeletionGuard refuses DisableKey and ScheduleKeyDeletion of a key that still
	// protects objects, unless forced (guarded, docs/BLAST-RADIUS.md; needs Deps.BlastRadius).
	DeletionGuard bool
}

// Deps are the components the API works through.
type Deps struct {
	KMS *kms.Service
	// Keystores is every account's keystore (nil: KMS is the only one). A caller works in
	// its own account's; a key ARN of another account addresses that account's key for the
	// operations AWS allows across accounts (op.CrossAccount).
	Keystores *kms.Keystores
	// Authz decides every request (key policies, identity policies, grants) and runs the key
	// policy lockout safety check; nil lets every request through (tests of the API alone).
	Authz *authz.KeyGuard
	// Audit receives one record per request (nil: no auditing).
	Audit    audit.Handler
	Log      *slog.Logger
	Observer Observer
	// BlastRadius answers ArcaGetKeyBlastRadius and the deletion guard (nil: the operation
	// answers UnsupportedOperationException and nothing is guarded).
	BlastRadius *blastradius.Service
}

// API is the KMS request handler.
type API struct {
	cfg    Config
	svc    *kms.Service
	stores *kms.Keystores
	authz  *authz.KeyGuard
	audit  audit.Handler
	log    *slog.Logger
	obs    Observer
	blast  *blastradius.Service
	// lockout is the key policy lockout safety check (nil: none).
	lockout PolicyLockout
	// decide authorizes a decoded request: its operation's row over authz (op.authorize).
	decide func(ctx context.Context, c *Caller, o *op, f AuthRequest) error
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Keystores == nil && d.KMS != nil {
		d.Keystores = kms.Single(d.KMS)
	}
	if d.KMS == nil && d.Keystores != nil {
		d.KMS = d.Keystores.Primary()
	}
	a := &API{cfg: cfg, svc: d.KMS, stores: d.Keystores, authz: d.Authz, audit: d.Audit, log: d.Log, obs: d.Observer, blast: d.BlastRadius}
	if d.Authz != nil {
		a.lockout = d.Authz.PolicyLockout
	}
	a.decide = func(ctx context.Context, c *Caller, o *op, f AuthRequest) error {
		return o.authorize(ctx, a.authz, c, f)
	}
	return a
}

// maxBody bounds a request body (the largest legitimate one is a 32 KiB key policy).
const maxBody = 256 << 10

const targetPrefix = "TrentService."

var jsonContentType = []string{"application/x-amz-json-1.1"}

// IsKMSRequest reports whether r is addressed to KMS by its X-Amz-Target, so that even a
// request that fails authentication gets its error in KMS's JSON shape.
func IsKMSRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
}

// Serve handles one authenticated KMS request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, c *Caller) {
	start := time.Now()
	name := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	o, ok := ops[name]
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) {
		a.respond(w, &exchange{r: r, c: c, op: "Unknown", start: start}, nil, apierr.KMSUnknownOperation)
		return
	}
	body, err := readBody(c)
	if err == nil && len(body) > maxBody {
		err = apierr.KMSSerialization.WithMessage("The request body is too large.")
	}
	x := &exchange{r: r, c: c, op: name, o: o, start: start, body: body}
	if err == nil {
		x.req, err = o.Run.decode(body)
	}
	if err != nil {
		a.respond(w, x, nil, err)
		return
	}
	x.auth = x.req.auth()
	if c.keys, err = a.route(r.Context(), c.Principal.AccountID, o, x.auth); err != nil {
		a.respond(w, x, nil, err)
		return
	}
	if err := a.decide(r.Context(), c, o, x.auth); err != nil {
		a.respond(w, x, nil, err)
		return
	}
	out, err := o.Run.run(r.Context(), a, c, x.req)
	a.respond(w, x, out, err)
}

// readBody reads the whole request body, at most maxBody+1 bytes, into one buffer sized
// from the content length when it is known.
func readBody(c *Caller) ([]byte, error) {
	n := int64(512)
	if c.ContentLength > 0 && c.ContentLength <= maxBody {
		n = c.ContentLength + 1 // +1 so that EOF is seen without growing
	}
	buf := bytes.NewBuffer(make([]byte, 0, n))
	_, err := buf.ReadFrom(io.LimitReader(c.Body, maxBody+1))
	return buf.Bytes(), err
}

// Reject answers a request that failed before reaching an operation (authentication).
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	name := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	o, ok := ops[name]
	if !ok {
		name = "Unknown"
	}
	a.respond(w, &exchange{r: r, op: name, o: o, start: time.Now()}, nil, err)
}

type wireError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// exchange is one request as respond sees it; c is nil when authentication failed.
type exchange struct {
	r  *http.Request
	c  *Caller
	op string
	// o is the operation's row (nil when the target names none).
	o     *op
	start time.Time
	body  []byte
	// req is the decoded request (nil when the body did not decode), auth what the
	// authorization decision and the audit record's resources read of it.
	req  request
	auth AuthRequest
	// audited is set once the audit record was handed over.
	audited bool
}

// respond is the one place a KMS response is written, with its audit record (committed
// first when it is a key-administration change: if it cannot be written, the request fails)
// and metrics.
func (a *API) respond(w http.ResponseWriter, x *exchange, out any, err error) {
	op, start, in := x.op, x.start, int64(len(x.body))
	h := w.Header()
	rid := requestID()
	h["X-Amzn-Requestid"] = []string{rid}
	h["Content-Type"] = jsonContentType
	status := http.StatusOK
	var data []byte
	if err != nil {
		e := apierr.KMS(err)
		status = e.Status
		if status >= 500 {
			a.log.Error("kms request failed", "op", op, "request_id", rid, "err", e.Cause)
		}
		h["X-Amzn-Errortype"] = []string{e.Type}
		data, _ = json.Marshal(wireError{Type: e.Type, Message: e.Message})
	} else {
		if out == nil {
			data = []byte("{}")
		} else if data, err = json.Marshal(out); err != nil {
			a.respond(w, x, nil, err)
			return
		}
	}
	if aerr := a.emitAudit(x, rid, out, err); aerr != nil && err == nil {
		a.respond(w, x, nil, aerr)
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(len(data))}
	w.WriteHeader(status)
	w.Write(data)
	if a.obs != nil {
		a.obs.ObserveKMS(op, status, in, int64(len(data)), time.Since(start))
	}
}

// decode reads a JSON request body into v. An empty body is an empty request.
func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return apierr.KMSSerialization.WithMessage("The request body is not a valid JSON request for this operation.")
	}
	return nil
}
