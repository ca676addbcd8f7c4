package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/cors"
	"github.com/arcastore/arca/internal/meta"
)

// CORS (docs/CORS.md): the bucket's configuration (?cors), preflight requests (OPTIONS,
// never authenticated nor authorized: answered from the bucket's rules alone), and the
// CORS headers of every other response to a request that names an Origin (corsActual, at
// the choke point).

func (a *API) putBucketCors(q *request) (*response, error) {
	if q.header("Content-Md5") == "" && !hasChecksumHeader(q.r.Header) {
		return nil, apierr.InvalidRequest.Msg("Missing required header for this request: Content-MD5")
	}
	doc, err := readBody(q, cors.MaxDocument)
	if err != nil {
		return nil, err
	}
	c, err := cors.Parse(doc)
	if err != nil {
		return nil, err
	}
	return a.setBucket(q, http.StatusOK, func(b *meta.Bucket) { b.CORS = c })
}

func (a *API) getBucketCors(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if b.CORS == nil {
		return nil, apierr.NoSuchCORSConfiguration.With("BucketName", q.bucket)
	}
	body, err := b.CORS.XML()
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.header.Set("Content-Type", "application/xml")
	resp.header.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	resp.stream = func(w io.Writer) (int64, error) {
		n, err := io.WriteString(w, xml.Header)
		if err != nil {
			return int64(n), err
		}
		m, err := w.Write(body)
		return int64(n + m), err
	}
	return resp, nil
}

func (a *API) deleteBucketCors(q *request) (*response, error) {
	return a.setBucket(q, http.StatusNoContent, func(b *meta.Bucket) { b.CORS = nil })
}

// preflightOp is a CORS preflight request (OPTIONS on a bucket or an object, whatever its
// query names). It is not in opTable because it is neither routed by sub-resource nor
// authorized: Preflight serves it. Its record is a data event (never written before the
// response: an unauthenticated request must not cost a durable write) named
// PreflightRequest.
var preflightOp = op{Name: "PreflightRequest", Data: true, ReadOnly: true, Run: (*API).preflight}

// Preflight handles a CORS preflight request (OPTIONS). Browsers send it without
// credentials, even ahead of a presigned URL, so it is neither authenticated nor
// authorized: it is answered from the bucket's CORS rules alone, and written, audited
// (anonymous) and measured at the same choke point as every other request.
func (a *API) Preflight(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q := &request{ctx: r.Context(), r: r, caller: &Caller{Anonymous: true, TLS: r.TLS != nil, Body: http.NoBody}, id: newRequestID()}
	q.bucket, q.key = a.bucketAndKey(r)
	q.op, q.o = preflightOp.Name, &preflightOp
	var resp *response
	var err error
	if q.query, err = parseQuery(r.URL.RawQuery); err == nil {
		resp, err = q.o.Run(a, q)
	}
	status, out, err := a.respond(w, q, resp, err)
	if status < 400 {
		err = nil
	}
	a.emitAudit(q, resp, err, out)
	if a.obs != nil {
		a.obs.ObserveS3(q.op, status, 0, out, time.Since(start))
	}
}

// preflight answers OPTIONS on a bucket or an object from the bucket's CORS rules.
func (a *API) preflight(q *request) (*response, error) {
	method, hasMethod := "", false
	if v := q.r.Header.Values("Access-Control-Request-Method"); len(v) > 0 {
		method, hasMethod = v[0], true
	}
	origin := q.header("Origin")
	var c *cors.Config
	bucketFound := true
	if origin != "" && hasMethod {
		b, err := a.meta.GetBucket(q.ctx, q.bucket)
		switch {
		case errors.Is(err, meta.ErrNoSuchBucket):
			bucketFound = false
		case err != nil:
			return nil, err
		default:
			c = b.CORS
		}
	}
	ans, err := cors.Preflight(c, origin, method, hasMethod, q.header("Access-Control-Request-Headers"))
	if errors.Is(err, cors.ErrNotEnabled) || errors.Is(err, cors.ErrNotAllowed) {
		e := apierr.S3(err)
		if !bucketFound {
			e = apierr.CORSBucketNotFound
		}
		rt := "BUCKET"
		if q.key != "" {
			rt = "OBJECT"
		}
		return nil, e.With("Method", method).With("ResourceType", rt)
	}
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	setCORS(resp.header, ans)
	return resp, nil
}

// corsActual adds to h the CORS headers of the first rule of the bucket's configuration
// that allows the request's Origin and method, on a success and an error alike; nothing
// when the request names no Origin, is a preflight, or no rule allows it. Only requests
// that name an Origin (browsers') read the bucket for it; the read is served by meta's
// bucket cache.
func (a *API) corsActual(q *request, h http.Header) {
	origin := q.r.Header.Get("Origin")
	if origin == "" || q.bucket == "" || q.r.Method == http.MethodOptions {
		return
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil || b.CORS == nil {
		return
	}
	if ans := b.CORS.Actual(origin, q.r.Method); ans != nil {
		setCORS(h, ans)
	}
}

func setCORS(h http.Header, ans *cors.Answer) {
	for _, kv := range ans.Headers() {
		h.Set(kv[0], kv[1])
	}
}
