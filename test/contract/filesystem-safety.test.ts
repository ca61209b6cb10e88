/**
 * The filesystem connector reads only regular text files under its real root, and reports
 * every file it will not read with the reason instead of failing the source (issue #12):
 * symlinks out of the root, symlink loops, FIFOs, unreadable and binary files, names too long.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeText } from '../../shared/connectors/kit/text.ts';
import { FilesystemConnector } from '../../shared/connectors/filesystem/filesystem-connector.ts';
import { newWindow, pullPass } from './source-connector.contract.ts';

/** Fails the test instead of hanging it when a read blocks (a FIFO opened without O_NONBLOCK). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);
}

const isRoot = process.getuid?.() === 0;

describe('FilesystemConnector: what it refuses to read', () => {
  let root: string;
  let outside: string;
  const connector = (): FilesystemConnector => new FilesystemConnector({ sourceId: 'docs', root });
  const put = async (id: string, content: string | Buffer): Promise<void> => {
    const file = path.join(root, ...id.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tributary-fs-safety-'));
    outside = await mkdtemp(path.join(tmpdir(), 'tributary-fs-outside-'));
  });

  afterEach(async () => {
    await chmod(path.join(root, 'locked.md'), 0o644).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('follows a symlink only to a target under the real root, never out of it nor into an excluded folder', async () => {
    // Prepare
    await writeFile(path.join(outside, 'secrets.md'), 'AWS_SECRET_ACCESS_KEY=hunter2');
    await put('real/notes.md', '# Notes\n\ninside the root');
    await put('node_modules/pkg/readme.md', 'excluded');
    await symlink(path.join(outside, 'secrets.md'), path.join(root, 'env.md'));
    await symlink(path.join(root, 'real', 'notes.md'), path.join(root, 'alias.md'));
    await symlink(path.join(root, 'node_modules', 'pkg', 'readme.md'), path.join(root, 'sneaky.md'));
    if (existsSync('/proc/self/environ')) await symlink('/proc/self/environ', path.join(root, 'proc.md'));
    const c = connector();

    // Act
    const pass = await pullPass(c, newWindow());
    const fetched = await c.fetch(['env.md', 'alias.md', 'sneaky.md', 'proc.md']);

    // Assess
    expect(pass.refs.map((r) => r.id).sort()).toEqual(['alias.md', 'real/notes.md']);
    expect(pass.skipped.map((s) => s.id).sort()).toEqual([...(existsSync('/proc/self/environ') ? ['proc.md'] : []), 'env.md', 'sneaky.md'].sort());
    expect(pass.skipped.find((s) => s.id === 'env.md')?.reason).toMatch(/outside the root/);
    expect(pass.skipped.find((s) => s.id === 'sneaky.md')?.reason).toMatch(/excluded/);
    expect(fetched.documents.map((d) => [d.id, d.text])).toEqual([['alias.md', '# Notes\n\ninside the root']]);
    expect(fetched.skipped?.map((s) => s.id).sort()).toEqual(pass.skipped.map((s) => s.id).sort());
    expect(JSON.stringify(fetched)).not.toContain('hunter2');
  });

  it('reports a symlink loop and ignores an id whose name is too long, without throwing', async () => {
    // Prepare
    await put('ok.md', 'fine');
    await symlink(path.join(root, 'b.md'), path.join(root, 'a.md'));
    await symlink(path.join(root, 'a.md'), path.join(root, 'b.md'));
    const c = connector();

    // Act
    const pass = await pullPass(c, newWindow());
    const fetched = await c.fetch(['a.md', `${'x'.repeat(300)}.md`, 'ok.md']);

    // Assess
    expect(pass.refs.map((r) => r.id)).toEqual(['ok.md']);
    expect(pass.skipped).toEqual([{ id: 'a.md', reason: 'symlink loop (ELOOP)' }, { id: 'b.md', reason: 'symlink loop (ELOOP)' }]);
    expect(fetched.documents.map((d) => d.id)).toEqual(['ok.md']);
    expect(fetched.skipped).toEqual([{ id: 'a.md', reason: 'symlink loop (ELOOP)' }]);
  });

  it.skipIf(process.platform === 'win32')('never blocks on a FIFO: listed and fetched as skipped, at once', async () => {
    // Prepare
    await put('text.md', 'plain');
    execFileSync('mkfifo', [path.join(root, 'zz.md')]);
    const c = connector();

    // Act
    const pass = await within(5000, 'the pass', pullPass(c, newWindow()));
    const fetched = await within(5000, 'fetching the FIFO', c.fetch(['zz.md', 'text.md']));

    // Assess
    expect(pass.refs.map((r) => r.id)).toEqual(['text.md']);
    expect(pass.skipped).toEqual([{ id: 'zz.md', reason: 'not a regular file (FIFO)' }]);
    expect(fetched.documents.map((d) => d.id)).toEqual(['text.md']);
    expect(fetched.skipped).toEqual([{ id: 'zz.md', reason: 'not a regular file (FIFO)' }]);
  });

  it('skips a file it may not read (EACCES) and reads the others', async ({ skip }) => {
    // Prepare: chmod 000 blocks reads, except for root (which bypasses permissions). As root,
    // a write-only sysctl file is unreadable even for root: index that folder instead.
    let c: FilesystemConnector;
    let locked: string;
    let readable: string;
    if (!isRoot) {
      await put('locked.md', 'secret');
      await put('open.md', 'public');
      await chmod(path.join(root, 'locked.md'), 0o000);
      c = connector();
      [locked, readable] = ['locked.md', 'open.md'];
    } else if (existsSync('/proc/sys/vm/drop_caches') && existsSync('/proc/sys/vm/swappiness')) {
      c = new FilesystemConnector({ sourceId: 'docs', root: '/proc/sys/vm', include: ['drop_caches', 'swappiness'] });
      [locked, readable] = ['drop_caches', 'swappiness'];
    } else {
      console.warn('skipped: running as root without /proc/sys/vm/drop_caches, so no file here is unreadable for this process');
      skip();
      return;
    }

    // Act
    const fetched = await c.fetch([locked, readable]);

    // Assess
    expect(fetched.documents.map((d) => d.id)).toEqual([readable]);
    expect(fetched.skipped).toEqual([{ id: locked, reason: 'permission denied (EACCES)' }]);
  });

  it('skips binary content and reports invalid UTF-8 in text, which it indexes with U+FFFD', async () => {
    // Prepare
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    await put('noise.txt', random);
    await put('latin1.txt', Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' au lait, une cr'), Buffer.from([0xe8]), Buffer.from('me, avec du texte en plus pour la part.')]));
    await put('unicode.md', '# 東京 🚀\n\nemoji 😀 and CJK 漢字, literal U+FFFD: \ufffd');
    const c = connector();

    // Act
    const fetched = await c.fetch(['noise.txt', 'latin1.txt', 'unicode.md']);

    // Assess
    expect(fetched.skipped).toEqual([{ id: 'noise.txt', reason: expect.stringMatching(/^binary content/) }]);
    const byId = new Map(fetched.documents.map((d) => [d.id, d]));
    expect(byId.get('latin1.txt')?.text).toBe('caf\ufffd au lait, une cr\ufffdme, avec du texte en plus pour la part.');
    expect(byId.get('latin1.txt')?.warning).toBe('2 invalid UTF-8 sequences replaced by U+FFFD');
    expect(byId.get('unicode.md')?.text).toBe('# 東京 🚀\n\nemoji 😀 and CJK 漢字, literal U+FFFD: \ufffd');
    expect(byId.get('unicode.md')?.warning).toBeUndefined();
  });

  it('keeps the files of a folder it may not read out of deletions: the last page names the folder', async ({ skip }) => {
    if (isRoot) {
      console.warn('skipped: running as root, so chmod 000 does not make a folder unreadable');
      skip();
      return;
    }
    // Prepare
    await put('private/a.md', 'a');
    await put('public/b.md', 'b');
    await chmod(path.join(root, 'private'), 0o000);
    try {
      // Act
      const pass = await pullPass(connector(), newWindow());

      // Assess
      expect(pass.refs.map((r) => r.id)).toEqual(['public/b.md']);
      expect(pass.skipped).toEqual([{ id: 'private/', prefix: true, reason: 'folder not readable (EACCES)' }]);
    } finally {
      await chmod(path.join(root, 'private'), 0o755);
    }
  });
});

describe('decodeText', () => {
  it('tells text from binary by NUL bytes and the share of invalid UTF-8 or control characters', () => {
    // Prepare, Act, Assess
    expect(decodeText(Buffer.from('plain\n'))).toEqual({ text: 'plain\n' });
    expect(decodeText(Buffer.from('\ufeffwith a byte order mark'))).toEqual({ text: 'with a byte order mark' });
    expect(decodeText(Buffer.from('a\u0000b'))).toEqual({ binary: expect.stringContaining('NUL') });
    expect(decodeText(Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42, 0x00]))).toEqual({ text: 'AB' }); // UTF-16LE with BOM
    expect(decodeText(Buffer.from('\u001b[31mred\u001b[0m\ttab\f'))).toEqual({ text: '\u001b[31mred\u001b[0m\ttab\f' });
    expect(decodeText(Buffer.from([0x01, 0x02, 0x03, 0x04, 0x41, 0x42]))).toEqual({ binary: expect.stringContaining('67%') });
    expect(decodeText(Buffer.concat([Buffer.from('x'.repeat(19)), Buffer.from([0xff])]))).toEqual({ text: `${'x'.repeat(19)}\ufffd`, warning: '1 invalid UTF-8 sequence replaced by U+FFFD' });
    expect(decodeText(Buffer.concat([Buffer.from('x'.repeat(16)), Buffer.from([0xff, 0xff, 0xff, 0xff])]))).toEqual({ binary: expect.stringContaining('20%') });
    // Too few to tell: a short note with one Latin-1 letter is text, reported.
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toEqual({ text: 'caf\ufffd', warning: '1 invalid UTF-8 sequence replaced by U+FFFD' });
  });
});
