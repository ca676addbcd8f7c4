package e2e

// Crash consistency: concurrent writers overwrite known keys while the server is killed
// with SIGKILL at a random moment; after a restart on the same data every key must read
// as exactly one whole known version, every acknowledged write must be visible, listings
// must agree with the objects, and no unreferenced blob may survive the start-up sweep.
//
// The random choices (kill times, keys, sizes) come from one seed, logged at the start;
// ARCA_CRASH_SEED=<n> replays the same choices (the interleaving still varies).

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	bolt "go.etcd.io/bbolt"
)

const (
	crashBucket     = "crash"
	crashKeyCount   = 12
	crashCycles     = 3
	crashPartSize   = 5 << 20
	crashSmallMax   = 64 << 10 // blobs of at most this many bytes live inside meta.db
	crashPutWriters = 4
	crashMPUWriters = 2
	crashPrepared   = 4 // uploads prepared before each cycle whose Complete races the kill
)

type crashKind int

const (
	crashSmall  crashKind = iota // 4 KiB, stored in meta.db
	crashMedium                  // 200 KiB, one blob file
	crashLarge                   // 3 MiB, one blob file
	crashMPU                     // 2×5 MiB multipart, two blob files
)

func (k crashKind) String() string {
	return [...]string{"small", "medium", "large", "multipart"}[k]
}

func (k crashKind) size() int {
	switch k {
	case crashSmall:
		return 4 << 10
	case crashMedium:
		return 200 << 10
	case crashLarge:
		return 3 << 20
	}
	return 2 * crashPartSize
}

// crashVersion is one known content of a key. Bodies are never kept: crashBody
// regenerates them from (key, ver, size).
type crashVersion struct {
	key  string
	ver  int
	kind crashKind
	size int
	md5  string // hex MD5 of the whole body
	etag string // the ETag S3 gives it, unquoted
}

// fileBlobs is how many blob files the version occupies once stored.
func (v *crashVersion) fileBlobs() int {
	if v.kind == crashMPU {
		return v.size / crashPartSize // every part is > crashSmallMax
	}
	if v.size > crashSmallMax {
		return 1
	}
	return 0
}

func (v *crashVersion) String() string {
	return fmt.Sprintf("v%d(%s,%d)", v.ver, v.kind, v.size)
}

const crashHeaderFmt = "arca-crash key=%s ver=%d len=%d\n"

// crashBody is the self-identifying body of a version: a header line naming key, version
// and length, then pseudo-random bytes seeded by that header.
func crashBody(key string, ver, size int) []byte {
	hdr := fmt.Sprintf(crashHeaderFmt, key, ver, size)
	b := make([]byte, size)
	n := copy(b, hdr)
	rand.NewChaCha8(sha256.Sum256([]byte(hdr))).Read(b[n:])
	return b
}

// crashParseHeader reads the version header at the start of a body.
func crashParseHeader(b []byte) (key string, ver, size int, ok bool) {
	line, _, found := bytes.Cut(b[:min(len(b), 256)], []byte("\n"))
	if !found {
		return "", 0, 0, false
	}
	if _, err := fmt.Sscanf(string(line)+"\n", crashHeaderFmt, &key, &ver, &size); err != nil {
		return "", 0, 0, false
	}
	return key, ver, size, true
}

// crashRegistry holds every version ever written, by version number.
type crashRegistry struct {
	mu   sync.Mutex
	next int
	all  map[int]*crashVersion
}

func (r *crashRegistry) newVersion(key string, kind crashKind) (*crashVersion, []byte) {
	r.mu.Lock()
	r.next++
	ver := r.next
	r.mu.Unlock()
	size := kind.size()
	body := crashBody(key, ver, size)
	sum := md5.Sum(body)
	v := &crashVersion{key: key, ver: ver, kind: kind, size: size, md5: hex.EncodeToString(sum[:])}
	if kind == crashMPU {
		h := md5.New()
		for off := 0; off < size; off += crashPartSize {
			p := md5.Sum(body[off:min(off+crashPartSize, size)])
			h.Write(p[:])
		}
		v.etag = hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa((size+crashPartSize-1)/crashPartSize)
	} else {
		v.etag = v.md5
	}
	r.mu.Lock()
	r.all[ver] = v
	r.mu.Unlock()
	return v, body
}

