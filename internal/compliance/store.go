package compliance

import (
	"bytes"
	"encoding/json"

	"github.com/arcastore/arca/internal/kv"
)

// Where rules and results live in the kv store: one bucket each, keys prefixed by the
// account (so an account reads only its own), NUL-separated.
var (
	bucketRules   = []byte("config.rules")
	bucketResults = []byte("config.results")
)

func ruleKey(account, name string) []byte { return []byte(account + "\x00" + name) }

func resultPrefix(account, rule string) []byte { return []byte(account + "\x00" + rule + "\x00") }

func resultKey(account, rule, typ, id string) []byte {
	return []byte(account + "\x00" + rule + "\x00" + typ + "\x00" + id)
}

// scan calls fn for every key under prefix in b (nil b: none).
func scan(b kv.Bucket, prefix []byte, fn func(k, v []byte) error) error {
	if b == nil {
		return nil
	}
	c := b.Cursor()
	k, v := c.First()
	if len(prefix) > 0 {
		k, v = c.Seek(prefix)
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// rules returns the account's rules in name order.
func (s *Service) rules(account string) ([]Rule, error) {
	var out []Rule
	err := s.db.View(func(tx kv.Tx) error {
		out = out[:0]
		return scan(tx.Bucket(bucketRules), []byte(account+"\x00"), func(_, v []byte) error {
			var r Rule
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// allRules returns every account's rules, keyed by account.
func (s *Service) allRules() (map[string][]Rule, error) {
	out := map[string][]Rule{}
	err := s.db.View(func(tx kv.Tx) error {
		clear(out)
		return scan(tx.Bucket(bucketRules), nil, func(k, v []byte) error {
			acct, _, _ := bytes.Cut(k, []byte{0})
			var r Rule
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out[string(acct)] = append(out[string(acct)], r)
			return nil
		})
	})
	return out, err
}

func (s *Service) rule(account, name string) (Rule, bool, error) {
	var r Rule
	var ok bool
	err := s.db.View(func(tx kv.Tx) error {
		ok = false
		b := tx.Bucket(bucketRules)
		if b == nil {
			return nil
		}
		v := b.Get(ruleKey(account, name))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &r)
	})
	return r, ok, err
}

// results returns the stored results of the account's rule (all rules when rule is "").
func (s *Service) results(account, rule string) ([]Result, error) {
	prefix := []byte(account + "\x00")
	if rule != "" {
		prefix = resultPrefix(account, rule)
	}
	var out []Result
	err := s.db.View(func(tx kv.Tx) error {
		out = out[:0]
		return scan(tx.Bucket(bucketResults), prefix, func(_, v []byte) error {
			var r Result
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}
