package iamapi

import (
	"net/url"
	"strconv"

	"github.com/arcastore/arca/internal/apierr"
)

// form is a decoded query-protocol request: the parameters of the query string and of
// the form-encoded body, together. A parameter given twice is refused rather than
// guessed at.
type form map[string]string

// parseForm decodes a query string and a form-encoded body into one form.
func parseForm(query string, body []byte) (form, error) {
	f := form{}
	for _, part := range []string{query, string(body)} {
		if part == "" {
			continue
		}
		vals, err := url.ParseQuery(part)
		if err != nil {
			return nil, apierr.IAMMalformedQueryString
		}
		for k, vs := range vals {
			if _, dup := f[k]; dup || len(vs) != 1 {
				return nil, apierr.IAMMalformedQueryString.WithMessage("The parameter " + k + " is given more than once.")
			}
			f[k] = vs[0]
		}
	}
	return f, nil
}

// int returns an integer parameter (0 when absent); field is its name in messages.
func (f form) int(name, field string) (int, error) {
	v, ok := f[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n == 0 {
		// 0 is given explicitly: AWS rejects it like any value below the minimum.
		return 0, apierr.IAMValidation.WithMessage("1 validation error detected: Value '" + v + "' at '" + field +
			"' failed to satisfy constraint: Member must have value greater than or equal to 1")
	}
	return n, nil
}
