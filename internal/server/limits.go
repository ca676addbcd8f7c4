package server

import (
	"net/http"
	"sync/atomic"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iamapi"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/trailapi"
)

// requestLimit counts the requests being handled against Config.MaxRequests. A request
// beyond the cap is refused at once; it never waits for a slot, so nothing queues behind
// the cap and a graceful shutdown never waits on it.
type requestLimit struct{ n atomic.Int64 }

// acquire takes a slot if fewer than max are taken. Every successful acquire needs one
// release.
func (l *requestLimit) acquire(max int) bool {
	if l.n.Add(1) > int64(max) {
		l.n.Add(-1)
		return false
	}
	return true
}

func (l *requestLimit) release() { l.n.Add(-1) }

// Throttling errors of the JSON and query protocols, as AWS words them.
const (
	msgRateExceeded = "Rate exceeded"
	msgKMSThrottled = "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."
)

// rejectBusy answers a request that found every slot taken, through its protocol's choke
// point (so it has the protocol's error shape, request id, metrics and audit record) but
// before any authentication work: S3's 503 SlowDown, KMS's and CloudTrail's
// ThrottlingException, IAM's and STS's Throttling.
func (s *Server) rejectBusy(w http.ResponseWriter, r *http.Request) {
	switch {
	case kmsapi.IsKMSRequest(r):
		s.kmsAPI.Reject(w, r, errs.New(kms.ErrThrottled, msgKMSThrottled))
	case trailapi.IsRequest(r):
		s.trailAPI.Reject(w, r, apierr.NewJSON("ThrottlingException", http.StatusBadRequest, msgRateExceeded))
	case iamapi.Service(r) != "" || isQueryRequest(r):
		svc := iamapi.Service(r)
		if svc == "" {
			svc = iamapi.ServiceIAM
		}
		s.iamAPI.Reject(w, r, svc, &apierr.IAMError{Code: "Throttling", Status: http.StatusBadRequest, Message: msgRateExceeded})
	default:
		s.s3.Reject(w, r, apierr.SlowDown)
	}
}
