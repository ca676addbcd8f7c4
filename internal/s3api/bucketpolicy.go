package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/policy"
)

var (
	errMalformedPolicy = &apierr.Error{Code: "MalformedPolicy", Status: 400, Message: "Policies must be valid JSON and the first byte must be '{'"}
	errNoPAB           = &apierr.Error{Code: "NoSuchPublicAccessBlockConfiguration", Status: 404, Message: "The public access block configuration was not found"}
)

// readBody reads a small request body and checks its digests.
func readBody(q *request, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(q.caller.Body, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	q.bytesIn += int64(len(data))
	if len(data) > limit {
		return nil, apierr.MaxMessageLengthExceeded
	}
	return data, verifyBodyDigests(q, data)
}

func (a *API) putBucketPolicy(q *request) (*response, error) {
	doc, err := readBody(q, 64<<10)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(doc, policy.Bucket)
	if err != nil {
		if errors.Is(err, policy.ErrMalformed) || errors.Is(err, policy.ErrTooLarge) {
			return nil, errMalformedPolicy.Msg("%s", policy.Reason(err))
		}
		return nil, err
	}
	if err := p.CheckBucketResources(q.bucket); err != nil {
		return nil, errMalformedPolicy.Msg("%s", policy.Reason(err))
	}
	acctBlocks, err := a.accountBlocksPublicPolicy(q)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		if (acctBlocks || b.PublicAccessBlock != nil && b.PublicAccessBlock.BlockPublicPolicy) && p.IsPublic() {
			return apierr.AccessDenied.Msg("User: %s is not authorized to perform: s3:PutBucketPolicy on resource: \"%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
				identityOf(q).ARN, bucketARN(q.bucket))
		}
		b.Policy = string(doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

func (a *API) getBucketPolicy(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, apierr.NoSuchBucketPolicy.With("BucketName", q.bucket)
	}
	resp := newResponse()
	body := []byte(b.Policy)
	resp.header.Set("Content-Type", "application/json")
	resp.header.Set("Content-Length", itoa64(int64(len(body))))
	resp.stream = func(w io.Writer) (int64, error) {
		n, err := w.Write(body)
		return int64(n), err
	}
	return resp, nil
}

func (a *API) deleteBucketPolicy(q *request) (*response, error) {
	return a.setBucket(q, http.StatusNoContent, func(b *meta.Bucket) { b.Policy = "" })
}

type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	NS       string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

func (a *API) getBucketPolicyStatus(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, apierr.NoSuchBucketPolicy.With("BucketName", q.bucket)
	}
	p, err := policy.Parse([]byte(b.Policy), policy.Bucket)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = policyStatus{NS: s3NS, IsPublic: p.IsPublic()}
	return resp, nil
}

type publicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	NS                    string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

func (a *API) putPublicAccessBlock(q *request) (*response, error) {
	var c publicAccessBlockConfiguration
	if err := readXML(q, &c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	pab := &meta.PublicAccessBlock{BlockPublicAcls: c.BlockPublicAcls, IgnorePublicAcls: c.IgnorePublicAcls,
		BlockPublicPolicy: c.BlockPublicPolicy, RestrictPublicBuckets: c.RestrictPublicBuckets}
	return a.setBucket(q, http.StatusOK, func(b *meta.Bucket) { b.PublicAccessBlock = pab })
}

func (a *API) getPublicAccessBlock(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	p := b.PublicAccessBlock
	if p == nil {
		return nil, errNoPAB.With("BucketName", q.bucket)
	}
	resp := newResponse()
	resp.xml = publicAccessBlockConfiguration{NS: s3NS, BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
		BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}
	return resp, nil
}

func (a *API) deletePublicAccessBlock(q *request) (*response, error) {
	return a.setBucket(q, http.StatusNoContent, func(b *meta.Bucket) { b.PublicAccessBlock = nil })
}
