package alarm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// File is the rule file's one schema, in JSON or YAML (docs/ALARMS.md). Unknown fields and
// bad values are errors naming the file and the rule.
type File struct {
	Defaults *DefaultsSpec     `json:"defaults"`
	Rules    []json.RawMessage `json:"rules"`
}

// DefaultsSpec configures the built-in rules.
type DefaultsSpec struct {
	// Enabled false turns the built-in rules off (as --no-default-alarms does).
	Enabled *bool `json:"enabled"`
	// Exclude names built-in rules to leave out.
	Exclude []string `json:"exclude"`
	// Webhook is where the built-in rules (and file rules without actions) POST alarms;
	// --alarm-webhook wins over it.
	Webhook *WebhookSpec `json:"webhook"`
}

// RuleSpec is one rule as written in the file.
type RuleSpec struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Match       MatchList      `json:"match"`
	Threshold   *ThresholdSpec `json:"threshold"`
	Cooldown    *string        `json:"cooldown"`
	Actions     []ActionSpec   `json:"actions"`
}

// MatchSpec is a match object: each field a string or a list of strings (any of them),
// `*` a glob. A record matches when every given field matches.
type MatchSpec struct {
	EventName       StringList `json:"eventName"`
	EventSource     StringList `json:"eventSource"`
	ErrorCode       StringList `json:"errorCode"`
	ErrorMessage    StringList `json:"errorMessage"`
	UserName        StringList `json:"userName"`
	InvokedBy       StringList `json:"invokedBy"`
	Resource        StringList `json:"resource"`
	SourceIPAddress StringList `json:"sourceIPAddress"`
	ReadOnly        *bool      `json:"readOnly"`
	// AccountID is the caller's account (userIdentity.accountId); RecipientAccountID the
	// account whose resource or API was called, whose event history holds the record.
	AccountID          StringList `json:"accountId"`
	RecipientAccountID StringList `json:"recipientAccountId"`
}

func (s *MatchSpec) any() bool {
	return s.EventName.set || s.EventSource.set || s.ErrorCode.set || s.ErrorMessage.set || s.UserName.set ||
		s.InvokedBy.set || s.Resource.set || s.SourceIPAddress.set || s.ReadOnly != nil || s.AccountID.set ||
		s.RecipientAccountID.set
}

// MatchList is `match`: one match object, or a list of them (any of them).
type MatchList []MatchSpec

// UnmarshalJSON implements json.Unmarshaler.
func (l *MatchList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var many []MatchSpec
		if err := strictDecode(b, &many); err != nil {
			return err
		}
		*l = many
		return nil
	}
	var one MatchSpec
	if err := strictDecode(b, &one); err != nil {
		return err
	}
	*l = MatchList{one}
	return nil
}

// StringList is a string or a list of strings; set tells a field given as "" (which
// matches only an empty value) from an absent one.
type StringList struct {
	values []string
	set    bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *StringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = StringList{values: []string{one}, set: true}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil || len(many) == 0 {
		return fmt.Errorf("want a string or a non-empty list of strings, got %s", b)
	}
	*l = StringList{values: many, set: true}
	return nil
}

// ThresholdSpec is the optional count over a sliding window.
type ThresholdSpec struct {
	Count   int    `json:"count"`
	Window  string `json:"window"`
	GroupBy string `json:"groupBy"`
}

// ActionSpec is one action: "log", "record", or {"webhook": {...}} ({"log": {}} and
// {"record": {}} are accepted too).
type ActionSpec struct {
	Log     bool
	Record  bool
	Webhook *WebhookSpec
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *ActionSpec) UnmarshalJSON(b []byte) error {
	var name string
	if json.Unmarshal(b, &name) == nil {
		switch name {
		case "log":
			a.Log = true
		case "record":
			a.Record = true
		case "webhook":
			return errors.New(`a webhook action needs its url: {"webhook": {"url": "https://..."}}`)
		default:
			return fmt.Errorf("unknown action %q: use log, record or webhook", name)
		}
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || len(obj) != 1 {
		return fmt.Errorf(`an action is "log", "record" or {"webhook": {...}}, got %s`, b)
	}
	for k, v := range obj {
		switch k {
		case "log", "record":
			var empty struct{}
			if !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				if err := strictDecode(v, &empty); err != nil {
					return fmt.Errorf("%s: takes no settings", k)
				}
			}
			a.Log, a.Record = k == "log", k == "record"
		case "webhook":
			a.Webhook = &WebhookSpec{}
			if err := strictDecode(v, a.Webhook); err != nil {
				return fmt.Errorf("webhook: %w", err)
			}
		default:
			return fmt.Errorf("unknown action %q: use log, record or webhook", k)
		}
	}
	return nil
}

