package policy

import "strings"

// A pattern is a policy string that may hold wildcards and, in Version 2012-10-17
// policies, policy variables: ${aws:username} and any other condition key,
// ${key, 'default'}, and the escapes ${*}, ${?} and ${$}. Text a variable resolves to is
// literal: a '*' in a user name is not a wildcard.
type pattern struct {
	parts []part
	vars  bool
	g     glob // compiled once when the pattern has no variables
	plain bool // no variables and no wildcards: the pattern is the text lit
	lit   string
}

// part is literal text, a wildcard, or a variable (key non-empty).
type part struct {
	globPart
	key    string // lowercased condition key of a variable
	def    string // the default value of ${key, 'default'}
	hasDef bool
}

// parsePattern splits s into parts. wild says whether '*' and '?' are wildcards;
// vars whether ${...} is a variable (Version 2012-10-17).
func parsePattern(s string, wild, vars bool) pattern {
	var p pattern
	lit := func(t string) {
		if t == "" {
			return
		}
		if n := len(p.parts); n > 0 && p.parts[n-1].wild == 0 && p.parts[n-1].key == "" {
			p.parts[n-1].lit += t
			return
		}
		p.parts = append(p.parts, part{globPart: globPart{lit: t}})
	}
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case wild && (c == '*' || c == '?'):
			lit(s[start:i])
			p.parts = append(p.parts, part{globPart: globPart{wild: c}})
			start = i + 1
		case vars && c == '$' && strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				continue
			}
			v, ok := parseVariable(s[i+2 : i+end])
			if !ok {
				continue
			}
			lit(s[start:i])
			if v.key == "" {
				lit(v.lit)
			} else {
				p.parts = append(p.parts, v)
				p.vars = true
			}
			i += end
			start = i + 1
		}
	}
	lit(s[start:])
	p.compile()
	return p
}

// compile prepares a pattern without variables for matching.
func (p *pattern) compile() {
	if p.vars {
		return
	}
	p.g = compileGlob(p.globParts())
	p.lit, p.plain = p.g.literal()
}

// parseVariable reads the inside of ${...}.
func parseVariable(in string) (part, bool) {
	switch in {
	case "*", "?", "$":
		return part{globPart: globPart{lit: in}}, true
	}
	key, def, hasDef := in, "", false
	if i := strings.IndexByte(in, ','); i >= 0 {
		key = strings.TrimSpace(in[:i])
		d := strings.TrimSpace(in[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return part{}, false
		}
		def, hasDef = d[1:len(d)-1], true
	}
	if !validKeyName(key) {
		return part{}, false
	}
	return part{key: strings.ToLower(key), def: def, hasDef: hasDef}, true
}

// validKeyName: a condition key is vendor:name, the name free of spaces and braces.
func validKeyName(k string) bool {
	i := strings.IndexByte(k, ':')
	if i <= 0 || i == len(k)-1 {
		return false
	}
	for j := 0; j < len(k); j++ {
		switch c := k[j]; {
		case c <= ' ', c == '{', c == '}', c == '$', c == '*', c == '?', c == '\'', c == ',', c == 0x7f:
			return false
		}
	}
	return true
}

func (p *pattern) globParts() []globPart {
	out := make([]globPart, len(p.parts))
	for i, x := range p.parts {
		out[i] = x.globPart
	}
	return out
}

// resolve returns the glob with every variable replaced by its value in ctx. It reports
// false when a variable has no single value and no default: such a pattern matches
// nothing.
func (p *pattern) resolve(ctx *evalContext) (glob, bool) {
	if !p.vars {
		return p.g, true
	}
	out := make([]globPart, 0, len(p.parts))
	for _, x := range p.parts {
		if x.key == "" {
			out = append(out, x.globPart)
			continue
		}
		vals, ok := ctx.get(x.key)
		switch {
		case ok && len(vals) == 1:
			out = append(out, globPart{lit: vals[0]})
		case x.hasDef:
			out = append(out, globPart{lit: x.def})
		default:
			return glob{}, false
		}
	}
	return compileGlob(out), true
}

// match reports whether s matches the pattern under ctx.
func (p *pattern) match(s string, ctx *evalContext) bool {
	if p.plain {
		return s == p.lit
	}
	g, ok := p.resolve(ctx)
	return ok && g.match(s)
}

// text returns the literal the pattern stands for (no wildcards) under ctx.
func (p *pattern) text(ctx *evalContext) (string, bool) {
	if p.plain {
		return p.lit, true
	}
	g, ok := p.resolve(ctx)
	if !ok {
		return "", false
	}
	return g.literal()
}
