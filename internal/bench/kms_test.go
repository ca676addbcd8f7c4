package bench

import (
	"flag"
	"strings"
	"testing"
	"time"
)

var kmsFlagTests = []struct {
	args []string
	want string // error substring; "" = valid
}{
	{nil, ""},
	{[]string{"--op", "decrypt", "--concurrency", "16", "--duration", "3s", "--key-id", "alias/b"}, ""},
	{[]string{"--op", "encrypt"}, `--op "encrypt" is not a KMS benchmark operation`},
	{[]string{"--concurrency", "0"}, "--concurrency must be at least 1"},
	{[]string{"--duration", "0s"}, "--duration must be positive"},
	{[]string{"--access-key", "AK"}, "give both --access-key and --secret-key"},
	{[]string{"--endpoint", "localhost:9000"}, "is not a URL like"},
}

func TestKMSFlags(t *testing.T) {
	for _, tc := range kmsFlagTests {
		fs := flag.NewFlagSet("bench kms", flag.ContinueOnError)
		get := RegisterKMSFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		o, _, err := get()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
		_ = o
	}
	fs := flag.NewFlagSet("bench kms", flag.ContinueOnError)
	get := RegisterKMSFlags(fs)
	fs.Parse(nil)
	if o, _, _ := get(); o.Op != OpKMSGenerateDataKey || o.Concurrency != 8 || o.Duration != 20*time.Second {
		t.Errorf("defaults: %+v", o)
	}
}
