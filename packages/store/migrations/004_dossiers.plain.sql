-- Administrative-procedure dossiers (hồ sơ thủ tục hành chính). Plain PostgreSQL: ordinary tables and the
-- daily view as a materialized view that AggregateRefresher refreshes CONCURRENTLY (hence its unique index).
-- The TimescaleDB variant (004_dossiers.timescale.sql) has the same tables, columns and view name.

-- One row per lifecycle event; an event sent twice (webhook retry, re-imported file) is stored once.
CREATE TABLE dossier_events (
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
CREATE INDEX dossier_events_occurred_at ON dossier_events USING brin (occurred_at);

-- Current state per dossier, rebuilt from its events in the transaction that stores them (so the order events
-- arrive in does not matter). The KPI queries read this table: carried-over and in-progress counts need
-- each dossier's receipt, due and finish times together, which a per-event aggregate cannot give.
CREATE TABLE dossiers (
  dossier_id text PRIMARY KEY,
  procedure_code text NOT NULL,
  procedure_name text NOT NULL,
  agency_code text NOT NULL,
  agency_name text NOT NULL,
  administrative_level text NOT NULL,
  district_code text,
  online_service_level text NOT NULL,
  channel text NOT NULL,
  -- Null until the received event arrives; such dossiers are left out of the KPIs.
  received_at timestamptz,
  due_at timestamptz,
  -- First resolved, returned or withdrawn event; null while in progress.
  finished_at timestamptz,
  outcome text CHECK (outcome IN ('resolved', 'returned', 'withdrawn')),
  status text NOT NULL CHECK (status IN ('inProgress', 'awaitingDocuments', 'resolved', 'returned', 'withdrawn')),
  last_event text NOT NULL,
  last_event_at timestamptz NOT NULL,
  event_count integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossiers_received_at ON dossiers (received_at);
CREATE INDEX dossiers_finished_at ON dossiers (finished_at);
-- The overdue list: open dossiers by agency and due time.
CREATE INDEX dossiers_open_by_due ON dossiers (due_at, agency_code) WHERE finished_at IS NULL;

-- Events per Vietnam day (UTC+7, no daylight saving: a day starts at 17:00 UTC), agency, event and channel.
CREATE MATERIALIZED VIEW dossier_events_daily AS
SELECT date_bin(INTERVAL '1 day', occurred_at, TIMESTAMPTZ '2000-01-01 00:00:00+07') AS bucket_start,
       agency_code,
       administrative_level,
       event,
       channel,
       count(*) AS event_count
FROM dossier_events
GROUP BY 1, 2, 3, 4, 5
WITH DATA;
CREATE UNIQUE INDEX dossier_events_daily_key ON dossier_events_daily (agency_code, administrative_level, event, channel, bucket_start);
