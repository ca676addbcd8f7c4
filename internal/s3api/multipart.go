package s3api

import (
	"errors"
	"io"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/sse"
)

func (a *API) createUpload(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	var u object.CreateUploadInput
	u.Bucket, u.Key = q.bucket, q.key
	if err := readObjectHeaders(q.r.Header, &u.Template); err != nil {
		return nil, err
	}
	tags, err := q.requestTags()
	if err != nil {
		return nil, err
	}
	u.Template.Tags = tags
	sw, err := parseSSEWrite(q)
	if err != nil {
		return nil, err
	}
	if alg := q.header("x-amz-checksum-algorithm"); alg != "" {
		u.ChecksumAlgorithm = strings.ToUpper(alg)
		if !checksum.Valid(u.ChecksumAlgorithm) {
			return nil, apierr.InvalidRequest.Msg("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
	}
	u.ChecksumType = strings.ToUpper(q.header("x-amz-checksum-type"))
	switch u.ChecksumType {
	case "":
		if u.ChecksumAlgorithm == "" || u.ChecksumAlgorithm == "CRC64NVME" {
			u.ChecksumType = "FULL_OBJECT"
		} else {
			u.ChecksumType = "COMPOSITE"
		}
	case "COMPOSITE":
		if u.ChecksumAlgorithm == "" || u.ChecksumAlgorithm == "CRC64NVME" {
			return nil, apierr.InvalidRequest.Msg("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
		}
	case "FULL_OBJECT":
		if u.ChecksumAlgorithm == "SHA1" || u.ChecksumAlgorithm == "SHA256" {
			return nil, apierr.InvalidRequest.Msg("The FULL_OBJECT checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(u.ChecksumAlgorithm))
		}
	default:
		return nil, apierr.InvalidRequest.Msg("Value for x-amz-checksum-type header is invalid.")
	}
	if err := a.readLock(q, &u.Template.Retention, &u.Template.LegalHold); err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if u.Template.ACL, err = a.objectWriteACL(q, &b); err != nil {
		return nil, err
	}
	u.SSE, u.KMS = sw, a.kmsFor(q)
	up, err := a.objects.CreateUpload(q.ctx, u)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	writeEncryptionResponse(resp.header, up.Enc)
	q.enc = up.Enc
	if up.ChecksumAlgorithm != "" {
		resp.header.Set("x-amz-checksum-algorithm", up.ChecksumAlgorithm)
		resp.header.Set("x-amz-checksum-type", up.ChecksumType)
	}
	resp.xml = initiateMultipartUploadResult{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: up.ID}
	return resp, nil
}

// maxPartNumber is the highest part number, and so the most parts an upload has.
const maxPartNumber = object.MaxPartNumber

func parsePartNumber(q *request) (int, error) {
	v := q.qget("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, apierr.InvalidArgument.Msg("Part number must be an integer between 1 and 10000, inclusive").Arg("partNumber", v)
	}
	return n, nil
}

// partCustomerKey is what a part request says of SSE-C, for the engine's check against
// the upload: the values present, and the key validated as S3 validates it (HTTPS only).
func partCustomerKey(q *request) object.PartCustomerKey {
	c := readCustomerHeaders(q.r.Header, "")
	return object.PartCustomerKey{Present: c.present(), Key: func() ([]byte, error) {
		key, err := c.validKey()
		if err != nil {
			return nil, err
		}
		if !q.caller.TLS {
			return nil, apierr.SSECInsecure
		}
		return key, nil
	}}
}

func (a *API) uploadPart(q *request) (*response, error) {
	n, err := parsePartNumber(q)
	if err != nil {
		return nil, err
	}
	var body object.Body
	res, err := a.objects.UploadPart(q.ctx, object.UploadPartInput{Bucket: q.bucket, Key: q.key, UploadID: q.qget("uploadId"),
		PartNumber: n, CustomerKey: partCustomerKey(q), KMS: a.kmsFor(q),
		Body: func() (object.Body, error) {
			var err error
			body, err = payloadBody(q)
			return body, err
		}})
	if err != nil {
		return nil, err
	}
	resp := partResponse(q, res)
	if body.Digests.Algorithm != "" {
		resp.header.Set(checksum.Header(res.Algorithm), res.Checksum)
	}
	return resp, nil
}

// partResponse states a stored part's ETag and its upload's encryption.
func partResponse(q *request, res *object.PartResult) *response {
	resp := newResponse()
	resp.header.Set("ETag", quote(res.Part.ETag))
	writeSSEHeaders(resp.header, res.Upload.Enc)
	q.enc = res.Upload.Enc
	return resp
}

// parseCopyRange reads x-amz-copy-source-range ("bytes=first-last"); whether it fits the
// source is the engine's to decide.
func parseCopyRange(v string) (*object.CopyRange, error) {
	bad := apierr.InvalidArgument.Msg("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").Arg("x-amz-copy-source-range", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return nil, bad
	}
	f, l, ok := strings.Cut(spec, "-")
	first, err1 := parseUint(f)
	last, err2 := parseUint(l)
	if !ok || err1 != nil || err2 != nil || last < first {
		return nil, bad
	}
	return &object.CopyRange{First: first, Last: last, Spec: v}, nil
}

// parseUint parses a non-negative decimal without a sign.
func parseUint(s string) (int64, error) {
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}

func (a *API) uploadPartCopy(q *request) (*response, error) {
	n, err := parsePartNumber(q)
	if err != nil {
		return nil, err
	}
	in := object.UploadPartCopyInput{Bucket: q.bucket, Key: q.key, UploadID: q.qget("uploadId"), PartNumber: n,
		CustomerKey: partCustomerKey(q), KMS: a.kmsFor(q)}
	if in.Source, err = a.copySource(q); err != nil {
		return nil, err
	}
	if v := q.header("x-amz-copy-source-range"); v != "" {
		if in.Range, err = parseCopyRange(v); err != nil {
			return nil, err
		}
	}
	res, err := a.objects.UploadPartCopy(q.ctx, in)
	if err != nil {
		return nil, err
	}
	resp := partResponse(q, res)
	out := copyPartResult{NS: s3NS, LastModified: s3Time(time.Now()), ETag: resp.header.Get("ETag")}
	if res.Upload.ChecksumAlgorithm != "" {
		out.set(res.Algorithm, res.Checksum)
	}
	resp.header.Del("ETag")
	resp.xml = out
	return resp, nil
}

func (a *API) completeUpload(q *request) (*response, error) {
	id := q.qget("uploadId")
	parts := func() ([]object.CompletedPart, error) {
		var req completeMultipartUpload
		if err := readCompleteXML(q, &req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, apierr.MalformedXML
			}
			return nil, err
		}
		if len(req.Parts) == 0 {
			return nil, apierr.MalformedXML
		}
		if err := checkPartList(&req); err != nil {
			return nil, err
		}
		out := make([]object.CompletedPart, len(req.Parts))
		for i, rp := range req.Parts {
			out[i] = object.CompletedPart{Number: rp.PartNumber, ETag: rp.ETag, Checksum: rp.get}
		}
		return out, nil
	}
	typ, err := completeChecksumHeaders(q.r.Header)
	if err != nil {
		return nil, err
	}
	o, _, err := a.objects.Complete(q.ctx, object.CompleteInput{Bucket: q.bucket, Key: q.key, UploadID: id, Parts: parts,
		FullObjectChecksum: func(alg string) string { return q.r.Header.Get(checksum.Header(alg)) },
		ChecksumType:       typ, CustomerKey: partCustomerKey(q), KMS: a.kmsFor(q),
		Cond: writeConditions(q.r.Header)})
	if err != nil {
		return nil, err
	}
	res := completeMultipartUploadResult{NS: s3NS, Location: location(q), Bucket: q.bucket, Key: q.key, ETag: quote(o.ETag)}
	resp := newResponse()
	q.enc, q.versionID = o.Enc, wireVersion(o.VersionID)
	setVersionHeader(resp.header, o.VersionID, false)
	if o.Enc != nil && o.Enc.Mode != sse.ModeC { // S3 answers an SSE-C complete without SSE headers
		writeSSEHeaders(resp.header, o.Enc)
	}
	if o.Checksum != nil { // the upload's, or the CRC64NVME S3 adds to one that named none
		res.set(o.Checksum.Algorithm, o.Checksum.Value)
		res.ChecksumType = o.Checksum.Type
	}
	resp.xml = res
	return resp, nil
}

// checkPartList checks the part numbers of a CompleteMultipartUpload before any part is
// looked up: each from 1 to 10,000 (S3 answers InvalidArgument "PartNumber must be >= 1"
// below), in ascending order. Together they allow at most 10,000 parts, so a longer list
// fails here, cheaply, whatever it names.
func checkPartList(req *completeMultipartUpload) error {
	prev := 0
	for _, rp := range req.Parts {
		switch n := rp.PartNumber; {
		case n < 1:
			return apierr.InvalidArgument.Msg("PartNumber must be >= 1")
		case n > maxPartNumber:
			return apierr.InvalidArgument.Msg("Part number must be an integer between 1 and %d, inclusive", maxPartNumber).
				Arg("PartNumber", strconv.Itoa(n))
		case n <= prev:
			return apierr.InvalidPartOrder
		}
		prev = rp.PartNumber
	}
	return nil
}

func location(q *request) string {
	scheme := "http"
	if q.caller.TLS {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host + "/" + q.bucket + "/" + escapePath(q.key)
}

func (a *API) abortUpload(q *request) (*response, error) {
	if err := a.objects.Abort(q.ctx, q.bucket, q.key, q.qget("uploadId")); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

func (a *API) listParts(q *request) (*response, error) {
	id := q.qget("uploadId")
	if _, err := a.meta.GetUpload(q.ctx, q.bucket, q.key, id); err != nil {
		return nil, err
	}
	max, err := parseMaxKeys(q.qget("max-parts"), 1000)
	if err != nil {
		return nil, err
	}
	marker := 0
	if v := q.qget("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return nil, apierr.InvalidArgument.Msg("Provided part-number-marker not an integer or within integer range").Arg("part-number-marker", v)
		}
	}
	u, parts, more, err := a.objects.ListParts(q.ctx, q.bucket, q.key, id, marker, max)
	if err != nil {
		return nil, err
	}
	if err := a.objects.OpenPartChecksums(q.ctx, q.bucket, u, parts, partCustomerKey(q), a.kmsFor(q)); err != nil {
		return nil, err
	}
	out := listPartsResult{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: id, Initiator: a.bucketOwner(q), Owner: a.bucketOwner(q),
		StorageClass: "STANDARD", PartNumberMarker: marker, MaxParts: max, IsTruncated: more,
		ChecksumAlgorithm: u.ChecksumAlgorithm}
	if u.ChecksumAlgorithm != "" {
		out.ChecksumType = u.ChecksumType
	}
	for _, p := range parts {
		e := partEntry{PartNumber: p.Number, LastModified: s3Time(p.LastModified), ETag: quote(p.ETag), Size: p.Size}
		if u.ChecksumAlgorithm != "" {
			e.set(u.ChecksumAlgorithm, p.Checksum)
		}
		out.Parts = append(out.Parts, e)
		out.NextPartNumberMarker = p.Number
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func (a *API) listUploads(q *request) (*response, error) {
	max, err := parseMaxKeys(q.qget("max-uploads"), 1000)
	if err != nil {
		return nil, err
	}
	urlEnc, err := encodingType(q)
	if err != nil {
		return nil, err
	}
	opt := meta.UploadListOptions{Prefix: q.qget("prefix"), Delimiter: q.qget("delimiter"),
		KeyMarker: q.qget("key-marker"), UploadIDMarker: q.qget("upload-id-marker"), MaxUploads: max}
	res, err := a.objects.ListUploads(q.ctx, q.bucket, opt)
	if err != nil {
		return nil, err
	}
	enc := func(s string) string { return s }
	if urlEnc {
		enc = encodeURL
	}
	out := listMultipartUploadsResult{NS: s3NS, Bucket: q.bucket, KeyMarker: enc(opt.KeyMarker), UploadIDMarker: opt.UploadIDMarker,
		Prefix: enc(opt.Prefix), Delimiter: enc(opt.Delimiter), MaxUploads: max, IsTruncated: res.IsTruncated}
	if urlEnc {
		out.EncodingType = "url"
	}
	if res.IsTruncated {
		out.NextKeyMarker, out.NextUploadIDMarker = enc(res.NextKeyMarker), res.NextUploadIDMarker
	}
	own := a.bucketOwner(q)
	for _, u := range res.Uploads {
		e := uploadEntry{Key: enc(u.Key), UploadID: u.ID, Initiator: own, Owner: own, StorageClass: "STANDARD",
			Initiated: s3Time(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm}
		if u.ChecksumAlgorithm != "" {
			e.ChecksumType = u.ChecksumType
		}
		out.Uploads = append(out.Uploads, e)
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{enc(p)})
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

// escapePath percent-encodes a key for a URL path, keeping '/'.
func escapePath(k string) string {
	return strings.ReplaceAll(neturl.PathEscape(k), "%2F", "/")
}
