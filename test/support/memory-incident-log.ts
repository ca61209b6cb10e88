import type { IncidentLog } from '../../shared/ports/index.ts';

/** The in-memory twin of the IncidentLog adapters (same contract suite). */
export class InMemoryIncidentLog implements IncidentLog {
  private readonly until = new Map<string, number>();

  async openIncident(input: { scope: string; key: string; now: number; repeatMs: number }): Promise<boolean> {
    const key = `${input.scope}\u0000${input.key}`;
    const held = this.until.get(key);
    if (held !== undefined && held >= input.now) return false;
    this.until.set(key, input.now + input.repeatMs);
    return true;
  }

  async closeIncident(input: { scope: string; key: string; repeatMs: number }): Promise<{ openedAt: number } | undefined> {
    const key = `${input.scope}\u0000${input.key}`;
    const held = this.until.get(key);
    if (held === undefined) return undefined;
    this.until.delete(key);
    return { openedAt: held - input.repeatMs };
  }
}
