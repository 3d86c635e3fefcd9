-- The IOC's tables, the same on TimescaleDB and on plain PostgreSQL. Times are timestamptz (UTC on the wire).

-- Smart Data Models Device documents, with the columns queries filter on pulled out.
CREATE TABLE devices (
  id text PRIMARY KEY,
  category text NOT NULL,
  district_code text,
  longitude double precision NOT NULL,
  latitude double precision NOT NULL,
  document jsonb NOT NULL,
  -- Kept apart from the document: ingest moves it forward often, registration rewrites the document rarely.
  date_last_value_reported timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_district_code ON devices (district_code);

-- One observation of one property by one device; a reading sent twice is stored once (natural key).
CREATE TABLE sensor_readings (
  device_id text NOT NULL,
  property text NOT NULL,
  observed_at timestamptz NOT NULL,
  value double precision NOT NULL,
  -- When the IOC accepted it (not when it reached this table: an outbox replay keeps the original time).
  received_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sensor_readings_natural_key UNIQUE (device_id, property, observed_at)
);
-- "Everything since T" (the wall's history on start-up). BRIN: near-free on append-mostly time columns.
CREATE INDEX sensor_readings_observed_at ON sensor_readings USING brin (observed_at);

-- The newest value per device and property; only ever moves forward in observed_at.
CREATE TABLE sensor_latest (
  device_id text NOT NULL,
  property text NOT NULL,
  value double precision NOT NULL,
  observed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, property)
) WITH (fillfactor = 50); -- rewritten on every batch: room on each page keeps the updates HOT (no index churn)

-- Smart Data Models TrafficFlowObserved: per counting line (lane), direction and vehicle class per interval.
CREATE TABLE traffic_flow_observed (
  device_id text NOT NULL,
  lane_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('forward', 'backward')),
  vehicle_class text NOT NULL,
  date_observed_from timestamptz NOT NULL,
  date_observed_to timestamptz NOT NULL,
  intensity integer NOT NULL CHECK (intensity >= 0),
  occupancy double precision,
  average_speed_kmh double precision,
  road_segment_id text,
  received_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT traffic_flow_observed_natural_key UNIQUE (device_id, lane_id, direction, vehicle_class, date_observed_from),
  CHECK (date_observed_to > date_observed_from)
);
CREATE INDEX traffic_flow_observed_from ON traffic_flow_observed USING brin (date_observed_from);

-- Smart Data Models Alert (traffic violations, pollution, floods, devices offline).
CREATE TABLE alerts (
  id text PRIMARY KEY,
  category text NOT NULL,
  sub_category text NOT NULL,
  severity text NOT NULL,
  device_id text,
  district_code text,
  longitude double precision,
  latitude double precision,
  date_issued timestamptz NOT NULL,
  document jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_date_issued ON alerts (date_issued DESC);
CREATE INDEX alerts_device_id ON alerts (device_id, date_issued DESC);

-- Messages that could not be accepted, with the reason, for an operator to see what a sensor sent.
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL,
  source text NOT NULL,
  topic text,
  -- UTF-8 text, or 'base64:' followed by the bytes when the payload was not text.
  payload text NOT NULL,
  code text NOT NULL,
  reason text NOT NULL
);
