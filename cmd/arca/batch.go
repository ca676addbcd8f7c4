package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

const batchUsage = `Usage: arca batch status [flags] [JOB_ID]

Shows S3 Batch Operations jobs on a running server (S3 Control's DescribeJob, or ListJobs
without a JOB_ID): status, priority, progress as a bar, failures. With --watch it refreshes
until the job is Complete, Cancelled or Failed.

Credentials come from the AWS SDK's default chain (environment, --profile). S3 Control
clients put the account id in front of the endpoint's host name; this command sends its
calls to --endpoint as given, so no wildcard DNS name is needed (docs/BATCH.md, "API").

Flags:
`

func runBatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "status" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, batchUsage)
			return nil
		}
		return &usageError{msg: "usage: arca batch status [flags] [JOB_ID]", hint: "run 'arca batch status --help' to see the flags"}
	}
	return runBatchStatus(args[1:], stdout, stderr)
}

type batchStatusFlags struct {
	conn     connFlags
	account  string
	watch    bool
	interval time.Duration
	jobID    string
}

// valueFlags are the flags of 'batch status' that take a value (to tell JOB_ID from one).
var batchValueFlags = []string{"endpoint", "endpoint-url", "account-id", "region", "profile", "ca-bundle", "interval"}

// splitJobID takes the one positional argument (JOB_ID) out of args, wherever it is.
func splitJobID(args []string) ([]string, string, error) {
	var rest []string
	id := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && a != "-" {
			rest = append(rest, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && i+1 < len(args) {
				for _, f := range batchValueFlags {
					if name == f {
						i++
						rest = append(rest, args[i])
						break
					}
				}
			}
			continue
		}
		if id != "" {
			return nil, "", &usageError{msg: fmt.Sprintf("unexpected argument %q", a), hint: "give at most one JOB_ID"}
		}
		id = a
	}
	return rest, id, nil
}

func runBatchStatus(args []string, stdout, stderr io.Writer) error {
	var f batchStatusFlags
	fs := flag.NewFlagSet("batch status", flag.ContinueOnError)
	registerEndpoint(fs, &f.conn)
	fs.StringVar(&f.account, "account-id", "", "the 12-digit `ID` of the account whose jobs to show (default: the caller's, from STS GetCallerIdentity)")
	fs.BoolVar(&f.watch, "watch", false, "refresh until the job ends (with a JOB_ID), or the list every --interval")
	fs.DurationVar(&f.interval, "interval", 2*time.Second, "refresh `interval` of --watch")
	rest, id, err := splitJobID(args)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, rest, batchUsage, stdout); err != nil {
		return err
	}
	f.jobID = id
	if f.interval <= 0 {
		return &usageError{msg: "--interval must be positive", hint: "e.g. --interval 2s"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := f.conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	if f.account == "" {
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return fmt.Errorf("finding the caller's account (sts GetCallerIdentity): %w", err)
		}
		f.account = aws.ToString(out.Account)
	}
	ctl := batchControlClient(cfg)
	if f.jobID == "" {
		return batchList(ctx, ctl, &f, stdout)
	}
	return batchDescribe(ctx, ctl, &f, stdout, stderr)
}

// verbatimEndpoint resolves every S3 Control call to the configured endpoint itself: the
// SDK's rules would put the account id in front of its host (<account>.arca.example),
// a name that resolves only with a wildcard DNS record. Arca reads the account from the
// x-amz-account-id header alone.
type verbatimEndpoint struct{ base string }

func (v verbatimEndpoint) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(v.base)
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// batchControlClient is an S3 Control client of cfg that calls cfg's endpoint without the
// account host prefix (when an endpoint is configured; against AWS it resolves as usual).
func batchControlClient(cfg aws.Config) *s3control.Client {
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		if cfg.BaseEndpoint != nil {
			o.EndpointResolverV2 = verbatimEndpoint{base: *cfg.BaseEndpoint}
		}
	})
}

func batchList(ctx context.Context, ctl *s3control.Client, f *batchStatusFlags, stdout io.Writer) error {
	for {
		var jobs []ctltypes.JobListDescriptor
		p := s3control.NewListJobsPaginator(ctl, &s3control.ListJobsInput{AccountId: aws.String(f.account)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return batchAPIError("ListJobs", err)
			}
			jobs = append(jobs, page.Jobs...)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "JOB ID\tSTATUS\tPRIORITY\tOPERATION\tPROGRESS\tFAILED\tCREATED")
		for _, j := range jobs {
			var done, total, failed int64
			if ps := j.ProgressSummary; ps != nil {
				total, failed = aws.ToInt64(ps.TotalNumberOfTasks), aws.ToInt64(ps.NumberOfTasksFailed)
				done = aws.ToInt64(ps.NumberOfTasksSucceeded) + failed
			}
			created := ""
			if j.CreationTime != nil {
				created = j.CreationTime.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\n", aws.ToString(j.JobId), j.Status, j.Priority, j.Operation,
				progressText(done, total), failed, created)
		}
		tw.Flush()
		if len(jobs) == 0 {
			fmt.Fprintf(stdout, "(no jobs in account %s)\n", f.account)
		}
		if !f.watch {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(f.interval):
			fmt.Fprintln(stdout)
		}
	}
}

