/**
 * The life of a generation: started by the fetch run that first sees a profile's config differ
 * from its current generation, built by the normal pipeline (the run fans out to both), flipped
 * when complete and audited in step, kept for the grace period after it is replaced, then
 * retired like a removed profile. Every alias write is conditional on the version read.
 */
import { auditClean, auditSource, type SourceAudit } from './audit.ts';
import type { CoreDeps } from './deps.ts';
import { errorMessage } from './errors.ts';
import { isLive } from './document-sync.ts';
import {
  generationName, generationProfiles, readAliases, specOf, encodeAlias,
  type GenerationPorts, type GenerationSpec, type ProfileAlias,
} from './generations.ts';
import { retireRemovedProfiles } from './profile-runs.ts';
import { ledgerKeyOf, profileKeyOf, profileSignature, scopeDeps, type IndexProfile } from './profiles.ts';

type LifecycleDeps = CoreDeps & { readonly generations: GenerationPorts };

function ported(deps: CoreDeps): LifecycleDeps | undefined {
  return deps.generations && deps.profiles ? (deps as LifecycleDeps) : undefined;
}

/**
 * Run by a fetch run holding the source's lease, before it picks its profiles: gives each
 * profile an alias (its current generation is what the config names when it first gets one),
 * starts a generation for a profile whose config changed, drops a build the config no longer
 * asks for, flips a build that is complete and audited, and forgets generations past their
 * grace period (the run record's list of profiles then retires them). Returns `deps` whose
 * profiles are the generations to feed and to keep.
 */
export async function prepareGenerations(deps: CoreDeps, sourceId: string): Promise<CoreDeps> {
  const d = ported(deps);
  const configured = d?.profiles?.(sourceId);
  if (!d || !configured) return deps;
  const now = d.clock.now();
  const aliases = await readAliases(d.generations, sourceId, configured);
  for (const p of configured) {
    const entry = aliases.get(p.name);
    const next = entry ? await advance(d, sourceId, p, entry.alias, now) : { current: specOf(p, 0, p.target, now), retired: [], next: 1 };
    if (entry && next === entry.alias) continue;
    const stored = await d.generations.aliases.putAlias({ sourceId, profile: p.name, value: encodeAlias(next), expectVersion: entry?.version });
    if (stored) {
      aliases.set(p.name, { alias: next, version: stored.version });
    } else {
      // Another writer (an operator's flip or abort) came first: run with what it wrote.
      const fresh = (await readAliases(d.generations, sourceId, [p])).get(p.name);
      if (fresh) aliases.set(p.name, fresh);
    }
  }
  const list = await generationProfiles(d.generations, sourceId, configured, aliases, 'all', now);
  const base = d.profiles!;
  return { ...deps, profiles: (id: string) => (id === sourceId ? list : base(id)) };
}

/** The alias after this run's decisions (the same object when nothing changes). */
async function advance(d: LifecycleDeps, sourceId: string, p: IndexProfile, alias: ProfileAlias, now: number): Promise<ProfileAlias> {
  let a = alias;
  const expired = a.retired.filter((r) => Date.parse(r.deleteAfter) <= now);
  if (expired.length > 0) a = { ...a, retired: a.retired.filter((r) => !expired.includes(r)) };
  const signature = profileSignature(p);
  if (signature === a.current.signature) {
    if (a.building || a.declined !== undefined) {
      if (a.building) d.log.info('the profile\'s config is back to its current generation: the build is dropped', { sourceId, profile: p.name, generation: a.building.number });
      a = without(a, 'building', 'declined');
    }
  } else if (a.building?.signature !== signature) {
    if (a.declined === signature) {
      d.log.warn('the profile\'s config differs from its index, and its build was aborted: confirm a new one with `tributary sync --yes`, or revert the config', { sourceId, profile: p.name });
    } else {
      const number = a.next;
      a = { ...without(a, 'declined'), building: specOf(p, number, d.generations.targetOf(sourceId, p, number), now), next: number + 1 };
      d.log.info('the profile\'s model or chunking changed: building a new generation beside the current one', { sourceId, profile: p.name, generation: number, target: a.building!.target });
    }
  }
  if (a.building && a.building.signature === signature && (await checkBuild(d, sourceId, p, a)).ok) a = flipped(a, now, d.generations.graceMs);
  return a;
}

