package trailapi

import (
	"context"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/trails"
)

// DefaultTrailName is the trail that exists from first start.
const DefaultTrailName = trails.DefaultName

// trailOut is a Trail as DescribeTrails and GetTrail answer it.
type trailOut struct {
	Name                       string
	S3BucketName               string `json:",omitempty"`
	S3KeyPrefix                string `json:",omitempty"`
	IncludeGlobalServiceEvents bool
	IsMultiRegionTrail         bool
	HomeRegion                 string
	TrailARN                   string
	LogFileValidationEnabled   bool
	KmsKeyId                   string `json:",omitempty"`
	HasCustomEventSelectors    bool
	HasInsightSelectors        bool
	IsOrganizationTrail        bool
}

func describe(t *trails.Trail) trailOut {
	return trailOut{Name: t.Name, S3BucketName: t.Bucket, S3KeyPrefix: t.Prefix, IncludeGlobalServiceEvents: true,
		HomeRegion: t.HomeRegion, TrailARN: t.ARN, LogFileValidationEnabled: t.Validation, KmsKeyId: t.KMSKeyARN}
}

// changeOut is what CreateTrail and UpdateTrail answer.
type changeOut struct {
	Name                       string
	S3BucketName               string
	S3KeyPrefix                string `json:",omitempty"`
	IncludeGlobalServiceEvents bool
	IsMultiRegionTrail         bool
	TrailARN                   string
	LogFileValidationEnabled   bool
	KmsKeyId                   string `json:",omitempty"`
	IsOrganizationTrail        bool
}

func changed(t *trails.Trail) changeOut {
	return changeOut{Name: t.Name, S3BucketName: t.Bucket, S3KeyPrefix: t.Prefix, IncludeGlobalServiceEvents: true,
		TrailARN: t.ARN, LogFileValidationEnabled: t.Validation, KmsKeyId: t.KMSKeyARN}
}

// unsupportedTrailOptions rejects the CreateTrail/UpdateTrail options Arca has nothing for.
type trailOptions struct {
	SnsTopicName              *string
	CloudWatchLogsLogGroupArn *string
	CloudWatchLogsRoleArn     *string
	IsMultiRegionTrail        *bool
	IsOrganizationTrail       *bool
}

func (o trailOptions) check() error {
	switch {
	case o.SnsTopicName != nil && *o.SnsTopicName != "":
		return apierr.NewJSON("InvalidParameterCombinationException", 400, "Arca does not deliver SNS notifications; omit SnsTopicName.")
	case o.CloudWatchLogsLogGroupArn != nil && *o.CloudWatchLogsLogGroupArn != "" || o.CloudWatchLogsRoleArn != nil && *o.CloudWatchLogsRoleArn != "":
		return apierr.NewJSON("InvalidParameterCombinationException", 400, "Arca does not deliver to CloudWatch Logs; omit the CloudWatchLogs parameters.")
	case o.IsOrganizationTrail != nil && *o.IsOrganizationTrail:
		return apierr.NewJSON("OrganizationsNotInUseException", 400, "This account is not part of an organization.")
	}
	return nil // IsMultiRegionTrail: Arca is one region, so every trail sees all of it
}

func (a *API) createTrail(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		Name, S3BucketName, S3KeyPrefix, KmsKeyId string
		EnableLogFileValidation                   bool
		trailOptions
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	t, err := a.trails.Create(ctx, account, trails.CreateInput{Name: in.Name, Bucket: in.S3BucketName, Prefix: in.S3KeyPrefix,
		KMSKeyID: in.KmsKeyId, Validation: in.EnableLogFileValidation})
	if err != nil {
		return nil, err
	}
	return changed(t), nil
}

func (a *API) updateTrail(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		Name                                string
		S3BucketName, S3KeyPrefix, KmsKeyId *string
		EnableLogFileValidation             *bool
		trailOptions
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	t, err := a.trails.Update(ctx, account, trails.UpdateInput{Ref: in.Name, Bucket: in.S3BucketName, Prefix: in.S3KeyPrefix,
		KMSKeyID: in.KmsKeyId, Validation: in.EnableLogFileValidation})
	if err != nil {
		return nil, err
	}
	return changed(t), nil
}

// nameIn is the request of the calls that take one trail name or ARN.
type nameIn struct{ Name string }

func (a *API) deleteTrail(ctx context.Context, account string, body []byte) (any, error) {
	var in nameIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return struct{}{}, a.trails.Delete(ctx, account, in.Name)
}

func (a *API) startLogging(ctx context.Context, account string, body []byte) (any, error) {
	var in nameIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return struct{}{}, a.trails.Start(ctx, account, in.Name)
}

func (a *API) stopLogging(ctx context.Context, account string, body []byte) (any, error) {
	var in nameIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return struct{}{}, a.trails.Stop(ctx, account, in.Name)
}

