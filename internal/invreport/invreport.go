// Package invreport writes S3 Inventory reports: for one inventory configuration of a
// bucket it walks the bucket's versions (all, or the current ones; under the filter's
// prefix) page by page, writes the rows as gzip CSV or Parquet data files into the
// destination bucket through the object engine (encrypted as the configuration says), and
// last the manifest.json and manifest.checksum that make the report whole, in S3's layout.
// It also keeps when each configuration last ran (Scheduler) and reads reports back
// (Summarize). It knows no HTTP; docs/INVENTORY.md ("Reports") is its specification.
//
// Entry points: New, Service.Run (a configuration now), Service.Tick (every due
// configuration), ReadManifest and Summarize.
package invreport

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/sse"
)

// Errors of Run, as sentinels apierr maps (each carries its message through errs.E).
var (
	// ErrNoSuchConfiguration: the bucket has no inventory configuration with that id.
	ErrNoSuchConfiguration = errors.New("invreport: no such inventory configuration")
	// ErrFormatNotSupported: the configuration asks for ORC, which Arca does not write.
	ErrFormatNotSupported = errors.New("invreport: report format not supported")
	// ErrNoDestination: the destination bucket does not exist.
	ErrNoDestination = errors.New("invreport: destination bucket does not exist")
	// ErrDestinationDenied: the destination bucket belongs to another account (or to
	// another than the configuration's AccountId) and its bucket policy does not allow
	// s3.amazonaws.com to put the report, or denies it.
	ErrDestinationDenied = errors.New("invreport: destination bucket refuses the report")
)

// Limits of one data file: a report of more rows is several files.
const (
	DefaultMaxFileRows = 1_000_000
	// maxFileBytes bounds a data file's compressed size.
	maxFileBytes = 512 << 20
)

// Config is what the service needs to know.
type Config struct {
	// AccountID is the primary account: the owner of bucket records without one.
	AccountID string
	// MaxFileRows is how many rows a data file holds at most (0: DefaultMaxFileRows).
	MaxFileRows int
	// TempDir holds data files while they are written ("" = os.TempDir()).
	TempDir string
}

// Deps are the components the service uses.
type Deps struct {
	// KV holds the service's state (the last run of each configuration), in the bucket
	// "invreport" it owns.
	KV      kv.DB
	Meta    meta.Store
	Objects *object.Engine
	// KMS is the KMS that report writes use for SSE-KMS, acting as S3 on behalf of
	// account (the source bucket's owner).
	KMS func(account string) sse.KMS
	Log *slog.Logger
	Now func() time.Time
}

// Service writes inventory reports.
type Service struct {
	cfg Config
	d   Deps
	// mu serializes runs: one report at a time (the scheduler and on-demand runs).
	mu sync.Mutex
}

// New returns a service.
func New(cfg Config, d Deps) *Service {
	if cfg.MaxFileRows <= 0 {
		cfg.MaxFileRows = DefaultMaxFileRows
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, d: d}
}

// Result is a delivered report.
type Result struct {
	SourceBucket      string
	ID                string
	DestinationBucket string
	// ManifestKey is the key of manifest.json in the destination bucket.
	ManifestKey string
	Files       []File
	// Rows is how many rows the report has; Objects how many are not delete markers,
	// Bytes their sizes' sum.
	Rows, Objects, Bytes int64
	Created              time.Time
}

// Run writes a report of bucket's configuration id now (enabled or not) and records it as
// the configuration's last run. Errors: meta.ErrNoSuchBucket, ErrNoSuchConfiguration,
// ErrFormatNotSupported, ErrNoDestination, ErrDestinationDenied, the object engine's
// write errors (KMS ones included).
func (s *Service) Run(ctx context.Context, bucket, id string) (*Result, error) {
	b, err := s.d.Meta.GetBucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	for _, c := range b.Inventory {
		if c.ID == id {
			return s.run(ctx, b, c)
		}
	}
	return nil, errs.New(ErrNoSuchConfiguration, "The specified configuration does not exist.")
}

