package s3api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

func (a *API) getObject(q *request) (*response, error)  { return a.readObject(q) }
func (a *API) headObject(q *request) (*response, error) { return a.readObject(q) }

// etagMatches reports whether an If-Match/If-None-Match list names etag (or is "*").
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == etag {
			return true
		}
	}
	return false
}

func parseHTTPTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// checkConditions applies If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since in RFC 7232 order, as S3 does. prefix is "" or "x-amz-copy-source-".
// notModified is the error for a failed If-None-Match/If-Modified-Since (304 for reads,
// 412 for copy sources).
func checkConditions(h http.Header, prefix string, o *meta.Object, notModified error) error {
	mod := o.LastModified.Truncate(time.Second)
	if im := h.Get(prefix + "If-Match"); im != "" {
		if !etagMatches(im, o.ETag) {
			return apierr.PreconditionFailed.With("Condition", prefix+"If-Match")
		}
	} else if t, ok := parseHTTPTime(h.Get(prefix + "If-Unmodified-Since")); ok && mod.After(t) {
		return apierr.PreconditionFailed.With("Condition", prefix+"If-Unmodified-Since")
	}
	if inm := h.Get(prefix + "If-None-Match"); inm != "" {
		if etagMatches(inm, o.ETag) {
			return notModified
		}
	} else if t, ok := parseHTTPTime(h.Get(prefix + "If-Modified-Since")); ok && !mod.After(t) {
		return notModified
	}
	return nil
}

var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

func (a *API) readObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	partNumber := 0
	if v := q.qget("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, apierr.InvalidArgument.Msg("Part number must be an integer between 1 and 10000, inclusive").Arg("partNumber", v)
		}
		if q.header("Range") != "" {
			return nil, apierr.InvalidRequest.Msg("Cannot specify both Range header and partNumber query parameter")
		}
		partNumber = n
	}
	// A concurrent overwrite may remove the blobs between reading the metadata and opening
	// them; read the metadata again in that case.
	for attempt := 0; ; attempt++ {
		resp, err := a.readObjectOnce(q, partNumber)
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		if errors.Is(err, blob.ErrNotFound) {
			return nil, fmt.Errorf("object data missing: %w", err)
		}
		return resp, err
	}
}

func (a *API) readObjectOnce(q *request, partNumber int) (*response, error) {
	o, err := a.meta.GetObject(q.ctx, q.bucket, q.key)
	if err != nil {
		return nil, err
	}
	// The SSE checks come first: without the right SSE-C key nothing about the object,
	// not even its ETag, is revealed.
	var w *sse.Wrapper
	if q.r.Method == http.MethodHead {
		ck, err := readKey(q, o.Enc, "")
		if err != nil {
			return nil, err
		}
		if o.Enc != nil && o.Enc.Mode == sse.ModeC && !sse.CheckCustomerKey(o.Enc, ck, q.bucket, q.key) {
			return nil, apierr.SSECWrongKey
		}
	} else if w, err = a.openObject(q, q.bucket, q.key, o.Enc, ""); err != nil {
		return nil, err
	}
	resp := newResponse()
	h := resp.header
	h.Set("ETag", quote(o.ETag))
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	if err := checkConditions(q.r.Header, "", &o, apierr.NotModified); err != nil {
		if errors.Is(err, apierr.NotModified) {
			return &response{status: http.StatusNotModified, header: h}, nil
		}
		return nil, err
	}
	writeObjectHeaders(h, &o)
	writeSSEHeaders(h, o.Enc)
	q.enc = o.Enc
	h.Set("Accept-Ranges", "bytes")
	for _, ov := range responseOverrides {
		if v := q.qget(ov.param); v != "" {
			h.Set(ov.header, v)
		}
	}

	start, length := int64(0), o.Size
	partial := false
	wantChecksum := strings.EqualFold(q.header("x-amz-checksum-mode"), "ENABLED")
	ckValue, ckType := "", ""
	if o.Checksum != nil {
		ckValue, ckType = o.Checksum.Value, o.Checksum.Type
	}
	switch {
	case partNumber > 0:
		start, length, ckValue, err = partSpan(&o, partNumber)
		if err != nil {
			return nil, err
		}
		if len(o.Parts) > 0 {
			h.Set("x-amz-mp-parts-count", strconv.Itoa(len(o.Parts)))
			partial = true
			ckType = ""
		}
	default:
		br, res := parseRange(q.header("Range"), o.Size)
		switch res {
		case rangeUnsatisfiable:
			return nil, apierr.InvalidRange.With("RangeRequested", q.header("Range")).With("ActualObjectSize", itoa64(o.Size))
		case rangeOK:
			start, length, partial = br.start, br.length, true
			ckValue = ""
		}
	}
	if wantChecksum && ckValue != "" && o.Checksum != nil {
		h.Set(checksum.Header(o.Checksum.Algorithm), ckValue)
		if ckType != "" {
			h.Set("x-amz-checksum-type", ckType)
		}
	}
	h.Set("Content-Length", itoa64(length))
	if partial {
		resp.status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, o.Size))
	}
	if q.r.Method == http.MethodHead || length == 0 {
		resp.stream = func(io.Writer) (int64, error) { return 0, nil }
		return resp, nil
	}
	stream, err := a.openRange(q, &o, w, start, length)
	if err != nil {
		return nil, err
	}
	resp.stream = stream
	return resp, nil
}

