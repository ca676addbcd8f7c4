package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/server"
)

const serverUsage = `Usage: arca server [flags]

Runs Arca's S3 endpoint on embedded storage (bbolt metadata, object files), serving the same
API on plain HTTP and on HTTPS. Every flag has an environment twin, shown in brackets; a flag
given on the command line wins. The root credentials come from the environment only
(ARCA_ROOT_ACCESS_KEY, ARCA_ROOT_SECRET_KEY); when unset on first start they are generated,
stored in the data directory (mode 0600) and printed once.

The built-in KMS seals every key's material under a root key: base64 of 32 bytes, given in
ARCA_ROOT_KEY (environment only) or in a file named by --root-key-file. With neither, a root
key is generated into <data>/kms-root-key with a loud warning: it then sits beside the data it
protects, which is for development only. Change it with 'arca admin rotate-root-key'.

Flags:
`

func runServer(args []string, stdout, stderr io.Writer) error {
	d := config.Default()
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	cfg := config.Config{}
	fs.StringVar(&cfg.DataDir, "data", envOr("ARCA_DATA", d.DataDir), "data directory [ARCA_DATA]")
	fs.StringVar(&cfg.Listen, "listen", envOr("ARCA_LISTEN", d.Listen), `plain HTTP address; "" disables it [ARCA_LISTEN]`)
	fs.StringVar(&cfg.TLSListen, "tls-listen", envOr("ARCA_TLS_LISTEN", d.TLSListen), `HTTPS address; "" disables it [ARCA_TLS_LISTEN]`)
	fs.StringVar(&cfg.TLSCert, "tls-cert", envOr("ARCA_TLS_CERT", ""), "PEM certificate for HTTPS; default: a self-signed one generated into the data directory [ARCA_TLS_CERT]")
	fs.StringVar(&cfg.TLSKey, "tls-key", envOr("ARCA_TLS_KEY", ""), "PEM private key for --tls-cert [ARCA_TLS_KEY]")
	fs.StringVar(&cfg.Region, "region", envOr("ARCA_REGION", d.Region), "the region this server is [ARCA_REGION]")
	domains := fs.String("domain", envOr("ARCA_DOMAIN", strings.Join(d.Domains, ",")), "comma-separated domains for virtual-host-style requests (bucket.<domain>) [ARCA_DOMAIN]")
	fs.BoolVar(&cfg.LegacyBucketEncryption, "compat-legacy-bucket-encryption", envBool("ARCA_COMPAT_LEGACY_BUCKET_ENCRYPTION"), "GetBucketEncryption on a never-configured bucket answers 404 as S3 did before 2023 [ARCA_COMPAT_LEGACY_BUCKET_ENCRYPTION]")
	fs.BoolVar(&cfg.SSECAllowedByDefault, "compat-ssec-allowed-by-default", envBool("ARCA_COMPAT_SSEC_ALLOWED_BY_DEFAULT"), "create buckets that accept SSE-C writes, as S3 did before April 2026 (new buckets block SSE-C until PutBucketEncryption with BlockedEncryptionTypes NONE) [ARCA_COMPAT_SSEC_ALLOWED_BY_DEFAULT]")
	fs.BoolVar(&cfg.KMSDeletionGuard, "kms-deletion-guard", envBool("ARCA_KMS_DELETION_GUARD"), "refuse DisableKey and ScheduleKeyDeletion of a KMS key that still protects objects, unless the key is tagged arca:allow-deletion=true (docs/BLAST-RADIUS.md) [ARCA_KMS_DELETION_GUARD]")
	fs.BoolVar(&cfg.MetricsPublic, "metrics-public", envBool("ARCA_METRICS_PUBLIC"), "serve /metrics without the root credentials [ARCA_METRICS_PUBLIC]")
	fs.BoolVar(&cfg.AuditDisabled, "no-audit", envBool("ARCA_NO_AUDIT"), "do not record requests in the audit trail (benchmarks only) [ARCA_NO_AUDIT]")
	fs.StringVar(&cfg.AlarmRules, "alarm-rules", envOr("ARCA_ALARM_RULES", ""), "JSON or YAML file of alarm rules (docs/ALARMS.md); a bad file stops the server [ARCA_ALARM_RULES]")
	fs.StringVar(&cfg.AlarmWebhook, "alarm-webhook", envOr("ARCA_ALARM_WEBHOOK", ""), "URL the built-in alarms (and rules without actions) POST to [ARCA_ALARM_WEBHOOK]")
	fs.BoolVar(&cfg.NoDefaultAlarms, "no-default-alarms", envBool("ARCA_NO_DEFAULT_ALARMS"), "turn the built-in alarm rules off [ARCA_NO_DEFAULT_ALARMS]")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr("ARCA_LOG_LEVEL", d.LogLevel), "debug, info, warn or error [ARCA_LOG_LEVEL]")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr("ARCA_LOG_FORMAT", d.LogFormat), "text or json [ARCA_LOG_FORMAT]")
	fs.StringVar(&cfg.RootKeyFile, "root-key-file", envOr("ARCA_ROOT_KEY_FILE", ""), "file holding the KMS root key as base64 of 32 bytes (default: ARCA_ROOT_KEY, else a development key generated into the data directory) [ARCA_ROOT_KEY_FILE]")
	applyTrailFlags := registerTrailFlags(fs)
	applyInventoryFlags := registerInventoryFlags(fs)
	fs.BoolVar(&cfg.SigV2, "sigv2", d.SigV2 && (os.Getenv("ARCA_SIGV2") == "" || envBool("ARCA_SIGV2")), "accept S3 requests signed with Signature Version 2; --sigv2=false answers them \"Please use AWS4-HMAC-SHA256\" [ARCA_SIGV2]")
	idle := fs.String("idle-timeout", envOr("ARCA_IDLE_TIMEOUT", d.IdleTimeout.String()), "how long a request body may go without a byte arriving, or a response without the client taking one; then 400 RequestTimeout and the connection closes; 0 = off [ARCA_IDLE_TIMEOUT]")
	maxReq := fs.String("max-requests", envOr("ARCA_MAX_REQUESTS", strconv.Itoa(d.MaxRequests)), "requests handled at once; beyond it 503 SlowDown before any authentication work; 0 = no cap [ARCA_MAX_REQUESTS]")
	complianceEvery := fs.String("compliance-interval", envOr("ARCA_COMPLIANCE_INTERVAL", "24h"), "how often every config rule without a MaximumExecutionFrequency is evaluated in full (rules are also evaluated on every relevant change; docs/COMPLIANCE.md) [ARCA_COMPLIANCE_INTERVAL]")
	accessLogEvery := fs.String("access-log-interval", envOr("ARCA_ACCESS_LOG_INTERVAL", "5m"), "how often server access logs are delivered into their target buckets (docs/ACCESS-LOGS.md) [ARCA_ACCESS_LOG_INTERVAL]")
	rate := fs.String("kms-rate-limit", envOr("ARCA_KMS_RATE_LIMIT", "0"), "KMS cryptographic operations per second allowed per account (token bucket; beyond it ThrottlingException); 0 = no limit [ARCA_KMS_RATE_LIMIT]")
	if err := parseFlags(fs, args, serverUsage, stdout); err != nil {
		return err
	}
	if err := applyTrailFlags(&cfg); err != nil {
		return err
	}
	if err := applyInventoryFlags(&cfg); err != nil {
		return err
	}
	var err error
	if cfg.KMSRateLimit, err = strconv.ParseFloat(*rate, 64); err != nil {
		return &usageError{msg: fmt.Sprintf("--kms-rate-limit %q is not a number", *rate), hint: "give operations per second, e.g. 500, or 0 for no limit"}
	}
	if cfg.ComplianceInterval, err = time.ParseDuration(*complianceEvery); err != nil || cfg.ComplianceInterval < time.Second {
		return &usageError{msg: fmt.Sprintf("--compliance-interval %q is not a duration of at least 1s", *complianceEvery), hint: "give a duration such as 1h or 24h"}
	}
	if cfg.AccessLogInterval, err = time.ParseDuration(*accessLogEvery); err != nil || cfg.AccessLogInterval < time.Second {
		return &usageError{msg: fmt.Sprintf("--access-log-interval %q is not a duration of at least 1s", *accessLogEvery), hint: "give a duration such as 1m or 5m"}
	}
	if cfg.IdleTimeout, err = time.ParseDuration(*idle); err != nil || cfg.IdleTimeout < 0 {
		return &usageError{msg: fmt.Sprintf("--idle-timeout %q is not a duration", *idle), hint: "give a duration such as 20s, or 0 to turn the timeout off"}
	}
	if cfg.MaxRequests, err = strconv.Atoi(*maxReq); err != nil || cfg.MaxRequests < 0 {
		return &usageError{msg: fmt.Sprintf("--max-requests %q is not a number of requests", *maxReq), hint: "give a count such as 1024, or 0 for no cap"}
	}
	cfg.RootKey = os.Getenv("ARCA_ROOT_KEY")
	cfg.RootAccessKey = os.Getenv("ARCA_ROOT_ACCESS_KEY")
	cfg.RootSecretKey = os.Getenv("ARCA_ROOT_SECRET_KEY")
	for _, dm := range strings.Split(*domains, ",") {
		if dm = strings.TrimSpace(dm); dm != "" {
			cfg.Domains = append(cfg.Domains, dm)
		}
	}
	if err := cfg.Validate(); err != nil {
		return &usageError{msg: err.Error(), hint: "run 'arca server --help' to see the flags"}
	}
	log := newLogger(cfg, stderr)
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// A soft heap limit keeps the server's memory bounded under large transfers (the
		// GC works harder near it); measured: 64 MiB PUT/GET throughput unchanged, peak
		// RSS 198 -> 150 MiB at 8 concurrent clients. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	srv, err := server.New(cfg, log)
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	srv.Banner(stdout)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return srv.Serve(ctx)
}

// defaultMemoryLimit is the server's soft Go heap limit unless GOMEMLIMIT is set.
const defaultMemoryLimit = 100 << 20

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
