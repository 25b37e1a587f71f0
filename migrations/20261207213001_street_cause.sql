-- Why the person was on the street, and the protection concerns the officer noted
-- (issue 25, item 9). The codes are the vocabulary's (`vocab::StreetCause`,
-- `vocab::ProtectionFlag`); a case page offers a referral for each concern.
ALTER TABLE intake
    ADD COLUMN cause text CHECK (cause IN ('out_of_money', 'false_job_offer', 'family_conflict',
        'mental_illness', 'abandoned_elderly', 'child_alone', 'other')),
    ADD COLUMN protection text[] NOT NULL DEFAULT '{}'
        CHECK (protection <@ ARRAY['trafficking', 'violence', 'exploitation']::text[]);
