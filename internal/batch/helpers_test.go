package batch

import (
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const testAccount = "111122223333"

// newTestService returns a Service on a fresh bolt file in a temp dir, and the store.
func newTestService(t *testing.T, cfg Config) (*Service, *bolt.Store, *recauth.Key) {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk := recauth.New(recauth.Generate())
	return New(cfg, Deps{KV: st, Records: rk}), st, rk
}

// csvJob is a job over a CSV manifest at arn:aws:s3:::manifests/m.csv.
func csvJob(token string) *Job {
	return &Job{
		AccountID:          testAccount,
		Principal:          iam.RootIdentity(testAccount, "AKIATEST"),
		ClientRequestToken: token,
		RoleArn:            "arn:aws:iam::" + testAccount + ":role/batch",
		Priority:           10,
		Operation:          Operation{S3PutObjectTagging: &PutTaggingOperation{TagSet: []Tag{{Key: "k", Value: "v"}}}},
		Manifest: &Manifest{Spec: ManifestSpec{Format: FormatBatchCSV, Fields: []string{FieldBucket, FieldKey}},
			Location: Location{ObjectArn: "arn:aws:s3:::manifests/m.csv", ETag: "x"}},
		Report: Report{Enabled: true, Bucket: "arn:aws:s3:::reports", Format: ReportFormatCSV, Prefix: "r", ReportScope: ReportScopeAll},
	}
}
