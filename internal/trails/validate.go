package trails

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// ErrObjectNotFound is what an ObjectReader returns (wrapped) for an object or bucket
// that does not exist.
var ErrObjectNotFound = errors.New("trails: no such object")

// ObjectReader is how Validate reads a trail's bucket.
type ObjectReader interface {
	// List returns the keys in bucket beginning with prefix, in key order. It returns
	// ErrObjectNotFound (wrapped) if the bucket does not exist.
	List(ctx context.Context, bucket, prefix string) ([]string, error)
	// Get returns an object's bytes as stored by the writer (decrypted, still gzip) and
	// its user metadata (lowercase names without x-amz-meta-). It returns ErrObjectNotFound
	// (wrapped) if there is no such object; any other error means the object is there but
	// cannot be read (damaged or tampered with at rest).
	Get(ctx context.Context, bucket, key string) ([]byte, map[string]string, error)
}

// ValidateInput names a trail's digests and the keys to check them with.
type ValidateInput struct {
	// TrailARN is shown in the report; Name, AccountID and Region (the trail's home
	// region) select its digest files, Bucket and Prefix where they are.
	TrailARN, Name, AccountID, Region string
	Bucket, Prefix                    string
	// Start and End bound the digests checked, as validate-logs' --start-time and
	// --end-time (zero Start: from the first; zero End: now).
	Start, End time.Time
	// Keys are the public keys digests may be signed with, found by fingerprint.
	Keys []PublicKey
	// Head, if set, is the newest digest the trail's own record chains to: the walk starts
	// from it, so deleting or replacing the newest digest is detected too (validate-logs
	// has no such link and starts from the newest digest it finds).
	Head *DigestRef
}

// Validate checks a trail's digest and log files as `aws cloudtrail validate-logs` does
// (awscli/customizations/cloudtrail/validation.py): it walks the digests newest to oldest
// within [Start, End], following each digest's link to the previous one (and, where the
// chain breaks, the next older digest listed in the bucket), checks each digest's
// RSA-SHA256 signature over the string to sign with the public key its fingerprint names,
// checks that the previous digest's SHA-256 and signature are the ones the newer digest
// carries (validate-logs trusts the signature alone), and hashes every log file each valid
// digest lists. Every problem is reported per file; the error is only for a trail whose
// bucket cannot be listed.
func Validate(ctx context.Context, r ObjectReader, in ValidateInput) (*Report, error) {
	if in.End.IsZero() {
		in.End = time.Now().UTC()
	}
	v := &validator{ctx: ctx, r: r, in: in, rep: &Report{TrailARN: in.TrailARN, Start: in.Start, End: in.End}}
	if err := v.walk(); err != nil {
		return nil, err
	}
	return v.rep, nil
}

type validator struct {
	ctx context.Context
	r   ObjectReader
	in  ValidateInput
	rep *Report
}

// chainLink is what a newer digest (or the trail's record) says its predecessor is.
type chainLink struct {
	hash, signature string
	from            string // who says so, for the report
}

