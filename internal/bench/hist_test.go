package bench

import (
	"math"
	"testing"
	"time"
)

func TestHistogramExactSmallValues(t *testing.T) {
	var h histogram
	for v := 1; v <= 100; v++ {
		h.record(time.Duration(v))
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50}, {0.9, 90}, {0.99, 99}, {1, 100}, {0.001, 1}} {
		if got := h.percentile(tc.p); got != tc.want {
			t.Errorf("p%g = %d, want %d", tc.p*100, got, tc.want)
		}
	}
}

func TestHistogramPercentilesWithinOnePercent(t *testing.T) {
	// Two workers' histograms, merged: latencies 1ms..10s, spread over
	// four decades so the log buckets are exercised.
	var a, b histogram
	const n = 10000
	val := func(i int) time.Duration {
		return time.Duration(float64(time.Millisecond) * math.Pow(10, 4*float64(i)/n))
	}
	for i := 1; i <= n; i++ {
		if i%2 == 0 {
			a.record(val(i))
		} else {
			b.record(val(i))
		}
	}
	a.merge(&b)
	if a.total != n {
		t.Fatalf("merged total = %d", a.total)
	}
	for _, p := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := float64(val(int(math.Ceil(p * n))))
		got := float64(a.percentile(p))
		if math.Abs(got-want)/want > 0.01 {
			t.Errorf("p%g = %v, want %v within 1%%", p*100, time.Duration(got), time.Duration(want))
		}
	}
	if got := time.Duration(a.max); got != val(n) {
		t.Errorf("max = %v, want exactly %v", got, val(n))
	}
	if got := a.percentile(1); got != val(n) {
		t.Errorf("p100 = %v, want the max %v", got, val(n))
	}
}

func TestHistogramBucketError(t *testing.T) {
	for v := int64(1); v < 1<<histMaxBits; v = v*1001/1000 + 1 {
		mid := histValue(histIndex(v))
		if rel := math.Abs(float64(mid-v)) / float64(v); rel > 0.004 {
			t.Fatalf("value %d reported as %d (%.2f%% off)", v, mid, rel*100)
		}
	}
	if i := histIndex(math.MaxInt64); i != histBuckets-1 {
		t.Errorf("huge value lands in bucket %d, want the last (%d)", i, histBuckets-1)
	}
	if i := histIndex(-5); i != 0 {
		t.Errorf("negative value lands in bucket %d", i)
	}
}

func TestHistogramEmpty(t *testing.T) {
	var h histogram
	if got := h.percentile(0.5); got != 0 {
		t.Errorf("empty p50 = %v", got)
	}
}
