package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/parquet-go/parquet-go"
)

// invrConfig is an inventory configuration listing every version with the fields the
// checks need (and Arca's KMSKeyArn), delivered to inv-reports under "reports".
func invrConfig(id string, format s3types.InventoryFormat, enc *s3types.InventoryEncryption) *s3types.InventoryConfiguration {
	return &s3types.InventoryConfiguration{
		Id: aws.String(id), IsEnabled: aws.Bool(true),
		IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsAll,
		Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyDaily},
		OptionalFields: []s3types.InventoryOptionalField{"KMSKeyArn", "BucketKeyStatus", "EncryptionStatus", "ETag", "Size",
			"IsMultipartUploaded", "LastModifiedDate", "StorageClass", "ChecksumAlgorithm"},
		Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
			Bucket: aws.String("arn:aws:s3:::inv-reports"), Format: format, Prefix: aws.String("reports"), Encryption: enc}},
	}
}

func invrPut(t testing.TB, c *s3.Client, bucket string, cfg *s3types.InventoryConfiguration) {
	t.Helper()
	if _, err := c.PutBucketInventoryConfiguration(context.Background(), &s3.PutBucketInventoryConfigurationInput{
		Bucket: aws.String(bucket), Id: cfg.Id, InventoryConfiguration: cfg}); err != nil {
		t.Fatalf("PutBucketInventoryConfiguration %s: %v", aws.ToString(cfg.Id), err)
	}
}

// invrRunResult is Arca's RunBucketInventoryConfiguration answer.
type invrRunResult struct {
	ID, Bucket, DestinationBucket, ManifestKey string
	Files                                      int
	Rows, Objects, Bytes                       int64
}

// invrRun runs a configuration through the API with a signed POST ?inventory&id=.
func invrRun(t testing.TB, endpoint, bucket, id string, ak, sk string) (rawResp, invrRunResult) {
	t.Helper()
	resp := do(t, endpoint, rawReq{Method: "POST", Path: "/" + bucket, Query: "inventory&id=" + url.QueryEscape(id), AccessKey: ak, SecretKey: sk})
	var res struct {
		XMLName xml.Name `xml:"RunInventoryConfigurationResult"`
		invrRunResult
		ID string `xml:"Id"`
	}
	if resp.Status == 200 {
		if err := xml.Unmarshal(resp.Body, &res); err != nil {
			t.Fatalf("RunInventoryConfiguration answer: %v\n%s", err, resp.Body)
		}
		res.invrRunResult.ID = res.ID
	}
	return resp, res.invrRunResult
}

// invrObject is one version as HEAD shows it.
type invrObject struct {
	key, versionID       string
	deleteMarker         bool
	size                 int64
	etag, status, kmsKey string
	bucketKey            bool
}

// invrRow is one report row as the test reads it (its own parsing, not invreport's).
type invrRow struct {
	key, versionID, isDeleteMarker, size, etag, status, bucketKey, kmsKey, multipart string
}

// invrReport reads a report: the manifest (checksum verified), each data file (size
// and MD5 verified) and its rows, with the test's own CSV and Parquet parsing.
func invrReport(t *testing.T, c *s3.Client, manifestKey string) (map[string]any, []invrRow) {
	t.Helper()
	raw, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("inv-reports"), Key: aws.String(manifestKey)})
	sum, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("inv-reports"), Key: aws.String(strings.TrimSuffix(manifestKey, ".json") + ".checksum")})
	if string(sum) != md5Hex(raw) {
		t.Fatalf("manifest.checksum %q, manifest.json MD5 %s", sum, md5Hex(raw))
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var rows []invrRow
	for _, f := range m["files"].([]any) {
		f := f.(map[string]any)
		body, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("inv-reports"), Key: aws.String(f["key"].(string))})
		if int64(len(body)) != int64(f["size"].(float64)) || md5Hex(body) != f["MD5checksum"] {
			t.Fatalf("%s: %d bytes MD5 %s; manifest %v", f["key"], len(body), md5Hex(body), f)
		}
		if m["fileFormat"] == "CSV" {
			rows = append(rows, invrCSV(t, body, m["fileSchema"].(string))...)
		} else {
			rows = append(rows, invrParquet(t, body)...)
		}
	}
	return m, rows
}