func (r *crashRegistry) get(ver int) *crashVersion {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all[ver]
}

// crashWrite is one attempt to make a version current: a PutObject, or the
// CompleteMultipartUpload of an upload whose parts are all in.
type crashWrite struct {
	v    *crashVersion
	op   string
	sent time.Time
	// Outcome, set once the call returns.
	done      bool
	acked     bool // 200 received before the kill
	ackAt     time.Time
	refused   bool // the server answered with an error status before the kill
	errText   string
	afterKill bool
}

// crashCycle is one write phase ended by a SIGKILL.
type crashCycle struct {
	t       *testing.T
	n       int
	reg     *crashRegistry
	client  *s3.Client
	start   time.Time
	killing atomic.Bool
	mu      sync.Mutex
	writes  []*crashWrite
}

func (cy *crashCycle) begin(v *crashVersion, op string) *crashWrite {
	w := &crashWrite{v: v, op: op, sent: time.Now()}
	cy.mu.Lock()
	cy.writes = append(cy.writes, w)
	cy.mu.Unlock()
	return w
}

// finish records the outcome of w. An error before the kill is a server failure.
func (cy *crashCycle) finish(w *crashWrite, gotETag *string, err error) {
	now := time.Now()
	killing := cy.killing.Load()
	cy.mu.Lock()
	defer cy.mu.Unlock()
	w.done = true
	if err == nil {
		w.acked, w.ackAt = true, now
		if killing {
			// A 200 can only come from a live server, so the commit happened; but it
			// was read after the kill began, so do not use it to exclude other writes.
			w.afterKill = true
		}
		if got := strings.Trim(aws.ToString(gotETag), `"`); got != w.v.etag {
			cy.t.Errorf("cycle %d: %s %s %s acknowledged with ETag %q, want %q", cy.n, w.op, w.v.key, w.v, got, w.v.etag)
		}
		return
	}
	w.errText = err.Error()
	if killing {
		w.afterKill = true
		return
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 300 {
		w.refused = true
	}
	cy.t.Errorf("cycle %d: %s %s %s failed before the kill: %v", cy.n, w.op, w.v.key, w.v, err)
}

// fail reports an error of a preparatory call (CreateMultipartUpload, UploadPart) unless
// the kill explains it.
func (cy *crashCycle) fail(what string, err error) {
	if !cy.killing.Load() {
		cy.t.Errorf("cycle %d: %s failed before the kill: %v", cy.n, what, err)
	}
}

func (cy *crashCycle) put(ctx context.Context, key string, kind crashKind) *crashVersion {
	v, body := cy.reg.newVersion(key, kind)
	w := cy.begin(v, "PutObject")
	out, err := cy.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	var etag *string
	if err == nil {
		etag = out.ETag
	}
	cy.finish(w, etag, err)
	return v
}

// preparedUpload is an upload whose parts are all uploaded; only Complete is left.
type preparedUpload struct {
	v     *crashVersion
	id    string
	parts []types.CompletedPart
}

// prepare creates an upload for a new multipart version of key and uploads its parts.
func (cy *crashCycle) prepare(ctx context.Context, key string) (*preparedUpload, bool) {
	v, body := cy.reg.newVersion(key, crashMPU)
	cu, err := cy.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(crashBucket), Key: aws.String(key)})
	if err != nil {
		cy.fail("CreateMultipartUpload "+key, err)
		return nil, false
	}
	pu := &preparedUpload{v: v, id: aws.ToString(cu.UploadId)}
	for i, off := int32(1), 0; off < len(body); i, off = i+1, off+crashPartSize {
		part := body[off:min(off+crashPartSize, len(body))]
		out, err := cy.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(crashBucket), Key: aws.String(key),
			UploadId: cu.UploadId, PartNumber: aws.Int32(i), Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(len(part)))})
		if err != nil {
			cy.fail(fmt.Sprintf("UploadPart %s #%d", key, i), err)
			return nil, false
		}
		sum := md5.Sum(part)
		if got := strings.Trim(aws.ToString(out.ETag), `"`); got != hex.EncodeToString(sum[:]) {
			cy.t.Errorf("cycle %d: UploadPart %s #%d: ETag %q, want %x", cy.n, key, i, got, sum)
		}
		pu.parts = append(pu.parts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: out.ETag})
	}
	return pu, true
}

