-- Plain PostgreSQL: sensor_readings and traffic_flow_observed stay ordinary tables with the indexes 001 gave
-- them. There is no compression and no automatic retention on this path; this step exists so that both
-- paths number their steps alike.
SELECT 1;
