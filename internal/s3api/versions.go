package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

const hVersionID = "x-amz-version-id"

// versionParam reads ?versionId: "" when absent; 400 InvalidArgument when it cannot name a
// version (S3's answer for a malformed id).
func versionParam(q *request) (string, error) {
	if !q.qhas("versionId") {
		return "", nil
	}
	v := q.qget("versionId")
	if !meta.ValidVersionID(v) {
		return "", apierr.InvalidArgument.Msg("Invalid version id specified").Arg("versionId", v)
	}
	return v, nil
}

// wireVersion is a version id as S3 states it ("null" for the null version).
func wireVersion(vid string) string {
	if vid == "" {
		return meta.NullVersion
	}
	return vid
}

// setVersionHeader states the version a response is about: always when the request named
// one, else when the version has an id (versioning is or was enabled).
func setVersionHeader(h http.Header, vid string, asked bool) {
	if vid != "" || asked {
		h.Set(hVersionID, wireVersion(vid))
	}
}

// markerHeaders are what S3 states about a delete marker, on the error it answers with.
func (q *request) markerHeaders(o *meta.Object) {
	q.errHeader = http.Header{}
	q.errHeader.Set("x-amz-delete-marker", "true")
	q.errHeader.Set(hVersionID, wireVersion(o.VersionID))
	if !o.LastModified.IsZero() {
		q.errHeader.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	}
}

type versioningRequest struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Status    string   `xml:"Status"`
	MfaDelete string   `xml:"MfaDelete"`
}

func (a *API) putBucketVersioning(q *request) (*response, error) {
	var req versioningRequest
	if err := readXML(q, &req); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	switch req.Status {
	case meta.VersioningEnabled, meta.VersioningSuspended:
	case "":
		if req.MfaDelete == "" {
			return nil, apierr.MalformedXML
		}
	default:
		return nil, apierr.MalformedXML
	}
	switch req.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return nil, apierr.NotImplemented.Msg("Arca does not support MFA Delete.")
	default:
		return nil, apierr.MalformedXML
	}
	if q.header("x-amz-mfa") != "" {
		return nil, apierr.NotImplemented.Msg("Arca does not support MFA Delete.")
	}
	err := a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		if b.ObjectLock != nil && b.ObjectLock.Enabled && req.Status == meta.VersioningSuspended {
			return errLockedVersioning
		}
		if req.Status != "" {
			b.Versioning = req.Status
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(), nil
}

func (a *API) getBucketVersioning(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = versioningConfiguration{NS: s3NS, Status: b.Versioning}
	return resp, nil
}

func (a *API) listObjectVersions(q *request) (*response, error) {
	max, err := parseMaxKeys(q.qget("max-keys"), 1000)
	if err != nil {
		return nil, err
	}
	urlEnc, err := encodingType(q)
	if err != nil {
		return nil, err
	}
	opt := meta.VersionListOptions{Prefix: q.qget("prefix"), Delimiter: q.qget("delimiter"),
		KeyMarker: q.qget("key-marker"), VersionIDMarker: q.qget("version-id-marker"), MaxKeys: max}
	if opt.VersionIDMarker != "" && opt.KeyMarker == "" {
		return nil, apierr.InvalidArgument.Msg("A version-id marker cannot be specified without a key marker.").Arg("version-id-marker", opt.VersionIDMarker)
	}
	res, err := a.objects.ListVersions(q.ctx, q.bucket, opt)
	if err != nil {
		return nil, err
	}
	enc := func(s string) string { return s }
	if urlEnc {
		enc = encodeURL
	}
	out := listVersionsResult{NS: s3NS, Name: q.bucket, Prefix: enc(opt.Prefix), KeyMarker: enc(opt.KeyMarker),
		VersionIDMarker: opt.VersionIDMarker, MaxKeys: max, Delimiter: enc(opt.Delimiter), IsTruncated: res.IsTruncated}
	if urlEnc {
		out.EncodingType = "url"
	}
	if res.IsTruncated {
		out.NextKeyMarker, out.NextVersionIDMarker = enc(res.NextKeyMarker), res.NextVersionIDMarker
	}
	owner := a.bucketOwner(q)
	for _, v := range res.Versions {
		if v.DeleteMarker {
			out.Entries = append(out.Entries, versionEntry{XMLName: xml.Name{Local: "DeleteMarker"}, Key: enc(v.Key),
				VersionID: wireVersion(v.VersionID), IsLatest: v.IsLatest, LastModified: s3Time(v.LastModified), Owner: &owner})
			continue
		}
		e := versionEntry{XMLName: xml.Name{Local: "Version"}, Key: enc(v.Key), VersionID: wireVersion(v.VersionID),
			IsLatest: v.IsLatest, LastModified: s3Time(v.LastModified), ETag: quote(v.ETag), Size: &v.Size,
			StorageClass: "STANDARD", Owner: &owner}
		if v.Checksum != nil {
			e.ChecksumAlgorithm, e.ChecksumType = v.Checksum.Algorithm, v.Checksum.Type
		}
		out.Entries = append(out.Entries, e)
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{enc(p)})
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	NS                  string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []versionEntry // Version and DeleteMarker elements, in order
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// versionEntry is a <Version> or a <DeleteMarker> (XMLName says which).
type versionEntry struct {
	XMLName           xml.Name
	Key               string `xml:"Key"`
	VersionID         string `xml:"VersionId"`
	IsLatest          bool   `xml:"IsLatest"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag,omitempty"`
	Size              *int64 `xml:"Size,omitempty"`
	StorageClass      string `xml:"StorageClass,omitempty"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Owner             *owner `xml:"Owner,omitempty"`
}
