// Package metrics exposes Arca's Prometheus metrics. It implements the observer interfaces
// of the API packages so that they record what they did without knowing Prometheus.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with Arca's collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	bytesIn  *prometheus.CounterVec
	bytesOut *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	kmsOps   *prometheus.CounterVec
	kmsThrot *prometheus.CounterVec
	// kmsReq and kmsKeyOps cache series; a key's counters stay after it is deleted, as
	// Prometheus counters should.
	kmsReq    sync.Map // kmsKey -> *kmsSeries
	kmsKeyOps sync.Map // [2]string{key id, op} -> prometheus.Counter
}

// New registers Arca's collectors and the Go runtime's.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_requests_total", Help: "Requests by API, operation and HTTP status.",
	}, []string{"api", "operation", "status"})
	m.bytesIn = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_request_bytes_total", Help: "Payload bytes received, by API and operation.",
	}, []string{"api", "operation"})
	m.bytesOut = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_response_bytes_total", Help: "Payload bytes sent, by API and operation.",
	}, []string{"api", "operation"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "arca_request_duration_seconds",
		Help:    "Time from request start to the last byte written, by API and operation.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"api", "operation"})
	m.kmsOps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_kms_key_operations_total",
		Help: "KMS operations per key (API calls and in-process calls such as SSE-KMS), by key id and operation.",
	}, []string{"key_id", "operation"})
	m.kmsThrot = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_kms_throttled_total",
		Help: "KMS cryptographic operations refused by the per-account rate quota, by account and operation.",
	}, []string{"account", "operation"})
	m.reg.MustRegister(m.requests, m.bytesIn, m.bytesOut, m.latency, m.kmsOps, m.kmsThrot,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry lets other subsystems register their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Observe records one finished request of any API.
func (m *Metrics) Observe(api, op string, status int, in, out int64, d time.Duration) {
	if op == "" {
		op = "Unknown"
	}
	m.requests.WithLabelValues(api, op, strconv.Itoa(status)).Inc()
	if in > 0 {
		m.bytesIn.WithLabelValues(api, op).Add(float64(in))
	}
	if out > 0 {
		m.bytesOut.WithLabelValues(api, op).Add(float64(out))
	}
	m.latency.WithLabelValues(api, op).Observe(d.Seconds())
}

// ObserveS3 implements s3api.Observer.
func (m *Metrics) ObserveS3(op string, status int, in, out int64, d time.Duration) {
	m.Observe("s3", op, status, in, out, d)
}

// kmsSeries are the collectors of one KMS operation and status, looked up once: KMS
// requests are small and many, so per-request label hashing shows in profiles.
type kmsSeries struct {
	requests          prometheus.Counter
	bytesIn, bytesOut prometheus.Counter
	latency           prometheus.Observer
}

// ObserveKMS implements kmsapi.Observer.
func (m *Metrics) ObserveKMS(op string, status int, in, out int64, d time.Duration) {
	key := kmsKey{op, status}
	v, ok := m.kmsReq.Load(key)
	if !ok {
		v, _ = m.kmsReq.LoadOrStore(key, &kmsSeries{
			requests: m.requests.WithLabelValues("kms", op, strconv.Itoa(status)),
			bytesIn:  m.bytesIn.WithLabelValues("kms", op), bytesOut: m.bytesOut.WithLabelValues("kms", op),
			latency: m.latency.WithLabelValues("kms", op),
		})
	}
	s := v.(*kmsSeries)
	s.requests.Inc()
	if in > 0 {
		s.bytesIn.Add(float64(in))
	}
	if out > 0 {
		s.bytesOut.Add(float64(out))
	}
	s.latency.Observe(d.Seconds())
}

type kmsKey struct {
	op     string
	status int
}

// KeyOperation implements kms.Observer.
func (m *Metrics) KeyOperation(keyID, op string) {
	key := [2]string{keyID, op}
	c, ok := m.kmsKeyOps.Load(key)
	if !ok {
		c, _ = m.kmsKeyOps.LoadOrStore(key, m.kmsOps.WithLabelValues(keyID, op))
	}
	c.(prometheus.Counter).Inc()
}

// Throttled implements kms.Observer.
func (m *Metrics) Throttled(account, op string) { m.kmsThrot.WithLabelValues(account, op).Inc() }

// Handler serves the text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
