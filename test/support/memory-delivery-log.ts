import type { DeliveryLog } from '../../shared/ports/index.ts';

/** The in-memory twin of the DeliveryLog adapters (same contract suite). */
export class InMemoryDeliveryLog implements DeliveryLog {
  private readonly until = new Map<string, number>();

  async rememberDelivery(input: { scope: string; id: string; now: number; ttlMs: number }): Promise<boolean> {
    const key = `${input.scope}\u0000${input.id}`;
    const held = this.until.get(key);
    if (held !== undefined && held >= input.now) return false;
    this.until.set(key, input.now + input.ttlMs);
    return true;
  }

  async forgetDelivery(input: { scope: string; id: string }): Promise<void> {
    this.until.delete(`${input.scope}\u0000${input.id}`);
  }
}
