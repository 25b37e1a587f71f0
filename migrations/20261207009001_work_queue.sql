-- Background work asked for by a change (a new intake asks for re-intake matching, a
-- placement for a capacity evaluation), written in the change's own transaction: work
-- asked for and not yet done survives a restart. A drain takes every row of a kind up to
-- the newest it saw and does the work once (a burst of requests is one run); rows written
-- meanwhile stay for the next drain. Inserts never wait for a drain (no shared row).
CREATE TABLE work_queue (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      text NOT NULL CHECK (kind IN ('reintake', 'capacity')),
    queued_at timestamptz NOT NULL
);
CREATE INDEX work_queue_kind ON work_queue (kind, id);

GRANT SELECT, INSERT, DELETE ON work_queue TO simlontar_app;