func (s *Service) run(ctx context.Context, b meta.Bucket, c inventory.Config) (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.write(ctx, b, c)
	st := runState{At: s.d.Now().UTC()}
	if err != nil {
		st.Error = err.Error()
	} else {
		st.Manifest = res.ManifestKey
	}
	if serr := s.saveState(b.Name, c.ID, st); serr != nil && err == nil {
		err = serr
	}
	return res, err
}

func (s *Service) owner(b meta.Bucket) string {
	if b.Owner == "" {
		return s.cfg.AccountID
	}
	return b.Owner
}

// write does the report: data files, hive symlink, manifest.json, manifest.checksum (last:
// a report is complete once its checksum is there; a run that dies before leaves data
// files no manifest names, and the next run writes a whole report).
func (s *Service) write(ctx context.Context, b meta.Bucket, c inventory.Config) (*Result, error) {
	format := c.Destination.Format
	if format != inventory.FormatCSV && format != inventory.FormatParquet {
		return nil, errs.Newf(ErrFormatNotSupported, "Arca does not write %s inventory reports; use CSV or Parquet.", format)
	}
	dest, err := s.destination(ctx, b, c)
	if err != nil {
		return nil, err
	}
	now := s.d.Now().UTC()
	base := reportBase(c, b.Name)
	cols := Columns(c)
	res := &Result{SourceBucket: b.Name, ID: c.ID, DestinationBucket: dest.Name, Created: now}
	w := &fileSet{s: s, ctx: ctx, c: c, cols: cols, base: base, dest: dest.Name, account: s.owner(b)}
	defer w.abort()
	owner := s.owner(b)
	err = s.walk(ctx, b.Name, c, func(o *meta.Object) error {
		r := rowOf(b.Name, owner, o)
		res.Rows++
		if !o.DeleteMarker {
			res.Objects++
			res.Bytes += o.Size
		}
		return w.write(&r)
	})
	if err == nil {
		err = w.finish()
	}
	if err != nil {
		return nil, err
	}
	res.Files = w.files
	m := Manifest{SourceBucket: b.Name, DestinationBucket: c.Destination.BucketARN, Version: ManifestVersion,
		CreationTimestamp: fmt.Sprint(now.UnixMilli()), FileFormat: format, Files: w.files}
	if format == inventory.FormatParquet {
		m.FileSchema = parquetFileSchema(cols)
	} else {
		m.FileSchema = csvSchema(cols)
	}
	raw, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(raw)
	stamp := now.Format("2006-01-02T15-04Z")
	res.ManifestKey = base + stamp + "/manifest.json"
	symlink := base + "hive/dt=" + now.Format("2006-01-02-15-04") + "/symlink.txt"
	var links []byte
	for _, f := range w.files {
		links = append(links, "s3://"+dest.Name+"/"+f.Key+"\n"...)
	}
	for _, o := range []struct {
		key, ctype string
		body       []byte
	}{
		{symlink, "text/plain", links},
		{res.ManifestKey, "application/json", raw},
		{base + stamp + "/manifest.checksum", "text/plain", []byte(hex.EncodeToString(sum[:]))},
	} {
		if err := s.put(ctx, c, dest.Name, owner, o.key, o.ctype, bytesReader(o.body), int64(len(o.body))); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// reportBase is "<destination prefix>/<source bucket>/<configuration id>/" (no leading
// slash when the destination has no prefix).
func reportBase(c inventory.Config, source string) string {
	p := c.Destination.Prefix
	if p != "" && p[len(p)-1] != '/' {
		p += "/"
	}
	return p + source + "/" + c.ID + "/"
}

// walk calls fn for each version the configuration lists, in key order (each key's newest
// version first), reading the bucket one page at a time.
func (s *Service) walk(ctx context.Context, bucket string, c inventory.Config, fn func(*meta.Object) error) error {
	all := c.IncludedObjectVersions == inventory.VersionsAll
	opt := meta.VersionListOptions{Prefix: c.Prefix, MaxKeys: 1000}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := s.d.Meta.ListVersions(ctx, bucket, opt)
		if err != nil {
			return err
		}
		for i := range page.Versions {
			o := &page.Versions[i]
			if !all && (!o.IsLatest || o.DeleteMarker) {
				continue
			}
			if err := fn(o); err != nil {
				return err
			}
		}
		if !page.IsTruncated {
			return nil
		}
		opt.KeyMarker, opt.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}

// put stores one report object in the destination, encrypted as the configuration's
// InventoryEncryption says (SSE-S3, or SSE-KMS under its key), else as the destination
// bucket's default encryption says.
func (s *Service) put(ctx context.Context, c inventory.Config, bucket, account, key, ctype string, body io.Reader, size int64) error {
	var r object.SSERequest
	if e := c.Destination.Encryption; e != nil {
		switch {
		case e.KMSKeyID != "":
			r.Algorithm, r.KMSKeyID, r.HasKMSKeyID = sse.ModeKMS, e.KMSKeyID, true
		case e.SSES3:
			r.Algorithm = sse.ModeS3
		}
	}
	var k sse.KMS
	if s.d.KMS != nil {
		k = s.d.KMS(account)
	}
	_, err := s.d.Objects.Put(ctx, object.PutInput{Bucket: bucket, Key: key, Template: meta.Object{ContentType: ctype},
		SSE: r, KMS: k, Body: object.Body{R: body, Size: size}, DefaultChecksum: object.DefaultChecksum})
	return err
}

// fileSet writes a report's data files one after the other, each to a temporary file
// first (its size and MD5 known when it is stored), rolling over at MaxFileRows rows or
// maxFileBytes bytes.
type fileSet struct {
	s       *Service
	ctx     context.Context
	c       inventory.Config
	cols    []column
	base    string
	dest    string
	account string
	files   []File

	tmp *os.File
	md5 hash.Hash
	cnt *countWriter
	w   interface {
		Write(*Row) error
		Close() error
	}
	rows int
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (f *fileSet) open() error {
	tmp, err := os.CreateTemp(f.s.cfg.TempDir, "arca-inventory-*")
	if err != nil {
		return err
	}
	f.tmp, f.md5, f.rows = tmp, md5.New(), 0
	f.cnt = &countWriter{w: io.MultiWriter(tmp, f.md5)}
	if f.c.Destination.Format == inventory.FormatParquet {
		f.w = newParquetWriter(f.cnt, f.cols)
	} else {
		f.w = newCSVWriter(f.cnt, f.cols)
	}
	return nil
}

func (f *fileSet) write(r *Row) error {
	if f.w == nil {
		if err := f.open(); err != nil {
			return err
		}
	}
	if err := f.w.Write(r); err != nil {
		return err
	}
	f.rows++
	if f.rows >= f.s.cfg.MaxFileRows || f.cnt.n >= maxFileBytes {
		return f.store()
	}
	return nil
}

// finish stores the file being written; a report of no rows still has one (empty) file,
// as S3's do.
func (f *fileSet) finish() error {
	if f.w == nil && len(f.files) == 0 {
		if err := f.open(); err != nil {
			return err
		}
	}
	if f.w == nil {
		return nil
	}
	return f.store()
}

func (f *fileSet) store() error {
	if err := f.w.Close(); err != nil {
		return err
	}
	f.w = nil
	ext := ".csv.gz"
	if f.c.Destination.Format == inventory.FormatParquet {
		ext = ".parquet"
	}
	key := f.base + "data/" + newUUID() + ext
	size := f.cnt.n
	if _, err := f.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	err := f.s.put(f.ctx, f.c, f.dest, f.account, key, "application/octet-stream", f.tmp, size)
	f.abort()
	if err != nil {
		return err
	}
	f.files = append(f.files, File{Key: key, Size: size, MD5: hex.EncodeToString(f.md5.Sum(nil))})
	return nil
}

// abort removes the temporary file, if any.
func (f *fileSet) abort() {
	if f.tmp != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
		f.tmp = nil
	}
}

// newUUID is a random (version 4) UUID, as S3 names data files.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
