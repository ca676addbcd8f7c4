package server

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/arcastore/arca/internal/accountapi"
	"github.com/arcastore/arca/internal/analyzerapi"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/configapi"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/iamapi"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/macieapi"
	"github.com/arcastore/arca/internal/s3api"
	"github.com/arcastore/arca/internal/sigv4"
	"github.com/arcastore/arca/internal/trailapi"
)

// serveHTTP is the way every request enters: under the idle timeout and within the cap on
// requests in flight (docs/LIMITS.md), a metrics scrape, else authenticate once, then route
// by the signing service.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var iw *idleWatch
	if d := s.cfg.IdleTimeout; d > 0 {
		iw = watchIdle(w, r, d)
		defer iw.done()
		w = iw
	}
	if max := s.cfg.MaxRequests; max > 0 {
		if !s.limit.acquire(max) {
			s.rejectBusy(w, r)
			return
		}
		defer s.limit.release()
	}
	if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && !sigv4Signed(r) {
		s.serveMetrics(w, r)
		return
	}
	if r.Method == http.MethodOptions {
		// A CORS preflight carries no credentials (even ahead of a presigned URL): S3
		// answers it from the bucket's CORS rules alone (docs/CORS.md).
		s.s3.Preflight(w, r)
		return
	}
	res, err := s.verify(r, iw)
	var id iam.Identity
	if err == nil && res.Method != sigv4.AuthNone {
		// Verify resolved this key a moment ago; a key deleted or disabled in between
		// fails here as it would have there.
		id, err = s.creds.identify(r.Context(), res.AccessKeyID)
	}
	if err != nil {
		if kmsapi.IsKMSRequest(r) {
			s.kmsAPI.Reject(w, r, err)
			return
		}
		if trailapi.IsRequest(r) {
			s.trailAPI.Reject(w, r, apierr.TrailUnrecognizedClient)
			return
		}
		if analyzerapi.IsRequest(r) {
			s.analyzerAPI.Reject(w, r)
			return
		}
		if accountapi.IsRequest(r) {
			s.accountAPI.Reject(w, r, apierr.AccountUnrecognizedClient)
			return
		}
		if configapi.IsRequest(r) {
			s.configAPI.Reject(w, r, apierr.ConfigUnrecognizedClient)
			return
		}
		if macieapi.IsRequest(r) {
			s.macieAPI.Reject(w, r, apierr.MacieUnrecognizedClient)
			return
		}
		if svc := iamapi.Service(r); svc != "" {
			s.iamAPI.Reject(w, r, svc, err)
			return
		}
		s.s3.Reject(w, r, err)
		return
	}
	service := res.Service
	if res.Method == sigv4.AuthNone {
		if kmsapi.IsKMSRequest(r) {
			s.kmsAPI.Reject(w, r, apierr.KMSMissingAuthToken)
			return
		}
		if trailapi.IsRequest(r) {
			s.trailAPI.Reject(w, r, apierr.TrailMissingAuthToken)
			return
		}
		if accountapi.IsRequest(r) {
			s.accountAPI.Reject(w, r, apierr.AccountMissingAuthToken)
			return
		}
		if configapi.IsRequest(r) {
			s.configAPI.Reject(w, r, apierr.ConfigMissingAuthToken)
			return
		}
		if isQueryRequest(r) {
			s.iamAPI.Reject(w, r, iamapi.ServiceIAM, apierr.IAMMissingAuthToken)
			return
		}
		service = "s3"
	}
	switch service {
	case "kms":
		s.kmsAPI.Serve(w, r, &kmsapi.Caller{Principal: kmsapi.PrincipalOf(id, s.id.AccountID), Identity: id, TLS: r.TLS != nil, Body: res.Body, ContentLength: res.ContentLength})
	case "s3":
		s.s3.Serve(w, r, &s3api.Caller{
			AccessKeyID:   res.AccessKeyID,
			Identity:      id,
			Anonymous:     res.Method == sigv4.AuthNone,
			TLS:           r.TLS != nil,
			Body:          res.Body,
			ContentLength: res.ContentLength,
			Trailer:       res.Trailer,

			SignatureVersion: res.Version.String(),
		})
	case "cloudtrail":
		s.trailAPI.Serve(w, r, id, res.Body)
	case accountapi.Service:
		s.accountAPI.Serve(w, r, id, res.Body)
	case configapi.Service:
		s.configAPI.Serve(w, r, id, res.Body)
	case analyzerapi.Service:
		s.analyzerAPI.Serve(w, r, id, res.Body)
	case macieapi.Service:
		s.macieAPI.Serve(w, r, id, res.Body)
	case iamapi.ServiceIAM, iamapi.ServiceSTS:
		s.iamAPI.Serve(w, r, &iamapi.Caller{Identity: id, Service: service, Body: res.Body})
	default:
		s.s3.Reject(w, r, apierr.NotImplemented.Msg("Arca does not serve the %q service yet.", service))
	}
}

// verify authenticates r; the body it hands on reads through the idle watch when there is
// one. r.Body is the server's own again afterwards, so that the server still sees whether
// the handler read or closed it when it decides to keep the connection.
func (s *Server) verify(r *http.Request, iw *idleWatch) (*sigv4.Result, error) {
	if iw == nil || iw.body == nil {
		return s.verifier.Verify(r)
	}
	orig := r.Body
	r.Body = iw.body
	defer func() { r.Body = orig }()
	return s.verifier.Verify(r)
}

func sigv4Signed(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-") || r.URL.Query().Has("X-Amz-Signature")
}

// serveMetrics serves Prometheus metrics. Unless --metrics-public, the root credentials are
// required as HTTP Basic auth (access key id as user, secret as password), which Prometheus
// scrape configs support; serve it over HTTPS when the network is not trusted.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.MetricsPublic {
		user, pass, ok := r.BasicAuth()
		okUser := subtle.ConstantTimeCompare([]byte(user), []byte(s.root.AccessKeyID)) == 1
		okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(s.root.SecretAccessKey)) == 1
		if !ok || !okUser || !okPass {
			w.Header().Set("WWW-Authenticate", `Basic realm="arca metrics"`)
			http.Error(w, "metrics require the root credentials (HTTP Basic auth) or --metrics-public", http.StatusUnauthorized)
			return
		}
	}
	s.metrics.Handler().ServeHTTP(w, r)
}
