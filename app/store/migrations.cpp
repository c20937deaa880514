#include "store/migrations.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace airlock::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "instance and settings",
       R"SQL(
        CREATE TABLE instance (
          id          INTEGER PRIMARY KEY CHECK (id = 1),
          instance_id TEXT NOT NULL,
          created_at  TEXT NOT NULL
        ) STRICT;
        -- Small typed settings edited from the console later (security policy etc.).
        CREATE TABLE settings (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
       )SQL"},
      {2, "identity: users, sessions, one-time tokens, backup codes, access tokens, audit",
       R"SQL(
        -- Deactivated users are kept (audit rows point at them); e-mail is stored lower-cased.
        CREATE TABLE users (
          id                  INTEGER PRIMARY KEY,
          email               TEXT NOT NULL UNIQUE,
          password_hash       TEXT NOT NULL,
          role                TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
          active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
          totp_secret         TEXT,            -- field-encrypted, AAD users:totp_secret:<id>
          totp_enabled        INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
          totp_last_step      INTEGER NOT NULL DEFAULT 0,
          locked_until        INTEGER NOT NULL DEFAULT 0,  -- unix seconds
          created_at          INTEGER NOT NULL,
          updated_at          INTEGER NOT NULL
        ) STRICT;
        -- Only the SHA-256 of a session token is stored; the token lives in the cookie alone.
        CREATE TABLE sessions (
          id            INTEGER PRIMARY KEY,
          user_id       INTEGER NOT NULL REFERENCES users (id),
          token_hash    BLOB NOT NULL UNIQUE,
          csrf_token    TEXT NOT NULL,
          mfa_done      INTEGER NOT NULL CHECK (mfa_done IN (0, 1)),
          created_at    INTEGER NOT NULL,
          last_seen_at  INTEGER NOT NULL,
          ip            TEXT NOT NULL,
          user_agent    TEXT NOT NULL,
          ended_at      INTEGER,
          end_reason    TEXT
        ) STRICT;
        CREATE INDEX sessions_open_by_user ON sessions (user_id) WHERE ended_at IS NULL;
        -- Setup and invite links: hashed, expiring, single use.
        CREATE TABLE one_time_tokens (
          id          INTEGER PRIMARY KEY,
          kind        TEXT NOT NULL CHECK (kind IN ('setup', 'invite')),
          token_hash  BLOB NOT NULL UNIQUE,
          email       TEXT,
          role        TEXT CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
          created_by  INTEGER REFERENCES users (id),
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL,
          used_at     INTEGER
        ) STRICT;
        CREATE TABLE backup_codes (
          id         INTEGER PRIMARY KEY,
          user_id    INTEGER NOT NULL REFERENCES users (id),
          code_hash  TEXT NOT NULL,
          used_at    INTEGER
        ) STRICT;
        CREATE TABLE access_tokens (
          id            INTEGER PRIMARY KEY,
          user_id       INTEGER NOT NULL REFERENCES users (id),
          public_id     TEXT NOT NULL UNIQUE,
          token_hash    BLOB NOT NULL,
          name          TEXT NOT NULL,
          scope         TEXT NOT NULL CHECK (scope IN ('read', 'read_write')),
          created_at    INTEGER NOT NULL,
          expires_at    INTEGER,
          last_used_at  INTEGER,
          revoked_at    INTEGER
        ) STRICT;
        -- Failed password and MFA attempts, for lockout windows.
        CREATE TABLE auth_failures (
          id       INTEGER PRIMARY KEY,
          user_id  INTEGER REFERENCES users (id),
          ip       TEXT NOT NULL,
          kind     TEXT NOT NULL CHECK (kind IN ('password', 'mfa')),
          at       INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX auth_failures_by_user ON auth_failures (user_id, at);
        -- Security events. Append-only: the triggers refuse any change to a written row.
        CREATE TABLE audit_events (
          id             INTEGER PRIMARY KEY,
          at             TEXT NOT NULL,
          action         TEXT NOT NULL,
          outcome        TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
          actor_user_id  INTEGER,
          actor          TEXT NOT NULL,
          target         TEXT,
          ip             TEXT,
          user_agent     TEXT,
          request_id     TEXT,
          details        TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX audit_events_by_action ON audit_events (action, id);
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
       )SQL"},
      {3, "gateway: providers, models and their targets, gateway keys, usage",
       R"SQL(
        -- An upstream vendor or model server. The vendor key is field-encrypted (AAD
        -- providers:api_key:<id>) and never leaves Airlock; only its last 4 characters are shown.
        CREATE TABLE providers (
          id                     INTEGER PRIMARY KEY,
          name                   TEXT NOT NULL UNIQUE,
          type                   TEXT NOT NULL CHECK (type IN ('openai', 'anthropic')),
          base_url               TEXT NOT NULL,
          api_key                TEXT,
          api_key_hint           TEXT NOT NULL DEFAULT '',
          extra_headers          TEXT NOT NULL DEFAULT '{}',
          internal               INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
          ca_pem                 TEXT,
          connect_timeout_ms     INTEGER NOT NULL DEFAULT 10000,
          first_byte_timeout_ms  INTEGER NOT NULL DEFAULT 30000,
          idle_timeout_ms        INTEGER NOT NULL DEFAULT 60000,
          total_timeout_ms       INTEGER NOT NULL DEFAULT 600000,
          max_concurrent         INTEGER NOT NULL DEFAULT 64,
          enabled                INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
          provisioned            INTEGER NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1)),
          created_at             INTEGER NOT NULL,
          updated_at             INTEGER NOT NULL
        ) STRICT;
        -- A public model name as clients send it.
        CREATE TABLE models (
          id           INTEGER PRIMARY KEY,
          name         TEXT NOT NULL UNIQUE,
          reasoning    INTEGER NOT NULL DEFAULT 0 CHECK (reasoning IN (0, 1)),
          enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
          provisioned  INTEGER NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1)),
          created_at   INTEGER NOT NULL,
          updated_at   INTEGER NOT NULL
        ) STRICT;
        -- Where a model is served, in fallback order.
        CREATE TABLE model_targets (
          model_id        INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
          position        INTEGER NOT NULL,
          provider_id     INTEGER NOT NULL REFERENCES providers (id),
          upstream_model  TEXT NOT NULL,
          PRIMARY KEY (model_id, position)
        ) STRICT;
        -- Gateway keys (alk_<public_id>_<secret>): only HMAC-SHA256 of the key under a master-key
        -- pepper is kept. List columns hold JSON arrays; an empty one means "no restriction".
        CREATE TABLE gateway_keys (
          id                INTEGER PRIMARY KEY,
          public_id         TEXT NOT NULL UNIQUE,
          secret_hash       BLOB NOT NULL,
          name              TEXT NOT NULL,
          owner_user_id     INTEGER REFERENCES users (id),
          allowed_models    TEXT NOT NULL DEFAULT '[]',
          scopes            TEXT NOT NULL DEFAULT '["chat","completions","embeddings","models"]',
          ip_allowlist      TEXT NOT NULL DEFAULT '[]',
          rpm               INTEGER,
          tpm               INTEGER,
          monthly_requests  INTEGER,
          monthly_tokens    INTEGER,
          max_tokens_cap    INTEGER,
          metadata          TEXT NOT NULL DEFAULT '{}',
          enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
          expires_at        INTEGER,
          created_at        INTEGER NOT NULL,
          updated_at        INTEGER NOT NULL,
          revoked_at        INTEGER,
          last_used_at      INTEGER,
          last_used_ip      TEXT
        ) STRICT;
        -- One row per gateway request. Request and response bodies are never stored.
        CREATE TABLE usage (
          id                 INTEGER PRIMARY KEY,
          at_ms              INTEGER NOT NULL,
          key_id             INTEGER,
          user_id            INTEGER,
          model              TEXT NOT NULL,
          upstream_model     TEXT NOT NULL DEFAULT '',
          provider_id        INTEGER,
          endpoint           TEXT NOT NULL,
          stream             INTEGER NOT NULL DEFAULT 0,
          status             INTEGER NOT NULL,
          prompt_tokens      INTEGER NOT NULL DEFAULT 0,
          completion_tokens  INTEGER NOT NULL DEFAULT 0,
          total_tokens       INTEGER NOT NULL DEFAULT 0,
          latency_us         INTEGER NOT NULL DEFAULT 0,
          ttft_us            INTEGER,
          overhead_us        INTEGER NOT NULL DEFAULT 0,
          request_bytes      INTEGER NOT NULL DEFAULT 0,
          response_bytes     INTEGER NOT NULL DEFAULT 0,
          request_id         TEXT NOT NULL,
          error_code         TEXT
        ) STRICT;
        CREATE INDEX usage_by_time ON usage (at_ms);
        CREATE INDEX usage_by_key_time ON usage (key_id, at_ms);
       )SQL"},
      {4, "lockout by sign-in name and address",
       R"SQL(
        -- Failures counted by the name typed at sign-in (SHA-256 of the normalised e-mail), whether
        -- or not an account has it: lockouts and delays then never tell which accounts exist.
        ALTER TABLE auth_failures ADD COLUMN subject TEXT NOT NULL DEFAULT '';
        CREATE INDEX auth_failures_by_subject ON auth_failures (subject, at, ip);
       )SQL"},
      {5, "password-reset links and step-up",
       R"SQL(
        -- When the session's user last proved password and second factor (sign-in or step-up).
        ALTER TABLE sessions ADD COLUMN reauth_at INTEGER NOT NULL DEFAULT 0;
        -- A third kind of one-time link, for one user: SQLite cannot widen a CHECK in place.
        CREATE TABLE one_time_tokens_v5 (
          id          INTEGER PRIMARY KEY,
          kind        TEXT NOT NULL CHECK (kind IN ('setup', 'invite', 'reset')),
          token_hash  BLOB NOT NULL UNIQUE,
          email       TEXT,
          role        TEXT CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
          created_by  INTEGER REFERENCES users (id),
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL,
          used_at     INTEGER,
          user_id     INTEGER REFERENCES users (id),
          CHECK ((kind = 'reset') = (user_id IS NOT NULL))
        ) STRICT;
        INSERT INTO one_time_tokens_v5 (id, kind, token_hash, email, role, created_by, created_at, expires_at, used_at)
          SELECT id, kind, token_hash, email, role, created_by, created_at, expires_at, used_at FROM one_time_tokens;
        DROP TABLE one_time_tokens;
        ALTER TABLE one_time_tokens_v5 RENAME TO one_time_tokens;
       )SQL"},
      {6, "TOTP enrolment bound to the session that saw the secret",
       R"SQL(
        -- A pending secret is shown to, and can be confirmed by, only the session that made it,
        -- and only until it expires: a secret one session saw can never be bound by another.
        ALTER TABLE users ADD COLUMN totp_enrol_session INTEGER;
        ALTER TABLE users ADD COLUMN totp_enrol_expires_at INTEGER NOT NULL DEFAULT 0;
       )SQL"},
      {7, "guardrails: a key's override and what each request's detectors found",
       R"SQL(
        -- '' follows the organisation's policy (settings 'guardrails'); otherwise one action for
        -- both directions ("mask") or per direction ("requests=mask,responses=off").
        ALTER TABLE gateway_keys ADD COLUMN guardrails TEXT NOT NULL DEFAULT '';
        -- Detections per type in the request and its answer: counts only, never the text.
        ALTER TABLE usage ADD COLUMN g_email INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN g_card INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN g_ssn INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN g_phone INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN g_secret INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN g_rule INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN g_masked INTEGER NOT NULL DEFAULT 0;
        -- The detector or rule that blocked the request or its answer, when one did.
        ALTER TABLE usage ADD COLUMN g_blocked TEXT;
       )SQL"},
      {8, "gateway-key rotation: the replaced secret and its grace, the current secret's age",
       R"SQL(
        -- After a rotation the replaced secret's hash stays, so a client still sending it can be
        -- told apart from a stranger in the audit log; it opens the key only while
        -- now < prev_valid_until. The next rotation overwrites it.
        ALTER TABLE gateway_keys ADD COLUMN prev_secret_hash BLOB;
        ALTER TABLE gateway_keys ADD COLUMN prev_valid_until INTEGER;
        -- When the current secret was issued (the key's creation until its first rotation): what a
        -- max-age policy measures.
        ALTER TABLE gateway_keys ADD COLUMN secret_created_at INTEGER NOT NULL DEFAULT 0;
        UPDATE gateway_keys SET secret_created_at = created_at;
       )SQL"},
      {9, "Responses API: which key created each stored response, and where it lives",
       R"SQL(
        -- A response id (resp_…) belongs to the key that created it: another key asking for it
        -- gets 404, and previous_response_id goes to the provider that holds it. Kept as long as
        -- the vendor keeps stored responses (30 days).
        CREATE TABLE response_ids (
          id TEXT PRIMARY KEY,
          key_id INTEGER NOT NULL,
          provider_id INTEGER NOT NULL,
          model TEXT NOT NULL,
          upstream_model TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX response_ids_expiry ON response_ids (expires_at);
        -- Keys that could use every endpoint can use the new one too.
        UPDATE gateway_keys SET scopes = json_insert(scopes, '$[#]', 'responses')
          WHERE (SELECT count(*) FROM json_each(gateway_keys.scopes)
                 WHERE value IN ('chat', 'completions', 'embeddings', 'models')) = 4;
       )SQL"},
      {10, "providers say whether they serve the Responses API themselves",
       R"SQL(
        -- 0: an OpenAI-compatible server with Chat Completions only (vLLM, Ollama, llama.cpp…):
        -- Airlock translates the stateless Responses subset to chat for it.
        ALTER TABLE providers ADD COLUMN serves_responses INTEGER NOT NULL DEFAULT 1;
       )SQL"},
  };
  return kMigrations;
}

int latest_schema_version() { return migrations().back().version; }

core::Result<int> schema_version(SQLite::Database& db) {
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
    SQLite::Statement q(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    q.executeStep();
    return q.getColumn(0).getInt();
  } catch (const SQLite::Exception& e) {
    return core::Status::error("store_error", "cannot read the schema version", e.what());
  }
}

core::Status migrate(SQLite::Database& db) {
  auto current = schema_version(db);
  if (!current) return current.status();
  if (*current > latest_schema_version())
    return core::Status::error("schema_too_new",
                               "the database schema (version " + std::to_string(*current) +
                                   ") is newer than this airlock binary supports (version " +
                                   std::to_string(latest_schema_version()) + "); run a newer airlock");
  for (const auto& m : migrations()) {
    if (m.version <= *current) continue;
    try {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(m.sql);
      SQLite::Statement rec(db,
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
      rec.bind(1, m.version);
      rec.bind(2, m.name);
      rec.exec();
      tx.commit();
    } catch (const SQLite::Exception& e) {
      return core::Status::error("migration_failed", "migration " + std::to_string(m.version) + " failed", e.what());
    }
  }
  return core::Status::ok();
}

}  // namespace airlock::store