func (a *API) describeTrails(ctx context.Context, account string, body []byte) (any, error) {
	var in struct{ TrailNameList []string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	all, err := a.trails.List(account)
	if err != nil {
		return nil, err
	}
	out := struct {
		TrailList []trailOut `json:"trailList"`
	}{TrailList: []trailOut{}}
	for _, t := range all {
		if len(in.TrailNameList) == 0 {
			out.TrailList = append(out.TrailList, describe(t))
			continue
		}
		for _, n := range in.TrailNameList {
			if n == t.Name || n == t.ARN {
				out.TrailList = append(out.TrailList, describe(t))
				break
			}
		}
	}
	return out, nil
}

func (a *API) getTrail(ctx context.Context, account string, body []byte) (any, error) {
	var in nameIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	t, err := a.trails.Get(account, in.Name)
	if err != nil {
		return nil, err
	}
	return struct{ Trail trailOut }{describe(t)}, nil
}

type statusOut struct {
	IsLogging                      bool
	LatestDeliveryError            string `json:",omitempty"`
	LatestDeliveryTime             *epoch `json:",omitempty"`
	StartLoggingTime               *epoch `json:",omitempty"`
	StopLoggingTime                *epoch `json:",omitempty"`
	LatestDigestDeliveryTime       *epoch `json:",omitempty"`
	LatestDigestDeliveryError      string `json:",omitempty"`
	LatestDeliveryAttemptTime      string `json:",omitempty"`
	LatestDeliveryAttemptSucceeded string `json:",omitempty"`
	TimeLoggingStarted             string `json:",omitempty"`
	TimeLoggingStopped             string `json:",omitempty"`
}

const statusTime = "2006-01-02T15:04:05Z"

func (a *API) getTrailStatus(ctx context.Context, account string, body []byte) (any, error) {
	var in nameIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	t, err := a.trails.Get(account, in.Name)
	if err != nil {
		return nil, err
	}
	out := statusOut{IsLogging: t.IsLogging, LatestDeliveryError: t.DeliveryError, LatestDigestDeliveryError: t.DigestError}
	if !t.LastDelivery.IsZero() {
		out.LatestDeliveryTime = &epoch{t.LastDelivery}
	}
	if !t.LastDigest.IsZero() {
		out.LatestDigestDeliveryTime = &epoch{t.LastDigest}
	}
	if !t.StartedAt.IsZero() {
		out.StartLoggingTime = &epoch{t.StartedAt}
		out.TimeLoggingStarted = t.StartedAt.UTC().Format(statusTime)
	}
	if !t.StoppedAt.IsZero() {
		out.StopLoggingTime = &epoch{t.StoppedAt}
		out.TimeLoggingStopped = t.StoppedAt.UTC().Format(statusTime)
	}
	if !t.LastDeliveryAttempt.IsZero() {
		out.LatestDeliveryAttemptTime = t.LastDeliveryAttempt.UTC().Format(statusTime)
		out.LatestDeliveryAttemptSucceeded = out.LatestDeliveryAttemptTime
		if t.DeliveryError != "" {
			out.LatestDeliveryAttemptSucceeded = ""
			if !t.LastDelivery.IsZero() {
				out.LatestDeliveryAttemptSucceeded = t.LastDelivery.UTC().Format(statusTime)
			}
		}
	}
	return out, nil
}

func (a *API) listTrails(ctx context.Context, account string, body []byte) (any, error) {
	all, err := a.trails.List(account)
	if err != nil {
		return nil, err
	}
	type info struct{ TrailARN, Name, HomeRegion string }
	out := struct{ Trails []info }{[]info{}}
	for _, t := range all {
		out.Trails = append(out.Trails, info{t.ARN, t.Name, t.HomeRegion})
	}
	return out, nil
}

type publicKeyOut struct {
	// Value is the DER PKCS#1 public key (a blob: base64 on the wire; the aws CLI leaves
	// blobs undecoded and its validator decodes it).
	Value             []byte
	ValidityStartTime epoch
	ValidityEndTime   epoch
	Fingerprint       string
}

func (a *API) listPublicKeys(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		StartTime, EndTime *epoch
		NextToken          string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		return nil, apierr.NewJSON("InvalidTokenException", 400, "The next token is not valid.")
	}
	var start, end epoch
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	keys, err := a.trails.PublicKeys(start.Time, end.Time)
	if err != nil {
		return nil, err
	}
	out := struct{ PublicKeyList []publicKeyOut }{[]publicKeyOut{}}
	for _, k := range keys {
		out.PublicKeyList = append(out.PublicKeyList, publicKeyOut{Value: k.DER,
			ValidityStartTime: epoch{k.Start}, ValidityEndTime: epoch{k.End}, Fingerprint: k.Fingerprint})
	}
	return out, nil
}

// flushTrail is Arca's extension ArcaCloudTrail.FlushTrail: commit queued records, then
// deliver pending records and a digest now (for one trail, or all with no Name).
func (a *API) flushTrail(ctx context.Context, account string, body []byte) (any, error) {
	var in nameIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	res, err := a.trails.Flush(ctx, account, in.Name)
	if err != nil {
		return nil, err
	}
	type trailOut struct {
		Name              string
		S3BucketName      string `json:",omitempty"`
		LogFilesDelivered int
		RecordsDelivered  int
		DigestS3Object    string `json:",omitempty"`
		DeliveryError     string `json:",omitempty"`
	}
	out := struct{ Trails []trailOut }{[]trailOut{}}
	for _, r := range res {
		out.Trails = append(out.Trails, trailOut{r.Name, r.Bucket, r.Files, r.Records, r.DigestKey, r.DeliveryError})
	}
	return out, nil
}
