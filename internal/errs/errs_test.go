package errs

import (
	"errors"
	"fmt"
	"testing"
)

var errThing = errors.New("pkg: thing failed")

var messageTests = []struct {
	name string
	err  error
	is   bool
	msg  string
	text string
}{
	{"bare sentinel", errThing, true, "", "pkg: thing failed"},
	{"with message", New(errThing, "The thing failed."), true, "The thing failed.", "pkg: thing failed: The thing failed."},
	{"formatted", Newf(errThing, "Thing %q failed.", "x"), true, `Thing "x" failed.`, `pkg: thing failed: Thing "x" failed.`},
	{"wrapped", fmt.Errorf("context: %w", New(errThing, "m")), true, "m", "context: pkg: thing failed: m"},
	{"empty message", &E{Kind: errThing}, true, "", "pkg: thing failed"},
	{"other", errors.New("other"), false, "", "other"},
}

func TestMessage(t *testing.T) {
	for _, tc := range messageTests {
		if got := errors.Is(tc.err, errThing); got != tc.is {
			t.Errorf("%s: errors.Is = %v", tc.name, got)
		}
		if got := Message(tc.err); got != tc.msg {
			t.Errorf("%s: Message = %q, want %q", tc.name, got, tc.msg)
		}
		if got := tc.err.Error(); got != tc.text {
			t.Errorf("%s: Error = %q, want %q", tc.name, got, tc.text)
		}
	}
	if Message(nil) != "" {
		t.Error("Message(nil) != \"\"")
	}
}
