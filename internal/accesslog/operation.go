package accesslog

import "strings"

// operations are the Operation field of the S3 operations whose name S3's logs do not
// derive from the method and the sub-resource alone.
var operations = map[string]string{
	"GetObject":               "REST.GET.OBJECT",
	"HeadObject":              "REST.HEAD.OBJECT",
	"PutObject":               "REST.PUT.OBJECT",
	"DeleteObject":            "REST.DELETE.OBJECT",
	"CopyObject":              "REST.COPY.OBJECT",
	"PostObject":              "REST.POST.OBJECT",
	"ListObjects":             "REST.GET.BUCKET",
	"ListObjectsV2":           "REST.GET.BUCKET",
	"HeadBucket":              "REST.HEAD.BUCKET",
	"CreateBucket":            "REST.PUT.BUCKET",
	"DeleteBucket":            "REST.DELETE.BUCKET",
	"DeleteObjects":           "REST.POST.MULTI_OBJECT_DELETE",
	"CreateMultipartUpload":   "REST.POST.UPLOADS",
	"UploadPart":              "REST.PUT.PART",
	"UploadPartCopy":          "REST.COPY.PART",
	"CompleteMultipartUpload": "REST.POST.UPLOAD",
	"AbortMultipartUpload":    "REST.DELETE.UPLOAD",
	"ListParts":               "REST.GET.UPLOAD",
	"ListMultipartUploads":    "REST.GET.UPLOADS",
	"ListObjectVersions":      "REST.GET.BUCKETVERSIONS",
	"GetBucketLogging":        "REST.GET.LOGGING_STATUS",
	"PutBucketLogging":        "REST.PUT.LOGGING_STATUS",
	"GetBucketPolicy":         "REST.GET.BUCKETPOLICY",
	"PutBucketPolicy":         "REST.PUT.BUCKETPOLICY",
	"DeleteBucketPolicy":      "REST.DELETE.BUCKETPOLICY",
	"GetBucketPolicyStatus":   "REST.GET.BUCKETPOLICYSTATUS",
	"GetObjectTagging":        "REST.GET.OBJECT_TAGGING",
	"PutObjectTagging":        "REST.PUT.OBJECT_TAGGING",
	"DeleteObjectTagging":     "REST.DELETE.OBJECT_TAGGING",
	"GetObjectAcl":            "REST.GET.ACL",
	"PutObjectAcl":            "REST.PUT.ACL",
	"PreflightRequest":        "REST.OPTIONS.PREFLIGHT",
}

// subresources name the RESOURCE part of the Operation of a request with that sub-resource.
var subresources = map[string]string{
	"versioning": "VERSIONING", "encryption": "ENCRYPTION", "tagging": "TAGGING", "acl": "ACL",
	"cors": "CORS", "location": "LOCATION", "publicAccessBlock": "PUBLIC_ACCESS_BLOCK",
	"ownershipControls": "OWNERSHIP_CONTROLS", "object-lock": "OBJECT_LOCK_CONFIGURATION",
	"inventory": "INVENTORY_CONFIGURATION", "policy": "BUCKETPOLICY", "logging": "LOGGING_STATUS",
	"retention": "OBJECT_RETENTION", "legal-hold": "OBJECT_LEGAL_HOLD", "attributes": "OBJECT_ATTRIBUTES",
	"policyStatus": "BUCKETPOLICYSTATUS",
}

// Operation is the Operation field of a request: REST.<HTTP method>.<resource type>. op is
// the S3 operation's name, sub the request's sub-resources (query parameter names), key
// whether it names an object.
func Operation(op, method string, sub []string, key bool) string {
	if s, ok := operations[op]; ok {
		return s
	}
	m := strings.ToUpper(method)
	for _, q := range sub {
		if r, ok := subresources[q]; ok {
			if key && r == "TAGGING" {
				r = "OBJECT_TAGGING"
			}
			return "REST." + m + "." + r
		}
	}
	if key {
		return "REST." + m + ".OBJECT"
	}
	return "REST." + m + ".BUCKET"
}
