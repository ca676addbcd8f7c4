package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

func postTestRequest(body []byte, contentType string) *request {
	r := httptest.NewRequest(http.MethodPost, "http://h/b", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	return &request{ctx: r.Context(), r: r, caller: &Caller{Anonymous: true, Body: r.Body, ContentLength: r.ContentLength}}
}

func formBody(fields [][2]string, file []byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if file != nil {
		w, _ := mw.CreateFormFile("file", "f.txt")
		w.Write(file)
	}
	mw.WriteField("after", "ignored")
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func TestReadPostForm(t *testing.T) {
	body, ct := formBody([][2]string{{"Key", "a/${filename}"}, {"KEY", "second"}, {"X-Amz-Meta-A", "1"}}, []byte("content"))
	f, err := readPostForm(postTestRequest(body, ct))
	if err != nil {
		t.Fatal(err)
	}
	if f.get("key") != "a/${filename}" || f.get("x-amz-meta-a") != "1" || f.filename != "f.txt" || f.has("after") {
		t.Fatalf("form %+v", f)
	}
	data, _ := io.ReadAll(f.file)
	if string(data) != "content" {
		t.Fatalf("file %q", data)
	}

	for _, tc := range []struct {
		name string
		q    *request
		want *apierr.Error
	}{
		{"not a form", postTestRequest([]byte("x"), "text/plain"), apierr.PostNotMultipart},
		{"no boundary", postTestRequest([]byte("x"), "multipart/form-data"), apierr.PostNotMultipart},
		{"no file", func() *request { b, c := formBody([][2]string{{"key", "k"}}, nil); return postTestRequest(b, c) }(), apierr.PostNoFile},
		{"truncated", postTestRequest([]byte("--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk"), "multipart/form-data; boundary=B"), apierr.MalformedPOSTRequest},
		{"pre-data too large", func() *request {
			b, c := formBody([][2]string{{"x-ignore-a", strings.Repeat("a", 15<<10)}, {"x-ignore-b", strings.Repeat("b", 6<<10)}}, []byte("x"))
			return postTestRequest(b, c)
		}(), apierr.MaxPostPreDataLengthExceeded},
		{"huge part headers", func() *request {
			b := "--B\r\nContent-Disposition: form-data; name=\"k\"\r\nX-Pad: " + strings.Repeat("p", 200<<10) + "\r\n\r\nv\r\n--B--\r\n"
			return postTestRequest([]byte(b), "multipart/form-data; boundary=B")
		}(), apierr.MaxPostPreDataLengthExceeded},
	} {
		if _, err := readPostForm(tc.q); err != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestPostBody(t *testing.T) {
	read := func(data string, lo, hi int64) (int64, error) {
		b := &postBody{r: strings.NewReader(data), lo: lo, hi: hi}
		n, err := io.Copy(io.Discard, b)
		return n, err
	}
	if n, err := read("12345", 5, 5); err != nil || n != 5 {
		t.Fatalf("in range: %d %v", n, err)
	}
	if _, err := read("123456", 0, 5); apierr.S3(err).Code != "EntityTooLarge" {
		t.Fatalf("over: %v", err)
	}
	if _, err := read("1234", 5, 10); apierr.S3(err).Code != "EntityTooSmall" {
		t.Fatalf("under: %v", err)
	}
	b := &postBody{r: io.MultiReader(strings.NewReader("ab"), iotestErr{io.ErrUnexpectedEOF}), hi: 10}
	if _, err := io.Copy(io.Discard, b); !errors.Is(err, object.ErrIncompleteBody) {
		t.Fatalf("cut short: %v", err)
	}
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func TestPostResponse(t *testing.T) {
	q := postTestRequest(nil, "")
	q.bucket, q.key = "b", "dir/a b.txt"
	o := &meta.Object{ETag: "abc", Enc: &meta.Encryption{}}
	form := func(kv ...string) *postForm {
		f := &postForm{fields: map[string]string{}}
		for i := 0; i < len(kv); i += 2 {
			f.fields[kv[i]] = kv[i+1]
		}
		return f
	}
	if r := postResponse(q, form(), o); r.status != 204 || r.header.Get("Location") != "http://h/b/dir/a%20b.txt" || r.header.Get("ETag") != `"abc"` {
		t.Errorf("default: %d %v", r.status, r.header)
	}
	if r := postResponse(q, form("success_action_status", "404"), o); r.status != 204 {
		t.Errorf("invalid status: %d", r.status)
	}
	if r := postResponse(q, form("success_action_status", "200"), o); r.status != 200 || r.xml != nil {
		t.Errorf("200: %d", r.status)
	}
	r := postResponse(q, form("success_action_status", "201"), o)
	if x, ok := r.xml.(postResponseXML); r.status != 201 || !ok || x.Key != q.key {
		t.Errorf("201: %d %+v", r.status, r.xml)
	}
	if b, _ := xml.Marshal(r.xml); !strings.Contains(string(b), `<Key>dir/a b.txt</Key><ETag>"abc"</ETag></PostResponse>`) {
		t.Errorf("PostResponse %s", b)
	}
	r = postResponse(q, form("redirect", "https://e.example/x?y=1", "success_action_status", "201"), o)
	if r.status != 303 || r.header.Get("Location") != "https://e.example/x?bucket=b&etag=%22abc%22&key=dir%2Fa+b.txt&y=1" {
		t.Errorf("redirect: %d %q", r.status, r.header.Get("Location"))
	}
	if r := postResponse(q, form("success_action_redirect", "not a url"), o); r.status != 204 {
		t.Errorf("bad redirect: %d", r.status)
	}
}

// FuzzReadPostForm: any body is read into a form or refused with an S3 error, never a panic;
// the file of a form that was read streams to its end or to a typed error.
func FuzzReadPostForm(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nabc\r\n--B--\r\n"))
	f.Add([]byte("--B--\r\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := readPostForm(postTestRequest(data, "multipart/form-data; boundary=B"))
		if err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		_, err = io.Copy(io.Discard, &postBody{r: form.file, hi: 1 << 20})
		if err != nil && apierr.S3(err).Code == "InternalError" && !strings.Contains(err.Error(), "multipart") {
			t.Fatalf("file read: %v", err)
		}
	})
}
