package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/sse"
)

// UpdateObjectEncryption (docs/SSE.md, "Changing an existing object's encryption"):
// PUT /{bucket}/{key}?encryption[&versionId=] with an ObjectEncryption body rewraps the
// version's data keys under an SSE-KMS key without touching its bytes. The row's action is
// s3:UpdateObjectEncryption; the handler also needs s3:PutObject on the object, as AWS asks
// for both. KMS is called as the caller: kms:Decrypt on the old key, kms:GenerateDataKey on
// the new one.

// objectEncryptionXML is the ObjectEncryption union; only its SSE-KMS member exists.
type objectEncryptionXML struct {
	XMLName xml.Name        `xml:"ObjectEncryption"`
	SSEKMS  *ssekmsXML      `xml:"SSE-KMS"`
	Other   []xmlOtherChild `xml:",any"`
}

type ssekmsXML struct {
	KMSKeyArn        *string `xml:"KMSKeyArn"`
	BucketKeyEnabled *string `xml:"BucketKeyEnabled"`
}

type xmlOtherChild struct {
	XMLName xml.Name
}

// kmsKeyARN is the form AWS's model gives a KMSKeyArn (NonEmptyKmsKeyArnString): a key
// ARN, never a key id, an alias or an alias ARN.
var kmsKeyARN = regexp.MustCompile(`^arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$`)

// objectEncryptionRequest is a decoded, validated ObjectEncryption body.
type objectEncryptionRequest struct {
	KeyARN    string
	BucketKey bool
}

// parseObjectEncryption validates an ObjectEncryption body as S3 does, in AWS's words.
func parseObjectEncryption(c *objectEncryptionXML) (objectEncryptionRequest, error) {
	var r objectEncryptionRequest
	if c.SSEKMS == nil {
		for _, o := range c.Other {
			switch strings.ToUpper(strings.ReplaceAll(o.XMLName.Local, "-", "")) {
			case "SSEC", "DSSEKMS":
				return r, apierr.UpdateEncTargetType
			}
		}
		return r, apierr.UpdateEncNoType
	}
	if len(c.Other) > 0 {
		return r, apierr.MalformedXML // a union names one member
	}
	k := c.SSEKMS
	if k.KMSKeyArn == nil || strings.TrimSpace(*k.KMSKeyArn) == "" {
		return r, apierr.UpdateEncNoKeyARN
	}
	r.KeyARN = strings.TrimSpace(*k.KMSKeyArn)
	if len(r.KeyARN) > 2048 || !kmsKeyARN.MatchString(r.KeyARN) {
		return r, apierr.UpdateEncBadKeyARN
	}
	if k.BucketKeyEnabled != nil {
		switch strings.TrimSpace(*k.BucketKeyEnabled) {
		case "true":
			r.BucketKey = true
		case "false":
		default:
			return r, apierr.UpdateEncBucketKey
		}
	}
	return r, nil
}

// arnAccount is the account field of an ARN.
func arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	return f[4]
}

// rewrapAudit is what the audit record of an UpdateObjectEncryption names: the encryption
// asked for, and the one the version had before.
type rewrapAudit struct {
	req      objectEncryptionRequest
	previous *meta.Encryption
}

func (a *API) updateObjectEncryption(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	if q.caller.SignatureVersion == "SigV2" {
		return nil, apierr.UpdateEncSigV4
	}
	// The row authorized s3:UpdateObjectEncryption; AWS requires s3:PutObject as well.
	if err := a.authorizeOn(q, q.bucket, "s3:PutObject", objectARN(q.bucket, q.key)); err != nil {
		return nil, err
	}
	// The body's digest protects it on the wire; a service calling in process on the
	// caller's behalf (Batch Operations' executor) has none to protect.
	if q.header("Content-Md5") == "" && !hasChecksumHeader(q.r.Header) && q.caller.InvokedBy == "" {
		return nil, apierr.InvalidRequest.Msg("Missing required header for this request: Content-MD5")
	}
	var body objectEncryptionXML
	if err := readXML(q, &body); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.MalformedXML
		}
		return nil, err
	}
	req, err := parseObjectEncryption(&body)
	if err != nil {
		return nil, err
	}
	q.rewrap = &rewrapAudit{req: req}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if arnAccount(req.KeyARN) != a.bucketOwnerAccount(&b) {
		return nil, apierr.UpdateEncKeyAccount
	}
	kms := a.kmsFor(q)
	if kms == nil {
		return nil, apierr.NotImplemented.Msg("SSE-KMS is not available: this server has no KMS.")
	}
	res, err := a.objects.Rewrap(q.ctx, object.UpdateEncryptionInput{Bucket: q.bucket, Key: q.key, VersionID: vid,
		KMSKeyARN: req.KeyARN, BucketKey: req.BucketKey, KMS: kms})
	if err != nil {
		return nil, err
	}
	q.rewrap.previous = res.Previous
	q.enc = res.Object.Enc
	q.versionID = wireVersion(res.Object.VersionID)
	return newResponse(), nil
}

// rewrapAuditFields adds an UpdateObjectEncryption's encryptions to its audit record: the
// ObjectEncryption asked for among the request parameters (as CloudTrail records a
// request body), and in additionalEventData "previousEncryption", how the version was
// encrypted before (docs/AUDIT.md).
func rewrapAuditFields(q *request, params, add map[string]any) {
	if q.rewrap == nil {
		return
	}
	r := q.rewrap.req
	params["ObjectEncryption"] = map[string]any{"SSE-KMS": map[string]any{"KMSKeyArn": r.KeyARN, "BucketKeyEnabled": r.BucketKey}}
	if p := q.rewrap.previous; p != nil {
		prev := map[string]any{"SSEAlgorithm": p.Mode}
		if p.Mode == sse.ModeKMS {
			prev["KMSKeyArn"], prev["BucketKeyEnabled"] = p.KMSKeyARN, p.BucketKey
		}
		add["previousEncryption"] = prev
	}
}
