-- The leaders' daily review (ReviewRepository) asks, for each of 9 Vietnam days, what was open at the end of
-- the day: dossiers, field reports and incidents not finished before then. "Not finished before T" is written
-- coalesce(finished, 'infinity') >= T so one index answers it (the OR of IS NULL and >= cannot use one), and
-- the indexes are partial or small so they stay cheap to keep up.
CREATE INDEX dossiers_open_until ON dossiers ((coalesce(finished_at, 'infinity'::timestamptz)), received_at);

CREATE INDEX field_reports_open_until ON field_reports ((coalesce(closed_at, 'infinity'::timestamptz)));
CREATE INDEX field_report_history_resolved_at ON field_report_history (at) WHERE action = 'resolved';

-- Incidents are every alert but the traffic-rule violations (REVIEW_VIOLATION_RULES in @ioc/schemas, the same
-- list written out in ReviewRepository's SQL so the planner can match this predicate); violations are never
-- closed and far more numerous, so they stay out of this index.
CREATE INDEX alerts_incidents_open_until ON alerts ((coalesce(closed_at, 'infinity'::timestamptz)), date_issued)
  WHERE NOT (category = 'traffic' AND sub_category IN ('redLightViolation', 'speeding', 'carWrongDirection', 'laneViolation', 'carStopped'));
