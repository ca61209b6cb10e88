/**
 * GitHub's error bodies and the `Link` pagination header.
 *
 * Sources:
 * - https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api and the
 *   documented client errors (https://docs.github.com/rest/overview/resources-in-the-rest-api#client-errors):
 *   `{"message": "...", "documentation_url": "..."}`; current responses also carry `status` as a
 *   string (`"status": "401"`). 401 `Bad credentials`; 404 `Not Found` for what the token may
 *   not see ("404 Not Found for an existing resource" — private resources are hidden);
 *   400 `Problems parsing JSON`; 422 `Validation Failed` with `errors: [{resource, field, code}]`
 *   (codes `missing`, `missing_field`, `invalid`, `already_exists`, `unprocessable`).
 * - 301 for a renamed repository or a transferred issue
 *   (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#follow-redirects):
 *   body `{"message":"Moved Permanently","url":"<new>","documentation_url":"https://docs.github.com/v3/#http-redirects"}`.
 * - Pagination: https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api
 *   — `link: <…?page=2>; rel="prev", <…?page=4>; rel="next", <…?page=515>; rel="last",
 *   <…?page=1>; rel="first"` (that order; prev/first only past page 1, next/last only before the
 *   last page), URLs on `/repositories/{id}/…` as in the documented example, `per_page` ≤ 100.
 */

export const DOCS = 'https://docs.github.com/rest';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly errors?: readonly Record<string, unknown>[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { message: this.message, ...(this.errors ? { errors: this.errors } : {}), documentation_url: this.documentationUrl, status: String(this.status) };
  }
}

export const badCredentials = (): ApiError => new ApiError(401, 'Bad credentials');
export const notFound = (docs: string = DOCS): ApiError => new ApiError(404, 'Not Found', docs);
export const gone = (docs: string = DOCS): ApiError => new ApiError(410, 'This issue was deleted', docs);
export const invalid = (resource: string, field: string, value: unknown, docs: string = DOCS): ApiError =>
  new ApiError(422, 'Validation Failed', docs, [{ value, resource, field, code: 'invalid' }]);

export class Redirect {
  constructor(readonly location: string) {}
}

/** `page`/`per_page` as GitHub reads them: per_page defaults to 30 and is capped at 100. */
export function pageParams(query: Record<string, string | undefined>, defaultPerPage = 30, maxPerPage = 100): { page: number; perPage: number } {
  const perPage = Number.parseInt(query['per_page'] ?? '', 10);
  const page = Number.parseInt(query['page'] ?? '', 10);
  return {
    perPage: Number.isFinite(perPage) && perPage > 0 ? Math.min(perPage, maxPerPage) : defaultPerPage,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** The `Link` header for page `page` of `lastPage`, on `url` (its query kept, `page` replaced). */
export function linkHeader(url: URL, page: number, lastPage: number): string | undefined {
  const at = (p: number): string => {
    const u = new URL(url);
    u.searchParams.delete('page');
    u.searchParams.append('page', String(p));
    return `<${u.toString()}>`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`${at(Math.min(page - 1, Math.max(lastPage, 1)))}; rel="prev"`);
  if (page < lastPage) parts.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) parts.push(`${at(1)}; rel="first"`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
