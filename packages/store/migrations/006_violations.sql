-- Traffic violations found by live cameras and the audit of who looked at their evidence.
-- One file for TimescaleDB and plain PostgreSQL: violations are a workflow table (police change their status,
-- alerts reference them), a few hundred rows per camera and day, not a time series worth a hypertable.

-- One row per camera, rule, configured geometry and track; the session tells a pipeline run apart, since track
-- ids start again at 1 when a camera reconnects. The same id is the Alert's id in `alerts`.
CREATE TABLE violations (
  id text PRIMARY KEY REFERENCES alerts (id),
  camera_id text NOT NULL,
  rule text NOT NULL CHECK (rule IN ('redLightViolation', 'carWrongDirection', 'carStopped', 'speeding', 'laneViolation')),
  rule_id text NOT NULL,
  session_id text NOT NULL,
  track_id integer NOT NULL CHECK (track_id >= 0),
  vehicle_class text NOT NULL,
  severity text NOT NULL,
  frame_index integer NOT NULL,
  occurred_at timestamptz NOT NULL,
  decided_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  district_code text,
  box jsonb NOT NULL,
  speed_kmh double precision,
  advisory boolean,
  -- Filled by plate reading; null until a reader has read it (never guessed).
  plate_text text,
  plate_confidence double precision CHECK (plate_confidence BETWEEN 0 AND 1),
  -- [{kind, sha256, mediaType}]: the files under the evidence directory, named by these hashes.
  evidence jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'rejected', 'dispatched')),
  status_changed_at timestamptz,
  status_reason text,
  CONSTRAINT violations_once_per_track_and_rule UNIQUE (camera_id, rule, rule_id, session_id, track_id)
);
CREATE INDEX violations_occurred_at ON violations (occurred_at DESC);
CREATE INDEX violations_camera ON violations (camera_id, occurred_at DESC);
CREATE INDEX violations_status ON violations (status, occurred_at DESC);
CREATE INDEX violations_plate ON violations (plate_text) WHERE plate_text IS NOT NULL;

-- Every evidence view and verification, served or refused. Append-only: the trigger refuses UPDATE and DELETE,
-- so the application cannot rewrite its own audit trail. The accounts work adds the user column.
CREATE TABLE evidence_access (
  id bigserial PRIMARY KEY,
  accessed_at timestamptz NOT NULL DEFAULT now(),
  client_address text,
  violation_id text NOT NULL,
  sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  action text NOT NULL CHECK (action IN ('view', 'verify')),
  result text NOT NULL CHECK (result IN ('served', 'verified', 'notInRecord', 'missingFile', 'unknownViolation'))
);
CREATE INDEX evidence_access_violation ON evidence_access (violation_id, id);

CREATE FUNCTION evidence_access_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_access is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER evidence_access_append_only BEFORE UPDATE OR DELETE ON evidence_access
  FOR EACH ROW EXECUTE FUNCTION evidence_access_append_only();
