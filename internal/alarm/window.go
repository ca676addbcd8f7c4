package alarm

import "time"

// Firing is one alarm: a rule (and group) whose count was reached.
type Firing struct {
	Rule  *Rule
	Group string // the groupBy value; "" for an ungrouped rule
	// Count is how many matching events the alarm covers: those in the window when it
	// fired, including any counted while the rule was cooling down.
	Count int
	// Events are the newest of them (at most MaxSamples), oldest first.
	Events []Event
	Time   time.Time // when it fired
}

// overflowGroup collects the events of new groups once a rule has MaxGroups.
const overflowGroup = "(other)"

// tracker is one rule's state: per group, the matching events' times within the window,
// bucketed by second (event times have a resolution of one second), so that memory is
// bounded by the window's length in seconds whatever the rate.
//
// Semantics (docs/ALARMS.md): a rule fires when the number of its matching events within
// the last Window (ever, for a rule without a threshold) reaches Count, unless it fired
// less than Cooldown ago; firing empties the window, so the next alarm needs Count new
// events. Events that arrive during the cooldown are counted (and expire from the window
// as usual); when the cooldown ends and the count still reaches Count, the rule fires at
// the next tick with all of them. So a burst gives one alarm per Cooldown, not one per
// event, and nothing a rule without a threshold matches goes unreported.
type tracker struct {
	rule   *Rule
	groups map[string]*group
}

type group struct {
	secs      []secCount // ascending
	total     int
	samples   []Event // the newest MaxSamples, oldest first
	lastFired time.Time
	fired     bool
}

type secCount struct {
	sec int64
	n   int
}

func newTracker(r *Rule) *tracker { return &tracker{rule: r, groups: map[string]*group{}} }

// add counts ev (matched by the rule) at engine time now and returns the alarm it causes,
// if any.
func (t *tracker) add(ev Event, now time.Time) *Firing {
	key := ""
	if t.rule.GroupBy != "" {
		key = ev.groupKey(t.rule.GroupBy)
	}
	g := t.groups[key]
	if g == nil {
		if len(t.groups) >= MaxGroups {
			t.sweep(now)
		}
		if len(t.groups) >= MaxGroups {
			key = overflowGroup
			g = t.groups[key]
		}
		if g == nil {
			g = &group{}
			t.groups[key] = g
		}
	}
	at := ev.EventTime
	if at.IsZero() {
		at = now
	}
	sec := at.Unix()
	if n := len(g.secs); n > 0 && sec <= g.secs[n-1].sec {
		g.secs[n-1].n++ // out of order by a hair: count it with the newest second
	} else {
		g.secs = append(g.secs, secCount{sec, 1})
	}
	g.total++
	g.samples = append(g.samples, ev)
	if len(g.samples) > MaxSamples {
		g.samples = append(g.samples[:0], g.samples[len(g.samples)-MaxSamples:]...)
	}
	t.expire(g, now)
	return t.check(key, g, now, false)
}

// due returns the alarms whose cooldown has ended with their count still reached, and
// forgets idle groups. The engine calls it every tick.
func (t *tracker) due(now time.Time) []Firing {
	var out []Firing
	for key, g := range t.groups {
		t.expire(g, now)
		if f := t.check(key, g, now, false); f != nil {
			out = append(out, *f)
		}
	}
	t.sweep(now)
	return out
}

// flush returns every alarm whose count is reached, cooldown or not (clean shutdown).
func (t *tracker) flush(now time.Time) []Firing {
	var out []Firing
	for key, g := range t.groups {
		t.expire(g, now)
		if f := t.check(key, g, now, true); f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// sweep forgets groups with nothing counted and no cooldown running.
func (t *tracker) sweep(now time.Time) {
	for key, g := range t.groups {
		if g.total == 0 && (!g.fired || !now.Before(g.lastFired.Add(t.rule.Cooldown))) {
			delete(t.groups, key)
		}
	}
}

// expire drops the events older than the window (none for a rule without one).
func (t *tracker) expire(g *group, now time.Time) {
	if t.rule.Window <= 0 {
		return
	}
	cutoff := now.Add(-t.rule.Window).Unix()
	i := 0
	for i < len(g.secs) && g.secs[i].sec < cutoff {
		g.total -= g.secs[i].n
		i++
	}
	if i > 0 {
		g.secs = append(g.secs[:0], g.secs[i:]...)
	}
	j := 0
	for j < len(g.samples) && g.samples[j].EventTime.Unix() < cutoff {
		j++
	}
	if j > 0 {
		g.samples = append(g.samples[:0], g.samples[j:]...)
	}
}

// check fires g if its count is reached and (unless force) its cooldown is over; firing
// empties the window.
func (t *tracker) check(key string, g *group, now time.Time, force bool) *Firing {
	if g.total < t.rule.Count || g.total == 0 {
		return nil
	}
	if !force && g.fired && now.Before(g.lastFired.Add(t.rule.Cooldown)) {
		return nil
	}
	f := &Firing{Rule: t.rule, Group: key, Count: g.total, Events: g.samples, Time: now}
	g.secs, g.total, g.samples = nil, 0, nil
	g.fired, g.lastFired = true, now
	return f
}
