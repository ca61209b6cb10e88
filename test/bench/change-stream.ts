/**
 * The benchmark's corpus and change stream: the seeded "Acme Handbook" corpus of
 * examples/generate-corpus.ts, then one step per scenario (no change, small edits, a paragraph
 * inserted near the top, deletions, additions, renames, a mixed day). Pure and deterministic:
 * the parent and every worker derive the same steps from (docs, seed), so nothing but two
 * numbers crosses a process boundary.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateCorpus, type GeneratedDoc } from '../../examples/generate-corpus.ts';
import { drawDistinct, Rng } from '../support/rng.ts';
import type { ScenarioId } from './types.ts';

export type ChangeOp =
  | { readonly kind: 'write'; readonly path: string; readonly text: string }
  | { readonly kind: 'delete'; readonly path: string }
  | { readonly kind: 'rename'; readonly path: string; readonly to: string };

export interface PlannedStep {
  readonly scenario: Exclude<ScenarioId, 'initial'>;
  readonly ops: readonly ChangeOp[];
}

export interface ChangeStream {
  readonly initial: readonly GeneratedDoc[];
  readonly steps: readonly PlannedStep[];
}

/** Shares of the corpus each scenario touches (of the documents present at that step). */
export const SHARES = { edit: 0.01, insertTop: 0.01, delete: 0.005, add: 0.01, rename: 0.01 } as const;

/** At least one document, so a tiny corpus still exercises every scenario. */
export function shareOf(docs: number, share: number): number {
  return Math.max(1, Math.round(docs * share));
}

/** The initial corpus alone (scale runs). */
export function initialCorpus(docs: number, seed: number): GeneratedDoc[] {
  return generateCorpus({ count: docs, seed });
}

/**
 * The initial corpus and the change stream. Added documents come from the same generator
 * (the documents after the first `docs`; the generator is prefix-stable), so they read like
 * the rest of the handbook.
 */
export function planChangeStream(docs: number, seed: number): ChangeStream {
  const adds = shareOf(docs, SHARES.add);
  const all = generateCorpus({ count: docs + 2 * adds, seed });
  const initial = all.slice(0, docs);
  const pool = all.slice(docs);
  const rng = new Rng((seed ^ 0x5eed_c0de) >>> 0);
  const current = new Map(initial.map((d) => [d.path, d.text]));

  const steps: PlannedStep[] = [];
  const step = (scenario: PlannedStep['scenario'], ops: ChangeOp[]): void => {
    applyToMap(current, ops);
    steps.push({ scenario, ops });
  };
  const n = (): number => current.size;

  step('no-change', []);
  step('edit-small', drawDistinct(rng, [...current.keys()], shareOf(n(), SHARES.edit)).map((path) => editOp(current, path, rng, 'small')));
  step('edit-insert-top', drawDistinct(rng, [...current.keys()], shareOf(n(), SHARES.insertTop)).map((path) => editOp(current, path, rng, 'top')));
  step('delete', drawDistinct(rng, [...current.keys()], shareOf(n(), SHARES.delete)).map((path) => ({ kind: 'delete', path })));
  step('add', pool.splice(0, adds).map((d) => ({ kind: 'write', path: d.path, text: d.text })));
  step('rename', drawDistinct(rng, [...current.keys()], shareOf(n(), SHARES.rename)).map((path) => renameOp(current, path)));

  // A mixed day: every kind of change at once, each on different documents.
  const counts = {
    edit: shareOf(n(), SHARES.edit), insertTop: shareOf(n(), SHARES.insertTop), delete: shareOf(n(), SHARES.delete),
    rename: shareOf(n(), SHARES.rename),
  };
  const picked = drawDistinct(rng, [...current.keys()], counts.edit + counts.insertTop + counts.delete + counts.rename);
  const take = (k: number): string[] => picked.splice(0, k);
  const mixed: ChangeOp[] = [
    ...take(counts.edit).map((path) => editOp(current, path, rng, 'small')),
    ...take(counts.insertTop).map((path) => editOp(current, path, rng, 'top')),
    ...take(counts.delete).map((path): ChangeOp => ({ kind: 'delete', path })),
    ...take(counts.rename).map((path) => renameOp(current, path)),
    ...pool.splice(0, adds).map((d): ChangeOp => ({ kind: 'write', path: d.path, text: d.text })),
  ];
  step('mixed', mixed);
  return { initial, steps };
}

/** Applies ops to an in-memory corpus (path → text). */
export function applyToMap(corpus: Map<string, string>, ops: readonly ChangeOp[]): void {
  for (const op of ops) {
    if (op.kind === 'write') corpus.set(op.path, op.text);
    else if (op.kind === 'delete') corpus.delete(op.path);
    else {
      const text = corpus.get(op.path);
      if (text === undefined) throw new Error(`rename of a missing document ${op.path}`);
      corpus.delete(op.path);
      corpus.set(op.to, text);
    }
  }
}

