-- The capacity screen counts each ward's admissions and discharges of the last 30 days; no
-- index covered `ended_at`, so every view read every placement (benches/screen.rs: p50 6.9 ms,
-- p99 13.4 ms with two years of 30 UPTs; with these two index range scans 3.7 and 4.7 ms).
CREATE INDEX placement_ended ON placement (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX placement_started ON placement (started_at);
