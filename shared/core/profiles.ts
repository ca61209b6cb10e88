/**
 * Index profiles: one source feeding several indexes (chunking × embedder × vector target),
 * each with its own ledger, checkpoint and run counters. The core runs every use case on a
 * profile's *scope*: the same deps with that profile's embedder, vector store and chunking, and
 * a state whose document ledger is the profile's. The profile named `default` is the index a
 * source had before profiles: its ledger key is the source id and its checkpoint the source's,
 * so a config without profiles (one implicit `default`) behaves, stores and names exactly as
 * before.
 */
import { chunkingSignature, type ChunkingOptions } from './chunker.ts';
import type { CoreDeps, SourceSettings } from './deps.ts';
import type { GenerationTag } from './generations.ts';
import { PoisonTaskError } from './errors.ts';
import type { Embedder, VectorStore } from '../ports/index.ts';

export const DEFAULT_PROFILE = 'default';

/** A configured profile of a source, with the adapters the wiring built for it. */
export interface IndexProfile {
  readonly name: string;
  readonly chunking: ChunkingOptions;
  readonly embedder: Embedder;
  readonly vectors: VectorStore;
  /** Where its vectors live (a LanceDB table, a Pinecone namespace): recorded on runs, so a removed profile can be cleaned up. */
  readonly target: string;
  /** USD per million tokens of its model. */
  readonly pricePerMillionTokensUsd?: number;
  /** Set when it stands for one generation of a configured profile (see generations.ts). */
  readonly generation?: GenerationTag;
}

/** A profile as a run records it (RunRecord.profiles): enough to find its vectors once it is removed from the config. */
export interface ProfileRecord {
  readonly name: string;
  readonly target: string;
  readonly dimensions: number;
  /** What its vectors are made with (`profileSignature`): a change means re-indexing every document. */
  readonly signature?: string;
}

/** Model, dimensions and chunking of a profile: two profiles alike here produce the same vectors. */
export function profileSignature(profile: Pick<IndexProfile, 'embedder' | 'chunking'>): string {
  return `${profile.embedder.model}/${profile.embedder.dimensions}/${chunkingSignature(profile.chunking)}`;
}

/** Ledger key of a profile: the source id for `default`, `<sourceId>~<name>` otherwise (no source id holds `~`). */
export function ledgerKeyOf(sourceId: string, profile: string | undefined): string {
  return profile === undefined || profile === DEFAULT_PROFILE ? sourceId : `${sourceId}~${profile}`;
}

/** Key of a profile's own run records and (but for `default`, whose checkpoint is the source's) its checkpoint. */
export function profileKeyOf(sourceId: string, profile: string): string {
  return `${sourceId}~${profile}`;
}

/** One profile of a source, ready to run use cases on. */
export interface ProfileScope {
  readonly name: string;
  /** Configured explicitly (the source lists `profiles`): its tasks name it and it has its own run records. */
  readonly explicit: boolean;
  readonly ledgerKey: string;
  /** Where its run counters go besides the source's run record (explicit profiles). */
  readonly runKey?: string;
  readonly profile: IndexProfile;
  readonly settings: SourceSettings;
  readonly deps: CoreDeps;
}

/** The source's profiles (all, or those named), each as a scope. Unknown names are a PoisonTaskError. */
export function profileScopes(deps: CoreDeps, sourceId: string, only?: readonly string[]): ProfileScope[] {
  const settings = deps.settings(sourceId);
  if (!settings) throw new PoisonTaskError(`unknown source "${sourceId}"`, { sourceId });
  const configured = deps.profiles?.(sourceId);
  if (!configured) {
    const profile: IndexProfile = {
      name: DEFAULT_PROFILE, chunking: settings.chunking, embedder: deps.embedder, vectors: deps.vectors, target: DEFAULT_PROFILE,
      ...(deps.embeddingPricePerMillionTokensUsd !== undefined ? { pricePerMillionTokensUsd: deps.embeddingPricePerMillionTokensUsd } : {}),
    };
    if (only && only.some((n) => n !== DEFAULT_PROFILE)) throw unknownProfile(sourceId, only.find((n) => n !== DEFAULT_PROFILE)!, [DEFAULT_PROFILE]);
    return [{ name: DEFAULT_PROFILE, explicit: false, ledgerKey: sourceId, profile, settings, deps }];
  }
  // A generation is fed while it is current or being built; `only` names configured profiles (or generations).
  const live = configured.filter((p) => p.generation?.role !== 'retired');
  const known = (p: IndexProfile): string => p.generation?.profile ?? p.name;
  for (const name of only ?? []) if (!live.some((p) => known(p) === name || p.name === name)) throw unknownProfile(sourceId, name, [...new Set(live.map(known))]);
  return live.filter((p) => !only || only.includes(known(p)) || only.includes(p.name)).map((profile) => {
    const scoped = scopeDeps(deps, sourceId, profile);
    return {
      name: profile.name, explicit: true, ledgerKey: ledgerKeyOf(sourceId, profile.name), runKey: profileKeyOf(sourceId, profile.name),
      profile, settings: scoped.settings(sourceId) ?? settings, deps: scoped,
    };
  });
}

