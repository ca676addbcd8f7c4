package s3api

import (
	"errors"
	"io"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

func (a *API) deleteObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	cond, err := deleteConditions(q.r.Header)
	if err != nil {
		return nil, err
	}
	if err := a.authorizeETagRead(q, q.key, cond); err != nil {
		return nil, err
	}
	res, err := a.objects.Delete(q.ctx, object.DeleteInput{Bucket: q.bucket, Key: q.key, BypassGovernance: vid != "" && a.bypassGovernance(q, q.bucket, q.key), Cond: cond, VersionID: vid})
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if res.DeleteMarker {
		h.Set("x-amz-delete-marker", "true")
	}
	if res.DeleteMarker || vid != "" {
		h.Set(hVersionID, wireVersion(res.VersionID))
	}
	q.versionID = wireVersion(res.VersionID)
	return &response{status: http.StatusNoContent, header: h}, nil
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
		action := "s3:DeleteObject"
		if o.VersionID != "" {
			action = "s3:DeleteObjectVersion"
		}
		q.keyETag = o.ETag
		if err := a.authorizeOn(q, q.bucket, action, objectARN(q.bucket, o.Key)); err != nil {
			e := apierr.S3(err)
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if o.VersionID != "" && !meta.ValidVersionID(o.VersionID) {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: "NoSuchVersion",
				Message: "The specified version does not exist."})
			continue
		}
		var res meta.DeleteResult
		cond, err := objectConditions(o.ETag, o.LastModifiedTime, o.Size)
		if err == nil {
			err = a.authorizeETagRead(q, o.Key, cond)
		}
		if err == nil {
			res, err = a.objects.Delete(q.ctx, object.DeleteInput{Bucket: q.bucket, Key: o.Key, BypassGovernance: o.VersionID != "" && a.bypassGovernance(q, q.bucket, o.Key), VersionID: o.VersionID, Cond: cond})
		}
		if err != nil {
			e := apierr.S3(err)
			out.Errors = append(out.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			d := deletedEntry{Key: o.Key, VersionID: o.VersionID}
			if res.DeleteMarker {
				d.DeleteMarker = true
				if o.VersionID == "" {
					d.DeleteMarkerVersionID = wireVersion(res.VersionID)
				}
			}
			out.Deleted = append(out.Deleted, d)
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
