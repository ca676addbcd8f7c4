package analyzer

import (
	"strconv"
	"strings"
)

// spans indexes a JSON document (already known valid) by path: "" is the document,
// "Statement", "Statement/0", "Statement/0/Effect", "Statement/0/Action/1" … → the byte
// span of that value; keys are the object member names as written. It is a location index
// for ValidatePolicy's findings, not a policy parser: internal/policy decides validity.
type spans map[string][2]int

func indexJSON(doc []byte) spans {
	s := spans{}
	i := skipWS(doc, 0)
	scanValue(doc, i, "", s)
	return s
}

func skipWS(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n') {
		i++
	}
	return i
}

func scanString(d []byte, i int) (string, int) {
	// d[i] == '"'
	j := i + 1
	for j < len(d) && d[j] != '"' {
		if d[j] == '\\' {
			j++
		}
		j++
	}
	raw := string(d[i:min(j+1, len(d))])
	v, err := strconv.Unquote(raw)
	if err != nil {
		v = strings.Trim(raw, `"`)
	}
	return v, j + 1
}

// scanValue records the span of the value at i under path and returns its end.
func scanValue(d []byte, i int, path string, s spans) int {
	start := i
	if i >= len(d) {
		return i
	}
	switch d[i] {
	case '{':
		i = skipWS(d, i+1)
		for i < len(d) && d[i] != '}' {
			key, j := scanString(d, i)
			j = skipWS(d, j)
			j = skipWS(d, j+1) // ':'
			j = scanValue(d, j, join(path, key), s)
			j = skipWS(d, j)
			if j < len(d) && d[j] == ',' {
				j = skipWS(d, j+1)
			}
			i = j
		}
		i++
	case '[':
		i = skipWS(d, i+1)
		for n := 0; i < len(d) && d[i] != ']'; n++ {
			j := scanValue(d, i, join(path, strconv.Itoa(n)), s)
			j = skipWS(d, j)
			if j < len(d) && d[j] == ',' {
				j = skipWS(d, j+1)
			}
			i = j
		}
		i++
	case '"':
		_, i = scanString(d, i)
	default:
		for i < len(d) && !strings.ContainsRune(",}] \t\r\n", rune(d[i])) {
			i++
		}
	}
	s[path] = [2]int{start, i}
	return i
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "/" + k
}

// Position is a place in a policy document: line (from 1), column (from 0), byte offset.
type Position struct {
	Line, Column, Offset int
}

func position(d []byte, off int) Position {
	line, col := 1, 0
	for i := 0; i < off && i < len(d); i++ {
		if d[i] == '\n' {
			line, col = line+1, 0
		} else {
			col++
		}
	}
	return Position{Line: line, Column: col, Offset: off}
}
