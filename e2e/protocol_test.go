package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A request naming a sub-resource is served by that sub-resource's operation for its
// method or refused: NotImplemented for a sub-resource Arca does not serve, 405
// MethodNotAllowed (with Allow) for one served with other methods. It never falls through
// to a plain operation: before, DELETE ?versioning deleted the bucket, PUT ?renameObject
// and PUT ?uploads overwrote the object and DELETE ?retention deleted it.
func TestProtocolSubresourceRouting(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	ctx := context.Background()
	mustCreateBucket(t, c, "keep")
	mustCreateBucket(t, c, "empty")
	orig := []byte("original bytes")
	mustPut(t, c, "keep", "k", orig)

	cases := []struct {
		method, path, query string
		status              int
		code, allow         string
	}{
		{"DELETE", "/empty", "versioning", 405, "MethodNotAllowed", "GET, PUT"},
		{"DELETE", "/empty", "object-lock", 405, "MethodNotAllowed", "PUT, GET"},
		{"PUT", "/empty", "location", 405, "MethodNotAllowed", "GET"},
		{"POST", "/empty", "uploads", 405, "MethodNotAllowed", "GET"},
		{"PUT", "/empty", "lifecycle", 501, "NotImplemented", ""},
		{"PUT", "/empty", "metadataTable", 501, "NotImplemented", ""},
		{"DELETE", "/empty", "website", 501, "NotImplemented", ""},
		{"GET", "/empty", "session", 501, "NotImplemented", ""},
		{"PUT", "/keep/k", "renameObject", 501, "NotImplemented", ""},
		{"PUT", "/keep/k", "uploads", 405, "MethodNotAllowed", "POST"},
		{"DELETE", "/keep/k", "retention", 405, "MethodNotAllowed", "PUT, GET"},
		{"DELETE", "/keep/k", "legal-hold", 405, "MethodNotAllowed", "PUT, GET"},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path+"?"+tc.query, func(t *testing.T) {
			var body []byte
			if tc.method == "PUT" {
				body = []byte("<x>not what it looks like</x>")
			}
			resp := do(t, ep, rawReq{Method: tc.method, Path: tc.path, Query: tc.query, Body: body})
			e := wantXMLError(t, resp, tc.status, tc.code)
			if tc.allow != "" {
				if got := resp.Header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
				if e.Method != tc.method {
					t.Errorf("Method %q, want %q", e.Method, tc.method)
				}
			}
		})
	}

	// Nothing was created, deleted or overwritten.
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("empty")}); err != nil {
		t.Errorf("bucket empty is gone: %v", err)
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("k")})
	if !bytes.Equal(got, orig) {
		t.Errorf("keep/k now holds %q", got)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("empty")})
	if err != nil || len(out.Contents) != 0 {
		t.Errorf("bucket empty lists %v, %v", out, err)
	}
	// The served forms still work.
	if _, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("empty")}); err != nil {
		t.Errorf("GetBucketVersioning: %v", err)
	}
}

