package kms

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/arcastore/arca/internal/policy"
	"strings"
	"unicode/utf8"
)

// Key policies are stored, validated and returned; enforcing them is the policy engine's
// job (internal/authz), which reads them through AuthInfo.

// PolicyCheck is the key policy lockout safety check a caller hands CreateKey and
// PutKeyPolicy: it is called with the key's ARN and the new policy once the policy is
// valid and the key known, before anything is written; an error refuses the change and is
// returned as it is. The decision (does the policy still let the caller change it, unless
// BypassPolicyLockoutSafetyCheck) belongs to the policy engine, so this package only asks.
type PolicyCheck func(ctx context.Context, keyARN, policy string) error

const maxPolicyBytes = 32768

// DefaultPolicy is the key policy CreateKey attaches when none is given: AWS's, which
// lets the account's IAM policies govern the key.
func DefaultPolicy(account string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// managedPolicy is the fixed policy of an AWS managed key for a service: usable by any
// principal of the account through that service, readable by the account.
func managedPolicy(account, region, service string) string {
	return `{"Version":"2012-10-17","Id":"auto-` + service + `-2","Statement":[{"Sid":"Allow access through ` + strings.ToUpper(service) +
		` for all principals in the account that are authorized to use ` + strings.ToUpper(service) +
		`","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` +
		account + `","kms:ViaService":"` + service + `.` + region + `.amazonaws.com"}}},{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		account + `:root"},"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`
}

func malformed(msg string) error { return errf(ErrMalformedPolicy, "%s", msg) }

// ValidatePolicy checks a key policy document's shape: JSON, at most 32 KiB, a Statement
// (one object or a non-empty list) whose every element has Effect Allow or Deny, a
// Principal, an Action (or NotAction) and a Resource (or NotResource).
func ValidatePolicy(doc string) error {
	if len(doc) > maxPolicyBytes {
		return errf(ErrLimitExceeded, "The key policy exceeds the size limit of %d bytes.", maxPolicyBytes)
	}
	if !utf8.ValidString(doc) {
		return malformed("The key policy is not valid UTF-8.")
	}
	// The one policy engine validates (and later evaluates) key policies, so a stored
	// policy always parses when a request is authorized against it.
	if _, err := policy.Parse([]byte(doc), policy.Key); err != nil {
		if errors.Is(err, policy.ErrTooLarge) {
			return errf(ErrLimitExceeded, "The key policy exceeds the size limit of %d bytes.", maxPolicyBytes)
		}
		return malformed(policy.Reason(err))
	}
	return nil
}

func checkStatement(st map[string]json.RawMessage) error {
	var effect string
	if json.Unmarshal(st["Effect"], &effect) != nil || effect != "Allow" && effect != "Deny" {
		return malformed("Policy contains a statement whose Effect is not Allow or Deny.")
	}
	_, p := st["Principal"]
	_, np := st["NotPrincipal"]
	if !p && !np {
		return malformed("Policy contains a statement with no principal.")
	}
	if p {
		if !validPrincipal(st["Principal"]) {
			return malformed("Policy contains a statement with one or more invalid principals.")
		}
	}
	act, ok := st["Action"]
	if !ok {
		act, ok = st["NotAction"]
	}
	if !ok || !stringOrList(act, func(s string) bool { return s == "*" || strings.HasPrefix(s, "kms:") }) {
		return malformed("Policy contains a statement with no or invalid Action (use \"kms:*\" or kms:<Operation>).")
	}
	res, ok := st["Resource"]
	if !ok {
		res, ok = st["NotResource"]
	}
	if !ok || !stringOrList(res, func(s string) bool { return s != "" }) {
		return malformed("Policy contains a statement with no Resource.")
	}
	if c, ok := st["Condition"]; ok {
		var m map[string]map[string]json.RawMessage
		if json.Unmarshal(c, &m) != nil {
			return malformed("Policy contains a statement with an invalid Condition block.")
		}
	}
	return nil
}

func stringOrList(raw json.RawMessage, ok func(string) bool) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return ok(one)
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return false
	}
	for _, s := range list {
		if !ok(s) {
			return false
		}
	}
	return true
}

func validPrincipal(raw json.RawMessage) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return false
	}
	for k, v := range m {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return false
		}
		if !stringOrList(v, func(s string) bool { return s != "" }) {
			return false
		}
	}
	return true
}

func checkPolicyName(name string) error {
	if name != "" && name != "default" {
		return errf(ErrNotFound, "No such policy exists")
	}
	return nil
}

// PutKeyPolicy replaces a key's policy (name "" or "default"). AWS managed keys' policies
// are fixed. check (nil: none) is the lockout safety check of doc.
func (s *Service) PutKeyPolicy(ctx context.Context, p Principal, keyID, name, doc string, check PolicyCheck) error {
	if err := checkPolicyName(name); err != nil {
		return err
	}
	if err := ValidatePolicy(doc); err != nil {
		return err
	}
	_, err := s.changeKey(ctx, keyID, false, "PutKeyPolicy", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "its key policy cannot be changed"); err != nil {
			return err
		}
		if check != nil {
			if err := check(ctx, k.arn, doc); err != nil {
				return err
			}
		}
		r.Policy = doc
		return nil
	})
	return err
}

// GetKeyPolicy returns a key's policy document.
func (s *Service) GetKeyPolicy(ctx context.Context, p Principal, keyID, name string) (string, error) {
	if err := checkPolicyName(name); err != nil {
		return "", err
	}
	k, err := s.resolve(keyID, false, "GetKeyPolicy")
	if err != nil {
		return "", err
	}
	return k.rec.Policy, nil
}

// ListKeyPolicies returns the policy names of a key: always just "default".
func (s *Service) ListKeyPolicies(ctx context.Context, p Principal, keyID string, pg Page) ([]string, string, error) {
	if _, err := s.resolve(keyID, false, "ListKeyPolicies"); err != nil {
		return nil, "", err
	}
	return paginate([]string{"default"}, func(s string) string { return s }, pg, 100, 1000)
}
