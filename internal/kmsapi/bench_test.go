package kmsapi

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServe measures one GenerateDataKey or Decrypt through the protocol layer and
// the kms Service (no network, no SigV4): the part of a request's cost that is ours.
func BenchmarkServe(b *testing.B) {
	a := newAPI(b)
	_, _, out := call(b, a, "TrentService.CreateKey", `{}`)
	id := out["KeyMetadata"].(map[string]any)["KeyId"].(string)
	gdk := []byte(`{"KeyId":"` + id + `","KeySpec":"AES_256","EncryptionContext":{"aws:s3:arn":"arn:aws:s3:::arca-bench/object"}}`)
	_, _, out = call(b, a, "TrentService.GenerateDataKey", string(gdk))
	blob, _ := base64.StdEncoding.DecodeString(out["CiphertextBlob"].(string))
	dec := []byte(`{"CiphertextBlob":"` + base64.StdEncoding.EncodeToString(blob) + `","EncryptionContext":{"aws:s3:arn":"arn:aws:s3:::arca-bench/object"}}`)
	for _, bc := range []struct {
		name string
		body []byte
	}{{"GenerateDataKey", gdk}, {"Decrypt", dec}} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("X-Amz-Target", "TrentService."+bc.name)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				a.Serve(w, r, &Caller{Principal: principal, Body: bytes.NewReader(bc.body), ContentLength: int64(len(bc.body))})
				if w.status != 200 {
					b.Fatal(w.status)
				}
			}
		})
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
