package kms

import (
	"encoding/base64"
	"strconv"
)

// CheckLimit validates an explicit Limit against 1..max with AWS's message.
func CheckLimit(n, max int) error {
	if n < 1 {
		return validation(strconv.Itoa(n), "limit", "Member must have value greater than or equal to 1")
	}
	if n > max {
		return validation(strconv.Itoa(n), "limit", "Member must have value less than or equal to "+strconv.Itoa(max))
	}
	return nil
}

// paginate returns the page of items (sorted by name) after p.Marker. A marker is the
// base64url of the last name returned; anything else is ErrInvalidMarker.
func paginate[T any](items []T, name func(T) string, p Page, def, max int) (page []T, next string, err error) {
	limit := def
	if p.Limit != 0 {
		if err := CheckLimit(p.Limit, max); err != nil {
			return nil, "", err
		}
		limit = p.Limit
	}
	start := 0
	if p.Marker != "" {
		after, err := base64.RawURLEncoding.DecodeString(p.Marker)
		if err != nil || len(after) == 0 {
			return nil, "", errf(ErrInvalidMarker, "Invalid marker")
		}
		for start < len(items) && name(items[start]) <= string(after) {
			start++
		}
	}
	end := min(start+limit, len(items))
	page = items[start:end]
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(name(items[end-1])))
	}
	return page, next, nil
}
