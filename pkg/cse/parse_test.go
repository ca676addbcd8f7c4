package cse

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"testing"
)

// v2Meta and v3Meta are well-formed metadata to start variations from.
func v2Meta() map[string]string {
	return map[string]string{
		"x-amz-key-v2": "d3JhcHBlZC1ieS1rbXM=", "x-amz-iv": "MDEyMzQ1Njc4OWFi", "x-amz-matdesc": `{"a":"b"}`,
		"x-amz-wrap-alg": "AES/GCM", "x-amz-cek-alg": "AES/GCM/NoPadding", "x-amz-tag-len": "128",
		"x-amz-unencrypted-content-length": "51",
	}
}

func v3Meta() map[string]string {
	return map[string]string{
		"x-amz-3": "d3JhcHBlZA==", "x-amz-c": "115", "x-amz-w": "12", "x-amz-t": `{"aws:x-amz-cek-alg":"115"}`,
		"x-amz-d": "6JOSx47RkdyfciJkNauuC4RpkMcWZY4a+i1RzQ==", "x-amz-i": "sE9zLb4tsEBJkvEhLMZFxMj9oZJBbQ6ZOgOqHA==",
	}
}

func with(m map[string]string, kv ...string) map[string]string {
	m = maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "<del>" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

var detectTests = []struct {
	name string
	md   map[string]string
	want layout
	err  error
}{
	{"plain object", map[string]string{"owner": "me"}, layoutNone, nil},
	{"V1", map[string]string{"x-amz-key": "a", "x-amz-iv": "b"}, layoutV1, nil},
	{"V2", v2Meta(), layoutV2, nil},
	{"V3", v3Meta(), layoutV3, nil},
	{"V3 content only", with(v3Meta(), "x-amz-3", "<del>", "x-amz-w", "<del>", "x-amz-t", "<del>"), layoutInstruction, nil},
	{"V2 without IV", with(v2Meta(), "x-amz-iv", "<del>"), layoutInstruction, nil},
	{"V2 and V3 keys", with(v2Meta(), "x-amz-3", "x"), layoutNone, ErrMalformed},
	{"V1 and V2 keys", with(v2Meta(), "x-amz-key", "x"), layoutNone, ErrMalformed},
}

func TestDetect(t *testing.T) {
	for _, tc := range detectTests {
		got, err := detect(tc.md)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

var parseTests = []struct {
	name  string
	md    map[string]string
	instr string // "" = none
	err   error
}{
	{"V2", v2Meta(), "", nil},
	{"V3", v3Meta(), "", nil},
	{"V2 no matdesc means {}", with(v2Meta(), "x-amz-matdesc", "<del>"), "", nil},
	{"V2 bad IV base64", with(v2Meta(), "x-amz-iv", "!!!"), "", ErrMalformed},
	{"V2 16-byte IV", with(v2Meta(), "x-amz-iv", "MDEyMzQ1Njc4OWFiY2RlZg=="), "", ErrMalformed},
	{"V2 empty key", with(v2Meta(), "x-amz-key-v2", ""), "", ErrMalformed},
	{"V2 CBC", with(v2Meta(), "x-amz-cek-alg", "AES/CBC/PKCS5Padding"), "", ErrUnsupported},
	{"V2 unknown content alg", with(v2Meta(), "x-amz-cek-alg", "ROT13"), "", ErrMalformed},
	{"V2 96-bit tag", with(v2Meta(), "x-amz-tag-len", "96"), "", ErrMalformed},
	{"V2 legacy kms wrap", with(v2Meta(), "x-amz-wrap-alg", "kms"), "", ErrUnsupported},
	{"V2 unknown wrap", with(v2Meta(), "x-amz-wrap-alg", "ROT13"), "", ErrMalformed},
	{"V2 matdesc not JSON", with(v2Meta(), "x-amz-matdesc", "{"), "", ErrMalformed},
	{"V2 matdesc not strings", with(v2Meta(), "x-amz-matdesc", `{"a":1}`), "", ErrMalformed},
	{"V2 matdesc null", with(v2Meta(), "x-amz-matdesc", `null`), "", ErrMalformed},
	{"V2 negative length", with(v2Meta(), "x-amz-unencrypted-content-length", "-1"), "", ErrMalformed},
	{"V1", map[string]string{"x-amz-key": "a", "x-amz-iv": "b"}, "", ErrUnsupported},
	{"V3 AES/GCM content", with(v3Meta(), "x-amz-c", "AES/GCM/NoPadding"), "", ErrMalformed},
	{"V3 unknown wrap", with(v3Meta(), "x-amz-w", "32"), "", ErrMalformed},
	{"V3 short commitment", with(v3Meta(), "x-amz-d", "AAAA"), "", ErrMalformed},
	{"V3 short message ID", with(v3Meta(), "x-amz-i", "AAAA"), "", ErrMalformed},
	{"incomplete, no instruction file", with(v2Meta(), "x-amz-iv", "<del>"), "", ErrMalformed},
	{"V2 instruction file", map[string]string{},
		`{"x-amz-key-v2":"d3JhcHBlZA==","x-amz-iv":"MDEyMzQ1Njc4OWFi","x-amz-wrap-alg":"AES/GCM",` +
			`"x-amz-cek-alg":"AES/GCM/NoPadding","x-amz-tag-len":128,"x-amz-unencrypted-content-length":5}`, nil},
	{"V3 instruction file", with(v3Meta(), "x-amz-3", "<del>", "x-amz-w", "<del>", "x-amz-t", "<del>"),
		`{"x-amz-3":"d3JhcHBlZA==","x-amz-w":"02","x-amz-m":"{\"kid\":\"1\"}"}`, nil},
	{"V3 instruction file holding x-amz-d", with(v3Meta(), "x-amz-3", "<del>"),
		`{"x-amz-3":"d3JhcHBlZA==","x-amz-w":"12","x-amz-d":"6JOSx47RkdyfciJkNauuC4RpkMcWZY4a+i1RzQ=="}`, ErrMalformed},
	{"V3 instruction file without content entries", map[string]string{}, `{"x-amz-3":"d3JhcHBlZA==","x-amz-w":"12"}`, ErrMalformed},
	{"instruction file not JSON", with(v3Meta(), "x-amz-3", "<del>"), `x-amz-3`, ErrMalformed},
	{"instruction file two values", with(v3Meta(), "x-amz-3", "<del>"), `{} {}`, ErrMalformed},
	{"instruction file object entry", map[string]string{}, `{"x-amz-key-v2":{}}`, ErrMalformed},
	{"instruction file without key", map[string]string{}, `{"x-amz-wrap-alg":"AES/GCM"}`, ErrMalformed},
	{"plain object", map[string]string{"a": "b"}, "", ErrNotEncrypted},
}

func TestParseEnvelope(t *testing.T) {
	for _, tc := range parseTests {
		var instr []byte
		if tc.instr != "" {
			instr = []byte(tc.instr)
		}
		_, err := parseEnvelope(tc.md, instr)
		if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
		}
	}
}

var headerTests = []struct{ in, want string }{
	{`{"a":"b"}`, `{"a":"b"}`},
	{"=?UTF-8?B?eyJ0ZWFtIjoiw6lxdWlwZSJ9?=", `{"team":"équipe"}`},     // RFC 2047 UTF-8 (Arca)
	{"=?UTF-8?B?eyJ0ZWFtIjoiw4PCqXF1aXBlIn0=?=", `{"team":"équipe"}`}, // S3's double encoding
	{"=?UTF-8?B?eyJ0ZWFtIjoi5pel5pys6KqeIn0=?=", `{"team":"日本語"}`},    // beyond Latin-1: left alone
	{"=?UTF-8?B?not base64?=", "=?UTF-8?B?not base64?="},              // undecodable: untouched
	{"=?ISO-8859-1?Q?caf=E9?=", "café"},                               // a single é is not UTF-8 bytes
}

func TestDecodeS3Header(t *testing.T) {
	for _, tc := range headerTests {
		if got := decodeS3Header(tc.in); got != tc.want {
			t.Errorf("decodeS3Header(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEncodeDescriptionIsASCII(t *testing.T) {
	d := map[string]string{"team": "équipe", "emoji": "🔑", "html": "<&>"}
	s, err := encodeDescription(d)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			t.Fatalf("non-ASCII byte in %q", s)
		}
	}
	back, err := decodeDescription(s)
	if err != nil || !maps.Equal(back, d) {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if e, _ := encodeDescription(nil); e != "{}" {
		t.Fatalf("nil description encodes as %q", e)
	}
}

// FuzzParseMetadata feeds arbitrary object metadata (as a JSON object) and instruction
// files to the parser. It must never panic, and whatever it accepts must survive being
// written out and parsed again unchanged.
func FuzzParseMetadata(f *testing.F) {
	seed := func(md map[string]string, instr string) {
		b, _ := json.Marshal(md)
		f.Add(b, []byte(instr))
	}
	seed(v2Meta(), "")
	seed(v3Meta(), "")
	for _, tc := range parseTests {
		seed(tc.md, tc.instr)
	}
	f.Fuzz(func(t *testing.T, mdJSON, instr []byte) {
		var md map[string]string
		if json.Unmarshal(mdJSON, &md) != nil {
			return
		}
		if len(instr) == 0 {
			instr = nil
		}
		env, err := parseEnvelope(normalize(md), instr)
		if err != nil {
			for _, sentinel := range []error{ErrNotEncrypted, ErrMalformed, ErrUnsupported} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("error outside the vocabulary: %v", err)
		}
		obj, im, err := env.maps()
		if err != nil {
			t.Fatalf("accepted but cannot write back: %v", err)
		}
		var body []byte
		if im != nil {
			body, _ = json.Marshal(im)
		}
		again, err := parseEnvelope(obj, body)
		if err != nil {
			t.Fatalf("written form does not parse: %v\n%v\n%s", err, obj, body)
		}
		if !reflect.DeepEqual(env, again) {
			t.Fatalf("round trip changed the envelope:\n%+v\n%+v", env, again)
		}
	})
}
