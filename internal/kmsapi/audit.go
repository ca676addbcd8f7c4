package kmsapi

import (
	"encoding/json"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// SetAudit installs the handler every request's record goes to (region fills awsRegion).
func (a *API) SetAudit(h audit.Handler, region string) { a.audit, a.region = h, region }

// readOnlyOps are the KMS operations CloudTrail marks readOnly: the reads and the
// cryptographic operations. Every KMS event is a management event.
var readOnlyOps = map[string]bool{
	"Encrypt": true, "Decrypt": true, "ReEncrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyWithoutPlaintext": true, "GenerateRandom": true,
}

// ReadOnly reports whether CloudTrail marks the KMS operation op readOnly.
func ReadOnly(op string) bool {
	return readOnlyOps[op] || strings.HasPrefix(op, "Describe") || strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Get")
}

// auditParams are the request fields a record keeps, by wire name; everything else
// (Plaintext, CiphertextBlob, GrantTokens, …) stays out.
var auditParams = []string{
	"KeyId", "KeySpec", "NumberOfBytes", "EncryptionContext", "EncryptionAlgorithm", "Description",
	"KeyUsage", "CustomerMasterKeySpec", "Origin", "MultiRegion", "AliasName", "TargetKeyId", "GrantId",
	"GranteePrincipal", "RetiringPrincipal", "Operations", "Constraints", "Name", "PendingWindowInDays",
	"SourceKeyId", "DestinationKeyId", "SourceEncryptionContext", "DestinationEncryptionContext",
	"SourceEncryptionAlgorithm", "DestinationEncryptionAlgorithm", "PolicyName", "Policy",
	"BypassPolicyLockoutSafetyCheck", "TagKeys", "Tags", "Limit", "RotationPeriodInDays",
}

// RequestParameters picks the recordable fields of a KMS JSON request body, with
// CloudTrail's lower-camel names.
func RequestParameters(body []byte) map[string]any {
	var in map[string]json.RawMessage
	if len(body) == 0 || json.Unmarshal(body, &in) != nil {
		return nil
	}
	out := map[string]any{}
	for _, k := range auditParams {
		if raw, ok := in[k]; ok {
			var v any
			if json.Unmarshal(raw, &v) == nil {
				out[lowerFirst(k)] = v
			}
		}
	}
	return out
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// KeyResource is the resources entry for the key ref names (nil if none is found).
func KeyResource(svc *kms.Service, ref string) []audit.Resource {
	if ref == "" {
		return nil
	}
	info, err := svc.AuthInfo(ref, true)
	if err != nil {
		return nil
	}
	account := ""
	if parts := strings.SplitN(info.ARN, ":", 6); len(parts) == 6 {
		account = parts[4]
	}
	return []audit.Resource{{ARN: info.ARN, AccountID: account, Type: "AWS::KMS::Key"}}
}

// emitAudit hands x's record to the handler; for a change that must be durable, the error
// is the handler's (respond then fails the request).
func (a *API) emitAudit(x *exchange, rid string, data []byte, err error) error {
	if a.audit == nil || x.audited {
		return nil
	}
	x.audited = true
	rec := a.auditRecord(x, rid, data, err)
	herr := a.audit.Handle(x.r.Context(), rec)
	if herr != nil && !rec.Durable() {
		a.log.Error("kms: audit record lost", "request_id", rid, "op", x.op, "err", herr)
		return nil
	}
	return herr
}

func (a *API) auditRecord(x *exchange, rid string, data []byte, err error) *audit.Record {
	var rec *audit.Record
	if x.c != nil {
		rec = audithttp.Base(x.r, x.c.Identity, false)
	} else {
		rec = audithttp.Base(x.r, iam.Identity{}, false)
	}
	rec.EventSource = audit.SourceKMS
	rec.EventName = x.op
	rec.AWSRegion = a.region
	rec.RequestID = rid
	rec.ReadOnly = ReadOnly(x.op)
	rec.ManagementEvent = true
	rec.RequestParameters = RequestParameters(x.body)
	if err != nil {
		e := apierr.KMS(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	var f struct {
		KeyID          string `json:"KeyId"`
		TargetKeyID    string `json:"TargetKeyId"`
		CiphertextBlob []byte `json:"CiphertextBlob"`
	}
	json.Unmarshal(x.body, &f)
	ref := f.KeyID
	switch {
	case ref == "" && f.TargetKeyID != "":
		ref = f.TargetKeyID
	case ref == "" && len(f.CiphertextBlob) > 0:
		ref = kms.CiphertextKeyID(f.CiphertextBlob)
	}
	if err == nil && x.op == "CreateKey" {
		var out struct{ KeyMetadata struct{ KeyId, Arn string } }
		if json.Unmarshal(data, &out) == nil && out.KeyMetadata.Arn != "" {
			rec.ResponseElements = map[string]any{"keyMetadata": map[string]any{
				"keyId": out.KeyMetadata.KeyId, "arn": out.KeyMetadata.Arn}}
			ref = out.KeyMetadata.Arn
		}
	}
	rec.Resources = KeyResource(a.svc, ref)
	return rec
}
