-- Changes made to people's records outside Simlontar (an operator's psql session, a
-- script) leave an audit row too. Every connection Simlontar itself opens names itself
-- `simlontar…` (application_name, set in src/db.rs) and audits its own writes explicitly;
-- a row changed by any other client gets a `raw_change` row naming the table, the row,
-- the operation, the database user and client, and the SHA-256 of the row before and
-- after. This is a trace of ad-hoc changes, not a defence against the database owner,
-- who can disable triggers; the audit chain shows rows removed afterwards.

CREATE FUNCTION audit_raw_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    before jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    after  jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
BEGIN
    IF current_setting('application_name') LIKE 'simlontar%' THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (action, entity, entity_id, remote_addr, detail)
    VALUES ('raw_change', TG_TABLE_NAME, coalesce(after, before) ->> 'id', inet_client_addr(),
            jsonb_build_object(
                'operation', lower(TG_OP),
                'db_user', session_user,
                'client', current_setting('application_name'),
                'before_sha256', encode(sha256(convert_to(before::text, 'UTF8')), 'hex'),
                'after_sha256', encode(sha256(convert_to(after::text, 'UTF8')), 'hex')));
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'app_user', 'user_role', 'api_token', 'break_glass',
        'intake', 'ot_case', 'case_event', 'identity_check', 'registry_person', 'record_link',
        'placement', 'waiting_list', 'bed_hold', 'ward', 'transport_plan', 'handover_notice'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                 FOR EACH ROW EXECUTE FUNCTION audit_raw_change()',
            t || '_raw_change', t);
    END LOOP;
END $$;
