-- Plain PostgreSQL: the same view names and columns as the TimescaleDB continuous aggregates, as ordinary
-- materialized views that AggregateRefresher refreshes CONCURRENTLY (hence a unique index on each).
-- Buckets are UTC hours and days: date_bin with origin 2000-01-01 UTC is time_bucket's default alignment.
-- Daily views roll up the hourly ones (weighted by sample counts) rather than the raw tables: a refresh
-- recomputes the whole view, and the hourly view is far smaller than the raw table.
CREATE MATERIALIZED VIEW sensor_readings_hourly AS
SELECT date_bin(INTERVAL '1 hour', observed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
       device_id,
       property,
       avg(value) AS avg_value,
       min(value) AS min_value,
       max(value) AS max_value,
       count(*) AS sample_count
FROM sensor_readings
GROUP BY 1, 2, 3
WITH DATA;
CREATE UNIQUE INDEX sensor_readings_hourly_key ON sensor_readings_hourly (device_id, property, bucket_start);

CREATE MATERIALIZED VIEW sensor_readings_daily AS
SELECT date_bin(INTERVAL '1 day', bucket_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
       device_id,
       property,
       sum(avg_value * sample_count) / sum(sample_count) AS avg_value,
       min(min_value) AS min_value,
       max(max_value) AS max_value,
       sum(sample_count)::bigint AS sample_count
FROM sensor_readings_hourly
GROUP BY 1, 2, 3
WITH DATA;
CREATE UNIQUE INDEX sensor_readings_daily_key ON sensor_readings_daily (device_id, property, bucket_start);

CREATE MATERIALIZED VIEW traffic_flow_hourly AS
SELECT date_bin(INTERVAL '1 hour', date_observed_from, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
       device_id,
       lane_id,
       direction,
       vehicle_class,
       sum(intensity)::bigint AS vehicle_count,
       avg(average_speed_kmh) AS average_speed_kmh,
       count(average_speed_kmh) AS speed_sample_count,
       count(*) AS sample_count
FROM traffic_flow_observed
GROUP BY 1, 2, 3, 4, 5
WITH DATA;
CREATE UNIQUE INDEX traffic_flow_hourly_key ON traffic_flow_hourly (device_id, lane_id, direction, vehicle_class, bucket_start);

CREATE MATERIALIZED VIEW traffic_flow_daily AS
SELECT date_bin(INTERVAL '1 day', bucket_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
       device_id,
       lane_id,
       direction,
       vehicle_class,
       sum(vehicle_count)::bigint AS vehicle_count,
       sum(average_speed_kmh * speed_sample_count) / nullif(sum(speed_sample_count), 0) AS average_speed_kmh,
       sum(speed_sample_count)::bigint AS speed_sample_count,
       sum(sample_count)::bigint AS sample_count
FROM traffic_flow_hourly
GROUP BY 1, 2, 3, 4, 5
WITH DATA;
CREATE UNIQUE INDEX traffic_flow_daily_key ON traffic_flow_daily (device_id, lane_id, direction, vehicle_class, bucket_start);