func invrCSV(t *testing.T, body []byte, schema string) []invrRow {
	gz, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, n := range strings.Split(schema, ", ") {
		col[n] = i
	}
	var out []invrRow
	for _, r := range recs {
		key, err := url.QueryUnescape(r[col["Key"]])
		if err != nil {
			t.Fatalf("key %q is not URL-encoded: %v", r[col["Key"]], err)
		}
		out = append(out, invrRow{key: key, versionID: r[col["VersionId"]], isDeleteMarker: r[col["IsDeleteMarker"]],
			size: r[col["Size"]], etag: r[col["ETag"]], status: r[col["EncryptionStatus"]], bucketKey: r[col["BucketKeyStatus"]],
			kmsKey: r[col["KMSKeyArn"]], multipart: r[col["IsMultipartUploaded"]]})
	}
	return out
}

// invrParquetRow is the Parquet schema's columns the test reads, by AWS's names.
type invrParquetRow struct {
	Bucket         string  `parquet:"bucket"`
	Key            string  `parquet:"key"`
	VersionID      *string `parquet:"version_id,optional"`
	IsDeleteMarker *bool   `parquet:"is_delete_marker,optional"`
	Size           *int64  `parquet:"size,optional"`
	ETag           *string `parquet:"e_tag,optional"`
	Status         *string `parquet:"encryption_status,optional"`
	BucketKey      *string `parquet:"bucket_key_status,optional"`
	KMSKey         *string `parquet:"kms_key_arn,optional"`
	Multipart      *bool   `parquet:"is_multipart_uploaded,optional"`
}

func invrParquet(t *testing.T, body []byte) []invrRow {
	rows, err := parquet.Read[invrParquetRow](bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("reading Parquet: %v", err)
	}
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var out []invrRow
	for _, r := range rows {
		x := invrRow{key: r.Key, versionID: s(r.VersionID), etag: s(r.ETag), status: s(r.Status), bucketKey: s(r.BucketKey), kmsKey: s(r.KMSKey)}
		if r.IsDeleteMarker != nil {
			x.isDeleteMarker = fmt.Sprint(*r.IsDeleteMarker)
		}
		if r.Size != nil {
			x.size = fmt.Sprint(*r.Size)
		}
		if r.Multipart != nil {
			x.multipart = fmt.Sprint(*r.Multipart)
		}
		out = append(out, x)
	}
	return out
}

// invrHead lists every version of bucket and HEADs each one (SSE-C ones with their key).
func invrHead(t *testing.T, c *s3.Client, bucket string) map[string]invrObject {
	t.Helper()
	ctx := context.Background()
	out := map[string]invrObject{}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range vs.DeleteMarkers {
		o := invrObject{key: aws.ToString(d.Key), versionID: aws.ToString(d.VersionId), deleteMarker: true}
		out[o.key+"@"+o.versionID] = o
	}
	for _, v := range vs.Versions {
		in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId}
		if strings.HasPrefix(aws.ToString(v.Key), "ssec/") {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(sseCK1.B64), aws.String(sseCK1.MD5)
		}
		h, err := c.HeadObject(ctx, in)
		if err != nil {
			t.Fatalf("HEAD %s: %v", aws.ToString(v.Key), err)
		}
		o := invrObject{key: aws.ToString(v.Key), versionID: aws.ToString(v.VersionId), size: aws.ToInt64(h.ContentLength),
			etag: strings.Trim(aws.ToString(h.ETag), `"`), kmsKey: aws.ToString(h.SSEKMSKeyId), bucketKey: aws.ToBool(h.BucketKeyEnabled)}
		switch {
		case h.SSECustomerAlgorithm != nil:
			o.status = "SSE-C"
		case h.ServerSideEncryption == s3types.ServerSideEncryptionAwsKms:
			o.status = "SSE-KMS"
		case h.ServerSideEncryption == s3types.ServerSideEncryptionAes256:
			o.status = "SSE-S3"
		default:
			o.status = "NOT-SSE"
		}
		out[o.key+"@"+o.versionID] = o
	}
	return out
}