// WebhookSpec is a webhook action as written.
type WebhookSpec struct {
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	Timeout     string            `json:"timeout"`
	MaxAttempts int               `json:"maxAttempts"`
}

// Options says where the rules come from.
type Options struct {
	// File is the rule file (JSON if it ends in .json, else YAML); "" for none.
	File string
	// NoDefaults leaves the built-in rules out.
	NoDefaults bool
	// DefaultWebhook is the URL of --alarm-webhook: the webhook of the built-in rules and of
	// file rules that give no actions.
	DefaultWebhook string
}

// Load reads the rule file (if any), adds the built-in rules unless disabled and compiles
// them. Errors name the file and the rule.
func Load(o Options) ([]*Rule, error) {
	var f *File
	if o.File != "" {
		data, err := os.ReadFile(o.File)
		if err != nil {
			return nil, fmt.Errorf("alarm rules: %w", err)
		}
		if f, err = Parse(o.File, data); err != nil {
			return nil, err
		}
	}
	return Build(o.File, f, o)
}

// Parse decodes a rule file: JSON when name ends in .json, else YAML (one schema either
// way: YAML is decoded to JSON first).
func Parse(name string, data []byte) (*File, error) {
	if strings.ToLower(filepath.Ext(name)) != ".json" {
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("alarm rules %s: %w", name, err)
		}
		j, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("alarm rules %s: %w", name, err)
		}
		data = j
	}
	f := &File{}
	if err := strictDecode(data, f); err != nil {
		return nil, fmt.Errorf("alarm rules %s: %w", name, err)
	}
	return f, nil
}

// Build compiles f (nil for no file) with the built-in rules and the options.
func Build(name string, f *File, o Options) ([]*Rule, error) {
	if f == nil {
		f = &File{}
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("alarm rules %s: "+format, append([]any{name}, args...)...)
	}
	if name == "" {
		fail = func(format string, args ...any) error { return fmt.Errorf("alarm rules: "+format, args...) }
	}
	var defaultHooks []Webhook
	if o.DefaultWebhook != "" {
		w, err := compileWebhook(&WebhookSpec{URL: o.DefaultWebhook})
		if err != nil {
			return nil, fmt.Errorf("--alarm-webhook: %w", err)
		}
		defaultHooks = []Webhook{w}
	} else if f.Defaults != nil && f.Defaults.Webhook != nil {
		w, err := compileWebhook(f.Defaults.Webhook)
		if err != nil {
			return nil, fail("defaults.webhook: %v", err)
		}
		defaultHooks = []Webhook{w}
	}
	var rules []*Rule
	names := map[string]int{}
	for i, raw := range f.Rules {
		var s RuleSpec
		if err := strictDecode(raw, &s); err != nil {
			return nil, fail("rule %s: %v", ruleLabel(i, raw), err)
		}
		r, err := compileRule(&s, defaultHooks)
		if err != nil {
			return nil, fail("rule %s: %v", ruleLabel(i, raw), err)
		}
		if j, dup := names[r.Name]; dup {
			return nil, fail("rule %s: the name is also rule #%d's", ruleLabel(i, raw), j+1)
		}
		names[r.Name] = i
		rules = append(rules, r)
	}
	enabled := !o.NoDefaults && (f.Defaults == nil || f.Defaults.Enabled == nil || *f.Defaults.Enabled)
	exclude := map[string]bool{}
	if f.Defaults != nil {
		builtin := map[string]bool{}
		for _, r := range Defaults(nil) {
			builtin[r.Name] = true
		}
		for _, n := range f.Defaults.Exclude {
			if !builtin[n] {
				return nil, fail("defaults.exclude: %q is not a built-in rule (%s)", n, strings.Join(DefaultNames(), ", "))
			}
			exclude[n] = true
		}
	}
	if enabled {
		for _, r := range Defaults(defaultHooks) {
			// A file rule of the same name replaces the built-in one.
			if _, replaced := names[r.Name]; !replaced && !exclude[r.Name] {
				rules = append(rules, r)
			}
		}
	}
	return rules, nil
}

// ruleLabel names rule i for an error: #n and its name when it has one.
func ruleLabel(i int, raw json.RawMessage) string {
	var n struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &n) == nil && n.Name != "" {
		return fmt.Sprintf("#%d (%q)", i+1, n.Name)
	}
	return fmt.Sprintf("#%d", i+1)
}

