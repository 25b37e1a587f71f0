-- Who received the person at the hand-over: the name, and the receiving officer's NIP or
-- the relative's relation to the person. Every hand-over confirmed from now on names its
-- receiver (NOT VALID: hand-overs confirmed before this had no place for it).
ALTER TABLE handover_notice
    ADD COLUMN received_by     text,
    ADD COLUMN received_by_ref text,
    ADD CONSTRAINT handover_notice_receiver
        CHECK (received_at IS NULL OR (received_by IS NOT NULL AND received_by_ref IS NOT NULL)) NOT VALID;
