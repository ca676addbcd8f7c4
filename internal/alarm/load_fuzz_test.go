package alarm

import (
	"testing"

	"github.com/arcastore/arca/internal/audit"
)

// FuzzParseRules feeds arbitrary rule files, as JSON and as YAML: loading either refuses
// them with an error or yields rules whose matchers can be run on a record, never a panic.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(`{"rules":[{"name":"r","match":{"eventName":"DisableKey"}}]}`))
	f.Add([]byte("rules:\n  - name: burst\n    match:\n      errorCode: AccessDenied*\n      sourceIPAddress: 10.0.0.0/8\n    threshold: {count: 3, window: 1m, groupBy: userName}\n"))
	f.Add([]byte(`{"rules":[{"name":"x","match":[{"resource":"arn:*"},{"readOnly":true}],"actions":[{"webhook":{"url":"http://127.0.0.1:1/h","maxAttempts":2}}]}]}`))
	f.Add([]byte("a: &a [*a, *a]\n"))
	rec := &audit.Record{EventName: "DisableKey", EventSource: audit.SourceKMS, ErrorCode: "AccessDeniedException",
		SourceIPAddress: "10.1.2.3", UserIdentity: audit.UserIdentity{UserName: "u"},
		Resources: []audit.Resource{{ARN: "arn:aws:kms:us-east-1:1:key/k", Type: "AWS::KMS::Key"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"rules.json", "rules.yaml"} {
			file, err := Parse(name, data)
			if err != nil {
				continue
			}
			rules, err := Build(name, file, Options{NoDefaults: true})
			if err != nil {
				continue
			}
			for _, r := range rules {
				for _, m := range r.match {
					m.match(rec)
				}
			}
		}
	})
}
