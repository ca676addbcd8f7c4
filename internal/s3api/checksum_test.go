package s3api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/checksum"
)

var completeHeaderTests = []struct {
	name, value string
	typ         string
	ok          bool
}{
	{"X-Amz-Checksum-Crc32", "AAAAAA==", "", true},
	{"X-Amz-Checksum-Crc32", "AAAAAA==-3", "", true},
	{"X-Amz-Checksum-Sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=-10000", "COMPOSITE", true},
	{"X-Amz-Checksum-Crc64nvme", "AAAAAAAAAAA=", "full_object", true},
	{"X-Amz-Checksum-Crc32", "AAAA", "", false},
	{"X-Amz-Checksum-Crc32", "AAAAAA==-0", "", false},
	{"X-Amz-Checksum-Crc32", "AAAAAA==-10001", "", false},
	{"X-Amz-Checksum-Crc32", "not base64", "", false},
	{"X-Amz-Checksum-Crc32c", "", "", false},
	{"X-Amz-Checksum-Type", "", "PARTIAL", false},
}

func TestCompleteChecksumHeaders(t *testing.T) {
	for _, tt := range completeHeaderTests {
		h := http.Header{}
		h.Set(tt.name, tt.value)
		if tt.typ != "" {
			h.Set("X-Amz-Checksum-Type", tt.typ)
		}
		typ, err := completeChecksumHeaders(h)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %q type %q: err %v, want ok=%v", tt.name, tt.value, tt.typ, err, tt.ok)
			continue
		}
		if err == nil && typ != strings.ToUpper(tt.typ) {
			t.Errorf("%s: type %q, want %q", tt.name, typ, strings.ToUpper(tt.typ))
		}
		if err != nil && tt.name != "X-Amz-Checksum-Type" && !strings.Contains(err.Error(), "Value for "+strings.ToLower(tt.name)+" header is invalid.") {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// FuzzCompleteChecksumHeaders: any checksum header of a CompleteMultipartUpload is refused
// or well formed once its part count is dropped, and the type is one S3 knows.
func FuzzCompleteChecksumHeaders(f *testing.F) {
	for _, tt := range completeHeaderTests {
		f.Add(tt.name, tt.value, tt.typ)
	}
	f.Fuzz(func(t *testing.T, name, value, typ string) {
		h := http.Header{}
		h.Set("X-Amz-Checksum-Type", typ)
		h[http.CanonicalHeaderKey(name)] = []string{value}
		got, err := completeChecksumHeaders(h)
		if err != nil {
			return
		}
		if got != "" && got != "FULL_OBJECT" && got != "COMPOSITE" {
			t.Fatalf("type %q accepted", got)
		}
		if alg := checksum.FromHeader(name); alg != "" && !checksum.ValidValue(alg, trimPartCount(value)) {
			t.Fatalf("%s: %q accepted", name, value)
		}
	})
}
