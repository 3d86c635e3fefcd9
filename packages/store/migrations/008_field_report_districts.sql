-- The district a field report lies in, from its location and the site's district boundaries (set when the report
-- is stored; reports stored before this column existed are filled in when the system starts). It lets the leaders'
-- review narrow field reports by district like every other family. NULL: no location, or outside every district.
ALTER TABLE field_reports ADD COLUMN district_code text;
CREATE INDEX field_reports_district_requested ON field_reports (district_code, requested_at);
