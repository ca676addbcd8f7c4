package alarm

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const yamlRules = `
defaults:
  exclude: [s3-bucket-policy-deleted]
  webhook:
    url: https://hooks.example.com/arca
rules:
  - name: missing-bucket-probe
    description: someone is guessing bucket names
    match:
      eventSource: s3
      errorCode: NoSuchBucket
      userName: [mallory, "eve*"]
      sourceIPAddress: [10.0.0.0/8, "::1"]
    threshold: {count: 3, window: 1m, groupBy: userName}
    cooldown: 10m
    actions:
      - log
      - webhook:
          url: http://127.0.0.1:9/hook
          headers: {Authorization: Bearer t0k3n}
          timeout: 2s
          maxAttempts: 3
  - name: kms-key-disabled
    match: {eventName: [DisableKey, ScheduleKeyDeletion], readOnly: false}
`

const jsonRules = `{
  "defaults": {"exclude": ["s3-bucket-policy-deleted"], "webhook": {"url": "https://hooks.example.com/arca"}},
  "rules": [
    {"name": "missing-bucket-probe", "description": "someone is guessing bucket names",
     "match": {"eventSource": "s3", "errorCode": "NoSuchBucket", "userName": ["mallory", "eve*"],
               "sourceIPAddress": ["10.0.0.0/8", "::1"]},
     "threshold": {"count": 3, "window": "1m", "groupBy": "userName"},
     "cooldown": "10m",
     "actions": ["log", {"webhook": {"url": "http://127.0.0.1:9/hook", "headers": {"Authorization": "Bearer t0k3n"},
                                     "timeout": "2s", "maxAttempts": 3}}]},
    {"name": "kms-key-disabled", "match": {"eventName": ["DisableKey", "ScheduleKeyDeletion"], "readOnly": false}}
  ]
}`

func loadText(t *testing.T, name, text string, o Options) ([]*Rule, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	o.File = path
	return Load(o)
}

// The same rules written in YAML and in JSON compile to the same thing.
func TestLoadYAMLAndJSON(t *testing.T) {
	fromYAML, err := loadText(t, "rules.yaml", yamlRules, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := loadText(t, "rules.json", jsonRules, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromYAML, fromJSON) {
		t.Fatalf("YAML and JSON differ:\n%+v\n%+v", fromYAML, fromJSON)
	}
	byName := map[string]*Rule{}
	for _, r := range fromYAML {
		byName[r.Name] = r
	}
	probe := byName["missing-bucket-probe"]
	if probe == nil || probe.Count != 3 || probe.Window != time.Minute || probe.GroupBy != "userName" ||
		probe.Cooldown != 10*time.Minute || !probe.Log || probe.Record || len(probe.Webhooks) != 1 {
		t.Fatalf("probe rule: %+v", probe)
	}
	if w := probe.Webhooks[0]; w.URL != "http://127.0.0.1:9/hook" || w.Timeout != 2*time.Second || w.MaxAttempts != 3 ||
		w.Headers["Authorization"] != "Bearer t0k3n" {
		t.Errorf("probe webhook: %+v", w)
	}
	// The file's kms-key-disabled replaces the built-in one; the excluded built-in is gone;
	// the other built-ins are there with the defaults' webhook.
	if d := byName["kms-key-disabled"]; d == nil || d.Builtin || len(d.Webhooks) != 1 || !d.Log || !d.Record {
		t.Errorf("kms-key-disabled from the file: %+v", d)
	}
	if byName["s3-bucket-policy-deleted"] != nil {
		t.Error("an excluded built-in rule is loaded")
	}
	dd := byName[DecryptDeniedRule]
	if dd == nil || !dd.Builtin || dd.Count != 10 || dd.Window != 5*time.Minute || len(dd.Webhooks) != 1 ||
		dd.Webhooks[0].URL != "https://hooks.example.com/arca" {
		t.Errorf("built-in %s: %+v", DecryptDeniedRule, dd)
	}
	if len(fromYAML) != 2+len(DefaultNames())-2 {
		t.Errorf("%d rules, want %d", len(fromYAML), len(DefaultNames()))
	}
}

func TestLoadDefaults(t *testing.T) {
	rules, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(rules); !reflect.DeepEqual(got, DefaultNames()) || len(got) != 6 {
		t.Fatalf("defaults: %v", got)
	}
	for _, r := range rules {
		if !r.Log || !r.Record || len(r.Webhooks) != 0 || !r.Builtin {
			t.Errorf("%s: actions log=%v record=%v webhooks=%d", r.Name, r.Log, r.Record, len(r.Webhooks))
		}
	}
	if rules, _ := Load(Options{NoDefaults: true}); len(rules) != 0 {
		t.Errorf("--no-default-alarms: %v", names(rules))
	}
	rules, err = loadText(t, "r.yaml", "defaults: {enabled: false}\n", Options{})
	if err != nil || len(rules) != 0 {
		t.Errorf("defaults.enabled false: %v %v", names(rules), err)
	}
	// --alarm-webhook wins over the file's defaults.webhook and goes to rules without actions.
	rules, err = loadText(t, "r.yaml", "defaults: {webhook: {url: 'http://file.example/'}}\nrules:\n- name: x\n  match: {eventName: X}\n",
		Options{DefaultWebhook: "http://flag.example/h"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if len(r.Webhooks) != 1 || r.Webhooks[0].URL != "http://flag.example/h" {
			t.Errorf("%s: webhooks %+v", r.Name, r.Webhooks)
		}
	}
	if _, err := Load(Options{DefaultWebhook: "ftp://x"}); err == nil || !strings.Contains(err.Error(), "--alarm-webhook") {
		t.Errorf("bad --alarm-webhook: %v", err)
	}
}

func names(rules []*Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Name)
	}
	return out
}

