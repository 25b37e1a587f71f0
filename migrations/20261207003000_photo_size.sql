-- Photos are stored as the server re-encodes them (intake::photo): a JPEG without metadata,
-- at most 500 kB. Rows from before keep what they were (NOT VALID: checked for new rows).
ALTER TABLE intake_photo
    ADD CONSTRAINT intake_photo_stored_size CHECK (length(bytes) <= 500000) NOT VALID;
ALTER TABLE intake_upload
    ADD CONSTRAINT intake_upload_stored_size CHECK (length(bytes) <= 500000) NOT VALID;
-- Photos staged for a desk form before this change were kept as sent, EXIF and all; they
-- are a day's convenience at most (an officer whose form came back chooses them again).
DELETE FROM intake_upload;
