package analyzerapi

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/apierr"
)

type sourceOut struct {
	Type string `json:"type"`
}

type findingOut struct {
	ID                   string            `json:"id"`
	Principal            map[string]string `json:"principal,omitempty"`
	Action               []string          `json:"action,omitempty"`
	Resource             string            `json:"resource"`
	IsPublic             bool              `json:"isPublic"`
	ResourceType         string            `json:"resourceType"`
	Condition            map[string]string `json:"condition"`
	CreatedAt            string            `json:"createdAt"`
	AnalyzedAt           string            `json:"analyzedAt"`
	UpdatedAt            string            `json:"updatedAt"`
	Status               string            `json:"status"`
	ResourceOwnerAccount string            `json:"resourceOwnerAccount"`
	Sources              []sourceOut       `json:"sources,omitempty"`
}

func findingShape(f *analyzer.Finding) findingOut {
	cond := f.Condition
	if cond == nil {
		cond = map[string]string{}
	}
	out := findingOut{ID: f.ID, Principal: f.Principal, Action: f.Actions, Resource: f.Resource, IsPublic: f.IsPublic,
		ResourceType: f.ResourceType, Condition: cond, CreatedAt: iso(f.CreatedAt), AnalyzedAt: iso(f.AnalyzedAt),
		UpdatedAt: iso(f.UpdatedAt), Status: f.Status, ResourceOwnerAccount: f.Owner}
	for _, s := range f.Sources {
		out.Sources = append(out.Sources, sourceOut{Type: s})
	}
	return out
}

// analyzerName resolves a required analyzerArn of the caller's account.
func (a *API) analyzerName(c *call, arn string) (string, error) {
	if arn == "" {
		return "", required("analyzerArn")
	}
	return a.svc.AnalyzerName(c.account, arn)
}

type criterion struct {
	Eq       []string `json:"eq"`
	Neq      []string `json:"neq"`
	Contains []string `json:"contains"`
	Exists   *bool    `json:"exists"`
}

// values are a finding's values of a filter attribute (AWS's names: status, resource,
// resourceType, resourceOwnerAccount, isPublic, id, action, principal.<type>,
// condition.<key>, error); ok=false for an attribute a finding does not have.
func values(f *analyzer.Finding, attr string) ([]string, bool) {
	switch attr {
	case "status":
		return []string{f.Status}, true
	case "resource":
		return []string{f.Resource}, true
	case "resourceType":
		return []string{f.ResourceType}, true
	case "resourceOwnerAccount":
		return []string{f.Owner}, true
	case "isPublic":
		return []string{strconv.FormatBool(f.IsPublic)}, true
	case "id":
		return []string{f.ID}, true
	case "action":
		return f.Actions, len(f.Actions) > 0
	case "error":
		return nil, false
	}
	if k, ok := strings.CutPrefix(attr, "principal."); ok {
		v, ok := f.Principal[k]
		return []string{v}, ok
	}
	if k, ok := strings.CutPrefix(attr, "condition."); ok {
		v, ok := f.Condition[k]
		return []string{v}, ok
	}
	return nil, false
}

func (c *criterion) match(vals []string, present bool) bool {
	if c.Exists != nil && *c.Exists != present {
		return false
	}
	if len(c.Eq) > 0 && !slices.ContainsFunc(vals, func(v string) bool { return slices.Contains(c.Eq, v) }) {
		return false
	}
	if len(c.Neq) > 0 && slices.ContainsFunc(vals, func(v string) bool { return slices.Contains(c.Neq, v) }) {
		return false
	}
	if len(c.Contains) > 0 && !slices.ContainsFunc(vals, func(v string) bool {
		return slices.ContainsFunc(c.Contains, func(s string) bool { return strings.Contains(v, s) })
	}) {
		return false
	}
	return true
}

func (a *API) listFindings(c *call) (any, error) {
	var in struct {
		AnalyzerArn string               `json:"analyzerArn"`
		Filter      map[string]criterion `json:"filter"`
		Sort        *struct {
			AttributeName string `json:"attributeName"`
			OrderBy       string `json:"orderBy"`
		} `json:"sort"`
		NextToken  string `json:"nextToken"`
		MaxResults *int   `json:"maxResults"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	name, err := a.analyzerName(c, in.AnalyzerArn)
	if err != nil {
		return nil, err
	}
	for k, cr := range in.Filter {
		n := len(cr.Eq) + len(cr.Neq) + len(cr.Contains)
		if n > 20 || len(cr.Eq) == 0 && len(cr.Neq) == 0 && len(cr.Contains) == 0 && cr.Exists == nil {
			return nil, apierr.AnalyzerValidation("filter."+k, "Invalid filter criterion for "+k+".")
		}
	}
	maxText := ""
	if in.MaxResults != nil {
		maxText = strconv.Itoa(*in.MaxResults)
	}
	max, start, err := paging(maxText, in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.Findings(c.ctx, c.account, name)
	if err != nil {
		return nil, err
	}
	var kept []analyzer.Finding
	for i := range all {
		ok := true
		for k, cr := range in.Filter {
			vals, present := values(&all[i], k)
			if !cr.match(vals, present) {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, all[i])
		}
	}
	attr, desc := "", false
	if in.Sort != nil {
		attr, desc = in.Sort.AttributeName, in.Sort.OrderBy == "DESC"
		if in.Sort.OrderBy != "" && in.Sort.OrderBy != "ASC" && in.Sort.OrderBy != "DESC" {
			return nil, constraint("sort.orderBy", in.Sort.OrderBy, "satisfy enum value set: [ASC, DESC]")
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		x, y := sortKey(&kept[i], attr), sortKey(&kept[j], attr)
		if desc {
			return x > y
		}
		return x < y
	})
	page, next := window(len(kept), start, max)
	list := []findingOut{}
	for _, i := range page {
		list = append(list, findingShape(&kept[i]))
	}
	out := map[string]any{"findings": list}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func sortKey(f *analyzer.Finding, attr string) string {
	switch attr {
	case "", "createdAt":
		return iso(f.CreatedAt) + f.ID
	case "updatedAt":
		return iso(f.UpdatedAt) + f.ID
	case "analyzedAt":
		return iso(f.AnalyzedAt) + f.ID
	}
	v, _ := values(f, attr)
	return strings.Join(v, ",") + "\x00" + f.ID
}

func (a *API) getFinding(c *call) (any, error) {
	name, err := a.analyzerName(c, c.query.Get("analyzerArn"))
	if err != nil {
		return nil, err
	}
	f, err := a.svc.GetFinding(c.ctx, c.account, name, c.path)
	if err != nil {
		return nil, err
	}
	return map[string]any{"finding": findingShape(&f)}, nil
}

func (a *API) updateFindings(c *call) (any, error) {
	var in struct {
		AnalyzerArn string   `json:"analyzerArn"`
		Status      string   `json:"status"`
		IDs         []string `json:"ids"`
		ResourceArn string   `json:"resourceArn"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	name, err := a.analyzerName(c, in.AnalyzerArn)
	if err != nil {
		return nil, err
	}
	switch in.Status {
	case "":
		return nil, required("status")
	case analyzer.StatusActive, analyzer.StatusArchived:
	default:
		return nil, constraint("status", in.Status, "satisfy enum value set: [ACTIVE, ARCHIVED]")
	}
	if len(in.IDs) == 0 && in.ResourceArn == "" {
		return nil, apierr.AnalyzerValidation("ids", "Either ids or resourceArn must be specified.")
	}
	return nil, a.svc.UpdateFindings(c.ctx, c.account, name, in.Status, in.IDs, in.ResourceArn)
}
