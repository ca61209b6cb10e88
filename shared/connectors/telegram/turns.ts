/**
 * One Telegram message as one conversation turn, `Author: text [media]`, rendered the same way
 * whether the message came from MTProto (./gramjs-messages.ts) or from a Telegram Desktop export
 * (./export-messages.ts): both reduce a message to these parts first, so an imported day and the
 * same day read later through MTProto have the same text and reuse each other's embeddings.
 *
 * - The text is the raw text (GramJS `message.message`, not `message.text`, which a real
 *   client renders as Markdown); a hidden link (`text_link`) becomes `label (url)`.
 * - Media is a marker: `[photo]`, `[sticker 👍]`, `[voice message]`, `[video message]`,
 *   `[file: spec.pdf]`, `[poll: question]`; media without text is still a turn.
 * - A forward starts `(forwarded from <name>)`.
 */

import { TURN_SEPARATOR } from '../../core/chunker.ts';

/** A hidden link: a span of the text (UTF-16 offsets, as both APIs count) pointing at `url`. */
export interface TextLink {
  readonly offset: number;
  readonly length: number;
  readonly url: string;
}

export type MediaKind = 'photo' | 'sticker' | 'voice' | 'video-message' | 'file' | 'poll';

export interface TurnParts {
  readonly author: string;
  readonly text: string;
  readonly links?: readonly TextLink[];
  readonly media?: { readonly kind: MediaKind; readonly detail?: string | undefined } | undefined;
  readonly forwardedFrom?: string | undefined;
}

/** Shown for a sender Telegram no longer names (a deleted account, an export's `from: null`). */
export const UNNAMED = 'Deleted Account';

/** The raw text with each hidden link's URL after its label. */
export function expandLinks(text: string, links: readonly TextLink[] = []): string {
  let out = '';
  let at = 0;
  for (const link of [...links].sort((a, b) => a.offset - b.offset)) {
    if (link.offset < at || link.url === '') continue;
    const end = link.offset + link.length;
    const label = text.slice(link.offset, end);
    out += text.slice(at, end);
    if (label.trim() !== link.url) out += ` (${link.url})`;
    at = end;
  }
  return out + text.slice(at);
}

export function mediaMarker(media: NonNullable<TurnParts['media']>): string {
  const detail = media.detail?.trim();
  switch (media.kind) {
    case 'photo': return '[photo]';
    case 'sticker': return detail ? `[sticker ${detail}]` : '[sticker]';
    case 'voice': return '[voice message]';
    case 'video-message': return '[video message]';
    case 'file': return detail ? `[file: ${detail}]` : '[file]';
    case 'poll': return detail ? `[poll: ${detail}]` : '[poll]';
  }
}

/** The turn, or undefined when the message has neither text nor media (nothing to index). */
export function renderTurn(parts: TurnParts): string | undefined {
  const text = expandLinks(parts.text, parts.links).trim();
  const body = [
    parts.forwardedFrom !== undefined ? `(forwarded from ${parts.forwardedFrom || UNNAMED})` : '',
    text,
    parts.media ? mediaMarker(parts.media) : '',
  ].filter((p) => p !== '').join(' ');
  if (text === '' && !parts.media) return undefined;
  // The separator delimits turns: never inside one.
  return `${parts.author.trim() || UNNAMED}: ${body}`.split(TURN_SEPARATOR).join(' ');
}

/** A person's display name as both APIs give it: first and last name. */
export function personName(first: string | undefined | null, last: string | undefined | null): string {
  return [first ?? '', last ?? ''].map((s) => s.trim()).filter((s) => s !== '').join(' ') || UNNAMED;
}

/** A post's author: the chat's title, and the admin's signature when the chat shows signatures. */
export function chatAuthor(title: string | undefined | null, signature: string | undefined | null): string {
  const name = title?.trim() || UNNAMED;
  return signature?.trim() ? `${name} (${signature.trim()})` : name;
}
