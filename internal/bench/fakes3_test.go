package bench

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// fakeS3 is a tiny path-style S3 stand-in for exercising the bench client:
// bucket HEAD/PUT and object PUT/GET/HEAD/DELETE kept in memory. It checks
// what the client sends (SSE and SSE-C headers, payload signing) and counts
// requests; it is not a model of Arca's server.
type fakeS3 struct {
	mu      sync.Mutex
	buckets map[string]bool
	objects map[string]fakeObject // "bucket/key"

	puts, gets, deletes int
	badPuts             []string // why a PUT looked wrong, if one did
	putHeaders          []http.Header
}

type fakeObject struct {
	data    []byte
	sseCMD5 string // SSE-C key MD5 the object was written with
}

func newFakeS3() *fakeS3 {
	return &fakeS3{buckets: map[string]bool{}, objects: map[string]fakeObject{}}
}

func (f *fakeS3) objectCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.objects)
}

func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, code)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		s3Error(w, http.StatusForbidden, "AccessDenied")
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	if key == "" {
		switch r.Method {
		case http.MethodHead:
			if !f.buckets[bucket] {
				w.WriteHeader(http.StatusNotFound)
			}
		case http.MethodPut:
			if r.URL.Query().Has("encryption") && f.buckets[bucket] {
				return // PutBucketEncryption (allowing SSE-C on a new bucket)
			}
			if f.buckets[bucket] {
				s3Error(w, http.StatusConflict, "BucketAlreadyOwnedByYou")
				return
			}
			f.buckets[bucket] = true
			w.Header().Set("Location", "/"+bucket)
		default:
			s3Error(w, http.StatusNotImplemented, "NotImplemented")
		}
		return
	}
	if !f.buckets[bucket] {
		s3Error(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	id := bucket + "/" + key
	switch r.Method {
	case http.MethodPut:
		f.mu.Unlock()
		data, err := io.ReadAll(r.Body)
		f.mu.Lock()
		if err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody")
			return
		}
		if r.Context().Err() != nil {
			// The client gave up (a cancelled run): store nothing. Otherwise this handler
			// could store the object after the run's cleanup deleted its key, and
			// TestRunCancelled would see a leftover that depends on scheduling alone.
			return
		}
		if int64(len(data)) != r.ContentLength {
			f.badPuts = append(f.badPuts, fmt.Sprintf("%s: %d bytes, Content-Length %d", key, len(data), r.ContentLength))
		}
		f.puts++
		f.putHeaders = append(f.putHeaders, r.Header.Clone())
		f.objects[id] = fakeObject{data: data, sseCMD5: r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5")}
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
	case http.MethodGet, http.MethodHead:
		obj, ok := f.objects[id]
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		if obj.sseCMD5 != r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5") ||
			(obj.sseCMD5 != "" && r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key") == "") {
			s3Error(w, http.StatusBadRequest, "InvalidRequest")
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(obj.data)))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		if r.Method == http.MethodGet {
			f.gets++
			data := obj.data
			f.mu.Unlock()
			_, _ = w.Write(data)
			f.mu.Lock()
		}
	case http.MethodDelete:
		f.deletes++
		delete(f.objects, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

// newTestTransport applies tuneTransport to a blank transport.
func newTestTransport(o *Options) *http.Transport {
	tr := &http.Transport{}
	tuneTransport(o)(tr)
	return tr
}
