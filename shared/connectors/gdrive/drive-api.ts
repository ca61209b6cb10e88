/**
 * The Drive API v3 calls the connector makes, over the kit's HTTP client (retries, waits, pacing
 * and typed errors; ./transport.ts adds the token and reads Google's error reasons). Responses
 * are validated with the few fields the connector asks for (`fields`), typed after
 * @googleapis/drive's `drive_v3.Schema$File`.
 *
 * Reference: https://developers.google.com/workspace/drive/api/reference/rest/v3 (files.list,
 * files.get, files.export, changes.getStartPageToken, changes.list, changes.watch, channels.stop).
 * Every call passes `supportsAllDrives=true`: without it, shared-drive items are invisible.
 */
import type { drive_v3 } from '@googleapis/drive';
import { z } from 'zod';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, type HttpSeams } from '../kit/index.ts';
import type { TokenSource } from './auth.ts';
import { driveFetch } from './transport.ts';

export const FOLDER = 'application/vnd.google-apps.folder';
export const SHORTCUT = 'application/vnd.google-apps.shortcut';

/** What the connector reads of a file: its identity, place, versions, size and sharing. */
export const FILE_FIELDS = 'id,name,mimeType,parents,driveId,trashed,version,headRevisionId,md5Checksum,modifiedTime,size,webViewLink,description,'
  + 'owners(emailAddress),permissions(type,role,emailAddress,domain),shortcutDetails(targetId,targetMimeType)';

const permission = z.object({ type: z.string(), role: z.string().optional(), emailAddress: z.string().optional(), domain: z.string().optional() });
export const driveFile = z.object({
  id: z.string().min(1),
  name: z.string(),
  mimeType: z.string(),
  parents: z.array(z.string()).optional(),
  driveId: z.string().optional(),
  trashed: z.boolean().optional(),
  version: z.string().optional(),
  headRevisionId: z.string().optional(),
  md5Checksum: z.string().optional(),
  modifiedTime: z.string().optional(),
  size: z.string().optional(),
  webViewLink: z.string().optional(),
  description: z.string().optional(),
  owners: z.array(z.object({ emailAddress: z.string().optional() })).optional(),
  permissions: z.array(permission).optional(),
  shortcutDetails: z.object({ targetId: z.string().optional(), targetMimeType: z.string().optional() }).optional(),
});
/** A file as read (`fields` = FILE_FIELDS); assignable from the SDK's File with those fields present. */
export type DriveFile = z.output<typeof driveFile> & Pick<drive_v3.Schema$File, 'kind'>;

const fileList = z.object({ nextPageToken: z.string().optional(), files: z.array(driveFile).default([]) });
const change = z.object({ changeType: z.string().optional(), removed: z.boolean().optional(), fileId: z.string().optional(), file: driveFile.optional() });
const changeList = z.object({ nextPageToken: z.string().optional(), newStartPageToken: z.string().optional(), changes: z.array(change).default([]) });
const startToken = z.object({ startPageToken: z.string().min(1) });
const channel = z.object({ id: z.string(), resourceId: z.string(), expiration: z.string().optional() });

export type DriveChange = z.output<typeof change>;
export interface FilePage { readonly files: readonly DriveFile[]; readonly nextPageToken: string | undefined }
export interface ChangePage { readonly changes: readonly DriveChange[]; readonly nextPageToken: string | undefined; readonly newStartPageToken: string | undefined }
export interface OpenChannel { readonly id: string; readonly resourceId: string; readonly expiration: number }

export interface DriveApiOptions extends HttpSeams {
  readonly sourceId: string;
  readonly apiUrl: string;
  readonly tokens: TokenSource;
  readonly authHint: string;
  readonly requestsPerMinute: number;
  readonly clock: Clock;
}

const ALL_DRIVES = { supportsAllDrives: true } as const;

export class DriveApi {
  readonly http: HttpClient;

