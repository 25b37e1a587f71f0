-- The raid calendar (issue 28): operations Satpol PP announce ahead — before Lebaran,
-- Christmas and 17 August, and any other — with the demand they are expected to bring, as a
-- multiple of the usual. The capacity forecast reads it: on an operation's days it expects
-- demand at that factor, and it reads past operations' days as explained, not as a change
-- of the usual rate. `need_code` narrows an operation to the wards of one need (NULL: all).
-- Loaded with `simlontar capacity raids FILE.csv` (rows with the same dates and need are
-- replaced).
CREATE TABLE capacity_raid (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    starts_on date NOT NULL,
    ends_on   date NOT NULL,
    factor    double precision NOT NULL CHECK (factor > 0 AND factor <= 10),
    need_code text REFERENCES need,
    note      text NOT NULL DEFAULT '',
    loaded_at timestamptz NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (ends_on - starts_on <= 92)
);
CREATE UNIQUE INDEX capacity_raid_one ON capacity_raid (starts_on, ends_on, coalesce(need_code, ''));
CREATE INDEX capacity_raid_days ON capacity_raid (ends_on);
GRANT SELECT ON capacity_raid TO simlontar_app;
