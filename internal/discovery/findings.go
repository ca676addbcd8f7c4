package discovery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
)

// Finding is a sensitive-data finding: an object version in which a job found sensitive
// data, with where (offsets, lines) and how often, never what.
type Finding struct {
	ID, Account, Region string
	Type                string // SensitiveData:S3Object/…
	Severity            string // Low, Medium, High
	Score               int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
	// Count is the number of runs that found it (Macie's finding count).
	Count         int64
	Run           int
	JobID, JobARN string

	Bucket               string
	BucketARN            string
	BucketCreated        time.Time
	BucketEncryption     string // AES256, aws:kms, NONE
	BucketKMSKey         string
	Key, VersionID, ETag string
	Size                 int64
	LastModified         time.Time
	Encryption           string // AES256, aws:kms, NONE
	KMSKey               string
	SizeClassified       int64
	Detections           []Detection
}

// Categories are the finding's sensitive-data categories, in order.
func (f *Finding) Categories() []Category {
	seen := map[Category]bool{}
	var out []Category
	for _, d := range f.Detections {
		if !seen[d.Category] {
			seen[d.Category] = true
			out = append(out, d.Category)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// findingType names a finding by its categories, as Macie does.
func findingType(cats []Category) string {
	if len(cats) > 1 {
		return "SensitiveData:S3Object/Multiple"
	}
	switch cats[0] {
	case Credentials:
		return "SensitiveData:S3Object/Credentials"
	case Financial:
		return "SensitiveData:S3Object/Financial"
	case Personal:
		return "SensitiveData:S3Object/Personal"
	}
	return "SensitiveData:S3Object/CustomIdentifier"
}

// severity: credentials are High; financial data Medium (High from 100 occurrences);
// personal and custom data Low (Medium from 100 occurrences).
func severity(ds []Detection) (string, int64) {
	score := int64(1)
	for _, d := range ds {
		s := int64(1)
		switch d.Category {
		case Credentials:
			s = 3
		case Financial:
			s = 2
		}
		if d.Count >= 100 && s < 3 {
			s++
		}
		if s > score {
			score = s
		}
	}
	return [...]string{"", "Low", "Medium", "High"}[score], score
}

func encOf(e *meta.Encryption) (string, string) {
	if e == nil {
		return "NONE", ""
	}
	switch e.Mode {
	case "aws:kms":
		return "aws:kms", e.KMSKeyARN
	case "AES256":
		return "AES256", ""
	}
	return "UNKNOWN", ""
}

func bucketEnc(b *meta.Bucket) (string, string) {
	if b.Encryption == nil {
		return "AES256", "" // S3's default for every bucket without a configuration
	}
	if b.Encryption.Algorithm == "aws:kms" {
		return "aws:kms", b.Encryption.KMSMasterKeyID
	}
	return b.Encryption.Algorithm, ""
}

// putFinding stores (or, for an object version already reported by the job, updates) the
// finding of one object.
func (s *Service) putFinding(j *Job, run int, b *meta.Bucket, o *meta.Object, ds []Detection) error {
	h := sha256.Sum256([]byte(j.Account + "\x00" + j.ID + "\x00" + b.Name + "\x00" + o.Key + "\x00" + o.VersionID))
	id := hex.EncodeToString(h[:16])
	now := s.cfg.Now().UTC()
	f := Finding{ID: id, Account: j.Account, Region: s.cfg.Region, CreatedAt: now, UpdatedAt: now, Count: 1, Run: run,
		JobID: j.ID, JobARN: j.ARN, Bucket: b.Name, BucketARN: "arn:aws:s3:::" + b.Name, BucketCreated: b.Created,
		Key: o.Key, VersionID: o.VersionID, ETag: o.ETag, Size: o.Size, LastModified: o.LastModified,
		SizeClassified: o.Size, Detections: ds}
	f.BucketEncryption, f.BucketKMSKey = bucketEnc(b)
	f.Encryption, f.KMSKey = encOf(o.Enc)
	f.Type = findingType(f.Categories())
	f.Severity, f.Score = severity(ds)
	return s.db.Update(func(tx kv.Tx) error {
		var old Finding
		ok, err := get(tx, bFindings, key(j.Account, id), &old)
		if err != nil {
			return err
		}
		g := f
		if ok {
			g.CreatedAt, g.Count = old.CreatedAt, old.Count
			if old.Run != run {
				g.Count++
			}
		}
		return put(tx, bFindings, key(j.Account, id), &g)
	})
}

// Condition is one criterion of ListFindings (Macie's CriterionAdditionalProperties).
type Condition struct {
	Eq, EqExactMatch, Neq []string
	Gt, Gte, Lt, Lte      *int64
}

// attr is a finding's value for a filter or sort field: strings, or a number (times in
// milliseconds since the epoch).
func (f *Finding) attr(name string) (strs []string, num int64, isNum bool, ok bool) {
	s := func(v ...string) ([]string, int64, bool, bool) { return v, 0, false, true }
	n := func(v int64) ([]string, int64, bool, bool) { return nil, v, true, true }
	switch name {
	case "accountId":
		return s(f.Account)
	case "region":
		return s(f.Region)
	case "id":
		return s(f.ID)
	case "type":
		return s(f.Type)
	case "category":
		return s("CLASSIFICATION")
	case "severity.description":
		return s(f.Severity)
	case "severity.score":
		return n(f.Score)
	case "count":
		return n(f.Count)
	case "createdAt":
		return n(f.CreatedAt.UnixMilli())
	case "updatedAt":
		return n(f.UpdatedAt.UnixMilli())
	case "archived", "sample":
		return s("false")
	case "classificationDetails.jobId":
		return s(f.JobID)
	case "classificationDetails.originType":
		return s("SENSITIVE_DATA_DISCOVERY_JOB")
	case "classificationDetails.result.sensitiveData.category":
		var v []string
		for _, c := range f.Categories() {
			v = append(v, string(c))
		}
		return s(v...)
	case "classificationDetails.result.sensitiveData.detections.type":
		var v []string
		for _, d := range f.Detections {
			if d.Category != Custom {
				v = append(v, d.ID)
			}
		}
		return s(v...)
	case "classificationDetails.result.customDataIdentifiers.detections.arn":
		var v []string
		for _, d := range f.Detections {
			if d.Category == Custom {
				v = append(v, "arn:aws:macie2:"+f.Region+":"+f.Account+":custom-data-identifier/"+d.ID)
			}
		}
		return s(v...)
	case "resourcesAffected.s3Bucket.name":
		return s(f.Bucket)
	case "resourcesAffected.s3Bucket.defaultServerSideEncryption.encryptionType":
		return s(f.BucketEncryption)
	case "resourcesAffected.s3Bucket.defaultServerSideEncryption.kmsMasterKeyId":
		return s(f.BucketKMSKey)
	case "resourcesAffected.s3Object.key":
		return s(f.Key)
	case "resourcesAffected.s3Object.versionId":
		return s(f.VersionID)
	case "resourcesAffected.s3Object.size":
		return n(f.Size)
	case "resourcesAffected.s3Object.serverSideEncryption.encryptionType":
		return s(f.Encryption)
	case "resourcesAffected.s3Object.serverSideEncryption.kmsMasterKeyId":
		return s(f.KMSKey)
	case "resourcesAffected.s3Object.extension":
		ext := ""
		if i := strings.LastIndexByte(f.Key, '.'); i >= 0 && !strings.Contains(f.Key[i:], "/") {
			ext = f.Key[i+1:]
		}
		return s(ext)
	}
	return nil, 0, false, false
}

// matches reports whether f meets every criterion.
func (f *Finding) matches(crit map[string]Condition) bool {
	for name, c := range crit {
		strs, num, isNum, _ := f.attr(name)
		if isNum {
			strs = []string{strconv.FormatInt(num, 10)}
		}
		has := func(list []string, fold bool) bool {
			for _, want := range list {
				for _, v := range strs {
					if v == want || (fold && strings.EqualFold(v, want)) {
						return true
					}
				}
			}
			return false
		}
		if len(c.Eq) > 0 && !has(c.Eq, true) {
			return false
		}
		if len(c.EqExactMatch) > 0 && !has(c.EqExactMatch, false) {
			return false
		}
		if len(c.Neq) > 0 && has(c.Neq, true) {
			return false
		}
		if (c.Gt != nil && !(num > *c.Gt)) || (c.Gte != nil && !(num >= *c.Gte)) ||
			(c.Lt != nil && !(num < *c.Lt)) || (c.Lte != nil && !(num <= *c.Lte)) {
			return false
		}
	}
	return true
}

// ValidateCriteria returns ErrValidation for a field Arca cannot filter on, or a range
// on a field that is not a number.
func ValidateCriteria(crit map[string]Condition) error {
	var probe Finding
	for name, c := range crit {
		_, _, isNum, ok := probe.attr(name)
		if !ok {
			return errs.New(ErrValidation, fmt.Sprintf("The finding criterion %q is not supported.", name))
		}
		if !isNum && (c.Gt != nil || c.Gte != nil || c.Lt != nil || c.Lte != nil) {
			return errs.New(ErrValidation, fmt.Sprintf("The finding criterion %q does not support gt, gte, lt or lte.", name))
		}
	}
	return nil
}

// Sort is a sort order over findings.
type Sort struct {
	Attribute string
	Desc      bool
}

// ListFindings returns account's findings that meet crit, sorted (default: createdAt
// ascending, then id).
func (s *Service) ListFindings(ctx context.Context, account string, crit map[string]Condition, by Sort) ([]Finding, error) {
	if err := ValidateCriteria(crit); err != nil {
		return nil, err
	}
	if by.Attribute == "" {
		by.Attribute = "createdAt"
	}
	var probe Finding
	if _, _, _, ok := probe.attr(by.Attribute); !ok {
		return nil, errs.New(ErrValidation, fmt.Sprintf("The sort attribute %q is not supported.", by.Attribute))
	}
	var out []Finding
	err := s.db.View(func(tx kv.Tx) error {
		return each(tx, bFindings, account, func(data []byte) error {
			var f Finding
			if err := jsonUnmarshal(data, &f); err != nil {
				return err
			}
			if f.matches(crit) {
				out = append(out, f)
			}
			return nil
		})
	})
	sortFindings(out, by)
	return out, err
}

// SortFindings sorts fs in place; ErrValidation for an attribute Arca cannot sort by.
func SortFindings(fs []Finding, by Sort) error {
	if by.Attribute == "" {
		by.Attribute = "createdAt"
	}
	var probe Finding
	if _, _, _, ok := probe.attr(by.Attribute); !ok {
		return errs.New(ErrValidation, fmt.Sprintf("The sort attribute %q is not supported.", by.Attribute))
	}
	sortFindings(fs, by)
	return nil
}

func sortFindings(fs []Finding, by Sort) {
	sort.SliceStable(fs, func(a, b int) bool {
		sa, na, num, _ := fs[a].attr(by.Attribute)
		sb, nb, _, _ := fs[b].attr(by.Attribute)
		var less, eq bool
		if num {
			less, eq = na < nb, na == nb
		} else {
			x, y := strings.Join(sa, ","), strings.Join(sb, ",")
			less, eq = x < y, x == y
		}
		if eq {
			return fs[a].ID < fs[b].ID
		}
		return less != by.Desc
	})
}

// GetFindings returns the findings of account with the given ids (unknown ids are left
// out, as Macie does).
func (s *Service) GetFindings(ctx context.Context, account string, ids []string) ([]Finding, error) {
	var out []Finding
	err := s.db.View(func(tx kv.Tx) error {
		for _, id := range ids {
			var f Finding
			ok, err := get(tx, bFindings, key(account, id), &f)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, f)
			}
		}
		return nil
	})
	return out, err
}

// BucketStats is GetBucketStatistics' answer for an account.
type BucketStats struct {
	BucketCount                                         int64
	BucketsKMS, BucketsS3, BucketsUnencrypted           int64
	ObjectCount, SizeInBytes                            int64
	ClassifiableObjects, ClassifiableBytes              int64
	UnclassifiableObjects, UnclassifiableBytes          int64
	ObjectsKMS, ObjectsS3, ObjectsCustomer, ObjectsNone int64
	ObjectsUnknown                                      int64
}

// BucketStatistics counts account's buckets and their current objects by encryption.
// Objects Macie cannot classify are SSE-C objects and those above the size limit.
func (s *Service) BucketStatistics(ctx context.Context, account string) (BucketStats, error) {
	var st BucketStats
	bs, err := s.meta.ListBuckets(ctx)
	if err != nil {
		return st, err
	}
	for i := range bs {
		b := &bs[i]
		owner := b.Owner
		if owner == "" {
			owner = s.cfg.PrimaryAccount
		}
		if owner != account {
			continue
		}
		st.BucketCount++
		switch alg, _ := bucketEnc(b); alg {
		case "aws:kms", "aws:kms:dsse":
			st.BucketsKMS++
		case "AES256":
			st.BucketsS3++
		default:
			st.BucketsUnencrypted++
		}
		after := ""
		for {
			page, err := s.meta.ListObjects(ctx, b.Name, meta.ListOptions{After: after, MaxKeys: 1000})
			if err != nil {
				return st, err
			}
			for _, o := range page.Objects {
				st.ObjectCount++
				st.SizeInBytes += o.Size
				ssec := false
				switch {
				case o.Enc == nil:
					st.ObjectsNone++
				case o.Enc.Mode == "aws:kms":
					st.ObjectsKMS++
				case o.Enc.Mode == "AES256":
					st.ObjectsS3++
				case o.Enc.Mode == "SSE-C":
					st.ObjectsCustomer++
					ssec = true
				default:
					st.ObjectsUnknown++
				}
				if ssec || o.Size > s.cfg.MaxObjectSize {
					st.UnclassifiableObjects++
					st.UnclassifiableBytes += o.Size
				} else {
					st.ClassifiableObjects++
					st.ClassifiableBytes += o.Size
				}
			}
			if !page.IsTruncated {
				break
			}
			after = page.Next
		}
	}
	return st, nil
}
