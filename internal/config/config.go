// Package config holds Arca's typed configuration. Every field is documented here; the CLI
// (cmd/arca) fills it from flags, each of which has an environment twin.
package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Config is everything the server needs to start.
type Config struct {
	// DataDir holds the metadata file, object blobs, generated TLS material, the account
	// identity and (if not given in the environment) the root credentials. --data, ARCA_DATA.
	DataDir string
	// Listen is the plain-HTTP address; "" disables it. --listen, ARCA_LISTEN.
	Listen string
	// TLSListen is the HTTPS address; "" disables it. --tls-listen, ARCA_TLS_LISTEN.
	TLSListen string
	// TLSCert and TLSKey are PEM files; when both are empty a self-signed certificate for
	// localhost/127.0.0.1 is generated into DataDir/tls on first start.
	// --tls-cert/ARCA_TLS_CERT, --tls-key/ARCA_TLS_KEY.
	TLSCert, TLSKey string
	// Region is the single region this server is. --region, ARCA_REGION.
	Region string
	// RootAccessKey and RootSecretKey are the account root's credentials; when empty they
	// are generated on first start and stored in DataDir (mode 0600).
	// ARCA_ROOT_ACCESS_KEY, ARCA_ROOT_SECRET_KEY (environment only: secrets stay off argv).
	RootAccessKey, RootSecretKey string
	// LegacyBucketEncryption restores the pre-2023 404 for GetBucketEncryption on a bucket
	// never configured. --compat-legacy-bucket-encryption, ARCA_COMPAT_LEGACY_BUCKET_ENCRYPTION.
	LegacyBucketEncryption bool
	// SSECAllowedByDefault creates new buckets without the SSE-C block S3 gives them since
	// April 2026 (docs/SSE.md), for test suites and scripts written before it.
	// --compat-ssec-allowed-by-default, ARCA_COMPAT_SSEC_ALLOWED_BY_DEFAULT.
	SSECAllowedByDefault bool
	// KMSDeletionGuard refuses DisableKey and ScheduleKeyDeletion of a key that still
	// protects objects unless the key is tagged arca:allow-deletion=true
	// (docs/BLAST-RADIUS.md). --kms-deletion-guard, ARCA_KMS_DELETION_GUARD.
	KMSDeletionGuard bool
	// Domains enable virtual-host-style addressing: "bucket.<domain>" names the bucket.
	// --domain, ARCA_DOMAIN (comma-separated).
	Domains []string
	// MetricsPublic serves /metrics without credentials. --metrics-public,
	// ARCA_METRICS_PUBLIC.
	MetricsPublic bool
	// AuditDisabled stops recording requests in the audit trail, for measuring what
	// auditing costs; never in production. --no-audit, ARCA_NO_AUDIT.
	AuditDisabled bool
	// AlarmRules is a JSON or YAML file of alarm rules (docs/ALARMS.md); "" runs the
	// built-in rules only. A bad file stops the server from starting. Alarms are off with
	// AuditDisabled. --alarm-rules, ARCA_ALARM_RULES.
	AlarmRules string
	// AlarmWebhook is the URL the built-in alarm rules (and file rules that give no
	// actions) POST alarms to; it wins over the file's defaults.webhook. --alarm-webhook,
	// ARCA_ALARM_WEBHOOK.
	AlarmWebhook string
	// NoDefaultAlarms turns the built-in alarm rules off. --no-default-alarms,
	// ARCA_NO_DEFAULT_ALARMS.
	NoDefaultAlarms bool
	// SigV2 accepts S3 requests signed with AWS Signature Version 2 (header, presigned URL
	// and POST form); off, they get "Please use AWS4-HMAC-SHA256" (docs/AUTH.md). Default
	// on. --sigv2, ARCA_SIGV2.
	SigV2 bool
	// LogLevel is debug, info, warn or error. --log-level, ARCA_LOG_LEVEL.
	LogLevel string
	// LogFormat is text or json. --log-format, ARCA_LOG_FORMAT.
	LogFormat string
	// RootKey is the root key as base64 of 32 bytes; it seals every KMS key material
	// version and every SSE-S3 master key at rest. ARCA_ROOT_KEY (environment only: secrets stay off argv).
	RootKey string
	// RootKeyFile is a file holding the root key as base64 text. --root-key-file,
	// ARCA_ROOT_KEY_FILE. With neither RootKey nor RootKeyFile, a root key is generated
	// into DataDir/kms-root-key on first start (development only: it sits beside the data).
	RootKeyFile string
	// KMSRateLimit is the per-account quota of KMS cryptographic operations per second
	// (token bucket); 0 turns it off. --kms-rate-limit, ARCA_KMS_RATE_LIMIT.
	KMSRateLimit float64
	// TrailDeliveryInterval is how often trails receive their log files (default 5 min);
	// TrailDigestInterval how often trails with log file validation receive a signed
	// digest (default 1 h). 0 means the default. --trail-delivery-interval,
	// ARCA_TRAIL_DELIVERY_INTERVAL; --trail-digest-interval, ARCA_TRAIL_DIGEST_INTERVAL.
	TrailDeliveryInterval, TrailDigestInterval time.Duration
	// AuditRetention is how long audit records are kept in the metadata file (LookupEvents
	// reads them; trails keep the long-term copy): older ones are pruned, never before
	// every trail has delivered them. 0 keeps them forever. Default 90 days (2160h).
	// --audit-retention, ARCA_AUDIT_RETENTION.
	AuditRetention time.Duration
	// AuditPruneInterval is how often pruning runs (0: every 10 minutes). Environment
	// only, for tests: ARCA_AUDIT_PRUNE_INTERVAL.
	AuditPruneInterval time.Duration
	// InventoryInterval is how often the inventory scheduler looks for configurations
	// whose report is due (0: every hour; docs/INVENTORY.md). --inventory-interval,
	// ARCA_INVENTORY_INTERVAL.
	InventoryInterval time.Duration
	// ComplianceInterval is how often every config rule without a
	// MaximumExecutionFrequency is evaluated in full (0: 24 h; docs/COMPLIANCE.md).
	// --compliance-interval, ARCA_COMPLIANCE_INTERVAL.
	ComplianceInterval time.Duration
	// AccessLogInterval is how often server access logs are delivered into their target
	// buckets (0: 5 min; docs/ACCESS-LOGS.md). --access-log-interval,
	// ARCA_ACCESS_LOG_INTERVAL.
	AccessLogInterval time.Duration
	// IdleTimeout is how long a request may go without a byte of its body arriving, or
	// without the client taking a byte of the response: past it the request ends with
	// S3's 400 RequestTimeout where a response can still be written, and the connection
	// is closed (docs/LIMITS.md). 0 turns it off. Default 20s. --idle-timeout,
	// ARCA_IDLE_TIMEOUT.
	IdleTimeout time.Duration
	// MaxRequests caps the requests being handled at once; beyond it a request is refused
	// at once, before authentication, with S3's 503 SlowDown (KMS, IAM/STS and CloudTrail
	// answer their own throttling error). 0 means no cap. Default 1024. --max-requests,
	// ARCA_MAX_REQUESTS.
	MaxRequests int
}

