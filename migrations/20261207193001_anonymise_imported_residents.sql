-- An imported resident's natural key is a hash of name, birth year and NIK: personal data
-- that could put an anonymised person back together (a guess of name and birth year
-- confirmed by its hash). It goes when the intake is anonymised, whatever path does it;
-- the row stays, saying the case came from the go-live import.
ALTER TABLE imported_resident ALTER COLUMN row_key DROP NOT NULL;

CREATE FUNCTION forget_imported_resident_key() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE imported_resident SET row_key = NULL WHERE intake_id = NEW.id AND row_key IS NOT NULL;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION forget_imported_resident_key() FROM PUBLIC;

CREATE TRIGGER intake_anonymised_forgets_import_key
    AFTER UPDATE OF anonymised_at ON intake
    FOR EACH ROW WHEN (OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL)
    EXECUTE FUNCTION forget_imported_resident_key();
