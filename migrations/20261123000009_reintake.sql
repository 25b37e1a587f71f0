-- When the linkage engine last compared an intake with the others (NULL: not yet).
ALTER TABLE intake ADD COLUMN linkage_checked_at timestamptz;
CREATE INDEX intake_linkage_pending ON intake (id) WHERE linkage_checked_at IS NULL;
