-- Occupancy days lived before Simlontar (`simlontar import occupancy`, the `capacity
-- replay` format): one row per ward and day, kept apart from placements (no person stands
-- behind them) and marked as imported (when, by whom). The forecast reads them as the
-- ward's arrivals and stays for the days they cover (`capacity::evaluate`).
CREATE TABLE occupancy_import_day (
    ward_id     bigint NOT NULL REFERENCES ward,
    day         date NOT NULL,
    capacity    integer NOT NULL CHECK (capacity >= 0),
    occupancy   integer NOT NULL CHECK (occupancy >= 0 AND occupancy <= capacity),
    admissions  integer NOT NULL CHECK (admissions >= 0),
    discharges  integer NOT NULL CHECK (discharges >= 0),
    turned_away integer NOT NULL DEFAULT 0 CHECK (turned_away >= 0),
    source      text NOT NULL,
    imported_at timestamptz NOT NULL,
    imported_by bigint REFERENCES app_user,
    PRIMARY KEY (ward_id, day)
);
GRANT SELECT, INSERT, UPDATE ON occupancy_import_day TO simlontar_app;
