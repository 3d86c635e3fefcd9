-- The traffic police's actions on violations (confirm, reject, dispatch) and the evidence exports, as an
-- append-only trail: one row per action, written in the same transaction as the status change it records, so
-- a case's status is always the last row's to_status. The trigger refuses UPDATE and DELETE: the application
-- cannot rewrite what an officer did. One file for TimescaleDB and plain PostgreSQL (a workflow table).
CREATE TABLE violation_actions (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  violation_id text NOT NULL REFERENCES violations (id),
  action text NOT NULL CHECK (action IN ('confirm', 'reject', 'dispatch', 'export')),
  reason_code text CHECK (reason_code IN ('notAViolation', 'allowedMovement', 'priorityVehicle', 'plateUnreadable', 'duplicate', 'detectionError', 'other')),
  note text CHECK (char_length(note) <= 500),
  -- Who acted, copied from the session when the action was taken (accounts may be renamed or removed later);
  -- null when the server runs without accounts.
  officer_id text,
  officer_username text,
  officer_name text,
  officer_unit text,
  client_address text,
  from_status text NOT NULL CHECK (from_status IN ('new', 'confirmed', 'rejected', 'dispatched')),
  to_status text NOT NULL CHECK (to_status IN ('new', 'confirmed', 'rejected', 'dispatched')),
  -- Export rows: one id per ZIP, so the cases handed over together can be listed.
  export_id uuid,
  CHECK ((action = 'reject') = (reason_code IS NOT NULL)),
  CHECK ((action = 'export') = (export_id IS NOT NULL))
);
CREATE INDEX violation_actions_violation ON violation_actions (violation_id, id);
CREATE INDEX violation_actions_export ON violation_actions (export_id) WHERE export_id IS NOT NULL;

CREATE FUNCTION violation_actions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'violation_actions is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER violation_actions_append_only BEFORE UPDATE OR DELETE ON violation_actions
  FOR EACH ROW EXECUTE FUNCTION violation_actions_append_only();
-- TRUNCATE skips row triggers: refuse it too.
CREATE TRIGGER violation_actions_no_truncate BEFORE TRUNCATE ON violation_actions
  FOR EACH STATEMENT EXECUTE FUNCTION violation_actions_append_only();
