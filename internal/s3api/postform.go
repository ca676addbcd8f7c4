package s3api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/postpolicy"
)

// POST Object's form (docs/POST-OBJECT.md): the fields before the file are read whole
// (bounded), the file streams to the object engine, whatever follows it is never read.

const (
	// maxPostPreData bounds the values of the fields before the file, together.
	maxPostPreData = 20 << 10
	// maxPostPreWire bounds the bytes read from the wire before the file part starts (field
	// values plus part headers and boundaries), so that the parser's own buffering of part
	// headers stays small too.
	maxPostPreWire = maxPostPreData + 64<<10
)

// postForm is a decoded POST Object form up to its file.
type postForm struct {
	// fields are the fields before the file by lowercased name (the first of a repeated
	// name wins).
	fields map[string]string
	// file is the file part's content; filename its name as sent.
	file     io.Reader
	filename string
}

func (f *postForm) get(name string) string { return f.fields[name] }

func (f *postForm) has(name string) bool { _, ok := f.fields[name]; return ok }

// preDataLimit fails reads once more than limit bytes were read, until lifted.
type preDataLimit struct {
	r      io.Reader
	n      int64
	lifted bool
}

var errPreData = errors.New("s3api: POST fields before the file too large")

func (l *preDataLimit) Read(p []byte) (int, error) {
	if !l.lifted && l.n > maxPostPreWire {
		return 0, errPreData
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	return k, err
}

// readPostForm checks the request is multipart/form-data and reads its fields up to the
// file part, which it leaves unread.
func readPostForm(q *request) (*postForm, error) {
	mt, params, err := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(mt, "multipart/form-data") || params["boundary"] == "" {
		return nil, apierr.PostNotMultipart
	}
	lim := &preDataLimit{r: q.caller.Body}
	mr := multipart.NewReader(lim, params["boundary"])
	f := &postForm{fields: map[string]string{}}
	size := 0
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, errPreData):
			return nil, apierr.MaxPostPreDataLengthExceeded
		case err == io.EOF:
			return nil, apierr.PostNoFile
		case err != nil:
			return nil, apierr.MalformedPOSTRequest
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			lim.lifted = true
			f.file, f.filename = part, part.FileName()
			return f, nil
		}
		if name == "" {
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(maxPostPreData-size+1)))
		switch {
		case errors.Is(err, errPreData):
			return nil, apierr.MaxPostPreDataLengthExceeded
		case err != nil:
			return nil, apierr.MalformedPOSTRequest
		}
		size += len(v)
		if size > maxPostPreData {
			return nil, apierr.MaxPostPreDataLengthExceeded
		}
		if _, dup := f.fields[name]; !dup {
			f.fields[name] = string(v)
		}
	}
}

// postBody is the file as the engine reads it: it refuses, instead of returning io.EOF,
// a file outside [lo, hi] (content-length-range, and S3's largest single upload), so the
// engine aborts the write; a body cut short is object.ErrIncompleteBody.
type postBody struct {
	r      io.Reader
	n      int64
	lo, hi int64
}

func (b *postBody) Read(p []byte) (int, error) {
	k, err := b.r.Read(p)
	b.n += int64(k)
	if b.n > b.hi {
		return k, apierr.PostSize(postpolicy.CheckSize(b.n, b.lo, b.hi))
	}
	switch {
	case err == io.EOF:
		if serr := postpolicy.CheckSize(b.n, b.lo, b.hi); serr != nil {
			return k, apierr.PostSize(serr)
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return k, object.ErrIncompleteBody
	}
	return k, err
}
