-- Citizen field reports (Open311 GeoReport v2), the apps' API keys, and the lifecycle of system incidents.
-- The same on TimescaleDB and plain PostgreSQL: these are workflow tables, not time series.

-- Keys are random (256 bits), so a plain sha256 is enough to keep them unusable if the table leaks.
CREATE TABLE open311_api_keys (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  key_sha256 text NOT NULL UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- service_request_id is YY-NNNNNNNN (the year and a running number), short enough to read out on the phone.
CREATE SEQUENCE field_report_number;

CREATE TABLE field_reports (
  id text PRIMARY KEY,
  service_code text NOT NULL,
  status text NOT NULL CHECK (status IN ('new', 'assigned', 'resolved')),
  description text,
  agency_responsible text,
  status_notes text,
  service_notice text,
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  address text,
  address_id text,
  zipcode text,
  attributes jsonb NOT NULL DEFAULT '{}',
  -- The re-encoded photo (no EXIF) under <dataDir>/open311-media by this hash; or a URL the client gave.
  media_sha256 text CHECK (media_sha256 ~ '^[0-9a-f]{64}$'),
  external_media_url text,
  -- The citizen's contact details: personal data, shown to operators only, never in Open311 answers.
  contact jsonb NOT NULL DEFAULT '{}',
  api_key_id bigint REFERENCES open311_api_keys (id),
  requested_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expected_at timestamptz,
  closed_at timestamptz
);
CREATE INDEX field_reports_requested_at ON field_reports (requested_at DESC);
CREATE INDEX field_reports_status ON field_reports (status, requested_at DESC);
CREATE INDEX field_reports_service_code ON field_reports (service_code, requested_at DESC);

-- Every change, who made it and why; public notes are what the citizen reads.
CREATE TABLE field_report_history (
  id bigserial PRIMARY KEY,
  report_id text NOT NULL REFERENCES field_reports (id),
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL CHECK (action IN ('opened', 'categorised', 'assigned', 'noted', 'resolved', 'reopened')),
  actor text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  note text,
  public boolean NOT NULL DEFAULT true,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX field_report_history_report ON field_report_history (report_id, id);

-- Incidents: the rule that raised an alert, one open alert per rule and device (dedupe_key), when it
-- cleared, and the operator's acknowledgement.
ALTER TABLE alerts
  ADD COLUMN rule text,
  ADD COLUMN dedupe_key text,
  ADD COLUMN closed_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN acknowledged_at timestamptz,
  ADD COLUMN acknowledged_by text,
  ADD COLUMN acknowledgement_note text;
CREATE UNIQUE INDEX alerts_one_open_per_key ON alerts (dedupe_key) WHERE closed_at IS NULL AND dedupe_key IS NOT NULL;
CREATE INDEX alerts_open ON alerts (date_issued DESC) WHERE closed_at IS NULL;