// invrMatch checks that rows list exactly the versions of want, each as HEAD shows it.
func invrMatch(t *testing.T, what string, rows []invrRow, want map[string]invrObject) {
	t.Helper()
	if len(rows) != len(want) {
		t.Errorf("%s: %d rows, %d versions", what, len(rows), len(want))
	}
	for _, r := range rows {
		o, ok := want[r.key+"@"+r.versionID]
		if !ok {
			t.Errorf("%s: row for %s version %s, which HEAD does not know", what, r.key, r.versionID)
			continue
		}
		if o.deleteMarker {
			if r.isDeleteMarker != "true" || r.size != "" || r.status != "" {
				t.Errorf("%s: delete marker %s row %+v", what, r.key, r)
			}
			continue
		}
		bk := "DISABLED"
		if o.bucketKey {
			bk = "ENABLED"
		}
		got := [...]string{r.isDeleteMarker, r.size, r.etag, r.status, r.bucketKey, r.kmsKey}
		exp := [...]string{"false", fmt.Sprint(o.size), o.etag, o.status, bk, o.kmsKey}
		if got != exp {
			t.Errorf("%s: %s@%s: row (dm, size, etag, status, bucket key, kms key) %q, HEAD says %q", what, r.key, r.versionID, got, exp)
		}
		if mp := strings.Contains(o.etag, "-"); r.multipart != fmt.Sprint(mp) {
			t.Errorf("%s: %s IsMultipartUploaded %q", what, r.key, r.multipart)
		}
	}
}

