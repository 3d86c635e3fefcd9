-- Plate sightings: a vehicle's plate read at a camera at a time (from a violation's plate read, or from a
-- counting-line crossing of a camera with `plates.readOnCrossing`), and the audit of every plate search.
--
-- One file for TimescaleDB and plain PostgreSQL, and a plain table on both: sightings are a time series, but they
-- are read by plate (one vehicle across a month), never bucketed by time; a hypertable would split the
-- trigram index into one per chunk and make every fuzzy search visit all chunks of the range, and would forbid
-- the single-column primary key the crop audit names. At the volumes a province sees (a few sightings per
-- second at most) one table with a time index stays small enough; retention deletes by `seen_at`.
--
-- pg_trgm is a contrib extension shipped with PostgreSQL (the embedded server, Debian's and TimescaleDB's images
-- all carry it): its trigram index prefilters fuzzy searches; the application ranks the candidates.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE plate_sightings (
  id bigserial PRIMARY KEY,
  camera_id text NOT NULL,
  seen_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- In the official layout (`30E-558.78`) when the read fits a plate shape, else as read.
  plate_text text NOT NULL CHECK (length(plate_text) BETWEEN 1 AND 32),
  -- Upper-case letters and digits only: the form searched.
  plate_compact text NOT NULL CHECK (plate_compact ~ '^[0-9A-Z]{1,32}$'),
  confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  source text NOT NULL CHECK (source IN ('violation', 'crossing')),
  session_id text,
  track_id integer CHECK (track_id >= 0),
  vehicle_class text,
  line_id text,
  direction text CHECK (direction IN ('forward', 'backward')),
  violation_id text,
  vehicle_crop_sha256 text CHECK (vehicle_crop_sha256 ~ '^[0-9a-f]{64}$'),
  plate_crop_sha256 text CHECK (plate_crop_sha256 ~ '^[0-9a-f]{64}$'),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  district_code text,
  -- A track is read once per line crossing, and a violation gives one sighting: writing the same one again
  -- (a retried write, a replay) changes nothing.
  CONSTRAINT plate_sightings_once UNIQUE NULLS NOT DISTINCT (camera_id, session_id, track_id, source, line_id, violation_id)
);
-- Exact search: one plate over a time range, newest first.
CREATE INDEX plate_sightings_plate_time ON plate_sightings (plate_compact, seen_at DESC);
-- Fuzzy search: trigram candidates (`plate_compact % $1` / similarity), ranked in the application.
CREATE INDEX plate_sightings_plate_trgm ON plate_sightings USING gin (plate_compact gin_trgm_ops);
CREATE INDEX plate_sightings_time ON plate_sightings (seen_at DESC);
CREATE INDEX plate_sightings_crops ON plate_sightings (plate_crop_sha256) WHERE plate_crop_sha256 IS NOT NULL;
CREATE INDEX plate_sightings_vehicle_crops ON plate_sightings (vehicle_crop_sha256) WHERE vehicle_crop_sha256 IS NOT NULL;

-- Every plate search and trace, and every crop view (served or refused), with who asked and what.
-- Append-only like evidence_access: the application cannot rewrite its own trail.
CREATE TABLE plate_search_audit (
  id bigserial PRIMARY KEY,
  searched_at timestamptz NOT NULL DEFAULT now(),
  user_id text,
  username text,
  role text,
  client_address text,
  action text NOT NULL CHECK (action IN ('search', 'trace', 'crop')),
  -- The query as the viewer sent it and as searched ({plate, mode, from, to, cameraId} or {sha256}).
  query jsonb NOT NULL,
  result_count integer NOT NULL CHECK (result_count >= 0),
  result text NOT NULL CHECK (result IN ('served', 'refused', 'notFound'))
);
CREATE INDEX plate_search_audit_time ON plate_search_audit (searched_at DESC);
CREATE INDEX plate_search_audit_user ON plate_search_audit (user_id, searched_at DESC);

CREATE FUNCTION plate_search_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'plate_search_audit is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER plate_search_audit_append_only BEFORE UPDATE OR DELETE ON plate_search_audit
  FOR EACH ROW EXECUTE FUNCTION plate_search_audit_append_only();
