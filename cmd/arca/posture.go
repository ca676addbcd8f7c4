package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

const postureUsage = `Usage: arca posture --endpoint URL [--json]

Prints the encryption posture of the caller's account through the public APIs, as the
caller: buckets and their default encryption (S3), config rules and their compliance (AWS
Config), active findings of every analyzer (IAM Access Analyzer), sensitive-data findings by
the encryption of the object they were found in (Macie), and KMS keys pending deletion or
disabled with their blast radius. A service that is not available (not implemented,
unreachable, or denied to the caller) is shown as such in its section; the command still
prints the others. --json prints one JSON object (docs/BLAST-RADIUS.md, "arca posture").

Example:
  arca posture --endpoint http://127.0.0.1:9000 --json

Flags:
`

// Posture is what `arca posture --json` prints: one section per service.
type Posture struct {
	Generated      time.Time
	Buckets        BucketsSection
	Rules          RulesSection
	AccessFindings AccessSection
	SensitiveData  SensitiveSection
	Keys           KeysSection
}

// Section says whether a service answered; Error is why not ("" when Available).
type Section struct {
	Available bool
	Error     string `json:",omitempty"`
}

func (s *Section) fail(err error) {
	s.Available, s.Error = false, describeErr(err)
}

type BucketsSection struct {
	Section
	Items []PostureBucket
}

type PostureBucket struct {
	Name string
	// Encryption is the default's algorithm (AES256, aws:kms), "" when none is configured.
	Encryption string
	KMSKeyId   string `json:",omitempty"`
	BucketKey  bool
}

type RulesSection struct {
	Section
	Compliant, NonCompliant, Other int
	Items                          []PostureRule
}

type PostureRule struct {
	ConfigRuleName, ComplianceType string
	// NonCompliantResources is the (capped) count of non-compliant resources.
	NonCompliantResources int32 `json:",omitempty"`
}

type AccessSection struct {
	Section
	Analyzers []string
	Active    int
	Items     []PostureAccessFinding
}

type PostureAccessFinding struct {
	Analyzer, Id, ResourceType, Resource string
	IsPublic                             bool
	Principal                            map[string]string `json:",omitempty"`
	Action                               []string          `json:",omitempty"`
}

type SensitiveSection struct {
	Section
	Findings int
	// ByEncryption counts findings by the affected object's encryption type (AES256,
	// aws:kms, NONE, UNKNOWN).
	ByEncryption map[string]int
	Items        []PostureSensitiveFinding
	// BucketCount and ObjectCount are GetBucketStatistics'.
	BucketCount, ObjectCount int64
}

type PostureSensitiveFinding struct {
	Id, Type, Bucket, Key, Encryption string
	KMSKeyId                          string `json:",omitempty"`
	Count                             int64
}

type KeysSection struct {
	Section
	Total int
	Items []PostureKey
}

type PostureKey struct {
	KeyId, KeyArn, KeyState string
	DeletionDate            *time.Time `json:",omitempty"`
	// BlastRadius is ArcaGetKeyBlastRadius's answer (nil when it was not available;
	// BlastRadiusError says why).
	BlastRadius      *blastRadius `json:",omitempty"`
	BlastRadiusError string       `json:",omitempty"`
}

func runPosture(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("posture", flag.ContinueOnError)
	var conn connFlags
	registerEndpoint(fs, &conn)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args, postureUsage, stdout); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	if conn.endpoint != "" {
		cfg.BaseEndpoint = aws.String(conn.endpoint)
	}
	if cfg.BaseEndpoint == nil {
		return &usageError{msg: "arca posture needs --endpoint http(s)://host:port", hint: "give the URL the server prints at start"}
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return &usageError{msg: "no credentials: " + err.Error(), hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile"}
	}
	cfg.RetryMaxAttempts = 2
	p := collectPosture(ctx, cfg)
	if *asJSON {
		data, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", data)
		return err
	}
	return printPosture(stdout, p)
}

// collectPosture asks every service in turn; each section fails alone.
func collectPosture(ctx context.Context, cfg aws.Config) *Posture {
	p := &Posture{Generated: time.Now().UTC()}
	sub := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 10*time.Minute) }
	c, cancel := sub()
	p.Buckets = postureBuckets(c, s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }))
	cancel()
	c, cancel = sub()
	p.Rules = postureRules(c, configservice.NewFromConfig(cfg))
	cancel()
	c, cancel = sub()
	p.AccessFindings = postureAccess(c, accessanalyzer.NewFromConfig(cfg))
	cancel()
	c, cancel = sub()
	p.SensitiveData = postureSensitive(c, macie2.NewFromConfig(cfg))
	cancel()
	c, cancel = sub()
	p.Keys = postureKeys(c, cfg, kms.NewFromConfig(cfg))
	cancel()
	return p
}

// describeErr is an error as a section shows it: the service's code and message, or
// "unreachable" for a transport failure.
func describeErr(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return "not available: " + ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return "not available: " + err.Error()
}

func postureBuckets(ctx context.Context, c *s3.Client) (s BucketsSection) {
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		s.fail(err)
		return s
	}
	s.Available = true
	for _, b := range out.Buckets {
		pb := PostureBucket{Name: aws.ToString(b.Name)}
		enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b.Name})
		var ae smithy.APIError
		switch {
		case errors.As(err, &ae) && ae.ErrorCode() == "ServerSideEncryptionConfigurationNotFoundError":
		case err != nil:
			pb.Encryption = describeErr(err)
		case enc.ServerSideEncryptionConfiguration != nil:
			for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
				if d := r.ApplyServerSideEncryptionByDefault; d != nil {
					pb.Encryption, pb.KMSKeyId = string(d.SSEAlgorithm), aws.ToString(d.KMSMasterKeyID)
					pb.BucketKey = aws.ToBool(r.BucketKeyEnabled)
				}
			}
		}
		s.Items = append(s.Items, pb)
	}
	return s
}

