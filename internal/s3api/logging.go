package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"time"

	"github.com/arcastore/arca/internal/accesslog"
	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/meta"
)

// Server access logging configuration (docs/ACCESS-LOGS.md): Put/GetBucketLogging with S3's
// BucketLoggingStatus document. The lines themselves come from the audit records
// (logging_audit.go) and are delivered by internal/accesslog.

// loggingStatusXML is BucketLoggingStatus; Other catches elements S3 does not define.
type loggingStatusXML struct {
	XMLName xml.Name           `xml:"BucketLoggingStatus"`
	NS      string             `xml:"xmlns,attr,omitempty"`
	Enabled *loggingEnabledXML `xml:"LoggingEnabled"`
	Other   []xml.Name         `xml:",any"`
}

type loggingEnabledXML struct {
	TargetBucket *string `xml:"TargetBucket"`
	// TargetPrefix is written even when empty, as S3 does.
	TargetPrefix *string          `xml:"TargetPrefix"`
	TargetGrants *targetGrantsXML `xml:"TargetGrants"`
	KeyFormat    *keyFormatXML    `xml:"TargetObjectKeyFormat"`
	Other        []xml.Name       `xml:",any"`
}

type targetGrantsXML struct {
	Grants []struct {
		Permission string     `xml:"Permission"`
		Any        []xml.Name `xml:",any"`
	} `xml:"Grant"`
	Other []xml.Name `xml:",any"`
}

type keyFormatXML struct {
	Simple      *struct{} `xml:"SimplePrefix"`
	Partitioned *struct {
		DateSource string     `xml:"PartitionDateSource,omitempty"`
		Other      []xml.Name `xml:",any"`
	} `xml:"PartitionedPrefix"`
	Other []xml.Name `xml:",any"`
}

// maxLoggingDoc bounds a BucketLoggingStatus document.
const maxLoggingDoc = 64 << 10

// parseLoggingStatus reads a BucketLoggingStatus document: the configuration (nil: logging
// off) and whether it carried TargetGrants.
func parseLoggingStatus(data []byte) (*accesslog.Config, bool, error) {
	var d loggingStatusXML
	if err := xml.Unmarshal(data, &d); err != nil || len(d.Other) > 0 {
		return nil, false, errs.New(accesslog.ErrMalformed, "")
	}
	e := d.Enabled
	if e == nil {
		return nil, false, nil
	}
	if len(e.Other) > 0 || e.TargetBucket == nil || e.TargetPrefix == nil {
		return nil, false, errs.New(accesslog.ErrMalformed, "")
	}
	c := &accesslog.Config{TargetBucket: *e.TargetBucket, TargetPrefix: *e.TargetPrefix}
	grants := false
	if g := e.TargetGrants; g != nil {
		if len(g.Other) > 0 {
			return nil, false, errs.New(accesslog.ErrMalformed, "")
		}
		for _, gr := range g.Grants {
			switch gr.Permission {
			case "FULL_CONTROL", "READ", "WRITE":
			default:
				return nil, false, errs.New(accesslog.ErrMalformed, "")
			}
		}
		grants = len(g.Grants) > 0
	}
	if f := e.KeyFormat; f != nil {
		switch {
		case len(f.Other) > 0 || (f.Simple != nil) == (f.Partitioned != nil):
			return nil, false, errs.New(accesslog.ErrMalformed, "")
		case f.Partitioned != nil:
			if len(f.Partitioned.Other) > 0 {
				return nil, false, errs.New(accesslog.ErrMalformed, "")
			}
			c.KeyFormat, c.PartitionDateSource = accesslog.FormatPartitioned, f.Partitioned.DateSource
		}
	}
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	return c, grants, nil
}

// loggingStatusOf is the GetBucketLogging document of c (nil: logging off).
func loggingStatusOf(c *accesslog.Config) loggingStatusXML {
	d := loggingStatusXML{NS: s3NS}
	if c == nil {
		return d
	}
	bucket, prefix := c.TargetBucket, c.TargetPrefix
	e := &loggingEnabledXML{TargetBucket: &bucket, TargetPrefix: &prefix}
	if c.KeyFormat == accesslog.FormatPartitioned {
		e.KeyFormat = &keyFormatXML{Partitioned: &struct {
			DateSource string     `xml:"PartitionDateSource,omitempty"`
			Other      []xml.Name `xml:",any"`
		}{DateSource: c.PartitionDateSource}}
	}
	d.Enabled = e
	return d
}

func (a *API) putBucketLogging(q *request) (*response, error) {
	doc, err := readBody(q, maxLoggingDoc)
	if err != nil {
		return nil, err
	}
	c, grants, err := parseLoggingStatus(doc)
	if err != nil {
		return nil, err
	}
	if c != nil {
		src, err := a.meta.GetBucket(q.ctx, q.bucket)
		if err != nil {
			return nil, err
		}
		var target *accesslog.Bucket
		t, err := a.meta.GetBucket(q.ctx, c.TargetBucket)
		switch {
		case errors.Is(err, meta.ErrNoSuchBucket):
		case err != nil:
			return nil, err
		default:
			tb := a.loggingBucket(&t)
			target = &tb
		}
		if err := accesslog.CheckTarget(a.loggingBucket(&src), target, c, grants, time.Now()); err != nil {
			return nil, err
		}
	}
	return a.setBucket(q, http.StatusOK, func(b *meta.Bucket) { b.Logging = c })
}

// loggingBucket is what the logging target check knows of b.
func (a *API) loggingBucket(b *meta.Bucket) accesslog.Bucket {
	region := b.Region
	if region == "" {
		region = a.cfg.Region
	}
	return accesslog.Bucket{Name: b.Name, Owner: a.bucketOwnerAccount(b), Region: region, Policy: b.Policy,
		OwnerEnforced: b.Ownership == acl.BucketOwnerEnforced}
}

func (a *API) getBucketLogging(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = loggingStatusOf(b.Logging)
	return resp, nil
}
