package iamapi

import (
	"net/url"
	"testing"
)

// FuzzParseForm: parseForm never panics, and whatever it accepts survives a round trip
// through url.Values encoding unchanged.
func FuzzParseForm(f *testing.F) {
	f.Add("", []byte("Action=CreateUser&Version=2010-05-08&UserName=alice"))
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", []byte(""))
	f.Add("", []byte("Action=PutUserPolicy&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D&UserName=a+b"))
	f.Add("a=1", []byte("a=2"))
	f.Add("", []byte("%zz=1"))
	f.Add("", []byte("x=1;y=2"))
	f.Add("", []byte("MaxItems=-1&Marker=&&&="))
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		got, err := parseForm(query, body)
		if err != nil {
			return
		}
		vals := url.Values{}
		for k, v := range got {
			vals.Set(k, v)
		}
		again, err := parseForm(vals.Encode(), nil)
		if err != nil {
			t.Fatalf("re-encoded form does not parse: %v", err)
		}
		if len(again) != len(got) {
			t.Fatalf("round trip changed the form: %q -> %q", got, again)
		}
		for k, v := range got {
			if again[k] != v {
				t.Fatalf("round trip changed %q: %q -> %q", k, v, again[k])
			}
		}
		for _, name := range []string{"MaxItems", "Action"} {
			got.int(name, "maxItems")
		}
	})
}
