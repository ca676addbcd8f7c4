package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/batch"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/sse"
)

// BatchService is who makes a Batch Operations task's calls on the job creator's behalf:
// the audit record's userIdentity.invokedBy, sourceIPAddress and userAgent, as CloudTrail
// shows the calls S3 Batch Operations makes.
const BatchService = "batchoperations.s3.amazonaws.com"

// batchExecutor is the batch.Executor of an API: every call a job makes is an S3 request
// served in-process by Serve, as the job's creator (Arca has no roles to assume), so it is
// routed, authorized by the one policy engine, encrypted (KMS calls as the creator),
// audited and measured exactly as the same request from a client would be.
type batchExecutor struct{ a *API }

var _ batch.Executor = batchExecutor{}

// BatchExecutor returns the Executor the job engine runs tasks through (server wires it
// to batch.Service.Start).
func (a *API) BatchExecutor() batch.Executor { return batchExecutor{a} }

// inProcess is one request made through Serve: what it asks, and what it answered.
type inProcess struct {
	method, bucket, key string
	query               url.Values
	header              http.Header
	body                []byte
}

// build makes the *http.Request and the Caller for c, as j's principal.
func (c *inProcess) build(ctx context.Context, j *batch.Job) (*http.Request, *Caller, error) {
	u := &url.URL{Scheme: "https", Path: "/" + c.bucket}
	if c.key != "" {
		u.Path += "/" + c.key
	}
	u.RawQuery = c.query.Encode()
	r, err := http.NewRequestWithContext(ctx, c.method, u.String(), bytes.NewReader(c.body))
	if err != nil {
		return nil, nil, err
	}
	r.URL.Path = u.Path // keep the key byte-exact, whatever String() escaped
	r.Host = ""         // no virtual host: the path names the bucket
	for k, v := range c.header {
		r.Header[k] = v
	}
	r.Header.Set("User-Agent", BatchService)
	r.ContentLength = int64(len(c.body))
	caller := &Caller{AccessKeyID: j.Principal.AccessKeyID, TLS: true, Identity: j.Principal, InvokedBy: BatchService,
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body))}
	return r, caller, nil
}

// captured is a response written by Serve, held in memory (Do's responses are small; a
// GetObject streams instead, see GetObject).
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *captured) Header() http.Header { return w.header }
func (w *captured) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *captured) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// serve runs c through Serve and returns its response. A panic of the handler (a stream
// that broke after its headers) is an InternalError, as a client would see a dropped
// connection.
func (x batchExecutor) serve(ctx context.Context, j *batch.Job, c *inProcess) (w *captured, err error) {
	r, caller, err := c.build(ctx, j)
	if err != nil {
		return nil, err
	}
	w = &captured{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			w, err = nil, fmt.Errorf("batch: %s %s/%s aborted: %v", c.method, c.bucket, c.key, p)
		}
	}()
	x.a.Serve(w, r, caller)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w, nil
}

// wireError is the S3 error a response carries (<Error> or S3 Control's <ErrorResponse>).
func wireError(status int, body []byte) *apierr.Error {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Inner   *struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	_ = xml.Unmarshal(body, &e)
	if e.Inner != nil {
		e.Code, e.Message = e.Inner.Code, e.Inner.Message
	}
	if e.Code == "" {
		e.Code = http.StatusText(status)
		if e.Code == "" {
			e.Code = strconv.Itoa(status)
		}
	}
	return &apierr.Error{Code: e.Code, Message: e.Message, Status: status}
}

func (w *captured) result() batch.TaskResult {
	if w.status < 300 {
		return batch.TaskResult{Succeeded: true, HTTPStatus: w.status}
	}
	e := wireError(w.status, w.body.Bytes())
	return batch.TaskResult{ErrorCode: e.Code, HTTPStatus: w.status, Message: e.Message}
}

// Do runs j's operation on t: one S3 call, made under t's task marker so that the record
// it commits carries it (batch.Marker).
func (x batchExecutor) Do(ctx context.Context, j *batch.Job, t batch.Task) batch.TaskResult {
	if object.TaskMarkerFrom(ctx) == "" {
		ctx = object.WithTaskMarker(ctx, batch.Marker(j, t))
	}
	c, err := taskRequest(j, t)
	if err != nil {
		e := apierr.S3(err)
		return batch.TaskResult{ErrorCode: e.Code, HTTPStatus: e.StatusCode(), Message: e.Message}
	}
	w, err := x.serve(ctx, j, c)
	if err != nil {
		return batch.TaskResult{ErrorCode: apierr.InternalError.Code, HTTPStatus: 500, Message: apierr.InternalError.Message}
	}
	return w.result()
}

