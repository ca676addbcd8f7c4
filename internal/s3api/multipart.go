package s3api

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// newUploadID returns an id that sorts by creation time, so ListMultipartUploads lists one
// key's uploads in initiation order.
func newUploadID() string {
	var r [12]byte
	rand.Read(r[:])
	return fmt.Sprintf("%016x", time.Now().UnixNano()) + hex.EncodeToString(r[:])
}

func (a *API) createUpload(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	u := meta.Upload{ID: newUploadID(), Key: q.key, Initiated: time.Now().UTC()}
	if err := readObjectHeaders(q.r.Header, &u.Template); err != nil {
		return nil, err
	}
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
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	// The encryption (and for SSE-KMS the data key every part's key is sealed under) is
	// fixed now, once for the whole upload.
	if u.Enc, _, err = a.beginWrite(q, sw, &b, q.key); err != nil {
		return nil, err
	}
	if err := a.meta.CreateUpload(q.ctx, q.bucket, u); err != nil {
		return nil, err
	}
	resp := newResponse()
	writeEncryptionResponse(resp.header, u.Enc)
	q.enc = u.Enc
	if u.ChecksumAlgorithm != "" {
		resp.header.Set("x-amz-checksum-algorithm", u.ChecksumAlgorithm)
		resp.header.Set("x-amz-checksum-type", u.ChecksumType)
	}
	resp.xml = initiateMultipartUploadResult{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: u.ID}
	return resp, nil
}

// maxPartNumber is the highest part number, and so the most parts an upload has.
const maxPartNumber = 10000

func parsePartNumber(q *request) (int, error) {
	v := q.qget("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, apierr.InvalidArgument.Msg("Part number must be an integer between 1 and 10000, inclusive").Arg("partNumber", v)
	}
	return n, nil
}

// partAlg is the checksum computed for every part: the upload's, else S3's default.
func partAlg(u *meta.Upload) string {
	if u.ChecksumAlgorithm != "" {
		return u.ChecksumAlgorithm
	}
	return defaultChecksum
}