func compileRule(s *RuleSpec, defaultHooks []Webhook) (*Rule, error) {
	if s.Name == "" {
		return nil, errors.New("name is required")
	}
	if len(s.Name) > 128 || strings.ContainsAny(s.Name, "\n\r\t") {
		return nil, errors.New("name: at most 128 characters on one line")
	}
	r := &Rule{Name: s.Name, Description: s.Description, Count: 1, Cooldown: DefaultCooldown}
	if len(s.Match) == 0 {
		return nil, errors.New("match is required")
	}
	for _, ms := range s.Match {
		m, err := compileMatch(&ms)
		if err != nil {
			return nil, err
		}
		r.match = append(r.match, m)
	}
	if t := s.Threshold; t != nil {
		if t.Count < 1 || t.Count > MaxCount {
			return nil, fmt.Errorf("threshold.count: %d is not between 1 and %d", t.Count, MaxCount)
		}
		w, err := parseDuration(t.Window, MaxWindow)
		if err != nil || w <= 0 {
			return nil, fmt.Errorf("threshold.window: %q: give a duration such as 5m, above 0 and at most %s", t.Window, MaxWindow)
		}
		if w < time.Second {
			return nil, fmt.Errorf("threshold.window: %q is under a second, the resolution of event times", t.Window)
		}
		if t.GroupBy != "" && !groupByFields[t.GroupBy] {
			return nil, fmt.Errorf("threshold.groupBy: %q: use one of userName, sourceIPAddress, eventName, eventSource, errorCode, resource, accessKeyId", t.GroupBy)
		}
		r.Count, r.Window, r.GroupBy = t.Count, w, t.GroupBy
	}
	if s.Cooldown != nil {
		c, err := parseDuration(*s.Cooldown, MaxCooldown)
		if err != nil {
			return nil, fmt.Errorf("cooldown: %q: give a duration such as 1m or 0s, at most %s", *s.Cooldown, MaxCooldown)
		}
		r.Cooldown = c
	}
	if s.Actions == nil {
		r.Log, r.Record, r.Webhooks = true, true, defaultHooks
		return r, nil
	}
	if len(s.Actions) == 0 {
		return nil, errors.New("actions: an empty list would do nothing (leave actions out for log + record)")
	}
	for i, a := range s.Actions {
		r.Log = r.Log || a.Log
		r.Record = r.Record || a.Record
		if a.Webhook != nil {
			w, err := compileWebhook(a.Webhook)
			if err != nil {
				return nil, fmt.Errorf("actions[%d].webhook: %v", i, err)
			}
			r.Webhooks = append(r.Webhooks, w)
		}
	}
	return r, nil
}

func compileWebhook(s *WebhookSpec) (Webhook, error) {
	w := Webhook{URL: s.URL, Headers: s.Headers, Timeout: DefaultWebhookTimeout, MaxAttempts: DefaultWebhookAttempts}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return w, fmt.Errorf("url %q: give an http:// or https:// URL", s.URL)
	}
	if u.User != nil {
		return w, errors.New("url: put credentials in headers, not in the URL (URLs are logged)")
	}
	for k := range s.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return w, fmt.Errorf("headers: %q is not a header name", k)
		}
		if strings.ContainsAny(s.Headers[k], "\r\n") {
			return w, fmt.Errorf("headers: the value of %s holds a line break", k)
		}
	}
	if s.Timeout != "" {
		t, err := parseDuration(s.Timeout, MaxTimeout)
		if err != nil || t <= 0 {
			return w, fmt.Errorf("timeout %q: give a duration above 0 and at most %s", s.Timeout, MaxTimeout)
		}
		w.Timeout = t
	}
	if s.MaxAttempts != 0 {
		if s.MaxAttempts < 1 || s.MaxAttempts > MaxAttempts {
			return w, fmt.Errorf("maxAttempts: %d is not between 1 and %d", s.MaxAttempts, MaxAttempts)
		}
		w.MaxAttempts = s.MaxAttempts
	}
	return w, nil
}

func parseDuration(s string, max time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 || d > max {
		return 0, fmt.Errorf("out of range")
	}
	return d, nil
}

// strictDecode decodes one JSON value into v, refusing unknown fields (matched by case
// too, which encoding/json does not) and trailing data.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return cleanJSONError(err)
	}
	if dec.More() {
		return errors.New("unexpected data after the document")
	}
	return checkKeys(b, reflect.TypeOf(v), "")
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// checkKeys fails on an object key of b that is not exactly a json tag of the struct type
// t it was decoded into. Types with their own UnmarshalJSON check themselves.
func checkKeys(b []byte, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice:
		var elems []json.RawMessage
		if json.Unmarshal(b, &elems) != nil {
			return nil
		}
		for i, e := range elems {
			if err := checkKeys(e, t.Elem(), fmt.Sprintf("%s[%d].", strings.TrimSuffix(path, "."), i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(b, &obj) != nil {
			return nil
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("unknown field %q", path+k)
			}
			if err := checkKeys(v, ft, path+k+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanJSONError rewords encoding/json's messages for a person editing a rule file.
func cleanJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Errorf("%s: want %s, got a JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("want %s, got a JSON %s", te.Type, te.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return errors.New(msg)
}
