-- Staff accounts, their sessions, and the tamper-evident audit log. Citizens never hold an account (Open311 only).
-- The same on TimescaleDB and plain PostgreSQL: workflow tables, not time series.

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  username text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 128),
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'leader', 'police')),
  -- Empty arrays: the whole province / every camera (see SessionUser in @ioc/schemas).
  district_codes text[] NOT NULL DEFAULT '{}',
  camera_ids text[] NOT NULL DEFAULT '{}',
  unit text CHECK (length(unit) <= 128),
  -- scrypt$N$r$p$salt$hash (base64): the parameters travel with the hash so they can be raised later.
  password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_username ON users (username);

-- Only the sha256 of the session token is stored: a leaked table does not let anyone sign in.
CREATE TABLE sessions (
  token_sha256 text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  idle_timeout_seconds integer NOT NULL CHECK (idle_timeout_seconds > 0),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  client_address text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Machine clients (dossier webhook and import, HTTP sensor ingest) use the same keys as Open311 apps, with scopes.
-- Existing keys keep what they could do: submit Open311 requests.
ALTER TABLE open311_api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{open311}';

-- Append-only, hash-chained: hash = sha256(prev_hash || canonical JSON of the row), computed by the appender
-- (packages/store/src/audit-log.ts) while it holds the chain head row FOR UPDATE, so concurrent appends queue
-- instead of forking the chain. UPDATE, DELETE and TRUNCATE are refused by triggers; a row changed behind their
-- back (triggers disabled by a superuser) no longer matches its hash and `verify` reports it.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  user_id bigint,
  username text,
  role text,
  action text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  target text,
  result text NOT NULL CHECK (length(result) BETWEEN 1 AND 64),
  client_address text,
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (username, at);
CREATE INDEX audit_log_action ON audit_log (action, at);

CREATE TABLE audit_chain_head (
  id integer PRIMARY KEY CHECK (id = 1),
  last_seq bigint NOT NULL,
  last_hash text NOT NULL
);
-- The genesis hash: 64 zeros.
INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, repeat('0', 64));

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
