-- Marsudi Putra (PRSMP Surabaya) serves children in conflict with the law (ABH), not every
-- child: its wards get a need of their own, so the need rule never offers them to a child
-- because they are nearest (issue 23). `simlontar geo load` keeps wards.csv and this in step.
INSERT INTO need (code, name_id, name_en) VALUES
    ('juvenile_justice', 'Anak berhadapan dengan hukum (ABH)', 'Children in conflict with the law')
ON CONFLICT (code) DO NOTHING;

UPDATE ward SET need_code = 'juvenile_justice', updated_at = now()
 WHERE upt_code = 'PRSMP-SURABAYA' AND need_code IN ('child', 'youth');

INSERT INTO upt_service (upt_code, need_code)
SELECT code, 'juvenile_justice' FROM upt WHERE code = 'PRSMP-SURABAYA'
ON CONFLICT DO NOTHING;
DELETE FROM upt_service WHERE upt_code = 'PRSMP-SURABAYA' AND need_code IN ('child', 'youth');
