package batch

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/arcastore/arca/internal/kv"
)

// The completion report (Report_CSV_20180820), as AWS lays it out under the report
// bucket:
//
//	<prefix>/job-<id>/manifest.json              the files, their MD5, the schema
//	<prefix>/job-<id>/results/<40 hex>.csv       one file of succeeded tasks, one of failed
//
// Rows: Bucket, Key (URL-encoded, so a report is a valid CSV manifest for a retry job),
// VersionId, TaskStatus (succeeded|failed), then, as AWS's reports have them, the HTTP
// status code, the error code and the result message ("Successful" for a task that
// succeeded). FailedTasksOnly writes the failed file only. File names are fixed by the
// job id, so a report rewritten after a crash replaces the first attempt's files.

// ReportSchema is the report's schema line (manifest.json "ReportSchema").
const ReportSchema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"

// reportRow is the CSV row of task t with result res.
func reportRow(t Task, res TaskResult) []string {
	status, msg := "failed", res.Message
	if res.Succeeded {
		status = "succeeded"
		if msg == "" {
			msg = "Successful"
		}
	}
	code := ""
	if res.HTTPStatus != 0 {
		code = strconv.Itoa(res.HTTPStatus)
	}
	return []string{t.Bucket, url.QueryEscape(t.Key), t.VersionID, status, code, res.ErrorCode, msg}
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// reportFileName is the fixed name of job id's results file of status.
func reportFileName(id, status string) string {
	sum := sha1.Sum([]byte("arca/batch/report/" + id + "/" + status))
	return hex.EncodeToString(sum[:]) + ".csv"
}

// reportFiles builds the report of r's job from its stored tasks and results: the CSV
// files by key and the manifest.json.
func (s *Service) reportFiles(r *record) (files map[string][]byte, manifestKey string, manifest []byte, err error) {
	j := r.Job
	id := j.ID
	var ok, failed bytes.Buffer
	okW, failedW := csv.NewWriter(&ok), csv.NewWriter(&failed)
	nok, nfailed := 0, 0
	err = s.db.View(func(tx kv.Tx) error {
		b, err := taskBucket(tx, id, false)
		if err != nil || b == nil {
			return err
		}
		for i := int64(0); i < j.Progress.TotalNumberOfTasks; i++ {
			res, has, err := s.getResult(b, id, i)
			if err != nil {
				return err
			}
			if !has {
				continue // never ran (the job was cancelled or failed first)
			}
			t, err := s.getTask(b, id, i)
			if err != nil {
				return err
			}
			if res.Succeeded {
				if j.Report.ReportScope == ReportScopeFailedOnly {
					continue
				}
				nok++
				if err := okW.Write(reportRow(t, res)); err != nil {
					return err
				}
			} else {
				nfailed++
				if err := failedW.Write(reportRow(t, res)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", nil, err
	}
	okW.Flush()
	failedW.Flush()
	bucket, err := BucketFromARN(j.Report.Bucket)
	if err != nil {
		return nil, "", nil, err
	}
	base := jobPrefix(j.Report.Prefix, id)
	type result struct {
		TaskExecutionStatus string
		Bucket              string
		MD5Checksum         string
		Key                 string
	}
	var results []result
	files = map[string][]byte{}
	add := func(status string, body []byte) {
		key := base + "results/" + reportFileName(id, status)
		files[key] = body
		results = append(results, result{status, bucket, md5Hex(body), key})
	}
	if nok > 0 {
		add("succeeded", ok.Bytes())
	}
	if nfailed > 0 {
		add("failed", failed.Bytes())
	}
	if results == nil {
		results = []result{}
	}
	manifest, err = json.MarshalIndent(struct {
		Format             string
		ReportCreationDate string
		Results            []result
		ReportSchema       string
	}{ReportFormatCSV, s.now().UTC().Format("2006-01-02T15:04:05.000Z"), results, ReportSchema}, "", "    ")
	return files, base + "manifest.json", manifest, err
}

// writeReport delivers r's completion report through x (as the job's principal, in the
// report bucket's default encryption) and records that it did.
func (s *Service) writeReport(ctx context.Context, x Executor, r *record) error {
	files, manKey, man, err := s.reportFiles(r)
	if err != nil {
		return err
	}
	bucket, _ := BucketFromARN(r.Job.Report.Bucket)
	for key, body := range files {
		if err := x.PutObject(ctx, r.Job, bucket, key, body, "text/csv"); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := x.PutObject(ctx, r.Job, bucket, manKey, man, "application/json"); err != nil {
		return fmt.Errorf("%s: %w", manKey, err)
	}
	_, err = s.mutate(r.Job.ID, func(r *record) error {
		r.Run.ReportWritten = true
		return nil
	})
	return err
}
