-- The alert engine's levels: `full` (no free bed) beside watch/warning/critical, and
-- `stale` for the dead-man's switch (no news from a ward). Each open alert keeps what
-- the state machine needs between runs: calm runs for hysteresis, the last notice for
-- reminders.
ALTER TABLE capacity_alert DROP CONSTRAINT capacity_alert_level_check;
ALTER TABLE capacity_alert ADD CONSTRAINT capacity_alert_level_check
    CHECK (level IN ('watch', 'warning', 'critical', 'full', 'stale'));
ALTER TABLE capacity_alert ADD COLUMN calm_runs integer NOT NULL DEFAULT 0 CHECK (calm_runs >= 0);
ALTER TABLE capacity_alert ADD COLUMN last_notified_at timestamptz;
