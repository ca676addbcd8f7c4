package s3api

import (
	"errors"
	"io"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
)

func (a *API) deleteObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	if err := a.objects.Delete(q.ctx, q.bucket, q.key); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

func (a *API) deleteObjects(q *request) (*response, error) {
	if q.header("Content-Md5") == "" && !hasChecksumHeader(q.r.Header) {
		return nil, apierr.InvalidRequest.Msg("Missing required header for this request: Content-MD5")
	}
	var req deleteRequest
	if err := readXML(q, &req); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	if len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return nil, apierr.MalformedXML
	}
	if _, err := a.meta.GetBucket(q.ctx, q.bucket); err != nil {
		return nil, err
	}
	out := deleteResult{NS: s3NS}
	for _, o := range req.Objects {
		if err := checkKey(o.Key); err != nil {
			e := apierr.S3(err)
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if err := a.authorizeOn(q, q.bucket, "s3:DeleteObject", objectARN(q.bucket, o.Key)); err != nil {
			e := apierr.S3(err)
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if err := a.objects.Delete(q.ctx, q.bucket, o.Key); err != nil {
			e := apierr.S3(err)
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, struct {
				Key string `xml:"Key"`
			}{o.Key})
		}
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func hasChecksumHeader(h http.Header) bool {
	for name := range h {
		if len(name) > len("X-Amz-Checksum-") && http.CanonicalHeaderKey(name[:len("X-Amz-Checksum-")]) == "X-Amz-Checksum-" {
			return true
		}
	}
	return h.Get("X-Amz-Trailer") != "" || h.Get("X-Amz-Sdk-Checksum-Algorithm") != ""
}