// partSpan locates part n of an object: a multipart object's part, or the whole of a
// simple object for n == 1.
func partSpan(o *meta.Object, n int) (start, length int64, ck string, err error) {
	bad := &apierr.Error{Code: "InvalidPartNumber", Status: 416, Message: "The requested partnumber is not satisfiable"}
	if len(o.Parts) == 0 {
		if n != 1 {
			return 0, 0, "", bad
		}
		ck := ""
		if o.Checksum != nil {
			ck = o.Checksum.Value
		}
		return 0, o.Size, ck, nil
	}
	if n > len(o.Parts) {
		return 0, 0, "", bad
	}
	for _, p := range o.Parts[:n-1] {
		start += p.Size
	}
	return start, o.Parts[n-1].Size, o.Parts[n-1].Checksum, nil
}

// openRange prepares to stream plaintext [start, start+length) of o, decrypting only the
// chunks that hold it. The first piece is opened (and its key unsealed) now, so a vanished
// blob or a damaged key is reported before any header is written; later pieces as the
// stream reaches them. Each chunk is authenticated before its bytes are written.
func (a *API) openRange(q *request, o *meta.Object, w *sse.Wrapper, start, length int64) (func(io.Writer) (int64, error), error) {
	type span struct {
		p        meta.Piece
		off, len int64
	}
	var spans []span
	pos := int64(0)
	end := start + length
	for _, p := range o.Pieces {
		pStart, pEnd := pos, pos+p.Size
		pos = pEnd
		if pEnd <= start || pStart >= end {
			continue
		}
		s := max(start, pStart)
		e := min(end, pEnd)
		spans = append(spans, span{p, s - pStart, e - s})
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("s3api: range outside object pieces")
	}
	open := func(p meta.Piece) (*encstream.Reader, blob.Reader, error) {
		br, err := a.blobs.Open(q.ctx, p.BlobID)
		if err != nil {
			return nil, nil, err
		}
		ok, err := w.StreamKey(p.SealedKey, p.Upload, p.Part)
		if err != nil {
			br.Close()
			return nil, nil, err
		}
		er, err := encstream.NewReader(br, br.Size(), ok)
		clear(ok)
		if err == nil && er.Size() != p.Size {
			err = encstream.ErrAuth
		}
		if err != nil {
			br.Close()
			return nil, nil, fmt.Errorf("%w: %v", sse.ErrCorrupt, err)
		}
		return er, br, nil
	}
	firstER, firstBR, err := open(spans[0].p)
	if err != nil {
		return nil, err
	}
	// Authenticate the start of the range before any header is sent, so that damage there
	// (the whole of most objects) is a clean 500 rather than a dropped connection.
	head := min(spans[0].len, int64(headAuthSize))
	var first bytes.Buffer
	if _, err := firstER.WriteRangeTo(&first, spans[0].off, head); err != nil {
		firstBR.Close()
		return nil, fmt.Errorf("%w: %v", sse.ErrCorrupt, err)
	}
	spans[0].off += head
	spans[0].len -= head
	return func(wr io.Writer) (int64, error) {
		total, err := io.Copy(wr, &first)
		if err != nil {
			firstBR.Close()
			return total, err
		}
		for i, s := range spans {
			er, br := firstER, firstBR
			if i > 0 {
				if er, br, err = open(s.p); err != nil {
					return total, err
				}
			}
			n, err := er.WriteRangeTo(wr, s.off, s.len)
			br.Close()
			total += n
			if err != nil {
				return total, err
			}
		}
		return total, nil
	}, nil
}

// headAuthSize is how much of a GET is decrypted and authenticated before the headers go.
const headAuthSize = 256 << 10
