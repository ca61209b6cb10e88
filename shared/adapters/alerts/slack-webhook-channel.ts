import { slackPayload } from '../../core/alerts/render.ts';
import { TransientError } from '../../core/errors.ts';
import type { AlertChannel, AlertMessage } from '../../ports/index.ts';

/** How long one post may take before it counts as failed (Slack answers in well under a second). */
const POST_TIMEOUT_MS = 10_000;

/**
 * Posts alerts to a Slack incoming webhook: an HTTPS POST of JSON `text` (the notification)
 * and `blocks` (what the channel shows); Slack answers 200 `ok`, or 4xx with a reason such as
 * `invalid_token` or `channel_is_archived`.
 */
export class SlackWebhookChannel implements AlertChannel {
  readonly name = 'slack';

  constructor(private readonly url: string, private readonly fetchImpl: typeof fetch = fetch) {}

  async send(message: AlertMessage): Promise<void> {
    const response = await this.fetchImpl(this.url, {
      method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(slackPayload(message)), signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    if (!response.ok) {
      const said = (await response.text().catch(() => '')).slice(0, 200);
      // Never the URL in the message: it is the secret.
      throw new TransientError(`the Slack incoming webhook answered ${response.status}${said ? ` ${said}` : ''}`);
    }
  }
}
