// Package kmsapi serves the AWS KMS JSON 1.1 protocol (POST / with X-Amz-Target:
// TrentService.<Operation>) over internal/kms. It sees requests only after the server has
// authenticated them (see Caller). Each operation is an entry of an explicit table: decode
// the JSON body once into the operation's request struct, authorize what it names
// (SetAuthorizer), call the kms Service, encode the response. The one choke point,
// respond, writes every response and error (through apierr.KMS), the audit record (derived
// from the same decoded request) and the metrics.
package kmsapi

import (
	"bytes"
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
}

// Observer receives one call per finished request; the server wires metrics to it.
type Observer interface {
	ObserveKMS(op string, status int, bytesIn, bytesOut int64, d time.Duration)
}

// API is the KMS request handler.
type API struct {
	audit     audit.Handler
	region    string
	svc       *kms.Service
	log       *slog.Logger
	obs       Observer
	authorize Authorizer
	lockout   PolicyLockout
}

// New returns an API over svc.
func New(svc *kms.Service, log *slog.Logger, obs Observer) *API {
	return &API{svc: svc, log: log, obs: obs}
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
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	h, ok := ops[op]
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) {
		a.respond(w, &exchange{r: r, c: c, op: "Unknown", start: start}, nil, apierr.KMSUnknownOperation)
		return
	}
	body, err := readBody(c)
	if err == nil && len(body) > maxBody {
		err = apierr.KMSSerialization.WithMessage("The request body is too large.")
	}
	x := &exchange{r: r, c: c, op: op, start: start, body: body}
	if err == nil {
		x.req, err = h.decode(body)
	}
	if err != nil {
		a.respond(w, x, nil, err)
		return
	}
	x.auth = x.req.auth()
	if a.authorize != nil {
		if err := a.authorize(r.Context(), c, op, x.auth); err != nil {
			a.respond(w, x, nil, err)
			return
		}
	}
	out, err := h.run(r.Context(), a, c, x.req)
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

// SetAuthorizer installs the policy check every operation passes through (one place).
func (a *API) SetAuthorizer(fn Authorizer) { a.authorize = fn }

// Reject answers a request that failed before reaching an operation (authentication).
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if _, ok := ops[op]; !ok {
		op = "Unknown"
	}
	a.respond(w, &exchange{r: r, op: op, start: time.Now()}, nil, err)
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
	r     *http.Request
	c     *Caller
	op    string
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

// ops is the operation table.
var ops = map[string]handler{
	"CreateKey":                       opPolicy(createKey),
	"DescribeKey":                     op(describeKey),
	"ListKeys":                        op(listKeys),
	"UpdateKeyDescription":            op(updateKeyDescription),
	"EnableKey":                       op(enableKey),
	"DisableKey":                      op(disableKey),
	"ScheduleKeyDeletion":             op(scheduleKeyDeletion),
	"CancelKeyDeletion":               op(cancelKeyDeletion),
	"CreateAlias":                     op(createAlias),
	"UpdateAlias":                     op(updateAlias),
	"DeleteAlias":                     op(deleteAlias),
	"ListAliases":                     op(listAliases),
	"EnableKeyRotation":               op(enableKeyRotation),
	"DisableKeyRotation":              op(disableKeyRotation),
	"GetKeyRotationStatus":            op(getKeyRotationStatus),
	"RotateKeyOnDemand":               op(rotateKeyOnDemand),
	"ListKeyRotations":                op(listKeyRotations),
	"Encrypt":                         op(encrypt),
	"Decrypt":                         op(decrypt),
	"ReEncrypt":                       op(reEncrypt),
	"GenerateDataKey":                 op(generateDataKey),
	"GenerateDataKeyWithoutPlaintext": op(generateDataKeyWithoutPlaintext),
	"GenerateRandom":                  op(generateRandom),
	"PutKeyPolicy":                    opPolicy(putKeyPolicy),
	"GetKeyPolicy":                    op(getKeyPolicy),
	"ListKeyPolicies":                 op(listKeyPolicies),
	"CreateGrant":                     op(createGrant),
	"ListGrants":                      op(listGrants),
	"RetireGrant":                     op(retireGrant),
	"RevokeGrant":                     op(revokeGrant),
	"ListRetirableGrants":             op(listRetirableGrants),
	"TagResource":                     op(tagResource),
	"UntagResource":                   op(untagResource),
	"ListResourceTags":                op(listResourceTags),
}
