package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/meta"
)

// S3 Inventory configurations (?inventory, docs/INVENTORY.md "Configuration"): the XML of
// PutBucketInventoryConfiguration's body, of GetBucketInventoryConfiguration's and of
// ListBucketInventoryConfigurations' answers, as AWS's API model names the elements. The
// rules are internal/inventory's; the configurations live in the bucket record.

// anyElements collects elements a shape does not know, which S3's schema refuses.
type anyElements []struct {
	XMLName xml.Name
}

type invSSEKMS struct {
	KeyID *string `xml:"KeyId"`
}

type invEncryption struct {
	SSES3  *struct{}   `xml:"SSE-S3"`
	SSEKMS *invSSEKMS  `xml:"SSE-KMS"`
	Other  anyElements `xml:",any"`
}

type invS3Destination struct {
	AccountID  *string        `xml:"AccountId,omitempty"`
	Bucket     *string        `xml:"Bucket"`
	Format     *string        `xml:"Format"`
	Prefix     *string        `xml:"Prefix,omitempty"`
	Encryption *invEncryption `xml:"Encryption,omitempty"`
	Other      anyElements    `xml:",any"`
}

type invDestination struct {
	S3    *invS3Destination `xml:"S3BucketDestination"`
	Other anyElements       `xml:",any"`
}

type invFilter struct {
	Prefix *string `xml:"Prefix"`
}

type invFields struct {
	Field []string `xml:"Field"`
}

type invSchedule struct {
	Frequency *string `xml:"Frequency"`
}

// inventoryConfiguration is an InventoryConfiguration document, in the order AWS writes
// its elements.
type inventoryConfiguration struct {
	XMLName                xml.Name        `xml:"InventoryConfiguration"`
	NS                     string          `xml:"xmlns,attr,omitempty"`
	Destination            *invDestination `xml:"Destination"`
	IsEnabled              *bool           `xml:"IsEnabled"`
	Filter                 *invFilter      `xml:"Filter,omitempty"`
	ID                     *string         `xml:"Id"`
	IncludedObjectVersions *string         `xml:"IncludedObjectVersions"`
	OptionalFields         *invFields      `xml:"OptionalFields,omitempty"`
	Schedule               *invSchedule    `xml:"Schedule"`
	Other                  anyElements     `xml:",any"`
}

type listInventoryConfigurationsResult struct {
	XMLName               xml.Name                 `xml:"ListInventoryConfigurationsResult"`
	NS                    string                   `xml:"xmlns,attr"`
	ContinuationToken     string                   `xml:"ContinuationToken,omitempty"`
	Configurations        []inventoryConfiguration `xml:"InventoryConfiguration"`
	IsTruncated           bool                     `xml:"IsTruncated"`
	NextContinuationToken string                   `xml:"NextContinuationToken,omitempty"`
}

