package alarm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is the webhook retry schedule: attempt n (from 1) that failed is followed by a
// wait drawn uniformly from [d/2, d] where d = Base·2^(n-1), capped at Max ("equal
// jitter": spread out, never zero). A Retry-After of a 429 or 503 is honoured up to Max.
type Backoff struct {
	Base time.Duration // default 500 ms
	Max  time.Duration // default 30 s
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	return b
}

// delay is the wait after failed attempt n (from 1); rnd returns a float in [0, 1).
func (b Backoff) delay(n int, rnd func() float64) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	return d/2 + time.Duration(rnd()*float64(d/2))
}

// delivery is one alarm to POST to one webhook.
type delivery struct {
	hook    Webhook
	body    []byte
	alarmID string
	rule    string
}

// errPermanent marks a webhook failure not worth retrying (a 4xx other than 408 and 429,
// a redirect).
var errPermanent = errors.New("not retried")

// Poster makes one webhook POST (internal/alarmhttp does it over HTTP): the answer's
// status and Retry-After, or a transport error (which is retried).
type Poster interface {
	Post(ctx context.Context, url string, header map[string]string, body []byte) (status int, retryAfter time.Duration, err error)
}

// sender POSTs alarms with retries.
type sender struct {
	poster  Poster
	backoff Backoff
	rnd     func() float64
}

func newSender(p Poster, b Backoff) *sender {
	return &sender{poster: p, backoff: b.withDefaults(), rnd: rand.Float64}
}

// send delivers d, retrying network errors, 5xx, 408 and 429 up to the hook's MaxAttempts.
// It returns the attempts made and the last error (nil on success). ctx bounds everything,
// waits included.
func (s *sender) send(ctx context.Context, d delivery) (int, error) {
	var err error
	for n := 1; ; n++ {
		var retryAfter time.Duration
		retryAfter, err = s.attempt(ctx, d)
		if err == nil || errors.Is(err, errPermanent) || n >= d.hook.MaxAttempts {
			return n, err
		}
		wait := s.backoff.delay(n, s.rnd)
		if retryAfter > wait {
			wait = min(retryAfter, s.backoff.Max)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return n, fmt.Errorf("%w (gave up: %v)", err, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// attempt makes one POST; it returns the server's Retry-After (0 if none).
func (s *sender) attempt(ctx context.Context, d delivery) (time.Duration, error) {
	if s.poster == nil {
		return 0, fmt.Errorf("%w: no webhook poster configured", errPermanent)
	}
	actx, cancel := context.WithTimeout(ctx, d.hook.Timeout)
	defer cancel()
	h := make(map[string]string, len(d.hook.Headers)+3)
	for k, v := range d.hook.Headers {
		h[k] = v
	}
	h["Content-Type"] = "application/json"
	h["User-Agent"] = "arca-alarms/1"
	h["X-Arca-Alarm-Id"] = d.alarmID // the same on every retry: receivers can dedupe
	c, ra, err := s.poster.Post(actx, d.hook.URL, h, d.body)
	if err != nil {
		return 0, err
	}
	switch {
	case c >= 200 && c < 300:
		return 0, nil
	case c >= 500 || c == 429 || c == 408: // Too Many Requests, Request Timeout
		return ra, fmt.Errorf("HTTP %d", c)
	default:
		return 0, fmt.Errorf("%w: HTTP %d", errPermanent, c)
	}
}
