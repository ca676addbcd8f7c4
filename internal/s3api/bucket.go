package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

// maxXMLBody bounds every XML request body we parse.
const maxXMLBody = 2 << 20

// readXML decodes a small XML request body into v; malformed → MalformedXML.
func readXML(q *request, v any) error {
	data, err := io.ReadAll(io.LimitReader(q.caller.Body, maxXMLBody+1))
	if err != nil {
		return err
	}
	q.bytesIn += int64(len(data))
	if len(data) > maxXMLBody {
		return apierr.MaxMessageLengthExceeded
	}
	if err := verifyBodyDigests(q, data); err != nil {
		return err
	}
	if len(data) == 0 {
		return io.EOF
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return apierr.MalformedXML
	}
	return nil
}

func (a *API) owner() owner { return owner{ID: a.cfg.OwnerID} }

func (a *API) listBuckets(q *request) (*response, error) {
	bs, err := a.meta.ListBuckets(q.ctx)
	if err != nil {
		return nil, err
	}
	acct := a.callerAccount(q)
	out := listAllMyBucketsResult{NS: s3NS, Owner: a.accountOwner(acct)}
	for _, b := range bs {
		if a.bucketOwnerAccount(&b) != acct {
			continue // another account's bucket
		}
		out.Buckets = append(out.Buckets, struct {
			Name         string `xml:"Name"`
			CreationDate string `xml:"CreationDate"`
			BucketRegion string `xml:"BucketRegion,omitempty"`
		}{b.Name, s3Time(b.Created), b.Region})
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func (a *API) createBucket(q *request) (*response, error) {
	if !validBucketName(q.bucket) {
		return nil, apierr.InvalidBucketName.With("BucketName", q.bucket)
	}
	var cfg createBucketConfiguration
	if err := readXML(q, &cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	switch lc := cfg.LocationConstraint; {
	case lc == "" && a.cfg.Region == "us-east-1":
	case lc == "us-east-1" && a.cfg.Region == "us-east-1":
		return nil, &apierr.Error{Code: "InvalidLocationConstraint", Status: 400, Message: "The specified location-constraint is not valid"}
	case lc != a.cfg.Region:
		return nil, &apierr.Error{Code: "IllegalLocationConstraintException", Status: 400,
			Message: "The " + nonEmpty(lc, "unspecified") + " location constraint is incompatible for the region specific endpoint this request was sent to."}
	}
	b := meta.Bucket{Name: q.bucket, Created: time.Now().UTC(), Region: a.cfg.Region, Encryption: a.objects.NewBucketEncryption(),
		PublicAccessBlock: newBucketPublicAccessBlock(), Owner: a.callerAccount(q)}
	if err := a.lockOnCreate(q, &b); err != nil {
		return nil, err
	}
	if err := a.createBucketACL(q, &b); err != nil {
		return nil, err
	}
	if err := a.meta.CreateBucket(q.ctx, b); err != nil {
		return nil, a.bucketTaken(q, err)
	}
	resp := newResponse()
	resp.header.Set("Location", "/"+q.bucket)
	return resp, nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (a *API) headBucket(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.header.Set("x-amz-bucket-region", b.Region)
	return resp, nil
}

func (a *API) deleteBucket(q *request) (*response, error) {
	if err := a.meta.DeleteBucket(q.ctx, q.bucket); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

func (a *API) getBucketLocation(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	region := b.Region
	if region == "us-east-1" {
		region = ""
	}
	resp := newResponse()
	resp.xml = locationConstraint{NS: s3NS, Region: region}
	return resp, nil
}
