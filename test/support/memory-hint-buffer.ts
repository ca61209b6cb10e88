import type { BufferedHint, HintBuffer } from '../../shared/ports/index.ts';

/** The in-memory twin of the HintBuffer adapters (same contract suite). */
export class InMemoryHintBuffer implements HintBuffer {
  private readonly ids = new Map<string, Map<string, number>>();
  private readonly marks = new Map<string, number>();

  async addHints(input: { sourceId: string; ids: readonly string[]; now: number; staleAfterMs: number }): Promise<boolean> {
    const ids = this.ids.get(input.sourceId) ?? new Map<string, number>();
    for (const id of input.ids) ids.set(id, input.now);
    this.ids.set(input.sourceId, ids);
    const mark = this.marks.get(input.sourceId);
    if (mark !== undefined && mark >= input.now - input.staleAfterMs) return false;
    this.marks.set(input.sourceId, input.now);
    return true;
  }

  async takeHints(input: { sourceId: string; limit: number }): Promise<BufferedHint[]> {
    this.marks.delete(input.sourceId);
    return [...(this.ids.get(input.sourceId) ?? new Map<string, number>())]
      .map(([id, at]) => ({ id, at })).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)).slice(0, input.limit);
  }

  async settleHints(input: { sourceId: string; taken: readonly BufferedHint[] }): Promise<void> {
    const ids = this.ids.get(input.sourceId);
    for (const hint of input.taken) if (ids?.get(hint.id) === hint.at) ids.delete(hint.id);
  }

  async releaseMark(input: { sourceId: string }): Promise<void> {
    this.marks.delete(input.sourceId);
  }
}
