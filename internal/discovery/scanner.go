package discovery

import (
	"bytes"
	"io"
)

// Occurrence is where one occurrence of sensitive data is: byte offsets in the object's
// plaintext (Start inclusive, End exclusive) and its line (1-based, the line it starts on
// and the one it ends on) and column (1-based, in bytes). Never the data itself.
type Occurrence struct {
	Start, End         int64
	StartLine, EndLine int64
	Column             int64
}

// Detection is what one detector found in an object: every occurrence is counted;
// the first MaxOccurrences are located.
type Detection struct {
	ID          string
	Name        string
	Category    Category
	Count       int64
	Occurrences []Occurrence
}

// MaxOccurrences is how many occurrences of one type a finding locates (Macie reports at
// most 15 and sets additionalOccurrences).
const MaxOccurrences = 15

// Chunk sizes of the Scanner: bytes are examined ChunkSize at a time; Overlap bytes (the
// longest occurrence, with its boundary, that is found whole) are kept across a chunk
// boundary, and Lookbehind bytes before them for keywords.
const (
	ChunkSize  = 256 << 10
	Overlap    = 4 << 10
	Lookbehind = MaxCustomDistance + maxKeywordLen + 2
)

// Scanner is an io.Writer that finds sensitive data in a stream. Write the object's
// plaintext to it (in pieces of any size), then Close; Detections reports. It holds at
// most ChunkSize+Overlap+Lookbehind bytes, however long the stream.
type Scanner struct {
	dets []*Detector
	// buf holds the stream's bytes from absolute offset bufStart (-1 at the start: a
	// '\n' sentinel stands before the first byte and after the last, so that every
	// pattern's boundary matches there).
	buf      []byte
	bufStart int64
	// done: occurrences starting before it are reported; resume[i]: detector i's
	// search resumes no earlier (the end of its last occurrence).
	done   int64
	resume []int64
	// line is the line number of buf[0]; lineStart the absolute offset of its line's
	// first byte.
	line, lineStart int64
	total           int64
	found           []Detection
	closed          bool
}

// NewScanner returns a scanner for the detectors.
func NewScanner(dets []*Detector) *Scanner {
	s := &Scanner{dets: dets, buf: make([]byte, 1, ChunkSize+Overlap+Lookbehind+1), bufStart: -1,
		resume: make([]int64, len(dets)), line: 0, lineStart: 0, found: make([]Detection, len(dets))}
	s.buf[0] = '\n'
	for i := range s.resume {
		s.resume[i] = -1
	}
	for i, d := range dets {
		s.found[i] = Detection{ID: d.ID, Name: d.Name, Category: d.Category}
	}
	return s
}

// Write adds p to the stream; it never fails.
func (s *Scanner) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := ChunkSize + Overlap + Lookbehind + 1 - len(s.buf)
		if room > len(p) {
			room = len(p)
		}
		s.buf = append(s.buf, p[:room]...)
		p = p[room:]
		s.total += int64(room)
		if len(s.buf) >= ChunkSize+Overlap+Lookbehind+1 {
			s.scan(len(s.buf) - Overlap)
		}
	}
	return n, nil
}

// ReadFrom copies r into the scanner.
func (s *Scanner) ReadFrom(r io.Reader) (int64, error) {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		s.Write(buf[:m])
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// Close scans what is left; Detections is final afterwards.
func (s *Scanner) Close() error {
	if !s.closed {
		s.closed = true
		s.buf = append(s.buf, '\n')
		s.scan(len(s.buf))
	}
	return nil
}

// Size is the number of bytes written.
func (s *Scanner) Size() int64 { return s.total }

// Detections are the types found (Count > 0), in detector order.
func (s *Scanner) Detections() []Detection {
	var out []Detection
	for _, d := range s.found {
		if d.Count > 0 {
			out = append(out, d)
		}
	}
	return out
}

// scan reports the occurrences that start before buf[limit], then drops the bytes no
// longer needed (all but Lookbehind bytes before limit).
func (s *Scanner) scan(limit int) {
	doneRel := int(s.done - s.bufStart)
	for i, d := range s.dets {
		pos := doneRel - 1 // one byte of boundary before the first new occurrence
		if r := int(s.resume[i] - s.bufStart); r > pos {
			pos = r
		}
		if pos < 0 {
			pos = 0
		}
		for pos < limit {
			loc := s.find(d, pos, limit)
			if loc == nil {
				break
			}
			st, en := d.span(loc)
			if st >= limit {
				break
			}
			next := en
			if next <= pos { // an empty match: step on
				next = pos + 1
			}
			if st >= doneRel && en > st && d.accept(s.buf, st, en) {
				s.record(i, st, en)
				s.resume[i] = s.bufStart + int64(en)
			}
			pos = next
		}
	}
	s.done = s.bufStart + int64(limit)
	// Keep Lookbehind bytes before limit.
	cut := limit - Lookbehind
	if cut <= 0 {
		return
	}
	s.advanceLines(cut)
	n := copy(s.buf, s.buf[cut:])
	s.buf = s.buf[:n]
	s.bufStart += int64(cut)
}

// advanceLines moves the line bookkeeping past buf[:cut].
func (s *Scanner) advanceLines(cut int) {
	head := s.buf[:cut]
	if nl := bytes.Count(head, []byte{'\n'}); nl > 0 {
		s.line += int64(nl)
		s.lineStart = s.bufStart + int64(bytes.LastIndexByte(head, '\n')) + 1
	}
}

// record counts an occurrence of detector i at buf[st:en], locating it if it is among
// the first MaxOccurrences.
func (s *Scanner) record(i, st, en int) {
	f := &s.found[i]
	f.Count++
	if len(f.Occurrences) >= MaxOccurrences {
		return
	}
	pre := s.buf[:st]
	line, lineStart := s.line, s.lineStart
	if nl := bytes.Count(pre, []byte{'\n'}); nl > 0 {
		line += int64(nl)
		lineStart = s.bufStart + int64(bytes.LastIndexByte(pre, '\n')) + 1
	}
	abs := s.bufStart + int64(st)
	f.Occurrences = append(f.Occurrences, Occurrence{
		Start: abs, End: s.bufStart + int64(en),
		StartLine: line, EndLine: line + int64(bytes.Count(s.buf[st:en], []byte{'\n'})),
		Column: abs - lineStart + 1,
	})
}

// find is the next match of d's pattern at or after buf[pos], or nil; with candidates,
// only matches starting before limit.
func (s *Scanner) find(d *Detector, pos, limit int) []int {
	if d.next == nil {
		loc := d.re.FindSubmatchIndex(s.buf[pos:])
		for j := range loc {
			if loc[j] >= 0 {
				loc[j] += pos
			}
		}
		return loc
	}
	for pos < limit {
		q := d.next(s.buf, pos)
		if q < 0 || q >= limit {
			return nil
		}
		end := q + d.window
		if end > len(s.buf) {
			end = len(s.buf)
		}
		if d.token != nil {
			e := q + 1
			for e < end && d.token[s.buf[e]] {
				e++
			}
			if e < end {
				end = e + 1 // the byte after the run is the boundary
			}
		}
		if loc := d.anch.FindSubmatchIndex(s.buf[q:end]); loc != nil {
			for j := range loc {
				if loc[j] >= 0 {
					loc[j] += q
				}
			}
			return loc
		}
		pos = q + 1
	}
	return nil
}
