package s3api

import (
	"context"
	"encoding/xml"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/invreport"
)

// InventoryRunner writes an inventory report now (invreport.Service.Run). Errors:
// meta.ErrNoSuchBucket, invreport.ErrNoSuchConfiguration, ErrFormatNotSupported,
// ErrNoDestination, ErrDestinationDenied, the object engine's write errors.
type InventoryRunner interface {
	Run(ctx context.Context, bucket, id string) (*invreport.Result, error)
}

// runInventoryResult is the answer of RunBucketInventoryConfiguration (an Arca extension):
// where the report went and what it holds.
type runInventoryResult struct {
	XMLName           xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ RunInventoryConfigurationResult"`
	ID                string   `xml:"Id"`
	Bucket            string   `xml:"Bucket"`
	DestinationBucket string   `xml:"DestinationBucket"`
	ManifestKey       string   `xml:"ManifestKey"`
	CreationTimestamp string   `xml:"CreationTimestamp"`
	Files             int      `xml:"Files"`
	Rows              int64    `xml:"Rows"`
	Objects           int64    `xml:"Objects"`
	Bytes             int64    `xml:"Bytes"`
}

// runBucketInventoryConfiguration is POST /{bucket}?inventory&id=ID: Arca's on-demand
// inventory report, written before the answer (authorized as s3:PutInventoryConfiguration,
// a management event).
func (a *API) runBucketInventoryConfiguration(q *request) (*response, error) {
	id := q.qget("id")
	if !q.qhas("id") || id == "" {
		return nil, apierr.InvalidArgument.Msg("Inventory configuration ID is required.").Arg("id", id)
	}
	if a.inventory == nil {
		return nil, apierr.NotImplemented.Msg("Inventory reports are not available on this server.")
	}
	res, err := a.inventory.Run(q.ctx, q.bucket, id)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = runInventoryResult{ID: res.ID, Bucket: res.SourceBucket, DestinationBucket: "arn:aws:s3:::" + res.DestinationBucket,
		ManifestKey: res.ManifestKey, CreationTimestamp: res.Created.UTC().Format(time.RFC3339), Files: len(res.Files),
		Rows: res.Rows, Objects: res.Objects, Bytes: res.Bytes}
	return resp, nil
}
