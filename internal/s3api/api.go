// Package s3api serves the S3 REST API: it resolves each request to an operation, decodes
// it, does the work through the meta and blob stores, and writes the response at one choke
// point (respond), which is also where errors become S3 XML errors (through apierr) and
// where metrics are recorded. It sees requests only after the server has authenticated them
// (see Caller).
package s3api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/batch"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

// Caller is what authentication established about a request.
type Caller struct {
	AccessKeyID string
	Anonymous   bool
	TLS         bool
	// Body is the verified, decoded payload (aws-chunked framing removed); reading it to
	// EOF returns an error instead of io.EOF if the payload fails verification.
	Body io.ReadCloser
	// ContentLength is the decoded payload length, -1 if unknown.
	ContentLength int64
	// Trailer returns trailing checksum headers once Body reached EOF (may be nil).
	Trailer func() http.Header
	// Identity is the authenticated principal (zero for anonymous requests).
	Identity iam.Identity
	// SignatureVersion is "SigV4" or "SigV2", the version that signed the request ("" when
	// anonymous); the audit record's additionalEventData.SignatureVersion.
	SignatureVersion string
	// InvokedBy names the AWS service that makes the call on Identity's behalf ("" for a
	// client's own call): Batch Operations' tasks (batchexec.go) carry
	// "batchoperations.s3.amazonaws.com", which the audit record shows as
	// userIdentity.invokedBy, sourceIPAddress and userAgent.
	InvokedBy string
}

// Observer receives one call per finished request; the server wires metrics to it.
type Observer interface {
	ObserveS3(op string, status int, bytesIn, bytesOut int64, d time.Duration)
}

// Config holds what the API needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
	// OwnerID is the canonical user id shown as Owner in listings.
	OwnerID string
	// Domains are host names under which virtual-host-style requests name the bucket as
	// the first label (e.g. "localhost" makes "photos.localhost:9000" address "photos").
	Domains []string
	// LegacyBucketEncryption makes GetBucketEncryption of a never-configured bucket answer
	// 404 ServerSideEncryptionConfigurationNotFoundError, as S3 did before 2023, for old
	// test suites. Objects are encrypted with SSE-S3 either way.
	LegacyBucketEncryption bool
}

// Deps are the components the API works through.
type Deps struct {
	// Meta serves the bucket-level operations (configurations, policies, listing buckets).
	Meta meta.Store
	// Objects is the object engine every object operation goes through.
	Objects *object.Engine
	// KMS serves SSE-KMS; nil answers SSE-KMS requests with NotImplemented.
	KMS KMSProvider
	// Authz decides every request with identity and bucket policies; nil lets every
	// signed request through (tests of the API alone).
	Authz    *authz.Authorizer
	Log      *slog.Logger
	Observer Observer
	// Audit receives one record per request (nil: no auditing).
	Audit audit.Handler
	// Inventory writes inventory reports on demand (RunBucketInventoryConfiguration,
	// inventoryrun.go); nil answers it with NotImplemented.
	Inventory InventoryRunner
	// PostAuth verifies the signature of a POST Object form (post.go); nil refuses signed
	// forms with NotImplemented.
	PostAuth PostAuthFunc
	// Batch is the Batch Operations job engine the S3 Control job API serves
	// (batchjobs.go); nil answers that API with NotImplemented.
	Batch *batch.Service
}

// API is the S3 request handler.
type API struct {
	// inventory writes inventory reports on demand (Deps.Inventory).
	inventory InventoryRunner

	cfg     Config
	meta    meta.Store
	objects *object.Engine
	kms     KMSProvider
	authz   *authz.Authorizer
	log     *slog.Logger
	obs     Observer
	audit   audit.Handler
	// postAuth verifies POST Object forms (Deps.PostAuth).
	postAuth PostAuthFunc
	// batch runs Batch Operations jobs (Deps.Batch).
	batch *batch.Service
}

// New returns an API over the given components.
func New(cfg Config, d Deps) *API {
	return &API{cfg: cfg, meta: d.Meta, objects: d.Objects, kms: d.KMS, authz: d.Authz, log: d.Log, obs: d.Observer, audit: d.Audit,
		inventory: d.Inventory, postAuth: d.PostAuth, batch: d.Batch}
}

