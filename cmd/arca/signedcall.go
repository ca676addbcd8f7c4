package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signedCall is one request to a server API the AWS SDK has no client for (Arca's account
// API, CloudTrail's FlushTrail extension, S3's inventory run): signed with SigV4 as the
// SDK would sign it, so the server authenticates, authorizes and audits it like any call.
type signedCall struct {
	verb    string // the CLI verb, for the usage messages ("arca inventory")
	method  string
	path    string // path and query after the endpoint, starting with "/"
	body    []byte
	header  map[string]string
	service string // the SigV4 service name
	// credsHint says which credentials the verb needs, when none are found.
	credsHint string
}

// do sends c to endpoint (or the configuration's endpoint) and returns the answer's body
// when it is 200, or the server's error code and message (S3's XML or JSON 1.1's).
func (c signedCall) do(ctx context.Context, cfg aws.Config, endpoint string) ([]byte, error) {
	if endpoint == "" && cfg.BaseEndpoint != nil {
		endpoint = *cfg.BaseEndpoint // AWS_ENDPOINT_URL or the profile's endpoint_url
	}
	if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		return nil, &usageError{msg: c.verb + " needs --endpoint http(s)://host:port", hint: "give the URL the server prints at start"}
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		hint := c.credsHint
		if hint == "" {
			hint = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile"
		}
		return nil, &usageError{msg: "no credentials: " + err.Error(), hint: hint}
	}
	req, err := http.NewRequestWithContext(ctx, c.method, strings.TrimSuffix(endpoint, "/")+c.path, bytes.NewReader(c.body))
	if err != nil {
		return nil, &usageError{msg: "--endpoint: " + err.Error(), hint: "give the URL the server prints at start"}
	}
	if c.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(c.body)
	hash := hex.EncodeToString(sum[:])
	if c.service == "s3" {
		req.Header.Set("x-amz-content-sha256", hash)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, c.service, cfg.Region, time.Now()); err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calling %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return data, nil
	}
	if code, msg := wireError(data); code != "" {
		return nil, fmt.Errorf("%s: %s", code, msg)
	}
	return nil, fmt.Errorf("the server answered %s", resp.Status)
}

// wireError reads an error answer's code and message: S3's XML <Error> or JSON 1.1's
// __type and message. "" when the body is neither.
func wireError(data []byte) (code, msg string) {
	var x struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(data, &x) == nil && x.Code != "" {
		return x.Code, x.Message
	}
	var j struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &j) == nil && j.Type != "" {
		return j.Type, j.Message
	}
	return "", ""
}
