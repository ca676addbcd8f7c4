package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/policy"
)

// Object Lock on the wire (docs/VERSIONS.md, "Object Lock"): the bucket's configuration
// (?object-lock), a version's retention (?retention) and legal hold (?legal-hold), the
// x-amz-object-lock-* headers of writes and reads, and the bypass of GOVERNANCE.

const (
	hLockMode      = "x-amz-object-lock-mode"
	hLockUntil     = "x-amz-object-lock-retain-until-date"
	hLockLegalHold = "x-amz-object-lock-legal-hold"
)

// The same names in canonical form: a lookup with them is a map access, with the lowercase
// names it canonicalizes (allocates) on every request.
var (
	hcLockMode      = http.CanonicalHeaderKey(hLockMode)
	hcLockUntil     = http.CanonicalHeaderKey(hLockUntil)
	hcLockLegalHold = http.CanonicalHeaderKey(hLockLegalHold)
	hBypass         = "x-amz-bypass-governance-retention"
	hBucketLock     = "x-amz-bucket-object-lock-enabled"
	lockTimeFormat  = "2006-01-02T15:04:05.000Z"
)

var (
	errNoBucketLockConfig = &apierr.Error{Code: "ObjectLockConfigurationNotFoundError", Status: http.StatusNotFound,
		Message: "Object Lock configuration does not exist for this bucket"}
	errNoObjectLockConfig = &apierr.Error{Code: "NoSuchObjectLockConfiguration", Status: http.StatusNotFound,
		Message: "The specified object does not have a ObjectLock configuration"}
	errLockNeedsVersioning = &apierr.Error{Code: "InvalidBucketState", Status: http.StatusConflict,
		Message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"}
	errLockedVersioning = &apierr.Error{Code: "InvalidBucketState", Status: http.StatusConflict,
		Message: "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."}
	errUntilPast = apierr.InvalidArgument.Msg("The retain until date must be in the future!")
)

func validLockMode(m string) bool { return m == meta.LockGovernance || m == meta.LockCompliance }

// lockBody is a PutObjectRetention, PutObjectLegalHold or PutObjectLockConfiguration body,
// read once: at authorization when a condition key needs it, else by the handler.
type lockBody struct {
	retention *retentionXML
	hold      *legalHoldXML
	config    *objectLockConfiguration
	err       error
}

// lockBodyOf reads and decodes q's body for its operation (nil for other operations).
func (q *request) lockBodyOf() *lockBody {
	if q.lock != nil || q.o == nil {
		return q.lock
	}
	var v any
	b := &lockBody{}
	switch q.o.Name {
	case "PutObjectRetention":
		b.retention = &retentionXML{}
		v = b.retention
	case "PutObjectLegalHold":
		b.hold = &legalHoldXML{}
		v = b.hold
	case "PutObjectLockConfiguration":
		b.config = &objectLockConfiguration{}
		v = b.config
	default:
		return nil
	}
	q.lock = b
	if q.header("Content-Md5") == "" && !hasChecksumHeader(q.r.Header) {
		b.err = apierr.InvalidRequest.Msg("Missing required header for this request: Content-MD5")
		return b
	}
	if err := readXML(q, v); err != nil {
		if errors.Is(err, io.EOF) {
			err = apierr.MalformedXML
		}
		b.err = err
	}
	return b
}

// remainingDays is s3:object-lock-remaining-retention-days for a retain-until date.
func remainingDays(until time.Time) string {
	d := math.Ceil(time.Until(until).Hours() / 24)
	return strconv.Itoa(int(max(d, 0)))
}

// lockKeys sets the Object Lock condition keys AWS documents for action: from the
// x-amz-object-lock-* headers of a write (PutObject, and BypassGovernanceRetention), or
// from the body of PutObjectRetention and PutObjectLegalHold.
func lockKeys(q *request, action string, r *policy.Request) {
	switch action {
	case "s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention":
	default:
		return
	}
	mode, until, hold := q.header(hcLockMode), q.header(hcLockUntil), q.header(hcLockLegalHold)
	if b := q.lockBodyOf(); b != nil && b.err == nil {
		if b.retention != nil {
			mode, until = b.retention.Mode, b.retention.RetainUntilDate
		}
		if b.hold != nil {
			hold = b.hold.Status
		}
	}
	if action != "s3:PutObjectLegalHold" {
		if mode != "" {
			r.Set(policy.KeyObjectLockMode, mode)
		}
		if until != "" {
			r.Set(policy.KeyObjectLockRetainUntil, until)
			if t, err := time.Parse(time.RFC3339Nano, until); err == nil {
				r.Set(policy.KeyObjectLockRemainingDays, remainingDays(t))
			}
		}
	}
	if hold != "" && action != "s3:PutObjectRetention" {
		r.Set(policy.KeyObjectLockLegalHold, hold)
	}
}

// parseLockHeaders reads the x-amz-object-lock-* headers of a write: both mode and date or
// neither, a date in the future, a legal hold ON or OFF.
func parseLockHeaders(h http.Header) (*meta.Retention, string, error) {
	mode, until, hold := h.Get(hcLockMode), h.Get(hcLockUntil), h.Get(hcLockLegalHold)
	var ret *meta.Retention
	if mode != "" && !validLockMode(mode) {
		return nil, "", apierr.InvalidArgument.Msg("Unknown wormMode directive.").Arg(hLockMode, mode)
	}
	if (mode == "") != (until == "") {
		return nil, "", apierr.InvalidArgument.Msg("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	}
	if until != "" {
		t, err := time.Parse(time.RFC3339Nano, until)
		if err != nil {
			return nil, "", apierr.InvalidArgument.Msg("The retain until date must be provided in ISO 8601 format").Arg(hLockUntil, until)
		}
		if !t.After(time.Now()) {
			return nil, "", errUntilPast.Arg(hLockUntil, until)
		}
		ret = &meta.Retention{Mode: mode, Until: t.UTC()}
	}
	if hold != "" && hold != meta.LegalHoldOn && hold != meta.LegalHoldOff {
		return nil, "", apierr.InvalidArgument.Msg("Legal Hold must be either of 'ON' or 'OFF'").Arg(hLockLegalHold, hold)
	}
	return ret, hold, nil
}

// readLock reads a write's lock headers into ret and hold; they need a bucket with Object
// Lock (InvalidRequest as S3 words it).
func (a *API) readLock(q *request, ret **meta.Retention, hold *string) error {
	r, h, err := parseLockHeaders(q.r.Header)
	if err != nil || (r == nil && h == "") {
		return err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return err
	}
	if b.ObjectLock == nil || !b.ObjectLock.Enabled {
		return apierr.LockNotEnabled
	}
	*ret, *hold = r, h
	return nil
}

// bypassGovernance: the request asks to bypass GOVERNANCE retention and its caller is
// allowed s3:BypassGovernanceRetention on the object (a second decision; without it the
// request is treated as not asking).
func (a *API) bypassGovernance(q *request, bucket, key string) bool {
	if !strings.EqualFold(q.header(hBypass), "true") {
		return false
	}
	return a.authorizeOn(q, bucket, "s3:BypassGovernanceRetention", objectARN(bucket, key)) == nil
}

// writeLockHeaders states a version's lock settings on GET and HEAD, each to a caller
// allowed to read it (s3:GetObjectRetention, s3:GetObjectLegalHold), as S3 does.
func (a *API) writeLockHeaders(q *request, h http.Header, o *meta.Object) {
	if o.Retention != nil && a.authorizeOn(q, q.bucket, "s3:GetObjectRetention", objectARN(q.bucket, q.key)) == nil {
		h.Set(hLockMode, o.Retention.Mode)
		h.Set(hLockUntil, o.Retention.Until.UTC().Format(lockTimeFormat))
	}
	if o.LegalHold != "" && a.authorizeOn(q, q.bucket, "s3:GetObjectLegalHold", objectARN(q.bucket, q.key)) == nil {
		h.Set(hLockLegalHold, o.LegalHold)
	}
}

// lockOnCreate reads x-amz-bucket-object-lock-enabled of a CreateBucket: true makes the
// bucket versioned with Object Lock, which needs s3:PutBucketObjectLockConfiguration and
// s3:PutBucketVersioning as well (decided with identity policies: no bucket policy yet).
func (a *API) lockOnCreate(q *request, b *meta.Bucket) error {
	v := q.header(hBucketLock)
	if v == "" || strings.EqualFold(v, "false") {
		return nil
	}
	if !strings.EqualFold(v, "true") {
		return apierr.InvalidArgument.Msg("Invalid value for header x-amz-bucket-object-lock-enabled").Arg(hBucketLock, v)
	}
	if a.authz != nil {
		for _, action := range []string{"s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"} {
			if err := a.authz.S3(q.ctx, identityOf(q), a.policyRequest(q, action, bucketARN(q.bucket)), authz.S3Resource{}); err != nil {
				return err
			}
		}
	}
	b.Versioning = meta.VersioningEnabled
	b.ObjectLock = &meta.ObjectLock{Enabled: true}
	return nil
}

// lockAuditParams adds a request's Object Lock parameters to its audit record.
func lockAuditParams(q *request, params map[string]any) {
	for _, h := range []string{hLockMode, hLockUntil, hLockLegalHold, hBypass, hBucketLock} {
		if v := q.header(h); v != "" {
			params[h] = v
		}
	}
	b := q.lock
	if b == nil || b.err != nil {
		return
	}
	switch {
	case b.retention != nil:
		params["Retention"] = map[string]any{"Mode": b.retention.Mode, "RetainUntilDate": b.retention.RetainUntilDate}
	case b.hold != nil:
		params["LegalHold"] = map[string]any{"Status": b.hold.Status}
	case b.config != nil:
		c := map[string]any{"ObjectLockEnabled": b.config.ObjectLockEnabled}
		if r := b.config.Rule; r != nil && r.DefaultRetention != nil {
			d := map[string]any{"Mode": r.DefaultRetention.Mode}
			if r.DefaultRetention.Days != nil {
				d["Days"] = *r.DefaultRetention.Days
			}
			if r.DefaultRetention.Years != nil {
				d["Years"] = *r.DefaultRetention.Years
			}
			c["Rule"] = map[string]any{"DefaultRetention": d}
		}
		params["ObjectLockConfiguration"] = c
	}
}

type objectLockConfiguration struct {
	XMLName           xml.Name  `xml:"ObjectLockConfiguration"`
	NS                string    `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string    `xml:"ObjectLockEnabled,omitempty"`
	Rule              *lockRule `xml:"Rule,omitempty"`
}

type lockRule struct {
	DefaultRetention *defaultRetention `xml:"DefaultRetention"`
}

type defaultRetention struct {
	Mode  string `xml:"Mode,omitempty"`
	Days  *int   `xml:"Days,omitempty"`
	Years *int   `xml:"Years,omitempty"`
}

type retentionXML struct {
	XMLName         xml.Name `xml:"Retention"`
	NS              string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

type legalHoldXML struct {
	XMLName xml.Name `xml:"LegalHold"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

// checkLockConfig validates a PutObjectLockConfiguration body as S3 does.
func checkLockConfig(c *objectLockConfiguration) (*meta.ObjectLock, error) {
	if c.ObjectLockEnabled != "Enabled" {
		return nil, apierr.MalformedXML
	}
	l := &meta.ObjectLock{Enabled: true}
	if c.Rule == nil {
		return l, nil
	}
	d := c.Rule.DefaultRetention
	if d == nil || !validLockMode(d.Mode) || (d.Days == nil) == (d.Years == nil) {
		return nil, apierr.MalformedXML
	}
	n, limit := d.Days, 36500
	if d.Years != nil {
		n, limit = d.Years, 100
	}
	if *n <= 0 {
		return nil, apierr.InvalidArgument.Msg("Default retention period must be a positive integer value")
	}
	if *n > limit {
		return nil, apierr.InvalidArgument.Msg("Default retention period is too large.")
	}
	l.Mode = d.Mode
	if d.Days != nil {
		l.Days = *d.Days
	} else {
		l.Years = *d.Years
	}
	return l, nil
}

func (a *API) putObjectLockConfiguration(q *request) (*response, error) {
	b := q.lockBodyOf()
	if b.err != nil {
		return nil, b.err
	}
	cfg, err := checkLockConfig(b.config)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(q.ctx, q.bucket, func(bk *meta.Bucket) error {
		if (bk.ObjectLock == nil || !bk.ObjectLock.Enabled) && bk.Versioning != meta.VersioningEnabled {
			return errLockNeedsVersioning
		}
		bk.ObjectLock = cfg
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(), nil
}

func (a *API) getObjectLockConfiguration(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	l := b.ObjectLock
	if l == nil || !l.Enabled {
		return nil, errNoBucketLockConfig
	}
	out := objectLockConfiguration{NS: s3NS, ObjectLockEnabled: "Enabled"}
	if l.Mode != "" {
		d := &defaultRetention{Mode: l.Mode}
		if l.Years > 0 {
			d.Years = &l.Years
		} else {
			d.Days = &l.Days
		}
		out.Rule = &lockRule{DefaultRetention: d}
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

// versionLockBody is what PutObjectRetention and PutObjectLegalHold read first: a valid
// key, the ?versionId and the decoded body.
func versionLockBody(q *request) (string, *lockBody, error) {
	if err := checkKey(q.key); err != nil {
		return "", nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return "", nil, err
	}
	b := q.lockBodyOf()
	if b.err != nil {
		return "", nil, b.err
	}
	return vid, b, nil
}

func (a *API) putObjectRetention(q *request) (*response, error) {
	vid, b, err := versionLockBody(q)
	if err != nil {
		return nil, err
	}
	in := object.RetentionInput{Bucket: q.bucket, Key: q.key, VersionID: vid}
	switch r := b.retention; {
	case r.Mode == "" && r.RetainUntilDate == "": // removes the retention
	case !validLockMode(r.Mode) || r.RetainUntilDate == "":
		return nil, apierr.MalformedXML
	default:
		t, err := time.Parse(time.RFC3339Nano, r.RetainUntilDate)
		if err != nil {
			return nil, apierr.MalformedXML
		}
		if !t.After(time.Now()) {
			return nil, errUntilPast
		}
		in.Retention = &meta.Retention{Mode: r.Mode, Until: t.UTC()}
	}
	in.BypassGovernance = a.bypassGovernance(q, q.bucket, q.key)
	if err := a.objects.PutRetention(q.ctx, in); err != nil {
		return nil, err
	}
	q.versionID = vid
	return newResponse(), nil
}

func (a *API) getObjectRetention(q *request) (*response, error) {
	o, err := a.lockOf(q)
	if err != nil {
		return nil, err
	}
	if o.Retention == nil {
		return nil, errNoObjectLockConfig
	}
	resp := newResponse()
	resp.xml = retentionXML{NS: s3NS, Mode: o.Retention.Mode, RetainUntilDate: o.Retention.Until.UTC().Format(lockTimeFormat)}
	return resp, nil
}

func (a *API) putObjectLegalHold(q *request) (*response, error) {
	vid, b, err := versionLockBody(q)
	if err != nil {
		return nil, err
	}
	if s := b.hold.Status; s != meta.LegalHoldOn && s != meta.LegalHoldOff {
		return nil, apierr.MalformedXML
	}
	if err := a.objects.PutLegalHold(q.ctx, q.bucket, q.key, vid, b.hold.Status); err != nil {
		return nil, err
	}
	q.versionID = vid
	return newResponse(), nil
}

func (a *API) getObjectLegalHold(q *request) (*response, error) {
	o, err := a.lockOf(q)
	if err != nil {
		return nil, err
	}
	if o.LegalHold == "" {
		return nil, errNoObjectLockConfig
	}
	resp := newResponse()
	resp.xml = legalHoldXML{NS: s3NS, Status: o.LegalHold}
	return resp, nil
}

// lockOf reads the version a GetObjectRetention or GetObjectLegalHold names.
func (a *API) lockOf(q *request) (*meta.Object, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	o, err := a.objects.LockOf(q.ctx, q.bucket, q.key, vid)
	if (errors.Is(err, object.ErrDeleteMarker) || errors.Is(err, object.ErrVersionIsDeleteMarker)) && o != nil {
		q.markerHeaders(o)
	}
	if err != nil {
		return nil, err
	}
	q.versionID = wireVersion(o.VersionID)
	return o, nil
}
