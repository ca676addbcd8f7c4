package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go/middleware"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/kv"
)

// registerEndpoint adds the connection flags of the online audit verbs: those of the
// other AWS-facing commands, with --endpoint as a short form of --endpoint-url.
func registerEndpoint(fs *flag.FlagSet, c *connFlags) {
	c.register(fs)
	fs.StringVar(&c.endpoint, "endpoint", "", "the server's `URL` (same as --endpoint-url; default: AWS_ENDPOINT_URL)")
}

// auditSource reads pages of records matching q, newest first: LookupEvents on a running
// server, or the metadata file of a stopped one.
type auditSource interface {
	page(ctx context.Context, q audit.Query) ([]auditEvent, string, error)
}

// onlineSource calls LookupEvents and remembers the request ids of its own calls, so
// that their records (the polling of 'tail', a key lookup) are not shown.
type onlineSource struct {
	cfg aws.Config
	ct  *cloudtrail.Client
	own map[string]time.Time // request id -> when
}

func newOnlineSource(cfg aws.Config) *onlineSource {
	return &onlineSource{cfg: cfg, ct: cloudtrail.NewFromConfig(cfg), own: map[string]time.Time{}}
}

// remember notes the request id of one of this source's own calls.
func (s *onlineSource) remember(md middleware.Metadata) {
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok {
		return
	}
	now := time.Now()
	s.own[id] = now
	for id, at := range s.own {
		if now.Sub(at) > 10*time.Minute {
			delete(s.own, id)
		}
	}
}

func (s *onlineSource) page(ctx context.Context, q audit.Query) ([]auditEvent, string, error) {
	in := &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(int32(q.MaxResults))}
	if q.Attribute != "" {
		in.LookupAttributes = []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKey(q.Attribute), AttributeValue: aws.String(q.Value)}}
	}
	if !q.Start.IsZero() {
		in.StartTime = aws.Time(q.Start)
	}
	if !q.End.IsZero() {
		in.EndTime = aws.Time(q.End)
	}
	if q.NextToken != "" {
		in.NextToken = aws.String(q.NextToken)
	}
	out, err := s.ct.LookupEvents(ctx, in)
	if err != nil {
		return nil, "", err
	}
	s.remember(out.ResultMetadata)
	evs := make([]auditEvent, 0, len(out.Events))
	for _, e := range out.Events {
		raw := []byte(aws.ToString(e.CloudTrailEvent))
		r := new(audit.Record)
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, "", fmt.Errorf("event %s: CloudTrailEvent is not a record: %w", aws.ToString(e.EventId), err)
		}
		evs = append(evs, auditEvent{rec: r, raw: raw})
	}
	return evs, aws.ToString(out.NextToken), nil
}

// mine reports whether r records one of this source's own calls.
func (s *onlineSource) mine(r *audit.Record) bool {
	_, ok := s.own[r.RequestID]
	return ok
}

// resolveKey finds the ARN of the key an alias or key id names, with KMS DescribeKey, so
// that the server can filter on it. Failing that (no kms:DescribeKey permission, a deleted
// key) the filter matches the given name client-side.
func (s *onlineSource) resolveKey(ctx context.Context, f *auditFilter, warn func(string)) {
	if f.key == "" || f.keyARN != "" {
		return
	}
	out, err := kms.NewFromConfig(s.cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(f.key)})
	if err == nil {
		s.remember(out.ResultMetadata)
	}
	if err != nil || out.KeyMetadata == nil {
		warn(fmt.Sprintf("cannot resolve --key %s to a key ARN (%v); matching records that name it", f.key, err))
		return
	}
	f.keyARN = aws.ToString(out.KeyMetadata.Arn)
}

// offlineSource reads a stopped server's store.
type offlineSource struct{ db kv.DB }

func (s offlineSource) page(_ context.Context, q audit.Query) ([]auditEvent, string, error) {
	evs, next, err := audit.LookupDB(s.db, q, time.Now())
	if err != nil {
		return nil, "", err
	}
	out := make([]auditEvent, len(evs))
	for i, e := range evs {
		out[i] = auditEvent{rec: e.Record, raw: e.JSON}
	}
	return out, next, nil
}
