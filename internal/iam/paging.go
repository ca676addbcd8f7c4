package iam

import (
	"encoding/base64"
	"strconv"
)

const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// paginate returns the page of items (sorted by sortKey) after p.Marker. A marker is the
// base64url of the last sort key returned; anything else is a ValidationError.
func paginate[T any](items []T, sortKey func(T) string, p Page) (page []T, next string, err error) {
	limit := defaultMaxItems
	if p.MaxItems != 0 {
		if p.MaxItems < 1 {
			return nil, "", validation(strconv.Itoa(p.MaxItems), "maxItems", "Member must have value greater than or equal to 1")
		}
		if p.MaxItems > maxMaxItems {
			return nil, "", validation(strconv.Itoa(p.MaxItems), "maxItems", "Member must have value less than or equal to 1000")
		}
		limit = p.MaxItems
	}
	start := 0
	if p.Marker != "" {
		after, err := base64.RawURLEncoding.DecodeString(p.Marker)
		if err != nil || len(after) == 0 {
			return nil, "", errf(ErrValidation, "Invalid Marker.")
		}
		for start < len(items) && sortKey(items[start]) <= string(after) {
			start++
		}
	}
	end := min(start+limit, len(items))
	page = items[start:end]
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(sortKey(items[end-1])))
	}
	return page, next, nil
}
