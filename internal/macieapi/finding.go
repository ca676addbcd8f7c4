package macieapi

import (
	"path"
	"strings"

	"github.com/arcastore/arca/internal/discovery"
)

type rangeWire struct {
	Start       int64 `json:"start"`
	End         int64 `json:"end"`
	StartColumn int64 `json:"startColumn"`
}

func occurrences(d *discovery.Detection) map[string]any {
	lines, offs := []rangeWire{}, []rangeWire{}
	for _, o := range d.Occurrences {
		lines = append(lines, rangeWire{Start: o.StartLine, End: o.EndLine, StartColumn: o.Column})
		offs = append(offs, rangeWire{Start: o.Start, End: o.End, StartColumn: o.Column})
	}
	return map[string]any{"lineRanges": lines, "offsetRanges": offs}
}

// findingOut is a finding in Macie's shape: where and how often, never the data.
func findingOut(f *discovery.Finding) map[string]any {
	var sensitive []map[string]any
	byCat := map[discovery.Category]int{}
	var custom []map[string]any
	var customTotal, total int64
	additional := false
	for i := range f.Detections {
		d := &f.Detections[i]
		total += d.Count
		if int64(len(d.Occurrences)) < d.Count {
			additional = true
		}
		if d.Category == discovery.Custom {
			customTotal += d.Count
			custom = append(custom, map[string]any{"arn": "arn:aws:macie2:" + f.Region + ":" + f.Account + ":custom-data-identifier/" + d.ID,
				"name": d.Name, "count": d.Count, "occurrences": occurrences(d)})
			continue
		}
		idx, ok := byCat[d.Category]
		if !ok {
			idx = len(sensitive)
			byCat[d.Category] = idx
			sensitive = append(sensitive, map[string]any{"category": string(d.Category), "totalCount": int64(0), "detections": []any{}})
		}
		s := sensitive[idx]
		s["totalCount"] = s["totalCount"].(int64) + d.Count
		s["detections"] = append(s["detections"].([]any), map[string]any{"type": d.ID, "count": d.Count, "occurrences": occurrences(d)})
	}
	result := map[string]any{
		"additionalOccurrences": additional,
		"mimeType":              "text/plain",
		"sizeClassified":        f.SizeClassified,
		"status":                map[string]string{"code": "COMPLETE"},
		"sensitiveData":         nonNilMaps(sensitive),
		"customDataIdentifiers": map[string]any{"detections": nonNilMaps(custom), "totalCount": customTotal},
	}
	ext := strings.TrimPrefix(path.Ext(f.Key), ".")
	obj := map[string]any{"bucketArn": f.BucketARN, "eTag": strings.Trim(f.ETag, `"`), "extension": ext, "key": f.Key,
		"lastModified": ts(f.LastModified), "path": f.Bucket + "/" + f.Key, "publicAccess": false, "size": f.Size,
		"storageClass": "STANDARD", "serverSideEncryption": sse(f.Encryption, f.KMSKey)}
	if f.VersionID != "" {
		obj["versionId"] = f.VersionID
	}
	return map[string]any{
		"accountId": f.Account, "archived": false, "category": "CLASSIFICATION", "count": f.Count,
		"createdAt": ts(f.CreatedAt), "updatedAt": ts(f.UpdatedAt), "id": f.ID, "partition": "aws", "region": f.Region,
		"schemaVersion": "1.0", "sample": false, "type": f.Type,
		"title":       "The S3 object contains sensitive data.",
		"description": "The object contains sensitive data (" + strings.TrimPrefix(f.Type, "SensitiveData:S3Object/") + ").",
		"severity":    map[string]any{"description": f.Severity, "score": f.Score},
		"classificationDetails": map[string]any{"jobArn": f.JobARN, "jobId": f.JobID,
			"originType": "SENSITIVE_DATA_DISCOVERY_JOB", "result": result},
		"resourcesAffected": map[string]any{
			"s3Bucket": map[string]any{"arn": f.BucketARN, "name": f.Bucket, "createdAt": ts(f.BucketCreated),
				"defaultServerSideEncryption": sse(f.BucketEncryption, f.BucketKMSKey)},
			"s3Object": obj,
		},
	}
}

func sse(typ, key string) map[string]string {
	out := map[string]string{"encryptionType": typ}
	if key != "" {
		out["kmsMasterKeyId"] = key
	}
	return out
}

func nonNilMaps(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}