// rawExchange sends req's request line and headers (plus extra header lines, verbatim) on
// a new TCP connection, without the body, and returns the connection and its reader.
func rawExchange(t *testing.T, req *http.Request, extra ...string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), req.URL.Host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	for _, l := range extra {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

func readRawResponse(t *testing.T, br *bufio.Reader, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

// Expect: 100-continue as S3 handles it: the server answers 100 Continue only once the
// request is authenticated and authorized; a request refused (bad signature, or a policy
// that denies) gets its final status at once, without the body being asked for or read.
func TestProtocolExpectContinue(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	mustCreateBucket(t, c, "cont")
	root := iamClient(ep, testAccessKey, testSecretKey)
	nobody := authzUser(t, root, "nobody")
	body := []byte("the body a refused client never has to send")

	put := func(key string, rr rawReq) *http.Request {
		rr.Method, rr.Path, rr.Body = "PUT", "/cont/"+key, body
		rr.Header = http.Header{"Expect": {"100-continue"}, "Content-Length": {fmt.Sprint(len(body))}}
		return newRawRequest(t, ep, rr)
	}
	for _, tc := range []struct {
		name string
		rr   rawReq
		code string
	}{
		{"bad signature", rawReq{SecretKey: "not-the-secret-key-not-the-secret-key-00"}, "SignatureDoesNotMatch"},
		{"policy denies", rawReq{AccessKey: nobody.AK, SecretKey: nobody.SK}, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := put("refused", tc.rr)
			_, br := rawExchange(t, req)
			resp, got := readRawResponse(t, br, req)
			if resp.StatusCode != 403 || !strings.Contains(string(got), "<Code>"+tc.code+"</Code>") {
				t.Fatalf("first response %d (want the final 403 %s, no 100 Continue):\n%s", resp.StatusCode, tc.code, got)
			}
		})
	}
	wantNoObject(t, c, "cont", "refused")

	// Accepted: 100 Continue first, then the body is read and stored.
	req := put("accepted", rawReq{})
	conn, br := rawExchange(t, req)
	resp, _ := readRawResponse(t, br, req)
	if resp.StatusCode != 100 {
		t.Fatalf("first response %d, want 100 Continue", resp.StatusCode)
	}
	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	resp, got := readRawResponse(t, br, req)
	if resp.StatusCode != 200 {
		t.Fatalf("after the body: %d\n%s", resp.StatusCode, got)
	}
	stored, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("cont"), Key: aws.String("accepted")})
	if !bytes.Equal(stored, body) {
		t.Fatalf("stored %q", stored)
	}
}

// A PUT with an empty Content-Length header is refused with a bare 400 Bad Request before
// anything is read or stored, as S3 answers it (no S3 error code: the HTTP layer refuses
// it; ceph's s3-tests, written against S3, expect exactly that).
func TestProtocolEmptyContentLength(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	mustCreateBucket(t, c, "empty-cl")
	req := newRawRequest(t, ep, rawReq{Method: "PUT", Path: "/empty-cl/k", Body: []byte("bar")})
	_, br := rawExchange(t, req, "Content-Length: ")
	resp, got := readRawResponse(t, br, req)
	if resp.StatusCode != 400 {
		t.Fatalf("status %d, want 400:\n%s", resp.StatusCode, got)
	}
	wantNoObject(t, c, "empty-cl", "k")
}

// A PUT with no Content-Length header at all (and no Transfer-Encoding) is refused with
// 411 MissingContentLength, as S3 does, instead of storing an empty object.
func TestProtocolMissingContentLength(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	mustCreateBucket(t, c, "no-cl")
	req := newRawRequest(t, ep, rawReq{Method: "PUT", Path: "/no-cl/k"})
	_, br := rawExchange(t, req)
	resp, got := readRawResponse(t, br, req)
	if resp.StatusCode != 411 || !strings.Contains(string(got), "<Code>MissingContentLength</Code>") {
		t.Fatalf("status %d, want 411 MissingContentLength:\n%s", resp.StatusCode, got)
	}
	wantNoObject(t, c, "no-cl", "k")
}

// SigV4 takes the request time from x-amz-date when both it and Date are sent: a stale
// Date beside a current x-amz-date authenticates, a stale x-amz-date beside a current Date
// does not.
func TestProtocolAmzDateOverDate(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	mustCreateBucket(t, c, "dates")
	stale := time.Now().Add(-2 * time.Hour)
	resp := do(t, ep, rawReq{Method: "GET", Path: "/dates", Header: http.Header{"Date": {stale.UTC().Format(http.TimeFormat)}}})
	if resp.Status != 200 {
		t.Fatalf("stale Date, current x-amz-date: %d\n%s", resp.Status, resp.Body)
	}
	resp = do(t, ep, rawReq{Method: "GET", Path: "/dates", SignTime: stale, Header: http.Header{"Date": {time.Now().UTC().Format(http.TimeFormat)}}})
	wantXMLError(t, resp, 403, "RequestTimeTooSkewed")
}

