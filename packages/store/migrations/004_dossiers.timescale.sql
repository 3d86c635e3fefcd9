-- ioc:no-transaction
-- Administrative-procedure dossiers (hồ sơ thủ tục hành chính) on TimescaleDB: the same tables, columns and view
-- name as 004_dossiers.plain.sql (see its comments), with dossier_events a hypertable, compressed after 90 days
-- (late events of old dossiers are rare) and kept without a retention policy (multi-year reports), and the
-- daily view a continuous aggregate. Each statement runs on its own and is safe to run again.
CREATE TABLE IF NOT EXISTS dossier_events (
  dossier_id text NOT NULL,
  event text NOT NULL CHECK (event IN ('received', 'assigned', 'additionalDocumentsRequested', 'returned', 'resolved', 'withdrawn')),
  occurred_at timestamptz NOT NULL,
  procedure_code text NOT NULL,
  procedure_name text NOT NULL,
  agency_code text NOT NULL,
  agency_name text NOT NULL,
  administrative_level text NOT NULL CHECK (administrative_level IN ('province', 'district', 'commune')),
  district_code text,
  online_service_level text NOT NULL CHECK (online_service_level IN ('none', 'partial', 'full')),
  channel text NOT NULL CHECK (channel IN ('online', 'inPerson', 'postal')),
  due_at timestamptz,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dossier_events_natural_key UNIQUE (dossier_id, event, occurred_at)
);
SELECT create_hypertable('dossier_events', 'occurred_at',
  chunk_time_interval => INTERVAL '30 days', create_default_indexes => FALSE, if_not_exists => TRUE, migrate_data => TRUE);
CREATE INDEX IF NOT EXISTS dossier_events_occurred_at ON dossier_events (occurred_at);
ALTER TABLE dossier_events SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'agency_code',
  timescaledb.compress_orderby = 'occurred_at DESC, dossier_id, event'
);
SELECT add_compression_policy('dossier_events', compress_after => INTERVAL '90 days', if_not_exists => TRUE);

CREATE TABLE IF NOT EXISTS dossiers (
  dossier_id text PRIMARY KEY,
  procedure_code text NOT NULL,
  procedure_name text NOT NULL,
  agency_code text NOT NULL,
  agency_name text NOT NULL,
  administrative_level text NOT NULL,
  district_code text,
  online_service_level text NOT NULL,
  channel text NOT NULL,
  received_at timestamptz,
  due_at timestamptz,
  finished_at timestamptz,
  outcome text CHECK (outcome IN ('resolved', 'returned', 'withdrawn')),
  status text NOT NULL CHECK (status IN ('inProgress', 'awaitingDocuments', 'resolved', 'returned', 'withdrawn')),
  last_event text NOT NULL,
  last_event_at timestamptz NOT NULL,
  event_count integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dossiers_received_at ON dossiers (received_at);
CREATE INDEX IF NOT EXISTS dossiers_finished_at ON dossiers (finished_at);
CREATE INDEX IF NOT EXISTS dossiers_open_by_due ON dossiers (due_at, agency_code) WHERE finished_at IS NULL;

-- Vietnam days: time_bucket in Asia/Ho_Chi_Minh (UTC+7 all year) equals date_bin with a +07 origin.
CREATE MATERIALIZED VIEW IF NOT EXISTS dossier_events_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', occurred_at, 'Asia/Ho_Chi_Minh') AS bucket_start,
       agency_code,
       administrative_level,
       event,
       channel,
       count(*) AS event_count
FROM dossier_events
GROUP BY time_bucket(INTERVAL '1 day', occurred_at, 'Asia/Ho_Chi_Minh'), agency_code, administrative_level, event, channel
WITH NO DATA;

-- Imports of old exports land weeks back: refresh a wide window hourly; the tail is real-time aggregation.
SELECT add_continuous_aggregate_policy('dossier_events_daily',
  start_offset => INTERVAL '120 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
