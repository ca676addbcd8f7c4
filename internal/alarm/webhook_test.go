package alarm

import (
	"context"
	"errors"
	"github.com/arcastore/arca/internal/alarmhttp"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receiver is an httptest server that answers with the given statuses in turn (the last
// one for ever after) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 1<<20)
		n, _ := r.Body.Read(buf)
		rc.mu.Lock()
		i := len(rc.got)
		rc.got = append(rc.got, r)
		rc.bodies = append(rc.bodies, buf[:n])
		st := rc.statuses[min(i, len(rc.statuses)-1)]
		rc.mu.Unlock()
		if st == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

// fastSender retries without real waits worth the name.
func fastSender() *sender {
	s := newSender(alarmhttp.New(nil), Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond})
	return s
}

func TestWebhookRetriesThenSucceeds(t *testing.T) {
	rc := newReceiver(t, 500, 503, 200)
	hook := Webhook{URL: rc.URL + "/hook", Headers: map[string]string{"Authorization": "Bearer x"}, Timeout: 5 * time.Second, MaxAttempts: 5}
	n, err := fastSender().send(context.Background(), delivery{hook: hook, body: []byte(`{"alarm":"a1"}`), alarmID: "a1"})
	if err != nil || n != 3 || rc.count() != 3 {
		t.Fatalf("attempts %d (server saw %d), err %v; want 3, nil", n, rc.count(), err)
	}
	for i, r := range rc.got {
		if r.Method != http.MethodPost || r.URL.Path != "/hook" || r.Header.Get("Content-Type") != "application/json" ||
			r.Header.Get("Authorization") != "Bearer x" || r.Header.Get("X-Arca-Alarm-Id") != "a1" || string(rc.bodies[i]) != `{"alarm":"a1"}` {
			t.Errorf("attempt %d: %s %s %v %q", i+1, r.Method, r.URL.Path, r.Header, rc.bodies[i])
		}
	}
}

var webhookStopTests = []struct {
	name     string
	statuses []int
	attempts int
}{
	{"400 is not retried", []int{400, 200}, 1},
	{"403 is not retried", []int{403, 200}, 1},
	{"a redirect is not followed nor retried", []int{302, 200}, 1},
	{"429 is retried", []int{429, 429, 200}, 3},
	{"408 is retried", []int{408, 200}, 2},
	{"5xx up to maxAttempts", []int{500}, 4},
}

func TestWebhookStops(t *testing.T) {
	for _, tt := range webhookStopTests {
		rc := newReceiver(t, tt.statuses...)
		hook := Webhook{URL: rc.URL, Timeout: 5 * time.Second, MaxAttempts: 4}
		n, err := fastSender().send(context.Background(), delivery{hook: hook, body: []byte("{}")})
		last := tt.statuses[min(tt.attempts, len(tt.statuses))-1]
		if n != tt.attempts || rc.count() != tt.attempts || (err == nil) != (last < 300) {
			t.Errorf("%s: %d attempts (server saw %d), err %v; want %d", tt.name, n, rc.count(), err, tt.attempts)
		}
	}
}

// A receiver that does not answer in time is a network error: retried.
func TestWebhookTimeoutRetried(t *testing.T) {
	block := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
	}))
	defer srv.Close()
	defer close(block)
	hook := Webhook{URL: srv.URL, Timeout: time.Second, MaxAttempts: 3}
	n, err := fastSender().send(context.Background(), delivery{hook: hook, body: []byte("{}")})
	if err != nil || n != 2 {
		t.Fatalf("attempts %d, err %v; want 2, nil", n, err)
	}
}

// An unreachable receiver is retried up to maxAttempts; a cancelled context stops the
// waits.
func TestWebhookUnreachable(t *testing.T) {
	rc := newReceiver(t, 200)
	url := rc.URL
	rc.Close()
	hook := Webhook{URL: url, Timeout: time.Second, MaxAttempts: 3}
	n, err := fastSender().send(context.Background(), delivery{hook: hook, body: []byte("{}")})
	if err == nil || n != 3 {
		t.Fatalf("attempts %d, err %v", n, err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("shutdown deadline"))
	slow := newSender(alarmhttp.New(nil), Backoff{Base: time.Hour, Max: time.Hour})
	n, err = slow.send(ctx, delivery{hook: Webhook{URL: url, Timeout: time.Second, MaxAttempts: 5}, body: []byte("{}")})
	if err == nil || n != 1 {
		t.Fatalf("cancelled: attempts %d, err %v", n, err)
	}
}

// The waits grow exponentially, with jitter in [d/2, d], capped.
func TestBackoffDelays(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	low := func() float64 { return 0 }
	high := func() float64 { return 0.999999 }
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		w *= time.Millisecond
		if got := b.delay(i+1, low); got != w/2 {
			t.Errorf("attempt %d, low jitter: %v, want %v", i+1, got, w/2)
		}
		if got := b.delay(i+1, high); got < w*99/100 || got > w {
			t.Errorf("attempt %d, high jitter: %v, want about %v", i+1, got, w)
		}
	}
	if d := (Backoff{}).withDefaults(); d.Base != 500*time.Millisecond || d.Max != 30*time.Second {
		t.Errorf("defaults: %+v", d)
	}
}
