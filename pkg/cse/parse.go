package cse

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// layout is what an object's own metadata says about where its envelope is.
type layout int

const (
	layoutNone        layout = iota // no S3EC keys at all
	layoutV1                        // x-amz-key + x-amz-iv
	layoutV2                        // x-amz-key-v2 + x-amz-iv
	layoutV3                        // x-amz-3 + x-amz-d + x-amz-i
	layoutInstruction               // some S3EC keys, but no complete set: look for the instruction file
)

// s3ecKeys are the metadata keys that mark an object as written by an S3EC.
var s3ecKeys = []string{mdKeyV1, mdKeyV2, mdIV, mdMatDesc, mdWrapAlg, mdCEKAlg, mdTagLen,
	mdContentV3, mdKeyV3, mdMatDescV3, mdContextV3, mdWrapV3, mdCommitV3, mdMessageIDV3}

// normalize lower-cases metadata keys and drops the x-amz-meta- prefix some callers keep.
func normalize(md map[string]string) map[string]string {
	out := make(map[string]string, len(md))
	for k, v := range md {
		k = strings.TrimPrefix(strings.ToLower(k), "x-amz-meta-")
		out[k] = v
	}
	return out
}

// detect classifies object metadata (already normalized) the way the specification's
// "Determining S3EC Object Status" does; keys exclusive to two versions are malformed.
func detect(md map[string]string) (layout, error) {
	has := func(k string) bool { _, ok := md[k]; return ok }
	exclusive := 0
	for _, k := range []string{mdKeyV1, mdKeyV2, mdKeyV3} {
		if has(k) {
			exclusive++
		}
	}
	if exclusive > 1 {
		return layoutNone, fmt.Errorf("%w: keys of more than one format version", ErrMalformed)
	}
	switch {
	case has(mdIV) && has(mdKeyV1):
		return layoutV1, nil
	case has(mdIV) && has(mdKeyV2):
		return layoutV2, nil
	case has(mdKeyV3) && has(mdCommitV3) && has(mdMessageIDV3):
		return layoutV3, nil
	}
	for _, k := range s3ecKeys {
		if has(k) {
			return layoutInstruction, nil
		}
	}
	return layoutNone, nil
}

// parseInstruction reads an instruction file: one JSON object of strings (numbers are
// accepted for the two numeric entries, as other clients write them).
func parseInstruction(body []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return nil, fmt.Errorf("%w: instruction file is not a JSON object", ErrMalformed)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[strings.ToLower(k)] = s
			continue
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil || (k != mdTagLen && k != mdPlainLen) {
			return nil, fmt.Errorf("%w: instruction file entry %q is not a string", ErrMalformed, k)
		}
		out[strings.ToLower(k)] = n.String()
	}
	return out, nil
}

// parseEnvelope reads the envelope from object metadata (normalized) and, when detect
// said layoutNone or layoutInstruction, the instruction file's body (nil if there is
// none).
func parseEnvelope(md map[string]string, instruction []byte) (*envelope, error) {
	l, err := detect(md)
	if err != nil {
		return nil, err
	}
	switch l {
	case layoutNone:
		if instruction == nil {
			return nil, ErrNotEncrypted
		}
	case layoutV1:
		return nil, fmt.Errorf("%w: V1 metadata (x-amz-key)", ErrUnsupported)
	case layoutV2:
		return parseV2(md, false)
	case layoutV3:
		return parseV3(md, md, false)
	}
	if instruction == nil {
		return nil, fmt.Errorf("%w: incomplete metadata and no instruction file", ErrMalformed)
	}
	im, err := parseInstruction(instruction)
	if err != nil {
		return nil, err
	}
	if _, ok := im[mdKeyV3]; ok {
		for _, k := range []string{mdContentV3, mdCommitV3, mdMessageIDV3} {
			if _, ok := im[k]; ok {
				return nil, fmt.Errorf("%w: V3 instruction file holds %s", ErrMalformed, k)
			}
		}
		return parseV3(md, im, true)
	}
	switch l, err := detect(im); {
	case err != nil:
		return nil, err
	case l == layoutV1:
		return nil, fmt.Errorf("%w: V1 metadata (x-amz-key)", ErrUnsupported)
	case l == layoutV2:
		return parseV2(im, true)
	}
	return nil, fmt.Errorf("%w: instruction file lacks a data key and IV", ErrMalformed)
}

