package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

type sseByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type blockedTypes struct {
	Types []string `xml:"EncryptionType"`
}

type sseRule struct {
	Default   *sseByDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKey *bool         `xml:"BucketKeyEnabled"`
	Blocked   *blockedTypes `xml:"BlockedEncryptionTypes"`
}

type sseConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	NS      string    `xml:"xmlns,attr,omitempty"`
	Rules   []sseRule `xml:"Rule"`
}

// parseSSEConfiguration validates a PutBucketEncryption body as S3 does.
func parseSSEConfiguration(c *sseConfiguration) (*meta.BucketEncryption, error) {
	if len(c.Rules) != 1 || c.Rules[0].Default == nil {
		return nil, apierr.MalformedXML
	}
	r := c.Rules[0]
	be := &meta.BucketEncryption{Algorithm: r.Default.SSEAlgorithm, KMSMasterKeyID: r.Default.KMSMasterKeyID}
	switch be.Algorithm {
	case sse.ModeS3, sse.ModeKMS:
	case "aws:kms:dsse":
		return nil, apierr.NotImplemented.Msg("Arca does not implement dual-layer SSE-KMS (aws:kms:dsse); use aws:kms.")
	default:
		return nil, apierr.MalformedXML
	}
	if be.KMSMasterKeyID != "" && be.Algorithm != sse.ModeKMS {
		return nil, apierr.InvalidArgument.Msg("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse").
			With("ArgumentName", "ApplyServerSideEncryptionByDefault")
	}
	if r.BucketKey != nil {
		be.BucketKey = *r.BucketKey
	}
	if r.Blocked != nil {
		for _, t := range r.Blocked.Types {
			switch t {
			case "NONE":
			case "SSE-C":
				be.Blocked = append(be.Blocked, t)
			default:
				return nil, apierr.MalformedXML
			}
		}
	}
	return be, nil
}

func (a *API) putBucketEncryption(q *request) (*response, error) {
	if q.header("Content-Md5") == "" && !hasChecksumHeader(q.r.Header) {
		return nil, apierr.InvalidRequest.Msg("Missing required header for this request: Content-MD5")
	}
	var c sseConfiguration
	if err := readXML(q, &c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	be, err := parseSSEConfiguration(&c)
	if err != nil {
		return nil, err
	}
	return a.setBucket(q, http.StatusOK, func(b *meta.Bucket) { b.Encryption = be })
}

func (a *API) getBucketEncryption(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	be := b.Encryption
	if be == nil {
		if a.cfg.LegacyBucketEncryption {
			return nil, apierr.ServerSideEncryptionConfigurationNotFound.With("BucketName", q.bucket)
		}
		// Modern S3: every bucket encrypts with SSE-S3 unless configured otherwise.
		be = &meta.BucketEncryption{Algorithm: sse.ModeS3}
	}
	bk := be.BucketKey
	rule := sseRule{Default: &sseByDefault{SSEAlgorithm: be.Algorithm, KMSMasterKeyID: be.KMSMasterKeyID}, BucketKey: &bk}
	if len(be.Blocked) > 0 {
		rule.Blocked = &blockedTypes{Types: be.Blocked}
	}
	resp := newResponse()
	resp.xml = sseConfiguration{NS: s3NS, Rules: []sseRule{rule}}
	return resp, nil
}

func (a *API) deleteBucketEncryption(q *request) (*response, error) {
	return a.setBucket(q, http.StatusNoContent, func(b *meta.Bucket) { b.Encryption = nil })
}

// setBucket changes a bucket's configuration atomically and answers with status.
func (a *API) setBucket(q *request, status int, change func(*meta.Bucket)) (*response, error) {
	err := a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		change(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &response{status: status, header: http.Header{}}, nil
}
