/**
 * Index generations: a change of a profile's model, dimensions or chunking builds a new
 * generation of that profile beside the current one — its own ledger (`<sourceId>~<name>@g<n>`)
 * and vector target (a LanceDB table, a Pinecone namespace) — while searches keep answering
 * from the current one. The profile's alias (an IndexAliases record, written conditionally)
 * names the current generation, the one being built and those kept for a grace period.
 *
 * Every generation runs through the pipeline as a profile of its own, named `<name>@g<n>`
 * (`<name>` for generation 0, the profile's phase-one ledger and table): the fetch run fans
 * out to the current and the building one (read once), embed tasks name their generation,
 * and a generation dropped from the alias is retired like a profile removed from the config.
 * This module is the model and the views; `generation-lifecycle.ts` starts, flips and aborts.
 */
import { z } from 'zod';
import type { ChunkingOptions } from './chunker.ts';
import type { CoreDeps } from './deps.ts';
import { profileSignature, type IndexProfile } from './profiles.ts';
import type { Embedder, IndexAliases, Json, VectorStore } from '../ports/index.ts';

/** What generations need besides the core's ports, handed in by the wiring. */
export interface GenerationPorts {
  readonly aliases: IndexAliases;
  /**
   * The embedder and vector store of a generation made with a model or written to a target
   * the profile's config no longer names (the current one while a new one builds).
   */
  open(sourceId: string, spec: { readonly model: string; readonly dimensions: number; readonly target: string }): Promise<GenerationAdapters>;
  /** Where generation `number` (≥ 1) of a profile writes: a table or namespace no profile's config can name. */
  targetOf(sourceId: string, profile: IndexProfile, number: number): string;
  /** How long a replaced generation is kept before its vectors and ledger are deleted. */
  readonly graceMs: number;
}

export interface GenerationAdapters {
  readonly embedder: Embedder;
  readonly vectors: VectorStore;
  readonly pricePerMillionTokensUsd?: number;
}

/** What one generation is built with, and where it lives. */
export interface GenerationSpec {
  /** 0: the profile's own ledger and target (as before generations); then 1, 2, … */
  readonly number: number;
  /** `profileSignature` of what it is made with. */
  readonly signature: string;
  readonly model: string;
  readonly dimensions: number;
  readonly chunking: ChunkingOptions;
  readonly target: string;
  readonly startedAt: string;
}

export interface RetiredGeneration extends GenerationSpec {
  readonly retiredAt: string;
  /** After this its vectors and ledger are deleted (by the next sync). */
  readonly deleteAfter: string;
}

/** The alias of one index profile. */
export interface ProfileAlias {
  readonly current: GenerationSpec;
  readonly building?: GenerationSpec;
  readonly retired: readonly RetiredGeneration[];
  /** The number the next generation gets. */
  readonly next: number;
  readonly flippedAt?: string;
  /** Signature of a build an operator aborted: not started again until a sync is confirmed with `--yes`. */
  readonly declined?: string;
}

export type GenerationRole = 'current' | 'building' | 'retired';

/** Marks an IndexProfile that stands for one generation of a configured profile. */
export interface GenerationTag {
  /** The configured profile's name. */
  readonly profile: string;
  readonly number: number;
  readonly role: GenerationRole;
}

const chunkingSchema = z.object({
  targetTokens: z.number(), maxTokens: z.number(), overlapTurns: z.number().optional(),
  strategy: z.enum(['packed', 'message', 'sliding', 'temporal', 'token-aware']).optional(),
  windowTurns: z.number().optional(), gapMinutes: z.number().optional(),
});
const specSchema = z.object({
  number: z.number().int().min(0), signature: z.string(), model: z.string(), dimensions: z.number().int().positive(),
  chunking: chunkingSchema, target: z.string(), startedAt: z.string(),
});
const aliasSchema = z.object({
  current: specSchema,
  building: specSchema.optional(),
  retired: z.array(specSchema.extend({ retiredAt: z.string(), deleteAfter: z.string() })),
  next: z.number().int().min(1),
  flippedAt: z.string().optional(),
  declined: z.string().optional(),
});

/** The alias as stored, decoded; a record this version cannot read is an error naming it (never guessed at). */
export function decodeAlias(sourceId: string, profile: string, value: Json): ProfileAlias {
  const parsed = aliasSchema.safeParse(value);
  if (!parsed.success) throw new Error(`the alias of profile "${profile}" of source "${sourceId}" is unreadable (${parsed.error.issues[0]?.message ?? 'bad shape'}): was it written by a newer Tributary?`);
  return parsed.data as ProfileAlias;
}

/** The alias as a Json value (optional fields left out, not undefined). */
export function encodeAlias(alias: ProfileAlias): Json {
  return JSON.parse(JSON.stringify(alias)) as Json;
}

/** The profile name a generation runs under (tasks, ledger key, run records): `<name>` for 0, `<name>@g<n>` after. */
export function generationName(profile: string, number: number): string {
  return number === 0 ? profile : `${profile}@g${number}`;
}

