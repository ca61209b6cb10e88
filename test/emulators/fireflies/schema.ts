/**
 * The part of Fireflies' GraphQL schema the emulator serves, as SDL, so that a client's document
 * is parsed and validated the way api.fireflies.ai validates it: an unknown field or argument, a
 * wrong variable type or a missing required argument is a GRAPHQL_VALIDATION_FAILED error before
 * anything runs.
 *
 * Sources (docs.fireflies.ai, copy of 2026-04-16 unless noted; "live" = a third party's live
 * introspection of 2026-08-05, magnus919/agent-skills fireflies/references/api-reference.md and
 * issue #289, which wins where it contradicts the docs):
 * - Query.transcripts arguments: /graphql-api/query/transcripts — title (deprecated), keyword,
 *   scope, fromDate/toDate DateTime, date Float (deprecated), limit Int ("Maximum 50"), skip Int,
 *   host_email, organizer_email (deprecated), participant_email (deprecated), user_id, mine,
 *   organizers/participants [String] (live: `[String!]`), channel_id. Deprecations:
 *   /additional-info/deprecated. `scope`: the docs name a TranscriptsQueryScope enum, live it is
 *   a plain String ("Unknown type TranscriptsQueryScope", magnus919/agent-skills issue #289).
 * - Query.transcript(id: String!), Query.user(id: String) (id optional: the key's owner),
 *   Query.users: /graphql-api/query/transcript, /user, /users.
 * - Transcript: /schema/transcript (+ `privacy` from /schema/enum/meeting-privacy, `sentences`
 *   and `apps_preview` as every query example spells them; the schema page says `sentence` and
 *   `apps`). host_email is deprecated ("Use organizer_email instead").
 * - Sentence: /schema/sentence. The page types start_time/end_time as String; the official Node
 *   SDK (firefliesai/fireflies-node-sdk src/types.ts) types them `number`, the realtime event and
 *   Bite captions document Float: Float here. speaker_id is ID (serialises as a string) while
 *   Speaker.id is "number" (/schema/speaker): Int here, so a client that joins them with `===`
 *   fails in the emulator as it may in production.
 * - Summary: /schema/summary. keywords is a list in a captured payload (@pipedream/fireflies
 *   sources/new-meeting-created/test-event.mjs: `"keywords": []`, `"action_items": ""`), so
 *   keywords, topics_discussed and transcript_chapters are [String], the rest String.
 * - MeetingAttendee {displayName, email, phoneNumber, name, location (deprecated)}:
 *   /schema/meeting-attendee. MeetingInfo {fred_joined, silent_meeting, summary_status}:
 *   /schema/meeting-info; SummaryStatus values processing, processed, failed, skipped (+ default
 *   in @firefliesai/api-sdk 1.0.0 dist/index.mjs). AIFilter: /schema/aifilter. SharedWith:
 *   /schema/shared-with. MeetingPrivacy: /schema/enum/meeting-privacy (values without
 *   underscores; /schema/active-meeting spells two of them with underscores).
 * - User: /schema/user; UserGroup/UserGroupMember: /schema/user-groups, /schema/user-group-member.
 * - Mutations: deleteTranscript(id: String!): Transcript (/graphql-api/mutation/delete-transcript),
 *   updateMeetingTitle(input: UpdateMeetingTitleInput!) {id, title}, updateMeetingPrivacy(input:
 *   UpdateMeetingPrivacyInput!) {id, privacy: String}, setUserRole(user_id: String!, role: Role!):
 *   User with Role {admin, user} (/graphql-api/mutation/*, /schema/input/*).
 */

import { buildSchema, GraphQLScalarType, Kind, type GraphQLSchema } from 'graphql';