func (cy *crashCycle) complete(ctx context.Context, pu *preparedUpload) {
	w := cy.begin(pu.v, "CompleteMultipartUpload")
	out, err := cy.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(crashBucket),
		Key: aws.String(pu.v.key), UploadId: aws.String(pu.id), MultipartUpload: &types.CompletedMultipartUpload{Parts: pu.parts}})
	var etag *string
	if err == nil {
		etag = out.ETag
	}
	cy.finish(w, etag, err)
}

func crashKeyName(i int) string { return fmt.Sprintf("obj/%02d", i) }

// allowed returns the versions key may hold after the cycle, given the version it held
// before (base). A write counts as possibly committed unless the server refused it; an
// acknowledged write A rules out base and every write acknowledged before A was sent
// (their commits precede A's).
func (cy *crashCycle) allowed(key string, base *crashVersion) map[int]bool {
	cy.mu.Lock()
	defer cy.mu.Unlock()
	var mine []*crashWrite
	for _, w := range cy.writes {
		if w.v.key == key {
			mine = append(mine, w)
		}
	}
	ok := map[int]bool{}
	anyAck := false
	for _, w := range mine {
		if w.acked {
			anyAck = true
		}
		if !w.refused {
			ok[w.v.ver] = true
		}
	}
	if !anyAck {
		ok[base.ver] = true
	}
	for _, x := range mine {
		if !x.acked {
			continue
		}
		for _, a := range mine {
			if a.acked && x.ackAt.Before(a.sent) {
				delete(ok, x.v.ver)
			}
		}
	}
	return ok
}

func (cy *crashCycle) history(key string) string {
	cy.mu.Lock()
	defer cy.mu.Unlock()
	var b strings.Builder
	for _, w := range cy.writes {
		if w.v.key != key {
			continue
		}
		state := "in flight at the kill"
		switch {
		case w.acked && w.afterKill:
			state = fmt.Sprintf("acked at +%v (read after the kill began)", w.ackAt.Sub(cy.start).Round(time.Millisecond))
		case w.acked:
			state = fmt.Sprintf("acked at +%v", w.ackAt.Sub(cy.start).Round(time.Millisecond))
		case w.refused:
			state = "refused: " + w.errText
		case w.done:
			state = "failed at the kill: " + w.errText
		}
		fmt.Fprintf(&b, "\n    %s %s sent at +%v, %s", w.op, w.v, w.sent.Sub(cy.start).Round(time.Millisecond), state)
	}
	return b.String()
}