func postureRules(ctx context.Context, c *configservice.Client) (s RulesSection) {
	in := &configservice.DescribeComplianceByConfigRuleInput{}
	for {
		out, err := c.DescribeComplianceByConfigRule(ctx, in)
		if err != nil {
			s.fail(err)
			return s
		}
		for _, r := range out.ComplianceByConfigRules {
			pr := PostureRule{ConfigRuleName: aws.ToString(r.ConfigRuleName), ComplianceType: "INSUFFICIENT_DATA"}
			if r.Compliance != nil {
				pr.ComplianceType = string(r.Compliance.ComplianceType)
				if n := r.Compliance.ComplianceContributorCount; n != nil {
					pr.NonCompliantResources = n.CappedCount
				}
			}
			switch pr.ComplianceType {
			case "COMPLIANT":
				s.Compliant++
			case "NON_COMPLIANT":
				s.NonCompliant++
			default:
				s.Other++
			}
			s.Items = append(s.Items, pr)
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	s.Available = true
	return s
}

func postureAccess(ctx context.Context, c *accessanalyzer.Client) (s AccessSection) {
	var analyzers []aatypes.AnalyzerSummary
	in := &accessanalyzer.ListAnalyzersInput{}
	for {
		out, err := c.ListAnalyzers(ctx, in)
		if err != nil {
			s.fail(err)
			return s
		}
		analyzers = append(analyzers, out.Analyzers...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for _, a := range analyzers {
		s.Analyzers = append(s.Analyzers, aws.ToString(a.Name))
		fin := &accessanalyzer.ListFindingsInput{AnalyzerArn: a.Arn,
			Filter: map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}}}
		for {
			out, err := c.ListFindings(ctx, fin)
			if err != nil {
				s.fail(err)
				return s
			}
			for _, f := range out.Findings {
				if f.Status != aatypes.FindingStatusActive {
					continue
				}
				s.Items = append(s.Items, PostureAccessFinding{Analyzer: aws.ToString(a.Name), Id: aws.ToString(f.Id),
					ResourceType: string(f.ResourceType), Resource: aws.ToString(f.Resource), IsPublic: aws.ToBool(f.IsPublic),
					Principal: f.Principal, Action: f.Action})
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			fin.NextToken = out.NextToken
		}
	}
	s.Active = len(s.Items)
	s.Available = true
	return s
}

func postureSensitive(ctx context.Context, c *macie2.Client) (s SensitiveSection) {
	stats, err := c.GetBucketStatistics(ctx, &macie2.GetBucketStatisticsInput{})
	if err != nil {
		s.fail(err)
		return s
	}
	s.BucketCount, s.ObjectCount = aws.ToInt64(stats.BucketCount), aws.ToInt64(stats.ObjectCount)
	s.ByEncryption = map[string]int{}
	var ids []string
	in := &macie2.ListFindingsInput{}
	for {
		out, err := c.ListFindings(ctx, in)
		if err != nil {
			s.fail(err)
			return s
		}
		ids = append(ids, out.FindingIds...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for len(ids) > 0 {
		n := min(len(ids), 50)
		out, err := c.GetFindings(ctx, &macie2.GetFindingsInput{FindingIds: ids[:n]})
		if err != nil {
			s.fail(err)
			return s
		}
		ids = ids[n:]
		for _, f := range out.Findings {
			pf := PostureSensitiveFinding{Id: aws.ToString(f.Id), Type: string(f.Type), Count: aws.ToInt64(f.Count), Encryption: "UNKNOWN"}
			if r := f.ResourcesAffected; r != nil {
				if r.S3Bucket != nil {
					pf.Bucket = aws.ToString(r.S3Bucket.Name)
				}
				if o := r.S3Object; o != nil {
					pf.Key = aws.ToString(o.Key)
					if e := o.ServerSideEncryption; e != nil && e.EncryptionType != "" {
						pf.Encryption, pf.KMSKeyId = string(e.EncryptionType), aws.ToString(e.KmsMasterKeyId)
					}
				}
			}
			s.ByEncryption[pf.Encryption]++
			s.Items = append(s.Items, pf)
		}
	}
	s.Findings = len(s.Items)
	s.Available = true
	return s
}

func postureKeys(ctx context.Context, cfg aws.Config, c *kms.Client) (s KeysSection) {
	in := &kms.ListKeysInput{}
	var ids []string
	for {
		out, err := c.ListKeys(ctx, in)
		if err != nil {
			s.fail(err)
			return s
		}
		for _, k := range out.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
		if !out.Truncated {
			break
		}
		in.Marker = out.NextMarker
	}
	s.Total = len(ids)
	for _, id := range ids {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil {
			s.fail(err)
			return s
		}
		md := d.KeyMetadata
		if md.KeyState != "PendingDeletion" && md.KeyState != "Disabled" {
			continue
		}
		pk := PostureKey{KeyId: id, KeyArn: aws.ToString(md.Arn), KeyState: string(md.KeyState), DeletionDate: md.DeletionDate}
		if data, err := callBlastRadius(ctx, cfg, aws.ToString(cfg.BaseEndpoint), id); err != nil {
			pk.BlastRadiusError = "not available: " + err.Error()
		} else {
			var r blastRadius
			if err := json.Unmarshal(data, &r); err != nil {
				pk.BlastRadiusError = "not available: " + err.Error()
			} else {
				pk.BlastRadius = &r
			}
		}
		s.Items = append(s.Items, pk)
	}
	sort.Slice(s.Items, func(i, j int) bool { return s.Items[i].KeyId < s.Items[j].KeyId })
	s.Available = true
	return s
}
