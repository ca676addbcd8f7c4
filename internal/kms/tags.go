package kms

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

const maxTags = 50

// mergeTags returns existing with add applied (same key: new value), validated as AWS does.
func mergeTags(existing, add []Tag) ([]Tag, error) {
	seen := map[string]bool{}
	for _, t := range add {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 {
			return nil, validation(t.Key, "tags.member.tagKey", "Member must have length between 1 and 128")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return nil, validation(t.Value, "tags.member.tagValue", "Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(t.Key, "aws:") {
			return nil, errf(ErrTag, "Tags beginning with aws: are reserved")
		}
		if seen[t.Key] {
			return nil, errf(ErrTag, "Duplicate tag keys")
		}
		seen[t.Key] = true
	}
	out := slices.Clone(existing)
	for _, t := range add {
		if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errf(ErrTag, "Too many tags")
	}
	slices.SortFunc(out, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func tagsWritable(k *key) error {
	if err := notManaged(k, "it cannot be tagged"); err != nil {
		return err
	}
	if k.rec.State == StatePendingDeletion {
		return msgPending(k.arn)
	}
	return nil
}

// TagResource adds or replaces tags on a key.
func (s *Service) TagResource(ctx context.Context, p Principal, keyID string, tags []Tag) error {
	if len(tags) == 0 {
		return validation("[]", "tags", "Member must not be null")
	}
	_, err := s.changeKey(ctx, keyID, false, "TagResource", func(k *key, r *keyRecord) error {
		if err := tagsWritable(k); err != nil {
			return err
		}
		t, err := mergeTags(r.Tags, tags)
		r.Tags = t
		return err
	})
	return err
}

// UntagResource removes tags by key; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, p Principal, keyID string, keys []string) error {
	if len(keys) == 0 {
		return validation("[]", "tagKeys", "Member must not be null")
	}
	_, err := s.changeKey(ctx, keyID, false, "UntagResource", func(k *key, r *keyRecord) error {
		if err := tagsWritable(k); err != nil {
			return err
		}
		r.Tags = slices.DeleteFunc(r.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
	return err
}

// ListResourceTags lists a key's tags by key (default and at most 50 per page).
func (s *Service) ListResourceTags(ctx context.Context, p Principal, keyID string, pg Page) ([]Tag, string, error) {
	k, err := s.resolve(keyID, false, "ListResourceTags")
	if err != nil {
		return nil, "", err
	}
	return paginate(k.rec.Tags, func(t Tag) string { return t.Key }, pg, 50, 50)
}
