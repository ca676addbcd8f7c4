package batch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A manifest generator (S3JobManifestGenerator) lists the source bucket's current object
// versions (delete markers and noncurrent versions are not listed: a job without version
// ids in its manifest acts on the current version, as AWS's do) and keeps those that pass
// the Filter. Arca has no replication: EligibleForReplication matches nothing, and
// ObjectReplicationStatuses matches every object for NONE and nothing otherwise.

// Match reports whether o passes f (a nil filter passes everything).
func (f *Filter) Match(o ObjectInfo) bool {
	if f == nil {
		return true
	}
	if f.EligibleForReplication != nil && *f.EligibleForReplication {
		return false
	}
	if len(f.ObjectReplicationStatuses) > 0 && !slices.Contains(f.ObjectReplicationStatuses, "NONE") {
		return false
	}
	if f.CreatedAfter != nil && !o.LastModified.After(*f.CreatedAfter) {
		return false
	}
	if f.CreatedBefore != nil && !o.LastModified.Before(*f.CreatedBefore) {
		return false
	}
	if f.ObjectSizeGreaterThanBytes != nil && !(o.Size > *f.ObjectSizeGreaterThanBytes) {
		return false
	}
	if f.ObjectSizeLessThanBytes != nil && !(o.Size < *f.ObjectSizeLessThanBytes) {
		return false
	}
	if c := f.KeyNameConstraint; c != nil {
		if !matchAny(c.MatchAnyPrefix, o.Key, strings.HasPrefix) ||
			!matchAny(c.MatchAnySuffix, o.Key, strings.HasSuffix) ||
			!matchAny(c.MatchAnySubstring, o.Key, strings.Contains) {
			return false
		}
	}
	if len(f.MatchAnyStorageClass) > 0 {
		sc := o.StorageClass
		if sc == "" {
			sc = "STANDARD"
		}
		if !slices.Contains(f.MatchAnyStorageClass, sc) {
			return false
		}
	}
	if len(f.MatchAnyObjectEncryption) > 0 {
		ok := false
		for _, e := range f.MatchAnyObjectEncryption {
			if e.match(o) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchAny is true when list is empty or some entry p has test(key, p).
func matchAny(list []string, key string, test func(s, p string) bool) bool {
	if len(list) == 0 {
		return true
	}
	for _, p := range list {
		if test(key, p) {
			return true
		}
	}
	return false
}

func (e EncryptionFilter) match(o ObjectInfo) bool {
	switch {
	case e.SSES3 != nil:
		return o.Encryption == EncSSES3
	case e.SSEKMS != nil:
		if o.Encryption != EncSSEKMS {
			return false
		}
		if e.SSEKMS.KmsKeyArn != "" && e.SSEKMS.KmsKeyArn != o.KMSKeyARN {
			return false
		}
		return e.SSEKMS.BucketKeyEnabled == nil || *e.SSEKMS.BucketKeyEnabled == o.BucketKey
	case e.SSEC != nil:
		return o.Encryption == EncSSEC
	case e.NOTSSE != nil:
		return o.Encryption == EncNotSSE || o.Encryption == ""
	}
	return false // DSSEKMS: Arca makes no DSSE-KMS objects
}

// generate lists g's source bucket through x and emits every object that passes the
// filter.
func generate(ctx context.Context, x Executor, j *Job, g *Generator, emit emitFunc) error {
	bucket, err := BucketFromARN(g.SourceBucket)
	if err != nil {
		return err
	}
	return x.Walk(ctx, j, bucket, func(o ObjectInfo) error {
		if o.DeleteMarker || !o.IsLatest || !g.Filter.Match(o) {
			return nil
		}
		return emit(bucket, o.Key, o.VersionID)
	})
}

// generatedManifest builds the files of a generated manifest (S3InventoryReport_CSV_20211130,
// laid out as an inventory report): one gzip'd CSV data file of rows "bucket,key,versionId"
// (keys URL-encoded) and the manifest.json that lists it with its MD5. It returns the data
// file's key and bytes and the manifest's key and bytes.
func generatedManifest(j *Job, loc *ManifestOutputLocation, sourceBucket string, rows [][3]string, now time.Time) (dataKey string, data []byte, manKey string, man []byte, err error) {
	dest, err := BucketFromARN(loc.Bucket)
	if err != nil {
		return "", nil, "", nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	cw := csv.NewWriter(zw)
	for _, r := range rows {
		if err := cw.Write([]string{r[0], url.QueryEscape(r[1]), r[2]}); err != nil {
			return "", nil, "", nil, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return "", nil, "", nil, err
	}
	if err := zw.Close(); err != nil {
		return "", nil, "", nil, err
	}
	data = buf.Bytes()
	base := jobPrefix(loc.ManifestPrefix, j.ID)
	dataKey = base + "data/" + newJobID() + ".csv.gz"
	manKey = base + "manifest.json"
	sum := md5.Sum(data)
	m := map[string]any{
		"sourceBucket":      sourceBucket,
		"destinationBucket": "arn:aws:s3:::" + dest,
		"version":           "2021-11-30",
		"creationTimestamp": strconv.FormatInt(now.UnixMilli(), 10),
		"fileFormat":        "CSV",
		"fileSchema":        "Bucket, Key, VersionId",
		"files": []map[string]any{{
			"key": dataKey, "size": len(data), "MD5checksum": hex.EncodeToString(sum[:]),
		}},
	}
	man, err = json.MarshalIndent(m, "", "  ")
	return dataKey, data, manKey, man, err
}

// jobPrefix is "<prefix>/job-<id>/" ("job-<id>/" without a prefix).
func jobPrefix(prefix, id string) string {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix == "" {
		return "job-" + id + "/"
	}
	return prefix + "/job-" + id + "/"
}
