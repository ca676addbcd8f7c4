package trailapi

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
)

// epoch is a JSON 1.1 timestamp: seconds since the epoch as a number (what the SDKs and
// the aws CLI send), or an RFC 3339 string.
type epoch struct{ time.Time }

func (e *epoch) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			e.Time = fromFloat(f)
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		e.Time = t
		return err
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	e.Time = fromFloat(f)
	return nil
}

func (e epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatInt(e.Unix(), 10)), nil
}

func fromFloat(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if json.Unmarshal(body, v) != nil {
		return apierr.TrailSerialization
	}
	return nil
}

type lookupIn struct {
	LookupAttributes []struct{ AttributeKey, AttributeValue string }
	StartTime        *epoch
	EndTime          *epoch
	EventCategory    string
	MaxResults       *int
	NextToken        string
}

type resourceOut struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

type eventOut struct {
	EventId         string
	EventName       string
	ReadOnly        string
	AccessKeyId     string `json:",omitempty"`
	EventTime       epoch
	EventSource     string
	Username        string `json:",omitempty"`
	Resources       []resourceOut
	CloudTrailEvent string
}

type lookupOut struct {
	Events    []eventOut
	NextToken string `json:",omitempty"`
}

func (a *API) lookupEvents(ctx context.Context, account string, body []byte) (any, error) {
	var in lookupIn
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.EventCategory != "" {
		if in.EventCategory != "insight" {
			return nil, apierr.NewJSON("InvalidEventCategoryException", 400, "EventCategory must be insight.")
		}
		return lookupOut{Events: []eventOut{}}, nil // Arca records no Insights events
	}
	q := audit.Query{NextToken: in.NextToken, Account: account} // only the caller's account's event history
	if len(in.LookupAttributes) > 1 {
		return nil, apierr.NewJSON("InvalidLookupAttributesException", 400, "You cannot specify more than one lookup attribute.")
	}
	if len(in.LookupAttributes) == 1 {
		q.Attribute, q.Value = in.LookupAttributes[0].AttributeKey, in.LookupAttributes[0].AttributeValue
	}
	if in.StartTime != nil {
		q.Start = in.StartTime.Time
	}
	if in.EndTime != nil {
		q.End = in.EndTime.Time
	}
	if in.MaxResults != nil {
		q.MaxResults = *in.MaxResults
		if q.MaxResults == 0 {
			q.MaxResults = -1
		}
	}
	// The lookup's errors (attribute, time range, MaxResults, token) are apierr's to word.
	evs, next, err := a.trail.Lookup(q, a.cfg.Now())
	if err != nil {
		return nil, err
	}
	out := lookupOut{Events: make([]eventOut, 0, len(evs)), NextToken: next}
	for _, e := range evs {
		r := e.Record
		eo := eventOut{EventId: r.EventID, EventName: r.EventName, ReadOnly: strconv.FormatBool(r.ReadOnly),
			AccessKeyId: r.UserIdentity.AccessKeyID, EventTime: epoch{r.EventTime}, EventSource: r.EventSource,
			Username: r.Username(), Resources: []resourceOut{}, CloudTrailEvent: string(e.JSON)}
		for _, res := range r.Resources {
			eo.Resources = append(eo.Resources, resourceOut{ResourceType: res.Type, ResourceName: audit.ResourceName(res.ARN)})
		}
		out.Events = append(out.Events, eo)
	}
	return out, nil
}
