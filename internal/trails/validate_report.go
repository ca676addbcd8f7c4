package trails

import (
	"fmt"
	"io"
	"time"
)

// FileCheck is the verdict on one digest or log file.
type FileCheck struct {
	Digest      bool // a digest file, else a log file
	Bucket, Key string
	Valid       bool
	// Reason says why an invalid file is invalid, in validate-logs' words where it has
	// them: "not found", "hash value doesn't match", "signature verification failed",
	// "invalid format", or "unreadable (…)" for stored bytes that fail to decrypt.
	Reason string
}

// String is the line validate-logs prints for the file.
func (f FileCheck) String() string {
	kind := "Log file"
	if f.Digest {
		kind = "Digest file"
	}
	verdict := "valid"
	if !f.Valid {
		verdict = "INVALID: " + f.Reason
	}
	return kind + "\ts3://" + f.Bucket + "/" + f.Key + "\t" + verdict
}

// Gap is a break in the digest chain: no digest covers (From, To), as after log file
// validation was turned off and on again. It is not a failure (validate-logs reports it
// as a notice too).
type Gap struct{ From, To time.Time }

// Report is the outcome of Validate.
type Report struct {
	TrailARN   string
	Start, End time.Time
	// FoundStart and FoundEnd are the span the valid digests cover, clipped to [Start, End].
	FoundStart, FoundEnd time.Time
	// Files are the digests and logs in the order checked (newest digest first, each
	// followed by its logs).
	Files                        []FileCheck
	Gaps                         []Gap
	ValidDigests, InvalidDigests int
	ValidLogs, InvalidLogs       int
}

// OK reports whether every file checked is valid.
func (r *Report) OK() bool { return r.InvalidDigests == 0 && r.InvalidLogs == 0 }

// Invalid returns the invalid files.
func (r *Report) Invalid() []FileCheck {
	var out []FileCheck
	for _, f := range r.Files {
		if !f.Valid {
			out = append(out, f)
		}
	}
	return out
}

func (r *Report) add(f FileCheck) {
	r.Files = append(r.Files, f)
	switch {
	case f.Digest && f.Valid:
		r.ValidDigests++
	case f.Digest:
		r.InvalidDigests++
	case f.Valid:
		r.ValidLogs++
	default:
		r.InvalidLogs++
	}
}

// found widens the covered span by a valid digest's, clipped to [start, end].
func (r *Report) found(d *Digest, start, end time.Time) {
	if t, err := time.Parse(time.RFC3339, d.DigestStartTime); err == nil {
		if t.Before(start) {
			t = start
		}
		if r.FoundStart.IsZero() || t.Before(r.FoundStart) {
			r.FoundStart = t
		}
	}
	if t, err := time.Parse(time.RFC3339, d.DigestEndTime); err == nil {
		if t.After(end) {
			t = end
		}
		if t.After(r.FoundEnd) {
			r.FoundEnd = t
		}
	}
}

func displayTime(t time.Time) string {
	if t.IsZero() {
		return "the first digest"
	}
	return t.UTC().Format(fieldTime)
}

// Write prints the report as validate-logs does: a header, the invalid files (every file
// with verbose), the gaps, and the summary of valid and invalid counts.
func (r *Report) Write(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "Validating log files for trail %s between %s and %s\n\n", r.TrailARN, displayTime(r.Start), displayTime(r.End))
	for _, f := range r.Files {
		if verbose || !f.Valid {
			fmt.Fprintln(w, f)
		}
	}
	for _, g := range r.Gaps {
		fmt.Fprintf(w, "No log files were delivered by CloudTrail between %s and %s\n", displayTime(g.From), displayTime(g.To))
	}
	if len(r.Files) > 0 || len(r.Gaps) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Results requested for %s to %s\n", displayTime(r.Start), displayTime(r.End))
	if r.ValidDigests+r.InvalidDigests == 0 {
		fmt.Fprintln(w, "No digests found")
		return
	}
	if r.FoundStart.IsZero() || r.FoundEnd.IsZero() {
		fmt.Fprintln(w, "No valid digests found in range")
	} else {
		fmt.Fprintf(w, "Results found for %s to %s:\n", displayTime(r.FoundStart), displayTime(r.FoundEnd))
	}
	ratio := func(valid, invalid int, name string) {
		if total := valid + invalid; total > 0 {
			fmt.Fprintf(w, "\n%d/%d %s files valid", valid, total, name)
			if invalid > 0 {
				fmt.Fprintf(w, ", %d/%d %s files INVALID", invalid, total, name)
			}
		}
	}
	ratio(r.ValidDigests, r.InvalidDigests, "digest")
	ratio(r.ValidLogs, r.InvalidLogs, "log")
	fmt.Fprint(w, "\n\n")
}