// Every bad file is refused with the file, the rule and the problem named.
var loadErrorTests = []struct {
	name, file, text string
	want             []string
}{
	{"unknown rule field", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  treshold: {count: 2}\n",
		[]string{"r.yaml", `rule #1 ("a")`, `unknown field "treshold"`}},
	{"unknown match field", "r.json", `{"rules":[{"name":"a","match":{"eventname":"X"}}]}`,
		[]string{"r.json", `rule #1 ("a")`, `unknown field "eventname"`}},
	{"unknown top-level field", "r.yaml", "rule:\n- name: a\n", []string{"r.yaml", `unknown field "rule"`}},
	{"bad window", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  threshold: {count: 2, window: 5x}\n",
		[]string{`rule #1 ("a")`, "threshold.window", `"5x"`}},
	{"window too long", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  threshold: {count: 2, window: 48h}\n",
		[]string{"threshold.window"}},
	{"zero count", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  threshold: {count: 0, window: 1m}\n",
		[]string{"threshold.count"}},
	{"bad groupBy", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  threshold: {count: 2, window: 1m, groupBy: color}\n",
		[]string{"threshold.groupBy", `"color"`}},
	{"bad cooldown", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  cooldown: -1s\n", []string{"cooldown"}},
	{"bad CIDR", "r.yaml", "rules:\n- name: a\n  match: {sourceIPAddress: 10.0.0.0/33}\n",
		[]string{"match.sourceIPAddress", "10.0.0.0/33"}},
	{"empty match", "r.yaml", "rules:\n- name: a\n  match: {}\n", []string{`rule #1 ("a")`, "at least one field"}},
	{"no match", "r.yaml", "rules:\n- name: a\n", []string{"match is required"}},
	{"no name", "r.yaml", "rules:\n- match: {eventName: X}\n", []string{"rule #1:", "name is required"}},
	{"duplicate name", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n- name: a\n  match: {eventName: Y}\n",
		[]string{`rule #2 ("a")`, "rule #1"}},
	{"number for a string", "r.yaml", "rules:\n- name: a\n  match: {eventName: 5}\n", []string{"want a string or a non-empty list"}},
	{"empty list", "r.yaml", "rules:\n- name: a\n  match: {eventName: []}\n", []string{"non-empty list"}},
	{"unknown action", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: [email]\n", []string{`unknown action "email"`}},
	{"empty actions", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: []\n", []string{"actions: an empty list"}},
	{"webhook without url", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: [webhook]\n", []string{"needs its url"}},
	{"webhook bad url", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: [{webhook: {url: 'localhost:80'}}]\n",
		[]string{"actions[0].webhook", "http:// or https://"}},
	{"webhook credentials in url", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: [{webhook: {url: 'https://u:p@h/'}}]\n",
		[]string{"headers"}},
	{"webhook attempts", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: [{webhook: {url: 'https://h/', maxAttempts: 11}}]\n",
		[]string{"maxAttempts"}},
	{"webhook unknown field", "r.yaml", "rules:\n- name: a\n  match: {eventName: X}\n  actions: [{webhook: {url: 'https://h/', retries: 2}}]\n",
		[]string{`unknown field "retries"`}},
	{"unknown exclude", "r.yaml", "defaults: {exclude: [nope]}\n", []string{"defaults.exclude", `"nope"`}},
	{"bad defaults webhook", "r.yaml", "defaults: {webhook: {url: nope}}\n", []string{"defaults.webhook"}},
	{"YAML syntax", "r.yaml", "rules:\n- name: a\n  match: {eventName: X\n", []string{"r.yaml", "yaml"}},
	{"JSON syntax", "r.json", `{"rules": [}`, []string{"r.json", "invalid character"}},
}

func TestLoadErrors(t *testing.T) {
	for _, tt := range loadErrorTests {
		_, err := loadText(t, tt.file, tt.text, Options{})
		if err == nil {
			t.Errorf("%s: loaded", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tt.name, err, w)
			}
		}
	}
	if _, err := Load(Options{File: filepath.Join(t.TempDir(), "missing.yaml")}); err == nil ||
		!strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}
