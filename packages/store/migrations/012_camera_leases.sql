-- Camera leases: which ingest worker analyses which camera (and who runs the site-wide duties, unit '@site').
-- Expiry is compared with the database's clock only (now()), never a worker's, so workers whose clocks disagree
-- still agree on who holds a lease. `epoch` is the fencing token: it grows by one on every acquisition, and a
-- camera's minute rows are written only while the writer's (worker, epoch) is the live lease row (checked in the
-- same transaction, under FOR SHARE, so a takeover waits for an in-flight write and a stale one is refused).
CREATE TABLE camera_leases (
  camera_id    text PRIMARY KEY,
  worker_id    text,
  epoch        bigint NOT NULL DEFAULT 0,
  acquired_at  timestamptz,
  heartbeat_at timestamptz,
  expires_at   timestamptz
);

-- Every acquisition and release, for operators and for the scale-out test's "never two analysers" check.
CREATE TABLE camera_lease_history (
  id        bigserial PRIMARY KEY,
  camera_id text NOT NULL,
  worker_id text NOT NULL,
  epoch     bigint NOT NULL,
  event     text NOT NULL CHECK (event IN ('acquired', 'released', 'lost')),
  at        timestamptz NOT NULL DEFAULT now(),
  -- Acquisitions record the previous holder's expiry: a takeover after it passed is visible as such.
  previous_worker_id text,
  previous_expires_at timestamptz
);
CREATE INDEX camera_lease_history_camera ON camera_lease_history (camera_id, id);

-- Live ingest workers (heartbeat rows): the fair share of cameras is ceil(cameras / live workers).
CREATE TABLE ingest_workers (
  worker_id    text PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);

-- @socket.io/postgres-adapter: payloads above NOTIFY's 8 000 bytes travel through this table.
CREATE TABLE socket_io_attachments (
  id         bigserial UNIQUE,
  created_at timestamptz DEFAULT now(),
  payload    bytea
);
