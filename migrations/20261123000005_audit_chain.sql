-- Audit integrity (ASVS 16.4.2): every audit row carries the SHA-256 of its own content
-- and of the row before it, so editing or deleting a row in the middle — even as a
-- superuser who gets past the append-only trigger — breaks the chain, and
-- `simlontar audit verify` says where.

ALTER TABLE audit_log
    ADD COLUMN chain_seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN row_hash  bytea;

-- The canonical text of a row: a JSON array, so no field can bleed into the next.
-- The verifier hashes this text itself, independently of the trigger.
CREATE FUNCTION audit_payload(r audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_array(
        r.chain_seq, r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        r.actor_id, r.action, r.entity, r.entity_id, host(r.remote_addr), r.detail)::text
$$;

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
BEGIN
    -- One writer at a time extends the chain; held until this transaction ends, so the
    -- next writer sees this row (or none, if this transaction rolls back).
    PERFORM pg_advisory_xact_lock(hashtext('simlontar.audit_chain'));
    SELECT chain_seq, row_hash INTO last_seq, last_hash
      FROM audit_log ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := last_hash;
    NEW.row_hash  := sha256(coalesce(last_hash, ''::bytea) || convert_to(audit_payload(NEW), 'UTF8'));
    RETURN NEW;
END $$;

-- Chain the rows written before this migration, in the order they were written.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r    audit_log;
    seq  bigint := 0;
    prev bytea;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        seq := seq + 1;
        r.chain_seq := seq;
        UPDATE audit_log
           SET chain_seq = seq, prev_hash = prev,
               row_hash = sha256(coalesce(prev, ''::bytea) || convert_to(audit_payload(r), 'UTF8'))
         WHERE id = r.id
        RETURNING row_hash INTO prev;
    END LOOP;
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE audit_log
    ALTER COLUMN chain_seq SET NOT NULL,
    ALTER COLUMN row_hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_seq);
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_chain();
