package analyzerapi

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strconv"

	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/apierr"
)

// decode reads a JSON body into v; a body that is not JSON for the operation is a
// ValidationException of reason cannotParse.
func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if json.Unmarshal(body, v) != nil {
		return apierr.AnalyzerCannotParse
	}
	return nil
}

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// constraint words a constraint failure as AWS's request validation does.
func constraint(field, value, what string) error {
	return apierr.AnalyzerValidation(field, "1 validation error detected: Value '"+value+"' at '"+field+
		"' failed to satisfy constraint: Member must "+what)
}

func required(field string) error {
	return apierr.AnalyzerValidation(field, "1 validation error detected: Value null at '"+field+
		"' failed to satisfy constraint: Member must not be null")
}

func checkName(field, name string) error {
	switch {
	case name == "":
		return required(field)
	case len(name) > 255:
		return constraint(field, name, "have length less than or equal to 255")
	case !namePattern.MatchString(name):
		return constraint(field, name, "satisfy regular expression pattern: [A-Za-z][A-Za-z0-9_.-]*")
	}
	return nil
}

type analyzerOut struct {
	ARN                    string            `json:"arn"`
	Name                   string            `json:"name"`
	Type                   string            `json:"type"`
	CreatedAt              string            `json:"createdAt"`
	LastResourceAnalyzed   string            `json:"lastResourceAnalyzed,omitempty"`
	LastResourceAnalyzedAt string            `json:"lastResourceAnalyzedAt,omitempty"`
	Tags                   map[string]string `json:"tags"`
	Status                 string            `json:"status"`
}

func analyzerShape(a analyzer.Analyzer) analyzerOut {
	tags := a.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return analyzerOut{ARN: a.ARN, Name: a.Name, Type: a.Type, CreatedAt: iso(a.CreatedAt),
		LastResourceAnalyzed: a.LastResourceAnalyzed, LastResourceAnalyzedAt: iso(a.LastResourceAnalyzedAt),
		Tags: tags, Status: a.Status}
}

func (a *API) createAnalyzer(c *call) (any, error) {
	var in struct {
		AnalyzerName string            `json:"analyzerName"`
		Type         string            `json:"type"`
		Tags         map[string]string `json:"tags"`
		ArchiveRules []json.RawMessage `json:"archiveRules"`
		ClientToken  string            `json:"clientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := checkName("analyzerName", in.AnalyzerName); err != nil {
		return nil, err
	}
	switch in.Type {
	case "":
		return nil, required("type")
	case analyzer.TypeAccount, analyzer.TypeOrganization:
	case "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS", "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS":
		return nil, &apierr.AnalyzerError{Type: "ValidationException", Status: 400, Reason: "notSupported",
			Message: "Arca does not support analyzers of type " + in.Type + "."}
	default:
		return nil, constraint("type", in.Type, "satisfy enum value set: [ACCOUNT, ORGANIZATION, ACCOUNT_UNUSED_ACCESS, ORGANIZATION_UNUSED_ACCESS, ACCOUNT_INTERNAL_ACCESS, ORGANIZATION_INTERNAL_ACCESS]")
	}
	if len(in.ArchiveRules) > 0 {
		return nil, &apierr.AnalyzerError{Type: "ValidationException", Status: 400, Reason: "notSupported",
			Message: "Arca does not support archive rules."}
	}
	an, err := a.svc.CreateAnalyzer(c.ctx, c.account, in.AnalyzerName, in.Type, in.Tags)
	if err != nil {
		return nil, err
	}
	return map[string]string{"arn": an.ARN}, nil
}

func (a *API) getAnalyzer(c *call) (any, error) {
	if err := checkName("analyzerName", c.path); err != nil {
		return nil, err
	}
	an, err := a.svc.GetAnalyzer(c.ctx, c.account, c.path)
	if err != nil {
		return nil, err
	}
	return map[string]any{"analyzer": analyzerShape(an)}, nil
}

func (a *API) deleteAnalyzer(c *call) (any, error) {
	if err := checkName("analyzerName", c.path); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteAnalyzer(c.ctx, c.account, c.path)
}

func (a *API) listAnalyzers(c *call) (any, error) {
	typ := c.query.Get("type")
	switch typ {
	case "", analyzer.TypeAccount, analyzer.TypeOrganization, "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS",
		"ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS":
	default:
		return nil, constraint("type", typ, "satisfy enum value set: [ACCOUNT, ORGANIZATION, ACCOUNT_UNUSED_ACCESS, ORGANIZATION_UNUSED_ACCESS, ACCOUNT_INTERNAL_ACCESS, ORGANIZATION_INTERNAL_ACCESS]")
	}
	max, start, err := paging(c.query.Get("maxResults"), c.query.Get("nextToken"))
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListAnalyzers(c.ctx, c.account, typ)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	list := []analyzerOut{}
	page, next := window(len(all), start, max)
	for _, i := range page {
		list = append(list, analyzerShape(all[i]))
	}
	out["analyzers"] = list
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

// paging reads maxResults (default 100, at least 1) and nextToken (an opaque offset).
func paging(maxText, token string) (max, start int, err error) {
	max = 100
	if maxText != "" {
		n, perr := strconv.Atoi(maxText)
		if perr != nil || n < 1 {
			return 0, 0, constraint("maxResults", maxText, "have value greater than or equal to 1")
		}
		max = min(n, 1000)
	}
	if token != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(token)
		n, aerr := strconv.Atoi(string(raw))
		if derr != nil || aerr != nil || n < 0 {
			return 0, 0, &apierr.AnalyzerError{Type: "ValidationException", Status: 400, Reason: "other",
				Message: "Invalid pagination token."}
		}
		start = n
	}
	return max, start, nil
}

// window is the indexes of one page of n items and the token of the next ("" if none).
func window(n, start, max int) ([]int, string) {
	var out []int
	for i := start; i < n && len(out) < max; i++ {
		out = append(out, i)
	}
	if start+len(out) < n {
		return out, base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(start + len(out))))
	}
	return out, ""
}
