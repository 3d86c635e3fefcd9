-- TimescaleDB: the time-series tables become hypertables (chunked by time), compressed once a week old and
-- dropped after 400 days (a year plus a margin for year-on-year comparisons; the hourly and daily aggregates
-- are kept longer, see 003). The unique natural keys include the time column, as hypertables require.
SELECT create_hypertable('sensor_readings', 'observed_at',
  chunk_time_interval => INTERVAL '1 day', create_default_indexes => FALSE, if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('traffic_flow_observed', 'date_observed_from',
  chunk_time_interval => INTERVAL '7 days', create_default_indexes => FALSE, if_not_exists => TRUE, migrate_data => TRUE);

-- Segment by the natural key's non-time columns: history queries filter on them, and late duplicates are
-- checked against compressed chunks through them.
ALTER TABLE sensor_readings SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'device_id, property',
  timescaledb.compress_orderby = 'observed_at DESC'
);
ALTER TABLE traffic_flow_observed SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'device_id, lane_id, direction, vehicle_class',
  timescaledb.compress_orderby = 'date_observed_from DESC'
);

SELECT add_compression_policy('sensor_readings', compress_after => INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_compression_policy('traffic_flow_observed', compress_after => INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_retention_policy('sensor_readings', drop_after => INTERVAL '400 days', if_not_exists => TRUE);
SELECT add_retention_policy('traffic_flow_observed', drop_after => INTERVAL '400 days', if_not_exists => TRUE);