/** The configured profile a generation name belongs to (the name itself when it is none). */
export function profileOfGeneration(name: string): string {
  const at = name.lastIndexOf('@g');
  return at > 0 && /^\d+$/.test(name.slice(at + 2)) ? name.slice(0, at) : name;
}

/** Whether a profile name names a generation after the first (`<name>@g<n>`). */
export function isGenerationName(name: string): boolean {
  return profileOfGeneration(name) !== name;
}

/** The spec of what a configured profile would build, as generation `number` at `target`. */
export function specOf(profile: IndexProfile, number: number, target: string, now: number): GenerationSpec {
  return {
    number, signature: profileSignature(profile), model: profile.embedder.model, dimensions: profile.embedder.dimensions,
    chunking: { ...profile.chunking }, target, startedAt: new Date(now).toISOString(),
  };
}

/** Reads the aliases of a source's configured profiles (a profile never synced has none). */
export async function readAliases(
  ports: GenerationPorts, sourceId: string, configured: readonly IndexProfile[],
): Promise<Map<string, { alias: ProfileAlias; version: number }>> {
  const out = new Map<string, { alias: ProfileAlias; version: number }>();
  for (const p of configured) {
    const stored = await ports.aliases.getAlias(sourceId, p.name);
    if (stored) out.set(p.name, { alias: decodeAlias(sourceId, p.name, stored.value), version: stored.version });
  }
  return out;
}

/**
 * Which generations a view holds: `all` — every one that still has vectors (what embed tasks
 * and run records need); `current` — the one each profile answers from, under its generation
 * name (audit, status, export); `serving` — that one under the configured name (search).
 */
export type GenerationView = 'all' | 'current' | 'serving';

type ViewDeps = Pick<CoreDeps, 'profiles' | 'generations' | 'clock'>;

/**
 * `deps` whose `profiles(sourceId)` lists the generations of each source's profiles instead of
 * the configured profiles. Without generation ports (or for a source without profiles), `deps`
 * as they are.
 */
export async function withGenerations<D extends ViewDeps>(deps: D, sourceIds: readonly string[], view: GenerationView, onlyProfile?: string): Promise<D> {
  const ports = deps.generations;
  const base = deps.profiles;
  if (!ports || !base) return deps;
  const lists = new Map<string, IndexProfile[]>();
  for (const id of sourceIds) {
    const all = base(id);
    if (!all) continue;
    const configured = onlyProfile === undefined ? all : all.filter((p) => p.name === onlyProfile);
    if (configured.length === 0) continue;
    lists.set(id, await generationProfiles(ports, id, configured, await readAliases(ports, id, configured), view, deps.clock.now()));
  }
  return { ...deps, profiles: (id: string) => lists.get(id) ?? base(id) };
}

/** The generations of a source's configured profiles, as IndexProfiles, for a view. */
export async function generationProfiles(
  ports: GenerationPorts, sourceId: string, configured: readonly IndexProfile[],
  aliases: ReadonlyMap<string, { alias: ProfileAlias }>, view: GenerationView, now: number,
): Promise<IndexProfile[]> {
  const out: IndexProfile[] = [];
  for (const p of configured) {
    const alias = aliases.get(p.name)?.alias;
    if (!alias) {
      out.push(view === 'serving' ? p : { ...p, generation: { profile: p.name, number: 0, role: 'current' } });
      continue;
    }
    const current = await generationProfile(ports, sourceId, p, alias.current, 'current');
    if (view === 'serving') {
      out.push({ ...current, name: p.name });
      continue;
    }
    out.push(current);
    if (view === 'current') continue;
    if (alias.building) out.push(await generationProfile(ports, sourceId, p, alias.building, 'building'));
    for (const r of alias.retired) if (Date.parse(r.deleteAfter) > now) out.push(await generationProfile(ports, sourceId, p, r, 'retired'));
  }
  return out;
}

/** One generation as an IndexProfile: the configured profile's adapters when it matches them, else its own. */
async function generationProfile(ports: GenerationPorts, sourceId: string, p: IndexProfile, spec: GenerationSpec, role: GenerationRole): Promise<IndexProfile> {
  const generation: GenerationTag = { profile: p.name, number: spec.number, role };
  const name = generationName(p.name, spec.number);
  if (spec.signature === profileSignature(p) && spec.target === p.target) return { ...p, name, generation };
  const own = await ports.open(sourceId, spec);
  return {
    name, chunking: spec.chunking, embedder: own.embedder, vectors: own.vectors, target: spec.target, generation,
    ...(own.pricePerMillionTokensUsd !== undefined ? { pricePerMillionTokensUsd: own.pricePerMillionTokensUsd } : p.pricePerMillionTokensUsd !== undefined ? { pricePerMillionTokensUsd: p.pricePerMillionTokensUsd } : {}),
  };
}

/** The generation names of the configured profiles `names` in a view's list (for `--profile`). */
export function generationNamesOf(profiles: readonly IndexProfile[] | undefined, names: readonly string[]): string[] {
  return (profiles ?? []).filter((p) => names.includes(p.generation?.profile ?? p.name)).map((p) => p.name);
}