/** Applies ops to a corpus folder, the way an editor, `rm` and `git mv` would. */
export async function applyToFolder(dir: string, ops: readonly ChangeOp[]): Promise<void> {
  for (const op of ops) {
    const from = join(dir, ...op.path.split('/'));
    if (op.kind === 'write') {
      await mkdir(dirname(from), { recursive: true });
      await writeFile(from, op.text, 'utf8');
    } else if (op.kind === 'delete') {
      await rm(from);
    } else {
      const to = join(dir, ...op.to.split('/'));
      await mkdir(dirname(to), { recursive: true });
      await rename(from, to);
    }
  }
}

/** Documents an op list touches (a rename touches its source and its target). */
export function touchedPaths(ops: readonly ChangeOp[]): string[] {
  return ops.flatMap((op) => (op.kind === 'rename' ? [op.path, op.to] : [op.path]));
}

// ------------------------------------------------------------------------------------------------ edits

function editOp(corpus: ReadonlyMap<string, string>, path: string, rng: Rng, kind: 'small' | 'top'): ChangeOp {
  const text = corpus.get(path);
  if (text === undefined) throw new Error(`edit of a missing document ${path}`);
  return { kind: 'write', path, text: kind === 'small' ? smallEdit(text, rng) : insertNearTop(text, rng) };
}

function renameOp(corpus: ReadonlyMap<string, string>, path: string): ChangeOp {
  // Moved into an archive folder, as a reorganisation would; never onto an existing document.
  for (let k = 0; ; k++) {
    const to = `${k === 0 ? 'archive' : `archive-${k}`}/${path}`;
    if (!corpus.has(to)) return { kind: 'rename', path, to };
  }
}

const FENCE = /^ {0,3}(```|~~~)/;
const HEADING = /^ {0,3}#{1,6}\s/;
/** Lines that are prose (not list items, tables, quotes, code or headings). */
const NOT_PROSE = /^\s*(?:[-*+]\s|\d+[.)]\s|\||>|#|```|~~~)/;

/**
 * A small edit in one section: one sentence appended to one prose line, in a section other
 * than the first when the document has several (so the title section is left alone).
 */
export function smallEdit(text: string, rng: Rng): string {
  const lines = text.split('\n');
  let inFence = false;
  let section = 0;
  const candidates: Array<{ line: number; section: number }> = [];
  for (const [i, line] of lines.entries()) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    if (HEADING.test(line)) {
      section += 1;
      continue;
    }
    if (line.trim() !== '' && !NOT_PROSE.test(line)) candidates.push({ line: i, section });
  }
  const later = candidates.filter((c) => c.section > 1);
  const pool = later.length > 0 ? later : candidates;
  const note = sentence(rng);
  if (pool.length === 0) return `${text.trimEnd()}\n\n${note}\n`;
  const target = rng.pick(pool).line;
  lines[target] = `${lines[target]!.trimEnd()} ${note}`;
  return lines.join('\n');
}

/** A new paragraph of a few sentences right after the title and lead paragraph. */
export function insertNearTop(text: string, rng: Rng): string {
  const blocks = text.split('\n\n');
  const paragraph = `Update: ${[sentence(rng), sentence(rng), sentence(rng)].join(' ')}`;
  const after = blocks.length > 1 && !HEADING.test(blocks[1]!) && !FENCE.test(blocks[1]!) ? 2 : 1;
  blocks.splice(after, 0, paragraph);
  return blocks.join('\n\n');
}

// ------------------------------------------------------------------------------------------------ randomness

const SUBJECTS = ['The on-call rotation', 'The rollout checklist', 'This threshold', 'The retry budget', 'The escalation path', 'The migration plan', 'The quarterly review', 'The alert routing'];
const VERBS = ['was re-checked', 'was confirmed', 'was tightened', 'was simplified', 'was reviewed', 'was updated'];
const CONTEXTS = ['after the last incident review', 'with the platform team', 'during the spring audit', 'before the holiday freeze', 'following customer feedback', 'as part of the cost review'];
const REFS = ['OPS', 'SEC', 'PLAT', 'FIN', 'PEOPLE', 'SUP'];

/** One sentence of a change note. */
function sentence(rng: Rng): string {
  return `${rng.pick(SUBJECTS)} ${rng.pick(VERBS)} ${rng.pick(CONTEXTS)} (ticket ${rng.pick(REFS)}-${rng.int(1000, 9999)}).`;
}