// TestInventoryReport: a bucket mixing SSE-S3, SSE-KMS under two keys with and without
// bucket keys, SSE-C, a multipart object, versions and a delete marker; its CSV report
// (run by `arca inventory run`) and Parquet report (run by the API) list every version
// exactly as HEAD shows it, in S3's layout, encrypted as configured, and the summary
// counts them by status and key.
func TestInventoryReport(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPSURL
	c := srv.S3(ep)
	kc := sseKMS(t, srv)
	ctx := context.Background()
	for _, b := range []string{"inv-src", "inv-reports"} {
		mustCreateBucket(t, c, b)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("inv-src"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	allowSSEC(t, c, "inv-src")
	_, k1 := sseCreateKey(t, kc, "inventory one")
	_, k2 := sseCreateKey(t, kc, "inventory two")
	_, reportKey := sseCreateKey(t, kc, "inventory reports")

	put := func(key string, body []byte, f func(*s3.PutObjectInput)) {
		in := &s3.PutObjectInput{Bucket: aws.String("inv-src"), Key: aws.String(key), Body: bytes.NewReader(body)}
		if f != nil {
			f(in)
		}
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
	}
	kms := func(key string, bk bool) func(*s3.PutObjectInput) {
		return func(in *s3.PutObjectInput) {
			in.ServerSideEncryption, in.SSEKMSKeyId, in.BucketKeyEnabled = s3types.ServerSideEncryptionAwsKms, aws.String(key), aws.Bool(bk)
		}
	}
	put("s3/default", randBytes(100, 1), nil)
	put("s3/explicit", randBytes(0, 2), func(in *s3.PutObjectInput) { in.ServerSideEncryption = s3types.ServerSideEncryptionAes256 })
	put("kms/k1", randBytes(300, 3), kms(k1, false))
	put("kms/k1-bucket-key", randBytes(301, 4), kms(k1, true))
	put("kms/k2", randBytes(302, 5), kms(k2, false))
	put("kms/k2-bucket-key", randBytes(303, 6), kms(k2, true))
	put("ssec/one", randBytes(400, 7), func(in *s3.PutObjectInput) {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(sseCK1.B64), aws.String(sseCK1.MD5)
	})
	put("dir/a b+ü,\"q\".txt", randBytes(5, 8), nil)
	put("versions/k", randBytes(10, 9), kms(k1, false))
	put("versions/k", randBytes(11, 10), nil)
	put("deleted", randBytes(12, 11), nil)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("inv-src"), Key: aws.String("deleted")}); err != nil {
		t.Fatal(err)
	}
	// A multipart object under k2 with a bucket key.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("inv-src"), Key: aws.String("mp/two-parts"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(k2), BucketKeyEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types.CompletedPart
	for i, n := range []int{5 << 20, 1000} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("inv-src"), Key: aws.String("mp/two-parts"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(randBytes(n, int64(20+i)))})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("inv-src"), Key: aws.String("mp/two-parts"),
		UploadId: up.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	heads := invrHead(t, c, "inv-src")

	invrPut(t, c, "inv-src", invrConfig("csv", s3types.InventoryFormatCsv, &s3types.InventoryEncryption{SSEKMS: &s3types.SSEKMS{KeyId: aws.String(reportKey)}}))
	invrPut(t, c, "inv-src", invrConfig("parquet", s3types.InventoryFormatParquet, &s3types.InventoryEncryption{SSES3: &s3types.SSES3{}}))

	// CSV through the CLI verb.
	out, err := arcaAs(testAccessKey, testSecretKey, "inventory", "run", "--endpoint", ep, "--no-verify-ssl", "--bucket", "inv-src", "--id", "csv")
	if err != nil {
		t.Fatalf("arca inventory run: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`manifest s3://inv-reports/(reports/inv-src/csv/\d{4}-\d\d-\d\dT\d\d-\d\dZ/manifest\.json)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("arca inventory run printed %q", out)
	}
	manifest, rows := invrReport(t, c, m[1])
	if manifest["sourceBucket"] != "inv-src" || manifest["destinationBucket"] != "arn:aws:s3:::inv-reports" ||
		manifest["version"] != "2016-11-30" || manifest["fileFormat"] != "CSV" ||
		manifest["fileSchema"] != "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, EncryptionStatus, BucketKeyStatus, ChecksumAlgorithm, KMSKeyArn" {
		t.Errorf("manifest %v", manifest)
	}
	if ts, ok := manifest["creationTimestamp"].(string); !ok || len(ts) != 13 {
		t.Errorf("creationTimestamp %v, want milliseconds as a string", manifest["creationTimestamp"])
	}
	invrMatch(t, "CSV", rows, heads)
	// Every report file is encrypted under the configuration's key.
	for _, f := range manifest["files"].([]any) {
		key := f.(map[string]any)["key"].(string)
		if !regexp.MustCompile(`^reports/inv-src/csv/data/[0-9a-f-]{36}\.csv\.gz$`).MatchString(key) {
			t.Errorf("data file key %q", key)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("inv-reports"), Key: aws.String(key)})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != reportKey {
			t.Errorf("report file %s: %v %v %v, want SSE-KMS under %s", key, err, h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), reportKey)
		}
	}

	// Parquet through the API, as the root; the hive symlink names its data files.
	resp, res := invrRun(t, ep, "inv-src", "parquet", "", "")
	if resp.Status != 200 {
		t.Fatalf("RunInventoryConfiguration: %d %s", resp.Status, resp.Body)
	}
	if res.Objects != 12 || res.Rows != 13 || res.DestinationBucket != "arn:aws:s3:::inv-reports" {
		t.Errorf("run result %+v, want 12 objects in 13 rows", res)
	}
	manifest, rows = invrReport(t, c, res.ManifestKey)
	if manifest["fileFormat"] != "Parquet" || !strings.HasPrefix(manifest["fileSchema"].(string), "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); optional binary version_id (UTF8);") {
		t.Errorf("Parquet manifest %v", manifest)
	}
	invrMatch(t, "Parquet", rows, heads)
	stamp := strings.Split(res.ManifestKey, "/")[3] // reports/inv-src/parquet/<stamp>/manifest.json
	when, err := time.Parse("2006-01-02T15-04Z", stamp)
	if err != nil {
		t.Fatalf("manifest folder %q: %v", stamp, err)
	}
	link, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("inv-reports"),
		Key: aws.String("reports/inv-src/parquet/hive/dt=" + when.Format("2006-01-02-15-04") + "/symlink.txt")})
	var want strings.Builder
	for _, f := range manifest["files"].([]any) {
		key := f.(map[string]any)["key"].(string)
		want.WriteString("s3://inv-reports/" + key + "\n")
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("inv-reports"), Key: aws.String(key)})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
			t.Errorf("Parquet file %s: %v %v, want SSE-S3", key, err, h)
		}
	}
	if string(link) != want.String() {
		t.Errorf("symlink.txt %q, want %q", link, want.String())
	}

	// The summary, from the newest CSV report.
	out, err = arcaAs(testAccessKey, testSecretKey, "inventory", "summary", "--endpoint", ep, "--no-verify-ssl", "--bucket", "inv-src", "--id", "csv", "--json")
	if err != nil {
		t.Fatalf("arca inventory summary: %v\n%s", err, out)
	}
	var sums []struct {
		Bucket   string
		Total    struct{ Objects, Bytes int64 }
		ByStatus map[string]struct{ Objects, Bytes int64 } `json:"byEncryptionStatus"`
		ByKMSKey map[string]struct{ Objects, Bytes int64 } `json:"byKmsKey"`
	}
	if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 1 {
		t.Fatalf("summary %q: %v", out, err)
	}
	type count = struct{ Objects, Bytes int64 }
	byStatus, byKey := map[string]count{}, map[string]count{}
	var total count
	for _, o := range heads {
		if o.deleteMarker {
			continue
		}
		add := func(m map[string]count, k string) { c := m[k]; c.Objects++; c.Bytes += o.size; m[k] = c }
		add(byStatus, o.status)
		if o.status == "SSE-KMS" {
			add(byKey, o.kmsKey)
		}
		total.Objects++
		total.Bytes += o.size
	}
	s := sums[0]
	if s.Bucket != "inv-src" || s.Total != total || fmt.Sprint(s.ByStatus) != fmt.Sprint(byStatus) || fmt.Sprint(s.ByKMSKey) != fmt.Sprint(byKey) {
		t.Errorf("summary %+v\nwant total %v by status %v by key %v", s, total, byStatus, byKey)
	}
	if len(byKey) != 2 || byStatus["SSE-C"].Objects != 1 || byStatus["SSE-S3"].Objects != 5 {
		t.Errorf("the bucket's mix is not what the test wrote: %v %v", byStatus, byKey)
	}
	text, err := arcaAs(testAccessKey, testSecretKey, "inventory", "summary", "--endpoint", ep, "--no-verify-ssl")
	if err != nil || !strings.Contains(text, "bucket inv-src (inventory csv") || !strings.Contains(text, "SSE-KMS "+k1) {
		t.Errorf("summary of every configuration: %v\n%s", err, text)
	}
	t.Logf("arca inventory summary:\n%s", text)
}