// decodeInventory reads an InventoryConfiguration document into the model. A document
// that is not well formed, misses an element the schema requires or has one it does not
// know is inventory.ErrMalformed; the values are inventory.Validate's to judge.
func decodeInventory(data []byte) (inventory.Config, error) {
	var d inventoryConfiguration
	if len(data) == 0 || xml.Unmarshal(data, &d) != nil {
		return inventory.Config{}, inventory.ErrMalformed
	}
	if d.Destination == nil || d.Destination.S3 == nil || d.IsEnabled == nil || d.ID == nil ||
		d.IncludedObjectVersions == nil || d.Schedule == nil || d.Schedule.Frequency == nil ||
		len(d.Other) > 0 || len(d.Destination.Other) > 0 {
		return inventory.Config{}, inventory.ErrMalformed
	}
	s := d.Destination.S3
	if s.Bucket == nil || s.Format == nil || len(s.Other) > 0 || d.Filter != nil && d.Filter.Prefix == nil {
		return inventory.Config{}, inventory.ErrMalformed
	}
	c := inventory.Config{
		ID:                     *d.ID,
		IsEnabled:              *d.IsEnabled,
		Schedule:               *d.Schedule.Frequency,
		IncludedObjectVersions: *d.IncludedObjectVersions,
		Destination: inventory.Destination{
			AccountID: deref(s.AccountID),
			BucketARN: *s.Bucket,
			Format:    *s.Format,
			Prefix:    deref(s.Prefix),
		},
	}
	if d.Filter != nil {
		c.Prefix = *d.Filter.Prefix
	}
	if d.OptionalFields != nil {
		c.OptionalFields = append([]string{}, d.OptionalFields.Field...)
	}
	if e := s.Encryption; e != nil {
		if len(e.Other) > 0 || e.SSEKMS != nil && deref(e.SSEKMS.KeyID) == "" {
			return inventory.Config{}, inventory.ErrMalformed
		}
		c.Destination.Encryption = &inventory.Encryption{SSES3: e.SSES3 != nil}
		if e.SSEKMS != nil {
			c.Destination.Encryption.KMSKeyID = *e.SSEKMS.KeyID
		}
	}
	return c, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func invStr[T any](v T) *T { return &v }

// encodeInventory is c as S3 writes it in GetBucketInventoryConfiguration and
// ListBucketInventoryConfigurations: the optional elements only when set.
func encodeInventory(c inventory.Config) inventoryConfiguration {
	d := c.Destination
	s := &invS3Destination{Bucket: invStr(d.BucketARN), Format: invStr(d.Format)}
	if d.AccountID != "" {
		s.AccountID = invStr(d.AccountID)
	}
	if d.Prefix != "" {
		s.Prefix = invStr(d.Prefix)
	}
	if e := d.Encryption; e != nil {
		s.Encryption = &invEncryption{}
		if e.SSES3 {
			s.Encryption.SSES3 = &struct{}{}
		}
		if e.KMSKeyID != "" {
			s.Encryption.SSEKMS = &invSSEKMS{KeyID: invStr(e.KMSKeyID)}
		}
	}
	out := inventoryConfiguration{
		Destination:            &invDestination{S3: s},
		IsEnabled:              invStr(c.IsEnabled),
		ID:                     invStr(c.ID),
		IncludedObjectVersions: invStr(c.IncludedObjectVersions),
		Schedule:               &invSchedule{Frequency: invStr(c.Schedule)},
	}
	if c.Prefix != "" {
		out.Filter = &invFilter{Prefix: invStr(c.Prefix)}
	}
	if len(c.OptionalFields) > 0 {
		out.OptionalFields = &invFields{Field: c.OptionalFields}
	}
	return out
}

// inventoryID is the ?id= every call but the list names.
func inventoryID(q *request) (string, error) {
	id := q.qget("id")
	if id == "" {
		return "", apierr.InvalidArgument.Msg("The inventory configuration ID must be specified.").Arg("id", "")
	}
	return id, nil
}

func (a *API) putBucketInventoryConfiguration(q *request) (*response, error) {
	id, err := inventoryID(q)
	if err != nil {
		return nil, err
	}
	data, err := readBody(q, maxXMLBody)
	if err != nil {
		return nil, err
	}
	c, err := decodeInventory(data)
	if err != nil {
		return nil, err
	}
	if err := inventory.Validate(id, c); err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		cs, err := inventory.Put(b.Inventory, c)
		if err == nil {
			b.Inventory = cs
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, header: http.Header{}}, nil
}

func (a *API) getBucketInventoryConfiguration(q *request) (*response, error) {
	id, err := inventoryID(q)
	if err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	c, err := inventory.Find(b.Inventory, id)
	if err != nil {
		return nil, err
	}
	doc := encodeInventory(c)
	doc.NS = s3NS
	resp := newResponse()
	resp.xml = doc
	return resp, nil
}

func (a *API) deleteBucketInventoryConfiguration(q *request) (*response, error) {
	id, err := inventoryID(q)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error {
		cs, err := inventory.Delete(b.Inventory, id)
		if err == nil {
			b.Inventory = cs
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

// listBucketInventoryConfigurations answers a page of the bucket's configurations, sorted
// by Id, inventory.PageSize at a time. The continuation token is the last Id of the
// previous page, base64url-encoded (opaque to clients, as S3's).
func (a *API) listBucketInventoryConfigurations(q *request) (*response, error) {
	token := q.qget("continuation-token")
	after, err := decodeInventoryToken(token)
	if err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	page, next := inventory.Page(b.Inventory, after)
	out := listInventoryConfigurationsResult{NS: s3NS, ContinuationToken: token, IsTruncated: next != ""}
	for _, c := range page {
		out.Configurations = append(out.Configurations, encodeInventory(c))
	}
	if next != "" {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func decodeInventoryToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	after, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !inventory.ValidID(string(after)) {
		return "", apierr.InvalidArgument.Msg("The continuation token provided is incorrect").Arg("continuation-token", token)
	}
	return string(after), nil
}
