/**
 * Open alert incidents: what makes alerts one per incident instead of one per check. Opening
 * and closing are each one conditional write, so of several processes (local runtimes and
 * CLIs on one database, concurrent Lambda invocations on one table) that see the same
 * condition, exactly one announces it, and exactly one announces its recovery.
 */
export interface IncidentLog {
  /**
   * Opens the incident `key` under `scope` (e.g. `alert:<sourceId>`, `failure`); false when it
   * is open already and younger than `repeatMs` (older: reopened, to be announced again).
   */
  openIncident(input: { scope: string; key: string; now: number; repeatMs: number }): Promise<boolean>;
  /** Closes the incident; its opening time when this call closed it, undefined when none was open. */
  closeIncident(input: { scope: string; key: string; repeatMs: number }): Promise<{ openedAt: number } | undefined>;
}

/** What an alert is about. */
export type AlertCondition = 'failure' | 'stale' | 'breaker' | 'deadLetters' | 'pipeline';

/** One announcement: a condition began (`firing`) or ended (`recovered`). */
export interface AlertMessage {
  readonly state: 'firing' | 'recovered';
  /** The source it is about; `pipeline` for what belongs to no source (a queue, a function). */
  readonly sourceId: string;
  readonly condition: AlertCondition;
  /** One line, e.g. `source "docs" is failing`. */
  readonly title: string;
  /** The error as the core recorded it (without the fix), when there is one. */
  readonly error?: string;
  /** What to do about it. */
  readonly fix?: string;
  /** Epoch ms the incident was announced (recoveries). */
  readonly since?: number;
  /** Epoch ms of the announcement. */
  readonly at: number;
}

/** Somewhere alerts are sent: a Slack incoming webhook, an e-mail address list. */
export interface AlertChannel {
  /** For logs, e.g. `slack` or `email:ops@example.com`. */
  readonly name: string;
  send(message: AlertMessage): Promise<void>;
}