// batchAPIError words a failed S3 Control call for a person.
func batchAPIError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := fmt.Sprintf("%s: %s: %s", op, ae.ErrorCode(), ae.ErrorMessage())
		switch ae.ErrorCode() {
		case "NotFoundException":
			return &usageError{msg: msg, hint: "check the job id and --account-id ('arca batch status' lists the account's jobs)"}
		case "AccessDenied":
			return &usageError{msg: msg, hint: "the caller needs s3:DescribeJob and s3:ListJobs"}
		}
		return errors.New(msg)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func batchDescribe(ctx context.Context, ctl *s3control.Client, f *batchStatusFlags, stdout, stderr io.Writer) error {
	tty := isTerminal(stdout)
	last := ""
	for {
		out, err := ctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(f.account), JobId: aws.String(f.jobID)})
		if err != nil {
			return batchAPIError("DescribeJob", err)
		}
		j := out.Job
		terminal := j.Status == ctltypes.JobStatusComplete || j.Status == ctltypes.JobStatusCancelled || j.Status == ctltypes.JobStatusFailed
		if !f.watch || terminal {
			if f.watch && tty && last != "" {
				fmt.Fprint(stdout, "\r\x1b[K")
			}
			printJob(stdout, j)
			if f.watch && j.Status != ctltypes.JobStatusComplete {
				return fmt.Errorf("job %s ended %s", f.jobID, j.Status)
			}
			return nil
		}
		line := watchLine(j)
		if line != last {
			if tty {
				fmt.Fprintf(stdout, "\r%s\x1b[K", line)
			} else {
				fmt.Fprintln(stdout, line)
			}
			last = line
		}
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintln(stdout)
			}
			return nil
		case <-time.After(f.interval):
		}
	}
}

// jobProgress is a job's tasks done (succeeded or failed), failed and in all.
func jobProgress(j *ctltypes.JobDescriptor) (done, failed, total, active int64) {
	if ps := j.ProgressSummary; ps != nil {
		failed, total = aws.ToInt64(ps.NumberOfTasksFailed), aws.ToInt64(ps.TotalNumberOfTasks)
		done = aws.ToInt64(ps.NumberOfTasksSucceeded) + failed
		if ps.Timers != nil {
			active = aws.ToInt64(ps.Timers.ElapsedTimeInActiveSeconds)
		}
	}
	return done, failed, total, active
}

func watchLine(j *ctltypes.JobDescriptor) string {
	done, failed, total, _ := jobProgress(j)
	return fmt.Sprintf("%s %-10s %s %d failed", aws.ToString(j.JobId), j.Status, progressBarText(done, total, 30), failed)
}

// progressBarText is "[=====     ]  50% 5/10"; without a total (the manifest not read
// yet) just the count.
func progressBarText(done, total int64, width int) string {
	if total <= 0 {
		return fmt.Sprintf("[%s] %d tasks", strings.Repeat(" ", width), done)
	}
	frac := min(float64(done)/float64(total), 1)
	fill := int(frac * float64(width))
	return fmt.Sprintf("[%s%s] %3.0f%% %d/%d", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), frac*100, done, total)
}

func progressText(done, total int64) string {
	if total <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%% %d/%d", min(float64(done)/float64(total), 1)*100, done, total)
}

func printJob(w io.Writer, j *ctltypes.JobDescriptor) {
	done, failed, total, active := jobProgress(j)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Job\t%s\n", aws.ToString(j.JobId))
	if d := aws.ToString(j.Description); d != "" {
		fmt.Fprintf(tw, "Description\t%s\n", d)
	}
	fmt.Fprintf(tw, "Status\t%s\n", j.Status)
	if r := aws.ToString(j.StatusUpdateReason); r != "" {
		fmt.Fprintf(tw, "Status reason\t%s\n", r)
	}
	fmt.Fprintf(tw, "Priority\t%d\n", j.Priority)
	fmt.Fprintf(tw, "Operation\t%s\n", operationName(j.Operation))
	fmt.Fprintf(tw, "Progress\t%s\n", progressBarText(done, total, 30))
	fmt.Fprintf(tw, "Tasks\t%d succeeded, %d failed, %d total\n", done-failed, failed, total)
	fmt.Fprintf(tw, "Active for\t%s\n", time.Duration(active)*time.Second)
	if j.CreationTime != nil {
		fmt.Fprintf(tw, "Created\t%s\n", j.CreationTime.UTC().Format(time.RFC3339))
	}
	if j.TerminationDate != nil {
		fmt.Fprintf(tw, "Ended\t%s\n", j.TerminationDate.UTC().Format(time.RFC3339))
	}
	if r := j.Report; r != nil && r.Enabled {
		fmt.Fprintf(tw, "Report\t%s prefix %q (%s)\n", aws.ToString(r.Bucket), aws.ToString(r.Prefix), r.ReportScope)
	}
	for _, fr := range j.FailureReasons {
		fmt.Fprintf(tw, "Failure\t%s: %s\n", aws.ToString(fr.FailureCode), aws.ToString(fr.FailureReason))
	}
	tw.Flush()
}

func operationName(o *ctltypes.JobOperation) string {
	switch {
	case o == nil:
		return "-"
	case o.S3PutObjectCopy != nil:
		return "S3PutObjectCopy"
	case o.S3UpdateObjectEncryption != nil:
		return "S3UpdateObjectEncryption"
	case o.S3PutObjectTagging != nil:
		return "S3PutObjectTagging"
	case o.S3DeleteObjectTagging != nil:
		return "S3DeleteObjectTagging"
	}
	return "other"
}