// Content-Encoding: the aws-chunked coding describes the request's framing and is not
// stored; the codings beside it are (aws-chunked,gzip keeps gzip; aws-chunked alone
// leaves none).
func TestProtocolAWSChunkedContentEncoding(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	mustCreateBucket(t, c, "enc")
	ctx := context.Background()
	for _, tc := range []struct{ key, sent, want string }{
		{"gz1", "aws-chunked,gzip", "gzip"},
		{"gz2", "gzip,aws-chunked", "gzip"},
		{"gz3", "aws-chunked, gzip, br", "gzip,br"},
		{"none", "aws-chunked", ""},
	} {
		body := []byte("payload of " + tc.key)
		resp := do(t, ep, rawReq{Method: "PUT", Path: "/enc/" + tc.key, Body: awsChunked(body),
			PayloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			Header: http.Header{"Content-Encoding": {tc.sent}, "X-Amz-Decoded-Content-Length": {fmt.Sprint(len(body))},
				"X-Amz-Trailer": {"x-amz-checksum-crc32"}}})
		if resp.Status != 200 {
			t.Fatalf("PUT %s: %d\n%s", tc.sent, resp.Status, resp.Body)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("enc"), Key: aws.String(tc.key)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(h.ContentEncoding); got != tc.want {
			t.Errorf("Content-Encoding %q stored as %q, want %q", tc.sent, got, tc.want)
		}
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String(tc.key)})
		if !bytes.Equal(got, body) {
			t.Errorf("%s: stored %q", tc.key, got)
		}
	}
}

// awsChunked frames body as one unsigned aws-chunked chunk with a CRC32 trailer.
func awsChunked(body []byte) []byte {
	sum := crc32.ChecksumIEEE(body)
	crc := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	return []byte(fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(body), body, crc))
}

// User metadata sent RFC 2047-encoded is stored and returned as sent, by HEAD, GET and the
// copy of a CopyObject, as S3 does (it does not decode it).
func TestProtocolRFC2047Metadata(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	ctx := context.Background()
	mustCreateBucket(t, c, "meta")
	words := map[string]string{
		"x-amz-meta-b": "=?UTF-8?B?w6l0w6k=?=",
		"x-amz-meta-q": "=?utf-8?q?caf=C3=A9?=",
		"x-amz-meta-m": "plain =?UTF-8?B?w6k=?= and more",
	}
	h := http.Header{}
	for k, v := range words {
		h.Set(k, v)
	}
	resp := do(t, ep, rawReq{Method: "PUT", Path: "/meta/k", Body: []byte("x"), Header: h})
	if resp.Status != 200 {
		t.Fatalf("PUT: %d\n%s", resp.Status, resp.Body)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("meta"), Key: aws.String("copy"), CopySource: aws.String("meta/k")}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k", "copy"} {
		for _, method := range []string{"HEAD", "GET"} {
			resp := do(t, ep, rawReq{Method: method, Path: "/meta/" + key})
			for k, v := range words {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s %s: %s = %q, want %q as sent", method, key, k, got, v)
				}
			}
		}
	}
}