func (a *API) uploadPart(q *request) (*response, error) {
	n, err := parsePartNumber(q)
	if err != nil {
		return nil, err
	}
	u, err := a.meta.GetUpload(q.ctx, q.bucket, q.key, q.qget("uploadId"))
	if err != nil {
		return nil, err
	}
	spec, err := readDigestSpec(q.r.Header)
	if err != nil {
		return nil, err
	}
	if spec.alg != "" && u.ChecksumAlgorithm != "" && spec.alg != u.ChecksumAlgorithm {
		return nil, apierr.InvalidRequest.Msg("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(u.ChecksumAlgorithm), strings.ToLower(spec.alg))
	}
	w, err := a.openUpload(q, &u)
	if err != nil {
		return nil, err
	}
	sd, err := a.storePayload(q, w, u.ID, n, partAlg(&u))
	if err != nil {
		return nil, err
	}
	resp, err := a.recordPart(q, &u, n, sd)
	if err != nil {
		return nil, err
	}
	if spec.alg != "" {
		resp.header.Set(checksum.Header(sd.alg), sd.ck)
	}
	return resp, nil
}

// openUpload recovers the wrapper of an upload for a part request. An SSE-C upload needs
// the same key on every part (reference §1.4 #13, #14); other uploads must not get one.
func (a *API) openUpload(q *request, u *meta.Upload) (*sse.Wrapper, error) {
	c := readCustomerHeaders(q.r.Header, "")
	isC := u.Enc != nil && u.Enc.Mode == sse.ModeC
	if isC != c.present() {
		return nil, apierr.SSEMultipartMismatch
	}
	var ck []byte
	if isC {
		key, err := c.validKey()
		if err != nil {
			return nil, err
		}
		if !q.caller.TLS {
			return nil, apierr.SSECInsecure
		}
		if !sse.CheckCustomerKey(u.Enc, key, q.bucket, u.Key) {
			return nil, apierr.SSEMultipartKeyMismatch
		}
		ck = key
	}
	return a.sse.Open(q.ctx, a.kmsFor(q), u.Enc, q.bucket, u.Key, ck)
}

func (a *API) recordPart(q *request, u *meta.Upload, n int, sd *storedData) (*response, error) {
	p := meta.Part{Number: n, BlobID: sd.blobID, Size: sd.size, ETag: sd.etag,
		LastModified: time.Now().UTC(), Checksum: sd.ck, SealedKey: sd.sealed}
	if sd.alg != partAlg(u) {
		p.Checksum = ""
	}
	old, err := a.meta.PutPart(q.ctx, q.bucket, u.Key, u.ID, p)
	if err != nil {
		a.blobs.Remove(q.ctx, sd.blobID)
		return nil, err
	}
	if old != nil {
		a.blobs.Remove(q.ctx, old.BlobID)
	}
	resp := newResponse()
	resp.header.Set("ETag", quote(p.ETag))
	writeSSEHeaders(resp.header, u.Enc)
	q.enc = u.Enc
	return resp, nil
}

func parseCopyRange(v string, size int64) (int64, int64, error) {
	bad := apierr.InvalidArgument.Msg("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").Arg("x-amz-copy-source-range", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	f, l, ok := strings.Cut(spec, "-")
	first, err1 := parseUint(f)
	last, err2 := parseUint(l)
	if !ok || err1 != nil || err2 != nil || last < first {
		return 0, 0, bad
	}
	if last >= size {
		return 0, 0, apierr.InvalidRange.Msg("The requested range is not satisfiable").With("RangeRequested", v).With("ActualObjectSize", itoa64(size))
	}
	return first, last - first + 1, nil
}

func (a *API) uploadPartCopy(q *request) (*response, error) {
	n, err := parsePartNumber(q)
	if err != nil {
		return nil, err
	}
	u, err := a.meta.GetUpload(q.ctx, q.bucket, q.key, q.qget("uploadId"))
	if err != nil {
		return nil, err
	}
	w, err := a.openUpload(q, &u)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		src, _, srcW, err := a.copySource(q)
		if err != nil {
			return nil, err
		}
		start, length := int64(0), src.Size
		if v := q.header("x-amz-copy-source-range"); v != "" {
			if start, length, err = parseCopyRange(v, src.Size); err != nil {
				return nil, err
			}
		}
		if length > maxPutSize {
			return nil, apierr.EntityTooLarge
		}
		sd, err := a.copyData(q, src, srcW, start, length, w, u.ID, n, partAlg(&u))
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		resp, err := a.recordPart(q, &u, n, sd)
		if err != nil {
			return nil, err
		}
		res := copyPartResult{NS: s3NS, LastModified: s3Time(time.Now()), ETag: resp.header.Get("ETag")}
		if u.ChecksumAlgorithm != "" {
			res.set(sd.alg, sd.ck)
		}
		resp.header.Del("ETag")
		resp.xml = res
		return resp, nil
	}
}

func (a *API) completeUpload(q *request) (*response, error) {
	id := q.qget("uploadId")
	u, err := a.meta.GetUpload(q.ctx, q.bucket, q.key, id)
	if err != nil {
		return nil, err
	}
	var req completeMultipartUpload
	if err := readXML(q, &req); err != nil {
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
	stored, _, err := a.meta.ListParts(q.ctx, q.bucket, q.key, id, 0, 0)
	if err != nil {
		return nil, err
	}
	byNum := make(map[int]meta.Part, len(stored))
	for _, p := range stored {
		byNum[p.Number] = p
	}
	o := u.Template
	o.Key = q.key
	md5s := md5.New()
	var cks []string
	var sizes []int64
	for i, rp := range req.Parts {
		p, ok := byNum[rp.PartNumber]
		if !ok || strings.Trim(strings.TrimSpace(rp.ETag), `"`) != p.ETag {
			return nil, apierr.InvalidPart.With("PartNumber", strconv.Itoa(rp.PartNumber)).With("ETag", rp.ETag)
		}
		if v := rp.get(partAlg(&u)); v != "" && v != p.Checksum {
			return nil, apierr.InvalidPart.With("PartNumber", strconv.Itoa(rp.PartNumber))
		}
		if i < len(req.Parts)-1 && p.Size < a.cfg.MinPartSize {
			return nil, apierr.EntityTooSmall.With("ProposedSize", itoa64(p.Size)).
				With("MinSizeAllowed", itoa64(a.cfg.MinPartSize)).With("PartNumber", strconv.Itoa(p.Number)).With("ETag", quote(p.ETag))
		}
		raw, _ := hex.DecodeString(p.ETag)
		md5s.Write(raw)
		o.Pieces = append(o.Pieces, meta.Piece{BlobID: p.BlobID, Size: p.Size, SealedKey: p.SealedKey, Upload: id, Part: p.Number})
		o.Parts = append(o.Parts, meta.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum})
		o.Size += p.Size
		cks = append(cks, p.Checksum)
		sizes = append(sizes, p.Size)
	}
	o.ETag = hex.EncodeToString(md5s.Sum(nil)) + "-" + strconv.Itoa(len(req.Parts))
	o.Enc = u.Enc
	o.LastModified = time.Now().UTC()
	if ck, err := objectChecksum(&u, cks, sizes, q.r.Header); err != nil {
		return nil, err
	} else {
		o.Checksum = ck
	}
	old, unused, err := a.meta.CompleteUpload(q.ctx, q.bucket, id, o, writeCondition(q.r.Header))
	if err != nil {
		return nil, err
	}
	a.removeBlobs(q, old)
	for _, p := range unused {
		a.blobs.Remove(q.ctx, p.BlobID)
	}
	res := completeMultipartUploadResult{NS: s3NS, Location: location(q), Bucket: q.bucket, Key: q.key, ETag: quote(o.ETag)}
	resp := newResponse()
	q.enc = o.Enc
	if o.Enc != nil && o.Enc.Mode != sse.ModeC { // S3 answers an SSE-C complete without SSE headers
		writeSSEHeaders(resp.header, o.Enc)
	}
	if o.Checksum != nil && u.ChecksumAlgorithm != "" {
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

// objectChecksum derives a multipart object's checksum from its parts' checksums: the
// checksum of checksums ("-N") for COMPOSITE, the combined CRC for FULL_OBJECT. A full-object
// value the client sent with CompleteMultipartUpload must match.
func objectChecksum(u *meta.Upload, cks []string, sizes []int64, h http.Header) (*meta.Checksum, error) {
	alg := partAlg(u)
	for _, c := range cks {
		if c == "" {
			return nil, nil
		}
	}
	typ := u.ChecksumType
	if typ == "" {
		typ = "FULL_OBJECT"
	}
	var v string
	var ok bool
	if typ == "COMPOSITE" {
		v, ok = checksum.Composite(alg, cks)
	} else {
		v, ok = checksum.CombineCRC(alg, cks, sizes)
	}
	if !ok {
		return nil, nil
	}
	if want := h.Get(checksum.Header(alg)); want != "" && typ == "FULL_OBJECT" && want != v {
		return nil, apierr.BadDigest.Msg("The %s you specified did not match the calculated checksum.", alg)
	}
	return &meta.Checksum{Algorithm: alg, Value: v, Type: typ}, nil
}

func location(q *request) string {
	scheme := "http"
	if q.caller.TLS {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host + "/" + q.bucket + "/" + escapePath(q.key)
}

func (a *API) abortUpload(q *request) (*response, error) {
	parts, err := a.meta.AbortUpload(q.ctx, q.bucket, q.key, q.qget("uploadId"))
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		a.blobs.Remove(q.ctx, p.BlobID)
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

func (a *API) listParts(q *request) (*response, error) {
	id := q.qget("uploadId")
	u, err := a.meta.GetUpload(q.ctx, q.bucket, q.key, id)
	if err != nil {
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
	parts, more, err := a.meta.ListParts(q.ctx, q.bucket, q.key, id, marker, max)
	if err != nil {
		return nil, err
	}
	out := listPartsResult{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: id, Initiator: a.owner(), Owner: a.owner(),
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
	res, err := a.meta.ListUploads(q.ctx, q.bucket, opt)
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
	for _, u := range res.Uploads {
		e := uploadEntry{Key: enc(u.Key), UploadID: u.ID, Initiator: a.owner(), Owner: a.owner(), StorageClass: "STANDARD",
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
