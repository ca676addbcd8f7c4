package bench

import (
	"math"
	"math/bits"
	"time"
)

// histogram records latencies in a fixed amount of memory with a relative
// error below 0.4%: values under 128ns are kept exactly, larger ones fall in
// one of 128 linear sub-buckets per power of two (log-linear, as in HDR
// histograms), and a bucket reports its midpoint. The maximum is kept
// exactly. A histogram is not safe for concurrent use: each worker owns one
// and they are merged at the end.
type histogram struct {
	counts [histBuckets]uint64
	total  uint64
	max    int64
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits // sub-buckets per power of two
	histMaxBits = 40               // values are clamped below 2^40ns (~18 min)
	histBuckets = (histMaxBits - histSubBits + 1) * histSub
)

func histIndex(v int64) int {
	if v < 0 {
		v = 0
	}
	if v >= 1<<histMaxBits {
		v = 1<<histMaxBits - 1
	}
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - histSubBits - 1 // v>>e is in [128, 256)
	return (e+1)*histSub + int(v>>e) - histSub
}

// histValue is the midpoint of the values that land in bucket i.
func histValue(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i/histSub - 1
	m := int64(i%histSub + histSub)
	lo := m << e
	hi := (m+1)<<e - 1
	return lo + (hi-lo)/2
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[histIndex(v)]++
	h.total++
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	if o.max > h.max {
		h.max = o.max
	}
}

// percentile returns the latency at or below which a fraction p (0..1) of
// the recorded operations fall; 0 when nothing was recorded.
func (h *histogram) percentile(p float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	// ceil(p*total), forgiving float noise such as 0.07*100 = 7.000000000000001.
	rank := uint64(math.Ceil(p*float64(h.total) - 1e-9))
	if rank < 1 {
		rank = 1
	}
	if rank > h.total {
		rank = h.total
	}
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			return time.Duration(min(histValue(i), h.max))
		}
	}
	return time.Duration(h.max)
}