func TestCrashDuringWrites(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ARCA_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("ARCA_CRASH_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay the random choices with ARCA_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x61726361))
	testStart := time.Now()

	srv := StartServer(t)
	dataDir := srv.DataDir
	ctx := context.Background()
	c := srv.S3(srv.HTTPURL)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(crashBucket)}); err != nil {
		t.Fatal(err)
	}

	// Seed every key with an "old" version of each kind, on a healthy server.
	reg := &crashRegistry{all: map[int]*crashVersion{}}
	base := map[string]*crashVersion{}
	seedCycle := &crashCycle{t: t, n: 0, reg: reg, client: c, start: time.Now()}
	var wg sync.WaitGroup
	var baseMu sync.Mutex
	for i := 0; i < crashKeyCount; i++ {
		key, kind := crashKeyName(i), crashKind(i%4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v *crashVersion
			if kind == crashMPU {
				pu, ok := seedCycle.prepare(ctx, key)
				if !ok {
					return
				}
				seedCycle.complete(ctx, pu)
				v = pu.v
			} else {
				v = seedCycle.put(ctx, key, kind)
			}
			baseMu.Lock()
			base[key] = v
			baseMu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("seeded %d keys in %v", crashKeyCount, time.Since(testStart).Round(time.Millisecond))

	for n := 1; n <= crashCycles; n++ {
		cycleStart := time.Now()
		killAfter := time.Duration(300+rng.IntN(1201)) * time.Millisecond
		cy := &crashCycle{t: t, n: n, reg: reg, client: srv.S3(srv.HTTPURL, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })}
		wctx, cancel := context.WithCancel(ctx)

		// Uploads whose Complete will be sent at random moments around the kill.
		var prepared []*preparedUpload
		for i := 0; i < crashPrepared; i++ {
			pu, ok := cy.prepare(wctx, crashKeyName(rng.IntN(crashKeyCount)))
			if !ok {
				t.FailNow()
			}
			prepared = append(prepared, pu)
		}

		var stop atomic.Bool
		var wg sync.WaitGroup
		cy.start = time.Now()
		for i, pu := range prepared {
			at := time.Duration(rng.IntN(int(killAfter/time.Millisecond)+200)) * time.Millisecond
			if i == 0 {
				at = killAfter - time.Duration(rng.IntN(20))*time.Millisecond // one right at the kill
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case <-time.After(time.Until(cy.start.Add(at))):
				case <-wctx.Done():
					return
				}
				cy.complete(wctx, pu)
			}()
		}
		for i := 0; i < crashPutWriters+crashMPUWriters; i++ {
			wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(i)))
			mpu := i >= crashPutWriters
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					key := crashKeyName(wrng.IntN(crashKeyCount))
					if mpu {
						if pu, ok := cy.prepare(wctx, key); ok && !stop.Load() {
							cy.complete(wctx, pu)
						}
						continue
					}
					cy.put(wctx, key, crashKind(wrng.IntN(3)))
				}
			}()
		}

		time.Sleep(killAfter)
		cy.killing.Store(true)
		srv.Kill()
		stop.Store(true)
		cancel()
		wg.Wait()

		acked, inflight := 0, 0
		for _, w := range cy.writes {
			if w.acked {
				acked++
			} else {
				inflight++
			}
		}
		t.Logf("cycle %d: killed after %v with %d writes acknowledged and %d in flight", n, killAfter, acked, inflight)

		srv = StartServerAt(t, dataDir)
		base = crashVerify(t, srv, cy, base)
		if t.Failed() {
			t.Logf("cycle %d failed; server output after restart:\n%s", n, srv.Output())
			t.FailNow()
		}
		// Small blobs live in meta.db: check them with the server stopped, then go on.
		srv.Stop()
		crashCheckSmallBlobs(t, dataDir, base)
		srv = StartServerAt(t, dataDir)
		t.Logf("cycle %d took %v", n, time.Since(cycleStart).Round(time.Millisecond))
	}

	// Delete everything: after one more restart no blob may remain.
	c = srv.S3(srv.HTTPURL)
	for i := 0; i < crashKeyCount; i++ {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKeyName(i))}); err != nil {
			t.Fatal(err)
		}
	}
	uploads := crashListUploads(t, c)
	for _, u := range uploads {
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(crashBucket), Key: u.Key, UploadId: u.UploadId}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Stop()
	srv = StartServerAt(t, dataDir)
	srv.Stop()
	files, tmp := crashCountBlobFiles(t, dataDir)
	if files != 0 || tmp != 0 {
		t.Errorf("after deleting every object and aborting %d uploads: %d blob files and %d temp files remain", len(uploads), files, tmp)
	}
	crashCheckSmallBlobs(t, dataDir, map[string]*crashVersion{})
	t.Logf("total %v", time.Since(testStart).Round(time.Millisecond))
}

