import { describe, expect, it } from 'vitest';
import { PoisonTaskError } from '../../shared/core/errors.ts';
import { decodeEmbedTask, decodeFetchTask } from '../../shared/core/tasks.ts';
import type { DeleteTask, FetchTask, UpsertTask } from '../../shared/ports/index.ts';

const FETCH: FetchTask = {
  type: 'fetch', sourceId: 'docs', trigger: 'webhook', full: false, ids: ['a.md', 'b.md'], recover: true,
  requestedAt: '2026-01-01T00:00:00.000Z',
};

const UPSERT: UpsertTask = {
  type: 'upsert', sourceId: 'docs', docId: 'guide/intro.md', rev: '000000000001.0000000001', version: '1700000000000-42',
  contentHash: 'c'.repeat(64), title: 'Intro', url: 'file:///intro.md', updatedAt: '2026-01-01T00:00:00.000Z',
  runId: 'RUN#2026-01-01T00:00:00.000Z#00000001', rewrite: true,
  chunks: [{ index: 0, hash: 'a'.repeat(64), text: '# Intro' }, { index: 1, hash: 'b'.repeat(64), text: '' }],
};

const DELETE: DeleteTask = {
  type: 'delete', sourceId: 'docs', docId: 'old.md', rev: '000000000001.0000000002', runId: 'RUN#2026-01-01T00:00:00.000Z#00000001',
};

/** The PoisonTaskError `fn` throws, as its message (fails the test when it returns). */
function poison(fn: () => unknown): string {
  let error: unknown;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(PoisonTaskError);
  return (error as PoisonTaskError).message;
}

describe('decodeFetchTask', () => {
  it('decodes a full fetch task from an object and from its JSON text', () => {
    // Act & Assess
    expect(decodeFetchTask(FETCH)).toEqual(FETCH);
    expect(decodeFetchTask(JSON.stringify(FETCH))).toEqual(FETCH);
  });

  it('decodes a minimal fetch task for every trigger', () => {
    for (const trigger of ['schedule', 'webhook', 'watch', 'cli', 'continuation', 'rerun', 'recovery', 'admin'] as const) {
      // Prepare
      const task: FetchTask = { type: 'fetch', sourceId: 'docs', trigger, requestedAt: '2026-01-01T00:00:00Z' };

      // Act & Assess
      expect(decodeFetchTask(JSON.stringify(task))).toEqual(task);
    }
  });

  it('rejects a body that is not JSON', () => {
    // Act & Assess
    expect(poison(() => decodeFetchTask('{"type":"fetch",'))).toBe('task body is not JSON');
  });

  it('rejects unknown keys, naming them', () => {
    // Act
    const message = poison(() => decodeFetchTask({ ...FETCH, priority: 'high' }));

    // Assess
    expect(message).toMatch(/^malformed fetch task: /);
    expect(message).toContain('"priority"');
  });

  it.each([
    ['sourceId', { sourceId: 7 }],
    ['trigger', { trigger: 'cron' }],
    ['requestedAt', { requestedAt: 'yesterday' }],
    ['ids', { ids: 'a.md' }],
    ['full', { full: 'yes' }],
    ['type', { type: 'upsert' }],
  ])('rejects a bad %s, naming the field', (field, patch) => {
    // Act
    const message = poison(() => decodeFetchTask({ ...FETCH, ...patch }));

    // Assess
    expect(message).toMatch(/^malformed fetch task: /);
    expect(message).toContain(`at ${field}`);
  });

  it('rejects a missing field, an empty source id and non-objects', () => {
    // Act & Assess
    const { requestedAt: _dropped, ...noTime } = FETCH;
    expect(poison(() => decodeFetchTask(noTime))).toContain('at requestedAt');
    expect(poison(() => decodeFetchTask({ ...FETCH, sourceId: '' }))).toContain('at sourceId');
    expect(poison(() => decodeFetchTask('[1,2]'))).toMatch(/^malformed fetch task: /);
    expect(poison(() => decodeFetchTask(null))).toMatch(/^malformed fetch task: /);
  });
});

describe('decodeEmbedTask', () => {
  it('decodes upsert and delete tasks from objects and from JSON text', () => {
    // Act & Assess
    expect(decodeEmbedTask(UPSERT)).toEqual(UPSERT);
    expect(decodeEmbedTask(JSON.stringify(UPSERT))).toEqual(UPSERT);
    expect(decodeEmbedTask(DELETE)).toEqual(DELETE);
    expect(decodeEmbedTask(JSON.stringify(DELETE))).toEqual(DELETE);
  });

  it('decodes an upsert without chunks (the embedder fetches the document)', () => {
    // Prepare
    const { chunks: _chunks, title: _title, url: _url, rewrite: _rewrite, ...slim } = UPSERT;

    // Act & Assess
    expect(decodeEmbedTask(JSON.stringify(slim))).toEqual(slim);
  });

  it('rejects a body that is not JSON', () => {
    // Act & Assess
    expect(poison(() => decodeEmbedTask('not json at all'))).toBe('task body is not JSON');
  });

  it('rejects unknown keys, also in chunks and on delete tasks', () => {
    // Act
    const top = poison(() => decodeEmbedTask({ ...UPSERT, vectors: [] }));
    const inChunk = poison(() => decodeEmbedTask({ ...UPSERT, chunks: [{ index: 0, hash: 'a'.repeat(64), text: 't', extra: 1 }] }));
    const onDelete = poison(() => decodeEmbedTask({ ...DELETE, chunks: [] }));

    // Assess
    expect(top).toMatch(/^malformed embed task: .*"vectors"/);
    expect(inChunk).toContain('"extra"');
    expect(inChunk).toContain('chunks[0]');
    expect(onDelete).toContain('"chunks"');
  });

  it.each([
    ['type', { type: 'reindex' }],
    ['docId', { docId: 42 }],
    ['rev', { rev: '' }],
    ['runId', { runId: null }],
    ['chunks[0].hash', { chunks: [{ index: 0, hash: 'short', text: 't' }] }],
    ['chunks[0].index', { chunks: [{ index: -1, hash: 'a'.repeat(64), text: 't' }] }],
    ['chunks[0].text', { chunks: [{ index: 0, hash: 'a'.repeat(64), text: 7 }] }],
  ])('rejects a bad %s, naming the field', (field, patch) => {
    // Act
    const message = poison(() => decodeEmbedTask({ ...UPSERT, ...patch }));

    // Assess
    expect(message).toMatch(/^malformed embed task: /);
    expect(message).toContain(`at ${field}`);
  });

  it('rejects a delete task missing its rev', () => {
    // Prepare
    const { rev: _rev, ...noRev } = DELETE;

    // Act & Assess
    expect(poison(() => decodeEmbedTask(JSON.stringify(noRev)))).toContain('at rev');
  });
});
