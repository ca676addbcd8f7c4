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
