// Package alarmhttp is the HTTP side of the alarms' webhook action: it makes one POST and
// reports the answer's status and Retry-After, for internal/alarm, which decides what to
// retry and keeps no HTTP types of its own.
package alarmhttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Poster POSTs with an http.Client that never follows redirects: a redirect is an answer,
// not a delivery (a POST must not silently become a GET).
type Poster struct{ client *http.Client }

// New returns a Poster over client (nil: a clone of http.DefaultTransport's).
func New(client *http.Client) *Poster {
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		client = &http.Client{Transport: tr}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Poster{client: &c}
}

// Post sends body to url with the headers; it returns the answer's status and its
// Retry-After in seconds (0 if none or not a positive integer), or a transport error. The
// response body is read (at most 64 KiB) and discarded.
func (p *Poster) Post(ctx context.Context, url string, header map[string]string, body []byte) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	var ra time.Duration
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		ra = time.Duration(secs) * time.Second
	}
	return resp.StatusCode, ra, nil
}
