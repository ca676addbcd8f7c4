// Package iam is Arca's identity store: IAM users with up to two access keys each, groups
// and membership, inline user and group policies, and managed policies with versions and
// attachments, all with AWS IAM semantics and error texts. It knows nothing of HTTP;
// internal/iamapi speaks the IAM and STS query protocols on top of it, and the server's
// authentication layer calls LookupAccessKey on every request.
//
// Entry points: Open a Store over the shared store (a kv.DB) with the root key
// (internal/rootkey). Administrative methods mirror the IAM actions of the same name.
// LookupAccessKey resolves an access key id to its secret and the Identity it
// authenticates; PoliciesFor returns every policy document that applies to a user, for
// the policy engine. Policy documents are checked on write by Config.ValidatePolicy (the
// policy engine's parser); this package never parses policies itself.
//
// Promises: a secret access key is sealed under the root key (AAD
// "arca/iam/access-key/<id>") before it is written and is returned in clear only by
// CreateAccessKey; unsealed secrets of active keys live only in memory. Every record is
// authenticated with the metadata file's record key (Config.RecordKey, stored.go): one that
// fails authentication costs that entity only (a damaged user's access keys do not
// authenticate; requests naming it get ErrDamagedRecord). Every change is
// durable before it returns. Reads, including LookupAccessKey and PoliciesFor, use an
// immutable in-memory snapshot replaced atomically after each durable change: they take
// no lock and never read the file. Errors are the sentinels of errors.go, optionally
// wrapped in *Error with AWS's message; internal/apierr maps them to the wire.
package iam
