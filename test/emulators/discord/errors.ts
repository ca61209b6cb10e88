/**
 * Discord's JSON error bodies: `{ "message": ..., "code": ... }` (+ `errors` for 50035).
 *
 * Sources: https://discord.com/developers/docs/topics/opcodes-and-status-codes#json (codes);
 * the exact `message` strings are those Discord sends, as captured in public code and issues:
 * `{"message": "401: Unauthorized", "code": 0}`, `{"message": "Missing Access", "code": 50001}`
 * (discord/discord-api-docs#7399), `{"message": "Unknown Message", "code": 10008}`; the 50035 shape
 * `{"code": 50035, "errors": {"limit": {"_errors": [{"code": "NUMBER_TYPE_MAX", "message": "int value
 * should be less than or equal to 100."}]}}, "message": "Invalid Form Body"}` is a captured answer
 * to `limit=101` (Merubokkusu/Discord-S.C.U.M#189).
 */

import { RESTJSONErrorCodes, type RESTError, type RESTErrorData } from 'discord-api-types/v10';

export class DiscordHttpError extends Error {
  constructor(readonly status: number, readonly body: RESTError) {
    super(body.message);
  }
}

const fail = (status: number, code: number, message: string): DiscordHttpError => new DiscordHttpError(status, { message, code });

export const unauthorized = (): DiscordHttpError => fail(401, RESTJSONErrorCodes.GeneralError, '401: Unauthorized');
export const notFound = (): DiscordHttpError => fail(404, RESTJSONErrorCodes.GeneralError, '404: Not Found');
export const methodNotAllowed = (): DiscordHttpError => fail(405, RESTJSONErrorCodes.GeneralError, '405: Method Not Allowed');
export const unknownChannel = (): DiscordHttpError => fail(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
export const unknownGuild = (): DiscordHttpError => fail(404, RESTJSONErrorCodes.UnknownGuild, 'Unknown Guild');
export const unknownMember = (): DiscordHttpError => fail(404, RESTJSONErrorCodes.UnknownMember, 'Unknown Member');
export const unknownMessage = (): DiscordHttpError => fail(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
export const unknownUser = (): DiscordHttpError => fail(404, RESTJSONErrorCodes.UnknownUser, 'Unknown User');
export const missingAccess = (): DiscordHttpError => fail(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
export const missingPermissions = (): DiscordHttpError => fail(403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions');
export const wrongChannelType = (): DiscordHttpError => fail(400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType, 'Cannot execute action on this channel type');

/** 400 Invalid Form Body with one field error, as Discord nests it. */
export function invalidFormBody(field: string, code: string, message: string): DiscordHttpError {
  const errors: RESTErrorData = { [field]: { _errors: [{ code, message }] } };
  return new DiscordHttpError(400, { code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, errors, message: 'Invalid Form Body' });
}

/** Reads an integer query parameter in [min, max] the way Discord validates it. */
export function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalidFormBody(name, 'NUMBER_TYPE_COERCE', `Value "${raw}" is not int.`);
  const value = Number(raw);
  if (value < min) throw invalidFormBody(name, 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${min}.`);
  if (value > max) throw invalidFormBody(name, 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`);
  return value;
}

export function snowflakeParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,20}$/.test(raw)) throw invalidFormBody(name, 'NUMBER_TYPE_COERCE', `Value "${raw}" is not snowflake.`);
  return raw;
}
