-- Names for the two intake checks the app words for the user (src/error/constraints.rs):
-- the home village lies in the home regency, the regency in the home province. Created
-- unnamed in 20261123000002_flow.sql, they got PostgreSQL's numbered names.
ALTER TABLE intake RENAME CONSTRAINT intake_check3 TO intake_village_in_region;
ALTER TABLE intake RENAME CONSTRAINT intake_check4 TO intake_region_in_province;
