package e2e

import "testing"

// Metadata records are stored as an authenticated envelope (docs/FORMAT.md, "Metadata
// records"): 0x02, a 32-byte HMAC tag, then the record's JSON.
const recordEnvelopeLen = 1 + 32

// splitRecord returns the envelope's head (version and tag) and the JSON body of a stored
// metadata record.
func splitRecord(t testing.TB, v []byte) (head, body []byte) {
	t.Helper()
	if len(v) < recordEnvelopeLen || v[0] != 0x02 {
		t.Fatalf("stored record is not an authenticated envelope: %.40q", v)
	}
	return v[:recordEnvelopeLen:recordEnvelopeLen], v[recordEnvelopeLen:]
}

// joinRecord puts an edited body behind the original head, as an attacker without the
// record key must (the tag then no longer matches).
func joinRecord(head, body []byte) []byte {
	return append(append([]byte(nil), head...), body...)
}
