/**
 * What the s3 connector owes beyond the shared contract, against the loopback S3 emulator:
 * 10,000 objects in 10 pages with the cursor after each (resumed on a new instance), keys
 * with spaces, "+", unicode and emoji, versions that skip unchanged objects, per-object
 * AccessDenied as a skip, a refused listing / a missing bucket / bad keys as typed errors,
 * 503 SlowDown retried, extracted formats, and the SDK loaded only on first use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, TransientError } from '../../shared/core/errors.ts';
import { ProviderAuthError } from '../../shared/connectors/kit/errors.ts';
import type { Cursor, SourceConnector } from '../../shared/ports/index.ts';
import { DEFAULT_CREDENTIALS, startS3, type S3Emulator } from '../emulators/s3.ts';
import { docx, pdfWithText } from '../support/office-files.ts';
import { connectorFromConfig } from './harnesses/harness.ts';

const secrets: Record<string, string> = { KEY_ID: DEFAULT_CREDENTIALS.accessKeyId, SECRET: DEFAULT_CREDENTIALS.secretAccessKey, BAD_SECRET: 'wrong' };
let s3: S3Emulator;

beforeAll(async () => {
  s3 = await startS3({ requestRates: false });
});
afterAll(() => s3.close());

const connector = (bucket: string, extra: Record<string, unknown> = {}): SourceConnector => connectorFromConfig({
  id: 'bucket', kind: 's3', bucket, endpoint: s3.url, forcePathStyle: true, accessKeyIdEnv: 'KEY_ID', secretAccessKeyEnv: 'SECRET', maxAttempts: 3, ...extra,
}, { secret: (env) => secrets[env] });

async function pass(c: () => SourceConnector, snapshotAt = new Date().toISOString()) {
  const refs: Array<{ id: string; version: string }> = [];
  const skipped: Array<{ id: string; reason: string }> = [];
  let cursor: Cursor | undefined;
  let pages = 0;
  for (;;) {
    // A new instance per page, the cursor through JSON: as a resumed run would see it.
    const page = await c().pull(cursor === undefined ? undefined : JSON.parse(JSON.stringify(cursor)) as Cursor, { snapshotAt, full: true });
    pages += 1;
    refs.push(...page.changed.map((r) => ({ id: r.id, version: r.version })));
    skipped.push(...(page.skipped ?? []));
    if (page.done) return { refs, skipped, pages };
    cursor = page.next;
  }
}

describe('s3 connector', () => {
  it('lists 10,000 objects in pages of 1,000, resuming from each saved cursor, and reconciles from the pass it served', async () => {
    // Prepare
    s3.createBucket('big');
    for (let i = 0; i < 10_000; i++) s3.putObject('big', `kb/${String(i).padStart(5, '0')}.md`, `# Note ${i}`);
    const before = s3.count('ListObjectsV2');

    // Act
    const listed = await pass(() => connector('big', { prefix: 'kb/' }));
    const one = connector('big', { prefix: 'kb/' });
    const snapshotAt = new Date().toISOString();
    let cursor: Cursor | undefined;
    for (let done = false; !done;) {
      const page = await one.pull(cursor, { snapshotAt, full: true });
      cursor = page.next;
      done = page.done;
    }
    const afterPass = s3.count('ListObjectsV2');
    const reconciled: string[] = [];
    for await (const doc of one.list!({ snapshotAt })) reconciled.push(doc.id);

    // Assess: 10 pages each, no GetObject, and the reconcile answered without another listing.
    expect(listed.pages).toBe(10);
    expect(listed.refs).toHaveLength(10_000);
    expect(new Set(listed.refs.map((r) => r.id)).size).toBe(10_000);
    expect(afterPass - before).toBe(20);
    expect(s3.count('ListObjectsV2')).toBe(afterPass);
    expect(reconciled).toHaveLength(10_000);
    expect(s3.count('GetObject')).toBe(0);
  });

  it('round-trips keys with spaces, "+", unicode and emoji, and skips folder markers and unselected keys', async () => {
    // Prepare
    s3.createBucket('names');
    const names = ['a b/c d.md', 'c++/x+y.md', '日本語/ノート.md', 'rocket 🚀/launch+plan.txt', '100%/50% off.md'];
    for (const name of names) s3.putObject('names', `p/${name}`, `text of ${name}`);
    s3.putObject('names', 'p/folder/', '');
    s3.putObject('names', 'p/image.png', 'png');
    s3.putObject('names', 'p/drafts/skip.md', 'draft');
    const c = connector('names', { prefix: 'p/', include: ['**/*.md', '**/*.txt', '**/*.png'], exclude: ['drafts/**'] });

    // Act
    const { refs, skipped } = await pass(() => c);
    const fetched = await c.fetch(names);

    // Assess
    expect(refs.map((r) => r.id).sort()).toEqual([...names].sort());
    expect(skipped).toEqual([{ id: 'image.png', reason: expect.stringMatching(/not a text or document format \(\.png\)/) }]);
    expect(fetched.documents.map((d) => [d.id, d.text, d.url])).toEqual(names.map((n) => [n, `text of ${n}`, `s3://names/p/${n}`]));
  });

  it('versions by ETag (and version id when asked); an unchanged object keeps its version, an edit changes it', async () => {
    // Prepare
    s3.createBucket('versions', { versioning: 'Enabled' });
    s3.putObject('versions', 'a.md', 'one');
    const etag = connector('versions');
    const ids = connector('versions', { useVersionIds: true });
    const first = [(await pass(() => etag)).refs, (await pass(() => ids)).refs];

    // Act: the same bytes again (a new version id, the same ETag), then an edit.
    s3.putObject('versions', 'a.md', 'one');
    const same = [(await pass(() => etag)).refs, (await pass(() => ids)).refs];
    s3.putObject('versions', 'a.md', 'two');
    const edited = (await pass(() => etag)).refs;
    const fetched = await ids.fetch(['a.md']);

    // Assess
    expect(first[0]![0]!.version).toMatch(/^[0-9a-f]{32}$/);
    expect(same[0]).toEqual(first[0]);
    expect(same[1]![0]!.version).not.toBe(first[1]![0]!.version);
    expect(edited[0]!.version).not.toBe(first[0]![0]!.version);
    expect(fetched.documents[0]!.version).toBe(`${s3.head('versions', 'a.md')!.etag.replace(/"/g, '')}:${s3.head('versions', 'a.md')!.versionId}`);
  });

  it('skips an object it may list but not read, with the permission named; a deleted one is absent', async () => {
    // Prepare
    s3.createBucket('mixed');
    s3.putObject('mixed', 'open/a.md', 'open');
    s3.putObject('mixed', 'secret/b.md', 'closed');
    s3.denyPrefix('mixed', 'secret/');
    const c = connector('mixed');

    // Act
    const result = await c.fetch(['open/a.md', 'secret/b.md', 'gone.md']);

    // Assess
    expect(result.documents.map((d) => d.id)).toEqual(['open/a.md']);
    expect(result.skipped).toEqual([{ id: 'secret/b.md', reason: 'access denied: s3:GetObject on arn:aws:s3:::mixed/secret/b.md is not allowed for these credentials' }]);
  });

  it('fails the run with typed errors: a refused listing names s3:ListBucket, a missing bucket the key, bad keys the credentials', async () => {
    // Prepare
    s3.createBucket('theirs', { denied: true });
    const window = { snapshotAt: new Date().toISOString(), full: true };

    // Act
    const denied = await connector('theirs', { prefix: 'team/' }).pull(undefined, window).catch((e: unknown) => e);
    const missing = await connector('no-such-bucket').pull(undefined, window).catch((e: unknown) => e);
    const badKeys = await connector('mixed', { secretAccessKeyEnv: 'BAD_SECRET' }).pull(undefined, window).catch((e: unknown) => e);
    const unset = await connector('mixed', { secretAccessKeyEnv: 'UNSET_SECRET' }).pull(undefined, window).catch((e: unknown) => e);

    // Assess
    expect(denied).toBeInstanceOf(ProviderAuthError);
    expect((denied as Error).message).toMatch(/need s3:ListBucket on arn:aws:s3:::theirs \(condition s3:prefix like "team\/\*"\)/);
    expect(denied).toMatchObject({ retryable: false });
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(/bucket: no bucket "no-such-bucket"/);
    expect(badKeys).toBeInstanceOf(ProviderAuthError);
    expect((badKeys as Error).message).toMatch(/SignatureDoesNotMatch.*accessKeyIdEnv\/secretAccessKeyEnv/);
    expect(unset).toBeInstanceOf(ConfigError);
    expect((unset as Error).message).toMatch(/secretAccessKeyEnv names UNSET_SECRET, which is not set/);
  });

  it('retries 503 SlowDown with the SDK backoff, and gives up with a TransientError', async () => {
    // Prepare
    s3.createBucket('busy');
    s3.putObject('busy', 'a.md', 'a');
    const window = { snapshotAt: new Date().toISOString(), full: true };
    s3.failNext('ListObjectsV2', 1, 503, 'SlowDown');

    // Act
    const page = await connector('busy', { maxAttempts: 2 }).pull(undefined, window);
    s3.failNext('ListObjectsV2', 2, 503, 'SlowDown');
    const failure = await connector('busy', { maxAttempts: 2 }).pull(undefined, window).catch((e: unknown) => e);
    s3.clearFaults();

    // Assess
    expect(page.changed.map((r) => r.id)).toEqual(['a.md']);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/after 2 attempts: SlowDown \(503\)/);
  });

  it('extracts Word, HTML and extension-less text by Content-Type; skips binary content with the reason', async () => {
    // Prepare
    s3.createBucket('formats');
    s3.putObject('formats', 'memo.docx', Buffer.from(await docx(['Quarterly memo', 'Revenue grew.'])));
    s3.putObject('formats', 'scan.pdf', Buffer.from(pdfWithText([['Invoice 42']])));
    s3.putObject('formats', 'page.html', '<h1>Title</h1><p>Body text</p>');
    s3.putObject('formats', 'README', 'plain words', { contentType: 'text/plain' });
    s3.putObject('formats', 'blob.txt', Buffer.from([0, 1, 2, 3, 0, 0, 255, 254]));
    const c = connector('formats', { include: ['**/*'] });

    // Act
    const result = await c.fetch(['memo.docx', 'scan.pdf', 'page.html', 'README', 'blob.txt']);

    // Assess
    const byId = new Map(result.documents.map((d) => [d.id, d]));
    expect(byId.get('page.html')).toMatchObject({ format: 'markdown', title: 'Title' });
    expect(byId.get('page.html')!.text).toMatch(/# Title\s+Body text/);
    expect(byId.get('README')).toMatchObject({ text: 'plain words', format: 'text', title: 'README' });
    expect(byId.get('memo.docx')!.text).toMatch(/Quarterly memo[\s\S]*Revenue grew\./);
    expect(byId.get('scan.pdf')!.text).toMatch(/Invoice 42/);
    expect(result.skipped?.map((s) => s.id)).toEqual(['blob.txt']);
  });

  it('loads @aws-sdk/client-s3 only on the first request', async () => {
    // Prepare: a fresh module graph would be needed to prove it absolutely; the definition module must not import it statically.
    const { readFile } = await import('node:fs/promises');
    const files = ['definition.ts', 's3-connector.ts', 's3-api.ts', 'config.ts', 'events.ts', 'webhooks.ts', 'keys.ts', 'object-document.ts', 'aws.ts'];

    // Act
    const sources = await Promise.all(files.map(async (f) => [f, await readFile(new URL(`../../shared/connectors/s3/${f}`, import.meta.url), 'utf8')] as const));

    // Assess: only `import type` and one dynamic import name the SDK.
    for (const [file, text] of sources) {
      const statics = text.split('\n').filter((line) => /^import (?!type ).*@aws-sdk/.test(line));
      expect(statics, file).toEqual([]);
    }
    expect(sources.find(([f]) => f === 's3-api.ts')![1]).toContain("await import('@aws-sdk/client-s3')");
  });
});
