package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

// GetObjectAttributes (GET /bucket/key?attributes): a version's ETag, checksum, parts,
// storage class and size, as the x-amz-object-attributes header selects (docs/CHECKSUMS.md).

// objectAttributes are the names x-amz-object-attributes accepts.
var objectAttributes = []string{"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}

// parseObjectAttributes reads x-amz-object-attributes (comma-separated, possibly over
// several header lines) into the set of names asked for. It is refused when empty or when
// it names anything else, as S3 does.
func parseObjectAttributes(h http.Header) (map[string]bool, error) {
	want := map[string]bool{}
	for _, line := range h.Values("X-Amz-Object-Attributes") {
		for _, v := range strings.Split(line, ",") {
			v = strings.TrimSpace(v)
			ok := false
			for _, a := range objectAttributes {
				if v == a {
					ok = true
				}
			}
			if !ok {
				return nil, apierr.InvalidArgument.Msg("Invalid attribute name specified.").Arg("x-amz-object-attributes", v)
			}
			want[v] = true
		}
	}
	if len(want) == 0 {
		return nil, apierr.InvalidArgument.Msg("Invalid attribute name specified.").Arg("x-amz-object-attributes", "")
	}
	return want, nil
}

// parsePartsPaging reads x-amz-max-parts (default and most 1000) and
// x-amz-part-number-marker (default 0).
func parsePartsPaging(h http.Header) (max, marker int, err error) {
	max = 1000
	if v := h.Get("X-Amz-Max-Parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, apierr.InvalidArgument.Msg("Provided max-parts not an integer or within integer range").Arg("max-parts", v)
		}
		max = min(n, 1000)
	}
	if v := h.Get("X-Amz-Part-Number-Marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, apierr.InvalidArgument.Msg("Provided part-number-marker not an integer or within integer range").Arg("part-number-marker", v)
		}
		marker = n
	}
	return max, marker, nil
}

type attributesChecksum struct {
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type attributesPart struct {
	checksumFields
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

type attributesParts struct {
	PartsCount           int              `xml:"PartsCount"`
	PartNumberMarker     *int             `xml:"PartNumberMarker,omitempty"`
	NextPartNumberMarker *int             `xml:"NextPartNumberMarker,omitempty"`
	MaxParts             *int             `xml:"MaxParts,omitempty"`
	IsTruncated          *bool            `xml:"IsTruncated,omitempty"`
	Parts                []attributesPart `xml:"Part"`
}

type getObjectAttributesResponse struct {
	XMLName      xml.Name            `xml:"GetObjectAttributesResponse"`
	NS           string              `xml:"xmlns,attr"`
	ETag         string              `xml:"ETag,omitempty"`
	Checksum     *attributesChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *attributesParts    `xml:"ObjectParts,omitempty"`
	StorageClass string              `xml:"StorageClass,omitempty"`
	ObjectSize   *int64              `xml:"ObjectSize,omitempty"`
}

func (a *API) getObjectAttributes(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	// S3 authorizes the read of the object as well as the attributes action (the row's).
	read := "s3:GetObject"
	if q.qhas("versionId") {
		read = "s3:GetObjectVersion"
	}
	if err := a.authorizeOn(q, q.bucket, read, objectARN(q.bucket, q.key)); err != nil {
		return nil, err
	}
	want, err := parseObjectAttributes(q.r.Header)
	if err != nil {
		return nil, err
	}
	max, marker, err := parsePartsPaging(q.r.Header)
	if err != nil {
		return nil, err
	}
	o, err := a.objects.Attributes(q.ctx, object.AttributesInput{Bucket: q.bucket, Key: q.key, VersionID: vid,
		CustomerKey: customerKey(q, ""), KMS: a.kmsFor(q), Checksums: want["Checksum"] || want["ObjectParts"]})
	if (errors.Is(err, object.ErrDeleteMarker) || errors.Is(err, object.ErrVersionIsDeleteMarker)) && o != nil {
		q.markerHeaders(o)
		if errors.Is(err, object.ErrVersionIsDeleteMarker) {
			q.errHeader.Set("Allow", "DELETE")
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	q.enc, q.versionID = o.Enc, wireVersion(o.VersionID)
	resp := newResponse()
	resp.header.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	setVersionHeader(resp.header, o.VersionID, vid != "")
	resp.xml = attributesOf(o, want, max, marker)
	return resp, nil
}

// attributesOf is the response body for the attributes asked for. The checksum of a
// COMPOSITE object is stated without its "-N" suffix (the part count is in ObjectParts),
// as S3 does; parts are listed (with their checksums, a page at a time) only for a COMPOSITE
// object, whose checksum is made of theirs, else only counted.
func attributesOf(o *meta.Object, want map[string]bool, max, marker int) getObjectAttributesResponse {
	out := getObjectAttributesResponse{NS: s3NS}
	if want["ETag"] {
		out.ETag = o.ETag
	}
	if want["StorageClass"] {
		out.StorageClass = "STANDARD"
	}
	if want["ObjectSize"] {
		size := o.Size
		out.ObjectSize = &size
	}
	if want["Checksum"] && o.Checksum != nil && o.Checksum.Value != "" {
		c := &attributesChecksum{ChecksumType: o.Checksum.Type}
		v := o.Checksum.Value
		if o.Checksum.Type == "COMPOSITE" {
			if i := strings.LastIndexByte(v, '-'); i > 0 {
				v = v[:i]
			}
		}
		c.set(o.Checksum.Algorithm, v)
		out.Checksum = c
	}
	if want["ObjectParts"] && len(o.Parts) > 0 {
		p := &attributesParts{PartsCount: len(o.Parts)}
		if o.Checksum != nil && o.Checksum.Type == "COMPOSITE" {
			truncated := false
			next := marker
			for _, part := range o.Parts {
				if part.Number <= marker {
					continue
				}
				if len(p.Parts) == max {
					truncated = true
					break
				}
				e := attributesPart{PartNumber: part.Number, Size: part.Size}
				e.set(o.Checksum.Algorithm, part.Checksum)
				p.Parts = append(p.Parts, e)
				next = part.Number
			}
			p.PartNumberMarker, p.NextPartNumberMarker, p.MaxParts, p.IsTruncated = &marker, &next, &max, &truncated
		}
		out.ObjectParts = p
	}
	return out
}
