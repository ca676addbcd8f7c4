// Package migrate copies objects from another store (any S3 endpoint, or a directory of
// files) into Arca, the engine of `arca migrate`: listing, parallel streaming copies with
// bounded memory, end-to-end verification of every object and a resume journal.
//
// Callers give it a Source and a Dest (the S3 adapters live in cmd/arca, beside the AWS
// SDK; DirSource is here) and Options, and call Run. What is promised (docs/MIGRATION.md):
// an object is reported copied only after the destination has stored the bytes read from
// the source with the CRC64NVME computed while reading them, and a HEAD of the copy states
// that size and checksum; a re-run with the same journal skips exactly those objects whose
// journal entry and destination copy still agree.
package migrate

import (
	"context"
	"errors"
	"io"
	"time"
)

// Object is one object (or one version, or one delete marker) as a source lists it.
type Object struct {
	Key          string // the source's full key
	VersionID    string // "" when listing without versions
	DeleteMarker bool
	Size         int64
	// ETag identifies the source's content: S3's ETag, or for a file its size and
	// modification time. The journal compares it to decide whether a copy is still current.
	ETag         string
	LastModified time.Time
}

// Meta is what a source says about an object when it is opened: what the copy keeps.
type Meta struct {
	ContentType, ContentEncoding, ContentDisposition, ContentLanguage, CacheControl string
	Expires                                                                         string // as sent (an HTTP date)
	Metadata                                                                        map[string]string
	// Tagging is the object's tag set as a URL query string (k=v&k2=v2), "" for none.
	Tagging string
	Size    int64
	ETag    string
	// PlainMD5 says ETag is the MD5 of the bytes (single-part, not SSE-KMS or SSE-C at
	// the source), so the bytes read are checked against it.
	PlainMD5 bool
}

// Source is where objects come from.
type Source interface {
	// Walk calls fn with each key's objects under the source's prefix, in key order: one
	// Object without versions; with versions every version and delete marker of the key,
	// oldest first. An error from fn stops the walk and is returned.
	Walk(ctx context.Context, versions bool, fn func([]Object) error) error
	// Open starts reading o's bytes (the version o names, if any). The reader must fail,
	// not end early, if the source's transfer breaks.
	Open(ctx context.Context, o Object) (io.ReadCloser, Meta, error)
	// Name is the source as the user wrote it, for messages.
	Name() string
}

// Stat is what the destination says of a stored copy.
type Stat struct {
	Size      int64
	CRC64NVME string // base64, as S3 states it with checksum mode enabled
}

// Dest is the Arca bucket objects go to. Keys are destination keys.
type Dest interface {
	// Stat returns the stored copy's size and checksum (the version named, or the
	// current one); ErrNotFound if there is none.
	Stat(ctx context.Context, key, versionID string) (Stat, error)
	// Put stores body (one buffer) under key with meta and the CRC64NVME of body, which the
	// destination verifies on arrival; it returns the new version's id ("" unversioned).
	Put(ctx context.Context, key string, m Meta, body []byte, crc64 string) (versionID string, err error)
	// Create starts a multipart upload (CRC64NVME, FULL_OBJECT).
	Create(ctx context.Context, key string, m Meta) (Upload, error)
	// Delete removes the version named (or the current object): a copy that failed its
	// verification.
	Delete(ctx context.Context, key, versionID string) error
	// MarkDeleted writes a delete marker for key (a source delete marker in version order);
	// it returns the marker's version id.
	MarkDeleted(ctx context.Context, key string) (versionID string, err error)
}

// Upload is one multipart upload in progress.
type Upload interface {
	// Part uploads part n (from 1) with its CRC64NVME.
	Part(ctx context.Context, n int, body []byte, crc64 string) error
	// Complete finishes the upload; crc64 is the whole object's (FULL_OBJECT) CRC64NVME.
	Complete(ctx context.Context, crc64 string) (versionID string, err error)
	// Abort discards the upload.
	Abort(ctx context.Context) error
}

// ErrNotFound is a Dest's answer for a copy that does not exist.
var ErrNotFound = errors.New("migrate: no such object at the destination")
