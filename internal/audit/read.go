package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Stored is one committed record as trail delivery reads it: its sequence number and its
// JSON exactly as stored (and chained).
type Stored struct {
	Seq  uint64
	JSON []byte
}

// Time is the record's eventTime (false if it cannot be read).
func (s Stored) Time() (time.Time, bool) { return recordTime(s.JSON) }

// Head returns the sequence number of the newest committed record (0 for none), after
// committing what is queued, so that a caller reading up to it sees every record handed
// to Handle before the call.
func (t *Trail) Head() (uint64, error) {
	if err := t.Flush(); err != nil {
		return 0, err
	}
	var seq uint64
	err := t.db.View(func(tx kv.Tx) error {
		seq = HeadTx(tx)
		return nil
	})
	return seq, err
}

// HeadTx is the sequence number of the newest record committed in tx's view (0 for none).
func HeadTx(tx kv.Tx) uint64 {
	hb := tx.Bucket(bucketHead)
	if hb == nil {
		return 0
	}
	if h := hb.Get(keyHead); len(h) == 8+sha256.Size {
		return binary.BigEndian.Uint64(h)
	}
	return 0
}

// ReadAfter returns committed records with after < seq <= upTo in order, stopping after
// maxRecords records or once their JSON adds up to maxBytes (at least one record is
// returned when there is one). It reads the store directly, so records still
// queued are not seen: call Head first. Pruned records (Prune) are gone: a reader whose
// after is below the pruning checkpoint gets the records from the checkpoint on
// (trails.Service.PruneBound keeps pruning behind every trail's cursor).
func ReadAfter(db kv.DB, after, upTo uint64, maxRecords, maxBytes int) ([]Stored, error) {
	var out []Stored
	err := db.View(func(tx kv.Tx) error {
		ev := tx.Bucket(bucketEvents)
		if ev == nil {
			return nil
		}
		size := 0
		c := ev.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil; k, v = c.Next() {
			seq := keySeq(k)
			if len(k) != 8 || seq > upTo || len(out) >= maxRecords {
				break
			}
			if len(v) < sha256.Size {
				continue // damaged; Verify reports it
			}
			rec := v[sha256.Size:]
			if len(out) > 0 && size+len(rec) > maxBytes {
				break
			}
			size += len(rec)
			out = append(out, Stored{Seq: seq, JSON: append([]byte(nil), rec...)})
		}
		return nil
	})
	return out, err
}