function without(a: ProfileAlias, ...keys: Array<'building' | 'declined'>): ProfileAlias {
  const copy: Record<string, unknown> = { ...a };
  for (const key of keys) delete copy[key];
  return copy as unknown as ProfileAlias;
}

/** The alias with the building generation current and the current one kept for `graceMs`. */
function flipped(a: ProfileAlias, now: number, graceMs: number): ProfileAlias {
  const at = new Date(now).toISOString();
  return {
    ...without(a, 'building'), current: a.building!, flippedAt: at,
    retired: [...a.retired, { ...a.current, retiredAt: at, deleteAfter: new Date(now + graceMs).toISOString() }],
  };
}

export type BuildCheck = { readonly ok: true; readonly audit: SourceAudit } | { readonly ok: false; readonly reason: string };

/**
 * Whether the building generation may take over: a pass has read the whole source into it
 * (its checkpoint is set), every task of it has been applied, and the audit finds its ledger
 * and vectors in step with the source.
 */
export async function checkBuild(d: LifecycleDeps, sourceId: string, p: IndexProfile, alias: ProfileAlias): Promise<BuildCheck> {
  const building = alias.building;
  if (!building) return { ok: false, reason: 'no generation is being built' };
  if (building.signature !== profileSignature(p)) return { ok: false, reason: 'the profile\'s config changed since this build started (the next sync starts another)' };
  const name = generationName(p.name, building.number);
  const checkpoint = await d.state.getSource(ledgerKeyOf(sourceId, name));
  if (checkpoint?.watermark === undefined) return { ok: false, reason: 'no sync has read the whole source into it yet' };
  const [profile] = (await generationProfiles(d.generations, sourceId, [p], new Map([[p.name, { alias }]]), 'all', d.clock.now()))
    .filter((g) => g.generation?.role === 'building');
  const scoped = scopeDeps(d, sourceId, profile!);
  let audit: SourceAudit;
  try {
    audit = await auditSource(scoped, sourceId);
  } catch (error) {
    // The AWS fetcher may not read the index (nor hold its key): it audits the source against
    // the ledger, which an embed task commits only after its vectors are written.
    d.log.info('auditing the new generation against its ledger only: the index is not readable here', { sourceId, profile: p.name, error: errorMessage(error) });
    audit = await auditSource(scoped, sourceId, { index: false });
  }
  if (!auditClean(audit)) {
    const problems = (['unindexed', 'outdated', 'deletedInSource', 'unsettled', 'missingVectors', 'staleVectors', 'orphanVectors'] as const)
      .filter((k) => audit[k].length > 0).map((k) => `${audit[k].length} ${k}`);
    return { ok: false, reason: `the audit does not find it in step yet: ${problems.join(', ')}` };
  }
  return { ok: true, audit };
}

export type FlipOutcome =
  | { readonly flipped: true; readonly from: GenerationSpec; readonly to: GenerationSpec; readonly deleteAfter: string }
  | { readonly flipped: false; readonly reason: string };

/** Flips a profile's alias to its building generation now, if that is complete and audited. */
export async function flipGeneration(deps: CoreDeps, sourceId: string, profile: string): Promise<FlipOutcome> {
  const { d, p, entry } = await lookup(deps, sourceId, profile);
  if (!entry) return { flipped: false, reason: 'the profile has no generations yet (it has not been synced)' };
  const check = await checkBuild(d, sourceId, p, entry.alias);
  if (!check.ok) return { flipped: false, reason: check.reason };
  const next = flipped(entry.alias, d.clock.now(), d.generations.graceMs);
  const stored = await d.generations.aliases.putAlias({ sourceId, profile, value: encodeAlias(next), expectVersion: entry.version });
  if (!stored) return { flipped: false, reason: 'another writer changed the alias meanwhile; look again' };
  d.log.info('alias flipped: searches now answer from the new generation', { sourceId, profile, generation: next.current.number });
  return { flipped: true, from: entry.alias.current, to: next.current, deleteAfter: next.retired[next.retired.length - 1]!.deleteAfter };
}

