-- What was done about a capacity alert (issue 25, item 10): chosen from a closed
-- vocabulary (`vocab::AlertAction`) with a note, recorded with the acknowledgement and
-- shown on the alert. Both or neither: an acknowledgement from before this migration has
-- none; every new one names its action (the form requires it).
ALTER TABLE capacity_alert
    ADD COLUMN ack_action text CHECK (ack_action IN ('sent_home', 'moved_upt', 'long_stay_review', 'beds_added', 'watching')),
    ADD COLUMN ack_note   text NOT NULL DEFAULT '' CHECK (length(ack_note) <= 1000),
    ADD CONSTRAINT capacity_alert_action_acknowledged CHECK (ack_action IS NULL OR acknowledged_at IS NOT NULL);

-- The worklists read these often: cases by state, open notices by office, open waiting by need.
CREATE INDEX IF NOT EXISTS waiting_list_open_need ON waiting_list (need_code) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS handover_notice_open_office ON handover_notice (office_code) WHERE acknowledged_at IS NULL AND received_at IS NULL;
