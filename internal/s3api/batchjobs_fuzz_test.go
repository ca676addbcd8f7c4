package s3api

import (
	"encoding/xml"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

// FuzzCreateJobXML: a CreateJob body is refused with a 4xx/501 S3 Control error (never a
// panic or a 500), or yields a job whose DescribeJob answer marshals and whose operation,
// report and manifest decode again to an accepted job.
func FuzzCreateJobXML(f *testing.F) {
	for _, tc := range createJobTests {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(cjHead + `</CreateJobRequest>`))
	f.Add([]byte(`<CreateJobRequest><Operation><S3PutObjectTagging><TagSet><member><Key>a</Key><Value></Value></member></TagSet></S3PutObjectTagging></Operation></CreateJobRequest>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in createJobRequestXML
		if err := xml.Unmarshal(data, &in); err != nil {
			return
		}
		j, err := jobFromXML(&in)
		if err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error %v is not an S3 error", data, err)
			}
			if e.Status != 400 && e.Status != 501 {
				t.Fatalf("%q: answered %d %s", data, e.Status, e.Code)
			}
			return
		}
		j.ID, j.AccountID = "job-1", "123456789012"
		out, err := xml.Marshal(describeJobResultXML{NS: controlNS, Job: jobToXML(j, "us-east-1")})
		if err != nil {
			t.Fatalf("%q: DescribeJob does not marshal: %v", data, err)
		}
		var back describeJobResultXML
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: DescribeJob does not unmarshal: %v", data, err)
		}
		again := createJobRequestXML{Operation: back.Job.Operation, Manifest: back.Job.Manifest, ManifestGenerator: back.Job.ManifestGenerator,
			Report: back.Job.Report, ClientRequestToken: in.ClientRequestToken, Priority: in.Priority, RoleArn: in.RoleArn}
		if _, err := jobFromXML(&again); err != nil {
			t.Fatalf("%q: DescribeJob's members are refused: %v\n%s", data, err, out)
		}
	})
}
