package trails

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/audit"
)

// Time formats of CloudTrail's object keys and digest fields.
const (
	logKeyTime    = "20060102T1504Z"
	digestKeyTime = "20060102T150405Z"
	fieldTime     = "2006-01-02T15:04:05Z"
	dayPath       = "2006/01/02"
)

// logKey is where a log file delivered at t goes:
// [prefix/]AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random16>.json.gz
func logKey(prefix, account, region string, t time.Time) string {
	t = t.UTC()
	k := "AWSLogs/" + account + "/CloudTrail/" + region + "/" + t.Format(dayPath) + "/" +
		account + "_CloudTrail_" + region + "_" + t.Format(logKeyTime) + "_" + randomName(16) + ".json.gz"
	return withPrefix(prefix, k)
}

// digestKey is where the digest ending at end goes:
// [prefix/]AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz
func digestKey(prefix, account, region, trail string, end time.Time) string {
	end = end.UTC()
	k := "AWSLogs/" + account + "/CloudTrail-Digest/" + region + "/" + end.Format(dayPath) + "/" +
		account + "_CloudTrail-Digest_" + region + "_" + trail + "_" + region + "_" + end.Format(digestKeyTime) + ".json.gz"
	return withPrefix(prefix, k)
}

func withPrefix(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return strings.TrimSuffix(prefix, "/") + "/" + key
}

func randomName(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alnumString[int(b[i])%len(alnumString)]
	}
	return string(b)
}

// buildLog makes a log file of stored records: {"Records":[<record JSON>,…]}, with the hex
// SHA-256 of that text and the oldest and newest eventTime among them.
func buildLog(recs []audit.Stored) (body []byte, hash string, oldest, newest time.Time) {
	n := len(`{"Records":[]}`)
	for _, r := range recs {
		n += len(r.JSON) + 1
	}
	var buf bytes.Buffer
	buf.Grow(n)
	buf.WriteString(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(r.JSON)
		var t struct {
			EventTime time.Time `json:"eventTime"`
		}
		if json.Unmarshal(r.JSON, &t) == nil && !t.EventTime.IsZero() {
			if oldest.IsZero() || t.EventTime.Before(oldest) {
				oldest = t.EventTime
			}
			if t.EventTime.After(newest) {
				newest = t.EventTime
			}
		}
	}
	buf.WriteString(`]}`)
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:]), oldest.UTC(), newest.UTC()
}

func gzipBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Digest is a digest file, field for field (reference §6.3). Pointers are JSON null when
// absent: the first digest of a chain has no previous digest, an empty one no event times.
type Digest struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []DigestLogFile `json:"logFiles"`
}

// DigestLogFile is one log file a digest vouches for.
type DigestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

func strp(s string) *string { return &s }

// newDigest assembles the digest of files for [start, end] chained to prev (nil: first).
func newDigest(account, bucket, key, fingerprint string, start, end time.Time, files []LogFile, prev *DigestRef) *Digest {
	d := &Digest{AWSAccountID: account, DigestStartTime: start.UTC().Format(fieldTime), DigestEndTime: end.UTC().Format(fieldTime),
		DigestS3Bucket: bucket, DigestS3Object: key, DigestPublicKeyFingerprint: fingerprint,
		DigestSignatureAlgorithm: SignatureAlgorithm, LogFiles: []DigestLogFile{}}
	var oldest, newest time.Time
	for _, f := range files {
		d.LogFiles = append(d.LogFiles, DigestLogFile{S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.Hash, HashAlgorithm: "SHA-256",
			NewestEventTime: f.Newest.UTC().Format(fieldTime), OldestEventTime: f.Oldest.UTC().Format(fieldTime)})
		if oldest.IsZero() || f.Oldest.Before(oldest) {
			oldest = f.Oldest
		}
		if f.Newest.After(newest) {
			newest = f.Newest
		}
	}
	if !oldest.IsZero() {
		d.OldestEventTime, d.NewestEventTime = strp(oldest.UTC().Format(fieldTime)), strp(newest.UTC().Format(fieldTime))
	}
	if prev != nil {
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = strp(prev.Bucket), strp(prev.Key)
		d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm = strp(prev.Hash), strp("SHA-256")
		d.PreviousDigestSignature = strp(prev.Signature)
	}
	return d
}

// StringToSign is what a digest's signature covers (reference §6.3): its end time, its
// bucket/key, the hex SHA-256 of its uncompressed bytes and the previous digest's
// signature (the literal "null" for the first of a chain), joined by newlines.
func StringToSign(endTime, bucket, key string, raw []byte, prevSignature *string) []byte {
	sum := sha256.Sum256(raw)
	prev := "null"
	if prevSignature != nil {
		prev = *prevSignature
	}
	return []byte(endTime + "\n" + bucket + "/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev)
}

// ErrDigestInvalid is what VerifyDigest returns for a digest that does not verify.
var ErrDigestInvalid = errors.New("trails: digest signature verification failed")

// VerifyDigest checks an uncompressed digest against its hex signature (the object's
// x-amz-meta-signature) with the DER PKCS#1 public key, as the aws CLI's validator does.
func VerifyDigest(pubDER, raw []byte, signatureHex string) (*Digest, error) {
	var d Digest
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%w: not a digest: %v", ErrDigestInvalid, err)
	}
	pub, err := x509.ParsePKCS1PublicKey(pubDER)
	if err != nil {
		return nil, fmt.Errorf("%w: bad public key", ErrDigestInvalid)
	}
	sig, err := hex.DecodeString(signatureHex)
	if err != nil {
		return nil, ErrDigestInvalid
	}
	sum := sha256.Sum256(StringToSign(d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, raw, d.PreviousDigestSignature))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return nil, ErrDigestInvalid
	}
	return &d, nil
}
