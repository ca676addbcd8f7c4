package main

import (
	"bytes"
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/arcastore/arca/internal/migrate"
)

// versionOrder captures the document order of a ListObjectVersions page. S3 lists a key's
// versions and delete markers interleaved, newest first; the SDK splits them into two
// lists, so the order between a version and a marker is read back from the XML itself.
type versionOrder struct {
	pos map[[2]string]int // (key, version id) -> position in the page
}

func (v *versionOrder) option(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(v, middleware.After) // next to the transport: the raw body
	})
}

func (v *versionOrder) ID() string { return "ArcaMigrateVersionOrder" }

func (v *versionOrder) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp.StatusCode != 200 || resp.Body == nil {
		return out, md, err
	}
	b, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if rerr != nil {
		return out, md, rerr
	}
	v.pos = migrate.ListingOrder(b)
	return out, md, nil
}
