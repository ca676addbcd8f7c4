package cors

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// s3NS is the namespace S3's documents are in; a document may also name none.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// Parse decodes and validates a PutBucketCors body. The document's structure is checked
// first, as S3 does: anything but a CORSConfiguration of 1 to 100 CORSRule elements, each
// with at least one AllowedOrigin and AllowedMethod, only the known elements holding only
// text, at most one ID (up to 255 characters) and at most one MaxAgeSeconds (a whole
// number that fits 31 bits) is ErrMalformed. Then the values, rule by rule: a method S3
// does not allow, more than one wildcard in an AllowedOrigin or AllowedHeader, or any in an
// ExposeHeader is ErrInvalid carrying S3's message.
func Parse(doc []byte) (*Config, error) {
	if len(doc) > MaxDocument {
		return nil, ErrMalformed
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	c, err := parseDocument(d)
	if err != nil {
		return nil, ErrMalformed
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var errStructure = errors.New("cors: structure")

func parseDocument(d *xml.Decoder) (*Config, error) {
	var c *Config
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if c == nil {
				return nil, errStructure
			}
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if c != nil || !named(t.Name, "CORSConfiguration") {
				return nil, errStructure
			}
			if c, err = parseRules(d); err != nil {
				return nil, err
			}
		case xml.CharData:
			if !blank(t) {
				return nil, errStructure
			}
		case xml.ProcInst, xml.Comment:
		default: // a directive (DOCTYPE), or an end element without a start
			return nil, errStructure
		}
	}
}

// parseRules reads the root element's content up to its end.
func parseRules(d *xml.Decoder) (*Config, error) {
	c := &Config{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !named(t.Name, "CORSRule") || len(c.Rules) == MaxRules {
				return nil, errStructure
			}
			r, err := parseRule(d)
			if err != nil {
				return nil, err
			}
			c.Rules = append(c.Rules, r)
		case xml.EndElement:
			if len(c.Rules) == 0 {
				return nil, errStructure
			}
			return c, nil
		case xml.CharData:
			if !blank(t) {
				return nil, errStructure
			}
		case xml.Comment:
		default:
			return nil, errStructure
		}
	}
}

// parseRule reads one CORSRule's content up to its end.
func parseRule(d *xml.Decoder) (Rule, error) {
	var r Rule
	for {
		tok, err := d.Token()
		if err != nil {
			return r, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := text(d)
			if err != nil {
				return r, err
			}
			if err := r.set(t.Name, v); err != nil {
				return r, err
			}
		case xml.EndElement:
			if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
				return r, errStructure
			}
			return r, nil
		case xml.CharData:
			if !blank(t) {
				return r, errStructure
			}
		case xml.Comment:
		default:
			return r, errStructure
		}
	}
}

func (r *Rule) set(n xml.Name, v string) error {
	if n.Space != "" && n.Space != s3NS {
		return errStructure
	}
	switch n.Local {
	case "AllowedOrigin":
		r.AllowedOrigins = append(r.AllowedOrigins, v)
	case "AllowedMethod":
		r.AllowedMethods = append(r.AllowedMethods, v)
	case "AllowedHeader":
		r.AllowedHeaders = append(r.AllowedHeaders, v)
	case "ExposeHeader":
		r.ExposeHeaders = append(r.ExposeHeaders, v)
	case "ID":
		if r.HasID || utf8.RuneCountInString(v) > MaxIDLength {
			return errStructure
		}
		r.ID, r.HasID = v, true
	case "MaxAgeSeconds":
		n, ok := maxAge(v)
		if r.HasMaxAge || !ok {
			return errStructure
		}
		r.MaxAgeSeconds, r.HasMaxAge = n, true
	default:
		return errStructure
	}
	return nil
}

// maxAge parses a MaxAgeSeconds value: decimal digits only (leading zeros allowed), at most
// 2^31-1.
func maxAge(v string) (int, bool) {
	if v == "" {
		return 0, false
	}
	n := 0
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1<<31-1 {
			return 0, false
		}
	}
	return n, true
}

// text reads an element's text up to its end; an element inside it is errStructure.
func text(d *xml.Decoder) (string, error) {
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.EndElement:
			return b.String(), nil
		case xml.Comment:
		default:
			return "", errStructure
		}
	}
}

func named(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == "" || n.Space == s3NS)
}

func blank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// xmlRule is a rule as GetBucketCors writes it: S3's element order.
type xmlRule struct {
	ID            *string  `xml:"ID"`
	AllowedMethod []string `xml:"AllowedMethod"`
	AllowedOrigin []string `xml:"AllowedOrigin"`
	AllowedHeader []string `xml:"AllowedHeader"`
	MaxAgeSeconds *int     `xml:"MaxAgeSeconds"`
	ExposeHeader  []string `xml:"ExposeHeader"`
}

type xmlConfig struct {
	XMLName xml.Name  `xml:"CORSConfiguration"`
	NS      string    `xml:"xmlns,attr"`
	Rules   []xmlRule `xml:"CORSRule"`
}

// XML is the configuration as GetBucketCors answers it (without the XML declaration).
func (c *Config) XML() ([]byte, error) {
	x := xmlConfig{NS: s3NS}
	for _, r := range c.Rules {
		xr := xmlRule{AllowedMethod: r.AllowedMethods, AllowedOrigin: r.AllowedOrigins,
			AllowedHeader: r.AllowedHeaders, ExposeHeader: r.ExposeHeaders}
		if r.HasID {
			id := r.ID
			xr.ID = &id
		}
		if r.HasMaxAge {
			m := r.MaxAgeSeconds
			xr.MaxAgeSeconds = &m
		}
		x.Rules = append(x.Rules, xr)
	}
	return xml.Marshal(x)
}
