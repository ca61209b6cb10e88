/**
 * Helpers for discord.test.ts: a seeded workspace, raw REST calls, a raw Gateway client, and a
 * @discordjs/ws manager with its own session store (the library's default store is process-wide).
 */

import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents, type OptionalWebSocketManagerOptions, type SessionInfo } from '@discordjs/ws';
import { ChannelType, PermissionFlagsBits, type GatewayDispatchPayload } from 'discord-api-types/v10';
import WebSocket from 'ws';
import type { DiscordEmulator } from '../discord.ts';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const keys = (o: unknown): string[] => Object.keys(o as object).sort();

export interface Seeded {
  readonly alice: string;
  readonly bob: string;
  readonly ci: string;
  readonly guild: string;
  readonly general: string;
  readonly secret: string;
  readonly noHistory: string;
  readonly forum: string;
  readonly news: string;
}

/** alice, bob and the CI bot in one guild with #general, a hidden #secret, #no-history, a forum and an announcement channel. */
export function seed(emu: DiscordEmulator, at: number): Seeded {
  const alice = emu.addUser({ username: 'alice', globalName: 'Alice' }).id;
  const bob = emu.addUser({ username: 'bob' }).id;
  const ci = emu.addUser({ username: 'CI', bot: true }).id;
  const guild = emu.addGuild({ name: 'Tributary', at: at - 86_400_000 }).id;
  for (const user of [alice, bob, ci]) emu.addMember(guild, user, { at: at - 3_600_000 });
  const general = emu.addChannel({ guild, name: 'general', topic: 'chat', at: at - 80_000_000 }).id;
  const secret = emu.addChannel({ guild, name: 'secret', overwrites: [{ id: guild, type: 'role', deny: [PermissionFlagsBits.ViewChannel] }, { id: alice, type: 'member', allow: [PermissionFlagsBits.ViewChannel] }] }).id;
  const noHistory = emu.addChannel({ guild, name: 'no-history', overwrites: [{ id: guild, type: 'role', deny: [PermissionFlagsBits.ReadMessageHistory] }] }).id;
  const forum = emu.addChannel({ guild, name: 'help', type: ChannelType.GuildForum, tags: ['question', 'bug'] }).id;
  const news = emu.addChannel({ guild, name: 'news', type: ChannelType.GuildAnnouncement }).id;
  return { alice, bob, ci, guild, general, secret, noHistory, forum, news };
}

export async function api(emu: DiscordEmulator, path: string, token: string | null = emu.token): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await fetch(`${emu.url}/api/v10${path}`, { headers: token === null ? {} : { authorization: `Bot ${token}` } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : {} };
}

export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A bare WebSocket client that records every payload and the close. */
export class RawGateway {
  readonly payloads: Json[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => this.payloads.push(JSON.parse(data.toString()) as Json));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('error', (error) => void this.errors.push(error));
  }

  readonly errors: Error[] = [];

  /** Sends now, or once the socket is open. */
  send(payload: unknown): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.once('open', () => this.ws.send(JSON.stringify(payload)));
    else this.ws.send(JSON.stringify(payload));
  }

  next(predicate: (p: Json) => boolean, what = 'payload'): Promise<Json> {
    return until(() => this.payloads.find(predicate), what);
  }

  close(): void {
    this.ws.close(1000);
  }

  waitClosed(): Promise<{ code: number; reason: string }> {
    return until(() => this.closed, 'close');
  }
}

export interface Manager {
  readonly manager: WebSocketManager;
  readonly events: GatewayDispatchPayload[];
  readonly errors: Error[];
  waitFor(t: string, predicate?: (d: Json) => boolean): Promise<GatewayDispatchPayload>;
}

export function manager(emu: DiscordEmulator, intents: number, options: Partial<OptionalWebSocketManagerOptions> = {}): Manager {
  const store = new Map<number, SessionInfo>();
  const rest = new REST({ api: emu.api }).setToken(emu.token);
  const ws = new WebSocketManager({
    token: emu.token, intents, rest,
    retrieveSessionInfo: (id) => store.get(id) ?? null,
    updateSessionInfo: (id, info) => void (info ? store.set(id, info) : store.delete(id)),
    ...options,
  });
  const events: GatewayDispatchPayload[] = [];
  const errors: Error[] = [];
  ws.on(WebSocketShardEvents.Dispatch, (payload) => void events.push(payload));
  ws.on(WebSocketShardEvents.Error, (error) => void errors.push(error));
  return {
    manager: ws, events, errors,
    waitFor: (t, predicate = () => true) => until(() => events.find((e) => e.t === t && predicate(e.d as Json)), t),
  };
}