// taskRequest is the S3 request that performs j's operation on t.
func taskRequest(j *batch.Job, t batch.Task) (*inProcess, error) {
	op := j.Operation
	c := &inProcess{bucket: t.Bucket, key: t.Key, query: url.Values{}, header: http.Header{}}
	withVersion := func() {
		if t.VersionID != "" {
			c.query.Set("versionId", t.VersionID)
		}
	}
	switch {
	case op.S3PutObjectCopy != nil:
		return copyRequest(op.S3PutObjectCopy, t)
	case op.S3PutObjectTagging != nil:
		c.method = http.MethodPut
		c.query.Set("tagging", "")
		withVersion()
		var tx taggingXML
		tx.NS = s3NS
		for _, tg := range op.S3PutObjectTagging.TagSet {
			tx.TagSet.Tags = append(tx.TagSet.Tags, tagXML{Key: tg.Key, Value: tg.Value})
		}
		body, err := xml.Marshal(tx)
		if err != nil {
			return nil, err
		}
		c.body = body
		c.header.Set("Content-Type", "application/xml")
	case op.S3DeleteObjectTagging != nil:
		c.method = http.MethodDelete
		c.query.Set("tagging", "")
		withVersion()
	case op.S3UpdateObjectEncryption != nil:
		k := op.S3UpdateObjectEncryption.ObjectEncryption.SSEKMS
		if k == nil {
			return nil, apierr.InvalidRequest.Msg("The job's ObjectEncryption names no SSE-KMS key.")
		}
		c.method = http.MethodPut
		c.query.Set("encryption", "")
		withVersion()
		body, err := xml.Marshal(updateObjectEncryptionBody{NS: s3NS, SSEKMS: updateSSEKMSXML{KMSKeyArn: ptr(k.KMSKeyArn),
			BucketKeyEnabled: ptr(k.BucketKeyEnabled)}})
		if err != nil {
			return nil, err
		}
		c.body = body
		c.header.Set("Content-Type", "application/xml")
	default:
		return nil, apierr.NotImplemented.Msg("Arca does not implement the %s operation of Batch Operations.", op.Name())
	}
	return c, nil
}

// updateObjectEncryptionBody is UpdateObjectEncryption's request body.
type updateObjectEncryptionBody struct {
	XMLName xml.Name        `xml:"ObjectEncryption"`
	NS      string          `xml:"xmlns,attr"`
	SSEKMS  updateSSEKMSXML `xml:"SSE-KMS"`
}

// copyTarget is where S3PutObjectCopy copies t: TargetResource's bucket (t's own when
// unset: the self-copy) under TargetKeyPrefix, joined to the key by "/" unless it ends
// with one.
func copyTarget(c *batch.CopyOperation, t batch.Task) (string, string) {
	bucket := t.Bucket
	if c.TargetResource != "" {
		if b := bucketOfARN(c.TargetResource); b != "" {
			bucket = b
		}
	}
	key := t.Key
	if p := c.TargetKeyPrefix; p != "" {
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		key = p + key
	}
	return bucket, key
}