// request is one decoded S3 request as the handlers see it.
type request struct {
	ctx    context.Context
	r      *http.Request
	caller *Caller
	// op names the operation for the audit record and metrics ("Unsupported", "Rejected",
	// or "" when none was selected); o is its row (nil then).
	op     string
	o      *op
	bucket string
	key    string
	query  map[string][]string
	id     string
	// bytesIn counts payload bytes read, for metrics.
	bytesIn int64
	// enc is the encryption of the object written or read, for the audit record.
	enc *meta.Encryption
	// audited is set once the request's audit record was handed over.
	audited bool
	// lock is the Object Lock body of the request, once read (objectlock.go).
	lock *lockBody
	// errHeader are headers an error response carries too (x-amz-delete-marker, …).
	errHeader http.Header
	// tagBody is the decoded Tagging body, once read (tagging.go).
	tagBody *tagBody
	// keyETag is the <ETag> of the DeleteObjects key being authorized (s3:if-match).
	keyETag string
	// versionID is the version the request read, wrote or deleted ("" if none), for the
	// audit record.
	versionID string
	// ownerAcct is the account owning q's bucket, once authorization read it (owner.go).
	ownerAcct string
	// rewrap is an UpdateObjectEncryption's request and outcome, for its audit record
	// (updateenc.go).
	rewrap *rewrapAudit
	// jobBody is a CreateJob's or PutJobTagging's decoded body, once read (batchjobs.go).
	jobBody *jobBody
	// start is when the request arrived (access log Total Time).
	start time.Time
}

