/**
 * changes.getStartPageToken, changes.list, changes.watch, channels.stop.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/getStartPageToken
 *   — `{kind: "drive#startPageToken", startPageToken}`; "the page token doesn't expire"; driveId
 *   gives the shared drive's own log.
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/list — pageToken
 *   (required), pageSize 1–1000 (default 100), includeRemoved (default true), restrictToMyDrive,
 *   spaces (drive, appDataFolder), includeItemsFromAllDrives / supportsAllDrives, driveId →
 *   `{kind: "drive#changeList", nextPageToken | newStartPageToken, changes: [{kind: "drive#change",
 *   changeType: "file" | "drive", time, removed, fileId?, file?, driveId?, drive?}]}`, oldest
 *   first. Removed items (deleted forever or access lost) carry only their id.
 * - Collapsing and per-drive logs: https://developers.google.com/workspace/drive/api/guides/about-changes
 *   (see ./world.ts).
 * - A page token the server never issued → 400 `invalid` / location pageToken ("Invalid Value").
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/watch and
 *   /channels/stop — see ./push.ts; channels.stop answers 204 with an empty body.
 */

import { channelNotFound, DriveError, invalidValue, requiredParameter } from './errors.ts';
import { select } from './fields.ts';
import type { ChangeEntry } from './model.ts';
import { Params } from './params.ts';
import { DEFAULT_CHANNEL_TTL_MS, MAX_CHANNEL_TTL_MS, type PushHub } from './push.ts';
import { driveShape, fileShape } from './shapes.ts';
import type { Ctx } from './routes-files.ts';
import type { World } from './world.ts';

const CHANGE_PARAMS = ['pageToken', 'driveId', 'includeCorpusRemovals', 'includeItemsFromAllDrives', 'includeLabels', 'includePermissionsForView',
  'includeRemoved', 'includeTeamDriveItems', 'pageSize', 'restrictToMyDrive', 'spaces', 'supportsAllDrives', 'supportsTeamDrives', 'teamDriveId'];

export function startPageToken({ world, userId, query }: Ctx): unknown {
  const p = new Params(query, ['driveId', 'supportsAllDrives', 'supportsTeamDrives', 'teamDriveId']);
  const driveId = p.str('driveId') ?? p.str('teamDriveId');
  if (driveId !== undefined) checkDrive(world, userId, driveId, p.bool('supportsAllDrives', p.bool('supportsTeamDrives', false)));
  return select({ kind: 'drive#startPageToken', startPageToken: String(world.lastSeq + 1) }, 'StartPageToken', p.str('fields'));
}

function checkDrive(world: World, userId: string, driveId: string, supports: boolean): void {
  if (!supports) throw invalidValue('supportsAllDrives', 'The supportsAllDrives parameter must be set to true when driveId is specified.');
  const d = world.drives.get(driveId);
  if (!d || !world.isMember(d, userId)) throw new DriveError(404, 'notFound', `Shared drive not found: ${driveId}`, 'global', 'driveId', 'parameter');
}

export interface ChangeScope {
  readonly driveId: string | undefined;
  readonly allDrives: boolean;
  readonly restrictToMyDrive: boolean;
  readonly includeRemoved: boolean;
  readonly spaces: readonly string[];
}

function scopeOf(world: World, userId: string, p: Params): ChangeScope {
  const driveId = p.str('driveId') ?? p.str('teamDriveId');
  const supports = p.bool('supportsAllDrives', p.bool('supportsTeamDrives', false));
  const allDrives = p.bool('includeItemsFromAllDrives', p.bool('includeTeamDriveItems', false));
  if (allDrives && !supports) throw invalidValue('supportsAllDrives', 'The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is set to true.');
  if (driveId !== undefined) checkDrive(world, userId, driveId, supports);
  const spaces = (p.str('spaces') ?? 'drive').split(',').map((s) => s.trim());
  if (spaces.some((s) => !['drive', 'appDataFolder', 'photos'].includes(s))) throw invalidValue('spaces');
  p.bool('includeCorpusRemovals', false);
  return { driveId, allDrives, restrictToMyDrive: p.bool('restrictToMyDrive', false), includeRemoved: p.bool('includeRemoved', true), spaces };
}

/** Whether an entry belongs to the log a request reads. */
export function inScope(world: World, userId: string, e: ChangeEntry, s: ChangeScope): boolean {
  if (!e.audience.has(userId) || !s.spaces.includes('drive')) return false;
  if (s.driveId !== undefined) return e.driveId === s.driveId;
  if (e.changeType === 'drive') return true;
  if (e.driveId !== undefined && !s.allDrives) return false;
  if (s.restrictToMyDrive) {
    const f = world.files.get(e.id);
    return f !== undefined && f.driveId === undefined && f.ownerId === userId;
  }
  return true;
}

