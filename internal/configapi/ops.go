package configapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/compliance"
	"github.com/arcastore/arca/internal/errs"
)

// epoch is a JSON 1.1 timestamp: seconds since the epoch, as a number.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)), nil
}

func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return apierr.ConfigSerialization.WithMessage("Start of structure or map found where not expected.")
	}
	return nil
}

func validation(field, constraint string, value any) error {
	return errs.Newf(compliance.ErrValidation, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

type scopeJSON struct {
	ComplianceResourceTypes []string `json:",omitempty"`
	TagKey                  string   `json:",omitempty"`
	TagValue                string   `json:",omitempty"`
	ComplianceResourceId    string   `json:",omitempty"`
}

type sourceJSON struct {
	Owner               string
	SourceIdentifier    string            `json:",omitempty"`
	SourceDetails       []json.RawMessage `json:",omitempty"`
	CustomPolicyDetails json.RawMessage   `json:",omitempty"`
}

type ruleJSON struct {
	ConfigRuleName            string     `json:",omitempty"`
	ConfigRuleArn             string     `json:",omitempty"`
	ConfigRuleId              string     `json:",omitempty"`
	Description               string     `json:",omitempty"`
	Scope                     *scopeJSON `json:",omitempty"`
	Source                    *sourceJSON
	InputParameters           string            `json:",omitempty"`
	MaximumExecutionFrequency string            `json:",omitempty"`
	ConfigRuleState           string            `json:",omitempty"`
	CreatedBy                 string            `json:",omitempty"`
	EvaluationModes           []json.RawMessage `json:",omitempty"`
}

func (a *API) putConfigRule(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		ConfigRule *ruleJSON
		Tags       []json.RawMessage
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r := in.ConfigRule
	switch {
	case r == nil:
		return nil, validation("configRule", "Member must not be null", "null")
	case r.Source == nil:
		return nil, validation("configRule.source", "Member must not be null", "null")
	case len(r.ConfigRuleName) > 128:
		return nil, validation("configRule.configRuleName", "Member must have length less than or equal to 128", r.ConfigRuleName)
	case len(r.Description) > 256:
		return nil, validation("configRule.description", "Member must have length less than or equal to 256", r.Description)
	case len(r.InputParameters) > 1024:
		return nil, validation("configRule.inputParameters", "Member must have length less than or equal to 1024", r.InputParameters)
	case r.Source.SourceIdentifier == "":
		return nil, errs.New(compliance.ErrInvalidParameter, "SourceIdentifier is required for a managed rule.")
	}
	var scope *compliance.Scope
	if r.Scope != nil {
		if r.Scope.TagKey != "" || r.Scope.TagValue != "" {
			return nil, errs.New(compliance.ErrInvalidParameter, "Arca does not scope rules by tag: use ComplianceResourceTypes or ComplianceResourceId.")
		}
		scope = &compliance.Scope{ResourceTypes: r.Scope.ComplianceResourceTypes, ResourceID: r.Scope.ComplianceResourceId}
	}
	_, err := a.rules.Put(ctx, account, compliance.PutInput{
		Name: r.ConfigRuleName, ARN: r.ConfigRuleArn, ID: r.ConfigRuleId, Description: r.Description,
		Owner: r.Source.Owner, Identifier: r.Source.SourceIdentifier, Input: r.InputParameters,
		Frequency: r.MaximumExecutionFrequency, State: r.ConfigRuleState, Scope: scope,
		HasDetails: len(r.Source.SourceDetails) > 0 || len(r.Source.CustomPolicyDetails) > 0,
	})
	return nil, err
}

func ruleOut(r compliance.Rule) ruleJSON {
	out := ruleJSON{ConfigRuleName: r.Name, ConfigRuleArn: r.ARN, ConfigRuleId: r.ID, Description: r.Description,
		Source: &sourceJSON{Owner: r.Owner, SourceIdentifier: r.Identifier}, InputParameters: r.Input,
		MaximumExecutionFrequency: r.Frequency, ConfigRuleState: r.State}
	if out.InputParameters == "" {
		out.InputParameters = "{}"
	}
	if r.Scope != nil {
		out.Scope = &scopeJSON{ComplianceResourceTypes: r.Scope.ResourceTypes, ComplianceResourceId: r.Scope.ResourceID}
	}
	out.EvaluationModes = []json.RawMessage{json.RawMessage(`{"Mode":"DETECTIVE"}`)}
	return out
}

// page returns items[from:from+limit] of a list sorted by key and the token of the next
// page ("" at the end). A token is the base64 of the last key returned.
func page[T any](items []T, key func(T) string, token string, limit int) ([]T, string, error) {
	start := 0
	if token != "" {
		k, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(k) == 0 {
			return nil, "", compliance.ErrInvalidNextToken
		}
		start, _ = slices.BinarySearchFunc(items, string(k), func(t T, s string) int {
			switch a := key(t); {
			case a < s:
				return -1
			case a > s:
				return 1
			}
			return 0
		})
		if start < len(items) && key(items[start]) == string(k) {
			start++
		}
	}
	if limit <= 0 {
		limit = 100
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return items[start:end], next, nil
}

func (a *API) describeConfigRules(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		ConfigRuleNames []string
		NextToken       string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.ConfigRuleNames) > 25 {
		return nil, validation("configRuleNames", "Member must have length less than or equal to 25", in.ConfigRuleNames)
	}
	rules, err := a.rules.Describe(ctx, account, in.ConfigRuleNames)
	if err != nil {
		return nil, err
	}
	pg, next, err := page(rules, func(r compliance.Rule) string { return r.Name }, in.NextToken, 25)
	if err != nil {
		return nil, err
	}
	out := struct {
		ConfigRules []ruleJSON
		NextToken   string `json:",omitempty"`
	}{ConfigRules: []ruleJSON{}, NextToken: next}
	for _, r := range pg {
		out.ConfigRules = append(out.ConfigRules, ruleOut(r))
	}
	return out, nil
}

func (a *API) deleteConfigRule(ctx context.Context, account string, body []byte) (any, error) {
	var in struct{ ConfigRuleName string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ConfigRuleName == "" {
		return nil, validation("configRuleName", "Member must not be null", "null")
	}
	return nil, a.rules.Delete(ctx, account, in.ConfigRuleName)
}

func (a *API) startConfigRulesEvaluation(ctx context.Context, account string, body []byte) (any, error) {
	var in struct{ ConfigRuleNames []string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return nil, a.rules.StartEvaluation(ctx, account, in.ConfigRuleNames)
}

var complianceTypes = []string{compliance.Compliant, compliance.NonCompliant, compliance.NotApplicable, compliance.InsufficientData}

// typeFilter checks a ComplianceTypes filter and returns it as a set (nil: none).
func typeFilter(types []string) (map[string]bool, error) {
	if len(types) > 3 {
		return nil, validation("complianceTypes", "Member must have length less than or equal to 3", types)
	}
	if len(types) == 0 {
		return nil, nil
	}
	m := map[string]bool{}
	for _, t := range types {
		if !slices.Contains(complianceTypes, t) {
			return nil, validation("complianceTypes", "Member must satisfy enum value set: [COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA]", types)
		}
		m[t] = true
	}
	return m, nil
}

type countJSON struct {
	CappedCount int
	CapExceeded bool
}

type complianceJSON struct {
	ComplianceType             string
	ComplianceContributorCount *countJSON `json:",omitempty"`
}

// summarize is the compliance of a set of results, as AWS Config reports a rule's or a
// resource's: NON_COMPLIANT (with the count of non-compliant contributors, capped at 100)
// when any is, else COMPLIANT when any is, else INSUFFICIENT_DATA. ok false when only
// NOT_APPLICABLE results are there (AWS Config then does not list the resource).
func summarize(rs []compliance.Result) (complianceJSON, bool) {
	var non, comp, na int
	for _, r := range rs {
		switch r.Compliance {
		case compliance.NonCompliant:
			non++
		case compliance.Compliant:
			comp++
		case compliance.NotApplicable:
			na++
		}
	}
	switch {
	case non > 0:
		return complianceJSON{ComplianceType: compliance.NonCompliant, ComplianceContributorCount: &countJSON{CappedCount: min(non, 100), CapExceeded: non > 100}}, true
	case comp > 0:
		return complianceJSON{ComplianceType: compliance.Compliant}, true
	case na > 0 && na == len(rs):
		return complianceJSON{ComplianceType: compliance.NotApplicable}, false
	}
	return complianceJSON{ComplianceType: compliance.InsufficientData}, true
}

func (a *API) describeComplianceByConfigRule(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		ConfigRuleNames []string
		ComplianceTypes []string
		NextToken       string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	filter, err := typeFilter(in.ComplianceTypes)
	if err != nil {
		return nil, err
	}
	rules, err := a.rules.Describe(ctx, account, in.ConfigRuleNames)
	if err != nil {
		return nil, err
	}
	results, err := a.rules.Results(ctx, account, "", "", "")
	if err != nil {
		return nil, err
	}
	type byRule struct {
		ConfigRuleName string
		Compliance     complianceJSON
	}
	var all []byRule
	for _, r := range rules {
		var mine []compliance.Result
		for _, res := range results {
			if res.Rule == r.Name {
				mine = append(mine, res)
			}
		}
		c, _ := summarize(mine)
		if c.ComplianceType == compliance.NotApplicable {
			c = complianceJSON{ComplianceType: compliance.Compliant}
		}
		if filter == nil || filter[c.ComplianceType] {
			all = append(all, byRule{r.Name, c})
		}
	}
	pg, next, err := page(all, func(b byRule) string { return b.ConfigRuleName }, in.NextToken, 25)
	if err != nil {
		return nil, err
	}
	return struct {
		ComplianceByConfigRules []byRule
		NextToken               string `json:",omitempty"`
	}{append([]byRule{}, pg...), next}, nil
}

// checkLimit is a Limit member: 0 to 100, absent or 0 meaning AWS Config's default of 10.
func checkLimit(limit *int) (int, error) {
	const def = 10
	if limit == nil {
		return def, nil
	}
	if *limit < 0 || *limit > 100 {
		return 0, validation("limit", "Member must have value less than or equal to 100", *limit)
	}
	if *limit == 0 {
		return def, nil
	}
	return *limit, nil
}

func (a *API) describeComplianceByResource(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		ResourceType    string
		ResourceId      string
		ComplianceTypes []string
		Limit           *int
		NextToken       string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	filter, err := typeFilter(in.ComplianceTypes)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	if in.ResourceId != "" && in.ResourceType == "" {
		return nil, errs.New(compliance.ErrInvalidParameter, "The ResourceType is required when ResourceId is given.")
	}
	results, err := a.rules.Results(ctx, account, "", in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	groups := map[string][]compliance.Result{}
	for _, r := range results {
		k := r.ResourceType + "\x00" + r.ResourceID
		groups[k] = append(groups[k], r)
	}
	type byResource struct {
		ResourceType, ResourceId string
		Compliance               complianceJSON
		key                      string
	}
	var all []byResource
	for k, rs := range groups {
		c, ok := summarize(rs)
		if ok && (filter == nil || filter[c.ComplianceType]) {
			all = append(all, byResource{rs[0].ResourceType, rs[0].ResourceID, c, k})
		}
	}
	slices.SortFunc(all, func(a, b byResource) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	pg, next, err := page(all, func(b byResource) string { return b.key }, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		ComplianceByResources []byResource
		NextToken             string `json:",omitempty"`
	}{append([]byResource{}, pg...), next}, nil
}

type qualifierJSON struct {
	ConfigRuleName, ResourceType, ResourceId string
	EvaluationMode                           string
}

type identifierJSON struct {
	EvaluationResultQualifier qualifierJSON
	OrderingTimestamp         epoch
}

type resultJSON struct {
	EvaluationResultIdentifier identifierJSON
	ComplianceType             string
	ResultRecordedTime         epoch
	ConfigRuleInvokedTime      epoch
	Annotation                 string `json:",omitempty"`
}

func resultsOut(rs []compliance.Result, filter map[string]bool) []resultJSON {
	out := []resultJSON{}
	for _, r := range rs {
		if filter != nil && !filter[r.Compliance] {
			continue
		}
		out = append(out, resultJSON{
			EvaluationResultIdentifier: identifierJSON{
				EvaluationResultQualifier: qualifierJSON{ConfigRuleName: r.Rule, ResourceType: r.ResourceType, ResourceId: r.ResourceID, EvaluationMode: "DETECTIVE"},
				OrderingTimestamp:         epoch(r.Ordering),
			},
			ComplianceType: r.Compliance, ResultRecordedTime: epoch(r.Recorded), ConfigRuleInvokedTime: epoch(r.Invoked),
			Annotation: r.Annotation,
		})
	}
	return out
}

func resultKey(r resultJSON) string {
	q := r.EvaluationResultIdentifier.EvaluationResultQualifier
	return fmt.Sprintf("%s\x00%s\x00%s", q.ConfigRuleName, q.ResourceType, q.ResourceId)
}

func (a *API) getComplianceDetailsByConfigRule(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		ConfigRuleName  string
		ComplianceTypes []string
		Limit           *int
		NextToken       string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ConfigRuleName == "" {
		return nil, validation("configRuleName", "Member must not be null", "null")
	}
	filter, err := typeFilter(in.ComplianceTypes)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	rs, err := a.rules.Results(ctx, account, in.ConfigRuleName, "", "")
	if err != nil {
		return nil, err
	}
	pg, next, err := page(resultsOut(rs, filter), resultKey, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		EvaluationResults []resultJSON
		NextToken         string `json:",omitempty"`
	}{append([]resultJSON{}, pg...), next}, nil
}

func (a *API) getComplianceDetailsByResource(ctx context.Context, account string, body []byte) (any, error) {
	var in struct {
		ResourceType         string
		ResourceId           string
		ComplianceTypes      []string
		NextToken            string
		ResourceEvaluationId string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ResourceEvaluationId != "" {
		return nil, errs.New(compliance.ErrInvalidParameter, "Arca does not run proactive evaluations: ResourceEvaluationId is not supported.")
	}
	if in.ResourceType == "" || in.ResourceId == "" {
		return nil, errs.New(compliance.ErrInvalidParameter, "Either ResourceEvaluationId or both ResourceType and ResourceId must be provided.")
	}
	filter, err := typeFilter(in.ComplianceTypes)
	if err != nil {
		return nil, err
	}
	rs, err := a.rules.Results(ctx, account, "", in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	pg, next, err := page(resultsOut(rs, filter), resultKey, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	return struct {
		EvaluationResults []resultJSON
		NextToken         string `json:",omitempty"`
	}{append([]resultJSON{}, pg...), next}, nil
}