/** Flips every profile of the source whose build is complete and audited (after a sync has settled). */
export async function settleGenerations(deps: CoreDeps, sourceId: string): Promise<Array<FlipOutcome & { profile: string }>> {
  const d = ported(deps);
  const configured = d?.profiles?.(sourceId);
  if (!d || !configured) return [];
  const out: Array<FlipOutcome & { profile: string }> = [];
  const aliases = await readAliases(d.generations, sourceId, configured);
  for (const p of configured) {
    if (!aliases.get(p.name)?.alias.building) continue;
    out.push({ profile: p.name, ...await flipGeneration(d, sourceId, p.name) });
  }
  return out;
}

export type AbortOutcome = { readonly aborted: true; readonly generation: GenerationSpec; readonly vectorsDeleted: number } | { readonly aborted: false; readonly reason: string };

/**
 * Drops the generation being built (its vectors and ledger), keeping the current one; the
 * profile is not rebuilt for the same config again until a sync is confirmed with `--yes`.
 */
export async function abortGeneration(deps: CoreDeps, sourceId: string, profile: string): Promise<AbortOutcome> {
  const { d, entry } = await lookup(deps, sourceId, profile);
  const building = entry?.alias.building;
  if (!entry || !building) return { aborted: false, reason: 'no generation of this profile is being built' };
  const next: ProfileAlias = { ...without(entry.alias, 'building'), declined: building.signature };
  const stored = await d.generations.aliases.putAlias({ sourceId, profile, value: encodeAlias(next), expectVersion: entry.version });
  if (!stored) return { aborted: false, reason: 'another writer changed the alias meanwhile; look again' };
  const name = generationName(profile, building.number);
  const vectors = await d.generations.open(sourceId, building);
  const vectorsDeleted = (await vectors.vectors.listIds(`${sourceId}#`)).length;
  // Tasks of it still queued find no generation and are dropped; the next run record lists it no more.
  await retireRemovedProfiles(d, sourceId, [{ name, target: building.target, dimensions: building.dimensions }], () => '');
  return { aborted: true, generation: building, vectorsDeleted };
}

/** Confirms rebuilding profiles whose build an operator aborted (`sync --yes`): the next run starts one. */
export async function confirmGenerations(deps: CoreDeps, sourceId: string, profiles: readonly string[]): Promise<void> {
  const d = ported(deps);
  if (!d) return;
  for (const profile of profiles) {
    const { entry } = await lookup(d, sourceId, profile);
    if (entry?.alias.declined === undefined) continue;
    await d.generations.aliases.putAlias({ sourceId, profile, value: encodeAlias(without(entry.alias, 'declined')), expectVersion: entry.version });
  }
}

/**
 * The profiles of a source whose next sync starts a new generation (their config differs from
 * the current generation and no build of it runs) — what `sync` asks `--yes` for — and those
 * whose build was aborted (`declined`), which wait for that confirmation.
 */
export async function generationsToStart(deps: CoreDeps, sourceId: string): Promise<{ start: string[]; declined: string[] } | undefined> {
  const d = ported(deps);
  const configured = d?.profiles?.(sourceId);
  if (!d || !configured) return undefined;
  const aliases = await readAliases(d.generations, sourceId, configured);
  const start: string[] = [];
  const declined: string[] = [];
  for (const p of configured) {
    const a = aliases.get(p.name)?.alias;
    const signature = profileSignature(p);
    if (!a || a.current.signature === signature || a.building?.signature === signature) continue;
    (a.declined === signature ? declined : start).push(p.name);
  }
  return { start, declined };
}