// Listing keys that are not XML-safe: with encoding-type=url every key, prefix,
// delimiter, marker and common prefix is URL-encoded and decodes to the key; without it,
// the XML stays well-formed. max-keys=0 lists nothing and is not truncated; an empty
// continuation token is refused as S3 refuses it.
func TestProtocolListEncoding(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	mustCreateBucket(t, c, "lst")
	keys := []string{"a\x01b/c", "a\x01b/d", "ctl\x7f", "lt<&>\"'/gt", "cr\r\nlf", "sp ace+plus/x", "tab\tx", "uni/é", "\x02start"}
	for _, k := range keys {
		resp := do(t, ep, rawReq{Method: "PUT", Path: "/lst/" + s3Escape(k), Body: []byte("x")})
		if resp.Status != 200 {
			t.Fatalf("PUT %q: %d\n%s", k, resp.Status, resp.Body)
		}
	}
	type listed struct {
		Prefix, Delimiter, Marker, NextMarker, StartAfter, EncodingType string
		IsTruncated                                                     bool
		Contents                                                        []struct{ Key string }
		CommonPrefixes                                                  []struct{ Prefix string }
	}
	list := func(query string) (listed, []byte) {
		t.Helper()
		resp := do(t, ep, rawReq{Method: "GET", Path: "/lst", Query: query})
		if resp.Status != 200 {
			t.Fatalf("list %s: %d\n%s", query, resp.Status, resp.Body)
		}
		var l listed
		if err := xml.Unmarshal(resp.Body, &l); err != nil {
			t.Fatalf("list %s: the XML is not well-formed: %v\n%q", query, err, resp.Body)
		}
		return l, resp.Body
	}
	unesc := func(s string) string {
		t.Helper()
		u, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatalf("%q is not URL-encoded: %v", s, err)
		}
		return u
	}

	// V2, every key, encoded.
	l, _ := list("list-type=2&encoding-type=url")
	var got []string
	for _, e := range l.Contents {
		got = append(got, unesc(e.Key))
	}
	if l.EncodingType != "url" || strings.Join(got, "|") != strings.Join(sortedCopy(keys), "|") {
		t.Fatalf("keys %q, want %q", got, sortedCopy(keys))
	}
	// V2 with a prefix, a delimiter and start-after that need encoding.
	l, body := list("list-type=2&encoding-type=url&prefix=" + queryEscape("a\x01") + "&delimiter=" + queryEscape("\x01") + "&start-after=" + queryEscape("\x01"))
	if unesc(l.Prefix) != "a\x01" || unesc(l.Delimiter) != "\x01" || unesc(l.StartAfter) != "\x01" ||
		len(l.CommonPrefixes) != 0 || len(l.Contents) != 2 || bytes.ContainsAny(body, "\x01") {
		t.Fatalf("prefix/delimiter/start-after: %+v\n%q", l, body)
	}
	l, _ = list("list-type=2&encoding-type=url&delimiter=" + queryEscape("/"))
	var prefixes []string
	for _, p := range l.CommonPrefixes {
		prefixes = append(prefixes, unesc(p.Prefix))
	}
	if strings.Join(prefixes, "|") != "a\x01b/|lt<&>\"'/|sp ace+plus/|uni/" {
		t.Fatalf("common prefixes %q", prefixes)
	}
	// V1: Marker and NextMarker encoded too.
	l, body = list("encoding-type=url&delimiter=" + queryEscape("/") + "&max-keys=1&marker=" + queryEscape("\x02"))
	if unesc(l.Marker) != "\x02" || !l.IsTruncated || unesc(l.NextMarker) != "\x02start" || bytes.ContainsAny(body, "\x01\x02\r") {
		t.Fatalf("V1 markers: %+v\n%q", l, body)
	}
	// Without encoding-type the XML is still well-formed (list fails the test otherwise).
	list("list-type=2")
	list("delimiter=" + queryEscape("/"))

	// max-keys=0: nothing, not truncated.
	for _, q := range []string{"list-type=2&max-keys=0", "max-keys=0"} {
		l, _ := list(q)
		if len(l.Contents) != 0 || len(l.CommonPrefixes) != 0 || l.IsTruncated {
			t.Errorf("%s: %+v", q, l)
		}
	}
	// An empty continuation token.
	resp := do(t, ep, rawReq{Method: "GET", Path: "/lst", Query: "list-type=2&continuation-token="})
	if e := wantXMLError(t, resp, 400, "InvalidArgument"); e.Message != "The continuation token provided is incorrect" {
		t.Errorf("message %q", e.Message)
	}
}