func (v *validator) walk() error {
	bucket := v.in.Bucket
	h := v.in.Head
	if h != nil && v.inRange(h.End) {
		bucket = h.Bucket
	}
	digests, err := v.listDigests(bucket)
	if err != nil {
		return err
	}
	var key string
	var end time.Time
	var link *chainLink
	if h != nil && v.inRange(h.End) {
		key, end = h.Key, h.End
		link = &chainLink{hash: h.Hash, signature: h.Signature, from: "the trail's record of its last digest"}
	} else {
		key, end = popBefore(&digests, "")
	}
	lastStart := end
	seen := map[string]bool{} // a chain that loops (only a signer could make one) ends
	for key != "" && !seen[bucket+"/"+key] && (v.in.Start.IsZero() || !v.in.Start.After(lastStart)) {
		seen[bucket+"/"+key] = true
		d, err := v.loadDigest(bucket, key, link)
		if err != nil {
			v.rep.add(FileCheck{Digest: true, Bucket: bucket, Key: key, Reason: err.Error()})
			link = nil
			key, _ = popBefore(&digests, key)
			continue
		}
		if t, perr := time.Parse(time.RFC3339, d.DigestStartTime); perr == nil {
			lastStart = t
		}
		v.rep.add(FileCheck{Digest: true, Bucket: bucket, Key: key, Valid: true})
		v.rep.found(d, v.in.Start, v.in.End)
		for _, lf := range d.LogFiles {
			v.checkLog(lf)
		}
		if d.PreviousDigestS3Bucket == nil || d.PreviousDigestS3Object == nil {
			link = nil
			next, nextEnd := popBefore(&digests, key)
			if next != "" {
				v.rep.Gaps = append(v.rep.Gaps, Gap{From: nextEnd, To: lastStart})
			}
			key = next
			continue
		}
		link = &chainLink{from: key}
		if d.PreviousDigestHashValue != nil {
			link.hash = *d.PreviousDigestHashValue
		}
		if d.PreviousDigestSignature != nil {
			link.signature = *d.PreviousDigestSignature
		}
		key = *d.PreviousDigestS3Object
		if b := *d.PreviousDigestS3Bucket; b != bucket {
			bucket = b
			if digests, err = v.listDigests(bucket); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *validator) inRange(t time.Time) bool {
	return (v.in.Start.IsZero() || !t.Before(v.in.Start)) && !t.After(v.in.End.Add(time.Hour))
}

// listDigests returns the trail's digest keys in bucket, oldest first, whose time is in
// [Start, End + 1 h] (the hour after End holds digests of files delivered by End).
func (v *validator) listDigests(bucket string) ([]string, error) {
	prefix := withPrefix(v.in.Prefix, "AWSLogs/"+v.in.AccountID+"/CloudTrail-Digest/"+v.in.Region)
	keys, err := v.r.List(v.ctx, bucket, prefix)
	if err != nil {
		return nil, fmt.Errorf("listing the digests of trail %s in bucket %s: %w", v.in.Name, bucket, err)
	}
	re := v.digestKeyRE()
	var out []string
	for _, k := range keys {
		if !re.MatchString(k) || strings.HasSuffix(k, "_backfill.json.gz") {
			continue
		}
		t, ok := digestKeyDate(k)
		if ok && v.inRange(t) {
			out = append(out, k)
		}
	}
	return out, nil
}

// digestKeyRE matches the digest keys of this trail (validation.py _create_digest_key_regex).
func (v *validator) digestKeyRE() *regexp.Regexp {
	acct, region, name := regexp.QuoteMeta(v.in.AccountID), regexp.QuoteMeta(v.in.Region), regexp.QuoteMeta(v.in.Name)
	k := `AWSLogs/` + acct + `/CloudTrail\-Digest/` + region + `/\d+/\d+/\d+/` + acct + `_CloudTrail\-Digest_` +
		region + `_` + name + `_` + region + `_.+\.json\.gz`
	if v.in.Prefix != "" {
		k = regexp.QuoteMeta(strings.TrimSuffix(v.in.Prefix, "/")) + "/" + k
	}
	return regexp.MustCompile("^" + k + "$")
}

// digestKeyDate is the time in a digest key (its last 24 to 8 characters).
func digestKeyDate(key string) (time.Time, bool) {
	if len(key) < 24 {
		return time.Time{}, false
	}
	t, err := time.Parse(digestKeyTime, key[len(key)-24:len(key)-8])
	return t, err == nil
}

// popBefore removes and returns the newest listed digest older than before (the newest of
// all for ""), and its time; "" when none is left.
func popBefore(digests *[]string, before string) (string, time.Time) {
	var limit time.Time
	if before != "" {
		var ok bool
		if limit, ok = digestKeyDate(before); !ok {
			return "", time.Time{}
		}
	}
	for len(*digests) > 0 {
		k := (*digests)[len(*digests)-1]
		*digests = (*digests)[:len(*digests)-1]
		t, _ := digestKeyDate(k)
		if before == "" || t.Before(limit) {
			return k, t
		}
	}
	return "", time.Time{}
}

// requiredDigestFields must be present (possibly null) before a digest is checked.
var requiredDigestFields = []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object",
	"previousDigestSignature", "digestEndTime", "digestStartTime"}

// loadDigest reads and checks one digest; the error is the report's reason.
func (v *validator) loadDigest(bucket, key string, link *chainLink) (d *Digest, err error) {
	gz, meta, err := v.get(bucket, key)
	if err != nil {
		return nil, err
	}
	raw, err := gunzipLimited(gz)
	if err != nil {
		return nil, errors.New("invalid format")
	}
	// The order of the checks, and so the reason given, is validate-logs'.
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil, errors.New("invalid format")
	}
	sig, hasSig := meta["signature"]
	if _, hasAlg := meta["signature-algorithm"]; !hasSig || !hasAlg {
		return nil, errors.New("signature verification failed")
	}
	for _, f := range requiredDigestFields {
		if _, ok := fields[f]; !ok {
			return nil, errors.New("invalid format")
		}
	}
	d = new(Digest)
	if json.Unmarshal(raw, d) != nil {
		return nil, errors.New("invalid format")
	}
	if d.DigestS3Bucket != bucket || d.DigestS3Object != key {
		return nil, errors.New("has been moved from its original location")
	}
	var pub []byte
	for _, k := range v.in.Keys {
		if k.Fingerprint == d.DigestPublicKeyFingerprint {
			pub = k.DER
		}
	}
	if pub == nil {
		return nil, fmt.Errorf("public key not found in region %s for fingerprint %s", v.in.Region, d.DigestPublicKeyFingerprint)
	}
	if _, err := x509.ParsePKCS1PublicKey(pub); err != nil {
		return nil, fmt.Errorf("Unable to load PKCS #1 key with fingerprint %s", d.DigestPublicKeyFingerprint)
	}
	if _, err := VerifyDigest(pub, raw, sig); err != nil {
		return nil, errors.New("signature verification failed")
	}
	if link != nil {
		sum := sha256.Sum256(raw)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), link.hash) {
			return nil, fmt.Errorf("hash value doesn't match the previousDigestHashValue of %s", link.from)
		}
		if !strings.EqualFold(sig, link.signature) {
			return nil, fmt.Errorf("signature doesn't match the previousDigestSignature of %s", link.from)
		}
	}
	return d, nil
}

