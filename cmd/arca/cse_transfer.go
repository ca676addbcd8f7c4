package main

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/arcastore/arca/pkg/cse"
)

// transfer runs one cse verb.
type transfer struct {
	c           *cse.Client
	ec          map[string]string
	contentType string
	bar         *progressBar
	stdin       io.Reader
	stdout      io.Writer
}

func (t *transfer) put(ctx context.Context, src, dst location) error {
	body := t.stdin
	var size int64
	if src.path != "-" {
		f, err := os.Open(src.path)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			size = fi.Size()
		}
		body = f
	}
	t.bar.start("put " + dst.String())
	_, err := t.c.Put(ctx, dst.bucket, dst.key, body, &cse.PutOptions{Size: size, EncryptionContext: t.ec,
		ContentType: t.contentType, Progress: t.bar.update})
	t.bar.finish(err == nil)
	return err
}

func (t *transfer) get(ctx context.Context, src, dst location) error {
	opts := &cse.GetOptions{EncryptionContext: t.ec, Progress: t.bar.update}
	t.bar.start("get " + src.String())
	var err error
	if dst.path == "-" {
		err = t.getStdout(ctx, src, opts)
	} else {
		_, err = t.c.GetFile(ctx, src.bucket, src.key, dst.path, opts)
	}
	t.bar.finish(err == nil)
	return err
}

// getStdout stages the plaintext in a temporary file so that nothing unverified reaches
// stdout, then copies it out.
func (t *transfer) getStdout(ctx context.Context, src location, opts *cse.GetOptions) error {
	dir, err := os.MkdirTemp("", "arca-cse-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "plaintext")
	if _, err := t.c.GetFile(ctx, src.bucket, src.key, p, opts); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(t.stdout, f)
	return err
}

// copy re-encrypts src into dst: with the first key flag, the current policy and the
// current instruction-file choice.
func (t *transfer) copy(ctx context.Context, src, dst location) error {
	t.bar.start("cp " + src.String())
	_, err := t.c.Copy(ctx, src.bucket, src.key, dst.bucket, dst.key, t.c, &cse.PutOptions{
		EncryptionContext: t.ec, ContentType: t.contentType, Progress: t.bar.update})
	t.bar.finish(err == nil)
	return err
}