// crashVerify checks the state after a restart and returns what each key now holds.
func crashVerify(t *testing.T, srv *Server, cy *crashCycle, base map[string]*crashVersion) map[string]*crashVersion {
	t.Helper()
	ctx := context.Background()
	c := srv.S3(srv.HTTPURL)
	now := map[string]*crashVersion{}
	wantFiles := 0
	for i := 0; i < crashKeyCount; i++ {
		key := crashKeyName(i)
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(key)})
		if err != nil {
			t.Errorf("cycle %d: GET %s after restart: %v (held %s before; writes this cycle:%s)", cy.n, key, err, base[key], cy.history(key))
			continue
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Errorf("cycle %d: GET %s: reading body: %v", cy.n, key, err)
			continue
		}
		hk, ver, size, ok := crashParseHeader(body)
		v := cy.reg.get(ver)
		if !ok || hk != key || v == nil || v.size != size {
			t.Errorf("cycle %d: GET %s: %d bytes that are no known version of the key (starts %q; writes this cycle:%s)",
				cy.n, key, len(body), body[:min(len(body), 80)], cy.history(key))
			continue
		}
		sum := md5.Sum(body)
		if len(body) != v.size || hex.EncodeToString(sum[:]) != v.md5 {
			want := crashBody(key, v.ver, v.size)
			diff := 0
			for diff < min(len(body), len(want)) && body[diff] == want[diff] {
				diff++
			}
			t.Errorf("cycle %d: GET %s: %s is torn: %d bytes (want %d), MD5 %x (want %s), first difference at byte %d",
				cy.n, key, v, len(body), v.size, sum, v.md5, diff)
			continue
		}
		if got := strings.Trim(aws.ToString(out.ETag), `"`); got != v.etag {
			t.Errorf("cycle %d: GET %s: %s has ETag %q, want %q", cy.n, key, v, got, v.etag)
		}
		if aws.ToInt64(out.ContentLength) != int64(v.size) {
			t.Errorf("cycle %d: GET %s: Content-Length %d, want %d", cy.n, key, aws.ToInt64(out.ContentLength), v.size)
		}
		if allowed := cy.allowed(key, base[key]); !allowed[v.ver] {
			var vs []int
			for ver := range allowed {
				vs = append(vs, ver)
			}
			sort.Ints(vs)
			t.Errorf("cycle %d: GET %s: holds %s, but only versions %v are possible (held %s before; writes this cycle:%s)",
				cy.n, key, v, vs, base[key], cy.history(key))
		}
		now[key] = v
		wantFiles += v.fileBlobs()
	}

	// HEAD and ListObjectsV2 agree with what GET found.
	heads := map[string]types.Object{}
	for key, v := range now {
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(key)})
		if err != nil {
			t.Errorf("cycle %d: HEAD %s: %v", cy.n, key, err)
			continue
		}
		if aws.ToInt64(h.ContentLength) != int64(v.size) || strings.Trim(aws.ToString(h.ETag), `"`) != v.etag {
			t.Errorf("cycle %d: HEAD %s: size %d ETag %s; GET found %s with ETag %q", cy.n, key, aws.ToInt64(h.ContentLength), aws.ToString(h.ETag), v, v.etag)
		}
		heads[key] = types.Object{Size: h.ContentLength, ETag: h.ETag}
	}
	listed := map[string]types.Object{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(crashBucket), MaxKeys: aws.Int32(5)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Errorf("cycle %d: ListObjectsV2: %v", cy.n, err)
			break
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if _, dup := listed[k]; dup {
				t.Errorf("cycle %d: ListObjectsV2 lists %s twice", cy.n, k)
			}
			listed[k] = o
		}
	}
	for k, o := range listed {
		h, ok := heads[k]
		switch {
		case !ok:
			t.Errorf("cycle %d: ListObjectsV2 lists %s, which GET does not return", cy.n, k)
		case aws.ToInt64(o.Size) != aws.ToInt64(h.Size) || aws.ToString(o.ETag) != aws.ToString(h.ETag):
			t.Errorf("cycle %d: ListObjectsV2 lists %s with size %d ETag %s; HEAD says %d %s", cy.n, k,
				aws.ToInt64(o.Size), aws.ToString(o.ETag), aws.ToInt64(h.Size), aws.ToString(h.ETag))
		}
	}
	for k := range now {
		if _, ok := listed[k]; !ok {
			t.Errorf("cycle %d: GET returns %s but ListObjectsV2 does not list it", cy.n, k)
		}
	}

	// Blob files: exactly those of the current objects and of the parts of open uploads.
	uploadParts := 0
	for _, u := range crashListUploads(t, c) {
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(crashBucket), Key: u.Key, UploadId: u.UploadId})
		if err != nil {
			t.Errorf("cycle %d: ListParts %s %s: %v", cy.n, aws.ToString(u.Key), aws.ToString(u.UploadId), err)
			continue
		}
		if aws.ToBool(lp.IsTruncated) {
			t.Errorf("cycle %d: ListParts %s: unexpectedly truncated", cy.n, aws.ToString(u.Key))
		}
		for _, part := range lp.Parts {
			if aws.ToInt64(part.Size) > crashSmallMax {
				uploadParts++
			}
		}
	}
	files, tmp := crashCountBlobFiles(t, srv.DataDir)
	if tmp != 0 {
		t.Errorf("cycle %d: %d files left in blobs/tmp after restart", cy.n, tmp)
	}
	if files != wantFiles+uploadParts {
		t.Errorf("cycle %d: %d blob files after restart; the objects reference %d and open uploads' parts %d: %d unreferenced",
			cy.n, files, wantFiles, uploadParts, files-wantFiles-uploadParts)
	}
	return now
}