  constructor(options: DriveApiOptions) {
    this.http = new HttpClient({
      sourceId: options.sourceId, provider: 'Google Drive', baseUrl: new URL('drive/v3/', options.apiUrl).href,
      authHint: options.authHint, requestsPerMinute: options.requestsPerMinute, clock: options.clock, timeoutMs: 120_000,
      fetch: driveFetch(options.fetch ?? globalThis.fetch, options.tokens),
      ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.random ? { random: options.random } : {}),
    });
  }

  async startPageToken(): Promise<string> {
    return (await this.http.getJson('changes/startPageToken', { query: ALL_DRIVES, schema: startToken })).startPageToken;
  }

  /** One page of the account's change log from `pageToken` (every drive it can see, removals included). */
  async changes(pageToken: string, pageSize: number): Promise<ChangePage> {
    const body = await this.http.getJson('changes', {
      changeToken: true, schema: changeList,
      query: {
        pageToken, pageSize, includeRemoved: true, includeItemsFromAllDrives: true, ...ALL_DRIVES,
        fields: `nextPageToken,newStartPageToken,changes(changeType,removed,fileId,file(${FILE_FIELDS}))`,
      },
    });
    return { changes: body.changes, nextPageToken: body.nextPageToken, newStartPageToken: body.newStartPageToken };
  }

  /** One page of a folder's children that are not in the trash. */
  async children(folderId: string, pageToken: string | undefined, pageSize: number): Promise<FilePage> {
    return this.files({ q: `'${folderId.replace(/['\\]/g, '\\$&')}' in parents and trashed = false`, corpora: 'allDrives' }, pageToken, pageSize);
  }

  /** One page of every item of a shared drive that is not in the trash. */
  async driveItems(driveId: string, pageToken: string | undefined, pageSize: number): Promise<FilePage> {
    return this.files({ q: 'trashed = false', corpora: 'drive', driveId }, pageToken, pageSize);
  }

  async file(id: string): Promise<DriveFile> {
    return this.http.getJson(`files/${encodeURIComponent(id)}`, { query: { ...ALL_DRIVES, fields: FILE_FIELDS }, schema: driveFile });
  }

  /** A file's parents only (for walking up to a scope folder). */
  async parentsOf(id: string): Promise<{ parents: readonly string[]; driveId: string | undefined }> {
    const body = await this.http.getJson(`files/${encodeURIComponent(id)}`, {
      query: { ...ALL_DRIVES, fields: 'id,parents,driveId' }, schema: z.object({ parents: z.array(z.string()).optional(), driveId: z.string().optional() }),
    });
    return { parents: body.parents ?? [], driveId: body.driveId };
  }

  /** A Google Docs Editors file converted to `mimeType` (Drive caps exports at 10 MB). */
  async export(id: string, mimeType: string): Promise<Uint8Array> {
    const response = await this.http.request(`files/${encodeURIComponent(id)}/export`, { query: { mimeType }, headers: { accept: '*/*' } });
    return response.bytes ?? new TextEncoder().encode(response.text);
  }

  /** An uploaded file's bytes. */
  async download(id: string): Promise<Uint8Array> {
    const response = await this.http.request(`files/${encodeURIComponent(id)}`, { query: { alt: 'media', ...ALL_DRIVES }, headers: { accept: '*/*' } });
    return response.bytes ?? new TextEncoder().encode(response.text);
  }

  /** changes.watch from `pageToken`: Drive posts to `address` when the change log grows. */
  async watch(input: { id: string; address: string; token: string; expiration: number; pageToken: string }): Promise<OpenChannel> {
    const body = await this.http.postJson('changes/watch', { id: input.id, type: 'web_hook', address: input.address, token: input.token, expiration: input.expiration }, {
      query: { pageToken: input.pageToken, includeRemoved: true, includeItemsFromAllDrives: true, ...ALL_DRIVES }, schema: channel,
    });
    return { id: body.id, resourceId: body.resourceId, expiration: Number(body.expiration ?? input.expiration) };
  }

  async stopChannel(id: string, resourceId: string): Promise<void> {
    await this.http.request('channels/stop', { method: 'POST', json: { id, resourceId } });
  }

  private async files(query: Record<string, string>, pageToken: string | undefined, pageSize: number): Promise<FilePage> {
    const body = await this.http.getJson('files', {
      schema: fileList,
      query: { ...query, pageSize, ...(pageToken ? { pageToken } : {}), includeItemsFromAllDrives: true, ...ALL_DRIVES, fields: `nextPageToken,files(${FILE_FIELDS})` },
    });
    return { files: body.files, nextPageToken: body.nextPageToken };
  }
}
