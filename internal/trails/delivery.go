package trails

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/audit"
)

// Bounds of one log file: a delivery of more records writes several files.
const (
	maxFileRecords = 10000
	maxFileBytes   = 4 << 20 // uncompressed JSON
)

// Run delivers every DeliveryInterval and digests every DigestInterval until ctx is done.
func (s *Service) Run(ctx context.Context) {
	deliver := time.NewTicker(s.cfg.DeliveryInterval)
	defer deliver.Stop()
	digest := time.NewTicker(s.cfg.DigestInterval)
	defer digest.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-deliver.C:
			s.tick(ctx, false)
		case <-digest.C:
			s.tick(ctx, true)
		}
	}
}

// tick delivers (and, with digests, digests) every trail; failures are kept in the
// trail's status and logged, and retried at the next tick.
func (s *Service) tick(ctx context.Context, digests bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.all()
	if err != nil {
		s.cfg.Log.Error("trails: listing trails for delivery", "err", err)
		return
	}
	var head uint64
	if len(all) > 0 {
		if head, err = s.cfg.Records.Head(); err != nil {
			s.cfg.Log.Error("trails: reading the audit trail for delivery", "err", err)
			return
		}
	}
	for _, t := range all {
		if _, _, err := s.deliver(ctx, t, bound(t, head)); err != nil {
			s.cfg.Log.Error("trails: delivery failed; retrying at the next interval", "trail", t.Name, "err", err)
			continue
		}
		if digests && wantsDigest(t) {
			if _, err := s.digest(ctx, t); err != nil {
				s.cfg.Log.Error("trails: digest delivery failed; retrying at the next interval", "trail", t.Name, "err", err)
			}
		}
	}
}

// bound is the last record a trail should deliver now.
func bound(t *Trail, head uint64) uint64 {
	if t.IsLogging {
		return head
	}
	return t.StopSeq
}

