/** A clock the injected sleep advances: every wait is recorded and costs no real time. */
export class FakeTime {
  readonly waits: number[] = [];
  constructor(public nowMs = Date.parse('2030-01-01T00:00:00.000Z')) {}
  readonly clock = { now: (): number => this.nowMs };
  readonly sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.nowMs += ms;
  };
}
