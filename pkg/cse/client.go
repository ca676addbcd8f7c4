package cse

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of aws-sdk-go-v2's *s3.Client the Client uses. Any S3-compatible
// endpoint works; the Client adds no request options of its own beyond the ones named in
// Options.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// Defaults for Options.
const (
	DefaultPartSize    = 8 << 20
	DefaultConcurrency = 4
	minPartSize        = 5 << 20 // S3's smallest part but the last
	maxParts           = 10000
)

// Options configure a Client. The zero value is ready to use.
type Options struct {
	// CommitmentPolicy picks the suite objects are written with and the suites that may
	// be read. The zero value is RequireEncryptAllowDecrypt.
	CommitmentPolicy CommitmentPolicy
	// InstructionFile stores the data-key metadata in a separate object, the key plus
	// InstructionSuffix, instead of in the object's user metadata. Reading always finds
	// either.
	InstructionFile bool
	// PartSize is the multipart part size and the ranged-GET size (at least 5 MiB;
	// default DefaultPartSize). Objects up to one part are sent in one PutObject.
	PartSize int64
	// Concurrency is how many parts are in flight at once, either way (default
	// DefaultConcurrency). Memory use is about (Concurrency+1) × PartSize.
	Concurrency int
	// S3Options are applied to every S3 call (an Expect-100 threshold, a retryer, ...).
	S3Options []func(*s3.Options)
}

// Client encrypts objects on the way to S3 and decrypts them on the way back. It is safe
// for concurrent use.
type Client struct {
	s3   S3API
	ring Keyring
	opts Options
}

// New returns a Client that stores objects through s3c with data keys from ring.
func New(s3c S3API, ring Keyring, opts *Options) (*Client, error) {
	if s3c == nil || ring == nil {
		return nil, errors.New("cse: New needs an S3 client and a keyring")
	}
	c := &Client{s3: s3c, ring: ring}
	if opts != nil {
		c.opts = *opts
	}
	if !c.opts.CommitmentPolicy.valid() {
		return nil, errors.New("cse: unknown commitment policy")
	}
	if c.opts.PartSize == 0 {
		c.opts.PartSize = DefaultPartSize
	}
	if c.opts.PartSize < minPartSize {
		return nil, errors.New("cse: PartSize must be at least 5 MiB")
	}
	if c.opts.Concurrency <= 0 {
		c.opts.Concurrency = DefaultConcurrency
	}
	// Ranged GETs carry no whole-object checksum to validate (GCM authenticates the
	// content instead); keep the SDK from logging that on every part.
	quiet := func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }
	c.opts.S3Options = append([]func(*s3.Options){quiet}, c.opts.S3Options...)
	return c, nil
}