func (v *validator) checkLog(lf DigestLogFile) {
	fc := FileCheck{Bucket: lf.S3Bucket, Key: lf.S3Object}
	gz, _, err := v.get(lf.S3Bucket, lf.S3Object)
	if err == nil {
		var raw []byte
		if raw, err = gunzipLimited(gz); err != nil {
			err = errors.New("invalid format")
		} else if sum := sha256.Sum256(raw); !strings.EqualFold(hex.EncodeToString(sum[:]), lf.HashValue) {
			err = errors.New("hash value doesn't match")
		}
	}
	if err != nil {
		fc.Reason = err.Error()
	} else {
		fc.Valid = true
	}
	v.rep.add(fc)
}

// get reads an object; the error is the report's reason ("not found", or why it cannot
// be read). A reader that panics on damaged data is reported the same way.
func (v *validator) get(bucket, key string) (body []byte, meta map[string]string, err error) {
	defer func() {
		if p := recover(); p != nil {
			body, meta, err = nil, nil, fmt.Errorf("unreadable (damaged at rest): %v", p)
		}
	}()
	body, meta, err = v.r.Get(v.ctx, bucket, key)
	switch {
	case errors.Is(err, ErrObjectNotFound):
		return nil, nil, errors.New("not found")
	case err != nil:
		return nil, nil, fmt.Errorf("unreadable (damaged or tampered with at rest): %v", err)
	}
	return body, meta, nil
}

func gunzipLimited(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 1<<30))
}