async function lookup(deps: CoreDeps, sourceId: string, profile: string) {
  const d = ported(deps);
  if (!d) throw new Error('index generations are not available with this state store');
  const p = d.profiles?.(sourceId)?.find((c) => c.name === profile);
  if (!p) throw new Error(`source "${sourceId}" has no profile "${profile}"`);
  const entry = (await readAliases(d.generations, sourceId, [p])).get(profile);
  return { d, p, entry };
}

/** What `tributary generations` shows of one profile. */
export interface GenerationReport {
  readonly sourceId: string;
  readonly profile: string;
  readonly current: GenerationSummary & { readonly documents: number };
  readonly building?: GenerationSummary & {
    readonly startedAt: string;
    readonly documentsDone: number;
    readonly documentsTotal: number;
    readonly chunks: number;
    readonly tokens: number;
    readonly unsettled: number;
    /** Seconds left at the pace so far; null before the first document. */
    readonly etaSeconds: number | null;
  };
  readonly retired: ReadonlyArray<GenerationSummary & { readonly deleteAfter: string }>;
  /** The config differs from the current generation and no build runs: why. */
  readonly waiting?: string;
}

export interface GenerationSummary {
  readonly number: number;
  readonly name: string;
  readonly model: string;
  readonly dimensions: number;
  readonly target: string;
}

/** The generations of every profile of a source, with the build's progress. */
export async function reportGenerations(deps: CoreDeps, sourceId: string): Promise<GenerationReport[]> {
  const d = ported(deps);
  const configured = d?.profiles?.(sourceId);
  if (!d || !configured) return [];
  const now = d.clock.now();
  const aliases = await readAliases(d.generations, sourceId, configured);
  const out: GenerationReport[] = [];
  for (const p of configured) {
    const a = aliases.get(p.name)?.alias;
    if (!a) continue;
    const summary = (g: GenerationSpec): GenerationSummary => ({ number: g.number, name: generationName(p.name, g.number), model: g.model, dimensions: g.dimensions, target: g.target });
    const current = await ledgerTally(d, ledgerKeyOf(sourceId, generationName(p.name, a.current.number)));
    let building: GenerationReport['building'];
    if (a.building) {
      const name = generationName(p.name, a.building.number);
      const tally = await ledgerTally(d, ledgerKeyOf(sourceId, name));
      const runs = await d.state.listRuns(profileKeyOf(sourceId, name), 1000);
      const total = Math.max(current.documents, tally.documents);
      const elapsed = (now - Date.parse(a.building.startedAt)) / 1000;
      building = {
        ...summary(a.building), startedAt: a.building.startedAt, documentsDone: tally.documents, documentsTotal: total, chunks: tally.chunks,
        tokens: runs.reduce((n, r) => n + (r.tokensEmbedded ?? 0), 0), unsettled: tally.unsettled,
        etaSeconds: tally.documents === 0 ? null : Math.max(0, Math.round((elapsed * (total - tally.documents)) / tally.documents)),
      };
    }
    const signature = profileSignature(p);
    const waiting = a.current.signature !== signature && a.building?.signature !== signature
      ? (a.declined === signature ? 'its build was aborted: confirm a new one with `tributary sync --yes`, or revert the config' : 'the config changed: the next sync starts a new generation')
      : undefined;
    out.push({
      sourceId, profile: p.name, current: { ...summary(a.current), documents: current.documents },
      ...(building ? { building } : {}),
      retired: a.retired.filter((r) => Date.parse(r.deleteAfter) > now).map((r) => ({ ...summary(r), deleteAfter: r.deleteAfter })),
      ...(waiting !== undefined ? { waiting } : {}),
    });
  }
  return out;
}

async function ledgerTally(d: LifecycleDeps, key: string): Promise<{ documents: number; chunks: number; unsettled: number }> {
  let documents = 0;
  let chunks = 0;
  let unsettled = 0;
  for await (const entry of d.state.listDocuments(key)) {
    if (entry.pending || entry.claim) unsettled += 1;
    else if (isLive(entry)) {
      documents += 1;
      chunks += entry.chunkHashes?.length ?? 0;
    }
  }
  return { documents, chunks, unsettled };
}
