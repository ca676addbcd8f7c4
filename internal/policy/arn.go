package policy

import "strings"

// arnSegments is the number of colon-separated parts of an ARN:
// arn:partition:service:region:account:resource (the resource may hold more colons).
const arnSegments = 6

// arnPattern matches ARNs segment by segment, as AWS matches Resource elements and the
// Arn* condition operators: each of the six parts is a wildcard pattern of its own, so a
// '*' never crosses a colon except inside the last part. A lone "*" matches anything.
type arnPattern struct {
	all  bool
	flat bool // not an ARN (an Arn* condition value such as "foo*"): segs[0] matches the whole string
	segs []pattern
	// head is set when the first five parts are plain text: "arn:aws:s3:::". An ARN
	// matches when it starts with head and its rest matches segs[5].
	head string
}

// splitARN cuts s into its six parts; ok is false when s has fewer than five colons.
func splitARN(s string) (segs [arnSegments]string, ok bool) {
	for i := 0; i < arnSegments-1; i++ {
		var found bool
		segs[i], s, found = strings.Cut(s, ":")
		if !found {
			return segs, false
		}
	}
	segs[arnSegments-1] = s
	return segs, true
}

// parseARNPattern compiles s; ok is false when s is neither "*" nor six parts beginning
// with "arn". Colons inside policy variables do not split.
func parseARNPattern(s string, vars bool) (arnPattern, bool) {
	if s == "*" {
		return arnPattern{all: true}, true
	}
	whole := parsePattern(s, true, vars)
	segs := []pattern{{}}
	for _, p := range whole.parts {
		cur := &segs[len(segs)-1]
		if p.wild != 0 || p.key != "" {
			cur.parts = append(cur.parts, p)
			cur.vars = cur.vars || p.key != ""
			continue
		}
		text := p.lit
		for len(segs) < arnSegments {
			before, after, found := strings.Cut(text, ":")
			if !found {
				break
			}
			if before != "" {
				cur.parts = append(cur.parts, part{globPart: globPart{lit: before}})
			}
			segs = append(segs, pattern{})
			cur, text = &segs[len(segs)-1], after
		}
		if text != "" {
			cur.parts = append(cur.parts, part{globPart: globPart{lit: text}})
		}
	}
	if len(segs) != arnSegments {
		return arnPattern{}, false
	}
	a := arnPattern{segs: segs}
	head, plain := "", true
	for i := range segs {
		segs[i].compile()
		if i < arnSegments-1 {
			head += segs[i].lit + ":"
			plain = plain && segs[i].plain
		}
	}
	if !segs[0].plain || segs[0].lit != "arn" {
		return arnPattern{}, false
	}
	if plain {
		a.head = head
	}
	return a, true
}

// match reports whether the ARN s matches.
func (a *arnPattern) match(s string, ctx *evalContext) bool {
	if a.all {
		return true
	}
	if a.flat {
		return a.segs[0].match(s, ctx)
	}
	if a.head != "" {
		rest, ok := strings.CutPrefix(s, a.head)
		return ok && a.segs[arnSegments-1].match(rest, ctx)
	}
	segs, ok := splitARN(s)
	return ok && a.matchSegs(&segs, ctx)
}

func (a *arnPattern) matchSegs(segs *[arnSegments]string, ctx *evalContext) bool {
	if a.all {
		return true
	}
	for i := range a.segs {
		if !a.segs[i].match(segs[i], ctx) {
			return false
		}
	}
	return true
}

// literalSeg returns segment i when it is plain text (no wildcard, no variable).
func (a *arnPattern) literalSeg(i int) (string, bool) {
	if a.all || a.flat || a.segs[i].vars {
		return "", false
	}
	return a.segs[i].g.literal()
}
