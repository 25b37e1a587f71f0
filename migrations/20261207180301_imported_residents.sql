-- People already living in a UPT on the day Simlontar starts (`simlontar import residents`).
-- Each row of the file became an intake, a case and an open placement; this table marks that
-- intake as imported (the case page says "Diimpor saat mulai", not a pick-up by Satpol PP)
-- and holds the row's natural key, so importing the same file again creates nothing.
CREATE TABLE imported_resident (
    intake_id   bigint PRIMARY KEY REFERENCES intake,
    -- SHA-256 of upt, ward, admitted_on, the name as compared (lower case, single blanks),
    -- sex, birth_year, nik, and for a row with neither name nor NIK its notes.
    row_key     bytea NOT NULL UNIQUE CHECK (length(row_key) = 32),
    upt_code    text NOT NULL REFERENCES upt,
    admitted_on date NOT NULL,
    imported_at timestamptz NOT NULL,
    imported_by bigint NOT NULL REFERENCES app_user
);
GRANT SELECT ON imported_resident TO simlontar_app;
CREATE TRIGGER imported_resident_raw_change AFTER INSERT OR UPDATE OR DELETE ON imported_resident
    FOR EACH ROW EXECUTE FUNCTION audit_raw_change();
