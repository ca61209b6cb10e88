/**
 * Query-parameter validation as Google's front end does it.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3 (each method's query
 *   parameters) and the standard system parameters (https://cloud.google.com/apis/docs/system-parameters:
 *   fields, alt, key, prettyPrint, quotaUser, access_token, callback, upload_protocol, uploadType,
 *   $.xgafv, userIp).
 * - An unknown query parameter → 400 INVALID_ARGUMENT "Invalid JSON payload received. Unknown
 *   name \"x\": Cannot bind query parameter. Field 'x' could not be found in request message."
 *   (Google's ESF answer for any API). A bad boolean / integer → 400 `invalid` naming the
 *   parameter; pageSize outside its documented range → 400 `invalid` ("Invalid Value").
 */

import { DriveError, invalidValue, requiredParameter } from './errors.ts';

export type Query = Readonly<Record<string, string | string[] | undefined>>;

const SYSTEM = ['fields', 'alt', 'key', 'prettyPrint', 'quotaUser', 'access_token', 'oauth_token', 'callback', 'upload_protocol', 'uploadType', '$.xgafv', 'userIp'];

export class Params {
  constructor(private readonly q: Query, allowed: readonly string[]) {
    for (const k of Object.keys(q)) {
      if (!allowed.includes(k) && !SYSTEM.includes(k)) {
        throw new DriveError(400, 'invalid', `Invalid JSON payload received. Unknown name "${k}": Cannot bind query parameter. Field '${k}' could not be found in request message.`, 'global');
      }
    }
  }

  str(name: string): string | undefined {
    const v = this.q[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw requiredParameter(name);
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidValue(name, `Invalid value '${v}'. Values must match the following regular expression: '(true|false)'`);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw invalidValue(name, `Invalid value '${v}'. Values must match the following regular expression: '-?\\d+'`);
    const n = Number(v);
    if (n < min || n > max) throw invalidValue(name);
    return n;
  }
}

/** Opaque page tokens for files.list / permissions.list / drives.list (offset + a hash of the query). */
export function encodePageToken(offset: number, key: string): string {
  return Buffer.from(JSON.stringify({ o: offset, k: key })).toString('base64url');
}

export function decodePageToken(token: string | undefined, key: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown };
    if (typeof v.o === 'number' && v.k === key) return v.o;
  } catch {
    // falls through to Google's answer
  }
  throw invalidValue('pageToken');
}
