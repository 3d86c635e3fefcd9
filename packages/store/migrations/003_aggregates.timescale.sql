-- ioc:no-transaction
-- Continuous aggregates cannot be created inside a transaction, so each statement runs on its own; every
-- statement is written to be safe to run again should this file be interrupted half-way.
-- Buckets are UTC hours and days (time_bucket's default origin), the same as date_bin on the plain path.
-- materialized_only = false: the views add the not-yet-materialised tail from the raw table (real-time
-- aggregation; off by default since TimescaleDB 2.13).
CREATE MATERIALIZED VIEW IF NOT EXISTS sensor_readings_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', observed_at) AS bucket_start,
       device_id,
       property,
       avg(value) AS avg_value,
       min(value) AS min_value,
       max(value) AS max_value,
       count(*) AS sample_count
FROM sensor_readings
GROUP BY time_bucket(INTERVAL '1 hour', observed_at), device_id, property
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS sensor_readings_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', observed_at) AS bucket_start,
       device_id,
       property,
       avg(value) AS avg_value,
       min(value) AS min_value,
       max(value) AS max_value,
       count(*) AS sample_count
FROM sensor_readings
GROUP BY time_bucket(INTERVAL '1 day', observed_at), device_id, property
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_flow_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', date_observed_from) AS bucket_start,
       device_id,
       lane_id,
       direction,
       vehicle_class,
       sum(intensity) AS vehicle_count,
       avg(average_speed_kmh) AS average_speed_kmh,
       count(average_speed_kmh) AS speed_sample_count,
       count(*) AS sample_count
FROM traffic_flow_observed
GROUP BY time_bucket(INTERVAL '1 hour', date_observed_from), device_id, lane_id, direction, vehicle_class
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_flow_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', date_observed_from) AS bucket_start,
       device_id,
       lane_id,
       direction,
       vehicle_class,
       sum(intensity) AS vehicle_count,
       avg(average_speed_kmh) AS average_speed_kmh,
       count(average_speed_kmh) AS speed_sample_count,
       count(*) AS sample_count
FROM traffic_flow_observed
GROUP BY time_bucket(INTERVAL '1 day', date_observed_from), device_id, lane_id, direction, vehicle_class
WITH NO DATA;

-- Refresh windows reach back far enough to pick up outbox replays after a long outage (data observed days
-- ago arriving now); the newest partial bucket is left to real-time aggregation.
SELECT add_continuous_aggregate_policy('sensor_readings_hourly',
  start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '5 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('sensor_readings_daily',
  start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('traffic_flow_hourly',
  start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '5 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('traffic_flow_daily',
  start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