// copyRequest is the CopyObject that S3PutObjectCopy makes of t: the source version,
// onto the target with the operation's SSE settings, storage class, ACL, metadata and
// tagging directives and conditions, as S3 Batch Operations sends them.
func copyRequest(op *batch.CopyOperation, t batch.Task) (*inProcess, error) {
	bucket, key := copyTarget(op, t)
	c := &inProcess{method: http.MethodPut, bucket: bucket, key: key, query: url.Values{}, header: http.Header{}}
	h := c.header
	src := (&url.URL{Path: t.Bucket + "/" + t.Key}).EscapedPath()
	if t.VersionID != "" {
		src += "?versionId=" + url.QueryEscape(t.VersionID)
	}
	h.Set("x-amz-copy-source", src)
	alg := ""
	if m := op.NewObjectMetadata; m != nil {
		switch m.SSEAlgorithm {
		case "AES256":
			alg = "AES256"
		case "KMS":
			alg = "aws:kms"
		}
	}
	if op.SSEAwsKmsKeyId != "" {
		alg = "aws:kms"
		h.Set(hKMSKeyID, op.SSEAwsKmsKeyId)
	}
	if alg != "" {
		h.Set(hSSE, alg)
	}
	if op.BucketKeyEnabled && alg == "aws:kms" {
		h.Set(hBucketKey, "true")
	}
	set := func(name, v string) {
		if v != "" {
			h.Set(name, v)
		}
	}
	set("x-amz-storage-class", op.StorageClass)
	set("x-amz-acl", op.CannedAccessControlList)
	set("x-amz-website-redirect-location", op.RedirectLocation)
	set("x-amz-object-lock-mode", op.ObjectLockMode)
	set("x-amz-object-lock-legal-hold", op.ObjectLockLegalHoldStatus)
	set("x-amz-checksum-algorithm", op.ChecksumAlgorithm)
	if op.ObjectLockRetainUntilDate != nil {
		h.Set("x-amz-object-lock-retain-until-date", op.ObjectLockRetainUntilDate.UTC().Format(time.RFC3339))
	}
	if op.ModifiedSinceConstraint != nil {
		h.Set("x-amz-copy-source-if-modified-since", op.ModifiedSinceConstraint.UTC().Format(http.TimeFormat))
	}
	if op.UnModifiedSinceConstraint != nil {
		h.Set("x-amz-copy-source-if-unmodified-since", op.UnModifiedSinceConstraint.UTC().Format(http.TimeFormat))
	}
	if op.RequesterPays {
		h.Set("x-amz-request-payer", "requester")
	}
	if len(op.NewObjectTagging) > 0 {
		v := url.Values{}
		for _, tg := range op.NewObjectTagging {
			v.Set(tg.Key, tg.Value)
		}
		h.Set("x-amz-tagging-directive", "REPLACE")
		h.Set(hTagging, v.Encode())
	}
	set("x-amz-metadata-directive", op.MetadataDirective)
	if m := op.NewObjectMetadata; m != nil && op.MetadataDirective == "REPLACE" {
		set("Cache-Control", m.CacheControl)
		set("Content-Disposition", m.ContentDisposition)
		set("Content-Encoding", m.ContentEncoding)
		set("Content-Language", m.ContentLanguage)
		set("Content-Type", m.ContentType)
		if m.HttpExpiresDate != nil {
			h.Set("Expires", m.HttpExpiresDate.UTC().Format(http.TimeFormat))
		}
		for k, v := range m.UserMetadata {
			h.Set("x-amz-meta-"+k, v)
		}
	}
	return c, nil
}

// Applied reports whether t's effect is already durable: the record it would have written
// carries t's marker (a copy's target key's current version; otherwise t's version, or
// its key's current one).
func (x batchExecutor) Applied(ctx context.Context, j *batch.Job, t batch.Task) (bool, error) {
	bucket, key, vid := t.Bucket, t.Key, t.VersionID
	if c := j.Operation.S3PutObjectCopy; c != nil {
		bucket, key = copyTarget(c, t)
		vid = ""
	}
	m, err := x.a.objects.TaskMarker(ctx, bucket, key, vid)
	switch {
	case errors.Is(err, meta.ErrNoSuchKey), errors.Is(err, meta.ErrNoSuchVersion), errors.Is(err, meta.ErrNoSuchBucket):
		return false, nil
	case err != nil:
		return false, err
	}
	return m == batch.Marker(j, t), nil
}

// GetObject reads an object (a manifest) as j's principal, streaming it: the body is
// the response as Serve writes it, and it reports the response's ETag (batch.ETagReader).
func (x batchExecutor) GetObject(ctx context.Context, j *batch.Job, bucket, key, versionID string) (io.ReadCloser, error) {
	c := &inProcess{method: http.MethodGet, bucket: bucket, key: key, query: url.Values{}}
	if versionID != "" {
		c.query.Set("versionId", versionID)
	}
	r, caller, err := c.build(ctx, j)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	w := &streamed{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				w.headersDone()
				pw.CloseWithError(fmt.Errorf("batch: reading s3://%s/%s aborted", bucket, key))
				return
			}
			w.headersDone()
			pw.Close()
		}()
		x.a.Serve(w, r, caller)
	}()
	<-w.ready
	if w.status >= 300 {
		body, _ := io.ReadAll(io.LimitReader(pr, 64<<10))
		pr.Close()
		return nil, wireError(w.status, body)
	}
	return etagged{pr, w.header.Get("ETag")}, nil
}

