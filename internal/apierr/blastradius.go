package apierr

import "github.com/arcastore/arca/internal/blastradius"

// The deletion guard's refusal (docs/BLAST-RADIUS.md) is KMS's answer to a state change the
// key's state does not allow: KMSInvalidStateException, with the message naming the counts
// and the force. A client handles it as it handles DisableKey on a key pending deletion.
func init() {
	kmsMappings = append(kmsMappings, jsonMapping{blastradius.ErrKeyInUse, kdef("KMSInvalidStateException", 400, "")})
}
