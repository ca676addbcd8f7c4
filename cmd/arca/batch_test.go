package main

import (
	"reflect"
	"testing"
)

// JOB_ID may come before, between or after the flags; flag values are not taken for it.
func TestSplitJobID(t *testing.T) {
	for _, tc := range []struct {
		args []string
		rest []string
		id   string
		bad  bool
	}{
		{[]string{"job-1", "--watch"}, []string{"--watch"}, "job-1", false},
		{[]string{"--endpoint", "http://x", "job-1"}, []string{"--endpoint", "http://x"}, "job-1", false},
		{[]string{"--account-id=123456789012", "--interval", "1s", "j"}, []string{"--account-id=123456789012", "--interval", "1s"}, "j", false},
		{[]string{"--watch"}, []string{"--watch"}, "", false},
		{[]string{"a", "b"}, nil, "", true},
	} {
		rest, id, err := splitJobID(tc.args)
		if (err != nil) != tc.bad || !tc.bad && (id != tc.id || !reflect.DeepEqual(rest, tc.rest)) {
			t.Errorf("%q: %q %q %v", tc.args, rest, id, err)
		}
	}
}

func TestProgressBarText(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		want        string
	}{
		{0, 0, "[          ] 0 tasks"},
		{5, 10, "[=====     ]  50% 5/10"},
		{10, 10, "[==========] 100% 10/10"},
		{12, 10, "[==========] 100% 12/10"},
	} {
		if got := progressBarText(tc.done, tc.total, 10); got != tc.want {
			t.Errorf("%d/%d: %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}
