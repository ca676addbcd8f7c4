// Package accesslog is S3 server access logging: a bucket's logging configuration
// (PutBucketLogging), the access log line in AWS's format, and the delivery of batches of
// lines into the target bucket. It knows no HTTP and no storage driver; meta keeps the
// configuration in the bucket record (docs/POSTURE.md, "Server access logs").
package accesslog

// Key formats of delivered log objects (TargetObjectKeyFormat).
const (
	// FormatSimple is SimplePrefix: [TargetPrefix][YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString].
	FormatSimple = ""
	// FormatPartitioned is PartitionedPrefix:
	// [TargetPrefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString].
	FormatPartitioned = "PartitionedPrefix"
)

// Partition date sources of a PartitionedPrefix (PartitionDateSource).
const (
	DateEventTime    = "EventTime"
	DateDeliveryTime = "DeliveryTime"
)

// Config is a bucket's server access logging configuration (BucketLoggingStatus's
// LoggingEnabled); a bucket without logging has none (meta.Bucket.Logging nil).
type Config struct {
	TargetBucket string `json:"bucket"`
	TargetPrefix string `json:"prefix,omitempty"`
	// KeyFormat is FormatSimple or FormatPartitioned.
	KeyFormat string `json:"fmt,omitempty"`
	// PartitionDateSource is DateEventTime or DateDeliveryTime (FormatPartitioned only).
	PartitionDateSource string `json:"pds,omitempty"`
}

// Clone returns a copy of c (nil for nil).
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	x := *c
	return &x
}
