package kms

import "time"

// Principal is who is calling: the authenticated identity, and for calls another service
// makes on a caller's behalf (S3 for SSE-KMS), which one. Every operation takes it; key
// policies and grants are enforced before the operation runs, by internal/authz.
type Principal struct {
	AccountID   string // 12 digits
	ARN         string // e.g. arn:aws:iam::123456789012:root
	AccessKeyID string
	// ViaService is "" for direct calls, "s3.<region>.amazonaws.com" when S3 calls on the
	// caller's behalf (the kms:ViaService condition key).
	ViaService string
}

// Key states.
const (
	StateEnabled         = "Enabled"
	StateDisabled        = "Disabled"
	StatePendingDeletion = "PendingDeletion"
)

// Key managers.
const (
	ManagerCustomer = "CUSTOMER"
	ManagerAWS      = "AWS"
)

// Rotation types as ListKeyRotations reports them.
const (
	RotationAutomatic = "AUTOMATIC"
	RotationOnDemand  = "ON_DEMAND"
)

// KeyMetadata describes a key as DescribeKey returns it.
type KeyMetadata struct {
	AccountID     string
	KeyID         string
	ARN           string
	CreationDate  time.Time
	Enabled       bool
	Description   string
	KeyState      string
	DeletionDate  time.Time // zero unless PendingDeletion
	PendingWindow int       // days, 0 unless PendingDeletion
	KeyManager    string
	// CurrentKeyMaterialID names the material version new encryptions use.
	CurrentKeyMaterialID string
}

// KeyListEntry is one key in ListKeys.
type KeyListEntry struct{ KeyID, ARN string }

// Alias is one alias in ListAliases.
type Alias struct {
	Name, ARN   string
	TargetKeyID string // "" for a predefined AWS alias whose key does not exist yet
	Created     time.Time
	Updated     time.Time
}

// Tag is a key tag.
type Tag struct{ Key, Value string }

// Rotation is one entry of ListKeyRotations.
type Rotation struct {
	KeyID         string
	KeyMaterialID string
	Date          time.Time
	Type          string // RotationAutomatic or RotationOnDemand; "" for the original material
	Current       bool
}

// RotationStatus is GetKeyRotationStatus's answer.
type RotationStatus struct {
	KeyARN     string
	Enabled    bool
	PeriodDays int       // 0 when disabled
	Next       time.Time // zero when disabled
}

// GrantConstraints limit a grant to requests with a matching encryption context.
type GrantConstraints struct {
	EncryptionContextSubset map[string]string
	EncryptionContextEquals map[string]string
}

// Grant is a stored grant.
type Grant struct {
	KeyID             string // key ARN in listings
	GrantID           string
	Name              string
	Created           time.Time
	GranteePrincipal  string
	RetiringPrincipal string
	IssuingAccount    string
	Operations        []string
	Constraints       *GrantConstraints
}

// Page is a page request: Limit items after Marker (an opaque value from a previous
// page's NextMarker).
type Page struct {
	Limit  int // 0 = the operation's default
	Marker string
}

// EventKind says what happened to a key.
type EventKind int

const (
	EventDisabled          EventKind = iota + 1 // DisableKey
	EventDeletionScheduled                      // ScheduleKeyDeletion
	EventDestroyed                              // key material destroyed after the window
	EventRotated                                // a new material version (automatic or on demand)
)

func (k EventKind) String() string {
	switch k {
	case EventDisabled:
		return "disabled"
	case EventDeletionScheduled:
		return "deletion-scheduled"
	case EventDestroyed:
		return "destroyed"
	case EventRotated:
		return "rotated"
	}
	return "unknown"
}

// Event is delivered to subscribers after the change is durable.
type Event struct {
	Kind   EventKind
	KeyID  string
	KeyARN string
	Time   time.Time
}

// Observer counts what the KMS does, per key; internal/metrics implements it. Calls must
// be cheap and must not block.
type Observer interface {
	// KeyOperation counts one operation on keyID (successful or not once the key was
	// resolved).
	KeyOperation(keyID, op string)
	// Throttled counts one request refused by the account's crypto-operation quota.
	Throttled(accountID, op string)
}

type nopObserver struct{}

func (nopObserver) KeyOperation(string, string) {}
func (nopObserver) Throttled(string, string)    {}
