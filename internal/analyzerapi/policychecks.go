package analyzerapi

import (
	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/apierr"
)

type positionOut struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

type pathOut struct {
	Key   *string `json:"key,omitempty"`
	Index *int    `json:"index,omitempty"`
}

type locationOut struct {
	Path []pathOut `json:"path"`
	Span struct {
		Start positionOut `json:"start"`
		End   positionOut `json:"end"`
	} `json:"span"`
}

type policyFindingOut struct {
	FindingDetails string        `json:"findingDetails"`
	FindingType    string        `json:"findingType"`
	IssueCode      string        `json:"issueCode"`
	LearnMoreLink  string        `json:"learnMoreLink"`
	Locations      []locationOut `json:"locations"`
}

func (a *API) validatePolicy(c *call) (any, error) {
	var in struct {
		Locale                     string `json:"locale"`
		PolicyDocument             string `json:"policyDocument"`
		PolicyType                 string `json:"policyType"`
		ValidatePolicyResourceType string `json:"validatePolicyResourceType"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, required("policyDocument")
	}
	switch in.PolicyType {
	case "":
		return nil, required("policyType")
	case analyzer.PolicyIdentity, analyzer.PolicyResource, analyzer.PolicySCP, "RESOURCE_CONTROL_POLICY":
	default:
		return nil, constraint("policyType", in.PolicyType, "satisfy enum value set: [IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]")
	}
	max, start, err := paging(c.query.Get("maxResults"), c.query.Get("nextToken"))
	if err != nil {
		return nil, err
	}
	fs, err := analyzer.ValidatePolicy([]byte(in.PolicyDocument), in.PolicyType, in.ValidatePolicyResourceType)
	if err != nil {
		return nil, err
	}
	list := []policyFindingOut{}
	page, next := window(len(fs), start, max)
	for _, i := range page {
		f := fs[i]
		o := policyFindingOut{FindingDetails: f.Details, FindingType: f.Type, IssueCode: f.IssueCode, LearnMoreLink: f.LearnMoreLink,
			Locations: []locationOut{}}
		for _, l := range f.Locations {
			lo := locationOut{Path: []pathOut{}}
			for _, p := range l.Path {
				lo.Path = append(lo.Path, pathOut{Key: p.Key, Index: p.Index})
			}
			lo.Span.Start = positionOut{l.Start.Line, l.Start.Column, l.Start.Offset}
			lo.Span.End = positionOut{l.End.Line, l.End.Column, l.End.Offset}
			o.Locations = append(o.Locations, lo)
		}
		list = append(list, o)
	}
	out := map[string]any{"findings": list}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

type reasonOut struct {
	Description    string `json:"description"`
	StatementIndex int    `json:"statementIndex"`
	StatementID    string `json:"statementId,omitempty"`
}

func checkShape(r analyzer.CheckResult) map[string]any {
	res := "FAIL"
	if r.Pass {
		res = "PASS"
	}
	reasons := []reasonOut{}
	for _, x := range r.Reasons {
		reasons = append(reasons, reasonOut{Description: x.Description, StatementIndex: x.StatementIndex, StatementID: x.StatementID})
	}
	return map[string]any{"result": res, "message": r.Message, "reasons": reasons}
}

func (a *API) checkNoPublicAccess(c *call) (any, error) {
	var in struct {
		PolicyDocument string `json:"policyDocument"`
		ResourceType   string `json:"resourceType"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, required("policyDocument")
	}
	if in.ResourceType == "" {
		return nil, required("resourceType")
	}
	if in.ResourceType != analyzer.TypeBucket && in.ResourceType != analyzer.TypeKey {
		return nil, apierr.AnalyzerInvalidParam.WithMessage("Arca checks public access for AWS::S3::Bucket and AWS::KMS::Key only, not " + in.ResourceType + ".")
	}
	r, err := a.svc.Engine().CheckNoPublicAccess(c.ctx, c.account, []byte(in.PolicyDocument), in.ResourceType)
	if err != nil {
		return nil, err
	}
	return checkShape(r), nil
}

func (a *API) checkAccessNotGranted(c *call) (any, error) {
	var in struct {
		PolicyDocument string `json:"policyDocument"`
		PolicyType     string `json:"policyType"`
		Access         []struct {
			Actions   []string `json:"actions"`
			Resources []string `json:"resources"`
		} `json:"access"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, required("policyDocument")
	}
	switch in.PolicyType {
	case "":
		return nil, required("policyType")
	case analyzer.PolicyIdentity, analyzer.PolicyResource:
	default:
		return nil, constraint("policyType", in.PolicyType, "satisfy enum value set: [IDENTITY_POLICY, RESOURCE_POLICY]")
	}
	if len(in.Access) == 0 {
		return nil, required("access")
	}
	if len(in.Access) > 1 {
		return nil, apierr.AnalyzerInvalidParam.WithMessage("Only one access entry is supported.")
	}
	acc := in.Access[0]
	if len(acc.Actions) == 0 && len(acc.Resources) == 0 {
		return nil, apierr.AnalyzerInvalidParam.WithMessage("The access entry must name at least one action or resource.")
	}
	if len(acc.Actions) > 100 || len(acc.Resources) > 100 {
		return nil, apierr.AnalyzerInvalidParam.WithMessage("An access entry may name at most 100 actions and 100 resources.")
	}
	actions := acc.Actions
	if len(actions) == 0 {
		actions = []string{"*"}
	}
	r, err := a.svc.Engine().CheckAccessNotGranted(c.account, []byte(in.PolicyDocument), in.PolicyType, actions, acc.Resources)
	if err != nil {
		return nil, err
	}
	return checkShape(r), nil
}