export function changesList({ world, userId, query }: Ctx): unknown {
  const p = new Params(query, CHANGE_PARAMS);
  const raw = p.str('pageToken');
  if (raw === undefined || raw === '') throw requiredParameter('pageToken');
  if (!/^\d+$/.test(raw) || Number(raw) > world.lastSeq + 1 || Number(raw) < 1) throw invalidValue('pageToken');
  const from = Number(raw);
  const pageSize = p.int('pageSize', 100, 1, 1000);
  const scope = scopeOf(world, userId, p);
  const latest = new Map<string, ChangeEntry>();
  for (const e of world.log) {
    if (e.seq < from || !inScope(world, userId, e, scope)) continue;
    const key = `${e.changeType}:${e.id}`;
    latest.delete(key);
    latest.set(key, e);
  }
  const rows: Record<string, unknown>[] = [];
  let lastSeq = from - 1;
  let more = false;
  for (const e of [...latest.values()].sort((a, b) => a.seq - b.seq)) {
    const row = changeRow(world, userId, e);
    if (row.removed === true && !scope.includeRemoved) { lastSeq = e.seq; continue; }
    if (rows.length === pageSize) { more = true; break; }
    rows.push(row);
    lastSeq = e.seq;
  }
  const body = {
    kind: 'drive#changeList',
    ...(more ? { nextPageToken: String(lastSeq + 1) } : { newStartPageToken: String(world.lastSeq + 1) }),
    changes: rows,
  };
  return select(body, 'ChangeList', p.str('fields'));
}

function changeRow(world: World, userId: string, e: ChangeEntry): Record<string, unknown> {
  const time = new Date(e.time).toISOString();
  if (e.changeType === 'drive') {
    const d = world.drives.get(e.id);
    const visible = d !== undefined && world.isMember(d, userId);
    return { kind: 'drive#change', changeType: 'drive', time, removed: !visible, driveId: e.id, ...(visible ? { drive: driveShape(world, d, userId) } : {}) };
  }
  const f = world.files.get(e.id);
  const visible = f !== undefined && !f.deleted && world.canSee(f, userId, true);
  return { kind: 'drive#change', changeType: 'file', time, removed: !visible, fileId: e.id, ...(visible ? { file: fileShape(world, f, userId) } : {}) };
}

export function changesWatch(ctx: Ctx, push: PushHub, baseUrl: string, body: unknown): unknown {
  const { world, userId, query } = ctx;
  const p = new Params(query, CHANGE_PARAMS);
  const token = p.required('pageToken');
  if (!/^\d+$/.test(token) || Number(token) > world.lastSeq + 1) throw invalidValue('pageToken');
  const scope = scopeOf(world, userId, p);
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b['id'] !== 'string' || b['id'] === '') throw requiredParameter('id');
  if (b['type'] !== 'web_hook' && b['type'] !== 'webhook') throw invalidValue('type', 'Invalid value for type');
  if (typeof b['address'] !== 'string' || !/^https?:\/\//.test(b['address'])) throw invalidValue('address', 'Invalid value for address');
  if ([...push.channels.values()].some((c) => c.id === b['id'] && push.live(c))) throw new DriveError(400, 'channelIdNotUnique', `Channel id ${String(b['id'])} not unique`, 'push');
  const now = world.now();
  const asked = b['expiration'] === undefined ? now + DEFAULT_CHANNEL_TTL_MS : Number(b['expiration']);
  if (!Number.isFinite(asked)) throw invalidValue('expiration');
  const expiration = Math.min(asked, now + MAX_CHANNEL_TTL_MS);
  const search = new URLSearchParams({ alt: 'json', pageToken: token, ...(scope.driveId === undefined ? {} : { driveId: scope.driveId }) });
  const channel = push.open({
    id: b['id'], address: b['address'], token: typeof b['token'] === 'string' ? b['token'] : undefined, expiration, userId,
    driveId: scope.driveId, params: (b['params'] ?? {}) as Record<string, string>,
    resourceUri: `${baseUrl}/drive/v3/changes?${search.toString()}`, meta: scope,
  });
  const out = {
    kind: 'api#channel', id: channel.id, resourceId: channel.resourceId, resourceUri: channel.resourceUri,
    ...(channel.token === undefined ? {} : { token: channel.token }), expiration: String(channel.expiration),
  };
  return select(out, 'Channel', p.str('fields'));
}

export function channelsStop(push: PushHub, body: unknown): void {
  const b = (body ?? {}) as Record<string, unknown>;
  const id = typeof b['id'] === 'string' ? b['id'] : '';
  const resourceId = typeof b['resourceId'] === 'string' ? b['resourceId'] : '';
  if (!push.stop(id, resourceId)) throw channelNotFound(id);
}
