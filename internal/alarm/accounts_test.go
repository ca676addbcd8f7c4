package alarm

import (
	"testing"

	"github.com/arcastore/arca/internal/audit"
)

// Rules are the operator's and see every account's records; accountId (the caller's
// account) and recipientAccountId (the account called on) scope a rule to accounts.
func TestMatchAccounts(t *testing.T) {
	cross := func() *audit.Record {
		r := kmsRec("Decrypt", "bob", "")
		r.UserIdentity.AccountID, r.RecipientAccountID = "210987654321", "123456789012"
		return r
	}
	cases := []struct {
		rule string
		want bool
	}{
		{`match: {accountId: "210987654321"}`, true},
		{`match: {accountId: "123456789012"}`, false},
		{`match: {recipientAccountId: "123456789012", eventName: Decrypt}`, true},
		{`match: {recipientAccountId: ["111111111111", "2109*"]}`, false},
		{`match: {accountId: "2109*", recipientAccountId: "1234*"}`, true},
	}
	for _, c := range cases {
		r := mustRule(t, "rules:\n- name: r\n  "+c.rule+"\n")
		if got := r.matches(cross()); got != c.want {
			t.Errorf("%s: %v, want %v", c.rule, got, c.want)
		}
	}
	// An unquoted account id is a YAML number, not a string: a load error, not a rule
	// that never matches.
	f, err := Parse("x.yaml", []byte("rules:\n- name: r\n  match: {accountId: 210987654321}\n"))
	if err == nil {
		_, err = Build("x.yaml", f, Options{NoDefaults: true})
	}
	if err == nil {
		t.Error("an unquoted accountId loaded")
	}
}
