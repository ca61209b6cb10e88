/**
 * Request URLs of the kit's HTTP client: paths under the base URL, `next` links on the same
 * origin only (a source's credentials never go to a host a response pointed at), query values.
 */
import { TributaryError } from '../../core/errors.ts';

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

/** The base URL plus `path` (or `path` itself when it is an absolute URL on the same origin, e.g. a `next` link). */
export function requestUrl(sourceId: string, base: URL, path: string, query: Readonly<Record<string, QueryValue>> | undefined): URL {
  let url: URL;
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
    // Never send the source's credentials to another host a response pointed at.
    if (url.origin !== base.origin) {
      throw new TributaryError(`source "${sourceId}": refusing to send a request to ${url.origin}, outside the base URL's origin ${base.origin}`, { context: { sourceId } });
    }
  } else {
    url = new URL(base.href);
    const [pathPart, search] = splitOnce(path, '?');
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}`;
    if (search !== undefined) url.search = search;
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
    else url.searchParams.set(key, String(value));
  }
  return url;
}

/** The path of a request as messages show it: never the query string (it may carry a token). */
export function pathOnly(path: string): string {
  try {
    return /^https?:\/\//i.test(path) ? new URL(path).pathname : splitOnce(path, '?')[0];
  } catch {
    return path;
  }
}

export function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