function unknownProfile(sourceId: string, name: string, known: readonly string[]): PoisonTaskError {
  return new PoisonTaskError(`source "${sourceId}" has no profile "${name}" (it has: ${known.join(', ')})`, { sourceId });
}

/** The deps of the profile an embed task names (none: the source's own deps, the implicit `default`). */
export function taskScope<D extends ScopableDeps>(deps: D, task: { readonly sourceId: string; readonly profile?: string }): D {
  if (task.profile === undefined) return deps;
  const profile = deps.profiles?.(task.sourceId)?.find((p) => p.name === task.profile);
  if (!profile) throw new PoisonTaskError(`source "${task.sourceId}" has no profile "${task.profile}" any more`, { sourceId: task.sourceId });
  return scopeDeps(deps, task.sourceId, profile);
}

type ScopableDeps = Pick<CoreDeps, 'settings'> & Partial<Pick<CoreDeps, 'vectors' | 'embedder' | 'profiles' | 'embeddingPricePerMillionTokensUsd'>> & { readonly state: object };

/** `deps` with the profile's adapters and chunking, its ledger and its run counters. */
export function scopeDeps<D extends ScopableDeps>(deps: D, sourceId: string, profile: IndexProfile): D {
  const base = deps.settings;
  return {
    ...deps,
    vectors: profile.vectors,
    embedder: profile.embedder,
    embeddingPricePerMillionTokensUsd: profile.pricePerMillionTokensUsd ?? 0,
    settings: (id: string) => {
      const s = base(id);
      if (!s || id !== sourceId) return s;
      const own = deps.embedder !== undefined && profile.embedder !== deps.embedder;
      return { ...s, chunking: profile.chunking, ...(own ? { embedding: `${profile.embedder.model}/${profile.embedder.dimensions}` } : {}) };
    },
    state: scopedState(deps.state, sourceId, ledgerKeyOf(sourceId, profile.name), profileKeyOf(sourceId, profile.name)),
  };
}

/** The document ledger's methods: their first argument is (or holds) the source id, which becomes the ledger key. */
const LEDGER_METHODS = new Set([
  'getDocuments', 'listDocuments', 'markPending', 'releasePending', 'touchDocument', 'claimDocument', 'commitDocument', 'commitDeletion',
]);

/**
 * A view of a state store (of whatever ports the caller holds) whose document ledger is the
 * profile's and whose run counters are also added to the profile's run record. A proxy, so it
 * fits any narrowing of StateStore a use case takes; everything else passes through.
 */
export function scopedState<S extends object>(state: S, sourceId: string, ledgerKey: string, runKey: string): S {
  const rekey = (arg: unknown): unknown => {
    if (arg === sourceId) return ledgerKey;
    if (arg !== null && typeof arg === 'object' && (arg as { sourceId?: unknown }).sourceId === sourceId) return { ...arg, sourceId: ledgerKey };
    return arg;
  };
  return new Proxy(state, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop === 'string' && LEDGER_METHODS.has(prop)) return (first: unknown, ...rest: unknown[]) => fn.call(target, rekey(first), ...rest);
      if (prop === 'addRunCounters') {
        return async (id: string, runId: string, delta: unknown) => {
          await fn.call(target, id, runId, delta);
          if (id === sourceId) await fn.call(target, runKey, runId, delta);
        };
      }
      return fn.bind(target);
    },
  });
}
