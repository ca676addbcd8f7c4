// Package audithttp fills the parts of an audit.Record that come from the HTTP request and
// the authenticated identity (source address, user agent, TLS details, userIdentity), so
// that the API packages' choke points share one way of doing it and internal/audit stays
// free of HTTP.
package audithttp

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/iam"
)

// Base returns a record with the request's caller fields set. anonymous marks an unsigned
// request; a zero id that is not anonymous is a request that failed authentication, shown
// with the access key id it claimed (never its signature).
func Base(r *http.Request, id iam.Identity, anonymous bool) *audit.Record {
	rec := &audit.Record{
		EventTime:       time.Now(),
		UserIdentity:    Identity(id),
		SourceIPAddress: SourceIP(r),
		UserAgent:       r.UserAgent(),
	}
	switch {
	case anonymous:
		rec.UserIdentity = audit.UserIdentity{Type: "AWSAccount", AccountID: "anonymous"}
	case id.Type == "":
		rec.UserIdentity = audit.UserIdentity{Type: "Unknown", AccessKeyID: ClaimedAccessKey(r)}
	}
	if r.TLS != nil {
		rec.TLSDetails = &audit.TLSDetails{TLSVersion: tlsVersion(r.TLS.Version),
			CipherSuite: tls.CipherSuiteName(r.TLS.CipherSuite), ClientProvidedHostHeader: r.Host}
	}
	return rec
}

// Identity is the record's userIdentity for an authenticated principal.
func Identity(id iam.Identity) audit.UserIdentity {
	return audit.UserIdentity{Type: id.Type, PrincipalID: id.UserID, ARN: id.ARN, AccountID: id.AccountID,
		AccessKeyID: id.AccessKeyID, UserName: id.UserName}
}

// SourceIP is the client's address (the peer; forwarding headers are not trusted).
func SourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClaimedAccessKey is the access key id a SigV4 request names (header or presigned query).
func ClaimedAccessKey(r *http.Request) string {
	cred := ""
	if h := r.Header.Get("Authorization"); h != "" {
		if _, after, ok := strings.Cut(h, "Credential="); ok {
			cred = after
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	key, _, _ := strings.Cut(cred, "/")
	if len(key) > 128 {
		return ""
	}
	return strings.TrimSpace(key)
}

// AuthMethod is S3's AuthenticationMethod: AuthHeader or QueryString ("" when unsigned).
func AuthMethod(r *http.Request) string {
	switch {
	case r.Header.Get("Authorization") != "":
		return "AuthHeader"
	case r.URL.Query().Has("X-Amz-Signature"):
		return "QueryString"
	}
	return ""
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return tls.VersionName(v)
}
