-- FULL resolves only after a free bed has held for a day, however many runs happen
-- meanwhile (one after each placement and discharge): the open alert keeps the moment of
-- the first run of the current calm stretch.
ALTER TABLE capacity_alert ADD COLUMN calm_since timestamptz;