// TestInventoryRunErrors: the run is refused to a caller without
// s3:PutInventoryConfiguration, and answers AWS-shaped errors for an unknown id, a
// missing destination and another account's destination that does not allow S3.
func TestInventoryRunErrors(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := srv.S3(ep)
	for _, b := range []string{"inv-src", "inv-reports"} {
		mustCreateBucket(t, c, b)
	}
	invrPut(t, c, "inv-src", invrConfig("ok", s3types.InventoryFormatCsv, nil))
	gone := invrConfig("gone", s3types.InventoryFormatCsv, nil)
	gone.Destination.S3BucketDestination.Bucket = aws.String("arn:aws:s3:::inv-nowhere")
	invrPut(t, c, "inv-src", gone)

	root := iamClient(ep, testAccessKey, testSecretKey)
	reader := authzUser(t, root, "inv-reader", authzAllow(`["s3:GetInventoryConfiguration","s3:ListBucket"]`, `"*"`))
	runner := authzUser(t, root, "inv-runner", authzAllow(`"s3:PutInventoryConfiguration"`, `"arn:aws:s3:::inv-src"`))

	resp, _ := invrRun(t, ep, "inv-src", "ok", reader.AK, reader.SK)
	e := wantXMLError(t, resp, 403, "AccessDenied")
	if !strings.Contains(e.Message, "s3:PutInventoryConfiguration") {
		t.Errorf("denial message %q", e.Message)
	}
	if resp, res := invrRun(t, ep, "inv-src", "ok", runner.AK, runner.SK); resp.Status != 200 || res.Rows != 0 || res.Files != 1 {
		t.Errorf("run as a user allowed to: %d %s", resp.Status, resp.Body)
	}
	wantXMLError(t, do(t, ep, rawReq{Method: "POST", Path: "/inv-src", Query: "inventory&id=nope"}), 404, "NoSuchConfiguration")
	wantXMLError(t, do(t, ep, rawReq{Method: "POST", Path: "/inv-src", Query: "inventory"}), 400, "InvalidArgument")
	wantXMLError(t, do(t, ep, rawReq{Method: "POST", Path: "/inv-src", Query: "inventory&id=gone"}), 400, "InvalidArgument")
	wantXMLError(t, do(t, ep, rawReq{Method: "POST", Path: "/inv-none", Query: "inventory&id=ok"}), 404, "NoSuchBucket")

	// The CLI says what failed and exits non-zero.
	out, err := arcaAs(testAccessKey, testSecretKey, "inventory", "run", "--endpoint", ep, "--bucket", "inv-src", "--id", "nope")
	if err == nil || !strings.Contains(out, "NoSuchConfiguration: The specified configuration does not exist.") {
		t.Errorf("arca inventory run of an unknown id: %v\n%s", err, out)
	}
	// The scheduler's state is untouched by refusals: the report of "ok" is still there.
	list, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("inv-reports"), Prefix: aws.String("reports/inv-src/ok/")})
	if err != nil || len(list.Contents) < 4 { // a data file, symlink, manifest.json, manifest.checksum
		t.Errorf("reports of ok: %v %d", err, len(list.Contents))
	}
}

