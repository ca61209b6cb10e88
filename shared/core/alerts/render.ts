import type { AlertMessage } from '../../ports/index.ts';

/** Slack's limit on a section block's text. */
const SLACK_TEXT_LIMIT = 3000;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const stamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const duration = (ms: number): string => {
  const min = Math.max(0, Math.round(ms / 60_000));
  return min < 90 ? `${min} min` : `${(min / 60).toFixed(1)} h`;
};

/** The lines every rendering shares: what, the error, the fix, since when. */
export function alertLines(message: AlertMessage): { headline: string; details: Array<[label: string, text: string]> } {
  const headline = message.state === 'firing' ? `Tributary: ${message.title}` : `Tributary: recovered — ${message.title}`;
  const details: Array<[string, string]> = [['Source', message.sourceId]];
  if (message.error !== undefined) details.push(['Error', message.error]);
  if (message.fix !== undefined) details.push(['Fix', message.fix]);
  if (message.since !== undefined) details.push(['Open', `since ${stamp(message.since)} (${duration(message.at - message.since)})`]);
  details.push(['At', stamp(message.at)]);
  return { headline, details };
}

/** Slack's `mrkdwn` needs &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
const escapeSlack = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * An incoming-webhook payload (https://api.slack.com/messaging/webhooks): `text` is the
 * notification's fallback, `blocks` what the channel shows.
 */
export function slackPayload(message: AlertMessage): { text: string; blocks: unknown[] } {
  const { headline, details } = alertLines(message);
  const icon = message.state === 'firing' ? ':rotating_light:' : ':white_check_mark:';
  const body = details.map(([label, text]) => `*${label}:* ${label === 'Fix' || label === 'Error' ? escapeSlack(text) : `\`${escapeSlack(text)}\``}`).join('\n');
  return {
    text: `${icon} ${escapeSlack(headline)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`${icon} *${escapeSlack(headline)}*`, SLACK_TEXT_LIMIT) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(body, SLACK_TEXT_LIMIT) } },
    ],
  };
}

/** An e-mail's subject and plain-text body. */
export function emailContent(message: AlertMessage): { subject: string; text: string } {
  const { headline, details } = alertLines(message);
  const subject = `[Tributary] ${message.sourceId}: ${message.state === 'firing' ? message.condition : `recovered (${message.condition})`}`;
  return { subject, text: [headline, '', ...details.map(([label, text]) => `${label}: ${text}`), ''].join('\n') };
}
