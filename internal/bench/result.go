package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Result is what a run measured. Rates and latencies cover only the
// operations that completed successfully inside the timed window.
type Result struct {
	Op          string
	Size        int64 // object size in bytes
	Concurrency int

	Duration time.Duration // length of the timed window actually run
	Ops      int64         // successful operations
	Errors   int64         // failed operations
	Bytes    int64         // payload bytes moved by the successful operations

	OpsPerSec, MiBPerSec float64

	P50, P90, P99, Max time.Duration // latency of successful operations

	FirstError   string // text of the first error seen, if any
	Interrupted  bool   // the context was cancelled before Duration elapsed
	CleanupError string // why deleting the objects afterwards failed, if it did
}

func newResult(o *Options, st *loadStats) *Result {
	r := &Result{
		Op:          o.Op,
		Size:        o.Size,
		Concurrency: o.Concurrency,
		Duration:    st.Elapsed,
		Ops:         st.Ops,
		Errors:      st.Errors,
		Bytes:       st.Bytes,
		P50:         st.Hist.percentile(0.50),
		P90:         st.Hist.percentile(0.90),
		P99:         st.Hist.percentile(0.99),
		Max:         time.Duration(st.Hist.max),
		FirstError:  st.FirstError,
		Interrupted: st.Interrupted,
	}
	if secs := st.Elapsed.Seconds(); secs > 0 {
		r.OpsPerSec = float64(st.Ops) / secs
		r.MiBPerSec = float64(st.Bytes) / secs / (1 << 20)
	}
	return r
}

// jsonResult fixes the JSON field names; they are part of the CLI's
// interface, so only add to them.
type jsonResult struct {
	Op              string  `json:"op"`
	SizeBytes       int64   `json:"size_bytes"`
	Concurrency     int     `json:"concurrency"`
	DurationSeconds float64 `json:"duration_seconds"`
	Ops             int64   `json:"ops"`
	Errors          int64   `json:"errors"`
	Bytes           int64   `json:"bytes"`
	OpsPerSec       float64 `json:"ops_per_sec"`
	MiBPerSec       float64 `json:"mib_per_sec"`
	LatencyP50Ms    float64 `json:"latency_p50_ms"`
	LatencyP90Ms    float64 `json:"latency_p90_ms"`
	LatencyP99Ms    float64 `json:"latency_p99_ms"`
	LatencyMaxMs    float64 `json:"latency_max_ms"`
	FirstError      string  `json:"first_error"`
	Interrupted     bool    `json:"interrupted"`
	CleanupError    string  `json:"cleanup_error"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// WriteJSON writes r as one indented JSON object with snake_case field
// names; durations are float seconds or milliseconds as the names say.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonResult{
		Op:              r.Op,
		SizeBytes:       r.Size,
		Concurrency:     r.Concurrency,
		DurationSeconds: r.Duration.Seconds(),
		Ops:             r.Ops,
		Errors:          r.Errors,
		Bytes:           r.Bytes,
		OpsPerSec:       r.OpsPerSec,
		MiBPerSec:       r.MiBPerSec,
		LatencyP50Ms:    ms(r.P50),
		LatencyP90Ms:    ms(r.P90),
		LatencyP99Ms:    ms(r.P99),
		LatencyMaxMs:    ms(r.Max),
		FirstError:      r.FirstError,
		Interrupted:     r.Interrupted,
		CleanupError:    r.CleanupError,
	})
}

// fmtLatency prints a latency with three or four significant digits.
func fmtLatency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2fms", ms(d))
	default:
		return fmt.Sprintf("%.3fs", d.Seconds())
	}
}

// WriteText writes r as a small two-column table for people.
func (r *Result) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "operation\t%s\n", r.Op)
	fmt.Fprintf(tw, "object size\t%s (%d bytes)\n", FormatSize(r.Size), r.Size)
	fmt.Fprintf(tw, "concurrency\t%d\n", r.Concurrency)
	fmt.Fprintf(tw, "duration\t%.2fs\n", r.Duration.Seconds())
	fmt.Fprintf(tw, "operations\t%d ok, %d failed\n", r.Ops, r.Errors)
	fmt.Fprintf(tw, "throughput\t%.1f ops/s, %.2f MiB/s\n", r.OpsPerSec, r.MiBPerSec)
	if r.Ops > 0 {
		fmt.Fprintf(tw, "latency\tp50 %s  p90 %s  p99 %s  max %s\n",
			fmtLatency(r.P50), fmtLatency(r.P90), fmtLatency(r.P99), fmtLatency(r.Max))
	}
	if r.FirstError != "" {
		fmt.Fprintf(tw, "first error\t%s\n", r.FirstError)
	}
	if r.Interrupted {
		fmt.Fprintf(tw, "note\tinterrupted before the requested duration\n")
	}
	if r.CleanupError != "" {
		fmt.Fprintf(tw, "cleanup\t%s\n", r.CleanupError)
	}
	return tw.Flush()
}
