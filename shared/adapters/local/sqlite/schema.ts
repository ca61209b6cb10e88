import type Database from 'better-sqlite3';
import { TributaryError } from '../../../core/errors.ts';

/**
 * Version of the tables below, kept in `PRAGMA user_version`. A change adds a step to
 * `MIGRATIONS`; an older file is upgraded in place when it is opened, a newer one refused.
 */
export const SCHEMA_VERSION = 5;

/**
 * Text columns compare with SQLite's default BINARY collation: memcmp over UTF-8, which is
 * the byte order DynamoDB compares strings in, so conditions on revs and listings in id order
 * behave as they do on AWS. JSON columns hold what the ports keep opaque (cursors, passes).
 */
const V1 = `
CREATE TABLE sources (
  source_id TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER,
  rerun_requested INTEGER NOT NULL DEFAULT 0,
  watermark TEXT,
  feed TEXT,
  pass TEXT,
  last_success_at TEXT,
  last_failure_at TEXT,
  last_error TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  breaker TEXT
) WITHOUT ROWID;

CREATE TABLE documents (
  source_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  rev TEXT,
  version TEXT,
  content_hash TEXT,
  chunk_hashes TEXT,
  chunker TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  pending_rev TEXT,
  pending_version TEXT,
  claim TEXT,
  title TEXT,
  decor TEXT,
  updated_at TEXT,
  PRIMARY KEY (source_id, doc_id)
);

CREATE TABLE runs (
  source_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  started_at TEXT,
  record TEXT NOT NULL,
  PRIMARY KEY (source_id, run_id)
) WITHOUT ROWID;

CREATE TABLE embeddings (
  model TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  hash TEXT NOT NULL,
  vector BLOB NOT NULL,
  UNIQUE (model, dimensions, hash)
);

CREATE TABLE stash (
  source_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  version TEXT,
  deleted INTEGER NOT NULL,
  text TEXT,
  title TEXT,
  url TEXT,
  format TEXT,
  metadata TEXT,
  content_hash TEXT,
  updated_at TEXT NOT NULL,
  stamp TEXT NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (source_id, doc_id)
);

CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  locked_until INTEGER,
  response TEXT,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;

CREATE TABLE queue_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  grp TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  visible_at INTEGER NOT NULL DEFAULT 0,
  receipt TEXT,
  receiver TEXT
);
CREATE INDEX queue_messages_in_order ON queue_messages (queue, seq);
CREATE INDEX queue_messages_by_group ON queue_messages (queue, grp, visible_at);
CREATE INDEX queue_messages_by_visibility ON queue_messages (queue, visible_at);
CREATE INDEX queue_messages_by_receives ON queue_messages (queue, receive_count);
CREATE INDEX queue_messages_by_receipt ON queue_messages (receipt);

CREATE TABLE queue_dedup (
  queue TEXT NOT NULL,
  dedup_id TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (queue, dedup_id)
) WITHOUT ROWID;
CREATE INDEX queue_dedup_by_age ON queue_dedup (sent_at);

CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  reason TEXT NOT NULL,
  dead_at INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_queue ON dead_letters (queue, seq);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Version 2: deliveries signed endpoints accepted (replay memory). */
const V2 = `
CREATE TABLE deliveries (
  scope TEXT NOT NULL,
  id TEXT NOT NULL,
  until INTEGER NOT NULL,
  PRIMARY KEY (scope, id)
) WITHOUT ROWID;
`;

/** Version 3: document ids hints named, waiting for a run (hint coalescing). */
const V3 = `
CREATE TABLE hint_ids (
  source_id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (source_id, doc_id)
) WITHOUT ROWID;
CREATE TABLE hint_marks (
  source_id TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Version 4: the sources' rotating OAuth tokens. */
const V4 = `
CREATE TABLE tokens (
  key TEXT PRIMARY KEY,
  access_token TEXT NOT NULL,
  refresh_token TEXT,
  expires_at INTEGER,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Version 5: run ids are opaque. Runs were keyed, and passes named their run, by the table's
 * sort key (`RUN#<id>`); both now hold the bare id (`runId`).
 */
const V5 = `
UPDATE runs SET run_id = substr(run_id, 5),
  record = json_set(json_remove(record, '$.runSk'), '$.runId', substr(run_id, 5))
  WHERE run_id LIKE 'RUN#%';
UPDATE sources SET pass = json_set(json_remove(pass, '$.runSk'), '$.runId',
    CASE WHEN json_extract(pass, '$.runSk') LIKE 'RUN#%' THEN substr(json_extract(pass, '$.runSk'), 5) ELSE json_extract(pass, '$.runSk') END)
  WHERE pass IS NOT NULL AND json_extract(pass, '$.runSk') IS NOT NULL;
`;

/** Step `i` upgrades a file of version `i` to `i + 1`. */
const MIGRATIONS: readonly string[] = [V1, V2, V3, V4, V5];

/** The file cannot be used by this version of Tributary. */
export class SchemaError extends TributaryError {
  constructor(message: string) {
    super(message, { expose: true });
  }
}

/** Brings the file to SCHEMA_VERSION in one transaction; a concurrent opener waits, then sees it done. */
export function migrate(db: Database.Database): void {
  const current = (): number => Number(db.pragma('user_version', { simple: true }));
  if (current() === SCHEMA_VERSION) return;
  db.transaction(() => {
    const from = current();
    if (from > SCHEMA_VERSION) {
      throw new SchemaError(`the state database was written by a newer Tributary (schema ${from}, this one knows ${SCHEMA_VERSION}); upgrade Tributary or use another stateDir`);
    }
    for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] ?? '');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
