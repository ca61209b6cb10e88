/**
 * Tempo's error answers.
 *
 * Sources:
 * - https://apidocs.tempo.io/ ("Errors", OpenAPI document v4.0 as published; a copy is kept in
 *   github.com/chrischall/tempo-api-mcp tempo-openapi.yaml): 400 Bad Request and 404 Not Found are
 *   `application/json`, 401 Unauthorized and 403 Forbidden are `text/html`. The body schema
 *   `ErrorBean` is `{errors: [{message}]}` (an array of `Message`). The prose of the same page
 *   prints `{"errors": {"message": …}}` (an object): the two disagree; the emulator follows the
 *   schema, which is also what the papertrail endpoints declare for their 400.
 * - Example messages, from the same page: "'date' must be valid on the format: 'yyyy-MM-dd'",
 *   "Account 'xyz' not found". Other wordings below follow those two patterns; the exact texts
 *   for other parameters are not published.
 * - 429: the gateway answers 429 (https://apidocs.tempo.io/ "Rate limiting"). Neither a body nor a
 *   Retry-After header is documented. The gateway limit is described in nginx terms ("5r/s … by
 *   memory zone of 10mb", Tempo KB "Best Practices for Tempo Cloud REST API"), so the body is
 *   nginx's stock 429 page. A Retry-After header is sent only when a test asks for one.
 */

export interface TempoAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';
const HTML_TYPE = 'text/html;charset=UTF-8';

/** The `ErrorBean` body. */
export const errorBody = (...messages: string[]): { errors: { message: string }[] } => ({ errors: messages.map((message) => ({ message })) });

export class TempoError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }

  answer(): TempoAnswer {
    return { status: this.status, contentType: JSON_TYPE, body: JSON.stringify(errorBody(this.message)) };
  }
}

export const badRequest = (message: string): TempoError => new TempoError(400, message);
export const notFound = (message: string): TempoError => new TempoError(404, message);
export const dateFormat = (name: string): TempoError => badRequest(`'${name}' must be valid on the format: 'yyyy-MM-dd'`);

const html = (status: number, title: string): TempoAnswer => ({
  status, contentType: HTML_TYPE,
  body: `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
});

export const unauthorized = (): TempoAnswer => html(401, 'Unauthorized');
export const forbidden = (): TempoAnswer => html(403, 'Forbidden');

export function tooManyRequests(retryAfterSeconds: number | undefined): TempoAnswer {
  const page = html(429, 'Too Many Requests');
  const body = page.body.replace('</center>\r\n</body>', '</center>\r\n<hr><center>nginx</center>\r\n</body>');
  return { ...page, body, ...(retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {}) };
}

/** An injected failure (fault injection): 5xx bodies in the documented JSON shape. */
export const injected = (status: number): TempoAnswer => ({
  status, contentType: JSON_TYPE, body: JSON.stringify(errorBody(status >= 500 ? 'Internal server error' : `HTTP ${status}`)),
});