func crashListUploads(t *testing.T, c *s3.Client) []types.MultipartUpload {
	t.Helper()
	var all []types.MultipartUpload
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(crashBucket)}
	for {
		out, err := c.ListMultipartUploads(context.Background(), in)
		if err != nil {
			t.Errorf("ListMultipartUploads: %v", err)
			return all
		}
		all = append(all, out.Uploads...)
		if !aws.ToBool(out.IsTruncated) {
			return all
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

// crashCountBlobFiles counts the files under <data>/blobs outside tmp, and those in tmp.
func crashCountBlobFiles(t *testing.T, dataDir string) (files, tmp int) {
	t.Helper()
	root := filepath.Join(dataDir, "blobs")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) {
			tmp++
		} else {
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", root, err)
	}
	return files, tmp
}

// crashCheckSmallBlobs counts the small blobs kept in meta.db (top-level bucket "blobs")
// and compares with the small objects the keys hold. The server must be stopped.
func crashCheckSmallBlobs(t *testing.T, dataDir string, now map[string]*crashVersion) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dataDir, "meta.db"), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("opening meta.db: %v", err)
	}
	defer db.Close()
	got := 0
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("blobs"))
		if b == nil {
			return errors.New(`no "blobs" bucket`)
		}
		got = b.Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatalf("reading meta.db: %v", err)
	}
	want := 0
	for _, v := range now {
		if v.kind != crashMPU && v.size <= crashSmallMax {
			want++
		}
	}
	if got != want {
		t.Errorf("meta.db holds %d small blobs; the objects reference %d: %d unreferenced", got, want, got-want)
	}
}

// TestGracefulShutdownFinishesInFlight sends SIGTERM while a 30 MiB PUT is being
// transmitted: the PUT must either succeed and be readable after a restart, or fail with
// the object absent.
