package batch

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// memExecutor is an in-memory object store standing in for s3api's Executor in the
// engine's unit tests (the e2e tests drive the real one): Do applies the job's operation
// to an object and records the task's marker with the effect, atomically, as the object
// engine does.
type memExecutor struct {
	mu      sync.Mutex
	objects map[string][]byte            // "bucket/key" → body
	marker  map[string]string            // "bucket/key" → marker of the last task that wrote it
	etags   map[string]string            // "bucket/key" → ETag override
	infos   map[string]ObjectInfo        // "bucket/key" → listing info (Walk)
	calls   map[string]int               // marker → Do calls
	order   []string                     // job ids, in Do call order
	fail    func(t Task) *TaskResult     // when non-nil and returning non-nil, the task fails
	hook    func(j *Job, t Task)         // called before each Do
	puts    map[string]map[string]string // "bucket/key" → put metadata (content type)
}

func newMemExecutor() *memExecutor {
	return &memExecutor{objects: map[string][]byte{}, marker: map[string]string{}, etags: map[string]string{},
		infos: map[string]ObjectInfo{}, calls: map[string]int{}, puts: map[string]map[string]string{}}
}

func (m *memExecutor) put(bucket, key string, body []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[bucket+"/"+key] = body
}

func (m *memExecutor) get(bucket, key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[bucket+"/"+key]
	return b, ok
}

func (m *memExecutor) Do(ctx context.Context, j *Job, t Task) TaskResult {
	if m.hook != nil {
		m.hook(j, t)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mk := Marker(j, t)
	m.calls[mk]++
	m.order = append(m.order, j.ID)
	if m.fail != nil {
		if r := m.fail(t); r != nil {
			return *r
		}
	}
	k := t.Bucket + "/" + t.Key
	if _, ok := m.objects[k]; !ok {
		return TaskResult{ErrorCode: "NoSuchKey", HTTPStatus: 404, Message: "The specified key does not exist."}
	}
	m.marker[k] = mk
	return TaskResult{Succeeded: true, HTTPStatus: 200}
}

func (m *memExecutor) Applied(ctx context.Context, j *Job, t Task) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.marker[t.Bucket+"/"+t.Key] == Marker(j, t), nil
}

type etagReader struct {
	io.Reader
	etag string
}

func (e etagReader) Close() error { return nil }
func (e etagReader) ETag() string { return e.etag }

func (m *memExecutor) GetObject(ctx context.Context, j *Job, bucket, key, versionID string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("NoSuchKey: %s/%s", bucket, key)
	}
	etag, ok := m.etags[bucket+"/"+key]
	if !ok {
		sum := md5.Sum(b)
		etag = `"` + hex.EncodeToString(sum[:]) + `"`
	}
	return etagReader{bytes.NewReader(b), etag}, nil
}

func (m *memExecutor) PutObject(ctx context.Context, j *Job, bucket, key string, body []byte, contentType string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[bucket+"/"+key] = append([]byte(nil), body...)
	m.puts[bucket+"/"+key] = map[string]string{"Content-Type": contentType}
	return nil
}

func (m *memExecutor) Walk(ctx context.Context, j *Job, bucket string, fn func(ObjectInfo) error) error {
	m.mu.Lock()
	var infos []ObjectInfo
	for k, o := range m.infos {
		if strings.HasPrefix(k, bucket+"/") {
			infos = append(infos, o)
		}
	}
	m.mu.Unlock()
	sort.Slice(infos, func(a, b int) bool { return infos[a].Key < infos[b].Key })
	for _, o := range infos {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// doCalls returns how many times each task of job id ran, by task index.
func (m *memExecutor) doCalls(id string) map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for mk, n := range m.calls {
		if strings.HasPrefix(mk, id+"/") {
			out[mk] = n
		}
	}
	return out
}

// startService runs s with x until the test ends; the returned stop ends it and waits.
func startService(t *testing.T, s *Service, x Executor) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Start(ctx, x)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitStatus polls job id until its status is one of want (a bound only against hangs).
func waitStatus(t *testing.T, s *Service, id string, want ...Status) *Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err := s.Describe(context.Background(), testAccount, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if j.Status == w {
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s stuck in %s (want %v): %+v", id, j.Status, want, j.Progress)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// csvManifest stores a CSV manifest of n objects "obj-<i>" in bucket src (and the
// objects) and returns a job over it.
func csvManifestJob(m *memExecutor, token string, n int) *Job {
	var b strings.Builder
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("dir/obj %d", i)
		m.put("src", key, []byte("x"))
		fmt.Fprintf(&b, "src,%s\n", strings.ReplaceAll(key, " ", "+"))
	}
	body := []byte(b.String())
	m.put("manifests", "m.csv", body)
	sum := md5.Sum(body)
	j := csvJob(token)
	j.Manifest.Location.ETag = hex.EncodeToString(sum[:])
	return j
}