// etagged is a manifest's body with the ETag its response stated: the job checks it
// against the manifest location's ETag (batch.ETagReader).
type etagged struct {
	*io.PipeReader
	etag string
}

func (e etagged) ETag() string { return e.etag }

// streamed is a ResponseWriter whose body goes to a pipe once the status is known.
type streamed struct {
	header http.Header
	status int
	pw     *io.PipeWriter
	ready  chan struct{}
	once   sync.Once
}

func (w *streamed) Header() http.Header { return w.header }
func (w *streamed) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.headersDone()
}
func (w *streamed) headersDone() {
	w.once.Do(func() {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		close(w.ready)
	})
}
func (w *streamed) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(b)
}

// PutObject writes an object (a completion report, a generated manifest) as j's
// principal; the bucket's default encryption applies.
func (x batchExecutor) PutObject(ctx context.Context, j *batch.Job, bucket, key string, body []byte, contentType string) error {
	c := &inProcess{method: http.MethodPut, bucket: bucket, key: key, query: url.Values{}, header: http.Header{}, body: body}
	if contentType != "" {
		c.header.Set("Content-Type", contentType)
	}
	w, err := x.serve(ctx, j, c)
	if err != nil {
		return err
	}
	if w.status >= 300 {
		return wireError(w.status, w.body.Bytes())
	}
	return nil
}

// Walk lists bucket's versions for a manifest generator as j's principal: s3:ListBucket and
// s3:ListBucketVersions are decided on the bucket as for a client's ListObjectVersions, one
// audit record (ListObjectVersions, invokedBy Batch Operations) stands for the walk, and
// the engine's listing gives each version's encryption. A null version is listed with
// VersionID "" when it is the key's current one, "null" otherwise.
func (x batchExecutor) Walk(ctx context.Context, j *batch.Job, bucket string, fn func(batch.ObjectInfo) error) error {
	a := x.a
	c := &inProcess{method: http.MethodGet, bucket: bucket, query: url.Values{"versions": {""}}}
	r, caller, err := c.build(ctx, j)
	if err != nil {
		return err
	}
	q := &request{ctx: ctx, r: r, caller: caller, id: newRequestID(), bucket: bucket, query: map[string][]string(c.query)}
	q.op, q.o, err = route(q)
	if err == nil {
		err = a.authorizeOn(q, bucket, "s3:ListBucket", bucketARN(bucket))
	}
	if err == nil {
		err = a.authorizeOn(q, bucket, "s3:ListBucketVersions", bucketARN(bucket))
	}
	if err == nil {
		_, err = a.meta.GetBucket(ctx, bucket)
	}
	if aerr := a.emitAudit(q, nil, err, 0); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		return apierr.S3(err)
	}
	opt := meta.VersionListOptions{MaxKeys: 1000}
	for {
		res, err := a.objects.ListVersions(ctx, bucket, opt)
		if err != nil {
			return err
		}
		for i := range res.Versions {
			if err := fn(objectInfo(&res.Versions[i])); err != nil {
				return err
			}
		}
		if !res.IsTruncated {
			return nil
		}
		opt.KeyMarker, opt.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
}

// objectInfo is o as a manifest generator filters it.
func objectInfo(o *meta.Object) batch.ObjectInfo {
	vid := o.VersionID
	if vid == "" && !o.IsLatest {
		vid = meta.NullVersion
	}
	info := batch.ObjectInfo{Key: o.Key, VersionID: vid, IsLatest: o.IsLatest, DeleteMarker: o.DeleteMarker, Size: o.Size,
		LastModified: o.LastModified, StorageClass: "STANDARD", ETag: o.ETag, Encryption: batch.EncNotSSE}
	if e := o.Enc; e != nil && !o.DeleteMarker {
		switch e.Mode {
		case sse.ModeS3:
			info.Encryption = batch.EncSSES3
		case sse.ModeKMS:
			info.Encryption, info.KMSKeyARN, info.BucketKey = batch.EncSSEKMS, e.KMSKeyARN, e.BucketKey
		case sse.ModeC:
			info.Encryption = batch.EncSSEC
		}
	}
	return info
}