func (q *request) qget(k string) string {
	if v := q.query[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (q *request) qhas(k string) bool { _, ok := q.query[k]; return ok }

func (q *request) header(k string) string { return q.r.Header.Get(k) }

// response is what a handler returns; respond writes it.
type response struct {
	status int
	header http.Header
	xml    any
	// stream, if set, writes the body after the headers (GET object).
	stream func(w io.Writer) (int64, error)
}

func newResponse() *response { return &response{header: http.Header{}} }

type handlerFunc func(a *API, q *request) (*response, error)

// Serve handles one authenticated S3 request.
func (a *API) Serve(w http.ResponseWriter, r *http.Request, c *Caller) {
	start := time.Now()
	q := &request{ctx: r.Context(), r: r, caller: c, id: newRequestID(), start: start}
	q.bucket, q.key = a.bucketAndKey(r)
	var err error
	q.query, err = parseQuery(r.URL.RawQuery)
	if err == nil {
		if q.op, q.o, err = route(q); err != nil {
			q.errHeader = allowHeader(q)
		}
	}
	var resp *response
	if err == nil {
		err = a.authorize(q)
	}
	if err == nil {
		resp, err = q.o.Run(a, q)
	}
	status, out, err := a.respond(w, q, resp, err)
	if status < 400 {
		err = nil
	}
	a.emitAudit(q, resp, err, out)
	if a.obs != nil {
		a.obs.ObserveS3(q.op, status, q.bytesIn, out, time.Since(start))
	}
}

// respond is the choke point: it writes the response or the error, and the audit record
// of a management change before either (failing the request if that record cannot be
// written). It returns the status, the body bytes written and the error answered.
func (a *API) respond(w http.ResponseWriter, q *request, resp *response, err error) (int, int64, error) {
	h := w.Header()
	h.Set("x-amz-request-id", q.id)
	h.Set("x-amz-id-2", hostID(q.id))
	h.Set("Server", "Arca")
	a.corsActual(q, h)
	if a.auditDurable(q) {
		if aerr := a.emitAudit(q, resp, err, 0); aerr != nil && err == nil {
			err = errAuditFailed(aerr)
		}
	}
	if err != nil {
		return a.writeError(w, q, err), 0, err
	}
	status, n := a.write(w, q, resp)
	return status, n, nil
}

func (a *API) write(w http.ResponseWriter, q *request, resp *response) (int, int64) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case resp.xml != nil:
		body, merr := xml.Marshal(resp.xml)
		if merr != nil {
			return a.writeError(w, q, merr), 0
		}
		h.Set("Content-Type", "application/xml")
		h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
		w.WriteHeader(status)
		if q.r.Method != http.MethodHead {
			io.WriteString(w, xml.Header)
			w.Write(body)
		}
		return status, int64(len(body))
	case resp.stream != nil:
		w.WriteHeader(status)
		if q.r.Method == http.MethodHead {
			return status, 0
		}
		n, serr := resp.stream(w)
		if serr != nil {
			// Headers are gone: the only honest signal left is a broken connection, so
			// the client never takes a short or corrupt body for the object.
			a.log.Error("s3: response body failed", "request_id", q.id, "op", q.op, "err", serr)
			panic(http.ErrAbortHandler)
		}
		return status, n
	default:
		if status != http.StatusNoContent && status != http.StatusNotModified && h.Get("Content-Length") == "" {
			h.Set("Content-Length", "0")
		}
		w.WriteHeader(status)
		return status, 0
	}
}

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Extra     []xmlField
	Resource  string `xml:"Resource,omitempty"`
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (a *API) writeError(w http.ResponseWriter, q *request, err error) int {
	e := apierr.S3(err)
	status := e.StatusCode()
	for k, v := range q.errHeader {
		w.Header()[k] = v
	}
	switch {
	case e.Code == "SlowDown":
		// Load shedding (the cap on requests in flight, KMS throttling): expected under load,
		// counted in the metrics, not an error of the server.
		a.log.Debug("s3: request shed", "request_id", q.id, "op", q.op)
	case errors.Is(err, meta.ErrDamagedRecord):
		// meta logged the damaged record once, with where it is.
		a.log.Debug("s3: damaged record not served", "request_id", q.id, "op", q.op)
	case status >= 500:
		a.log.Error("s3: request failed", "request_id", q.id, "op", q.op, "err", err)
	default:
		a.log.Debug("s3: request refused", "request_id", q.id, "op", q.op, "code", e.Code)
	}
	h := w.Header()
	if e.Code == "NotModified" || q.r.Method == http.MethodHead {
		w.WriteHeader(status)
		return status
	}
	x := xmlError{Code: e.Code, Message: e.Message, Resource: q.r.URL.Path, RequestID: q.id, HostID: hostID(q.id)}
	for _, f := range e.Extra {
		x.Extra = append(x.Extra, xmlField{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	switch e.Code {
	case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
		x.Extra = append(x.Extra, xmlField{XMLName: xml.Name{Local: "BucketName"}, Value: q.bucket})
	case "NoSuchKey":
		x.Extra = append(x.Extra, xmlField{XMLName: xml.Name{Local: "Key"}, Value: q.key})
	case "NoSuchUpload":
		x.Extra = append(x.Extra, xmlField{XMLName: xml.Name{Local: "UploadId"}, Value: q.qget("uploadId")})
	}
	body, _ := xml.Marshal(x)
	if levelOf(q) == onControl {
		body = controlError(x)
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	h.Del("ETag")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(body)
	return status
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func hostID(id string) string {
	return base64.StdEncoding.EncodeToString([]byte("arca/" + id))
}

// bucketAndKey splits the request into bucket and key, path-style or virtual-host-style.
func (a *API) bucketAndKey(r *http.Request) (string, string) {
	if isControlRequest(r) {
		return "", "" // S3 Control: its host names an account, its path no bucket
	}
	path := r.URL.Path
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(host)
	for _, d := range a.cfg.Domains {
		if strings.HasSuffix(host, "."+d) {
			return strings.TrimSuffix(host, "."+d), strings.TrimPrefix(path, "/")
		}
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	return bucket, key
}

// Reject answers a request that failed before reaching an operation (authentication, an
// unknown service) through the same choke point, so it gets S3's error shape, request ids
// and metrics.
func (a *API) Reject(w http.ResponseWriter, r *http.Request, err error) {
	start := time.Now()
	q := &request{ctx: r.Context(), r: r, caller: &Caller{}, id: newRequestID()}
	q.bucket, q.key = a.bucketAndKey(r)
	q.op, q.o = rejectedOp(q)
	status, _, _ := a.respond(w, q, nil, err)
	a.emitAudit(q, nil, err, 0)
	if a.obs != nil {
		a.obs.ObserveS3(q.op, status, 0, 0, time.Since(start))
	}
}
