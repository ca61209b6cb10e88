/**
 * Who may see a meeting, as Tributary principals (docs/connectors.md §1.2), from its privacy
 * level (https://docs.fireflies.ai/schema/enum/meeting-privacy) and its shares
 * (https://docs.fireflies.ai/schema/shared-with):
 *
 * | privacy | principals |
 * |---|---|
 * | `owner` | the organizer |
 * | `participants` | the organizer and every participant and attendee |
 * | `participatingteammates` | the organizer and the participants who are teammates (`workspace_users`) |
 * | `teammates` | the organizer and `group:<team>` |
 * | `teammatesandparticipants` | the organizer, `group:<team>` and every participant and attendee |
 * | `link` | `public` (anyone with the link may open it), or as `teammatesandparticipants` with `linkAccess` |
 * | anything else | the organizer (an unknown level narrows access, never widens it) |
 *
 * Plus everyone a share names whose expiry has not passed. People are `user:<e-mail, lower
 * case>`: Fireflies names participants by address, and external ones have no other id.
 */

export interface AccessSettings {
  /** `group:<team>` stands for the teammates. */
  readonly team: string;
  readonly linkAccess: 'public' | 'teammatesandparticipants';
  /** Shares expiring at or before this are left out. */
  readonly nowMs: number;
}

/** The fields of a transcript access is made of. */
export interface AccessFields {
  readonly organizer_email?: string | null | undefined;
  readonly participants?: ReadonlyArray<string | null | undefined> | null | undefined;
  readonly meeting_attendees?: ReadonlyArray<{ readonly email?: string | null | undefined } | null | undefined> | null | undefined;
  readonly workspace_users?: ReadonlyArray<string | null | undefined> | null | undefined;
  readonly privacy?: string | null | undefined;
  readonly shared_with?: ReadonlyArray<{ readonly email?: string | null | undefined; readonly expires_at?: number | null | undefined } | null | undefined> | null | undefined;
}

const EMAIL = /^[^\s,@<>"]+@[^\s,@<>"]+$/;

/** The addresses in a Fireflies e-mail field, lower case (a field may hold several, comma-separated). */
export function emailsIn(value: string | null | undefined): string[] {
  if (!value) return [];
  return value.split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter((e) => EMAIL.test(e));
}

/** Every participant's and attendee's address, lower case, sorted, once each. */
export function participantEmails(meeting: AccessFields): string[] {
  const all = [
    ...(meeting.participants ?? []).flatMap((p) => emailsIn(p)),
    ...(meeting.meeting_attendees ?? []).flatMap((a) => emailsIn(a?.email)),
  ];
  return [...new Set(all)].sort();
}

/** The principals that may see the meeting, sorted, once each. */
export function meetingAccess(meeting: AccessFields, settings: AccessSettings): string[] {
  const principals = new Set<string>();
  const people = (emails: readonly string[]): void => {
    for (const email of emails) principals.add(`user:${email}`);
  };
  const team = (): void => {
    principals.add(`group:${settings.team}`);
  };
  people(emailsIn(meeting.organizer_email));
  const privacy = meeting.privacy === 'link' && settings.linkAccess === 'teammatesandparticipants' ? 'teammatesandparticipants' : meeting.privacy;
  switch (privacy) {
    case 'link':
      principals.add('public');
      break;
    case 'participants':
      people(participantEmails(meeting));
      break;
    case 'participatingteammates':
      people((meeting.workspace_users ?? []).flatMap((u) => emailsIn(u)));
      break;
    case 'teammates':
      team();
      break;
    case 'teammatesandparticipants':
      team();
      people(participantEmails(meeting));
      break;
    default:
      // `owner`, or a level this connector does not know: the organizer alone.
      break;
  }
  for (const share of meeting.shared_with ?? []) {
    if (!share || (share.expires_at !== null && share.expires_at !== undefined && share.expires_at <= settings.nowMs)) continue;
    people(emailsIn(share.email));
  }
  return [...principals].sort();
}
