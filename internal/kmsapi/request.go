package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/kms"
)

// A request body is decoded once, into the operation's typed request; the authorization
// decision (AuthRequest) and the audit record (requestParameters, resources) are derived
// from that one value, so all three always read the same request.

// AuthRequest is what the authorization decision (op.authorize) and the audit record read
// of a request: the key references and encryption contexts the operation's request carries
// ("" and nil when it has none).
type AuthRequest struct {
	KeyID            string
	TargetKeyID      string
	SourceKeyID      string
	DestinationKeyID string
	AliasName        string
	// CiphertextKeyID is the key id the request's CiphertextBlob names ("" without a blob
	// or when the blob is not one of ours: the operation reports that).
	CiphertextKeyID              string
	EncryptionContext            map[string]string
	SourceEncryptionContext      map[string]string
	DestinationEncryptionContext map[string]string
}

// resourceRef is the key the audit record's resources name: KeyId, else TargetKeyId,
// else the key the ciphertext names.
func (r *AuthRequest) resourceRef() string {
	switch {
	case r.KeyID != "":
		return r.KeyID
	case r.TargetKeyID != "":
		return r.TargetKeyID
	}
	return r.CiphertextKeyID
}

// request is an operation's decoded input.
type request interface {
	// auth is what the authorization decision reads of it.
	auth() AuthRequest
	// params are its recordable fields (see params) for the audit record.
	params() params
}

// params are the requestParameters of an audit record: the request fields CloudTrail
// shows, by lower-camel name. Only these are recorded, so Plaintext, CiphertextBlob, grant
// tokens and every field not named here stay out. A field is recorded when the request
// set it (a non-empty string, a non-nil map, slice or pointer).
//
// The recordable fields: keyId, keySpec, numberOfBytes, encryptionContext,
// encryptionAlgorithm, description, keyUsage, customerMasterKeySpec, origin, multiRegion,
// aliasName, targetKeyId, grantId, granteePrincipal, retiringPrincipal, operations,
// constraints, name, pendingWindowInDays, sourceKeyId, destinationKeyId,
// sourceEncryptionContext, destinationEncryptionContext, sourceEncryptionAlgorithm,
// destinationEncryptionAlgorithm, policyName, policy, bypassPolicyLockoutSafetyCheck,
// tagKeys, tags, limit, rotationPeriodInDays.
type params map[string]any

func (p params) str(k, v string) params {
	if v != "" {
		p[k] = v
	}
	return p
}

func (p params) strPtr(k string, v *string) params {
	if v != nil {
		p[k] = *v
	}
	return p
}

func (p params) intPtr(k string, v *int) params {
	if v != nil {
		p[k] = *v
	}
	return p
}

func (p params) boolPtr(k string, v *bool) params {
	if v != nil {
		p[k] = *v
	}
	return p
}

func (p params) ec(k string, v map[string]string) params {
	if v != nil {
		p[k] = v
	}
	return p
}

func (p params) list(k string, v []string) params {
	if v != nil {
		p[k] = v
	}
	return p
}

// keyParams starts the parameters of a request naming keyID.
func keyParams(keyID string) params { return params{}.str("keyId", keyID) }

// handler is one operation: decode the body into its typed request, then run it for the
// caller against the API's Service (returning the response value, nil for an empty {}
// response, or an error).
type handler struct {
	decode func(body []byte) (request, error)
	run    func(ctx context.Context, a *API, c *Caller, in request) (any, error)
}

// run adapts a typed operation function to a handler.
func run[In any, P interface {
	*In
	request
}](fn func(ctx context.Context, s *kms.Service, p kms.Principal, in P) (any, error)) handler {
	return handler{
		decode: decoder[In, P](),
		run: func(ctx context.Context, a *API, c *Caller, in request) (any, error) {
			return fn(ctx, a.keysOf(c), c.Principal, in.(P))
		},
	}
}

// runWithLockout adapts an operation that attaches a key policy (CreateKey, PutKeyPolicy):
// it also gets the caller's lockout safety check (see lockoutFor).
func runWithLockout[In any, P interface {
	*In
	request
}](fn func(ctx context.Context, s *kms.Service, p kms.Principal, lc lockoutCheck, in P) (any, error)) handler {
	return handler{
		decode: decoder[In, P](),
		run: func(ctx context.Context, a *API, c *Caller, in request) (any, error) {
			return fn(ctx, a.keysOf(c), c.Principal, a.lockoutFor(c), in.(P))
		},
	}
}

// decoder decodes a body into a new In.
func decoder[In any, P interface {
	*In
	request
}]() func(body []byte) (request, error) {
	return func(body []byte) (request, error) {
		in := P(new(In))
		if err := decode(body, in); err != nil {
			return nil, err
		}
		return in, nil
	}
}