// PruneBound is the highest record seq the audit records may be pruned through
// (audit.Trail.Prune's maxSeq): the newest committed record, or less while a trail with a
// bucket still has records to deliver (a logging trail, or a stopped one with records
// from before StopLogging left): then the lowest such trail's cursor. The default trail
// holds nothing back. Cursors only move forward, and a trail started later begins after
// the head read here, so the bound stays safe until the next call.
func (s *Service) PruneBound() (uint64, error) {
	var upTo uint64
	err := s.cfg.DB.View(func(tx kv.Tx) error {
		upTo = audit.HeadTx(tx)
		all, err := loadAll(tx)
		for _, t := range all {
			if t.Bucket != "" && (t.IsLogging || t.Cursor < t.StopSeq) {
				upTo = min(upTo, t.Cursor)
			}
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return upTo, nil
}

// wantsDigest: a trail with validation gets a digest every interval while it logs (an empty
// one too, which asserts that nothing was delivered), and a last one after it stopped.
func wantsDigest(t *Trail) bool {
	return t.Validation && (t.IsLogging || len(t.Pending) > 0)
}

// FlushResult is what Flush did for one trail.
type FlushResult struct {
	Name          string
	Bucket        string
	Files         int
	Records       int
	DigestKey     string // "" when no digest was written
	DeliveryError string
}

// Flush commits queued records, then delivers pending records and writes a digest now, for
// account's trail ref (name or ARN) or, with ref "", for every trail of account's.
func (s *Service) Flush(ctx context.Context, account, ref string) ([]FlushResult, error) {
	account = s.account(account)
	name := ""
	if ref != "" {
		var err error
		if name, err = s.nameOf(account, ref); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	head, err := s.cfg.Records.Head()
	if err != nil {
		return nil, err
	}
	if name == DefaultName {
		return []FlushResult{{Name: DefaultName}}, nil // committing the queue is all it needs
	}
	var all []*Trail
	if name != "" {
		t, err := s.get(account, name, ref)
		if err != nil {
			return nil, err
		}
		all = []*Trail{t}
	} else if all, err = s.List(account); err != nil {
		return nil, err
	} else {
		all = all[1:] // without the default trail
	}
	out := make([]FlushResult, 0, len(all))
	for _, t := range all {
		r := FlushResult{Name: t.Name, Bucket: t.Bucket}
		r.Files, r.Records, err = s.deliver(ctx, t, bound(t, head))
		if err == nil && wantsDigest(t) {
			r.DigestKey, err = s.digest(ctx, t)
		}
		if err != nil {
			r.DeliveryError = err.Error()
		}
		out = append(out, r)
	}
	return out, nil
}

// deliver writes t's account's records (those whose recipientAccountId is its account)
// after t.Cursor up to upTo into t's bucket, a file at a time, advancing the stored cursor
// after each file is durable. t is updated in place.
func (s *Service) deliver(ctx context.Context, t *Trail, upTo uint64) (files, records int, err error) {
	account := t.OwnerAccount(s.cfg.AccountID)
	for t.Cursor < upTo {
		read, err := audit.ReadAfter(s.cfg.DB, t.Cursor, upTo, maxFileRecords, maxFileBytes)
		if err != nil {
			return files, records, err
		}
		next := upTo // records missing from the store (Verify reports them): skip the gap
		if len(read) > 0 {
			next = read[len(read)-1].Seq
		}
		recs := ofAccount(read, account, s.cfg.AccountID)
		var lf *LogFile
		if len(recs) > 0 {
			now := s.cfg.Now().UTC()
			if lf, err = s.writeLog(ctx, t, recs, now); err != nil {
				s.noteDelivery(t, now, err)
				return files, records, err
			}
			files, records = files+1, records+len(recs)
		}
		pending := t.Pending
		if lf != nil && t.Validation {
			pending = append(append([]LogFile(nil), t.Pending...), *lf)
		}
		now := s.cfg.Now().UTC()
		prevCursor := t.Cursor
		err = s.update(t, func(st *Trail) error {
			if st.Cursor != prevCursor {
				return fmt.Errorf("trails: cursor of %s moved during delivery", t.Name)
			}
			st.Cursor, st.Pending = next, pending
			st.LastDelivery, st.LastDeliveryAttempt, st.DeliveryError = now, now, ""
			return nil
		})
		if err != nil {
			return files, records, err
		}
		t.Cursor, t.Pending = next, pending
		t.LastDelivery, t.LastDeliveryAttempt, t.DeliveryError = now, now, ""
	}
	return files, records, nil
}

// writeLog writes one log file of recs and returns its digest entry.
func (s *Service) writeLog(ctx context.Context, t *Trail, recs []audit.Stored, now time.Time) (*LogFile, error) {
	body, hash, oldest, newest := buildLog(recs)
	gz, err := gzipBytes(body)
	if err != nil {
		return nil, err
	}
	key := logKey(t.Prefix, t.OwnerAccount(s.cfg.AccountID), s.cfg.Region, now)
	if err := s.put(ctx, t, key, gz, nil); err != nil {
		return nil, err
	}
	return &LogFile{Bucket: t.Bucket, Key: key, Hash: hash, Oldest: oldest, Newest: newest}, nil
}

func (s *Service) put(ctx context.Context, t *Trail, key string, gz []byte, meta map[string]string) error {
	o := Object{Account: t.OwnerAccount(s.cfg.AccountID), Bucket: t.Bucket, Key: key, Body: gz, ContentType: "application/json", ContentEncoding: "gzip", UserMeta: meta}
	if t.KMSKeyARN != "" {
		o.KMSKeyARN = t.KMSKeyARN
		o.EncryptionContext = map[string]string{"aws:cloudtrail:arn": t.ARN}
	}
	return s.cfg.PutObject(ctx, o)
}

// noteDelivery keeps a failed attempt in the trail's status (best effort).
func (s *Service) noteDelivery(t *Trail, at time.Time, derr error) {
	msg := derr.Error()
	s.update(t, func(st *Trail) error {
		st.LastDeliveryAttempt, st.DeliveryError = at, msg
		return nil
	})
	t.LastDeliveryAttempt, t.DeliveryError = at, msg
}

// digest writes t's next digest: the log files delivered since the previous one, chained
// to it, signed. Its end time is after the previous digest's (waiting for the next second
// if need be), so no digest ever replaces another.
func (s *Service) digest(ctx context.Context, t *Trail) (string, error) {
	key, fp, err := s.signer()
	if err != nil {
		return "", err
	}
	end := s.cfg.Now().UTC().Truncate(time.Second)
	if t.Prev != nil && !end.After(t.Prev.End) {
		end = t.Prev.End.Add(time.Second)
	}
	if d := time.Until(end); d > 0 && d <= 2*time.Second {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	start := t.DigestFrom
	if start.IsZero() || start.After(end) {
		start = end
	}
	account := t.OwnerAccount(s.cfg.AccountID)
	objKey := digestKey(t.Prefix, account, s.cfg.Region, t.Name, end)
	files := t.Pending
	doc := newDigest(account, t.Bucket, objKey, fp, start, end, files, t.Prev)
	raw, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	sig, err := sign(key, StringToSign(doc.DigestEndTime, doc.DigestS3Bucket, doc.DigestS3Object, raw, doc.PreviousDigestSignature))
	if err != nil {
		return "", err
	}
	gz, err := gzipBytes(raw)
	if err != nil {
		return "", err
	}
	now := s.cfg.Now().UTC()
	meta := map[string]string{"signature": sig, "signature-algorithm": SignatureAlgorithm}
	if err := s.put(ctx, t, objKey, gz, meta); err != nil {
		msg := err.Error()
		s.update(t, func(st *Trail) error { st.DigestError = msg; return nil })
		t.DigestError = msg
		return "", err
	}
	sum := sha256.Sum256(raw)
	ref := &DigestRef{Bucket: t.Bucket, Key: objKey, Hash: hex.EncodeToString(sum[:]), Signature: sig, End: end}
	n := len(files)
	err = s.update(t, func(st *Trail) error {
		st.Pending = append([]LogFile(nil), st.Pending[min(n, len(st.Pending)):]...)
		st.Prev, st.DigestFrom, st.LastDigest, st.DigestError = ref, end, now, ""
		return nil
	})
	if err != nil {
		return "", err
	}
	t.Pending = append([]LogFile(nil), t.Pending[n:]...)
	t.Prev, t.DigestFrom, t.LastDigest, t.DigestError = ref, end, now, ""
	return objKey, nil
}

// ofAccount keeps account's records (audit.Record.VisibleTo: those whose
// recipientAccountId is account), in order. A record whose JSON does not decode (damaged:
// Verify names it) goes to the primary account's trails, as before accounts existed.
func ofAccount(recs []audit.Stored, account, primary string) []audit.Stored {
	out := recs[:0:0]
	for _, r := range recs {
		var v struct {
			Recipient string `json:"recipientAccountId"`
		}
		if err := json.Unmarshal(r.JSON, &v); err != nil {
			v.Recipient = primary
		}
		if v.Recipient == account {
			out = append(out, r)
		}
	}
	return out
}
