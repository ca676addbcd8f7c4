package migrate

import (
	"bytes"
	"encoding/xml"
	"io"
	"sort"
)

// Listed is one entry of a version listing: a version or a delete marker.
type Listed struct {
	Object
	IsLatest bool
	// Seq is the entry's position in the source's listing (newest first within a key,
	// versions and markers interleaved as S3 lists them); -1 if unknown.
	Seq int
}

// OrderVersions returns one key's versions and delete markers oldest first, the order in
// which they are written again: by LastModified; among equal times the latest last, then
// the reverse of the listing order (S3 lists newest first). LastModified in a listing has
// whole seconds at AWS, so the listing order is what orders a version and a marker made in
// the same second. A source that lists all versions before all markers (moto) and stamps
// them with one second leaves the order of markers between versions unknowable; the
// versions' order and which entry is latest are kept.
func OrderVersions(l []Listed) []Object {
	l = append([]Listed(nil), l...)
	sort.SliceStable(l, func(i, k int) bool {
		a, b := l[i], l[k]
		if !a.LastModified.Equal(b.LastModified) {
			return a.LastModified.Before(b.LastModified)
		}
		if a.IsLatest != b.IsLatest {
			return b.IsLatest
		}
		if a.Seq >= 0 && b.Seq >= 0 && a.Seq != b.Seq {
			return a.Seq > b.Seq
		}
		return !a.DeleteMarker && b.DeleteMarker
	})
	out := make([]Object, len(l))
	for i, e := range l {
		out[i] = e.Object
	}
	return out
}

// ListingOrder returns each Version's and DeleteMarker's position in a ListVersionsResult
// document, keyed by (key, version id); nil if the document cannot be read (the entries'
// Seq is then unknown).
func ListingOrder(doc []byte) map[[2]string]int {
	d := xml.NewDecoder(bytes.NewReader(doc))
	pos := map[[2]string]int{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 {
				return nil
			}
			return pos
		}
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && (t.Name.Local == "Version" || t.Name.Local == "DeleteMarker") {
				var e struct{ Key, VersionId string }
				if err := d.DecodeElement(&e, &t); err != nil {
					return nil
				}
				depth--
				if k := [2]string{e.Key, e.VersionId}; !hasKey(pos, k) {
					pos[k] = len(pos)
				}
			}
		case xml.EndElement:
			depth--
		}
	}
}

func hasKey(m map[[2]string]int, k [2]string) bool {
	_, ok := m[k]
	return ok
}
