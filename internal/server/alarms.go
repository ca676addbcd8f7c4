package server

import (
	"github.com/arcastore/arca/internal/alarm"
	"github.com/arcastore/arca/internal/alarmhttp"
	"github.com/arcastore/arca/internal/audit"
)

// openAlarms loads the alarm rules (the file of --alarm-rules and the built-in ones) and
// puts the alarm engine after the trail, so every record the trail accepts is matched
// (docs/ALARMS.md). The engine writes its own alarm records to the trail directly. With
// --no-audit there are no records and so no alarms. A bad rule file is an error: the
// server does not start.
func (s *Server) openAlarms() error {
	if s.audit == nil {
		if s.cfg.AlarmRules != "" {
			s.log.Warn("alarms are off with --no-audit: the rule file is not used", "file", s.cfg.AlarmRules)
		}
		return nil
	}
	rules, err := alarm.Load(alarm.Options{File: s.cfg.AlarmRules, NoDefaults: s.cfg.NoDefaultAlarms,
		DefaultWebhook: s.cfg.AlarmWebhook})
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		return nil
	}
	s.alarms = alarm.New(alarm.Config{Rules: rules, Recorder: s.trail, Region: s.cfg.Region,
		AccountID: s.id.AccountID, Log: s.log, Poster: alarmhttp.New(nil)})
	s.audit = audit.Multi{s.trail, s.alarms}
	return nil
}

// closeAlarms fires what is pending and drains webhooks (bounded); before the trail closes,
// so the alarms' own records are written.
func (s *Server) closeAlarms() {
	if s.alarms != nil {
		s.alarms.Close()
	}
}