export const SDL = /* GraphQL */ `
  scalar DateTime

  type Query {
    transcripts(
      title: String @deprecated(reason: "Use keyword and scope instead of title")
      keyword: String
      scope: String
      fromDate: DateTime
      toDate: DateTime
      date: Float @deprecated(reason: "Use fromDate and toDate to query a time range")
      limit: Int
      skip: Int
      host_email: String
      organizer_email: String @deprecated(reason: "Use the organizers array field")
      participant_email: String @deprecated(reason: "Use the participants array field")
      user_id: String
      mine: Boolean
      organizers: [String!]
      participants: [String!]
      channel_id: String
    ): [Transcript]
    transcript(id: String!): Transcript
    user(id: String): User
    users: [User]
  }

  type Mutation {
    deleteTranscript(id: String!): Transcript
    updateMeetingTitle(input: UpdateMeetingTitleInput!): Transcript
    updateMeetingPrivacy(input: UpdateMeetingPrivacyInput!): Transcript
    setUserRole(user_id: String!, role: Role!): User
  }

  input UpdateMeetingTitleInput {
    id: String!
    title: String!
  }

  input UpdateMeetingPrivacyInput {
    id: String!
    privacy: String!
  }

  enum Role {
    admin
    user
  }

  enum MeetingPrivacy {
    link
    owner
    participants
    participatingteammates
    teammatesandparticipants
    teammates
  }

  enum SummaryStatus {
    default
    processing
    processed
    failed
    skipped
  }

  type Transcript {
    id: ID
    title: String
    host_email: String @deprecated(reason: "Use organizer_email instead")
    organizer_email: String
    user: User
    speakers: [Speaker]
    transcript_url: String
    participants: [String]
    meeting_attendees: [MeetingAttendee]
    meeting_attendance: [MeetingAttendance]
    fireflies_users: [String]
    workspace_users: [String]
    duration: Float
    dateString: DateTime
    date: Float
    audio_url: String
    video_url: String
    sentences: [Sentence]
    calendar_id: String
    summary: Summary
    meeting_info: MeetingInfo
    cal_id: String
    calendar_type: String
    apps_preview: Apps
    meeting_link: String
    analytics: MeetingAnalytics
    channels: [Channel]
    shared_with: [SharedWith]
    is_live: Boolean
    privacy: MeetingPrivacy
  }

  type Speaker {
    id: Int
    name: String
  }

  type Sentence {
    index: Int
    text: String
    raw_text: String
    start_time: Float
    end_time: Float
    speaker_id: ID
    speaker_name: String
    ai_filters: AIFilter
  }

  type AIFilter {
    task: String
    pricing: String
    metric: String
    question: String
    date_and_time: String
    text_cleanup: String
    sentiment: String
  }

  type MeetingAttendee {
    displayName: String
    email: String
    phoneNumber: String
    name: String
    location: String @deprecated(reason: "Deprecated field")
  }

  type MeetingAttendance {
    name: String
    join_time: String
    leave_time: String
  }

  type Summary {
    action_items: String
    keywords: [String]
    outline: String
    overview: String
    shorthand_bullet: String
    notes: String
    gist: String
    bullet_gist: String
    short_summary: String
    short_overview: String
    meeting_type: String
    topics_discussed: [String]
    transcript_chapters: [String]
    extended_sections: [SummarySection]
  }

  type SummarySection {
    title: String
    content: String
  }

  type MeetingInfo {
    fred_joined: Boolean
    silent_meeting: Boolean
    summary_status: SummaryStatus
  }

  type Apps {
    outputs: [AppOutput]
  }

  type AppOutput {
    transcript_id: String
    user_id: String
    app_id: String
    created_at: Float
    title: String
    prompt: String
    response: String
  }

  type MeetingAnalytics {
    sentiments: Sentiments
    categories: AnalyticsCategories
    speakers: [SpeakerAnalytics]
  }

  type Sentiments {
    negative_pct: Float
    neutral_pct: Float
    positive_pct: Float
  }

  type AnalyticsCategories {
    questions: Int
    date_times: Int
    metrics: Int
    tasks: Int
  }

  type SpeakerAnalytics {
    speaker_id: Int
    name: String
    duration: Float
    word_count: Int
    longest_monologue: Float
    monologues_count: Int
    filler_words: Int
    questions: Int
    duration_pct: Float
    words_per_minute: Float
  }

  type Channel {
    id: ID
    title: String
    is_private: Boolean
    created_at: String
    updated_at: String
    created_by: String
    members: [ChannelMember]
  }

  type ChannelMember {
    user_id: String
    email: String
    name: String
  }

  type SharedWith {
    email: String
    name: String
    photo_url: String
    expires_at: String
  }

  type User {
    user_id: String
    user_groups: [UserGroup]
    email: String
    name: String
    num_transcripts: Int
    recent_transcript: String
    recent_meeting: String
    minutes_consumed: Int
    is_admin: Boolean
    integrations: [String]
    is_calendar_in_sync: Boolean
  }

  type UserGroup {
    id: String
    name: String
    handle: String
    members: [UserGroupMember]
  }

  type UserGroupMember {
    user_id: String
    first_name: String
    last_name: String
    email: String
  }
`;

/**
 * DateTime: ISO 8601 strings ("YYYY-MM-DDTHH:mm.sssZ", /graphql-api/query/transcripts). Input is
 * passed through as the string the client sent, so that the resolver can answer an unparseable
 * date the way the docs show it — `invalid_arguments` with "fromDate must be a Date instance"
 * (/miscellaneous/error-codes) — instead of a generic coercion error.
 */
const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new TypeError('DateTime must be an ISO 8601 string');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be an ISO 8601 string');
    return ast.value;
  },
});

let cached: GraphQLSchema | undefined;

export function firefliesSchema(): GraphQLSchema {
  if (cached) return cached;
  const schema = buildSchema(SDL);
  const scalar = schema.getType('DateTime') as GraphQLScalarType;
  Object.assign(scalar, { serialize: DateTime.serialize, parseValue: DateTime.parseValue, parseLiteral: DateTime.parseLiteral });
  cached = schema;
  return schema;
}
