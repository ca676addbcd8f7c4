package postpolicy

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/errs"
)

// Exempt reports whether a form field (lowercased) needs no condition: the signature
// fields, the policy itself, the file and the x-ignore- fields.
func Exempt(field string) bool {
	switch field {
	case "policy", "file", "x-amz-signature", "awsaccesskeyid", "signature":
		return true
	}
	return strings.HasPrefix(field, "x-ignore-")
}

func denied(format string, args ...any) error {
	return errs.Newf(ErrDenied, "Invalid according to Policy: "+format, args...)
}

// Check enforces the policy on a form at time now: it has not expired, every condition on
// a field holds (an absent field has the value ""), and every field of the form (names
// lowercased; fields must include "bucket") but the exempt ones is named by a condition.
// The content-length-range conditions are the caller's (LengthRange, CheckSize): the
// file's size is known only once it is read.
func (p *Policy) Check(now time.Time, fields map[string]string) error {
	if !now.Before(p.Expiration) {
		return denied("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.Conditions {
		if c.Op == OpRange {
			continue
		}
		covered[c.Field] = true
		v := fields[c.Field]
		ok := v == c.Value
		if c.Op == OpStartsWith {
			ok = startsWith(c.Field, v, c.Value)
		}
		if !ok {
			return denied("Policy Condition failed: %s", c)
		}
	}
	var extra []string
	for k := range fields {
		if !covered[k] && !Exempt(k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return denied("Extra input fields: %s", strings.Join(extra, ", "))
	}
	return nil
}

// startsWith is the starts-with test; for Content-Type, a comma-separated list of types
// must each start with the prefix (S3 allows several types in one field).
func startsWith(field, v, prefix string) bool {
	if field != "content-type" || !strings.Contains(v, ",") {
		return strings.HasPrefix(v, prefix)
	}
	for _, t := range strings.Split(v, ",") {
		if !strings.HasPrefix(strings.TrimSpace(t), prefix) {
			return false
		}
	}
	return true
}

// LengthRange is the tightest bounds the content-length-range conditions set on the file's
// size (inclusive); ok is false when the policy sets none.
func (p *Policy) LengthRange() (lo, hi int64, ok bool) {
	for _, c := range p.Conditions {
		if c.Op != OpRange {
			continue
		}
		if !ok {
			lo, hi, ok = c.Min, c.Max, true
			continue
		}
		lo, hi = max(lo, c.Min), min(hi, c.Max)
	}
	return lo, hi, ok
}

// Size refusals of content-length-range, inside a *SizeError.
var (
	// ErrTooLarge: the file is larger than the range allows (400 EntityTooLarge).
	ErrTooLarge = errors.New("postpolicy: file larger than content-length-range")
	// ErrTooSmall: the file is smaller than the range allows (400 EntityTooSmall).
	ErrTooSmall = errors.New("postpolicy: file smaller than content-length-range")
)

// SizeError is a size refusal with what was proposed and the bound it broke. Size is the
// bytes read when the refusal was made (for ErrTooLarge, the first byte over the bound).
type SizeError struct {
	Kind        error
	Size, Bound int64
}

func (e *SizeError) Error() string {
	return e.Kind.Error() + " (" + strconv.FormatInt(e.Size, 10) + " bytes, bound " + strconv.FormatInt(e.Bound, 10) + ")"
}

// Unwrap returns the sentinel.
func (e *SizeError) Unwrap() error { return e.Kind }

// CheckSize checks a size against the bounds [lo, hi].
func CheckSize(size, lo, hi int64) error {
	switch {
	case size > hi:
		return &SizeError{Kind: ErrTooLarge, Size: size, Bound: hi}
	case size < lo:
		return &SizeError{Kind: ErrTooSmall, Size: size, Bound: lo}
	}
	return nil
}
