// Package inventory is S3 Inventory's configuration as a model: what a bucket's inventory
// configurations say (destination, format, encryption of the reports, schedule, versions,
// filter, optional fields) and their validation in AWS's words. It knows no HTTP and no
// storage; meta keeps the configurations in the bucket record, invreport writes reports
// (docs/INVENTORY.md).
package inventory

// Formats of a report (Destination.Format).
const (
	FormatCSV     = "CSV"
	FormatORC     = "ORC"
	FormatParquet = "Parquet"
)

// Schedules (Config.Schedule).
const (
	Daily  = "Daily"
	Weekly = "Weekly"
)

// Versions a report lists (Config.IncludedObjectVersions).
const (
	VersionsAll     = "All"
	VersionsCurrent = "Current"
)

// Config is one inventory configuration of a bucket (PutBucketInventoryConfiguration).
type Config struct {
	ID        string `json:"id"`
	IsEnabled bool   `json:"on"`
	// Destination is where reports are delivered.
	Destination Destination `json:"dst"`
	// Schedule is Daily or Weekly.
	Schedule string `json:"sched"`
	// IncludedObjectVersions is All or Current.
	IncludedObjectVersions string `json:"vers"`
	// Prefix is the Filter's prefix ("" = every object).
	Prefix string `json:"prefix,omitempty"`
	// OptionalFields are the report's extra columns, in the order given.
	OptionalFields []string `json:"fields,omitempty"`
}

// Destination is an inventory configuration's S3BucketDestination.
type Destination struct {
	// AccountID is the destination bucket's expected owner ("" = not given).
	AccountID string `json:"acct,omitempty"`
	// BucketARN is arn:aws:s3:::<bucket>.
	BucketARN string `json:"bucket"`
	// Format is CSV, ORC or Parquet.
	Format string `json:"fmt"`
	// Prefix goes in front of every key a report writes ("" = none).
	Prefix string `json:"prefix,omitempty"`
	// Encryption is how report files are encrypted (nil = the destination bucket's default).
	Encryption *Encryption `json:"enc,omitempty"`
}

// Encryption is an inventory destination's Encryption: SSE-S3, or SSE-KMS under KMSKeyID.
type Encryption struct {
	SSES3    bool   `json:"s3,omitempty"`
	KMSKeyID string `json:"kms,omitempty"`
}

// Bucket is the destination bucket's name (the BucketARN without arn:aws:s3:::).
func (d Destination) Bucket() string {
	const p = "arn:aws:s3:::"
	if len(d.BucketARN) > len(p) && d.BucketARN[:len(p)] == p {
		return d.BucketARN[len(p):]
	}
	return ""
}

// Clone returns a deep copy of c.
func (c Config) Clone() Config {
	c.OptionalFields = append([]string(nil), c.OptionalFields...)
	if c.Destination.Encryption != nil {
		e := *c.Destination.Encryption
		c.Destination.Encryption = &e
	}
	return c
}

// CloneAll returns a deep copy of cs (nil stays nil).
func CloneAll(cs []Config) []Config {
	if cs == nil {
		return nil
	}
	out := make([]Config, len(cs))
	for i, c := range cs {
		out[i] = c.Clone()
	}
	return out
}