func decodeB64(m map[string]string, key string, size int) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(m[key])
	if err != nil || len(b) == 0 || (size > 0 && len(b) != size) {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, key)
	}
	return b, nil
}

func parseWrap(alg string) (string, error) {
	switch {
	case alg == WrapKMSContext || alg == WrapAESGCM || alg == WrapRSAOAEP:
		return alg, nil
	case legacyWraps[alg]:
		return "", fmt.Errorf("%w: wrapping algorithm %q", ErrUnsupported, alg)
	}
	return "", fmt.Errorf("%w: unknown wrapping algorithm %q", ErrMalformed, alg)
}

func parseV2(m map[string]string, instruction bool) (*envelope, error) {
	switch cek := m[mdCEKAlg]; cek {
	case cekGCM:
	case "AES/CBC/PKCS5Padding", "AES/CTR/NoPadding":
		return nil, fmt.Errorf("%w: content algorithm %q", ErrUnsupported, cek)
	default:
		return nil, fmt.Errorf("%w: content algorithm %q", ErrMalformed, cek)
	}
	if tl, ok := m[mdTagLen]; ok && tl != "128" {
		return nil, fmt.Errorf("%w: %s %q", ErrMalformed, mdTagLen, tl)
	}
	e := &envelope{instruction: instruction, plainLen: -1}
	var err error
	if e.key.Ciphertext, err = decodeB64(m, mdKeyV2, 0); err != nil {
		return nil, err
	}
	if e.nonce, err = decodeB64(m, mdIV, ivSize); err != nil {
		return nil, err
	}
	if e.key.Algorithm, err = parseWrap(m[mdWrapAlg]); err != nil {
		return nil, err
	}
	if e.key.Description, err = decodeDescription(m[mdMatDesc]); err != nil {
		return nil, err
	}
	if s, ok := m[mdPlainLen]; ok {
		if e.plainLen, err = strconv.ParseInt(s, 10, 64); err != nil || e.plainLen < 0 {
			return nil, fmt.Errorf("%w: %s %q", ErrMalformed, mdPlainLen, s)
		}
	}
	e.key.Suite = SuiteGCM
	return e, nil
}

// parseV3 reads the content entries from object and the data-key entries from keyed
// (the same map, or the instruction file's).
func parseV3(object, keyed map[string]string, instruction bool) (*envelope, error) {
	if c := object[mdContentV3]; c != cekCommitting {
		return nil, fmt.Errorf("%w: V3 content algorithm %q", ErrMalformed, c)
	}
	e := &envelope{instruction: instruction, plainLen: -1}
	var err error
	if e.commitment, err = decodeB64(object, mdCommitV3, commitmentSize); err != nil {
		return nil, err
	}
	if e.nonce, err = decodeB64(object, mdMessageIDV3, messageIDSize); err != nil {
		return nil, err
	}
	if e.key.Ciphertext, err = decodeB64(keyed, mdKeyV3, 0); err != nil {
		return nil, err
	}
	alg, ok := wrapFromV3[keyed[mdWrapV3]]
	if !ok {
		return nil, fmt.Errorf("%w: V3 wrapping algorithm %q", ErrMalformed, keyed[mdWrapV3])
	}
	e.key.Algorithm = alg
	descKey := mdMatDescV3
	if alg == WrapKMSContext {
		descKey = mdContextV3
	}
	if e.key.Description, err = decodeDescription(keyed[descKey]); err != nil {
		return nil, err
	}
	e.key.Suite = SuiteCommittingGCM
	return e, nil
}
