import { describe, expect, it } from 'vitest';
import { renderStatusPage } from '../../functions/local/status-page.ts';
import type { SourceStatus, StatusReport } from '../../functions/local/status.ts';

const source = (overrides: Partial<SourceStatus> = {}): SourceStatus => ({
  id: 'docs', kind: 'filesystem', documents: 12, watermark: '2026-01-01T00:00:00.000Z', lastSuccessAt: '2026-01-01T00:00:00.000Z',
  lagSeconds: 30, freshnessSloMinutes: 60, stale: false, running: false, consecutiveFailures: 0, lastError: null, breaker: null,
  docsSkipped: 0, skipped: [], warnings: [], healthy: true,
  lastRun: {
    trigger: 'cli', status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.000Z',
    docsChanged: 1, docsDeleted: 0, chunksEmbedded: 2, tasksFailed: 0, docsSkipped: 0, taskError: null,
  },
  ...overrides,
});

const report = (sources: SourceStatus[]): StatusReport => ({
  generatedAt: '2026-01-01T00:01:00.000Z', sources,
  queues: { fetch: { visible: 0, inFlight: 0 }, embed: { visible: 0, inFlight: 0 } }, deadLetters: [],
});

describe('status page', () => {
  it('marks a source that skips documents as needing a look, and names each skipped document with its reason', () => {
    // Prepare
    const skipping = source({
      healthy: false, docsSkipped: 2,
      skipped: [{ id: 'zz.md', reason: 'not a regular file (FIFO)' }, { id: '<b>.md', reason: 'symlink to /etc/passwd, outside the root: not followed' }],
      warnings: [{ id: 'latin1.txt', reason: '2 invalid UTF-8 sequences replaced by U+FFFD' }],
    });

    // Act
    const healthy = renderStatusPage(report([source()]));
    const page = renderStatusPage(report([skipping]));

    // Assess
    expect(healthy).toContain('<tr class="ok">');
    expect(healthy).toContain('No document skipped.');
    expect(page).toContain('<tr class="bad">');
    expect(page).toContain('2 documents skipped');
    expect(page).toContain('<code>zz.md</code>: not a regular file (FIFO)');
    expect(page).toContain('<code>&lt;b&gt;.md</code>');
    expect(page).not.toContain('<b>.md');
    expect(page).toContain('<code>latin1.txt</code>: 2 invalid UTF-8 sequences replaced by U+FFFD');
  });
});
