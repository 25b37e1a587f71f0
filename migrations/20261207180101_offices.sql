-- The offices Simlontar writes to (issue 24): a regency/city's social office (any
-- province: it receives people), a province's relay desk, or a UPT's head. One row per
-- code; exactly one of the three references is set, and `code` names it for lookups.
-- The address used to live in region.dinsos_email (set only through SQL); it moves here
-- and the column goes, so there is one place an address comes from.
CREATE TABLE office (
    region_code   text UNIQUE REFERENCES region,
    province_code text UNIQUE REFERENCES province,
    upt_code      text UNIQUE REFERENCES upt,
    code          text GENERATED ALWAYS AS (coalesce(region_code, province_code, upt_code)) STORED
                  NOT NULL UNIQUE,
    name          text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    phone         text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    contact       text NOT NULL DEFAULT '' CHECK (length(contact) <= 200),
    changed_by    bigint REFERENCES app_user,
    changed_at    timestamptz NOT NULL,
    CHECK (num_nonnulls(region_code, province_code, upt_code) = 1)
);
GRANT SELECT, INSERT, UPDATE ON office TO simlontar_app;

INSERT INTO office (region_code, name, email, changed_at)
SELECT code, 'Dinas Sosial ' || name, dinsos_email, now() FROM region WHERE dinsos_email IS NOT NULL;
ALTER TABLE region DROP COLUMN dinsos_email;
