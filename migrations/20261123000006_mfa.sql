-- Second factor (ASVS 6.3.3, 6.5.x): a TOTP secret per person, and the last 30-second
-- step a code was accepted for, so a code works once.
ALTER TABLE app_user
    ADD COLUMN totp_secret    bytea CHECK (octet_length(totp_secret) >= 20),
    ADD COLUMN totp_last_step bigint;
