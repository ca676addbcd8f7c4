package apierr

import (
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/sigv4"
)

func TestPostFormErrors(t *testing.T) {
	w := S3(fmt.Errorf("post: %w", &sigv4.PostFieldError{Field: "X-Amz-Signature"}))
	want := "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields."
	if w.Code != "InvalidArgument" || w.Status != 400 || w.Message != want {
		t.Fatalf("got %s %d %q", w.Code, w.Status, w.Message)
	}
	if len(w.Extra) != 2 || w.Extra[0] != (Field{"ArgumentName", "X-Amz-Signature"}) || w.Extra[1] != (Field{"ArgumentValue", ""}) {
		t.Fatalf("extra = %v", w.Extra)
	}
	if w := S3(sigv4.ErrPostUnsigned); w.Code != "AccessDenied" || w.Status != 403 || w.Message != "Access Denied" {
		t.Fatalf("unsigned: %s %d %q", w.Code, w.Status, w.Message)
	}
}

func TestSigV2Errors(t *testing.T) {
	w := S3(&sigv4.ArgumentError{Name: "Authorization", Value: "AWS x", Message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"})
	if w.Code != "InvalidArgument" || w.Status != 400 || w.Message != "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature" ||
		len(w.Extra) != 2 || w.Extra[0] != (Field{"ArgumentName", "Authorization"}) || w.Extra[1] != (Field{"ArgumentValue", "AWS x"}) {
		t.Fatalf("header: %+v", w)
	}
	w = S3(&sigv4.DetailError{Err: sigv4.ErrQueryAuthV2, Detail: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"})
	if w.Code != "AccessDenied" || w.Status != 403 || w.Message != "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters" {
		t.Fatalf("query: %+v", w)
	}
}
