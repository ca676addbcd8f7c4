package s3api

import (
	"net/http"
	"net/url"

	"github.com/arcastore/arca/internal/apierr"
)

func parseQuery(raw string) (map[string][]string, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, apierr.InvalidURI
	}
	return v, nil
}

// Sub-resources Arca does not implement yet; they answer NotImplemented rather than being
// mistaken for a plain object or bucket operation.
var unsupportedSubresources = []string{
	"acl", "cors", "lifecycle", "logging", "notification", "replication", "website",
	"requestPayment", "inventory", "analytics", "metrics", "intelligent-tiering",
	"object-lock", "retention", "legal-hold", "restore", "select", "torrent",
	"accelerate", "ownershipControls", "attributes", "encryption", "policy", "policyStatus",
	"publicAccessBlock", "tagging", "versions", "versionId",
}

// route picks the operation. Order matters: sub-resources first, then the plain forms.
func route(q *request) (string, handlerFunc, error) {
	m := q.r.Method
	if q.bucket == "" {
		if m == http.MethodGet {
			return "ListBuckets", (*API).listBuckets, nil
		}
		return "", nil, apierr.MethodNotAllowed
	}
	if q.key == "" {
		return routeBucket(q, m)
	}
	return routeObject(q, m)
}

func routeBucket(q *request, m string) (string, handlerFunc, error) {
	switch {
	case m == http.MethodGet && q.qhas("location"):
		return "GetBucketLocation", (*API).getBucketLocation, nil
	case m == http.MethodGet && q.qhas("versioning"):
		return "GetBucketVersioning", (*API).getBucketVersioning, nil
	case m == http.MethodGet && q.qhas("uploads"):
		return "ListMultipartUploads", (*API).listUploads, nil
	case m == http.MethodPost && q.qhas("delete"):
		return "DeleteObjects", (*API).deleteObjects, nil
	case m == http.MethodPut && q.qhas("encryption"):
		return "PutBucketEncryption", (*API).putBucketEncryption, nil
	case m == http.MethodGet && q.qhas("encryption"):
		return "GetBucketEncryption", (*API).getBucketEncryption, nil
	case m == http.MethodDelete && q.qhas("encryption"):
		return "DeleteBucketEncryption", (*API).deleteBucketEncryption, nil
	case m == http.MethodPut && q.qhas("policy"):
		return "PutBucketPolicy", (*API).putBucketPolicy, nil
	case m == http.MethodGet && q.qhas("policy"):
		return "GetBucketPolicy", (*API).getBucketPolicy, nil
	case m == http.MethodDelete && q.qhas("policy"):
		return "DeleteBucketPolicy", (*API).deleteBucketPolicy, nil
	case m == http.MethodGet && q.qhas("policyStatus"):
		return "GetBucketPolicyStatus", (*API).getBucketPolicyStatus, nil
	case m == http.MethodPut && q.qhas("publicAccessBlock"):
		return "PutPublicAccessBlock", (*API).putPublicAccessBlock, nil
	case m == http.MethodGet && q.qhas("publicAccessBlock"):
		return "GetPublicAccessBlock", (*API).getPublicAccessBlock, nil
	case m == http.MethodDelete && q.qhas("publicAccessBlock"):
		return "DeletePublicAccessBlock", (*API).deletePublicAccessBlock, nil
	}
	for _, s := range unsupportedSubresources {
		if q.qhas(s) {
			return "Unsupported", nil, apierr.NotImplemented.Msg("Arca does not implement the ?%s sub-resource yet.", s)
		}
	}
	switch m {
	case http.MethodGet:
		if q.qget("list-type") == "2" {
			return "ListObjectsV2", (*API).listObjectsV2, nil
		}
		return "ListObjects", (*API).listObjectsV1, nil
	case http.MethodPut:
		return "CreateBucket", (*API).createBucket, nil
	case http.MethodHead:
		return "HeadBucket", (*API).headBucket, nil
	case http.MethodDelete:
		return "DeleteBucket", (*API).deleteBucket, nil
	}
	return "", nil, apierr.MethodNotAllowed
}

func routeObject(q *request, m string) (string, handlerFunc, error) {
	upload := q.qhas("uploadId")
	for _, s := range unsupportedSubresources {
		if q.qhas(s) && s != "versionId" {
			return "Unsupported", nil, apierr.NotImplemented.Msg("Arca does not implement the ?%s sub-resource yet.", s)
		}
	}
	switch m {
	case http.MethodPut:
		if upload || q.qhas("partNumber") {
			if q.header("x-amz-copy-source") != "" {
				return "UploadPartCopy", (*API).uploadPartCopy, nil
			}
			return "UploadPart", (*API).uploadPart, nil
		}
		if q.header("x-amz-copy-source") != "" {
			return "CopyObject", (*API).copyObject, nil
		}
		return "PutObject", (*API).putObject, nil
	case http.MethodGet:
		if upload {
			return "ListParts", (*API).listParts, nil
		}
		return "GetObject", (*API).getObject, nil
	case http.MethodHead:
		return "HeadObject", (*API).headObject, nil
	case http.MethodDelete:
		if upload {
			return "AbortMultipartUpload", (*API).abortUpload, nil
		}
		return "DeleteObject", (*API).deleteObject, nil
	case http.MethodPost:
		if q.qhas("uploads") {
			return "CreateMultipartUpload", (*API).createUpload, nil
		}
		if upload {
			return "CompleteMultipartUpload", (*API).completeUpload, nil
		}
	}
	return "", nil, apierr.MethodNotAllowed
}
