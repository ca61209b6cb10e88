import { mkdir, mkdtemp, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemConnector } from '../../shared/connectors/filesystem/filesystem-connector.ts';
import type { FilesystemSourceOptions } from '../../shared/connectors/filesystem/filesystem-connector.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { collect, newWindow, pullPass } from './source-connector.contract.ts';

async function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'tributary-fs-'));
}

/** Writes `content` at the POSIX id under `root`, creating folders. */
async function put(root: string, id: string, content: string | Buffer): Promise<void> {
  const file = path.join(root, ...id.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** Polls until `check` passes or `timeoutMs` elapses; timing-independent waits for the watcher. */
async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function pulledIds(connector: FilesystemConnector): Promise<string[]> {
  return (await pullPass(connector, newWindow())).refs.map((ref) => ref.id);
}

describe('FilesystemConnector', () => {
  let root: string;
  const connectorFor = (options: Partial<FilesystemSourceOptions> = {}): FilesystemConnector =>
    new FilesystemConnector({ sourceId: 'docs', root, ...options });

  beforeEach(async () => {
    root = await makeTempDir();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('include and exclude', () => {
    it('by default takes Markdown and text files, leaving out dot paths, node_modules and .git', async () => {
      // Prepare
      for (const id of [
        'a.md', 'b.markdown', 'c.txt', 'd.pdf', 'e.MD', '.hidden.md', '.github/x.md',
        'node_modules/pkg/readme.md', '.git/notes.md', 'sub/node_modules/y.md', 'sub/z.md',
      ]) await put(root, id, `content of ${id}`);

      // Act
      const ids = await pulledIds(connectorFor());

      // Assess
      expect(ids).toEqual(['a.md', 'b.markdown', 'c.txt', 'sub/z.md']);
    });

    it('applies custom globs; a dot folder is included when a pattern names it', async () => {
      // Prepare
      for (const id of [
        'docs/a.md', 'docs/deep/b.md', 'docs/drafts/c.md', 'docs/d.txt', 'docs/.secret.md',
        'other/e.md', '.github/workflows/f.md',
      ]) await put(root, id, `content of ${id}`);
      const connector = connectorFor({ include: ['docs/**/*.md', '.github/**/*.md'], exclude: ['**/drafts/**'] });

      // Act
      const ids = await pulledIds(connector);
      const fetched = (await connector.fetch(['docs/drafts/c.md', 'other/e.md', 'docs/a.md'])).documents;

      // Assess
      expect(ids).toEqual(['.github/workflows/f.md', 'docs/a.md', 'docs/deep/b.md']);
      expect(fetched.map((doc) => doc.id)).toEqual(['docs/a.md']);
    });

    it('an exclude pattern naming a folder prunes everything beneath it', async () => {
      // Prepare
      await put(root, 'keep/a.md', 'a');
      await put(root, 'archive/old/b.md', 'b');

      // Act
      const connector = connectorFor({ exclude: ['archive'] });
      const ids = await pulledIds(connector);
      const fetched = (await connector.fetch(['archive/old/b.md'])).documents;

      // Assess
      expect(ids).toEqual(['keep/a.md']);
      expect(fetched).toEqual([]);
    });
  });

  describe('documents', () => {
    it('lists nested folders in plain sorted order with versions from mtime and size', async () => {
      // Prepare
      await put(root, 'guides/setup.md', '# Setup\n\nSteps.\n');
      await put(root, 'guides/deep/er/still.md', 'no heading');
      await put(root, 'Z.txt', 'capital sorts first');
      await put(root, 'a.md', 'a');
      // Whole seconds: utimes takes float seconds, and a fractional ms may round to the ms below.
      const mtime = new Date('2024-05-06T07:08:09.000Z');
      await utimes(path.join(root, 'guides', 'setup.md'), mtime, mtime);

      // Act
      const { refs } = await pullPass(connectorFor(), newWindow());

      // Assess
      expect(refs.map((ref) => ref.id)).toEqual(['Z.txt', 'a.md', 'guides/deep/er/still.md', 'guides/setup.md']);
      expect(refs.find((ref) => ref.id === 'guides/setup.md')?.version).toBe(`${mtime.getTime()}:16`);
      expect(refs.every((ref) => ref.document === undefined)).toBe(true);
    });

    it('fetch fills in title, format, url, updatedAt and metadata', async () => {
      // Prepare
      await put(root, 'guides/setup.md', '```sh\n# not a title\n```\n\n## Sub\n# Setup Guide #\n');
      await put(root, 'guides/plain.md', 'no heading here\n');
      await put(root, 'notes/todo.txt', '# not markdown\n');
      const mtime = new Date('2024-05-06T07:08:09.000Z');
      await utimes(path.join(root, 'guides', 'setup.md'), mtime, mtime);

      // Act
      const docs = (await connectorFor().fetch(['notes/todo.txt', 'guides/setup.md', 'guides/plain.md'])).documents;
      const byId = new Map(docs.map((doc) => [doc.id, doc]));

      // Assess
      expect(byId.get('guides/setup.md')).toMatchObject({
        title: 'Setup Guide',
        format: 'markdown',
        url: pathToFileURL(path.join(root, 'guides', 'setup.md')).href,
        updatedAt: mtime.toISOString(),
        metadata: { path: 'guides/setup.md' },
      });
      expect(byId.get('guides/plain.md')?.title).toBe('plain.md');
      expect(byId.get('notes/todo.txt')).toMatchObject({ title: 'todo.txt', format: 'text' });
    });

    it('strips a BOM and keeps CRLF line endings as written', async () => {
      // Prepare
      await put(root, 'windows.md', '\uFEFF# Title\r\n\r\nLine one\r\nLine two\r\n');

      // Act
      const [doc] = (await connectorFor().fetch(['windows.md'])).documents;

      // Assess
      expect(doc?.text).toBe('# Title\r\n\r\nLine one\r\nLine two\r\n');
      expect(doc?.title).toBe('Title');
    });

    it('a new mtime alone changes the version', async () => {
      // Prepare
      await put(root, 'a.md', 'same');
      const connector = connectorFor();
      const [before] = (await pullPass(connector, newWindow())).refs;

      // Act
      const later = new Date((Math.trunc(Date.now() / 1000) + 60) * 1000);
      await utimes(path.join(root, 'a.md'), later, later);
      const [after] = (await pullPass(connector, newWindow())).refs;

      // Assess
      expect(after?.version).toBe(`${later.getTime()}:4`);
      expect(after?.version).not.toBe(before?.version);
    });

    it('skips files over maxFileBytes and reports them', async () => {
      // Prepare
      await put(root, 'small.md', 'x'.repeat(100));
      await put(root, 'big.md', 'x'.repeat(101));
      const skipped: Array<[string, string]> = [];
      const connector = connectorFor({ maxFileBytes: 100, onSkip: (p, reason) => skipped.push([p, reason]) });

      // Act
      const ids = await pulledIds(connector);
      const fetched = (await connector.fetch(['big.md', 'small.md'])).documents;
      const listed = await collect(connector.list());

      // Assess
      expect(ids).toEqual(['small.md']);
      expect(fetched.map((doc) => doc.id)).toEqual(['small.md']);
      expect(listed.map((doc) => doc.id)).toEqual(['small.md']);
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped[0]?.[0]).toBe('big.md');
      expect(skipped[0]?.[1]).toMatch(/101 bytes.*maxFileBytes/);
    });
  });

  describe('fetch safety', () => {
    it('omits ids that escape the root or are not plain relative paths', async () => {
      // Prepare: a file outside the root, reachable by `..`.
      const outside = await makeTempDir();
      await put(outside, 'secret.md', 'secret');
      await put(root, 'sub/a.md', 'a');
      const escape = path.posix.join('..', path.basename(outside), 'secret.md');

      // Act
      const docs = (await connectorFor().fetch([
        escape, 'sub/../sub/a.md', '../sub/a.md', path.join(outside, 'secret.md'), '/etc/hostname',
        './sub/a.md', 'sub//a.md', '', 'sub/a.md',
      ])).documents;
      await rm(outside, { recursive: true, force: true });

      // Assess
      expect(docs.map((doc) => doc.id)).toEqual(['sub/a.md']);
    });

    it('skips symlinked folders (no cycles) and follows symlinked files', async (context) => {
      // Prepare
      await put(root, 'real/a.md', 'a');
      try {
        await symlink(root, path.join(root, 'loop'), 'dir');
        await symlink(path.join(root, 'real', 'a.md'), path.join(root, 'link.md'), 'file');
      } catch {
        context.skip(); // No symlink permission (Windows without developer mode).
      }
      const connector = connectorFor();

      // Act
      const ids = await pulledIds(connector);
      const fetched = (await connector.fetch(['link.md', 'loop/real/a.md'])).documents;

      // Assess
      expect(ids).toEqual(['link.md', 'real/a.md']);
      expect(fetched.map((doc) => [doc.id, doc.text])).toEqual([['link.md', 'a']]);
    });
  });

  describe('passes', () => {
    it('resumes from a saved cursor on a fresh connector (a restart) with no gap or repeat', async () => {
      // Prepare
      const all = Array.from({ length: 10 }, (_, i) => `f${i}.md`);
      for (const id of all) await put(root, id, id);
      const window = newWindow();
      const first = await connectorFor({ pageSize: 4 }).pull(undefined, window);

      // Act: the file the cursor names is gone by the time the pass resumes.
      await rm(path.join(root, 'f3.md'));
      const rest = await pullPass(connectorFor({ pageSize: 4 }), window, JSON.parse(JSON.stringify(first.next)));

      // Assess
      expect(first.next).toEqual({ after: 'f3.md' });
      expect([...first.changed, ...rest.refs].map((ref) => ref.id)).toEqual(all);
    });

    it('walks once per pass: a new snapshotAt sees files the current pass does not', async () => {
      // Prepare
      await put(root, 'a.md', 'a');
      await put(root, 'b.md', 'b');
      const connector = connectorFor({ pageSize: 1 });
      const window = newWindow();
      const first = await connector.pull(undefined, window);

      // Act
      await put(root, 'c.md', 'c');
      const second = await connector.pull(first.next, window);
      const nextPass = await pulledIds(connector);

      // Assess
      expect(second.changed.map((ref) => ref.id)).toEqual(['b.md']);
      expect(second.done).toBe(true);
      expect(nextPass).toEqual(['a.md', 'b.md', 'c.md']);
    });

    it('lists a pass it served whole from what that pass saw; afresh otherwise', async () => {
      // Prepare: a whole pass on one connector, a pass resumed half-way on another.
      for (const id of ['a.md', 'b.md', 'c.md']) await put(root, id, id);
      const whole = connectorFor({ pageSize: 2 });
      const window = newWindow();
      await pullPass(whole, window);
      const resumed = connectorFor({ pageSize: 2 });
      const first = await connectorFor({ pageSize: 2 }).pull(undefined, window);
      await pullPass(resumed, window, JSON.parse(JSON.stringify(first.next)));

      // Act: a file goes after the passes.
      await rm(path.join(root, 'b.md'));
      const afterWhole = (await collect(whole.list({ snapshotAt: window.snapshotAt }))).map((d) => d.id);
      const afterResumed = (await collect(resumed.list({ snapshotAt: window.snapshotAt }))).map((d) => d.id);
      const fresh = (await collect(whole.list())).map((d) => d.id);

      // Assess: the whole pass's view (its deletion is the next pass's), the others walked again.
      expect(afterWhole).toEqual(['a.md', 'b.md', 'c.md']);
      expect(afterResumed).toEqual(['a.md', 'c.md']);
      expect(fresh).toEqual(['a.md', 'c.md']);
    });

    it('reports a missing root by path, with the fix', async () => {
      // Prepare
      const missing = path.join(root, 'nope');
      const connector = new FilesystemConnector({ sourceId: 'docs', root: missing });

      // Act
      const pulled = connector.pull(undefined, newWindow());
      const listed = collect(connector.list());
      // Both reject; mark them handled now, or one rejecting while the other is awaited is an
      // unhandled rejection (vitest fails the run on it, depending on timing).
      pulled.catch(() => undefined);
      listed.catch(() => undefined);

      // Assess
      await expect(pulled).rejects.toThrow(missing);
      await expect(pulled).rejects.toThrow(/create it.*root/i);
      await expect(listed).rejects.toThrow(missing);
    });

    it('rejects a relative root', () => {
      // Prepare, Act, Assess
      expect(() => new FilesystemConnector({ sourceId: 'docs', root: 'docs' })).toThrow(/absolute/);
    });
  });

  describe('watch', () => {
    const stops: Array<() => Promise<void>> = [];

    afterEach(async () => {
      await Promise.all(stops.splice(0).map((stop) => stop()));
    });

    /** Starts a watcher collecting hints. */
    async function watching(connector: FilesystemConnector): Promise<{ hints: Hints[]; ids: () => Set<string>; stop: () => Promise<void> }> {
      const hints: Hints[] = [];
      const stop = await connector.watch((hint) => hints.push(hint));
      stops.push(stop);
      return { hints, ids: () => new Set(hints.flatMap((hint) => hint.ids)), stop };
    }

    it('coalesces a burst of writes into few hints naming every file once', async () => {
      // Prepare
      await mkdir(path.join(root, 'node_modules'), { recursive: true });
      const { hints, ids } = await watching(connectorFor({ debounceMs: 50 }));

      // Act
      await Promise.all([
        put(root, 'one.md', '1'),
        put(root, 'two.md', '2'),
        put(root, 'sub/three.txt', '3'),
        put(root, 'ignored.pdf', 'x'),
        put(root, 'node_modules/ignored.md', 'x'),
      ]);
      await waitFor(() => ['one.md', 'two.md', 'sub/three.txt'].every((id) => ids().has(id)));

      // Assess
      expect(hints.length).toBeLessThanOrEqual(3);
      for (const hint of hints) {
        expect(hint.sourceId).toBe('docs');
        expect(new Set(hint.ids).size).toBe(hint.ids.length);
      }
      expect([...ids()].sort()).toEqual(['one.md', 'sub/three.txt', 'two.md']);
    });

    it('a rename hints both the old and the new id', async () => {
      // Prepare
      await put(root, 'old.md', 'content');
      const { ids } = await watching(connectorFor({ debounceMs: 50 }));

      // Act
      await rename(path.join(root, 'old.md'), path.join(root, 'new.md'));
      await waitFor(() => ids().has('old.md') && ids().has('new.md'));

      // Assess
      expect([...ids()].sort()).toEqual(['new.md', 'old.md']);
    });

    it('stop() ends hints and cancels a pending one', async () => {
      // Prepare: a slow watcher to stop, and a fast control watcher on the same folder that
      // shows when events have arrived.
      const debounceMs = 400;
      const stopped = await watching(connectorFor({ debounceMs }));
      const control = await watching(connectorFor({ debounceMs: 20 }));
      await put(root, 'pending.md', 'hint pending at stop');
      await waitFor(() => control.ids().has('pending.md'));

      // Act
      await stopped.stop();
      const stoppedAt = Date.now();
      await put(root, 'after.md', 'written after stop');
      await waitFor(() => control.ids().has('after.md'));
      // A timer that survived stop() would have fired within one debounce of its last event,
      // all of which came before stop: waiting that long (plus margin) proves it was cancelled.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + debounceMs + 200 - Date.now())));

      // Assess
      expect(stopped.hints).toEqual([]);
    });
  });
});
