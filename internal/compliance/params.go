package compliance

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/arcastore/arca/internal/errs"
)

// ParseInputParameters checks a rule's InputParameters (a JSON object of string values, as
// AWS Config takes them; numbers and booleans are taken as their text) against the
// parameters the rule with this SourceIdentifier knows, and returns them. Empty input is
// no parameters. Errors are ErrInvalidParameter with AWS Config's message.
func ParseInputParameters(identifier, input string) (map[string]string, error) {
	def := catalog[identifier]
	out := map[string]string{}
	if input != "" {
		var raw map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader([]byte(input)))
		if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
			return nil, errs.Newf(ErrInvalidParameter, "Invalid json %s passed in the InputParameters field", input)
		}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) != nil {
				var n json.Number
				var b bool
				switch {
				case json.Unmarshal(v, &n) == nil:
					s = n.String()
				case json.Unmarshal(v, &b) == nil:
					s = strconv.FormatBool(b)
				default:
					return nil, errs.Newf(ErrInvalidParameter, "The value of the parameter %s in the inputParameters must be a string.", k)
				}
			}
			out[k] = s
		}
	}
	if def == nil {
		return out, nil
	}
	for k := range out {
		if !slices.Contains(def.Params, k) {
			return nil, errs.Newf(ErrInvalidParameter, "Unknown parameter %s in the inputParameters: %s accepts %s.", k, identifier, paramList(def.Params))
		}
	}
	for _, k := range def.Required {
		if out[k] == "" {
			return nil, errs.Newf(ErrInvalidParameter, "The required parameter %s is not present in the inputParameters, please refer to Config rules documentation for the required parameters.", k)
		}
	}
	return out, nil
}

func paramList(ps []string) string {
	if len(ps) == 0 {
		return "no parameters"
	}
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
