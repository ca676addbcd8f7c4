package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
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

// parseSSEConfiguration validates a PutBucketEncryption body as S3 does. A rule may carry
// only BlockedEncryptionTypes (the bucket's default then stays as it is).
func parseSSEConfiguration(c *sseConfiguration) (object.EncryptionChange, error) {
	var ch object.EncryptionChange
	if len(c.Rules) != 1 || (c.Rules[0].Default == nil && c.Rules[0].Blocked == nil) {
		return ch, apierr.MalformedXML
	}
	r := c.Rules[0]
	if r.Blocked != nil {
		blocked, err := object.ParseBlockedTypes(r.Blocked.Types)
		if err != nil {
			return ch, err
		}
		ch.Blocked = blocked
	}
	if r.Default == nil {
		return ch, nil
	}
	be := &meta.BucketEncryption{Algorithm: r.Default.SSEAlgorithm, KMSMasterKeyID: r.Default.KMSMasterKeyID}
	switch be.Algorithm {
	case sse.ModeS3, sse.ModeKMS:
	case "aws:kms:dsse":
		return ch, apierr.NotImplemented.Msg("Arca does not implement dual-layer SSE-KMS (aws:kms:dsse); use aws:kms.")
	default:
		return ch, apierr.MalformedXML
	}
	if be.KMSMasterKeyID != "" && be.Algorithm != sse.ModeKMS {
		return ch, apierr.InvalidArgument.Msg("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse").
			With("ArgumentName", "ApplyServerSideEncryptionByDefault")
	}
	if r.BucketKey != nil {
		be.BucketKey = *r.BucketKey
	}
	ch.Default = be
	return ch, nil
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
	ch, err := parseSSEConfiguration(&c)
	if err != nil {
		return nil, err
	}
	return a.setBucket(q, http.StatusOK, func(b *meta.Bucket) { b.Encryption = ch.Apply(b.Encryption) })
}

func (a *API) getBucketEncryption(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	be := b.Encryption
	if !object.DefaultConfigured(be) && a.cfg.LegacyBucketEncryption {
		return nil, apierr.ServerSideEncryptionConfigurationNotFound.With("BucketName", q.bucket)
	}
	resp := newResponse()
	resp.xml = encodeBucketEncryption(be)
	return resp, nil
}

// encodeBucketEncryption is GetBucketEncryption's answer for a bucket's configuration: as
// on modern S3, every bucket encrypts with SSE-S3 unless configured otherwise, and the
// blocked types are shown when the bucket has a setting (a bucket from before the SSE-C
// default has none).
func encodeBucketEncryption(be *meta.BucketEncryption) sseConfiguration {
	if be == nil {
		be = &meta.BucketEncryption{}
	}
	bk := be.BucketKey
	rule := sseRule{Default: &sseByDefault{SSEAlgorithm: object.EffectiveDefault(be), KMSMasterKeyID: be.KMSMasterKeyID}, BucketKey: &bk}
	if len(be.Blocked) > 0 {
		rule.Blocked = &blockedTypes{Types: be.Blocked}
	}
	return sseConfiguration{NS: s3NS, Rules: []sseRule{rule}}
}

func (a *API) deleteBucketEncryption(q *request) (*response, error) {
	return a.setBucket(q, http.StatusNoContent, func(b *meta.Bucket) { b.Encryption = object.ResetEncryption(b.Encryption) })
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
