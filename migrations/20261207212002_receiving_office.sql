-- The receiving office as a user: a regency social office's officer (`regency_officer`,
-- scoped to its regency) answers the hand-overs to that regency and nothing else.
ALTER TABLE user_role DROP CONSTRAINT user_role_role_check;
ALTER TABLE user_role DROP CONSTRAINT user_role_check;
ALTER TABLE user_role ADD CONSTRAINT user_role_role_check
    CHECK (role IN ('intake_officer', 'identity_officer', 'case_officer', 'upt_staff',
                    'regency_viewer', 'regency_officer', 'admin'));
ALTER TABLE user_role ADD CONSTRAINT user_role_check CHECK (CASE role
    WHEN 'intake_officer' THEN scope_region IS NOT NULL AND scope_upt IS NULL
    WHEN 'regency_viewer' THEN scope_region IS NOT NULL AND scope_upt IS NULL
    WHEN 'regency_officer' THEN scope_region IS NOT NULL AND scope_upt IS NULL
    WHEN 'upt_staff' THEN scope_upt IS NOT NULL AND scope_region IS NULL
    ELSE scope_region IS NULL AND scope_upt IS NULL END);

-- What the office answered, by its officer (`by_user`) or through the notice's link
-- (null): accepted, declined (with a reason; it becomes a refusal), another date
-- proposed, or "we collect the person at Balai PRS PMKS Sidoarjo". Append-only.
CREATE TABLE handover_response (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id     bigint NOT NULL REFERENCES handover_notice,
    case_id       bigint NOT NULL REFERENCES ot_case,
    kind          text NOT NULL CHECK (kind IN ('accepted', 'declined', 'another_date', 'collect')),
    proposed_date date,
    note          text NOT NULL DEFAULT '',
    by_user       bigint REFERENCES app_user,
    at            timestamptz NOT NULL,
    CHECK ((kind = 'another_date') = (proposed_date IS NOT NULL))
);
CREATE INDEX handover_response_notice ON handover_response (notice_id);
CREATE TRIGGER handover_response_append_only BEFORE UPDATE OR DELETE ON handover_response
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER handover_response_raw_change AFTER INSERT OR UPDATE OR DELETE ON handover_response
    FOR EACH ROW EXECUTE FUNCTION audit_raw_change();
GRANT SELECT, INSERT ON handover_response TO simlontar_app;

ALTER TABLE handover_notice
    ADD COLUMN accepted_at      timestamptz,
    -- The office collects the person at this UPT instead (the plan then ends there).
    ADD COLUMN collect_upt      text REFERENCES upt,
    -- The officer who confirmed the person received, when it was done signed in.
    ADD COLUMN received_by_user bigint REFERENCES app_user;

-- A way into a scope: the hand-overs addressed to the scope's offices (the regency codes
-- of its `regency_officer` grants), while their plan stands or was carried out. A
-- called-off hand-over (declined, refused) is no longer the office's.
CREATE OR REPLACE FUNCTION scope_admitted_cases(upts text[], viewer bigint, at timestamptz)
    RETURNS SETOF bigint LANGUAGE plpgsql STABLE ROWS 100 AS $$
BEGIN
    RETURN QUERY
    SELECT p.case_id FROM placement p JOIN ward w ON w.id = p.ward_id
     WHERE w.upt_code = ANY (upts)
    UNION ALL
    SELECT r.case_id FROM referral r
     WHERE r.ended_at IS NULL AND r.upt_code = ANY (upts)
    UNION ALL
    SELECT b.case_id FROM break_glass b
     WHERE b.user_id = viewer AND at >= b.granted_at AND at < b.expires_at
    UNION ALL
    SELECT n.case_id FROM handover_notice n JOIN transport_plan t ON t.id = n.plan_id
     WHERE n.office_code = ANY (scope_list('offices')) AND t.state <> 'cancelled';
END
$$;
CREATE INDEX handover_notice_office ON handover_notice (office_code);