// TestInventoryScheduler: with a short --inventory-interval, an enabled configuration's
// first report arrives at the next tick without anyone asking; a disabled one gets none.
func TestInventoryScheduler(t *testing.T) {
	srv := StartServer(t, "--inventory-interval", "1s")
	c := srv.S3(srv.HTTPURL)
	for _, b := range []string{"inv-src", "inv-reports"} {
		mustCreateBucket(t, c, b)
	}
	mustPut(t, c, "inv-src", "a", []byte("x"))
	invrPut(t, c, "inv-src", invrConfig("daily", s3types.InventoryFormatCsv, nil))
	off := invrConfig("off", s3types.InventoryFormatCsv, nil)
	off.IsEnabled = aws.Bool(false)
	invrPut(t, c, "inv-src", off)
	ctx := context.Background()
	var checksum string
	for i := 0; i < 600 && checksum == ""; i++ { // waits for an event, not a duration
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("inv-reports"), Prefix: aws.String("reports/inv-src/")})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range list.Contents {
			if k := aws.ToString(o.Key); strings.HasSuffix(k, "/manifest.checksum") {
				if !strings.HasPrefix(k, "reports/inv-src/daily/") {
					t.Fatalf("a report of %s", k)
				}
				checksum = k
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if checksum == "" {
		t.Fatalf("no scheduled report arrived\n%s", srv.Output())
	}
	_, rows := invrReport(t, c, strings.TrimSuffix(checksum, ".checksum")+".json")
	if len(rows) != 1 || rows[0].key != "a" || rows[0].status != "SSE-S3" {
		t.Errorf("scheduled report rows %+v", rows)
	}
}

// TestInventoryReportAWSCLI: the journey with the aws CLI: a configuration put with
// s3api put-bucket-inventory-configuration (Arca's KMSKeyArn among its fields), the report
// run by `arca inventory run`, its manifest and data file fetched with aws s3 cp.
func TestInventoryReportAWSCLI(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := srv.S3(ep)
	for _, b := range []string{"inv-src", "inv-reports"} {
		mustCreateBucket(t, c, b)
	}
	mustPut(t, c, "inv-src", "docs/a b.txt", []byte("hello"))
	srv.AWS(t, ep, false, "s3api", "put-bucket-inventory-configuration", "--bucket", "inv-src", "--id", "cli",
		"--inventory-configuration", `{"Id":"cli","IsEnabled":true,"IncludedObjectVersions":"Current","Schedule":{"Frequency":"Weekly"},`+
			`"OptionalFields":["Size","EncryptionStatus","KMSKeyArn"],"Destination":{"S3BucketDestination":{"Bucket":"arn:aws:s3:::inv-reports","Format":"CSV","Encryption":{"SSES3":{}}}}}`)
	out, err := arcaAs(testAccessKey, testSecretKey, "inventory", "run", "--endpoint", ep, "--bucket", "inv-src", "--id", "cli")
	if err != nil {
		t.Fatalf("arca inventory run: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`manifest (s3://inv-reports/inv-src/cli/\S+/manifest\.json)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("arca inventory run printed %q", out)
	}
	var manifest struct {
		FileSchema string `json:"fileSchema"`
		Files      []struct{ Key string }
	}
	if err := json.Unmarshal([]byte(srv.AWS(t, ep, false, "s3", "cp", m[1], "-")), &manifest); err != nil || len(manifest.Files) != 1 {
		t.Fatalf("manifest: %v %+v", err, manifest)
	}
	if manifest.FileSchema != "Bucket, Key, Size, EncryptionStatus, KMSKeyArn" {
		t.Errorf("fileSchema %q", manifest.FileSchema)
	}
	dst := filepath.Join(t.TempDir(), "data.csv.gz")
	srv.AWS(t, ep, false, "s3", "cp", "s3://inv-reports/"+manifest.Files[0].Key, dst)
	raw := readFile(t, dst)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	if string(text) != "\"inv-src\",\"docs%2Fa+b.txt\",\"5\",\"SSE-S3\",\"\"\n" {
		t.Errorf("data file %q", text)
	}
	// --run writes a new report first; a configuration without the summary's fields is
	// named with what it lacks.
	mustPut(t, c, "inv-src", "second", []byte("hi"))
	out, err = arcaAs(testAccessKey, testSecretKey, "inventory", "summary", "--endpoint", ep, "--bucket", "inv-src", "--id", "cli", "--run", "--json")
	if err != nil || !strings.Contains(out, `"objects": 2`) || !strings.Contains(out, `"bytes": 7`) {
		t.Errorf("summary --run: %v\n%s", err, out)
	}
	srv.AWS(t, ep, false, "s3api", "put-bucket-inventory-configuration", "--bucket", "inv-src", "--id", "bare",
		"--inventory-configuration", `{"Id":"bare","IsEnabled":true,"IncludedObjectVersions":"Current","Schedule":{"Frequency":"Daily"},`+
			`"Destination":{"S3BucketDestination":{"Bucket":"arn:aws:s3:::inv-reports","Format":"Parquet"}}}`)
	out, err = arcaAs(testAccessKey, testSecretKey, "inventory", "summary", "--endpoint", ep, "--bucket", "inv-src", "--id", "bare", "--run")
	if err == nil || !strings.Contains(out, "[Size EncryptionStatus KMSKeyArn]") {
		t.Errorf("summary of a report without the fields: %v\n%s", err, out)
	}
}

// TestInventoryReportCrossAccount: another account's destination receives reports only
// once its bucket policy allows s3.amazonaws.com to put them for the source bucket (AWS's
// documented destination policy, conditions and all); the configuration's AccountId must
// be the destination's owner; the owner reads the report with its own credentials.
func TestInventoryReportCrossAccount(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	a := srv.S3(ep)
	acctA := authzAccount(t, srv)
	acctB, akB, skB := createAccount(t, srv, "inventory-reports")
	b := authzS3(t, ep, authzCreds{AK: akB, SK: skB})
	mustCreateBucket(t, a, "inv-src")
	mustCreateBucket(t, b, "inv-theirs")
	mustPut(t, a, "inv-src", "k", []byte("v"))
	cfg := invrConfig("x", s3types.InventoryFormatCsv, nil)
	cfg.Destination.S3BucketDestination.Bucket = aws.String("arn:aws:s3:::inv-theirs")
	cfg.Destination.S3BucketDestination.AccountId = aws.String(acctB)
	invrPut(t, a, "inv-src", cfg)
	wrong := invrConfig("wrong-owner", s3types.InventoryFormatCsv, nil)
	wrong.Destination.S3BucketDestination.Bucket = aws.String("arn:aws:s3:::inv-theirs")
	wrong.Destination.S3BucketDestination.AccountId = aws.String(acctA)
	invrPut(t, a, "inv-src", wrong)

	resp, _ := invrRun(t, ep, "inv-src", "x", "", "")
	if e := wantXMLError(t, resp, 403, "AccessDenied"); !strings.Contains(e.Message, "does not allow s3.amazonaws.com") {
		t.Errorf("without the destination policy: %q", e.Message)
	}
	xacctPolicy(t, b, "inv-theirs", `{"Sid":"InventoryExamplePolicy","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},`+
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::inv-theirs/*","Condition":{"StringEquals":{"aws:SourceAccount":"`+acctA+
		`","s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::inv-src"}}}`)
	resp, res := invrRun(t, ep, "inv-src", "x", "", "")
	if resp.Status != 200 || res.Objects != 1 {
		t.Fatalf("with the destination policy: %d %s", resp.Status, resp.Body)
	}
	raw, _ := mustGet(t, b, &s3.GetObjectInput{Bucket: aws.String("inv-theirs"), Key: aws.String(res.ManifestKey)})
	if !strings.Contains(string(raw), `"sourceBucket": "inv-src"`) {
		t.Errorf("manifest read by the destination's owner: %s", raw)
	}
	resp, _ = invrRun(t, ep, "inv-src", "wrong-owner", "", "")
	if e := wantXMLError(t, resp, 403, "AccessDenied"); !strings.Contains(e.Message, "is not owned by account "+acctA) {
		t.Errorf("AccountId not the owner: %q", e.Message)
	}
	// A policy for another source account does not let this one in.
	xacctPolicy(t, b, "inv-theirs", `{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",`+
		`"Resource":"arn:aws:s3:::inv-theirs/*","Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}}`)
	resp, _ = invrRun(t, ep, "inv-src", "x", "", "")
	wantXMLError(t, resp, 403, "AccessDenied")
}