// DefaultAuditRetention is how long audit records are kept unless configured: the 90 days
// LookupEvents covers.
const DefaultAuditRetention = 90 * 24 * time.Hour

// DefaultIdleTimeout is how long a request body or response may stall unless configured:
// long enough for a client on a poor link, short enough that a stalled client gives its
// resources back soon.
const DefaultIdleTimeout = 20 * time.Second

// DefaultMaxRequests is the cap on requests in flight unless configured. A stalled upload
// holds 45 KiB of resident memory over HTTP, 61 KiB over HTTPS (measured with 500 of them),
// so 1024 keeps clients that trickle their bodies below 64 MiB, well inside the default
// 100 MiB heap limit, while admitting more concurrent clients than one node serves well.
// (A large PUT in progress also holds 4 MiB of copy buffers; disk and network bound how
// many of those run at once long before the cap does.)
const DefaultMaxRequests = 1024

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		DataDir:   "./arca-data",
		Listen:    "127.0.0.1:9000",
		TLSListen: "127.0.0.1:9443",
		Region:    "us-east-1",
		Domains:   []string{"localhost"},
		LogLevel:  "info",
		LogFormat: "text",
		SigV2:     true,

		AuditRetention: DefaultAuditRetention,
		IdleTimeout:    DefaultIdleTimeout,
		MaxRequests:    DefaultMaxRequests,
	}
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$`)

// Validate reports the first problem with c, phrased for a person.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("--data must name a directory")
	}
	if c.Listen == "" && c.TLSListen == "" {
		return fmt.Errorf("both --listen and --tls-listen are empty: nothing to serve")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together: give both or neither")
	}
	if !regionRE.MatchString(c.Region) {
		return fmt.Errorf("--region %q does not look like a region (e.g. us-east-1)", c.Region)
	}
	if (c.RootAccessKey == "") != (c.RootSecretKey == "") {
		return fmt.Errorf("ARCA_ROOT_ACCESS_KEY and ARCA_ROOT_SECRET_KEY go together: set both or neither")
	}
	if c.RootAccessKey != "" && (len(c.RootAccessKey) < 3 || len(c.RootAccessKey) > 128) {
		return fmt.Errorf("ARCA_ROOT_ACCESS_KEY must be 3 to 128 characters")
	}
	if c.RootSecretKey != "" && len(c.RootSecretKey) < 8 {
		return fmt.Errorf("ARCA_ROOT_SECRET_KEY must be at least 8 characters")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format %q: use text or json", c.LogFormat)
	}
	if c.RootKey != "" && c.RootKeyFile != "" {
		return fmt.Errorf("ARCA_ROOT_KEY and --root-key-file both give the root key: use one")
	}
	if c.TrailDeliveryInterval < 0 || c.TrailDigestInterval < 0 {
		return fmt.Errorf("--trail-delivery-interval and --trail-digest-interval must be positive durations (e.g. 5m, 1h)")
	}
	if c.AuditRetention < 0 || c.AuditPruneInterval < 0 {
		return fmt.Errorf("--audit-retention must be 0 (keep forever) or a positive duration (e.g. 2160h)")
	}
	if c.IdleTimeout < 0 {
		return fmt.Errorf("--idle-timeout must be 0 (off) or a positive duration (e.g. 20s)")
	}
	if c.MaxRequests < 0 {
		return fmt.Errorf("--max-requests must be 0 (no cap) or a positive number of requests")
	}
	if c.KMSRateLimit < 0 {
		return fmt.Errorf("--kms-rate-limit must be 0 (off) or a positive number of operations per second")
	}
	for _, d := range c.Domains {
		if d == "" || strings.ContainsAny(d, "/: ") {
			return fmt.Errorf("--domain %q is not a host name", d)
		}
	}
	return nil
}
