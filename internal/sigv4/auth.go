package sigv4

import (
	"net/http"
	"time"
)

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// checkTime applies the clock-skew rule (header auth) or the expiry rule
// (presigned).
func (v *Verifier) checkTime(a *authState) error {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	now := v.now()
	if a.method == AuthQuery {
		if a.t.Sub(now) > skew {
			return detail(ErrRequestExpired, "Request is not valid yet")
		}
		if now.Sub(a.t) > time.Duration(a.expires)*time.Second {
			return ErrRequestExpired
		}
		return nil
	}
	if d := now.Sub(a.t); d > skew || d < -skew {
		return ErrRequestTimeTooSkewed
	}
	return nil
}

// clean makes client text safe to echo in an error message.
func clean(s string) string {
	q := quote(s)
	return q[1 : len(q)-1]
}

func (v *Verifier) headerAuth(r *http.Request, authz []string, a *authState) error {
	if len(authz) != 1 {
		return malformedHeader("more than one Authorization header.")
	}
	h, err := parseAuthorization(authz[0])
	if err != nil {
		return err
	}
	cs, reason := parseCredential(h.credential)
	if reason != "" {
		return malformedHeader(reason)
	}
	if !v.regionOK(cs) {
		return malformedHeader("the region '" + clean(cs.region) + "' is wrong; expecting '" + v.Region + "'")
	}
	names, ok := parseSignedHeaders(h.signedHeaders)
	if !ok {
		return malformedHeader("the SignedHeaders component is not valid.")
	}
	if !hasName(names, "host") {
		return malformedHeader("the SignedHeaders component must include host.")
	}
	a.method, a.cred, a.signedHeaders, a.names, a.signature = AuthHeader, cs, h.signedHeaders, names, h.signature
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		if a.t, ok = parseAmzDate(d); !ok {
			return errNoDate
		}
		a.amzDate = d
	} else if d := r.Header.Get("Date"); d != "" {
		t, err := http.ParseTime(d)
		if err != nil {
			return errNoDate
		}
		a.t = t.UTC()
		a.amzDate = a.t.Format(amzDateForm)
	} else {
		return errNoDate
	}
	if cs.date != a.amzDate[:8] {
		return malformedHeader("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	a.token = r.Header.Get("X-Amz-Security-Token")
	return nil
}

func (v *Verifier) queryAuth(params []queryParam, a *authState) error {
	p, err := parsePresign(params)
	if err != nil {
		return err
	}
	cs, reason := parseCredential(p.credential)
	if reason != "" {
		return queryError(msgCredPrefix + reason)
	}
	if !v.regionOK(cs) {
		return queryError(msgCredPrefix + "the region '" + clean(cs.region) + "' is wrong; expecting '" + v.Region + "'")
	}
	names, ok := parseSignedHeaders(p.signedHeaders)
	if !ok {
		return queryError("X-Amz-SignedHeaders is not valid.")
	}
	if !hasName(names, "host") {
		return queryError("X-Amz-SignedHeaders must include host.")
	}
	if cs.date != p.date[:8] {
		return queryError("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	a.method, a.cred, a.signedHeaders, a.names, a.signature = AuthQuery, cs, p.signedHeaders, names, p.signature
	a.amzDate, a.expires, a.token = p.date, p.expiresSec, p.token
	a.t, _ = parseAmzDate(p.date)
	return nil
}
