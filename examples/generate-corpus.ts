/**
 * Deterministic, seedable generator of the "Acme Handbook" demo corpus: the internal knowledge base of a fictional
 * company (runbooks, policies, onboarding guides, API notes, meeting notes, product specs, FAQs, postmortems and
 * glossary entries), used to demonstrate Tributary.
 *
 * All text is composed from the templates and vocabularies in this file, so the output is original, yet it reads
 * like a real handbook and is topical enough for lexical and semantic search demos. The generator is pure: the same
 * options always yield byte-identical documents. It never calls Math.random.
 *
 *   tsx examples/generate-corpus.ts --out examples/corpus --count 300 --seed 42
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CorpusOptions {
  count: number;
  seed: number;
}

export interface GeneratedDoc {
  /** Relative POSIX path ending in `.md`, e.g. `engineering/runbooks/rotate-database-credentials.md`. */
  path: string;
  text: string;
}

// ------------------------------------------------------------------------------------------------ randomness

/** mulberry32: a tiny 32-bit PRNG. Plenty for text generation, and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent 32-bit seed for one stream (murmur3 finalizer over seed and stream number). */
function deriveSeed(seed: number, stream: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`index ${index} is out of range for a list of ${items.length}`);
  return item;
}

/** Seeded random choices over mulberry32 (the generator, the benchmark and the chaos tests use it). */
export class Rng {
  private readonly source: () => number;

  constructor(seed: number) {
    this.source = mulberry32(seed);
  }

  float(): number {
    return this.source();
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.source() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.source() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.source() * items.length));
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.source() * (i + 1));
      const tmp = at(copy, i);
      copy[i] = at(copy, j);
      copy[j] = tmp;
    }
    return copy;
  }

  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, n));
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let r = this.source() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    return at(entries, entries.length - 1)[0];
  }
}

// ------------------------------------------------------------------------------------------------ text helpers

/** Counts whitespace-separated tokens that contain at least one letter or digit (so Markdown syntax is ignored). */
export function countWords(text: string): number {
  let words = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) words++;
  return words;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const DAY_MS = 86_400_000;
const EPOCH_MS = Date.UTC(2023, 0, 2);

/** A weekday between 2023-01-02 and the end of 2024, as YYYY-MM-DD. */
function workday(rng: Rng): string {
  const date = new Date(EPOCH_MS + rng.int(0, 727) * DAY_MS);
  const weekday = date.getUTCDay();
  const shift = weekday === 6 ? 2 : weekday === 0 ? 1 : 0;
  return new Date(date.getTime() + shift * DAY_MS).toISOString().slice(0, 10);
}

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

class Markdown {
  private readonly blocks: string[] = [];
  private wordCount = 0;

  get words(): number {
    return this.wordCount;
  }

  private push(block: string): void {
    this.blocks.push(block);
    this.wordCount += countWords(block);
  }

  h1(text: string): void {
    this.push(`# ${text}`);
  }

  h2(text: string): void {
    this.push(`## ${text}`);
  }

  h3(text: string): void {
    this.push(`### ${text}`);
  }

  para(text: string): void {
    this.push(text);
  }

  quote(text: string): void {
    this.push(`> ${text}`);
  }

  bullets(items: readonly string[]): void {
    if (items.length > 0) this.push(items.map((item) => `- ${item}`).join('\n'));
  }

  numbered(items: readonly string[]): void {
    if (items.length > 0) this.push(items.map((item, i) => `${i + 1}. ${item}`).join('\n'));
  }

  checklist(items: readonly string[]): void {
    if (items.length > 0) this.push(items.map((item) => `- [ ] ${item}`).join('\n'));
  }

  code(lang: string, lines: readonly string[]): void {
    this.push(['```' + lang, ...lines, '```'].join('\n'));
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
    this.push([line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n'));
  }

  toString(): string {
    return `${this.blocks.join('\n\n')}\n`;
  }
}

// ------------------------------------------------------------------------------------------------ vocabulary

type Domain = 'eng' | 'security' | 'people' | 'finance' | 'product' | 'support';
type Vars = Readonly<Record<string, string>>;

interface Service {
  readonly id: string;
  readonly name: string;
  readonly team: string;
}

const SERVICES: readonly Service[] = [
  { id: 'ledger-api', name: 'Ledger API', team: 'Payments' },
  { id: 'billing-gateway', name: 'Billing Gateway', team: 'Payments' },
  { id: 'invoice-renderer', name: 'Invoice Renderer', team: 'Payments' },
  { id: 'tax-calculator', name: 'Tax Calculator', team: 'Payments' },
  { id: 'fraud-scorer', name: 'Fraud Scorer', team: 'Payments' },
  { id: 'usage-meter', name: 'Usage Meter', team: 'Payments' },
  { id: 'checkout-web', name: 'Checkout Web', team: 'Growth' },
  { id: 'customer-profile', name: 'Customer Profile', team: 'Growth' },
  { id: 'auth-service', name: 'Auth Service', team: 'Identity' },
  { id: 'identity-proxy', name: 'Identity Proxy', team: 'Identity' },
  { id: 'sso-bridge', name: 'SSO Bridge', team: 'Identity' },
  { id: 'notification-hub', name: 'Notification Hub', team: 'Platform' },
  { id: 'email-dispatcher', name: 'Email Dispatcher', team: 'Platform' },
  { id: 'webhook-relay', name: 'Webhook Relay', team: 'Platform' },
  { id: 'file-store', name: 'File Store', team: 'Platform' },
  { id: 'media-transcoder', name: 'Media Transcoder', team: 'Platform' },
  { id: 'scheduler', name: 'Scheduler', team: 'Platform' },
  { id: 'search-api', name: 'Search API', team: 'Search Relevance' },
  { id: 'embedding-worker', name: 'Embedding Worker', team: 'Search Relevance' },
  { id: 'vector-indexer', name: 'Vector Indexer', team: 'Search Relevance' },
  { id: 'ingest-pipeline', name: 'Ingest Pipeline', team: 'Data Infrastructure' },
  { id: 'event-bus', name: 'Event Bus', team: 'Data Infrastructure' },
  { id: 'warehouse-loader', name: 'Warehouse Loader', team: 'Data Infrastructure' },
  { id: 'export-service', name: 'Export Service', team: 'Data Infrastructure' },
  { id: 'report-builder', name: 'Report Builder', team: 'Analytics' },
  { id: 'feature-flag-service', name: 'Feature Flag Service', team: 'Developer Experience' },
  { id: 'config-service', name: 'Config Service', team: 'Developer Experience' },
  { id: 'admin-console', name: 'Admin Console', team: 'Developer Experience' },
  { id: 'audit-log', name: 'Audit Log', team: 'Security Engineering' },
  { id: 'rate-limiter', name: 'Rate Limiter', team: 'Site Reliability' },
  { id: 'mobile-api', name: 'Mobile API', team: 'Mobile' },
];

function serviceById(id: string): Service {
  const service = SERVICES.find((s) => s.id === id);
  if (service === undefined) throw new Error(`unknown service ${id}`);
  return service;
}

const ENG_TEAMS: readonly string[] = [...new Set(SERVICES.map((s) => s.team))];

const BUSINESS_TEAMS: readonly string[] = [
  'People Operations', 'Finance', 'Legal', 'Customer Support', 'Workplace', 'IT', 'Product Design', 'Sales',
  'Partnerships', 'Revenue Operations',
];

const FIRST_NAMES: readonly string[] = [
  'Priya', 'Marcus', 'Elena', 'Tomasz', 'Aisha', 'Daniel', 'Mei', 'Jonas', 'Fatima', 'Lucas', 'Ingrid', 'Kwame',
  'Sofia', 'Rahul', 'Hannah', 'Diego', 'Yuki', 'Oliver', 'Amara', 'Niko', 'Leila', 'Ben', 'Chioma', 'Felix', 'Rosa',
  'Samir', 'Greta', 'Theo', 'Nadia', 'Omar', 'Clara', 'Viktor', 'Zainab', 'Hugo', 'Anika', 'Mateo', 'Freya', 'Tariq',
  'Lena', 'Raj', 'Imogen', 'Kenji',
];

const LAST_NAMES: readonly string[] = [
  'Raman', 'Okafor', 'Lindqvist', 'Novak', 'Haddad', 'Brennan', 'Tanaka', 'Weber', 'Castillo', 'Moreau', 'Achebe',
  'Kowalski', 'Nakamura', 'Silva', 'Fischer', 'Mensah', 'Patel', 'Reyes', 'Johansson', 'Costa', 'Dubois', 'Kim',
  'Nwosu', 'Varga', 'Ortiz', 'Hughes', 'Bauer', 'Sato', 'Ferreira', 'Adeyemi', 'Larsen', 'Chen', 'Rossi', 'Kaur',
  'Mwangi', 'Abbott', 'Iyer', 'Petrov', 'Quinn', 'Yilmaz', 'Dalton',
];

const PEOPLE: readonly string[] = FIRST_NAMES.map((first, i) => `${first} ${at(LAST_NAMES, (i * 7 + 3) % LAST_NAMES.length)}`);

const METRICS: readonly string[] = [
  'p99 latency', 'p95 latency', 'error rate', 'queue depth', 'consumer lag', 'CPU saturation', 'memory working set',
  'connection pool utilization', 'replication lag', 'cache hit ratio', 'disk usage', 'request throughput',
  '5xx ratio', 'embedding throughput', 'index freshness', 'recall at 10', 'checkout conversion', 'time to first byte',
  'job success rate', 'retry rate', 'dead-letter count', 'GC pause time', 'open file descriptors',
  'token refresh failures', 'webhook delivery rate', 'failed login count',
];

const DATASTORES: readonly string[] = [
  'the PostgreSQL primary', 'the read replicas', 'the Redis cache', 'the Kafka cluster', 'the document store',
  'the ClickHouse warehouse', 'the vector index', 'the object storage buckets', 'the session store',
  'the search cluster', 'the metrics database',
];

const REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ca-central-1'];

const CHANNELS: readonly string[] = [
  '#incidents', '#platform-help', '#payments-eng', '#search-relevance', '#sre', '#security', '#deploys', '#on-call',
  '#data-infra', '#identity-eng', '#dev-experience', '#architecture',
];

const ALERTS: readonly string[] = [
  'HighErrorRate', 'ReplicationLagHigh', 'DiskAlmostFull', 'CertificateExpiringSoon', 'ConsumerLagGrowing',
  'PodCrashLooping', 'LatencySLOBurn', 'QueueDepthHigh', 'IndexFreshnessStale', 'AuthFailuresSpike',
  'ConnectionPoolSaturated', 'WebhookBacklogGrowing',
];

const DASHBOARDS: readonly string[] = [
  'Service Overview', 'Checkout Golden Signals', 'Ingest Pipeline Health', 'Database Fleet', 'Search Quality',
  'Cost Explorer', 'Queue Health', 'Edge Traffic', 'Identity Overview', 'Payments Reliability',
];

const CUSTOMERS: readonly string[] = [
  'Bluefin Logistics', 'Larkspur Health', 'Orchard Lane Foods', 'Meridian Freight', 'Copperleaf Studios',
  'Halcyon Credit Union', 'Tidewater Energy', 'Quillfeather Press', 'Granite Peak Outdoors', 'Sable & Finch Legal',
  'Brightwater Schools', 'Kestrel Aviation Services',
];

const ENG_TOOLS: readonly string[] = [
  'Terraform', 'Argo CD', 'Grafana', 'Prometheus', 'OpenTelemetry', 'kubectl', 'Sentry', 'PgBouncer', 'the acmectl CLI',
  'GitHub Actions', 'k6', 'Helm',
];

const PRODUCT_FEATURES: readonly string[] = [
  'saved searches', 'bulk invoice export', 'usage-based pricing', 'SSO enforcement', 'audit log export',
  'webhook retries', 'multi-currency checkout', 'smart payment reminders', 'team workspaces', 'custom roles',
  'offline mode', 'semantic search', 'document previews', 'scheduled reports', 'spend approval workflows', 'CSV import',
  'API key scopes', 'data residency controls',
];

const MONTHS: readonly string[] = [
  'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November',
  'December',
];

/** Values drawn afresh each time a template mentions them. Per-document values live in the document's vars. */
const POOLS: Readonly<Record<string, readonly string[]>> = {
  service: SERVICES.map((s) => s.id),
  otherService: SERVICES.map((s) => s.id),
  team: ENG_TEAMS,
  otherTeam: ENG_TEAMS,
  businessTeam: BUSINESS_TEAMS,
  person: PEOPLE,
  owner: PEOPLE,
  reviewer: PEOPLE,
  metric: METRICS,
  datastore: DATASTORES,
  region: REGIONS,
  env: ['production', 'staging', 'sandbox'],
  channel: CHANNELS,
  alert: ALERTS,
  dashboard: DASHBOARDS,
  customer: CUSTOMERS,
  tool: ENG_TOOLS,
  feature: PRODUCT_FEATURES,
  pagingTool: ['Switchboard'],
  secretsTool: ['Keyring'],
  deployTool: ['Shipyard'],
  dashboardTool: ['Lookout'],
  expenseTool: ['Tally'],
  hrTool: ['Compass'],
  idp: ['Gatekeeper'],
  helpdesk: ['Harbor'],
  n: ['2', '3', '4', '5', '6'],
  minutes: ['10', '15', '20', '30', '45'],
  ackMinutes: ['5', '10'],
  hours: ['2', '4', '8', '24'],
  days: ['14', '30', '45', '60', '90'],
  percent: ['5%', '10%', '20%', '25%', '50%'],
  slo: ['99.9%', '99.95%', '99.5%', '99.99%'],
  amount: ['$500', '$1,000', '$2,500', '$5,000'],
  bigAmount: ['$10,000', '$25,000', '$50,000'],
  mealLimit: ['$75', '$90', '$100'],
  smallAmount: ['$100', '$150', '$200'],
  internetLimit: ['$50', '$60', '$75'],
  receiptThreshold: ['$25', '$30', '$50'],
  stipend: ['$500', '$750', '$1,000'],
  learningBudget: ['$1,500', '$2,000', '$2,500'],
  quarter: ['Q1', 'Q2', 'Q3', 'Q4'],
  year: ['2023', '2024'],
  version: ['2', '3', '4', '5', '6', '7', '8', '9'],
  role: ['workspace admin', 'finance manager', 'support agent', 'developer', 'auditor', 'team lead', 'account owner'],
};

// ------------------------------------------------------------------------------------------------ prose by domain

const DOMAIN_SENTENCES: Readonly<Record<Domain, readonly string[]>> = {
  eng: [
    'Most of the time {service} runs without intervention, but each failure mode described here has caused at least one page in the last year.',
    'The {team} team owns {service} and reviews changes to it in {channel}.',
    'Dashboards for {service} live in {dashboardTool} under the {dashboard} folder.',
    'Treat {metric} as the primary signal; secondary signals help with diagnosis but rarely justify a page on their own.',
    'Deploys to production go through {deployTool} and require a green build on the main branch.',
    'If you are unsure whether a change is safe, ask in {channel} before running anything against production.',
    'Because {service} calls {otherService} on most requests, an outage there shows up here as elevated {metric}.',
    'We run {n} replicas of {service} in each region and let the autoscaler add more during peak hours.',
    'Logs are retained for {days} days in the central logging cluster and can be searched by request ID.',
    'Every alert should link to a runbook; an alert without a runbook is treated as a bug against the owning team.',
    'Configuration for {service} lives in the config service, and every change to it is audited.',
    'Staging mirrors the production topology at roughly a tenth of the capacity, so load-related problems often appear only in production.',
    'The {alert} alert fires only when its condition holds for {minutes} minutes, which filters out most transient spikes.',
    'Write down what you did and when; the timeline is the most useful part of any later review.',
    'Feature flags are evaluated at request time, so a flag change takes effect within seconds and needs no deploy.',
    'Capacity for {datastore} is reviewed monthly by the {otherTeam} team and tracked in the capacity planning sheet.',
    'Traffic in {region} peaks between 14:00 and 18:00 UTC, so avoid risky maintenance in that window.',
    'Retries against {service} are safe because its write endpoints are idempotent, but retries without backoff can turn a blip into an outage.',
    'The service level objective for {service} is {slo} of requests succeeding over a rolling 28-day window.',
    'When the error budget is spent, feature work pauses until reliability work brings it back.',
    'Deploy markers appear on every graph in {dashboardTool}, which makes it easy to line up a regression with a release.',
    'Keep runbooks short and current; stale instructions are worse than none.',
    'The last full review of this area happened in {month}, led by {person}.',
    'Connection limits on {datastore} are shared between services, so one noisy client can starve the others.',
    'Most incidents in this area were caught by alerts rather than by customers, and we want to keep it that way.',
    'A change that touches both the schema and the application code should ship as two separate deploys.',
    'Synthetic checks call the public endpoints of {service} every minute from three regions.',
    'Use a read replica for ad-hoc queries; the primary is reserved for application traffic.',
    'Tracing is enabled for a sample of requests, which is usually enough to find the slow span.',
    'Ownership of each component is recorded in the service catalog, and the catalog is the source of truth for paging.',
    'Infrastructure for {service} is defined in Terraform, and manual console changes are reverted by the nightly drift check.',
    'Batch jobs that touch {datastore} run outside business hours and are throttled to protect interactive traffic.',
    'Load tests with k6 run against staging before every major release of {service}.',
    'Canary releases send {percent} of traffic to the new version for {minutes} minutes before the rollout continues.',
    'When in doubt, prefer the boring, reversible option over the clever one.',
  ],
  security: [
    'Access to production systems is granted through {idp} groups and reviewed every quarter.',
    'Secrets must never be committed to a repository; the pre-commit scanner blocks the most common formats.',
    'All secrets live in {secretsTool}, which records who read or changed each value.',
    'Security Engineering triages reports in #security within one business day.',
    'If you suspect a credential has leaked, treat it as compromised and rotate it immediately.',
    'Least privilege is the default: request the narrowest role that lets you do the job.',
    'Service accounts are owned by a team rather than a person, so they survive reorganizations.',
    'Audit logs are shipped to a separate account that application engineers cannot modify.',
    'Multi-factor authentication is required for every employee account, without exception.',
    'Findings from the annual penetration test are tracked to closure by {person}.',
    'Customer data may only be copied to environments that meet the same controls as production.',
    'Vendors that process customer data complete a security questionnaire before the contract is signed.',
    'Break-glass accounts exist for emergencies, and every use of one pages Security Engineering.',
    'Encryption at rest is enabled for every datastore, and the keys rotate automatically once a year.',
    'Laptops must run full-disk encryption and the endpoint agent managed by IT.',
    'Report phishing with the button in your mail client rather than forwarding the message.',
    'Exceptions to this guidance are time-boxed and recorded in the risk register.',
    'A security review for a new integration usually takes about {days} days, so plan for it early.',
    'Keys with write access to {datastore} expire after {days} days and cannot be renewed without a fresh request.',
    'Compliance evidence is collected automatically where possible and reviewed by {person} before each audit.',
    'Production access through {idp} is time-limited and expires after {hours} hours.',
    'Security Engineering publishes a short summary of every access review in #security.',
    'Shared accounts are not allowed; every action must be traceable to one person or one service.',
    'Security training is assigned at hire and renewed every year in {hrTool}.',
  ],
  people: [
    'People Operations is the first stop for questions about leave, benefits and payroll; you can reach them in #people-ops.',
    'Your manager approves most requests, and People Operations handles the rest.',
    'We review this guidance every year and announce changes at the all-hands meeting.',
    'Managers should talk about workload openly and adjust plans rather than expect extra hours.',
    'Everything here is recorded in {hrTool}, which is also where you update your personal details.',
    'New hires are paired with an onboarding buddy from a neighbouring team for their first month.',
    'We try to keep recurring meetings on Tuesdays and Thursdays so that other days stay free for focused work.',
    'Core collaboration hours are 10:00 to 15:00 in your team\'s primary time zone.',
    'Feedback is given in regular one-on-ones rather than saved up for performance reviews.',
    'If anything in this document conflicts with local law, local law wins and People Operations will clarify.',
    'Questions that come up repeatedly are added to the FAQ, so please keep asking them.',
    'Learning time is part of the job; block it in your calendar like any other commitment.',
    'Team offsites happen twice a year and are organized by each department\'s coordinator.',
    'Your first performance conversation happens after ninety days and focuses on how onboarding went.',
    '{person} from People Operations maintains this page; suggest edits through the usual review process.',
    'The same principles apply in every country, although the details differ by region.',
    'Update your calendar and set an out-of-office message before any absence longer than a day.',
    'Benefit elections can be changed during open enrollment or after a qualifying life event.',
    'Remote employees receive the same stipends and allowances as colleagues who live near an office.',
    'Managers receive a weekly summary in {hrTool} of the requests waiting for their approval.',
    'Accommodations are handled confidentially by People Operations and shared only with those who need to know.',
    'Our handbook is written for humans; if a sentence is unclear, that is our problem to fix.',
  ],
  finance: [
    'Finance closes the books on the fifth business day of each month, so late submissions slip to the next cycle.',
    'Every expense is coded to a cost center; if you do not know yours, your manager does.',
    'Reimbursements are paid with the next payroll run after approval.',
    'Receipts must show the vendor, the date, the amount and what was purchased.',
    'Purchases made on behalf of a customer are recharged, so include the customer name in the description.',
    'The budget owner is accountable for spend against their budget, even when they delegate approval.',
    'Currency conversion uses the rate on the day of the transaction, as recorded by {expenseTool}.',
    'Questions about reimbursements go to #finance-help, where someone from Finance answers within a business day.',
    'Spend above {amount} needs a purchase order raised before the invoice arrives.',
    'Subscriptions renew automatically, so cancel unused ones before the renewal date.',
    'Finance audits a random sample of expense reports every quarter.',
    'Gift cards and other cash equivalents are never reimbursable.',
    'Tax rules differ between countries, and Finance may ask for extra detail to stay compliant.',
    'Corporate cards have a monthly limit set by role, which can be raised temporarily for travel.',
    'We favour preferred vendors because their contracts already include negotiated rates and security terms.',
    'Annual budgets are set during planning and revisited at the mid-year review.',
    'Mistakes happen; if you submit something incorrectly, contact Finance instead of editing an approved report.',
    '{person} in Finance owns the expense tooling and its approval rules.',
    'Client entertainment requires a note listing the attendees and the business purpose.',
    'Reports that include receipts older than {days} days are flagged automatically by {expenseTool}.',
    'Approvers see the full receipt image, so there is no need to retype details that are already legible.',
    'Finance publishes the month-end calendar at the start of each quarter.',
  ],
  product: [
    'Customers told us in interviews that {feature} would remove a recurring manual step from their week.',
    'We measure success by adoption within the first {days} days and by the change in related support tickets.',
    'The first release targets workspace admins; end-user controls follow in a later milestone.',
    'Design explorations are linked from this document and reviewed in design critique.',
    'The feature ships behind a flag and rolls out to {percent} of workspaces before general availability.',
    'Pricing implications are being reviewed with Revenue Operations and are out of scope here.',
    'Accessibility requirements are part of the definition of done, not a follow-up task.',
    'Research sessions with {customer} showed how much time teams spend reconciling data by hand.',
    'Every entry point will be instrumented so that we can see where people abandon the flow.',
    'Customer Support receives a briefing and updated macros a week before launch.',
    'The mobile experience follows the web release by roughly one sprint.',
    'Legal has reviewed the data handling aspects and raised no blockers.',
    'Engineering estimates assume the {team} team is fully staffed for the quarter.',
    'Early access customers get a direct channel to the product manager during the beta.',
    'We are deliberately keeping the first version simple and expect to iterate on the defaults.',
    'Success criteria are agreed with leadership before the build starts.',
    'The rollout plan includes a kill switch that disables the feature without a deploy.',
    '{owner} owns this document and keeps the open questions current.',
    'Analytics events follow the naming convention described in the tracking plan.',
    'Competing products offer something similar, but none of them integrate with existing approval workflows.',
    'The beta cohort includes {customer}, who asked for this in three separate quarterly reviews.',
    'We will revisit the scope after the first {days} days of usage data.',
  ],
  support: [
    'Support agents can see the customer\'s plan and region on the account page in the admin console.',
    'Tier one resolves most questions directly; anything that needs engineering goes through #support-escalations.',
    'Always confirm the workspace ID before changing anything on a customer\'s behalf.',
    'Our first-response target is two business hours for paid plans.',
    'Macros in {helpdesk} cover the most common answers, but personalize them before sending.',
    'If a customer reports data loss, escalate immediately and do not attempt a fix yourself.',
    'Known issues are listed on the status page and linked from the relevant macros.',
    'Record the root cause category when closing a ticket so that trends are visible.',
    'Enterprise customers have a named account manager who should be copied on escalations.',
    'Screenshots and request IDs speed up engineering investigations more than anything else.',
    'Refunds above {amount} require approval from the support lead.',
    'The weekly support review looks at the top ten contact reasons.',
    'When a bug is confirmed, link the ticket to the engineering issue so that the customer is notified when the fix ships.',
    'Customer-facing replies avoid internal service names; say "search" rather than {service}.',
    '{person} maintains the support knowledge base and reviews new articles.',
    'Customers on the enterprise plan can request a call, which we schedule within one business day.',
    'Satisfaction surveys go out automatically when a ticket is solved.',
  ],
};

interface Combo {
  readonly when: readonly string[];
  readonly who: readonly string[];
  readonly what: readonly string[];
}

/** Combinatorial sentences ("When X, Y does Z.") give long documents variety without a huge template list. */
const COMBOS: Readonly<Record<Domain, Combo>> = {
  eng: {
    when: [
      'after every deploy to {env}', 'when {metric} crosses its alert threshold', 'if {alert} fires twice within an hour',
      'during the weekly operations review', 'before any schema migration on {datastore}', 'at the start of each on-call shift',
      'whenever {otherService} is degraded', 'once a quarter', 'during a game day exercise',
      'when traffic in {region} doubles unexpectedly', 'before a change freeze', 'when a rollout stalls halfway',
      'for any change that touches shared infrastructure', 'during the first hour of an incident',
      'after a failed health check', 'when a customer reports slowness',
    ],
    who: [
      'the on-call engineer', 'the {team} team', 'the author of the change', 'the incident commander',
      'the release captain', '{person}', 'a reviewer from {otherTeam}', 'the service owner', 'the platform duty engineer',
    ],
    what: [
      'checks the {dashboard} dashboard for regressions in {metric}', 'posts a short status update in {channel}',
      'pauses the rollout in {deployTool}', 'compares {metric} with the same hour last week',
      'opens a ticket in the {team} queue and links the relevant traces', 'confirms that {service} is healthy in every region',
      'reviews recent changes to {otherService}', 'adds an annotation so that the timeline is easy to reconstruct',
      'verifies that the latest backups of {datastore} completed', 'raises the severity if customers are affected',
      'writes a one-line summary of the impact before digging into causes', 'checks whether the problem reproduces in {env}',
      'looks at the slowest traces for {service}', 'adds {n} instances to the worker pool as a stopgap',
      'updates the service catalog if ownership has changed', 'confirms the error budget burn rate in {dashboardTool}',
      'silences only the specific alert rather than the whole service', 'records the decision in the incident document',
      'hands off to the next shift with a written summary', 'checks connection pool utilization on {datastore}',
    ],
  },
  security: {
    when: [
      'when a new vendor is onboarded', 'after any suspected credential exposure', 'at the end of each quarter',
      'before production access is granted', 'when an employee changes teams', 'when a scanner reports a critical finding',
      'before customer data leaves production', 'during the annual audit', 'whenever a break-glass account is used',
    ],
    who: [
      'Security Engineering', 'the system owner', 'the requesting engineer', '{person}', 'the manager of the employee',
      'the on-call security engineer', 'the data owner',
    ],
    what: [
      'reviews the access list and removes anything no longer needed', 'rotates the affected secrets in {secretsTool}',
      'records the decision in the risk register', 'confirms that multi-factor authentication is enforced',
      'checks the audit log for unexpected reads', 'files a ticket with a remediation deadline',
      'verifies that data is encrypted in transit and at rest', 'notifies #security with a short summary',
      'approves the request in {idp} with an expiry date', 'reviews the vendor questionnaire and evidence',
      'confirms that no secrets appear in the repository history',
    ],
  },
  people: {
    when: [
      'during your first two weeks', 'when you change teams', 'before a planned absence', 'at the start of each quarter',
      'after a major life event', 'when a new manager joins', 'before the annual review cycle',
      'when you move to a different country', 'at the end of probation',
    ],
    who: [
      'your manager', 'your onboarding buddy', 'People Operations', 'every employee', 'new hires', 'team leads',
      '{person} from People Operations',
    ],
    what: [
      'schedules a short check-in to review goals', 'updates the team calendar', 'completes the assigned training in {hrTool}',
      'reviews the benefits summary for your country', 'confirms that your personal details are current',
      'shares written notes so that nothing depends on memory', 'agrees on clear expectations for the next quarter',
      'books time for a proper handover', 'checks that payroll has the correct information',
      'answers questions in #people-ops within a business day',
    ],
  },
  finance: {
    when: [
      'for purchases above {amount}', 'when travelling to meet a customer', 'at month end', 'before signing a new vendor contract',
      'when a subscription comes up for renewal', 'if a receipt is missing', 'when spending in a foreign currency',
      'before the quarterly budget review', 'when a card is lost or stolen',
    ],
    who: [
      'the cardholder', 'the budget owner', 'Finance', 'the approver', 'every employee', 'the requester', '{person} in Finance',
    ],
    what: [
      'attaches an itemized receipt in {expenseTool}', 'submits the report within {days} days',
      'gets written approval from the budget owner', 'codes the expense to the correct cost center',
      'raises a purchase order before committing to the spend', 'checks whether a preferred vendor already covers the need',
      'reconciles card transactions before the close', 'adds a short business justification',
      'reports the problem to #finance-help the same day', 'confirms the spend fits the remaining budget',
    ],
  },
  product: {
    when: [
      'before the beta opens', 'during the first week after launch', 'when usage data contradicts our assumptions',
      'at each milestone review', 'if early access customers report confusion', 'before general availability',
      'when the scope grows', 'after each round of research',
    ],
    who: [
      'the product manager', 'the design lead', 'the {team} team', '{owner}', 'the engineering lead', 'Customer Support',
      'the research team',
    ],
    what: [
      'reviews the funnel for drop-off points', 'updates the open questions section', 'shares a short summary in #product',
      'checks the success metrics against the targets', 'runs a quick usability session with five customers',
      'revisits the non-goals to keep the scope honest', 'updates the rollout percentage in the flag service',
      'collects feedback from {customer} and similar accounts', 'records the decision and the alternatives considered',
    ],
  },
  support: {
    when: [
      'when a ticket mentions missing data', 'if the same question arrives three times in a day', 'before closing a ticket',
      'when an enterprise customer escalates', 'during an active incident', 'after a release that changes the interface',
      'when a refund is requested',
    ],
    who: [
      'the assigned agent', 'the support lead', 'tier two', '{person}', 'the account manager', 'the on-duty agent',
    ],
    what: [
      'links the ticket to the known issue', 'updates the macro so that the answer stays accurate',
      'collects the workspace ID and a request ID', 'posts in #support-escalations with a summary',
      'checks the status page before replying', 'tags the ticket with the product area',
      'confirms the customer\'s plan and region', 'writes a short internal note explaining what was tried',
    ],
  },
};

const EXTRA_HEADINGS: Readonly<Record<Domain, readonly string[]>> = {
  eng: [
    'Background', 'Monitoring and Alerting', 'Known Issues', 'Capacity Planning', 'Dependencies', 'Ownership and Contacts',
    'Historical Notes', 'Troubleshooting', 'Security Considerations', 'Cost Considerations', 'Testing',
    'Maintenance Windows', 'Observability', 'Failure Modes', 'Appendix: Useful Commands', 'Operational Readiness',
  ],
  security: [
    'Background', 'Threat Model', 'Controls', 'Monitoring', 'Evidence and Audits', 'Training', 'Related Standards',
    'Incident Handling', 'Third Parties', 'Appendix: Useful Commands', 'Risk Register', 'Known Gaps',
  ],
  people: [
    'Background', 'Manager Responsibilities', 'Employee Responsibilities', 'Regional Differences', 'Examples',
    'Questions and Feedback', 'Tools', 'Timelines', 'Accessibility and Accommodations', 'Changes to This Document',
    'Tips From Colleagues',
  ],
  finance: [
    'Background', 'Examples', 'Regional Differences', 'Audit and Compliance', 'Tools', 'Timelines', 'Approvals',
    'Common Mistakes', 'Tax Considerations', 'Changes to This Document', 'Budget Ownership',
  ],
  product: [
    'Background', 'Customer Research', 'Competitive Landscape', 'Design Notes', 'Analytics and Instrumentation',
    'Launch Communication', 'Risks', 'Dependencies', 'Support Readiness', 'Future Work', 'Pricing and Packaging',
    'Accessibility',
  ],
  support: [
    'Background', 'Escalation Paths', 'Macros and Templates', 'Common Mistakes', 'Metrics', 'Tone and Language',
    'Enterprise Customers', 'Known Issues', 'Tools', 'Training',
  ],
};

const SUBHEADINGS: Readonly<Record<Domain, readonly string[]>> = {
  eng: [
    'Signals to watch', 'Common mistakes', 'Edge cases', 'In {region}', 'In staging', 'Worked example',
    'Why it works this way', 'What we tried before', 'Open problems', 'Checklist', 'Interaction with {otherService}',
    'Notes from {person}', 'During business hours', 'Outside business hours', 'Limits', 'Metrics and thresholds',
  ],
  security: [
    'What we check', 'Who is responsible', 'Common findings', 'Evidence', 'Exceptions', 'Notes from {person}',
    'Automation', 'Manual steps', 'Timelines',
  ],
  people: [
    'For employees', 'For managers', 'In the United States', 'In the European Union', 'In Canada', 'In Australia',
    'An example', 'Common questions', 'Timelines', 'Notes from {person}',
  ],
  finance: [
    'An example', 'Limits', 'Who approves', 'Common mistakes', 'Timelines', 'In other currencies', 'For contractors',
    'Notes from {person}',
  ],
  product: [
    'What customers said', 'What we will measure', 'Open risks', 'Notes from {owner}', 'Design considerations',
    'Engineering considerations', 'For admins', 'For end users', 'On mobile',
  ],
  support: [
    'What to say', 'What not to say', 'When to escalate', 'Examples', 'Notes from {person}', 'For enterprise customers',
    'For free plans',
  ],
};

const STUB_NOTES: readonly string[] = [
  'This page is a stub; the {team} team is expanding it.',
  'Ask in {channel} if anything here is unclear.',
  'Last checked by {owner} on {date}.',
  'A longer version of this page is being drafted by {owner}.',
  'See the related handbook pages for the full details.',
];

const ACMECTL_COMMANDS: readonly string[] = [
  'acmectl status {service} --env production',
  'acmectl logs {service} --since 30m --grep ERROR',
  'acmectl deploy history {service} --limit 5',
  'acmectl flags list --service {service}',
  'acmectl queue stats {service}',
  'acmectl db connections {service}-primary --by-role',
  'acmectl oncall who --team {teamSlug}',
  'acmectl secrets versions db/{service}/app',
  'acmectl scale {service} --region {region} --show',
  'acmectl traces slowest {service} --window 1h --limit 20',
  'acmectl changes --service {service} --since 24h',
];

const RELATED: Readonly<Record<Domain, readonly string[]>> = {
  eng: [
    'On-call Escalation Policy', 'Incident Postmortem Process', 'Rotate Database Credentials', 'Roll Back a Deployment',
    'Design: Vector Index Service', 'Code Review Policy', 'Change Management Policy', 'Respond to Elevated Error Rates',
    'Hand Over the On-call Shift', 'Rebuild the Vector Index', 'On-call FAQ',
  ],
  security: [
    'Credential and Secrets Management Policy', 'Access Review Policy', 'Acceptable Use Policy', 'Rotate Database Credentials',
    'Revoke Access for a Departing Employee', 'Vendor Security Review Policy', 'Secrets and Credentials FAQ',
  ],
  people: [
    'Paid Time Off Policy', 'Remote Work Policy', 'Parental Leave Policy', 'Benefits Enrollment FAQ',
    'Equipment and Home Office Policy', 'Learning and Development Budget', 'Time Off FAQ',
  ],
  finance: [
    'Expense Policy', 'Travel Policy', 'Corporate Card Policy', 'Procurement and Vendor Approval Policy',
    'Expense Reports FAQ',
  ],
  product: [
    'Spec: Saved Searches', 'Spec: Semantic Search for Attachments', 'Design: Hybrid Search Ranking',
    'Spec: Usage-Based Pricing', 'Customer FAQ: Search Results and Indexing',
  ],
  support: [
    'Customer FAQ: Billing and Invoices', 'Customer FAQ: Single Sign-On Setup', 'Customer FAQ: Search Results and Indexing',
    'Customer FAQ: Exporting Your Data', 'Incident Response FAQ',
  ],
};

const ENG_FIRST_RESPONSES: readonly string[] = [
  'Check recent deploys', 'Scale out the worker pool', 'Fail over to a replica', 'Page the {otherTeam} on-call',
  'Roll back the last release', 'Shed batch traffic', 'Declare an incident', 'Check {otherService} health',
];

const SECURITY_CONTROLS: readonly string[] = [
  'Production access review', 'Secret rotation', 'Vendor assessment', 'Endpoint encryption check',
  'Audit log integrity check', 'Phishing simulation', 'Backup restore test', 'Dependency vulnerability scan',
];

const PEOPLE_SITUATIONS: readonly string[] = [
  'Changing your address', 'Planning a long absence', 'Requesting an accommodation', 'Changing teams',
  'Updating bank details', 'Requesting an employment letter', 'Raising a concern', 'Relocating to another country',
];

const FINANCE_CATEGORIES: readonly string[] = [
  'Meals while travelling', 'Hotel per night', 'Software subscriptions', 'Books and courses', 'Client entertainment',
  'Team events', 'Home office equipment', 'Conference tickets',
];

// ------------------------------------------------------------------------------------------------ composer

/** Composes sentences, paragraphs and sections for one document, keeping per-document variety. */
class Composer {
  private readonly used = new Map<readonly string[], Set<number>>();
  private readonly cycles = new Map<readonly string[], number>();
  private readonly headings = new Set<string>();

  constructor(
    readonly rng: Rng,
    private readonly vars: Vars,
    readonly domain: Domain,
    private readonly facts: readonly string[],
    readonly long: boolean,
  ) {}

  fill(template: string): string {
    return template.replace(/\{([A-Za-z]+)\}/g, (_match, key: string) => this.value(key));
  }

  fillAll(templates: readonly string[]): string[] {
    return templates.map((template) => this.fill(template));
  }

  value(key: string): string {
    const fixed = this.vars[key];
    if (fixed !== undefined) return fixed;
    switch (key) {
      case 'serviceSnake':
        return this.value('service').replace(/-/g, '_');
      case 'teamSlug':
        return slugify(this.value('team'));
      case 'ticket':
        return `${this.rng.pick(['REL', 'OPS', 'SEC', 'PAY', 'SRCH', 'PLAT', 'DATA'])}-${this.rng.int(100, 4999)}`;
      case 'month':
        return `${this.rng.pick(MONTHS)} ${this.rng.pick(['2023', '2024'])}`;
      default:
        break;
    }
    const pool = POOLS[key];
    if (pool !== undefined) return this.rng.pick(pool);
    const first = key.charAt(0);
    if (first !== first.toLowerCase()) return capitalize(this.value(first.toLowerCase() + key.slice(1)));
    throw new Error(`template refers to unknown placeholder {${key}}`);
  }

  /** A template from `pool` that this document has not used yet (until the pool runs dry). */
  fresh(pool: readonly string[]): string {
    let used = this.used.get(pool);
    if (used === undefined) {
      used = new Set<number>();
      this.used.set(pool, used);
    }
    if (used.size >= pool.length) {
      used.clear();
      this.cycles.set(pool, (this.cycles.get(pool) ?? 0) + 1);
    }
    const free: number[] = [];
    for (let i = 0; i < pool.length; i++) if (!used.has(i)) free.push(i);
    const index = this.rng.pick(free);
    used.add(index);
    return at(pool, index);
  }

  combo(): string {
    const combo = COMBOS[this.domain];
    const when = this.fill(this.rng.pick(combo.when));
    return `${capitalize(when)}, ${this.fill(this.rng.pick(combo.who))} ${this.fill(this.rng.pick(combo.what))}.`;
  }

  sentence(requestedFactShare = 0.25): string {
    // Once every topic fact has been used, repeat them only occasionally, or long documents feel like a loop.
    const used = this.used.get(this.facts)?.size ?? 0;
    const exhausted = (this.cycles.get(this.facts) ?? 0) > 0 || used >= this.facts.length;
    const factShare = exhausted ? requestedFactShare * 0.2 : requestedFactShare;
    const r = this.rng.float();
    if (this.facts.length > 0 && r < factShare) return this.fill(this.fresh(this.facts));
    if (r < factShare + (1 - factShare) * 0.55) return this.fill(this.fresh(DOMAIN_SENTENCES[this.domain]));
    return this.combo();
  }

  paragraph(min = 2, max = 5, factShare = 0.25): string {
    const count = this.rng.int(min, max);
    const sentences: string[] = [];
    for (let i = 0; i < count; i++) sentences.push(this.sentence(factShare));
    return sentences.join(' ');
  }

  /** A paragraph that opens with a topic fact, so every section stays on topic. */
  topical(min = 2, max = 4): string {
    const lead = this.facts.length > 0 ? this.fill(this.fresh(this.facts)) : this.sentence();
    return [lead, this.paragraph(Math.max(0, min - 1), Math.max(0, max - 1))].filter((s) => s.length > 0).join(' ');
  }

  h2(md: Markdown, heading: string): void {
    this.headings.add(heading);
    md.h2(heading);
  }

  h3(md: Markdown, heading: string): void {
    this.headings.add(heading);
    md.h3(heading);
  }

  uniqueHeading(pool: readonly string[]): string {
    for (let tries = 0; tries < 12; tries++) {
      const heading = this.fill(this.rng.pick(pool));
      if (!this.headings.has(heading)) return heading;
    }
    for (const person of this.rng.shuffle(PEOPLE)) {
      const heading = `Notes from ${person}`;
      if (!this.headings.has(heading)) return heading;
    }
    throw new Error('ran out of headings');
  }

  /** Roughly `budget` words of prose; long documents split bigger blocks into `###` subsections. */
  prose(md: Markdown, budget: number): void {
    if (this.long && budget >= 300) {
      const start = md.words;
      while (md.words - start < budget) {
        this.h3(md, this.uniqueHeading(SUBHEADINGS[this.domain]));
        this.flat(md, Math.max(60, Math.min(budget - (md.words - start), this.rng.int(140, 280))));
      }
      return;
    }
    this.flat(md, budget);
  }

  private flat(md: Markdown, budget: number): void {
    const start = md.words;
    if (budget < 40) {
      md.para(this.paragraph(1, 2));
      return;
    }
    do {
      if (md.words > start && this.rng.chance(0.2)) {
        md.bullets(Array.from({ length: this.rng.int(3, 5) }, () => this.combo()));
      } else {
        md.para(this.paragraph(2, 5));
      }
    } while (md.words - start < budget);
  }

  /** Appends generic `##` sections for the document's domain until it reaches `target` words. */
  extras(md: Markdown, target: number): void {
    const pool = this.rng.shuffle(EXTRA_HEADINGS[this.domain]).filter((heading) => !this.headings.has(heading));
    let next = 0;
    while (md.words < target) {
      const heading = pool[next++] ?? this.uniqueHeading(['Notes from {person}']);
      this.h2(md, heading);
      if (heading.startsWith('Appendix')) {
        md.para(this.paragraph(1, 2));
        md.code('sh', this.fillAll(this.rng.sample(ACMECTL_COMMANDS, this.rng.int(3, 5))));
        continue;
      }
      const remaining = target - md.words;
      const budget = Math.min(remaining, this.long ? this.rng.int(280, 560) : this.rng.int(90, 260));
      this.prose(md, Math.max(budget, 40));
      if (this.rng.chance(0.2)) this.table(md);
    }
  }

  /** A small domain-flavoured table. */
  table(md: Markdown): void {
    const rows = this.rng.int(3, 5);
    switch (this.domain) {
      case 'eng':
        md.table(
          ['Signal', 'Warn after', 'Page after', 'First response'],
          this.rng.sample(METRICS, rows).map((metric) => [
            metric, `${this.rng.int(3, 10)} min`, `${this.rng.int(11, 30)} min`, this.fill(this.rng.pick(ENG_FIRST_RESPONSES)),
          ]),
        );
        return;
      case 'security':
        md.table(
          ['Control', 'Owner', 'Review cadence'],
          this.rng.sample(SECURITY_CONTROLS, rows).map((control) => [
            control, this.rng.pick(['Security Engineering', 'IT', 'Site Reliability', 'each service team']),
            this.rng.pick(['Weekly', 'Monthly', 'Quarterly', 'Annually', 'Continuous']),
          ]),
        );
        return;
      case 'people':
        md.table(
          ['Situation', 'Who to contact', 'Typical timeline'],
          this.rng.sample(PEOPLE_SITUATIONS, rows).map((situation) => [
            situation, this.rng.pick(['Your manager', 'People Operations', 'Self-service in Compass', 'Payroll team']),
            this.rng.pick(['Same day', 'Two business days', 'One week', 'Two weeks']),
          ]),
        );
        return;
      case 'finance':
        md.table(
          ['Category', 'Limit', 'Approver'],
          this.rng.sample(FINANCE_CATEGORIES, rows).map((category) => [
            category, `$${this.rng.pick([50, 75, 100, 150, 250, 300, 500, 1000, 1500])}`,
            this.rng.pick(['Manager', 'Director', 'Budget owner', 'Finance']),
          ]),
        );
        return;
      case 'product': {
        const start = this.value('date');
        const milestones = ['Design review', 'Internal dogfood', 'Private beta', 'Public beta', 'General availability'];
        md.table(
          ['Milestone', 'Target date', 'Owner'],
          milestones.slice(0, rows).map((milestone, i) => [milestone, addDays(start, 14 * (i + 1)), this.rng.pick(PEOPLE)]),
        );
        return;
      }
      case 'support':
        md.table(
          ['Priority', 'First response', 'Escalate after'],
          [
            ['P1 (service down)', '30 minutes', '1 hour'],
            ['P2 (major feature broken)', '2 hours', `${this.rng.pick([4, 6, 8])} hours`],
            ['P3 (minor issue)', '1 business day', '3 business days'],
            ['P4 (question)', '2 business days', 'Not escalated'],
          ].slice(0, rows),
        );
        return;
    }
  }

  related(md: Markdown, exclude: string): void {
    const titles = RELATED[this.domain].filter((title) => title !== exclude);
    this.h2(md, 'Related Documents');
    md.bullets(this.rng.sample(titles, this.rng.int(2, 4)));
  }
}

// ------------------------------------------------------------------------------------------------ topic data: runbooks

interface CodeSpec {
  readonly lang: string;
  readonly lines: readonly string[];
}

interface StepSpec {
  readonly title: string;
  readonly text: string;
  readonly code?: CodeSpec;
}

type RunbookScope = 'service' | 'region' | 'team' | 'none';

interface RunbookSpec {
  readonly slug: string;
  readonly title: string;
  readonly folder: string;
  readonly domain: Domain;
  readonly scope: RunbookScope;
  /** Service ids (scope "service") or team names (scope "team") this runbook exists for; all when omitted. */
  readonly targets?: readonly string[];
  /** The service a region- or team-scoped runbook is mostly about. */
  readonly service?: string;
  /** Owning team of an unscoped ("none") procedure. */
  readonly team?: string;
  /** Shown as "Applies to" for unscoped procedures. */
  readonly appliesTo?: string;
  readonly lead: string;
  readonly facts: readonly string[];
  readonly triggers: readonly string[];
  readonly prerequisites: readonly string[];
  readonly steps: readonly StepSpec[];
  readonly verify: readonly string[];
  readonly rollback: readonly string[];
}

const sh = (...lines: string[]): CodeSpec => ({ lang: 'sh', lines });
const sql = (...lines: string[]): CodeSpec => ({ lang: 'sql', lines });

const RUNBOOKS: readonly RunbookSpec[] = [
  {
    slug: 'rotate-database-credentials',
    title: 'Rotate Database Credentials',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['ledger-api', 'billing-gateway', 'auth-service', 'customer-profile', 'usage-meter', 'audit-log', 'report-builder', 'tax-calculator'],
    lead: 'This runbook explains how to rotate the database credentials used by {serviceName} without dropping connections.',
    facts: [
      'Database credentials for {service} are issued by {secretsTool} and expire every 90 days, so rotating them is routine maintenance rather than an emergency.',
      'Rotating database credentials safely means creating a new login, moving every consumer onto it, and only then revoking the old one.',
      'Rotate the credentials for a primary and its read replicas in the same change window; consumers that read from replicas break otherwise.',
      'The automated rotation job handles the common case, but a human confirms the revoke step for anything that touches payments data.',
      'A forgotten consumer is the usual way a credential rotation goes wrong, so list every consumer of the database before you start.',
      'Each rotation is recorded in the credential ledger, which auditors sample every quarter.',
      'Old and new database passwords are both valid during the overlap window, which is what makes a zero-downtime rotation possible.',
    ],
    triggers: [
      'The scheduled rotation reminder for {service} has fired.',
      'A database credential may have been exposed in logs, a screenshot or a repository.',
      'An engineer who could read the credential has left the company.',
      'Security Engineering has asked for an out-of-cycle rotation.',
    ],
    prerequisites: [
      'Write access to the `db/{service}` path in {secretsTool}.',
      'A database role on the {service} primary that can create and alter logins.',
      'The list of consumers from the service catalog, including batch jobs and analytics exports.',
      'A quiet traffic window; avoid the daily peak in {region}.',
    ],
    steps: [
      { title: 'Announce the rotation', text: 'Post in {channel} that you are rotating the database credentials for {service}, link this runbook and give an expected finish time.' },
      {
        title: 'Create the new credential',
        text: 'Generate a new password and store it as a new version of the secret. The previous version stays readable until you disable it.',
        code: sh('acmectl secrets create db/{service}/app --generate --length 48', 'acmectl secrets versions db/{service}/app'),
      },
      {
        title: 'Create the login on the database',
        text: 'Create a new login with the same grants as the current one. A versioned role name makes it obvious which credential each connection uses.',
        code: sql('CREATE ROLE {serviceSnake}_app_v{version} LOGIN PASSWORD :\'new_password\';', 'GRANT {serviceSnake}_rw TO {serviceSnake}_app_v{version};'),
      },
      {
        title: 'Roll the consumers',
        text: 'Restart consumers in waves so that each one picks up the new secret version. Start with staging, then one production wave at a time.',
        code: sh('acmectl deploy restart {service} --env staging', 'acmectl deploy restart {service} --env production --wave 25%'),
      },
      { title: 'Watch for authentication failures', text: 'Keep the {dashboard} dashboard open and watch failed logins and connection pool utilization. Any consumer still on the old credential will fail once you revoke it, so fix it now.' },
      {
        title: 'Revoke the old credential',
        text: 'When every consumer has restarted and failed logins have been flat for {minutes} minutes, drop the old login and disable the previous secret version.',
        code: sh('acmectl secrets disable db/{service}/app --version previous'),
      },
      { title: 'Record the rotation', text: 'Add an entry to the credential ledger with the date, the operator and the ticket number, for example {ticket}.' },
    ],
    verify: [
      'All active connections on the primary use the new role name.',
      'The failed login count on the database has been zero for {minutes} minutes.',
      'The rotation appears in the credential ledger.',
    ],
    rollback: [
      'If consumers cannot connect, re-enable the previous secret version; it stays valid until the old login is dropped.',
      'If the old login is already gone, recreate it from the previous secret version and page the {team} on-call engineer.',
    ],
  },
  {
    slug: 'rotate-tls-certificates',
    title: 'Rotate TLS Certificates',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['checkout-web', 'identity-proxy', 'webhook-relay', 'search-api', 'admin-console', 'sso-bridge', 'mobile-api'],
    lead: 'Use this runbook to replace the public TLS certificate for {serviceName} when automatic renewal has failed.',
    facts: [
      'Public TLS certificates for {service} are issued automatically and renewed thirty days before they expire.',
      'Manual certificate rotation is only needed when automation fails or a private key may have been exposed.',
      'The CertificateExpiringSoon alert fires fourteen days before expiry, which leaves time to fix renewal calmly.',
      'Internal mutual TLS certificates are short-lived and rotate daily without human involvement.',
      'Certificate renewal failures are almost always caused by a DNS validation record that someone removed.',
    ],
    triggers: [
      'CertificateExpiringSoon has fired for {service}.',
      'Automated renewal has failed twice in a row.',
      'A private key may have been exposed.',
    ],
    prerequisites: [
      'Access to the certificate manager in the production account.',
      'Permission to update the load balancer listener for {service}.',
      'The list of hostnames served by {service}.',
    ],
    steps: [
      { title: 'Inspect the current certificate', text: 'Record the serial number, expiry date and subject alternative names.', code: sh('acmectl tls inspect {service}.acme.example --show-chain') },
      { title: 'Request a replacement', text: 'Issue a certificate with the same subject alternative names. DNS validation normally completes within a few minutes.', code: sh('acmectl tls issue --service {service} --hosts @hosts.txt') },
      { title: 'Attach it to the listener', text: 'Update the listener to use the new certificate. Existing connections keep the old certificate until they close.' },
      { title: 'Verify from outside', text: 'Check the served certificate from a machine outside the corporate network.', code: sh('curl -vI https://{service}.acme.example 2>&1 | grep -i "expire date"') },
      { title: 'Retire the old certificate', text: 'Revoke the old certificate if the key may have been exposed; otherwise let it expire naturally.' },
    ],
    verify: [
      'The served certificate has the new serial number and expiry date.',
      'Synthetic checks from all regions are green.',
      'CertificateExpiringSoon has resolved.',
    ],
    rollback: ['Reattach the previous certificate if it is still valid and the new one causes handshake errors.'],
  },
  {
    slug: 'rotate-api-keys-for-partner-integrations',
    title: 'Rotate API Keys for Partner Integrations',
    folder: 'security/runbooks',
    domain: 'security',
    scope: 'service',
    targets: ['webhook-relay', 'billing-gateway', 'tax-calculator', 'notification-hub', 'export-service', 'ledger-api'],
    lead: 'This runbook covers rotating the API keys that partners use to call {serviceName}.',
    facts: [
      'Partner API keys let external systems call {service}; every partner has its own key so one can be rotated without touching the others.',
      'Partner keys are scoped to the smallest set of endpoints the partner needs.',
      'Partners get a fourteen-day overlap during which both the old and the new API key work.',
      'A partner key found in a public repository is revoked immediately, overlap or not.',
      'Key rotation for partners is announced through their technical contact, never through a shared mailbox.',
    ],
    triggers: [
      'The annual rotation for the partner is due.',
      'The partner reports that their key may have leaked.',
      'The secret scanner matched a key in a public location.',
    ],
    prerequisites: [
      'Admin role in the partner console.',
      'Contact details for the partner\'s technical owner.',
      'The partner\'s key ID from the integration registry.',
    ],
    steps: [
      { title: 'Identify the key', text: 'Find the partner\'s active key and note its scopes.', code: sh('acmectl apikeys list --service {service} --partner "{customer}"') },
      { title: 'Issue a replacement', text: 'Create a new key with identical scopes.', code: sh('acmectl apikeys create --service {service} --partner "{customer}" --copy-scopes-from KEY_ID') },
      { title: 'Share the key securely', text: 'Send the key through a one-time secure share link, never by email or chat. The link expires after a single view.' },
      { title: 'Monitor both keys', text: 'Watch the per-key request graph until traffic on the old key drops to zero.' },
      { title: 'Revoke the old key', text: 'Revoke the old key and note the reason.', code: sh('acmectl apikeys revoke KEY_ID --reason rotation') },
    ],
    verify: ['All traffic from the partner uses the new key ID.', 'There have been no 401 responses for the partner in the last hour.'],
    rollback: ['A revoked key cannot be restored. If the partner is broken, issue another key and share it immediately.'],
  },
  {
    slug: 'fail-over-the-primary-database',
    title: 'Fail Over the Primary Database',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['ledger-api', 'customer-profile', 'usage-meter', 'audit-log', 'billing-gateway', 'auth-service'],
    lead: 'This runbook describes a manual failover of the {serviceName} database from its primary to a replica.',
    facts: [
      'Each production database runs a primary and two replicas spread across availability zones.',
      'A failover promotes a replica to primary, and writes are unavailable for roughly thirty to ninety seconds.',
      'Automatic failover covers instance loss, but a degraded primary that still passes health checks needs a human decision.',
      'Replication lag must be below one second before a replica is promoted, otherwise recent writes can be lost.',
      'After a failover the old primary is never reused; automation builds a fresh replica from the latest snapshot.',
    ],
    triggers: [
      'The {service} primary is unresponsive or badly degraded.',
      'Planned maintenance requires moving the primary.',
      'ReplicationLagHigh is firing and the primary is the cause.',
    ],
    prerequisites: [
      'Approval from the incident commander for an unplanned failover.',
      'The database admin role in {region}.',
      'The current topology from the Database Fleet dashboard.',
    ],
    steps: [
      { title: 'Confirm replica health', text: 'Make sure the promotion target is streaming and nearly caught up.', code: sql('SELECT client_addr, state, replay_lag FROM pg_stat_replication;') },
      { title: 'Enable maintenance mode', text: 'Turn on the maintenance flag so that clients receive a clean, retryable error instead of timeouts.', code: sh('acmectl flags set {service}.maintenance_mode true --env production') },
      { title: 'Promote the replica', text: 'Promote the healthiest replica.', code: sh('acmectl db failover {service}-primary --target replica-b --confirm') },
      { title: 'Repoint connections', text: 'The service discovery record updates automatically; restart any connection pools that cache DNS for longer than sixty seconds.' },
      { title: 'Lift maintenance mode', text: 'Once writes succeed, turn maintenance mode off and let automation rebuild the missing replica.' },
    ],
    verify: [
      'Writes succeed and {metric} is back to its baseline.',
      'Two healthy replicas are attached to the new primary.',
      'No connections remain to the old primary.',
    ],
    rollback: ['Failing back is simply another failover; do not attempt it until the new replica is fully in sync.'],
  },
  {
    slug: 'roll-back-a-deployment',
    title: 'Roll Back a Deployment',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    lead: 'Use this runbook to return {serviceName} to its last known-good release.',
    facts: [
      'Rolling back is the fastest way to end most incidents caused by a release, and it needs no approval.',
      '{deployTool} keeps the last ten releases of {service}, so a rollback is a redeploy of a known-good artifact.',
      'Database migrations are never rolled back automatically, which is why schema and code changes ship separately.',
      'Roll back first and investigate second; a clean rollback also confirms that the release was the cause.',
    ],
    triggers: [
      'Error rate or latency regressed right after a release of {service}.',
      'A feature flag cannot contain the problem.',
      'The release captain asks for a rollback.',
    ],
    prerequisites: ['Deploy permission for {service}.', 'The release ID of the last known-good version.'],
    steps: [
      { title: 'Find the last good release', text: 'List recent releases and pick the one before the regression started.', code: sh('acmectl deploy history {service} --env production --limit 5') },
      { title: 'Pause the rollout', text: 'Stop any rollout that is still in progress.', code: sh('acmectl deploy pause {service} --env production') },
      { title: 'Roll back', text: 'Redeploy the known-good release to every region.', code: sh('acmectl deploy rollback {service} --env production --to RELEASE_ID') },
      { title: 'Watch recovery', text: 'Watch {metric} on the {dashboard} dashboard. Recovery usually follows within a few minutes of the last pod being replaced.' },
      { title: 'Block the bad release', text: 'Mark the release as bad so that nobody redeploys it by accident, and open a ticket for the fix.' },
    ],
    verify: ['All pods run the previous release.', '{metric} is back in its usual range.'],
    rollback: ['If the older release is also unhealthy, the cause is probably elsewhere; check dependencies such as {otherService}.'],
  },
  {
    slug: 'drain-and-replace-a-kubernetes-node',
    service: 'rate-limiter',
    title: 'Drain and Replace a Kubernetes Node',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'region',
    lead: 'This runbook explains how to drain a faulty Kubernetes node in {region} and let automation replace it.',
    facts: [
      'Kubernetes nodes are replaced rather than repaired; draining moves workloads to healthy nodes first.',
      'Pod disruption budgets stop a drain from taking down too many replicas of one service at once.',
      'Stateful workloads in {region} use local volumes on a dedicated node pool and need extra care.',
      'Replacing a node in {region} usually takes fifteen minutes, including image pulls.',
    ],
    triggers: [
      'A node reports hardware or kernel errors.',
      'The node pool is being upgraded.',
      'PodCrashLooping alerts cluster on a single node.',
    ],
    prerequisites: ['The cluster admin role for {region}.', 'No active change freeze.'],
    steps: [
      { title: 'Cordon the node', text: 'Stop new pods from being scheduled onto the node.', code: sh('kubectl cordon NODE_NAME') },
      { title: 'Drain the node', text: 'Evict workloads gracefully.', code: sh('kubectl drain NODE_NAME --ignore-daemonsets --delete-emptydir-data --timeout=10m') },
      { title: 'Check disruption budgets', text: 'If the drain stalls, a pod disruption budget is blocking it. Find out which service it belongs to and ask its owners before overriding anything.' },
      { title: 'Terminate the instance', text: 'Let the autoscaling group replace the instance; the new node joins the cluster automatically.' },
      { title: 'Confirm rescheduling', text: 'Make sure nothing is left behind on the old node.', code: sh('kubectl get pods -A --field-selector spec.nodeName=NODE_NAME') },
    ],
    verify: ['The replacement node is Ready.', 'No pods are Pending in {region}.'],
    rollback: ['If the drain was started by mistake, run `kubectl uncordon NODE_NAME`.'],
  },
  {
    slug: 'replay-messages-from-the-dead-letter-queue',
    title: 'Replay Messages from the Dead-Letter Queue',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['ingest-pipeline', 'notification-hub', 'webhook-relay', 'email-dispatcher', 'embedding-worker', 'usage-meter', 'export-service'],
    lead: 'This runbook explains how to inspect and replay messages that {serviceName} moved to its dead-letter queue.',
    facts: [
      'Messages that fail processing five times move to the dead-letter queue for {service} instead of blocking the main queue.',
      'Replaying from the dead-letter queue is safe only when consumers are idempotent and the original failure has been fixed.',
      'Dead-letter messages are kept for fourteen days, after which they are dropped.',
      'A steady trickle of dead letters usually means bad data, while a sudden spike usually means a code or dependency problem.',
    ],
    triggers: [
      'The dead-letter count for {service} is above zero and the cause is fixed.',
      'A downstream outage caused a burst of failures.',
    ],
    prerequisites: ['The operator role on the {service} queues.', 'Confirmation that the fix for the failure has been deployed.'],
    steps: [
      { title: 'Inspect a sample', text: 'Look at a sample of failed messages and their error reasons.', code: sh('acmectl queue peek {service}-dlq --limit 20 --format json') },
      { title: 'Classify the failures', text: 'Group messages by error type. Replay only the groups whose cause is fixed and leave the rest for the owning team.' },
      { title: 'Replay at a controlled rate', text: 'Replay slowly so that downstream systems are not flooded.', code: sh('acmectl queue replay {service}-dlq --to {service} --rate 50/s') },
      { title: 'Watch lag and errors', text: 'Keep an eye on consumer lag and {metric}. Stop the replay if the error rate rises.' },
      { title: 'Archive what cannot be replayed', text: 'Export unrecoverable messages to the incident bucket before purging them, so that no data is silently lost.' },
    ],
    verify: ['The dead-letter count is back to zero.', 'No new failures have appeared for the replayed message types.'],
    rollback: ['Replays cannot be undone. Stop a replay with `acmectl queue replay --stop` if errors rise.'],
  },
  {
    slug: 'rebuild-the-vector-index',
    service: 'vector-indexer',
    title: 'Rebuild the Vector Index',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'region',
    lead: 'This runbook explains how to rebuild the vector index that powers semantic search in {region} without downtime.',
    facts: [
      'The vector index stores one embedding per document chunk and answers nearest-neighbour queries for semantic search.',
      'A full rebuild reads every chunk from the document store and writes a fresh vector index next to the live one.',
      'Queries keep using the old vector index until the alias is switched, so a rebuild causes no downtime.',
      'Embedding calls dominate the cost of a rebuild, so reuse stored embeddings unless the embedding model has changed.',
      'Index freshness measures how far the vector index lags behind the document store and is the main health signal for semantic search.',
      'Recall at 10 on the golden query set must not drop by more than two points after a vector index rebuild.',
    ],
    triggers: [
      'The vector index in {region} is corrupted or returns empty results.',
      'The index schema or distance metric has changed.',
      'Index freshness has been stale for more than an hour and incremental sync cannot catch up.',
    ],
    prerequisites: [
      'The operator role for the search stack in {region}.',
      'Enough spare capacity for a second copy of the index.',
      'The current index alias and version from the Search Quality dashboard.',
    ],
    steps: [
      { title: 'Snapshot the current index', text: 'Take a snapshot so that you have a fast way back.', code: sh('acmectl vectors snapshot --region {region} --index docs-live') },
      { title: 'Start the rebuild', text: 'Build a new index version from the document store, reusing stored embeddings.', code: sh('acmectl vectors rebuild --region {region} --source docs-store --reuse-embeddings --target docs-v{version}') },
      { title: 'Monitor progress', text: 'The rebuild reports chunks per second and an estimated completion time. Expect several hours for the full corpus.' },
      { title: 'Evaluate quality', text: 'Run the golden query set against the new vector index and compare recall at 10 and mean reciprocal rank with the live index.', code: sh('acmectl vectors eval --index docs-v{version} --queries golden.jsonl --compare docs-live') },
      { title: 'Switch the alias', text: 'Point the live alias at the new index version.', code: sh('acmectl vectors alias set docs-live docs-v{version} --region {region}') },
      { title: 'Keep the old index for a day', text: 'Do not delete the previous index until the next day; it is the fastest rollback.' },
    ],
    verify: [
      'Search queries return results from the new index version.',
      'Index freshness is under five minutes.',
      'Recall at 10 is within two points of the previous index.',
    ],
    rollback: ['Point the alias back at the previous index version.'],
  },
  {
    slug: 'respond-to-elevated-error-rates',
    title: 'Respond to Elevated Error Rates',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    lead: 'This runbook is the first stop when {serviceName} starts returning more errors than usual.',
    facts: [
      'Elevated error rates on {service} are usually caused by a release, a dependency or a traffic pattern, in that order of likelihood.',
      'Separate client errors from server errors early; a rise in 4xx responses is often a client bug rather than ours.',
      'HighErrorRate compares the 5xx ratio with the error budget burn rate rather than a fixed threshold.',
      'Check recent deploys and flag changes before reading any code.',
    ],
    triggers: ['HighErrorRate is firing for {service}.', 'Customers report failures through support.'],
    prerequisites: ['Access to logs, traces and the deploy history of {service}.'],
    steps: [
      { title: 'Confirm the impact', text: 'Check the {dashboard} dashboard and estimate how many requests and customers are affected.' },
      { title: 'Look for recent changes', text: 'List deploys, flag changes and config changes from the last two hours.', code: sh('acmectl changes --service {service} --since 2h') },
      { title: 'Check dependencies', text: 'Look at the health of {otherService} and the datastores {service} uses; a dependency problem shows up as timeouts in traces.' },
      { title: 'Mitigate', text: 'Roll back, disable the responsible flag or shed load, whichever is fastest. Diagnose afterwards.' },
      { title: 'Communicate', text: 'Update {channel} every thirty minutes until resolved, and the status page if customers are affected.' },
    ],
    verify: ['The 5xx ratio has been below the SLO threshold for thirty minutes.', 'The alert has resolved.'],
    rollback: ['Revert any mitigation that did not help, so that the system returns to a known state.'],
  },
  {
    slug: 'restore-a-table-from-backup',
    title: 'Restore a Table from Backup',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['ledger-api', 'customer-profile', 'audit-log', 'report-builder', 'usage-meter'],
    lead: 'This runbook explains how to recover rows in the {serviceName} database from point-in-time backups.',
    facts: [
      'Point-in-time recovery lets us restore the {service} database to any second in the last 14 days.',
      'We restore into a separate instance and copy rows back; we never restore over the live database.',
      'Restoring a large table takes hours, so start early and communicate realistic timings.',
      'Backups are tested every month by restoring a random table and comparing row counts.',
    ],
    triggers: [
      'Rows were deleted or corrupted by a bug or a manual query.',
      'Support has escalated a customer request to recover data deleted by mistake.',
    ],
    prerequisites: [
      'An incident ticket with approval from the data owner.',
      'The database admin role.',
      'The exact timestamp just before the bad change.',
    ],
    steps: [
      { title: 'Create a restore instance', text: 'Restore to a new instance at the chosen timestamp.', code: sh('acmectl db restore {service}-primary --to-time "2024-01-01T00:00:00Z" --target {service}-restore') },
      { title: 'Verify the restored data', text: 'Compare row counts and spot-check records before copying anything.', code: sql('SELECT count(*) FROM invoices WHERE updated_at < \'2024-01-01\';') },
      { title: 'Copy the affected rows back', text: 'Write a reviewed script that inserts or updates only the affected rows, and run it in a single transaction.' },
      { title: 'Delete the restore instance', text: 'Restore instances contain customer data; delete them within 24 hours.' },
    ],
    verify: ['Row counts match the expected values.', 'The data owner has confirmed the restored records.'],
    rollback: ['Keep a snapshot of the affected rows from before the copy, so that the copy itself can be undone.'],
  },
  {
    slug: 'hand-over-the-on-call-shift',
    title: 'Hand Over the On-call Shift',
    folder: 'engineering/on-call',
    domain: 'eng',
    scope: 'team',
    targets: ENG_TEAMS,
    lead: 'This runbook describes the weekly on-call handover for the {team} team.',
    facts: [
      'On-call shifts for {team} run for one week, starting on Tuesday at 10:00 local time.',
      'A written handover note is required even when nothing happened; "quiet week" is a perfectly good note.',
      'Open incidents are handed over explicitly, and the incoming engineer acknowledges each one.',
      'If you cannot cover part of your shift, arrange a swap and update {pagingTool} yourself.',
      'The on-call escalation path is primary on-call, then secondary on-call, then the engineering manager for {team}.',
    ],
    triggers: ['Your on-call week is ending.', 'You need to hand over mid-shift because you are unwell or unavailable.'],
    prerequisites: ['Access to {pagingTool} and the on-call handover template.'],
    steps: [
      { title: 'Review the week', text: 'List every page, its cause and whether a follow-up ticket exists.' },
      { title: 'Write the handover note', text: 'Use the template in the on-call folder and post the note in {channel}.' },
      { title: 'Walk through open issues', text: 'Spend ten minutes on a call with the incoming engineer on anything that is still open.' },
      { title: 'Confirm the schedule', text: 'Check in {pagingTool} that the incoming engineer is primary and that their phone notifications work.', code: sh('acmectl oncall who --team {teamSlug}') },
      { title: 'File toil tickets', text: 'Anything that paged more than once and could be automated becomes a ticket.' },
    ],
    verify: ['The incoming engineer has acknowledged the handover in {channel}.', '{pagingTool} shows the correct primary and secondary.'],
    rollback: ['If the incoming engineer is unavailable, stay on call and escalate to the engineering manager.'],
  },
  {
    slug: 'revoke-access-for-a-departing-employee',
    title: 'Revoke Access for a Departing Employee',
    folder: 'security/runbooks',
    domain: 'security',
    scope: 'team',
    targets: ['IT', 'Security Engineering'],
    lead: 'This runbook lists the steps {team} follows to remove every kind of access when someone leaves Acme.',
    facts: [
      'Access must be revoked within four hours of an employee\'s last working day, or immediately for involuntary departures.',
      'Suspending the {idp} account removes most access, but a few systems use local accounts and need manual steps.',
      'Shared secrets the person could read, such as break-glass passwords, must be rotated.',
      'Ownership of repositories, dashboards and service accounts transfers to the departing employee\'s manager.',
    ],
    triggers: ['People Operations has scheduled an offboarding in {hrTool}.', 'A manager reports an unplanned departure.'],
    prerequisites: ['The IT admin role in {idp}.', 'The offboarding ticket with the last working day.'],
    steps: [
      { title: 'Suspend the identity account', text: 'Suspend rather than delete, so that audit history is preserved.', code: sh('acmectl idp suspend user@acme.example --reason offboarding') },
      { title: 'Revoke sessions and tokens', text: 'Personal access tokens in the code host and cloud consoles are revoked by the same job.', code: sh('acmectl idp revoke-sessions user@acme.example') },
      { title: 'Remove local accounts', text: 'Check the list of systems with local accounts and remove the person from each one.' },
      { title: 'Rotate shared secrets', text: 'Rotate every shared secret the person could read, including the database credentials of services they operated.' },
      { title: 'Transfer ownership', text: 'Move their repositories, on-call slots and scheduled jobs to their manager.' },
    ],
    verify: ['The access report shows no active sessions.', 'The laptop is marked for return in the asset system.'],
    rollback: ['If someone was offboarded by mistake, IT reactivates the account with manager approval and new tokens are issued.'],
  },
  {
    slug: 'purge-the-cdn-cache',
    title: 'Purge the CDN Cache',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['checkout-web', 'admin-console', 'file-store', 'media-transcoder', 'invoice-renderer'],
    lead: 'This runbook explains how to purge cached content for {serviceName} from the CDN safely.',
    facts: [
      'The CDN caches static assets for {service} for up to a day and rendered pages for five minutes.',
      'Purging everything at once sends a burst of traffic to the origin, so purge by path whenever possible.',
      'Versioned asset URLs make purges rare; needing one usually means something bypassed the build pipeline.',
    ],
    triggers: ['Customers see stale assets after a release.', 'Content was published by mistake and must disappear quickly.'],
    prerequisites: ['The CDN operator role.', 'The exact paths or path prefixes to purge.'],
    steps: [
      { title: 'Identify the paths', text: 'Work out the narrowest set of paths that fixes the problem.' },
      { title: 'Purge by path', text: 'Purge only what you need.', code: sh('acmectl cdn purge --service {service} --path "/assets/app-*.js"') },
      { title: 'Watch origin load', text: 'Watch request throughput at the origin; it should settle within a few minutes.' },
      { title: 'Confirm freshness', text: 'Fetch the asset and check the cache status header.', code: sh('curl -sI https://{service}.acme.example/assets/app.js | grep -i x-cache') },
    ],
    verify: ['The asset is served fresh from every edge location you checked.', 'Origin load is back to normal.'],
    rollback: ['A purge cannot be rolled back; if the origin struggles, scale it out temporarily.'],
  },
  {
    slug: 'scale-the-ingest-workers',
    service: 'ingest-pipeline',
    title: 'Scale the Ingest Workers',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'region',
    lead: 'Use this runbook when the document ingest backlog in {region} grows faster than the workers can drain it.',
    facts: [
      'Ingest workers pull change events from connectors, split documents into chunks and hand them to the embedding workers.',
      'The ingest worker pool autoscales on queue depth, but its ceiling is set by hand to protect downstream rate limits.',
      'Embedding provider rate limits, not CPU, usually cap ingest throughput.',
      'Scaling up only helps when consumer lag is growing and the workers are busy; idle workers mean the bottleneck is elsewhere.',
    ],
    triggers: ['ConsumerLagGrowing is firing for the ingest pipeline in {region}.', 'A large customer import is scheduled.'],
    prerequisites: ['The operator role for the ingest pipeline.', 'The current provider rate limit from the Ingest Pipeline Health dashboard.'],
    steps: [
      { title: 'Check lag and utilization', text: 'Confirm that the workers are busy and that lag is growing.', code: sh('acmectl queue stats ingest-pipeline --region {region}') },
      { title: 'Raise the ceiling', text: 'Increase the maximum replica count in small steps.', code: sh('acmectl scale ingest-pipeline --region {region} --max-replicas 40') },
      { title: 'Watch for throttling', text: 'If the embedding provider starts throttling, more workers will not help; hold the ceiling where it is.' },
      { title: 'Lower the ceiling again', text: 'Once the backlog is drained, return the ceiling to its usual value.' },
    ],
    verify: ['Consumer lag is falling.', 'Index freshness is recovering on the Search Quality dashboard.'],
    rollback: ['Lower the ceiling to the previous value; the autoscaler removes extra workers within minutes.'],
  },
  {
    slug: 'respond-to-a-disk-space-alert',
    title: 'Respond to a Disk Space Alert',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'service',
    targets: ['event-bus', 'search-api', 'ledger-api', 'warehouse-loader', 'file-store', 'audit-log'],
    lead: 'This runbook covers DiskAlmostFull alerts on hosts and volumes used by {serviceName}.',
    facts: [
      'DiskAlmostFull warns at 85% usage and pages at 92%.',
      'Logs and temporary files are the usual culprits; data growth is slower and shows up in capacity reviews first.',
      'Never delete files from a database data directory by hand.',
    ],
    triggers: ['DiskAlmostFull is firing for a volume used by {service}.'],
    prerequisites: ['Shell access to the affected host or a debug container on it.'],
    steps: [
      { title: 'Find the largest directories', text: 'See what is actually using the space.', code: sh('du -xh / 2>/dev/null | sort -h | tail -20') },
      { title: 'Clear safe files', text: 'Remove rotated logs and temporary files that are older than a day.' },
      { title: 'Expand the volume', text: 'If the data is legitimate, grow the volume online.', code: sh('acmectl volume resize {service}-data --size +100Gi') },
      { title: 'File a follow-up', text: 'Open a ticket to fix whatever filled the disk, and link it from the alert.' },
    ],
    verify: ['Disk usage is below 80%.', 'The alert has resolved.'],
    rollback: ['Volume growth cannot be reversed; that is fine, and the cost is small.'],
  },
  {
    slug: 're-embed-documents-after-a-model-upgrade',
    service: 'embedding-worker',
    title: 'Re-embed Documents After a Model Upgrade',
    folder: 'engineering/runbooks',
    domain: 'eng',
    scope: 'region',
    lead: 'This runbook explains how to re-embed every document chunk in {region} after the embedding model changes.',
    facts: [
      'Embeddings from different models are not comparable, so a model upgrade requires re-embedding every chunk in the vector index.',
      'We re-embed into a new index and switch the alias, exactly like a rebuild, but without reusing stored embeddings.',
      'Re-embedding the full corpus costs real money, so get the estimate approved by the budget owner first.',
      'Re-embedding only changed documents is what keeps day-to-day costs low; a model upgrade is the exception.',
    ],
    triggers: ['A new embedding model has been approved for production.', 'The current model is being deprecated by the provider.'],
    prerequisites: ['An approved cost estimate.', 'The operator role for the search stack in {region}.'],
    steps: [
      { title: 'Estimate the cost', text: 'Count tokens in the document store and multiply by the provider price.', code: sh('acmectl vectors estimate --region {region} --model NEW_MODEL') },
      { title: 'Start the re-embed job', text: 'Write into a new index version.', code: sh('acmectl vectors rebuild --region {region} --model NEW_MODEL --target docs-v{version}') },
      { title: 'Track progress', text: 'Watch embedding throughput and provider throttling on the Ingest Pipeline Health dashboard.' },
      { title: 'Evaluate and switch', text: 'Run the golden query set, compare with the live index and switch the alias if quality holds.' },
    ],
    verify: ['Recall at 10 is equal to or better than before.', 'All new chunks are embedded with the new model.'],
    rollback: ['Point the alias back at the previous index; keep it for a week after a model change.'],
  },
];

/** Procedural guides for finance, people and support: same shape as runbooks, but not tied to a service. */
const GUIDES: readonly RunbookSpec[] = [
  {
    slug: 'submit-an-expense-report', title: 'Submit an Expense Report', folder: 'finance/procedures', domain: 'finance', scope: 'none',
    team: 'Finance', lead: 'This guide walks through submitting an expense report in {expenseTool} under the expense policy.',
    facts: [
      'Most expense reports take five minutes if receipts are photographed at the time of purchase.',
      'Expense reports are approved by your manager and then checked by Finance against the expense policy.',
      'Reimbursement arrives with the next payroll run after the expense report is approved.',
    ],
    triggers: ['You paid for a business expense with your own money.', 'Corporate card transactions are waiting for receipts.', 'A business trip has ended and you want to claim everything in one report.'],
    prerequisites: ['Access to {expenseTool} through {idp}.', 'Itemized receipts for every expense above {receiptThreshold}.', 'Your cost center, which your manager can tell you.'],
    steps: [
      { title: 'Collect your receipts', text: 'Photograph receipts or forward them to {expenseTool}; it reads the vendor, date and amount automatically.' },
      { title: 'Create a report', text: 'Create one report per trip or per month and name it so that a reviewer understands it, for example after the customer or event.' },
      { title: 'Code each expense', text: 'Choose a category and cost center for every line. Client meals also need the attendees and the business purpose.' },
      { title: 'Check the limits', text: 'Compare meals and lodging with the limits in the expense policy. Anything above a limit needs a short justification.' },
      { title: 'Submit for approval', text: 'Submit the report. Your manager is notified and usually approves within a few days.' },
    ],
    verify: ['The report shows as submitted in {expenseTool}.', 'Every line has a receipt or a written explanation.'],
    rollback: ['If you spot a mistake, recall the report before it is approved, fix it and resubmit. After approval, ask Finance in #finance-help.'],
  },
  {
    slug: 'run-the-month-end-close', title: 'Run the Month-End Close', folder: 'finance/procedures', domain: 'finance', scope: 'none',
    team: 'Finance', appliesTo: 'Finance team', lead: 'This checklist describes how Finance closes the books each month.',
    facts: [
      'The month-end close finishes on the fifth business day of the following month.',
      'Unreconciled corporate card transactions are the most common cause of a late close.',
      'Accruals are booked for services received but not yet invoiced.',
    ],
    triggers: ['The last business day of the month has passed.'],
    prerequisites: ['Access to the accounting system and {expenseTool}.', 'The close calendar for the quarter.'],
    steps: [
      { title: 'Remind cardholders', text: 'Three days before month end, send the reminder to reconcile card transactions and submit expense reports.' },
      { title: 'Reconcile bank accounts', text: 'Match every bank transaction with an accounting entry and investigate differences.' },
      { title: 'Book accruals', text: 'Ask budget owners for services received but not invoiced, and book accruals for them.' },
      { title: 'Review revenue', text: 'Reconcile invoiced revenue with the usage meter totals and the billing gateway.' },
      { title: 'Close the period', text: 'Lock the period in the accounting system and share the summary with leadership.' },
    ],
    verify: ['All accounts are reconciled.', 'The period is locked.', 'The summary has been shared.'],
    rollback: ['If an error is found after the close, book a correcting entry in the current period rather than reopening the old one.'],
  },
  {
    slug: 'request-a-purchase-order', title: 'Request a Purchase Order', folder: 'finance/procedures', domain: 'finance', scope: 'none',
    team: 'Finance', lead: 'This guide explains how to request a purchase order before committing to spend with a vendor.',
    facts: [
      'A purchase order is needed for any purchase above {amount} and for any vendor that will access our data.',
      'Vendors that process customer data also need a vendor security review.',
      'Purchase orders are approved by the budget owner and then by Finance.',
    ],
    triggers: ['You want to buy something above {amount}.', 'A vendor will start work before sending an invoice.'],
    prerequisites: ['A quote from the vendor.', 'The cost center and budget line.', 'A vendor security review, if the vendor touches data.'],
    steps: [
      { title: 'Check for an existing vendor', text: 'Search the procurement portal; a preferred vendor may already cover your need at a negotiated price.' },
      { title: 'Create the request', text: 'Create a purchase request in the procurement portal and attach the quote.' },
      { title: 'Get approvals', text: 'The budget owner approves the business need, then Finance confirms the budget and payment terms.' },
      { title: 'Send the purchase order', text: 'Once approved, the portal sends the purchase order to the vendor automatically.' },
    ],
    verify: ['The purchase order number appears in the portal.', 'The vendor has acknowledged the order.'],
    rollback: ['To cancel, close the purchase order in the portal and tell the vendor in writing.'],
  },
  {
    slug: 'book-business-travel', title: 'Book Business Travel', folder: 'finance/procedures', domain: 'finance', scope: 'none',
    team: 'Finance', lead: 'This guide covers booking a business trip under the travel policy.',
    facts: [
      'Business travel is booked through the travel portal so that we can find travellers in an emergency.',
      'Trips need manager approval before anything is booked.',
      'Meals and incidentals on the road are claimed afterwards under the expense policy.',
    ],
    triggers: ['You need to visit a customer, attend a conference or join an offsite.'],
    prerequisites: ['Manager approval for the trip.', 'Your cost center.'],
    steps: [
      { title: 'Get approval', text: 'Send your manager the purpose, dates and estimated cost.' },
      { title: 'Book in the travel portal', text: 'Book flights or trains and a hotel within the city caps.' },
      { title: 'Check the travel advisory', text: 'For international trips, read the advisory page and register your trip.' },
      { title: 'Claim expenses afterwards', text: 'When you are back, submit one expense report for the whole trip.' },
    ],
    verify: ['Your itinerary is in the travel portal.', 'Your manager has approved the trip.'],
    rollback: ['Cancel through the portal as early as possible; refundable fares are recovered automatically.'],
  },
  {
    slug: 'request-time-off', title: 'Request Time Off', folder: 'people/guides', domain: 'people', scope: 'none',
    team: 'People Operations', lead: 'This guide explains how to request vacation or other time off in {hrTool}.',
    facts: ['Time off is requested and approved in {hrTool}.', 'Give two weeks of notice for absences longer than three days.', 'If you are on call during your time off, arrange a swap first.'],
    triggers: ['You are planning a vacation.', 'You need a personal day.'],
    prerequisites: ['Your remaining balance, visible in {hrTool}.', 'A swap in {pagingTool} if you are on call.'],
    steps: [
      { title: 'Check your balance', text: 'Open {hrTool} and check how many days you have left this year.' },
      { title: 'Submit the request', text: 'Choose the dates and the type of leave and submit the request; your manager is notified.' },
      { title: 'Plan your handover', text: 'Agree with your team who covers what, and write it down in the team channel.' },
      { title: 'Set your status', text: 'Block your calendar and set an out-of-office reply before you leave.' },
    ],
    verify: ['The request shows as approved in {hrTool}.', 'Your calendar shows the absence.'],
    rollback: ['Plans change; cancel or edit the request in {hrTool} and your balance is restored.'],
  },
  {
    slug: 'prepare-for-parental-leave', title: 'Prepare for Parental Leave', folder: 'people/guides', domain: 'people', scope: 'none',
    team: 'People Operations', lead: 'This guide helps you and your manager plan parental leave under the parental leave policy.',
    facts: ['All new parents receive sixteen weeks of fully paid parental leave.', 'Leave can be split into up to three blocks within the first year.', 'People Operations handles every conversation about leave confidentially.'],
    triggers: ['You are expecting a child through birth, adoption, fostering or surrogacy.'],
    prerequisites: ['An expected date, even an approximate one.'],
    steps: [
      { title: 'Tell your manager and People Operations', text: 'Share your plans when you are comfortable, ideally eight weeks ahead.' },
      { title: 'Choose your blocks', text: 'Decide whether to take the leave in one block or several, and record it in {hrTool}.' },
      { title: 'Plan the handover', text: 'Write down ongoing work, decisions in flight and who will cover each area.' },
      { title: 'Plan your return', text: 'Agree a return date and whether you will use the part-time return period.' },
    ],
    verify: ['The leave is recorded in {hrTool}.', 'Your team knows who covers your work.'],
    rollback: ['Dates often move; update {hrTool} and tell your manager, and People Operations will adjust everything else.'],
  },
  {
    slug: 'change-teams-internally', title: 'Change Teams Internally', folder: 'people/guides', domain: 'people', scope: 'none',
    team: 'People Operations', lead: 'This guide explains how internal transfers work at Acme.',
    facts: ['Internal moves are encouraged after twelve months in a role.', 'Your current manager is told before you interview, but never asked for permission.', 'Transfers usually take effect four to six weeks after an offer.'],
    triggers: ['You have found an internal opening that interests you.', 'You want to explore a different kind of work.'],
    prerequisites: ['At least twelve months in your current role, or an exception from People Operations.'],
    steps: [
      { title: 'Talk to the hiring manager', text: 'Have an informal conversation about the role before applying.' },
      { title: 'Apply', text: 'Apply through the internal jobs page in {hrTool}.' },
      { title: 'Tell your manager', text: 'Let your current manager know once you move to interviews.' },
      { title: 'Agree the transition', text: 'Set a move date and a handover plan with both managers.' },
    ],
    verify: ['Your new team and manager appear in {hrTool}.', 'Your access has been updated for the new team.'],
    rollback: ['If the move does not work out in the first ninety days, People Operations helps you find a good next step.'],
  },
  {
    slug: 'run-a-performance-review', title: 'Run a Performance Review', folder: 'people/guides', domain: 'people', scope: 'none',
    team: 'People Operations', appliesTo: 'People managers', lead: 'This guide is for managers preparing and running a performance review.',
    facts: ['Reviews happen twice a year and should contain no surprises.', 'Feedback is based on examples from the whole period, not the last few weeks.', 'Calibration sessions make ratings consistent across teams.'],
    triggers: ['The review cycle has opened in {hrTool}.'],
    prerequisites: ['Notes from your one-on-ones.', 'Peer feedback collected in {hrTool}.'],
    steps: [
      { title: 'Gather evidence', text: 'Collect examples of impact, peer feedback and progress against goals.' },
      { title: 'Write the review', text: 'Describe strengths and growth areas with concrete examples.' },
      { title: 'Calibrate', text: 'Bring your draft to the calibration session for your department.' },
      { title: 'Hold the conversation', text: 'Share the review in a one-on-one and agree goals for the next period.' },
    ],
    verify: ['The review is shared and acknowledged in {hrTool}.', 'Goals for the next period are written down.'],
    rollback: ['If an employee disagrees with a review, People Operations offers a mediated follow-up conversation.'],
  },
  {
    slug: 'handle-a-refund-request', title: 'Handle a Refund Request', folder: 'support/playbooks', domain: 'support', scope: 'none',
    team: 'Customer Support', appliesTo: 'Support agents', lead: 'This playbook explains how support agents handle customer refund requests.',
    facts: ['Refunds above {amount} need approval from the support lead.', 'Duplicate charges are refunded without questions once confirmed.', 'Refunds appear on the customer statement within five to ten business days.'],
    triggers: ['A customer asks for a refund.', 'A customer reports a duplicate charge.'],
    prerequisites: ['Access to the admin console billing view.', 'The workspace ID and invoice number.'],
    steps: [
      { title: 'Confirm the charge', text: 'Find the invoice and payment in the admin console and confirm what the customer is describing.' },
      { title: 'Check eligibility', text: 'Duplicate charges and billing errors are always refundable; other requests follow the refund guidelines.' },
      { title: 'Get approval if needed', text: 'For amounts above {amount}, ask the support lead in #support-escalations.' },
      { title: 'Issue the refund', text: 'Issue the refund from the admin console and add an internal note.' },
      { title: 'Reply to the customer', text: 'Use the refund macro, personalize it and include the expected timing.' },
    ],
    verify: ['The refund shows as issued on the invoice.', 'The customer has received a reply.'],
    rollback: ['Refunds cannot be reversed. If a refund was issued by mistake, tell the support lead and Finance.'],
  },
  {
    slug: 'escalate-a-data-loss-report', title: 'Escalate a Data Loss Report', folder: 'support/playbooks', domain: 'support', scope: 'none',
    team: 'Customer Support', appliesTo: 'Support agents', lead: 'This playbook explains what to do when a customer reports missing or lost data.',
    facts: ['Reports of data loss are always treated as urgent until proven otherwise.', 'Most reports turn out to be permission or filter problems, but we never assume that.', 'Engineering can restore data from backups, so a quick escalation matters.'],
    triggers: ['A customer says documents, records or settings have disappeared.'],
    prerequisites: ['The workspace ID.', 'Examples of the missing items and when they were last seen.'],
    steps: [
      { title: 'Collect the facts', text: 'Ask for examples, timestamps and who last saw the data. Do not attempt any fix yourself.' },
      { title: 'Check the obvious', text: 'Check filters, permissions and the trash, but escalate in parallel rather than waiting.' },
      { title: 'Escalate', text: 'Post in #support-escalations with the workspace ID and examples, and page the on-call engineer for the product area.' },
      { title: 'Keep the customer informed', text: 'Send an update at least every four hours, even if there is no news.' },
    ],
    verify: ['An engineer has acknowledged the escalation.', 'The customer has received an acknowledgement.'],
    rollback: ['If the data turns out to be hidden rather than lost, explain why and close the escalation with a note.'],
  },
  {
    slug: 'communicate-with-customers-during-an-outage', title: 'Communicate with Customers During an Outage', folder: 'support/playbooks', domain: 'support', scope: 'none',
    team: 'Customer Support', appliesTo: 'Support agents', lead: 'This playbook describes how support communicates with customers during an incident.',
    facts: ['The status page is the single source of truth during an outage.', 'Support never speculates about causes or timings that engineering has not confirmed.', 'After the incident, enterprise customers receive a summary based on the incident postmortem.'],
    triggers: ['An incident has been declared and customers are affected.'],
    prerequisites: ['Access to the status page and the incident channel.'],
    steps: [
      { title: 'Join the incident channel', text: 'Read the latest update from the incident commander.' },
      { title: 'Link tickets', text: 'Tag incoming tickets with the incident and reply with the outage macro.' },
      { title: 'Update customers', text: 'Send updates when the status page changes, not more often.' },
      { title: 'Close the loop', text: 'When the incident is resolved, reply to every linked ticket and share the summary with enterprise customers.' },
    ],
    verify: ['Every linked ticket has received the resolution message.'],
    rollback: ['If a message contained wrong information, send a correction promptly and plainly.'],
  },
  {
    slug: 'respond-to-a-customer-security-questionnaire', title: 'Respond to a Customer Security Questionnaire', folder: 'support/playbooks', domain: 'support', scope: 'none',
    team: 'Customer Support', appliesTo: 'Support agents and account managers', lead: 'This playbook explains how to handle security questionnaires from customers and prospects.',
    facts: ['Most questions are answered by our trust center and the standard questionnaire.', 'Security Engineering reviews any answer that is not in the approved library.', 'Questionnaires usually take a week, so set expectations early.'],
    triggers: ['A customer or prospect sends a security questionnaire.'],
    prerequisites: ['The approved answer library.', 'A signed NDA, if the customer wants our audit reports.'],
    steps: [
      { title: 'Check the library', text: 'Answer what you can from the approved answer library.' },
      { title: 'Share standard documents', text: 'Share the trust center link and, under NDA, the audit reports.' },
      { title: 'Route the rest', text: 'Send unanswered questions to #security with the customer name and deadline.' },
      { title: 'Deliver and record', text: 'Send the completed questionnaire and save it so that future answers stay consistent.' },
    ],
    verify: ['Every question has an approved answer.', 'The questionnaire is saved in the library.'],
    rollback: ['If an answer was wrong, tell Security Engineering and send the customer a correction.'],
  },
];

// ------------------------------------------------------------------------------------------------ topic data: policies

interface RuleGroup {
  readonly heading: string;
  readonly rules: readonly string[];
}

interface PolicySpec {
  readonly slug: string;
  readonly title: string;
  readonly folder: string;
  readonly domain: Domain;
  readonly owner: string;
  readonly lead: string;
  readonly scope: string;
  readonly facts: readonly string[];
  readonly groups: readonly RuleGroup[];
}

const POLICIES: readonly PolicySpec[] = [
  {
    slug: 'expense-policy',
    title: 'Expense Policy',
    folder: 'finance/policies',
    domain: 'finance',
    owner: 'Finance',
    lead: 'This expense policy explains which business expenses Acme reimburses and how to claim them.',
    scope: 'The expense policy applies to every employee and to contractors who hold a company card.',
    facts: [
      'This expense policy explains which business expenses Acme reimburses and how to claim them.',
      'Expense reports are submitted in {expenseTool}, approved by your manager and then reviewed by Finance.',
      'When the expense policy does not cover a situation, use judgement and ask whether you would be comfortable explaining the expense to a colleague.',
      'The expense policy is reviewed every year alongside the travel policy.',
      'Expense reimbursement is not a perk; it exists so that nobody is out of pocket for doing their job.',
    ],
    groups: [
      {
        heading: 'What we reimburse',
        rules: [
          'Travel booked through the travel portal for approved business trips.',
          'Meals while travelling, up to {mealLimit} per day including tips.',
          'Client meals and entertainment with a documented business purpose.',
          'Software and books under {smallAmount} that you need for your work.',
          'Home internet up to {internetLimit} per month for remote employees.',
        ],
      },
      {
        heading: 'Receipts and deadlines',
        rules: [
          'Attach an itemized receipt for every expense above {receiptThreshold}.',
          'Submit expense reports within {days} days of the purchase.',
          'Use one report per trip or per month, not one report per receipt.',
          'A lost receipt needs a short written explanation approved by your manager.',
        ],
      },
      {
        heading: 'Approval limits',
        rules: [
          'Managers approve expense reports up to {amount}.',
          'Directors approve expense reports up to {bigAmount}.',
          'Anything larger needs approval from the budget owner and Finance.',
          'Nobody approves their own expenses or those of their manager.',
        ],
      },
      {
        heading: 'What we do not reimburse',
        rules: [
          'Personal travel extensions, or upgrades beyond economy class on flights shorter than six hours.',
          'Fines, penalties and parking tickets.',
          'Alcohol, except at approved client or team events.',
          'Gift cards and other cash equivalents.',
        ],
      },
    ],
  },
  {
    slug: 'travel-policy',
    title: 'Travel Policy',
    folder: 'finance/policies',
    domain: 'finance',
    owner: 'Finance',
    lead: 'The travel policy covers how to plan, book and pay for business travel at Acme.',
    scope: 'This policy applies to all business travel by employees, candidates and invited guests.',
    facts: [
      'Business travel must be approved by your manager before anything is booked.',
      'Book flights, trains and hotels through the travel portal so that we can locate travellers in an emergency.',
      'We choose the lowest reasonable fare, not the lowest possible one; a red-eye that ruins the next day is false economy.',
      'Travel expenses are claimed under the expense policy once the trip is over.',
    ],
    groups: [
      { heading: 'Booking', rules: ['Book at least fourteen days ahead when you can.', 'Use the travel portal for flights, trains and hotels.', 'Add the trip purpose and cost center to every booking.'] },
      { heading: 'Flights and trains', rules: ['Economy class for flights shorter than six hours, premium economy for longer ones.', 'Trains are preferred for journeys under four hours.', 'Loyalty points are yours to keep, but must not influence the booking.'] },
      { heading: 'Lodging', rules: ['Hotel rates follow the city caps published by Finance.', 'Short-term rentals are fine when they are cheaper than the hotel cap.', 'Stays with friends or family can claim a modest thank-you gift up to {smallAmount}.'] },
      { heading: 'Safety', rules: ['Check the travel advisory page before booking international trips.', 'Keep your contact details in the travel portal up to date.', 'If something goes wrong, call the travel assistance line printed on your itinerary.'] },
    ],
  },
  {
    slug: 'corporate-card-policy',
    title: 'Corporate Card Policy',
    folder: 'finance/policies',
    domain: 'finance',
    owner: 'Finance',
    lead: 'This policy sets out who can hold an Acme corporate card and how it must be used.',
    scope: 'The corporate card policy applies to every cardholder and to the managers who approve their statements.',
    facts: [
      'Corporate cards are issued to employees who regularly spend on behalf of the company.',
      'Every card transaction must be matched with a receipt in {expenseTool} within {days} days.',
      'The corporate card is for business spend only, even if you intend to pay the money back.',
      'Card limits are set by role and reviewed when someone changes jobs.',
    ],
    groups: [
      { heading: 'Eligibility', rules: ['Managers, frequent travellers and team event organizers can request a card.', 'Requests are approved by the budget owner and Finance.', 'Cards are cancelled automatically on your last working day.'] },
      { heading: 'Allowed use', rules: ['Business travel, meals and approved software purchases.', 'Recurring subscriptions only with approval from IT.', 'No personal purchases, cash withdrawals or gift cards.'] },
      { heading: 'Reconciliation', rules: ['Attach a receipt and a business purpose to every transaction.', 'Reconcile before the monthly close deadline.', 'Unreconciled transactions for two months lead to a suspended card.'] },
      { heading: 'Lost or stolen cards', rules: ['Freeze the card in the card app immediately.', 'Report it in #finance-help the same day.', 'Review recent transactions and flag any you do not recognize.'] },
    ],
  },
  {
    slug: 'procurement-and-vendor-approval-policy',
    title: 'Procurement and Vendor Approval Policy',
    folder: 'finance/procurement',
    domain: 'finance',
    owner: 'Finance',
    lead: 'This policy explains how Acme selects, approves and pays vendors.',
    scope: 'The procurement policy applies to every purchase of goods or services from a third party.',
    facts: [
      'Any new vendor that will process customer data must pass a vendor security review before signature.',
      'Purchases above {amount} need a purchase order raised before the vendor starts work.',
      'Contracts are signed only by people with delegated signing authority.',
      'Renewals are treated like new purchases if the price rises by more than ten percent.',
    ],
    groups: [
      { heading: 'When a purchase order is needed', rules: ['Any purchase above {amount}.', 'Any contract longer than twelve months.', 'Any vendor who will access our systems or data.'] },
      { heading: 'Approval chain', rules: ['The budget owner approves the business need.', 'Finance confirms the budget and payment terms.', 'Security Engineering reviews vendors that touch data.', 'Legal reviews non-standard contract terms.'] },
      { heading: 'Renewals', rules: ['Owners receive a reminder sixty days before each renewal.', 'Unused licences are removed before renewal.', 'Auto-renewal clauses are avoided where possible.'] },
    ],
  },
  {
    slug: 'on-call-escalation-policy',
    title: 'On-call Escalation Policy',
    folder: 'engineering/on-call',
    domain: 'eng',
    owner: 'Site Reliability',
    lead: 'This on-call escalation policy defines who gets paged, how quickly they must respond and when to escalate further.',
    scope: 'The on-call escalation policy applies to every team that runs a production service at Acme.',
    facts: [
      'This on-call escalation policy defines who gets paged, how quickly they must respond and when to escalate further.',
      'Every production service has a primary and a secondary on-call engineer at all times, scheduled in {pagingTool}.',
      'Escalation is not a failure; escalating early is expected whenever you are unsure or the impact is growing.',
      'The on-call escalation chain is reviewed after every SEV1 incident.',
      'An unacknowledged page escalates automatically, but you should never rely on that as a plan.',
      'On-call engineers are empowered to roll back, fail over or disable features without asking for permission.',
    ],
    groups: [
      {
        heading: 'Escalation levels',
        rules: [
          'Level 1: the primary on-call engineer for the owning team.',
          'Level 2: the secondary on-call engineer, paged automatically after {ackMinutes} minutes without acknowledgement.',
          'Level 3: the engineering manager on call for the department.',
          'Level 4: the incident commander rotation and the VP of Engineering, for SEV1 incidents.',
        ],
      },
      {
        heading: 'Response times',
        rules: [
          'SEV1: acknowledge within 5 minutes, at any time of day.',
          'SEV2: acknowledge within 15 minutes, at any time of day.',
          'SEV3: handle on the next business day.',
          'Pages that go unacknowledged escalate to the next level automatically.',
        ],
      },
      {
        heading: 'When to escalate',
        rules: [
          'Customer-facing impact lasting longer than thirty minutes.',
          'Any suspected data loss or security breach, immediately.',
          'You need a decision you are not authorized to make.',
          'You have worked an incident for two hours without a clear path to resolution.',
        ],
      },
      {
        heading: 'Rest and compensation',
        rules: [
          'On-call engineers receive a weekly stipend and time off in lieu after overnight pages.',
          'If you were paged after midnight, start late the next day.',
          'Shifts can be swapped freely as long as {pagingTool} is updated.',
        ],
      },
    ],
  },
  {
    slug: 'incident-postmortem-process',
    title: 'Incident Postmortem Process',
    folder: 'engineering/incidents',
    domain: 'eng',
    owner: 'Site Reliability',
    lead: 'This document describes when and how we write an incident postmortem at Acme.',
    scope: 'The postmortem process applies to all production incidents of severity SEV2 or higher and to security incidents.',
    facts: [
      'Every SEV1 and SEV2 incident gets a written incident postmortem within five business days.',
      'Postmortems are blameless: we look for the conditions that made the failure possible, not for someone to blame.',
      'The incident commander assigns a postmortem owner before the incident channel is archived.',
      'Action items from an incident postmortem are tracked like any other engineering work and reviewed weekly.',
      'A good postmortem is readable by someone who was not in the incident channel.',
    ],
    groups: [
      { heading: 'When a postmortem is required', rules: ['Any SEV1 or SEV2 incident.', 'Any incident involving data loss or a security breach.', 'Any near miss that a team lead believes is worth learning from.', 'Repeated SEV3 incidents with the same cause.'] },
      { heading: 'What a postmortem contains', rules: ['A summary that someone outside engineering can understand.', 'Impact in numbers: duration, affected customers and failed requests.', 'A timeline in UTC from the first signal to resolution.', 'The root cause and contributing factors.', 'Action items with owners and due dates.'] },
      { heading: 'Review', rules: ['The draft is reviewed in the weekly incident review meeting.', 'Reviewers check that action items address contributing factors, not just the trigger.', 'Published postmortems are shared in the engineering newsletter.'] },
      { heading: 'Follow-up', rules: ['SEV1 action items are due within thirty days.', 'Overdue action items are reported to engineering leadership every month.'] },
    ],
  },
  {
    slug: 'credential-and-secrets-management-policy',
    title: 'Credential and Secrets Management Policy',
    folder: 'security/policies',
    domain: 'security',
    owner: 'Security Engineering',
    lead: 'This policy defines how credentials and secrets are stored, rotated and revoked at Acme.',
    scope: 'It applies to every credential used by a person or a service: passwords, API keys, database credentials, tokens and certificates.',
    facts: [
      'All secrets live in {secretsTool}; copies in chat, tickets or documents are treated as leaked.',
      'Database credentials are rotated every 90 days and immediately after a suspected exposure.',
      'Services read credentials at startup or on change notifications, which makes rotation possible without code changes.',
      'Every secret has an owning team recorded in {secretsTool}.',
    ],
    groups: [
      { heading: 'Storage', rules: ['Store every secret in {secretsTool}.', 'Never commit secrets to a repository, even a private one.', 'Do not paste secrets into chat, tickets or documents.'] },
      { heading: 'Rotation', rules: ['Rotate database credentials every 90 days.', 'Rotate partner API keys every year.', 'Certificates renew automatically thirty days before expiry.', 'Rotate any shared secret when someone who could read it leaves.'] },
      { heading: 'Access', rules: ['Grant read access to secrets per service, not per person.', 'Human access to production secrets expires after {hours} hours.', 'Every read is logged and reviewed for anomalies.'] },
      { heading: 'Exposure response', rules: ['Treat a possibly exposed secret as compromised.', 'Rotate first, investigate second.', 'Report the exposure in #security.'] },
    ],
  },
  {
    slug: 'acceptable-use-policy',
    title: 'Acceptable Use Policy',
    folder: 'security/policies',
    domain: 'security',
    owner: 'Security Engineering',
    lead: 'This policy describes acceptable use of Acme devices, accounts and networks.',
    scope: 'It applies to employees, contractors and anyone else using Acme equipment or accounts.',
    facts: [
      'Company devices are for work, with reasonable personal use allowed.',
      'Installing software is fine as long as it comes from the approved catalog or has been reviewed.',
      'Customer data stays in approved systems and never goes to personal accounts or devices.',
    ],
    groups: [
      { heading: 'Devices', rules: ['Keep your operating system updated within fourteen days of a release.', 'Lock your screen whenever you step away.', 'Report lost or stolen devices to IT within an hour.'] },
      { heading: 'Accounts', rules: ['Use your own account; never share credentials.', 'Enable multi-factor authentication everywhere it is offered.', 'Use the company password manager for every work password.'] },
      { heading: 'Data', rules: ['Do not upload customer data to unapproved tools, including AI assistants.', 'Use approved file sharing for anything confidential.', 'Delete local copies of exports when you are done with them.'] },
    ],
  },
  {
    slug: 'data-retention-policy',
    title: 'Data Retention Policy',
    folder: 'security/policies',
    domain: 'security',
    owner: 'Legal',
    lead: 'This policy sets how long Acme keeps different kinds of data and how it is deleted.',
    scope: 'It covers customer data, employee data, logs and backups in every environment.',
    facts: [
      'We keep data only as long as we need it for the purpose it was collected for.',
      'Customer content is deleted within thirty days after a workspace is closed.',
      'Backups expire on a fixed schedule, so deleted data also leaves backups within a predictable window.',
      'Legal holds override normal retention and are managed only by Legal.',
    ],
    groups: [
      { heading: 'Retention periods', rules: ['Application logs: {days} days.', 'Audit logs: seven years.', 'Database backups: 35 days.', 'Support tickets: three years after closure.'] },
      { heading: 'Deletion', rules: ['Deletion requests are completed within thirty days.', 'Deletion removes data from the vector index and search caches as well as primary storage.', 'Every deletion job writes an audit record.'] },
      { heading: 'Legal holds', rules: ['Legal notifies data owners of a hold in writing.', 'Automated deletion is paused for held data only.', 'Holds are reviewed every quarter.'] },
    ],
  },
  {
    slug: 'access-review-policy',
    title: 'Access Review Policy',
    folder: 'security/policies',
    domain: 'security',
    owner: 'Security Engineering',
    lead: 'This policy describes the periodic review of who can access which systems.',
    scope: 'It applies to production systems, customer data stores, financial systems and administrative consoles.',
    facts: [
      'Managers review their team\'s access every quarter in {idp}.',
      'Access that is not confirmed during a review is removed automatically after fourteen days.',
      'Production access is granted per team and expires unless renewed.',
    ],
    groups: [
      { heading: 'Review cadence', rules: ['Production and customer data: quarterly.', 'Financial systems: quarterly, with Finance sign-off.', 'Everything else: twice a year.'] },
      { heading: 'Reviewer duties', rules: ['Confirm or revoke each entitlement individually.', 'Question any access that was granted as an exception.', 'Finish the review within fourteen days.'] },
      { heading: 'Evidence', rules: ['Review results are exported for auditors automatically.', 'Security Engineering samples reviews for quality.'] },
    ],
  },
  {
    slug: 'vendor-security-review-policy',
    title: 'Vendor Security Review Policy',
    folder: 'security/policies',
    domain: 'security',
    owner: 'Security Engineering',
    lead: 'This policy explains how Security Engineering reviews vendors before they get access to Acme data.',
    scope: 'It applies to any vendor that stores, processes or can access Acme or customer data.',
    facts: [
      'Vendors are tiered by the data they touch, and the depth of the review depends on the tier.',
      'A vendor security review usually takes two weeks, so start it early in procurement.',
      'High-risk vendors are reassessed every year.',
    ],
    groups: [
      { heading: 'Tiers', rules: ['Tier 1: processes customer data. Full questionnaire and evidence.', 'Tier 2: processes employee data. Standard questionnaire.', 'Tier 3: no data access. Lightweight check.'] },
      { heading: 'Evidence we accept', rules: ['A current SOC 2 Type II report or ISO 27001 certificate.', 'A recent penetration test summary.', 'A data processing agreement signed by both parties.'] },
    ],
  },
  {
    slug: 'remote-work-policy',
    title: 'Remote Work Policy',
    folder: 'people/policies',
    domain: 'people',
    owner: 'People Operations',
    lead: 'This policy describes how remote and hybrid work function at Acme.',
    scope: 'It applies to all employees, whether fully remote, hybrid or office-based.',
    facts: [
      'Acme is remote-friendly: most roles can be done from anywhere in the countries where we employ people.',
      'Remote employees receive a one-time home office stipend of {stipend} and a monthly internet allowance.',
      'Working from another country for more than four weeks needs approval because of tax and legal rules.',
      'Teams agree on core collaboration hours and write them down in their team page.',
    ],
    groups: [
      { heading: 'Where you can work', rules: ['From home or a co-working space in your country of employment.', 'From another country for up to four weeks a year with manager approval.', 'From an Acme office whenever you like.'] },
      { heading: 'Working hours', rules: ['Be available during your team\'s core collaboration hours.', 'Keep your calendar and status up to date.', 'Outside core hours, asynchronous communication is the norm.'] },
      { heading: 'Equipment and security', rules: ['Use your Acme laptop for work.', 'Avoid public Wi-Fi without the VPN.', 'Keep confidential conversations out of public spaces.'] },
    ],
  },
  {
    slug: 'parental-leave-policy',
    title: 'Parental Leave Policy',
    folder: 'people/policies',
    domain: 'people',
    owner: 'People Operations',
    lead: 'This policy describes the paid leave available to new parents at Acme.',
    scope: 'It applies to all employees who become parents through birth, adoption, fostering or surrogacy.',
    facts: [
      'All new parents receive sixteen weeks of fully paid parental leave, regardless of gender.',
      'Parental leave can be taken in up to three blocks within the first year.',
      'Where local law is more generous, local law applies.',
    ],
    groups: [
      { heading: 'Eligibility', rules: ['Available from your first day of employment.', 'Applies equally to birth, adoption, fostering and surrogacy.'] },
      { heading: 'Planning your leave', rules: ['Tell your manager and People Operations at least eight weeks ahead when you can.', 'Agree a handover plan with your manager.', 'Record the leave in {hrTool}.'] },
      { heading: 'Returning to work', rules: ['You can return part-time for the first four weeks at full pay.', 'Your manager schedules a return conversation in your first week back.'] },
    ],
  },
  {
    slug: 'paid-time-off-policy',
    title: 'Paid Time Off Policy',
    folder: 'people/policies',
    domain: 'people',
    owner: 'People Operations',
    lead: 'This policy explains how vacation, public holidays and sick leave work at Acme.',
    scope: 'It applies to all full-time and part-time employees.',
    facts: [
      'Everyone gets at least 25 days of vacation a year plus local public holidays.',
      'We expect people to take at least fifteen days of vacation a year, including one block of a week or more.',
      'Sick leave is separate from vacation and does not need a doctor\'s note for the first three days.',
    ],
    groups: [
      { heading: 'Vacation', rules: ['Request time off in {hrTool}.', 'Give two weeks\' notice for absences longer than three days.', 'Up to five unused days carry over to the next year.'] },
      { heading: 'Sick leave', rules: ['Tell your manager as early as you can.', 'Record sick days in {hrTool} when you are back.', 'Longer illness is handled with People Operations confidentially.'] },
      { heading: 'Company days off', rules: ['Acme closes between Christmas and New Year.', 'Each region gets two extra company days each year.'] },
    ],
  },
  {
    slug: 'equipment-and-home-office-policy',
    title: 'Equipment and Home Office Policy',
    folder: 'people/policies',
    domain: 'people',
    owner: 'IT',
    lead: 'This policy covers the equipment Acme provides and the home office stipend.',
    scope: 'It applies to all employees, with extra provisions for remote employees.',
    facts: [
      'Every employee receives a laptop, a monitor and a headset on their first day.',
      'Laptops are refreshed every three years, or sooner if they stop being fit for the job.',
      'The home office stipend of {stipend} covers a desk, a chair and anything else that makes your setup ergonomic.',
    ],
    groups: [
      { heading: 'Standard equipment', rules: ['Laptop chosen from the standard catalog.', 'One external monitor, keyboard and mouse.', 'A headset with a microphone.'] },
      { heading: 'Home office stipend', rules: ['Claim the stipend through {expenseTool} with receipts.', 'Items bought with the stipend are yours to keep.', 'The stipend renews every three years.'] },
      { heading: 'Returning equipment', rules: ['Return laptops and monitors when you leave.', 'IT sends a prepaid shipping box.'] },
    ],
  },
  {
    slug: 'learning-and-development-budget',
    title: 'Learning and Development Budget',
    folder: 'people/policies',
    domain: 'people',
    owner: 'People Operations',
    lead: 'Every employee has an annual learning budget; this page explains how to use it.',
    scope: 'It applies to all permanent employees after their first month.',
    facts: [
      'Each employee has an annual learning budget of {learningBudget}.',
      'Books, courses, conferences and certifications are all eligible.',
      'Unused budget does not carry over to the next year.',
    ],
    groups: [
      { heading: 'What the budget covers', rules: ['Courses and workshops related to your role or career path.', 'Conference tickets and the travel to attend.', 'Books and subscriptions to learning platforms.'] },
      { heading: 'How to use it', rules: ['Agree the plan with your manager.', 'Pay and claim through {expenseTool} under the learning category.', 'Share one thing you learned with your team.'] },
    ],
  },
  {
    slug: 'code-review-policy',
    title: 'Code Review Policy',
    folder: 'engineering/practices',
    domain: 'eng',
    owner: 'Developer Experience',
    lead: 'This policy sets the rules for reviewing and merging code at Acme.',
    scope: 'It applies to every repository that deploys to production or handles customer data.',
    facts: [
      'Every change to production code needs at least one approving review from someone other than the author.',
      'Reviews aim to start within one business day.',
      'Small changes get better reviews; aim for diffs under four hundred lines.',
      'Reviewers focus on correctness, clarity and operability before style.',
    ],
    groups: [
      { heading: 'Requirements', rules: ['One approval for most changes, two for changes to authentication, payments or infrastructure.', 'All checks must pass before merging.', 'Authors merge their own changes after approval.'] },
      { heading: 'Good reviews', rules: ['Explain the reason behind each request.', 'Separate blocking comments from suggestions.', 'Approve once the remaining comments are minor.'] },
      { heading: 'Emergencies', rules: ['During an incident a fix can merge with one approval from the on-call engineer.', 'Emergency merges get a follow-up review within one business day.'] },
    ],
  },
  {
    slug: 'change-management-policy',
    title: 'Change Management Policy',
    folder: 'engineering/practices',
    domain: 'eng',
    owner: 'Site Reliability',
    lead: 'This policy describes how production changes are planned, approved and rolled out.',
    scope: 'It applies to application deploys, infrastructure changes, configuration changes and database migrations.',
    facts: [
      'Most changes are standard changes: reviewed, tested, rolled out gradually and easy to revert.',
      'High-risk changes, such as database failovers or network changes, need a written plan and a second engineer.',
      'Change freezes apply around major holidays and large customer events.',
      'Every change is recorded automatically by {deployTool} or Terraform.',
    ],
    groups: [
      { heading: 'Change types', rules: ['Standard: peer-reviewed and deployed through the pipeline.', 'High-risk: written plan, second engineer and an agreed window.', 'Emergency: made during an incident and reviewed afterwards.'] },
      { heading: 'Rollout', rules: ['Deploy to staging first.', 'Use a canary before full production rollout.', 'Keep the rollback path ready and tested.'] },
      { heading: 'Change freezes', rules: ['Freezes are announced two weeks ahead in #deploys.', 'Exceptions need approval from the VP of Engineering.'] },
    ],
  },
];

// ------------------------------------------------------------------------------------------------ topic data: designs

interface NamedText {
  readonly name: string;
  readonly text: string;
}

interface DesignSpec {
  readonly slug: string;
  readonly system: string;
  readonly team: string;
  readonly service: string;
  readonly lead: string;
  readonly facts: readonly string[];
  readonly goals: readonly string[];
  readonly nonGoals: readonly string[];
  readonly components: readonly NamedText[];
  readonly flow: readonly string[];
  readonly failureModes: readonly string[];
  readonly alternatives: readonly NamedText[];
  readonly capacity: readonly (readonly [string, string, string])[];
}

const DESIGNS: readonly DesignSpec[] = [
  {
    slug: 'vector-index-service',
    system: 'Vector Index Service',
    team: 'Search Relevance',
    service: 'vector-indexer',
    lead: 'This design describes the vector index service that stores document embeddings and answers semantic search queries.',
    facts: [
      'The vector index service stores an embedding for every document chunk and answers approximate nearest-neighbour queries for semantic search.',
      'We use an IVF-PQ vector index because it keeps memory use predictable as the corpus grows.',
      'Each tenant gets a logical partition of the vector index, so deleting a tenant removes all of its vectors.',
      'Writes arrive from the embedding workers in small batches and become searchable after the next index refresh.',
      'The vector index is rebuilt from the document store whenever the schema or the embedding model changes.',
      'Query latency is dominated by the number of partitions probed; probing more partitions trades speed for recall.',
      'Every vector carries the document ID, chunk number and content hash, which lets the sync process skip unchanged chunks.',
    ],
    goals: ['Serve top-10 queries in under 50 ms at p99.', 'Make new or changed documents searchable within five minutes.', 'Support deletion of a single document or a whole tenant.'],
    nonGoals: ['Lexical ranking, which stays in the search cluster.', 'Training or hosting embedding models.'],
    components: [
      { name: 'Write API', text: 'Accepts batches of upserts and deletes keyed by chunk ID and validates vector dimensions.' },
      { name: 'Index shards', text: 'Hold the IVF-PQ structures in memory and persist segments to object storage.' },
      { name: 'Query router', text: 'Fans queries out to shards, merges candidates and applies tenant filters.' },
      { name: 'Compaction job', text: 'Merges small segments and drops deleted vectors every hour.' },
      { name: 'Snapshot store', text: 'Keeps daily snapshots so that a corrupted shard can be restored quickly.' },
    ],
    flow: [
      'A connector reports a changed document to the ingest pipeline.',
      'The ingest pipeline splits the document into chunks and hashes each chunk.',
      'Chunks whose hash changed are sent to the embedding workers.',
      'Embedding workers write vectors to the vector index through the write API.',
      'The next index refresh makes the vectors visible to queries.',
    ],
    failureModes: [
      'A shard loses its memory state: it reloads segments from object storage, and queries to it degrade to partial results.',
      'The embedding provider throttles: index freshness degrades but queries are unaffected.',
      'A bad segment is written: the compaction job detects the checksum mismatch and the shard is restored from a snapshot.',
    ],
    alternatives: [
      { name: 'A hosted vector database', text: 'Attractive operationally, but tenant deletion guarantees and data residency were hard to meet.' },
      { name: 'HNSW graphs', text: 'Better recall at small scale, but memory use grew faster than our budget allowed.' },
    ],
    capacity: [['Vectors stored', '180 million', '500 million'], ['Queries per second', '1,200', '5,000'], ['p99 query latency', '38 ms', '50 ms']],
  },
  {
    slug: 'event-bus',
    system: 'Event Bus',
    team: 'Data Infrastructure',
    service: 'event-bus',
    lead: 'This design describes the event bus that carries domain events between Acme services.',
    facts: [
      'The event bus is a managed Kafka cluster with a thin schema registry in front of it.',
      'Every topic has an owning team, a schema and a retention period recorded in the catalog.',
      'Producers publish after their database transaction commits, using the outbox pattern.',
      'Consumers must be idempotent because delivery is at least once.',
    ],
    goals: ['Decouple producers from consumers.', 'Keep seven days of replayable history.', 'Make schemas discoverable and versioned.'],
    nonGoals: ['Exactly-once delivery across services.', 'Request-response communication.'],
    components: [
      { name: 'Brokers', text: 'Three brokers per region with rack-aware replication.' },
      { name: 'Schema registry', text: 'Rejects messages that do not match the registered schema version.' },
      { name: 'Outbox relays', text: 'Read outbox tables and publish committed events.' },
      { name: 'Dead-letter topics', text: 'Collect messages that consumers could not process.' },
    ],
    flow: ['A service writes a row and an outbox record in one transaction.', 'The outbox relay publishes the event.', 'Consumers process the event and commit their offset.', 'Failures go to the dead-letter topic after five attempts.'],
    failureModes: ['A broker runs out of disk and stops accepting writes.', 'A consumer falls behind and lag grows.', 'A schema change breaks an old consumer.'],
    alternatives: [
      { name: 'A managed queue per integration', text: 'Simpler at first, but replay and fan-out were much harder.' },
      { name: 'Change data capture only', text: 'Exposes internal table structure to consumers.' },
    ],
    capacity: [['Messages per second', '45,000', '150,000'], ['Topics', '310', '1,000'], ['Retention', '7 days', '7 days']],
  },
  {
    slug: 'multi-region-failover',
    system: 'Multi-Region Failover',
    team: 'Site Reliability',
    service: 'rate-limiter',
    lead: 'This design describes how Acme fails production traffic over from one region to another.',
    facts: [
      'Production runs active-passive across two regions for each customer data residency zone.',
      'The recovery time objective is thirty minutes and the recovery point objective is five minutes.',
      'Regional failover is a decision made by the incident commander, not an automatic reaction.',
      'We rehearse a regional failover in a game day every quarter.',
    ],
    goals: ['Recover from the loss of a region within thirty minutes.', 'Lose at most five minutes of writes.', 'Keep customer data inside its residency zone.'],
    nonGoals: ['Active-active writes across regions.', 'Automatic failover on partial degradation.'],
    components: [
      { name: 'Traffic manager', text: 'DNS-based routing with health checks and manual override.' },
      { name: 'Database replication', text: 'Asynchronous cross-region replicas for every primary database.' },
      { name: 'Object storage replication', text: 'Bucket replication with versioning.' },
      { name: 'Failover controller', text: 'A scripted sequence that promotes databases and shifts traffic in order.' },
    ],
    flow: ['The incident commander declares a regional failover.', 'Writes are frozen in the failing region.', 'Replica databases in the standby region are promoted.', 'DNS weights shift traffic to the standby region.', 'Background jobs are started in the new region.'],
    failureModes: ['Replication lag exceeds the recovery point objective.', 'DNS caches keep clients on the failed region.', 'Capacity in the standby region is insufficient.'],
    alternatives: [
      { name: 'Active-active', text: 'Conflict resolution for financial data was too risky for our team size.' },
      { name: 'Backup and restore only', text: 'Recovery would take hours, not minutes.' },
    ],
    capacity: [['Recovery time', '41 minutes (last drill)', '30 minutes'], ['Replication lag p99', '2.1 s', '5 s'], ['Standby capacity', '60%', '100%']],
  },
  {
    slug: 'usage-metering-pipeline',
    system: 'Usage Metering Pipeline',
    team: 'Payments',
    service: 'usage-meter',
    lead: 'This design describes the pipeline that turns product usage events into billable quantities.',
    facts: [
      'Usage events are deduplicated by event ID before they are counted.',
      'Billable quantities are computed hourly and frozen at the end of each billing period.',
      'Late events are accepted for 48 hours and then routed to a manual adjustment queue.',
      'The usage meter is the only system allowed to write billable quantities to the ledger.',
    ],
    goals: ['Count every billable event exactly once.', 'Show customers near-real-time usage.', 'Make every invoice line traceable to raw events.'],
    nonGoals: ['Pricing logic, which lives in the billing gateway.', 'Analytics dashboards.'],
    components: [
      { name: 'Collector', text: 'Receives events from services and validates them.' },
      { name: 'Deduplicator', text: 'Keeps a seven-day window of seen event IDs.' },
      { name: 'Aggregator', text: 'Rolls events up per customer, meter and hour.' },
      { name: 'Ledger writer', text: 'Writes frozen quantities to the ledger at period close.' },
    ],
    flow: ['Services emit usage events to the event bus.', 'The collector validates and deduplicates them.', 'The aggregator updates hourly totals.', 'At period close the ledger writer freezes totals.'],
    failureModes: ['Duplicate events inflate usage if the deduplication window is too short.', 'Late events miss the period close.', 'A schema change drops a meter silently.'],
    alternatives: [
      { name: 'Counting in the warehouse', text: 'Too slow for the customer-facing usage page.' },
      { name: 'Counting in each service', text: 'Inconsistent and impossible to audit.' },
    ],
    capacity: [['Events per day', '900 million', '3 billion'], ['Meters', '64', '200'], ['Freshness', '7 minutes', '5 minutes']],
  },
  {
    slug: 'feature-flag-evaluation',
    system: 'Feature Flag Evaluation',
    team: 'Developer Experience',
    service: 'feature-flag-service',
    lead: 'This design describes how feature flags are stored, distributed and evaluated at request time.',
    facts: [
      'Flags are evaluated locally inside each service from a cached rule set, so evaluation never needs a network call.',
      'Rule sets are pushed to services within ten seconds of a change.',
      'Every flag has an owner and an expiry date, and stale flags are reported weekly.',
      'Changing a flag in production is audited like a deploy.',
    ],
    goals: ['Evaluate flags in under a millisecond.', 'Propagate changes within ten seconds.', 'Keep working if the flag service is down.'],
    nonGoals: ['Long-running experiments with statistical analysis.', 'Per-request remote configuration.'],
    components: [
      { name: 'Flag store', text: 'A small PostgreSQL database with an audit table.' },
      { name: 'Distribution service', text: 'Streams rule set updates to services.' },
      { name: 'Client libraries', text: 'Cache rule sets and evaluate them locally.' },
    ],
    flow: ['An engineer changes a flag in the admin console.', 'The change is written to the flag store and audited.', 'The distribution service pushes the new rule set.', 'Services evaluate requests against the new rules.'],
    failureModes: ['The distribution service is down: services keep their last rule set.', 'A bad rule disables a feature for everyone.', 'Stale flags accumulate and confuse readers.'],
    alternatives: [
      { name: 'A commercial flag service', text: 'Good product, but per-seat pricing did not fit our usage.' },
      { name: 'Environment variables', text: 'Changes required deploys.' },
    ],
    capacity: [['Flags', '850', '2,000'], ['Evaluations per second', '2 million', '10 million'], ['Propagation p99', '6 s', '10 s']],
  },
  {
    slug: 'document-ingestion-pipeline',
    system: 'Document Ingestion Pipeline',
    team: 'Data Infrastructure',
    service: 'ingest-pipeline',
    lead: 'This design describes how documents flow from connected sources into the search and vector indexes.',
    facts: [
      'Connectors report changes rather than full snapshots, so the pipeline only processes what changed.',
      'Every chunk is hashed, and unchanged chunks are never re-embedded.',
      'Deletes in a source must remove the matching vectors from the vector index within minutes.',
      'The pipeline is idempotent: replaying the same change twice produces the same index state.',
    ],
    goals: ['Keep the indexes in step with every connected source.', 'Pay for embeddings only when content changes.', 'Propagate deletes within five minutes.'],
    nonGoals: ['Editing documents in their source systems.', 'Ranking and query serving.'],
    components: [
      { name: 'Connectors', text: 'Poll or subscribe to sources and emit change events.' },
      { name: 'Chunker', text: 'Splits documents on headings and paragraphs into chunks of a few hundred tokens.' },
      { name: 'Change detector', text: 'Compares chunk hashes with the last indexed state.' },
      { name: 'Embedding workers', text: 'Call the embedding provider in batches and write vectors.' },
    ],
    flow: ['A connector emits a change event.', 'The chunker produces chunks with hashes.', 'The change detector drops unchanged chunks.', 'Embedding workers embed the rest.', 'Vectors and metadata are written to the vector index.'],
    failureModes: ['A connector misses a delete and stale content stays searchable.', 'The embedding provider throttles and freshness drops.', 'A chunker change alters every hash and triggers a full re-embed.'],
    alternatives: [
      { name: 'Nightly full re-index', text: 'Simple, but expensive and a day stale.' },
      { name: 'Embedding whole documents', text: 'Poor recall for long documents.' },
    ],
    capacity: [['Documents tracked', '42 million', '120 million'], ['Changes per hour', '310,000', '1 million'], ['Freshness p95', '3 minutes', '5 minutes']],
  },
  {
    slug: 'hybrid-search-ranking',
    system: 'Hybrid Search Ranking',
    team: 'Search Relevance',
    service: 'search-api',
    lead: 'This design describes how lexical and vector search results are combined into one ranking.',
    facts: [
      'Hybrid search runs a lexical query and a vector index query in parallel and fuses the two result lists.',
      'Reciprocal rank fusion is used because it needs no score calibration between the two retrievers.',
      'A small reranker model reorders the top fifty candidates when latency allows.',
      'Relevance is measured offline on the golden query set and online with click-through rate.',
    ],
    goals: ['Improve recall at 10 by five points over lexical search alone.', 'Keep p99 latency under 200 ms.', 'Explain rankings in the debug view.'],
    nonGoals: ['Personalized ranking.', 'Query autocomplete.'],
    components: [
      { name: 'Lexical retriever', text: 'BM25 over the search cluster.' },
      { name: 'Vector retriever', text: 'Nearest-neighbour search in the vector index.' },
      { name: 'Fusion', text: 'Combines both lists with reciprocal rank fusion.' },
      { name: 'Reranker', text: 'A cross-encoder that rescores the top candidates.' },
    ],
    flow: ['The query is embedded.', 'Both retrievers run in parallel.', 'Results are fused.', 'The reranker reorders the top candidates.', 'Results are filtered by permissions and returned.'],
    failureModes: ['The vector retriever times out: lexical results are returned alone.', 'The reranker is slow: it is skipped for that request.'],
    alternatives: [
      { name: 'Linear score blending', text: 'Needed constant re-tuning as the corpus changed.' },
      { name: 'Vector search only', text: 'Missed exact matches on names and error codes.' },
    ],
    capacity: [['Queries per second', '900', '3,000'], ['p99 latency', '170 ms', '200 ms'], ['Recall at 10', '0.81', '0.85']],
  },
  {
    slug: 'rate-limiting-at-the-edge',
    system: 'Rate Limiting at the Edge',
    team: 'Site Reliability',
    service: 'rate-limiter',
    lead: 'This design describes how API requests are rate limited before they reach application services.',
    facts: [
      'Limits are enforced per API key and per workspace using a token bucket.',
      'Counters live in a regional Redis cluster and tolerate brief inconsistency.',
      'Rejected requests receive a 429 response with a Retry-After header.',
    ],
    goals: ['Protect services from traffic spikes.', 'Give customers predictable, documented limits.'],
    nonGoals: ['Billing based on request counts.', 'Bot detection.'],
    components: [
      { name: 'Edge filter', text: 'Checks and decrements the bucket for each request.' },
      { name: 'Counter store', text: 'Redis with per-key expiry.' },
      { name: 'Limit configuration', text: 'Plans and overrides stored in the config service.' },
    ],
    flow: ['A request arrives at the edge.', 'The filter identifies the key and workspace.', 'The bucket is checked and decremented.', 'The request is forwarded or rejected.'],
    failureModes: ['Redis is unavailable: the filter fails open with a conservative local limit.', 'A misconfigured override blocks a large customer.'],
    alternatives: [{ name: 'Limits inside each service', text: 'Inconsistent and duplicated effort.' }],
    capacity: [['Requests per second', '60,000', '200,000'], ['Added latency p99', '1.2 ms', '2 ms']],
  },
  {
    slug: 'audit-log-storage',
    system: 'Audit Log Storage',
    team: 'Security Engineering',
    service: 'audit-log',
    lead: 'This design describes how audit events are stored so that they are complete and tamper-evident.',
    facts: [
      'Audit events are written to an append-only store in a separate account.',
      'Each batch is hash-chained to the previous one, which makes tampering detectable.',
      'Customers can export their own audit events through the API.',
      'Audit events are kept for seven years.',
    ],
    goals: ['Never lose an audit event.', 'Detect tampering.', 'Let customers search and export their events.'],
    nonGoals: ['Real-time alerting on audit events.', 'Storing application logs.'],
    components: [
      { name: 'Ingest endpoint', text: 'Receives events from services over mutual TLS.' },
      { name: 'Append-only store', text: 'Object storage with object lock.' },
      { name: 'Index', text: 'A searchable index of event metadata.' },
    ],
    flow: ['A service emits an audit event.', 'The endpoint validates and batches events.', 'Batches are hash-chained and stored.', 'The index is updated for search.'],
    failureModes: ['The ingest endpoint is down: services buffer events locally.', 'The index lags: search results are incomplete but storage is intact.'],
    alternatives: [{ name: 'Storing audit events in each service database', text: 'Easy to tamper with and hard to export.' }],
    capacity: [['Events per day', '120 million', '400 million'], ['Retention', '7 years', '7 years']],
  },
  {
    slug: 'secrets-distribution',
    system: 'Secrets Distribution',
    team: 'Security Engineering',
    service: 'config-service',
    lead: 'This design describes how services receive secrets and pick up rotated credentials without restarts.',
    facts: [
      'Services fetch secrets from {secretsTool} at startup and subscribe to change notifications.',
      'Rotated database credentials are picked up on the next connection, so rotation needs no restart.',
      'Each service identity can read only its own secret paths.',
      'Every secret read is logged with the calling identity.',
    ],
    goals: ['Make credential rotation a non-event.', 'Limit each service to its own secrets.', 'Audit every read.'],
    nonGoals: ['Storing customer secrets.', 'Human password management.'],
    components: [
      { name: 'Secret store', text: '{secretsTool}, backed by a hardware security module.' },
      { name: 'Sidecar agent', text: 'Fetches secrets, writes them to memory and watches for changes.' },
      { name: 'Rotation scheduler', text: 'Triggers rotations and verifies consumers picked them up.' },
    ],
    flow: ['The rotation scheduler creates a new secret version.', 'Sidecars receive the change notification.', 'Connection pools open new connections with the new credential.', 'The scheduler disables the old version after the overlap window.'],
    failureModes: ['A consumer without a sidecar keeps the old credential and fails after revocation.', 'The secret store is unavailable: sidecars serve cached values.'],
    alternatives: [{ name: 'Secrets in environment variables', text: 'Rotation required a restart of every consumer.' }],
    capacity: [['Secrets managed', '4,800', '10,000'], ['Reads per minute', '22,000', '60,000']],
  },
];

// ------------------------------------------------------------------------------------------------ topic data: FAQs

interface QA {
  readonly q: string;
  readonly a: string;
}

interface FaqSpec {
  readonly slug: string;
  readonly title: string;
  readonly folder: string;
  readonly domain: Domain;
  readonly team: string;
  readonly lead: string;
  readonly facts: readonly string[];
  readonly qas: readonly QA[];
}

const FAQS: readonly FaqSpec[] = [
  {
    slug: 'on-call-faq',
    title: 'On-call FAQ',
    folder: 'engineering/on-call',
    domain: 'eng',
    team: 'Site Reliability',
    lead: 'Answers to the questions engineers ask most often about being on call at Acme.',
    facts: [
      'Being on call means being reachable and able to act within the response times in the on-call escalation policy.',
      'Every team with a production service has a weekly on-call rotation in {pagingTool}.',
      'New engineers shadow two on-call shifts before joining the rotation.',
    ],
    qas: [
      { q: 'How do I know when my on-call shift starts?', a: '{pagingTool} sends a reminder a day before your shift, and the schedule is visible in the team calendar.' },
      { q: 'What should I do if I miss a page?', a: 'Acknowledge it as soon as you see it, check whether the secondary picked it up, and mention it in your handover note. Missing a page once is not a disaster; that is why the escalation chain exists.' },
      { q: 'When should I escalate?', a: 'Escalate whenever you are unsure, when customer impact lasts longer than thirty minutes, or when you need a decision you cannot make. The on-call escalation policy lists the levels.' },
      { q: 'Can I swap shifts?', a: 'Yes. Agree the swap with a colleague and update {pagingTool} yourself.' },
      { q: 'Do I get time off after a night page?', a: 'Yes. If you were paged after midnight, start late the next day, and log the time in lieu in {hrTool}.' },
      { q: 'Who is the secondary on-call?', a: 'The secondary is shown next to the primary in {pagingTool} and gets paged automatically if the primary does not acknowledge.' },
      { q: 'What if I am paged for a service I do not know?', a: 'Follow the runbook linked from the alert. If there is none, escalate to the owning team and file a ticket about the missing runbook.' },
      { q: 'Is there a stipend for being on call?', a: 'Yes, a weekly stipend is paid with the next payroll run after your shift.' },
    ],
  },
  {
    slug: 'expense-reports-faq',
    title: 'Expense Reports FAQ',
    folder: 'finance/faq',
    domain: 'finance',
    team: 'Finance',
    lead: 'Common questions about expense reports and reimbursements under the expense policy.',
    facts: [
      'Expense reports are filed in {expenseTool} and follow the expense policy.',
      'Finance answers expense questions in #finance-help, usually within a business day.',
      'Most rejected expense reports are missing a receipt or a business purpose.',
    ],
    qas: [
      { q: 'How long do I have to submit an expense report?', a: 'Submit within {days} days of the purchase. Older receipts are flagged and need an explanation.' },
      { q: 'Is my home internet reimbursable?', a: 'For remote employees, yes, up to {internetLimit} per month under the expense policy.' },
      { q: 'What if I lost a receipt?', a: 'Add a short note explaining what was bought and why, and ask your manager to approve it. Repeated missing receipts are followed up by Finance.' },
      { q: 'Who approves my expense report?', a: 'Your manager approves it first; larger amounts also need a director or the budget owner.' },
      { q: 'Can I expense a team lunch?', a: 'Team events are covered by your team\'s event budget, which your manager can tell you about.' },
      { q: 'How are foreign currency expenses converted?', a: '{expenseTool} converts at the rate on the transaction date. Card transactions use the rate your card provider applied.' },
      { q: 'When will I be reimbursed?', a: 'Approved expenses are paid with the next payroll run.' },
      { q: 'Can I submit expenses for a contractor?', a: 'No. Contractors invoice their expenses directly with their own invoices.' },
    ],
  },
  {
    slug: 'benefits-enrollment-faq',
    title: 'Benefits Enrollment FAQ',
    folder: 'people/faq',
    domain: 'people',
    team: 'People Operations',
    lead: 'Questions about enrolling in health, retirement and other benefits.',
    facts: [
      'Benefits enrollment happens within thirty days of your start date and during open enrollment each November.',
      'Benefit options differ by country, and {hrTool} shows only the ones available to you.',
    ],
    qas: [
      { q: 'When can I enroll in benefits?', a: 'Within thirty days of joining, during open enrollment, or after a qualifying life event.' },
      { q: 'What counts as a qualifying life event?', a: 'Marriage, a new child, a divorce, or losing other coverage are the most common examples.' },
      { q: 'Can I add my partner to my health plan?', a: 'Yes, in most countries. Add them in {hrTool} during an enrollment window.' },
      { q: 'Does Acme match retirement contributions?', a: 'Yes, where a retirement plan is offered; the details depend on your country.' },
      { q: 'Where do I find my benefits summary?', a: 'In {hrTool} under the benefits tab, together with provider contact details.' },
      { q: 'Who do I ask about a claim?', a: 'Contact the provider first. If that does not help, People Operations can escalate on your behalf.' },
    ],
  },
  {
    slug: 'laptop-and-equipment-faq',
    title: 'Laptop and Equipment FAQ',
    folder: 'people/faq',
    domain: 'people',
    team: 'IT',
    lead: 'Answers about laptops, peripherals and the home office stipend.',
    facts: ['IT ships your laptop before your first day so that it is ready when you start.', 'Equipment requests go through the IT portal.'],
    qas: [
      { q: 'Which laptop will I get?', a: 'A standard model chosen for your role; engineers can choose between two configurations.' },
      { q: 'My laptop is broken. What now?', a: 'Open a ticket in the IT portal. IT ships a loaner within two business days.' },
      { q: 'Can I use my own laptop?', a: 'No. Only managed Acme devices may access company systems.' },
      { q: 'How do I claim the home office stipend?', a: 'Buy what you need and claim it in {expenseTool} with receipts, up to {stipend}.' },
      { q: 'What happens to my equipment when I leave?', a: 'IT sends a prepaid box for the laptop and monitor. Items bought with the stipend are yours.' },
    ],
  },
  {
    slug: 'vpn-and-remote-access-faq',
    title: 'VPN and Remote Access FAQ',
    folder: 'security/faq',
    domain: 'security',
    team: 'IT',
    lead: 'How to reach internal systems securely from outside the office.',
    facts: ['Most internal tools are available through {idp} without a VPN.', 'The VPN is needed only for a small number of legacy systems and production consoles.'],
    qas: [
      { q: 'Do I need the VPN?', a: 'Usually not. Most tools work through {idp}. The VPN is for legacy systems and production consoles.' },
      { q: 'The VPN will not connect. What should I try?', a: 'Restart the client, check that your device is compliant, and then open a ticket with IT.' },
      { q: 'Can I use the VPN from another country?', a: 'Yes, within the rules of the remote work policy.' },
      { q: 'Why is my device marked non-compliant?', a: 'It is usually missing an update or disk encryption. The endpoint agent explains what to fix.' },
    ],
  },
  {
    slug: 'secrets-and-credentials-faq',
    title: 'Secrets and Credentials FAQ',
    folder: 'security/faq',
    domain: 'security',
    team: 'Security Engineering',
    lead: 'Frequently asked questions about storing and rotating secrets and credentials.',
    facts: [
      'Database credentials are rotated every 90 days by automation, with a human confirming the final revoke step.',
      'All secrets live in {secretsTool}.',
    ],
    qas: [
      { q: 'How often are database credentials rotated?', a: 'Every 90 days, and immediately after any suspected exposure. The rotate database credentials runbook explains the steps.' },
      { q: 'I pasted a secret into chat. What do I do?', a: 'Delete the message, rotate the secret immediately and tell #security. Rotation matters more than deletion.' },
      { q: 'How does my service get its secrets?', a: 'Through the sidecar agent, which fetches them from {secretsTool} and watches for rotations.' },
      { q: 'Can I share a secret with a vendor?', a: 'Only through a one-time secure share link, and only after the vendor security review.' },
      { q: 'Who owns a secret?', a: 'The team recorded as owner in {secretsTool}. Personal ownership is not allowed.' },
    ],
  },
  {
    slug: 'time-off-faq',
    title: 'Time Off FAQ',
    folder: 'people/faq',
    domain: 'people',
    team: 'People Operations',
    lead: 'Questions about vacation, sick leave and public holidays.',
    facts: ['Time off is requested and approved in {hrTool}.', 'Everyone gets at least 25 days of vacation plus public holidays.'],
    qas: [
      { q: 'How do I request time off?', a: 'Submit a request in {hrTool}; your manager gets a notification.' },
      { q: 'How much notice do I need to give?', a: 'Two weeks for absences longer than three days; less for shorter ones.' },
      { q: 'Do unused days carry over?', a: 'Up to five days carry over to the next year.' },
      { q: 'What if I get sick during my vacation?', a: 'Those days count as sick leave instead; update the request in {hrTool}.' },
      { q: 'Can I take time off during my on-call week?', a: 'Yes, once you have arranged a swap in {pagingTool}.' },
    ],
  },
  {
    slug: 'incident-response-faq',
    title: 'Incident Response FAQ',
    folder: 'engineering/incidents',
    domain: 'eng',
    team: 'Site Reliability',
    lead: 'Questions about declaring incidents, running them and writing the incident postmortem afterwards.',
    facts: [
      'Anyone can declare an incident; declaring one that turns out to be minor is always fine.',
      'Every SEV1 and SEV2 incident ends with a blameless incident postmortem.',
      'The incident commander coordinates and communicates; others investigate.',
    ],
    qas: [
      { q: 'How do I declare an incident?', a: 'Type `/incident declare` in {channel}. It creates a channel, a document and pages the incident commander rotation.' },
      { q: 'Who writes the incident postmortem?', a: 'The postmortem owner named by the incident commander, usually someone from the team that owns the affected service.' },
      { q: 'How soon is the postmortem due?', a: 'Within five business days of resolution.' },
      { q: 'Is a postmortem about blame?', a: 'No. Postmortems are blameless and focus on the conditions that allowed the failure.' },
      { q: 'How do I pick a severity?', a: 'SEV1 is a broad outage or data loss, SEV2 a major feature broken for many customers, SEV3 a limited problem.' },
      { q: 'Who updates the status page?', a: 'The incident commander or a delegated communications lead.' },
    ],
  },
  {
    slug: 'billing-and-invoices',
    title: 'Customer FAQ: Billing and Invoices',
    folder: 'support/faq',
    domain: 'support',
    team: 'Customer Support',
    lead: 'Support answers for customer questions about billing, invoices and payment methods.',
    facts: ['Invoices are issued on the first day of each billing period.', 'Customers can download invoices from the billing page in their workspace.'],
    qas: [
      { q: 'Where can a customer find their invoices?', a: 'On the billing page of their workspace, under invoices. Admins can also set a billing email address.' },
      { q: 'A customer was charged twice. What do we do?', a: 'Check the payment history in the admin console. If the duplicate is confirmed, refund it and link the ticket to the Payments queue.' },
      { q: 'Can customers pay by bank transfer?', a: 'Yes, on annual plans. The invoice shows the bank details.' },
      { q: 'How is usage-based pricing calculated?', a: 'From the usage meter totals for the billing period; the invoice lists each meter.' },
      { q: 'Can we change the company name on an invoice?', a: 'Yes. Update the billing profile and regenerate the invoice from the admin console.' },
    ],
  },
  {
    slug: 'single-sign-on-setup',
    title: 'Customer FAQ: Single Sign-On Setup',
    folder: 'support/faq',
    domain: 'support',
    team: 'Customer Support',
    lead: 'Support answers for customers configuring single sign-on.',
    facts: ['SSO is available on business and enterprise plans.', 'Customers configure SSO with SAML or OpenID Connect.'],
    qas: [
      { q: 'Which identity providers are supported?', a: 'Any provider that supports SAML 2.0 or OpenID Connect.' },
      { q: 'Users cannot log in after SSO was enabled. What now?', a: 'Check that the email domain is verified and that users are assigned to the application in the customer\'s identity provider.' },
      { q: 'Can SSO be enforced for all users?', a: 'Yes, with SSO enforcement on enterprise plans; owners keep a break-glass password login.' },
      { q: 'How do we rotate the SAML signing certificate?', a: 'The customer uploads the new certificate before the old one expires; both are accepted during the overlap.' },
    ],
  },
  {
    slug: 'search-results-and-indexing',
    title: 'Customer FAQ: Search Results and Indexing',
    folder: 'support/faq',
    domain: 'support',
    team: 'Customer Support',
    lead: 'Support answers for questions about search quality, indexing delays and missing documents.',
    facts: [
      'New and changed documents normally appear in search within five minutes, once the vector index has caught up.',
      'Search combines keyword matching with semantic matching from the vector index.',
      'Deleted documents disappear from search results within a few minutes.',
    ],
    qas: [
      { q: 'Why does a new document not appear in search?', a: 'Indexing usually takes a few minutes. If it takes longer than an hour, check the connector status and escalate with the document ID.' },
      { q: 'Why do results include documents without my exact words?', a: 'Semantic search finds documents with similar meaning using the vector index, even when the wording differs.' },
      { q: 'A deleted document still shows up. What should I do?', a: 'Collect the document ID and escalate; deletes should propagate to the vector index within minutes.' },
      { q: 'Can customers exclude folders from search?', a: 'Yes, admins can exclude folders in the connector settings.' },
      { q: 'How do we report a bad search result?', a: 'Use the feedback button or send the query and expected document to #support-escalations.' },
    ],
  },
  {
    slug: 'exporting-your-data',
    title: 'Customer FAQ: Exporting Your Data',
    folder: 'support/faq',
    domain: 'support',
    team: 'Customer Support',
    lead: 'Support answers for customers who want to export their data.',
    facts: ['Workspace admins can export data as CSV or JSON from the settings page.', 'Large exports run in the background and send an email when ready.'],
    qas: [
      { q: 'What can be exported?', a: 'Documents, metadata, invoices and audit events, depending on the plan.' },
      { q: 'How long does an export take?', a: 'Small exports finish in minutes; very large workspaces can take several hours.' },
      { q: 'How long is the download link valid?', a: 'Seven days, after which the export must be requested again.' },
      { q: 'Can exports be automated?', a: 'Yes, through the export API with an API key that has the export scope.' },
    ],
  },
];

// ------------------------------------------------------------------------------------------------ topic data: incidents

interface IncidentSpec {
  readonly slug: string;
  readonly title: string;
  readonly services: readonly string[];
  readonly severity: number;
  readonly summary: string;
  readonly facts: readonly string[];
  readonly timeline: readonly string[];
  readonly rootCause: readonly string[];
  readonly factors: readonly string[];
  readonly detection: string;
  readonly resolution: string;
  readonly actions: readonly string[];
}

const INCIDENTS: readonly IncidentSpec[] = [
  {
    slug: 'connection-pool-exhaustion',
    title: '{serviceName} Outage Caused by Connection Pool Exhaustion',
    services: ['ledger-api', 'billing-gateway', 'customer-profile', 'checkout-web', 'auth-service'],
    severity: 2,
    summary: 'For {minutes} minutes, most requests to {service} failed because its database connection pool was exhausted.',
    facts: [
      'A slow query held connections far longer than usual, and the pool ran dry.',
      'Connection pool exhaustion looks like a database outage from the outside, but the database itself was healthy.',
      'The pool size had not been revisited since traffic doubled last year.',
    ],
    timeline: [
      'A new report query starts running against the {service} primary.',
      '{alert} fires as connection pool utilization reaches 100%.',
      'The on-call engineer from {team} acknowledges the page.',
      'Incident declared; an incident commander is assigned.',
      'The slow query is identified from database activity.',
      'The report job is disabled and connections recover.',
      'Error rates return to normal; incident resolved.',
    ],
    rootCause: [
      'A new reporting feature ran an unindexed query on the primary instead of a read replica.',
      'Each request waited on that query for several seconds while holding a connection.',
    ],
    factors: ['The pool size had not changed in a year.', 'Reporting queries were not routed to replicas by default.', 'No statement timeout was configured for the application role.'],
    detection: 'The connection pool alert fired within three minutes, but it initially looked like a database outage.',
    resolution: 'Disabling the report job released connections immediately; the query was later rewritten and moved to a replica.',
    actions: ['Set a statement timeout for the application role.', 'Route reporting queries to read replicas by default.', 'Alert on pool wait time, not only utilization.', 'Review pool sizes for every service.'],
  },
  {
    slug: 'expired-tls-certificate',
    title: 'Expired TLS Certificate on {serviceName}',
    services: ['webhook-relay', 'sso-bridge', 'identity-proxy', 'search-api', 'mobile-api'],
    severity: 2,
    summary: 'Clients could not connect to {service} for {minutes} minutes because its TLS certificate expired.',
    facts: [
      'Automatic certificate renewal failed silently for three weeks.',
      'The expiry alert was routed to a channel that nobody was watching.',
      'Renewal failed because a DNS validation record had been removed during a cleanup.',
    ],
    timeline: [
      'The TLS certificate for {service} expires.',
      'Synthetic checks fail and the on-call engineer is paged.',
      'Support reports customers unable to connect.',
      'The expired certificate is identified.',
      'A new certificate is issued manually and attached.',
      'Connections recover; incident resolved.',
    ],
    rootCause: ['The DNS record used for certificate validation was deleted in a cleanup, so renewals failed.', 'Renewal failure notifications went to an archived channel.'],
    factors: ['Nobody owned the DNS cleanup end to end.', 'Expiry alerts did not page.'],
    detection: 'Synthetic checks detected the failure within a minute of expiry.',
    resolution: 'A certificate was issued manually and the validation record restored.',
    actions: ['Page on certificates expiring within seven days.', 'Protect validation records from cleanup scripts.', 'Audit alert routing for archived channels.'],
  },
  {
    slug: 'credential-rotation-missed-consumer',
    title: 'Failed Logins After Database Credential Rotation on {serviceName}',
    services: ['ledger-api', 'billing-gateway', 'customer-profile', 'usage-meter', 'report-builder'],
    severity: 2,
    summary: 'After a scheduled database credential rotation for {service}, a consumer that still used the old credential failed for {minutes} minutes.',
    facts: [
      'The rotation itself worked; a nightly export job that read the database credential from a file was the consumer nobody listed.',
      'Rotating database credentials is routine, but every consumer has to pick up the new secret before the old one is revoked.',
      'This incident is why the rotate database credentials runbook now asks for a full list of consumers before starting.',
    ],
    timeline: [
      'The automated rotation job creates a new database credential for {service}.',
      'Production consumers restart and pick up the new credential.',
      'The rotation job revokes the previous credential.',
      '{alert} fires; failed logins on the {service} primary spike.',
      'The on-call engineer from {team} acknowledges the page.',
      'The failing consumer is identified as the nightly export job.',
      'The previous credential is re-enabled and the export recovers.',
      'The export job is changed to read credentials from {secretsTool}; incident resolved.',
    ],
    rootCause: [
      'The nightly export job read the database credential from a file baked into its image instead of from {secretsTool}.',
      'The rotation process revoked the old credential without checking for remaining connections that used it.',
    ],
    factors: ['The service catalog did not list the export job as a consumer.', 'The revoke step did not check active sessions per role.', 'Failed login alerts were tuned for attacks rather than misconfiguration.'],
    detection: 'The failed login alert fired within five minutes of the revoke.',
    resolution: 'Re-enabling the previous secret version restored access; the job was moved onto the sidecar agent.',
    actions: ['Block the revoke step while sessions still use the old role.', 'Add batch jobs to the service catalog as consumers.', 'Move all consumers onto the secrets sidecar.', 'Update the rotate database credentials runbook.'],
  },
  {
    slug: 'misconfigured-feature-flag',
    title: 'Misconfigured Feature Flag Disabled {serviceName} Features',
    services: ['checkout-web', 'admin-console', 'report-builder', 'mobile-api', 'search-api'],
    severity: 3,
    summary: 'A feature flag change turned off a feature for all customers instead of a test cohort.',
    facts: [
      'The flag rule was inverted: the condition meant for the test cohort matched everyone else.',
      'Flag changes take effect within seconds, which makes them fast to break and fast to fix.',
    ],
    timeline: [
      'A flag rule for {service} is edited in the admin console.',
      'Support receives reports that a feature has disappeared.',
      'The on-call engineer correlates the reports with the flag change in the audit log.',
      'The flag change is reverted.',
      'Customers confirm the feature is back; incident resolved.',
    ],
    rootCause: ['The flag editor did not show how many workspaces a rule would match before saving.'],
    factors: ['Flag changes did not require review.', 'There was no alert on sudden drops in feature usage.'],
    detection: 'Detected through support tickets about thirty minutes after the change.',
    resolution: 'Reverting the flag restored the feature within seconds.',
    actions: ['Show the matched workspace count before saving a rule.', 'Require review for production flag changes that affect all workspaces.', 'Alert on sudden drops in feature usage.'],
  },
  {
    slug: 'vector-index-corruption',
    title: 'Corrupted Vector Index Shard Degraded Search Results',
    services: ['vector-indexer', 'search-api', 'embedding-worker'],
    severity: 2,
    summary: 'Semantic search returned incomplete results for {minutes} minutes because one vector index shard loaded a corrupted segment.',
    facts: [
      'One shard of the vector index loaded a segment that had been written partially during a node restart.',
      'Hybrid search hid part of the problem because lexical results were still returned.',
      'Recall at 10 on the canary queries dropped sharply while latency stayed normal, which made the problem easy to miss.',
    ],
    timeline: [
      'A vector index node restarts during compaction.',
      'The shard reloads and picks up a partially written segment.',
      'Canary queries show a drop in recall at 10.',
      '{alert} fires and the Search Relevance on-call engineer is paged.',
      'The corrupted segment is identified from checksum logs.',
      'The shard is restored from the latest snapshot.',
      'Recall returns to normal; incident resolved.',
    ],
    rootCause: ['Compaction wrote segments in place instead of writing a new file and renaming it atomically.', 'Checksums were verified only during compaction, not when a shard loaded a segment.'],
    factors: ['The restart happened during compaction.', 'Search quality alerts were based on latency, not recall.'],
    detection: 'Canary recall checks detected the drop about fifteen minutes after the restart.',
    resolution: 'Restoring the shard from a snapshot and replaying recent writes fixed the results.',
    actions: ['Write segments atomically.', 'Verify checksums on load.', 'Alert on recall drops in canary queries.', 'Document the shard restore in the rebuild the vector index runbook.'],
  },
  {
    slug: 'dns-change',
    title: 'DNS Change Made {serviceName} Unreachable',
    services: ['identity-proxy', 'webhook-relay', 'checkout-web', 'file-store'],
    severity: 1,
    summary: 'A DNS change removed the record for {service}, making it unreachable for most clients for {minutes} minutes.',
    facts: ['The record was removed by a Terraform change that renamed a resource.', 'DNS caching meant recovery took longer than the fix itself.'],
    timeline: [
      'A Terraform change renaming a DNS resource is applied.',
      'The old record is deleted before the new one is created.',
      'Synthetic checks fail from all regions.',
      'Incident declared as SEV1.',
      'The Terraform change is identified and reverted.',
      'Cached negative responses expire and traffic recovers.',
    ],
    rootCause: ['Terraform planned a delete and create for a renamed resource, and the plan was approved without noticing.'],
    factors: ['Plan output for DNS changes was long and hard to review.', 'Negative caching time on the zone was one hour.'],
    detection: 'Synthetic checks paged within two minutes.',
    resolution: 'Reverting the change recreated the record; recovery followed as caches expired.',
    actions: ['Flag delete-and-create DNS plans in CI.', 'Lower the negative caching time.', 'Protect critical records with lifecycle rules.'],
  },
  {
    slug: 'event-bus-broker-disk-full',
    title: 'Event Bus Broker Ran Out of Disk',
    services: ['event-bus', 'ingest-pipeline', 'notification-hub'],
    severity: 2,
    summary: 'One event bus broker ran out of disk, producers to its partitions failed, and {service} fell behind.',
    facts: ['A topic was created with infinite retention by mistake.', 'Disk usage alerts existed but were set too close to full.'],
    timeline: [
      'A new topic with unlimited retention starts receiving traffic.',
      'Disk usage on one broker grows steadily.',
      'The broker stops accepting writes.',
      'Producers in {service} report errors and the on-call engineer is paged.',
      'Retention on the topic is corrected and old segments are deleted.',
      'The broker recovers and consumers catch up.',
    ],
    rootCause: ['Topic creation allowed unlimited retention without review.'],
    factors: ['Disk alerts fired at 95%, leaving no time to react.', 'Partition placement concentrated the topic on one broker.'],
    detection: 'Detected by producer errors rather than the disk alert.',
    resolution: 'Retention was corrected and the broker recovered after segments were deleted.',
    actions: ['Require retention limits at topic creation.', 'Warn on disk at 80%.', 'Rebalance partitions automatically.'],
  },
  {
    slug: 'schema-migration-lock',
    title: 'Schema Migration Locked the {serviceName} Database',
    services: ['ledger-api', 'customer-profile', 'usage-meter', 'audit-log'],
    severity: 2,
    summary: 'A schema migration took a table lock on the {service} database and blocked writes for {minutes} minutes.',
    facts: ['Adding a column with a default rewrote the whole table on this database version.', 'The migration passed in staging, where the table was small.'],
    timeline: [
      'The migration starts as part of a {service} deploy.',
      'Writes to the table queue behind the lock.',
      'Latency alerts fire and the on-call engineer is paged.',
      'The migration is identified as the blocker and cancelled.',
      'Writes recover; incident resolved.',
    ],
    rootCause: ['The migration used an operation that rewrites the table while holding an exclusive lock.'],
    factors: ['Staging data was too small to reveal the problem.', 'The migration linter did not flag this operation.'],
    detection: 'Latency alerts fired within three minutes.',
    resolution: 'Cancelling the migration released the lock immediately.',
    actions: ['Add the operation to the migration linter.', 'Set a lock timeout for migrations.', 'Test migrations against production-sized data.'],
  },
  {
    slug: 'embedding-provider-throttling',
    title: 'Embedding Provider Throttling Delayed Indexing',
    services: ['embedding-worker', 'ingest-pipeline', 'vector-indexer'],
    severity: 3,
    summary: 'Index freshness degraded for several hours because the embedding provider throttled our requests.',
    facts: [
      'A large customer import tripled the number of changed chunks in an hour.',
      'Only changed chunks are embedded, but this import really was all new content.',
      'Search kept working; new documents simply took hours instead of minutes to appear.',
    ],
    timeline: [
      'A large customer import begins.',
      'Embedding requests exceed the provider rate limit.',
      'IndexFreshnessStale fires.',
      'The on-call engineer lowers worker concurrency to stop retry storms.',
      'The provider raises our limit temporarily.',
      'Freshness recovers.',
    ],
    rootCause: ['The provider rate limit was lower than our peak demand, and large imports were not scheduled.'],
    factors: ['Retries without enough backoff made throttling worse.', 'Imports were not prioritized below regular changes.'],
    detection: 'The freshness alert fired after thirty minutes of lag.',
    resolution: 'Lower concurrency and a temporary limit increase cleared the backlog.',
    actions: ['Queue large imports at a lower priority.', 'Use exponential backoff with jitter.', 'Negotiate a higher standing rate limit.'],
  },
  {
    slug: 'cache-stampede',
    title: 'Cache Stampede After Redis Failover',
    services: ['customer-profile', 'search-api', 'admin-console', 'ledger-api'],
    severity: 2,
    summary: 'After a Redis failover emptied the cache, every request for {service} hit the database at once.',
    facts: ['The cache hit ratio dropped to zero after the failover.', 'Many identical requests recomputed the same values concurrently.'],
    timeline: [
      'The Redis primary fails over to a replica with a cold cache.',
      'Database load for {service} rises sharply.',
      'Latency alerts fire.',
      'Traffic is shed at the edge to let the cache warm.',
      'The cache warms and latency recovers.',
    ],
    rootCause: ['The cache had no request coalescing, so concurrent misses all went to the database.'],
    factors: ['The replica was not warm.', 'Database capacity assumed a high cache hit ratio.'],
    detection: 'Latency alerts fired within two minutes.',
    resolution: 'Shedding traffic for ten minutes let the cache recover.',
    actions: ['Add request coalescing for cache misses.', 'Keep replicas warm.', 'Load test with a cold cache.'],
  },
  {
    slug: 'webhook-retry-storm',
    title: 'Webhook Retry Storm Overloaded {serviceName}',
    services: ['webhook-relay', 'notification-hub'],
    severity: 3,
    summary: 'A customer endpoint failing slowly caused a retry storm that delayed webhooks for other customers.',
    facts: ['Retries were scheduled without per-endpoint limits.', 'One slow endpoint consumed most of the worker capacity.'],
    timeline: [
      'A customer webhook endpoint starts timing out.',
      'Retries accumulate in the {service} queue.',
      'WebhookBacklogGrowing fires.',
      'The failing endpoint is paused.',
      'The backlog drains.',
    ],
    rootCause: ['Retries shared one worker pool with no per-endpoint concurrency limit.'],
    factors: ['Timeouts were long.', 'Endpoint health was not tracked.'],
    detection: 'The backlog alert fired after twenty minutes.',
    resolution: 'Pausing the endpoint and draining the queue restored delivery times.',
    actions: ['Add per-endpoint concurrency limits.', 'Shorten webhook timeouts.', 'Pause unhealthy endpoints automatically and notify the customer.'],
  },
  {
    slug: 'clock-skew-token-validation',
    title: 'Clock Skew Broke Token Validation in {serviceName}',
    services: ['auth-service', 'identity-proxy', 'sso-bridge'],
    severity: 2,
    summary: 'Tokens were rejected as not yet valid for {minutes} minutes because a group of hosts had drifting clocks.',
    facts: ['Time synchronization had been disabled on a new machine image.', 'Token validation allowed no clock skew tolerance.'],
    timeline: [
      'Hosts with the new image join the {service} pool.',
      'Token validation failures rise.',
      'AuthFailuresSpike fires.',
      'Clock skew is found on the new hosts.',
      'The hosts are replaced with the previous image.',
    ],
    rootCause: ['The new machine image shipped without time synchronization enabled.'],
    factors: ['No alert on clock drift.', 'Zero skew tolerance in token validation.'],
    detection: 'The authentication failure alert fired within five minutes.',
    resolution: 'Rolling back the image fixed the clocks.',
    actions: ['Alert on clock drift.', 'Allow sixty seconds of skew in validation.', 'Add a time sync check to image tests.'],
  },
];

// ------------------------------------------------------------------------------------------------ topic data: glossary

interface GlossarySpec {
  readonly term: string;
  readonly domain: Domain;
  readonly definition: string;
  readonly usage: readonly string[];
  readonly related: readonly string[];
}

const GLOSSARY: readonly GlossarySpec[] = [
  { term: 'Vector index', domain: 'eng', definition: 'A data structure that stores embeddings and answers nearest-neighbour queries, so documents can be found by meaning rather than by exact words.', usage: ['Our vector index holds one embedding per document chunk.', 'The vector index is kept in step with source systems by the ingestion pipeline.', 'Rebuilding the vector index is covered by its own runbook.'], related: ['Embedding', 'Chunk', 'Hybrid search', 'Index freshness'] },
  { term: 'Embedding', domain: 'eng', definition: 'A fixed-length list of numbers produced by a model to represent the meaning of a piece of text.', usage: ['Embeddings are computed only for chunks whose content changed.', 'Embeddings from different models cannot be mixed in one index.'], related: ['Vector index', 'Chunk', 'Reranker'] },
  { term: 'Chunk', domain: 'eng', definition: 'A slice of a document, typically a few hundred tokens long, that is embedded and indexed as one unit.', usage: ['Documents are chunked on headings and paragraphs.', 'Each chunk carries a content hash so unchanged chunks can be skipped.'], related: ['Embedding', 'Vector index'] },
  { term: 'Postmortem', domain: 'eng', definition: 'A written, blameless review of an incident that records impact, timeline, root cause and follow-up actions.', usage: ['Every SEV1 and SEV2 incident gets a postmortem within five business days.', 'Postmortem action items are reviewed weekly.'], related: ['Incident commander', 'Severity level', 'Blast radius'] },
  { term: 'Incident commander', domain: 'eng', definition: 'The person who coordinates an incident response, makes decisions and keeps communication flowing, usually without doing hands-on debugging.', usage: ['The incident commander rotation is paged for every SEV1.', 'The incident commander assigns the postmortem owner.'], related: ['Postmortem', 'On-call rotation', 'Severity level'] },
  { term: 'On-call rotation', domain: 'eng', definition: 'The schedule that decides which engineer responds to pages for a service at any given time.', usage: ['Rotations change every Tuesday at 10:00.', 'Each rotation has a primary and a secondary.'], related: ['Escalation policy', 'Incident commander', 'Time off in lieu'] },
  { term: 'Escalation policy', domain: 'eng', definition: 'The ordered list of people or rotations that get paged when an alert is not acknowledged or a problem needs more help.', usage: ['The on-call escalation policy has four levels.', 'Escalation happens automatically after a few minutes without acknowledgement.'], related: ['On-call rotation', 'Severity level'] },
  { term: 'Severity level', domain: 'eng', definition: 'A label from SEV1 to SEV3 that describes how bad an incident is and how quickly people must respond.', usage: ['SEV1 means a broad outage or data loss.', 'Severity can be raised or lowered as the picture changes.'], related: ['Incident commander', 'Postmortem'] },
  { term: 'Error budget', domain: 'eng', definition: 'The amount of unreliability a service may have in a period before it breaks its service level objective.', usage: ['When the error budget is spent, feature work pauses.', 'Burn rate alerts page when the budget is being spent too fast.'], related: ['Service level objective', 'Service level indicator'] },
  { term: 'Service level objective', domain: 'eng', definition: 'A target for a service level indicator over a time window, such as 99.9% of requests succeeding over 28 days.', usage: ['Every tier-one service has a published objective.', 'Objectives are reviewed twice a year.'], related: ['Error budget', 'Service level indicator'] },
  { term: 'Service level indicator', domain: 'eng', definition: 'A measured signal of service health, such as the fraction of successful requests or requests faster than a threshold.', usage: ['Indicators are computed from load balancer logs.'], related: ['Service level objective', 'Error budget'] },
  { term: 'Runbook', domain: 'eng', definition: 'Step-by-step instructions for handling a specific operational task or alert.', usage: ['Every alert links to a runbook.', 'Runbooks are reviewed when the system they describe changes.'], related: ['On-call rotation', 'Toil'] },
  { term: 'Feature flag', domain: 'eng', definition: 'A switch evaluated at runtime that turns behaviour on or off without a deploy.', usage: ['Flags have owners and expiry dates.', 'Flag changes are audited like deploys.'], related: ['Canary release', 'Kill switch'] },
  { term: 'Kill switch', domain: 'product', definition: 'A feature flag that disables a feature instantly, used when a launch goes wrong.', usage: ['Every launch plan names its kill switch.'], related: ['Feature flag', 'Canary release'] },
  { term: 'Canary release', domain: 'eng', definition: 'Rolling a new version out to a small share of traffic first and watching it before continuing.', usage: ['Canaries run for at least fifteen minutes.', 'A failed canary stops the rollout automatically.'], related: ['Feature flag', 'Blue-green deployment'] },
  { term: 'Blue-green deployment', domain: 'eng', definition: 'Running two full environments and switching traffic from the old one to the new one in a single step.', usage: ['We use blue-green only for stateful edge components.'], related: ['Canary release', 'Rollback'] },
  { term: 'Rollback', domain: 'eng', definition: 'Returning a service to a previous release after a bad deploy.', usage: ['Rollbacks need no approval.', 'Database migrations are not rolled back automatically.'], related: ['Canary release', 'Change freeze'] },
  { term: 'Dead-letter queue', domain: 'eng', definition: 'A queue that holds messages a consumer repeatedly failed to process, so they do not block the main queue.', usage: ['Messages move to the dead-letter queue after five failures.', 'Dead letters are kept for fourteen days.'], related: ['Consumer lag', 'Idempotency key'] },
  { term: 'Idempotency key', domain: 'eng', definition: 'A client-supplied identifier that lets a server recognize and safely ignore a repeated request.', usage: ['Payment endpoints require an idempotency key.', 'Keys are remembered for 24 hours.'], related: ['Dead-letter queue', 'Webhook'] },
  { term: 'Consumer lag', domain: 'eng', definition: 'How far a consumer is behind the newest messages in the queue or topic it reads from.', usage: ['Lag is the main scaling signal for ingest workers.'], related: ['Dead-letter queue', 'Backfill'] },
  { term: 'Replication lag', domain: 'eng', definition: 'The delay between a write on a primary database and the same write appearing on a replica.', usage: ['Replicas are not promoted while lag exceeds one second.'], related: ['Failover', 'Point-in-time recovery'] },
  { term: 'Failover', domain: 'eng', definition: 'Moving the primary role from a failing component to a standby one.', usage: ['Database failovers interrupt writes for up to ninety seconds.'], related: ['Replication lag', 'Game day'] },
  { term: 'Point-in-time recovery', domain: 'eng', definition: 'Restoring a database to its exact state at a chosen moment using backups and write-ahead logs.', usage: ['We can restore to any second in the last fourteen days.'], related: ['Failover', 'Backfill'] },
  { term: 'Credential rotation', domain: 'security', definition: 'Replacing a password, key or token with a new one and retiring the old one, ideally without downtime.', usage: ['Database credentials are rotated every 90 days.', 'Rotation overlaps old and new credentials so that consumers can switch safely.'], related: ['Break-glass account', 'Least privilege'] },
  { term: 'Break-glass account', domain: 'security', definition: 'A highly privileged emergency account that is sealed in normal operation and audited whenever it is used.', usage: ['Every use of a break-glass account pages Security Engineering.'], related: ['Credential rotation', 'Least privilege'] },
  { term: 'Least privilege', domain: 'security', definition: 'Granting people and services only the access they need to do their job, and nothing more.', usage: ['Access requests must name the narrowest suitable role.'], related: ['Break-glass account', 'Access review'] },
  { term: 'Access review', domain: 'security', definition: 'A periodic check in which managers confirm or remove each person\'s access to sensitive systems.', usage: ['Access reviews for production run every quarter.'], related: ['Least privilege'] },
  { term: 'Cost center', domain: 'finance', definition: 'A code that identifies which team or budget an expense belongs to.', usage: ['Every expense report line needs a cost center.'], related: ['Budget owner', 'Purchase order'] },
  { term: 'Purchase order', domain: 'finance', definition: 'A formal approval to buy something from a vendor, raised before the vendor starts work or sends an invoice.', usage: ['Purchases above the threshold need a purchase order.'], related: ['Cost center', 'Budget owner'] },
  { term: 'Budget owner', domain: 'finance', definition: 'The person accountable for spending against a budget line.', usage: ['Budget owners approve large expenses and new vendors.'], related: ['Cost center', 'Purchase order'] },
  { term: 'Per diem', domain: 'finance', definition: 'A fixed daily allowance for meals and incidental costs while travelling.', usage: ['Some countries pay a per diem instead of reimbursing meals.'], related: ['Cost center'] },
  { term: 'Open enrollment', domain: 'people', definition: 'The yearly window in which employees can change their benefit elections.', usage: ['Open enrollment runs for two weeks each November.'], related: ['Time off in lieu'] },
  { term: 'Onboarding buddy', domain: 'people', definition: 'A colleague from a neighbouring team who helps a new hire find their way during their first month.', usage: ['Buddies meet new hires at least twice a week at first.'], related: ['Open enrollment'] },
  { term: 'Time off in lieu', domain: 'people', definition: 'Paid time off given to compensate for work outside normal hours, such as overnight pages.', usage: ['Overnight pages earn time off in lieu.'], related: ['On-call rotation'] },
  { term: 'Change freeze', domain: 'eng', definition: 'A period in which non-essential production changes are not allowed.', usage: ['Freezes are announced two weeks ahead.'], related: ['Rollback', 'Canary release'] },
  { term: 'Game day', domain: 'eng', definition: 'A planned exercise in which teams simulate a failure to practise their response.', usage: ['Regional failover is rehearsed in a game day every quarter.'], related: ['Failover', 'Runbook'] },
  { term: 'Toil', domain: 'eng', definition: 'Repetitive, manual operational work that scales with traffic and could be automated.', usage: ['Pages that recur become toil tickets.'], related: ['Runbook', 'On-call rotation'] },
  { term: 'Blast radius', domain: 'eng', definition: 'The share of customers or systems a failure or change can affect.', usage: ['Cell-based deployment limits the blast radius of bad releases.'], related: ['Canary release', 'Postmortem'] },
  { term: 'Recall at k', domain: 'eng', definition: 'The fraction of relevant documents that appear in the top k search results.', usage: ['Recall at 10 is the headline search quality metric.'], related: ['Golden query set', 'Hybrid search'] },
  { term: 'Hybrid search', domain: 'eng', definition: 'Search that combines lexical matching with vector similarity and merges the two result lists.', usage: ['Hybrid search uses reciprocal rank fusion.'], related: ['Vector index', 'Reranker', 'Recall at k'] },
  { term: 'Index freshness', domain: 'eng', definition: 'How long it takes for a change in a source document to be reflected in the search and vector indexes.', usage: ['Freshness above five minutes triggers an alert.'], related: ['Vector index', 'Consumer lag'] },
  { term: 'Golden query set', domain: 'eng', definition: 'A curated list of queries with known relevant documents, used to measure search quality before and after changes.', usage: ['Every index rebuild is evaluated against the golden query set.'], related: ['Recall at k', 'Reranker'] },
  { term: 'Reranker', domain: 'eng', definition: 'A model that rescores a small set of candidate results to improve their order.', usage: ['The reranker is skipped when latency is tight.'], related: ['Hybrid search', 'Golden query set'] },
  { term: 'Tenant', domain: 'eng', definition: 'A customer organization whose data is isolated from other customers in a shared system.', usage: ['Each tenant has its own partition in the vector index.'], related: ['Workspace', 'Vector index'] },
  { term: 'Workspace', domain: 'product', definition: 'The container for a customer\'s users, documents, settings and billing in Acme products.', usage: ['Admins manage members and SSO per workspace.'], related: ['Tenant'] },
  { term: 'Webhook', domain: 'eng', definition: 'An HTTP callback that notifies a customer system when something happens in Acme.', usage: ['Webhook deliveries are retried with exponential backoff.'], related: ['Idempotency key', 'Dead-letter queue'] },
  { term: 'Dunning', domain: 'finance', definition: 'The process of reminding customers about failed or overdue payments.', usage: ['Dunning emails go out on days one, four and ten.'], related: ['Churn'] },
  { term: 'Churn', domain: 'product', definition: 'The rate at which customers cancel or do not renew.', usage: ['Churn is reviewed monthly by product leadership.'], related: ['Net revenue retention', 'Dunning'] },
  { term: 'Net revenue retention', domain: 'product', definition: 'Revenue from existing customers this year as a share of the same customers\' revenue last year, including expansion and churn.', usage: ['Usage-based pricing is expected to raise net revenue retention.'], related: ['Churn'] },
  { term: 'Change data capture', domain: 'eng', definition: 'Streaming row-level changes from a database so other systems can react to them.', usage: ['Some connectors use change data capture instead of polling.'], related: ['Backfill', 'Tombstone'] },
  { term: 'Tombstone', domain: 'eng', definition: 'A marker recording that an item was deleted, so that downstream copies can delete it too.', usage: ['Deletes in a source become tombstones that remove vectors from the index.'], related: ['Change data capture', 'Vector index'] },
  { term: 'Backfill', domain: 'eng', definition: 'Processing historical data that was missed or needs recomputing, usually in bulk and at a controlled rate.', usage: ['Backfills run at low priority so they do not delay live changes.'], related: ['Consumer lag', 'Change data capture'] },
];

// ------------------------------------------------------------------------------------------------ topic data: product

interface FeatureSpec {
  readonly slug: string;
  readonly name: string;
  readonly area: string;
  readonly team: string;
  readonly facts: readonly string[];
  readonly goals: readonly string[];
  readonly nonGoals: readonly string[];
  readonly stories: readonly string[];
}

const FEATURES: readonly FeatureSpec[] = [
  { slug: 'saved-searches', name: 'Saved Searches', area: 'Search', team: 'Search Relevance', facts: ['Users repeat the same searches every week and rebuild their filters each time.', 'Saved searches can notify users when new matching documents appear.'], goals: ['Let users save a query with its filters.', 'Notify users about new results daily or weekly.'], nonGoals: ['Sharing saved searches across workspaces.'], stories: ['As a team lead, I want to save a search for open policy drafts so that I can check them every Monday.', 'As an analyst, I want a weekly email of new documents matching my search.'] },
  { slug: 'semantic-search-for-attachments', name: 'Semantic Search for Attachments', area: 'Search', team: 'Search Relevance', facts: ['Attachments are currently matched only by file name.', 'Extracting text from attachments and adding it to the vector index makes their content searchable by meaning.', 'Large attachments must be chunked so that embeddings stay focused.'], goals: ['Index the text of PDF and Office attachments.', 'Show the matching passage in results.'], nonGoals: ['Image search.', 'Optical character recognition for scanned documents.'], stories: ['As an engineer, I want to find the runbook PDF attached to an old ticket by describing its content.'] },
  { slug: 'usage-based-pricing', name: 'Usage-Based Pricing', area: 'Billing', team: 'Payments', facts: ['Customers want to pay for what they use rather than for seats they do not fill.', 'Usage-based pricing depends on the usage meter being accurate and auditable.'], goals: ['Bill customers per indexed document and per query.', 'Show current usage and projected cost in the workspace.'], nonGoals: ['Prepaid credits.'], stories: ['As a finance manager, I want to see projected costs mid-month so that there are no surprises.'] },
  { slug: 'bulk-invoice-export', name: 'Bulk Invoice Export', area: 'Billing', team: 'Payments', facts: ['Finance teams download invoices one by one at the end of each quarter.', 'Auditors ask for all invoices in a period as one archive.'], goals: ['Export all invoices for a date range as one archive.', 'Include a CSV summary.'], nonGoals: ['Editing invoices.'], stories: ['As a finance manager, I want to download a quarter of invoices in one click.'] },
  { slug: 'sso-enforcement', name: 'SSO Enforcement', area: 'Identity', team: 'Identity', facts: ['Enterprise security teams require that all users sign in through their identity provider.', 'Owners need a break-glass login in case the identity provider fails.'], goals: ['Let admins require SSO for all members.', 'Keep a safe recovery path for owners.'], nonGoals: ['User provisioning, which is handled separately.'], stories: ['As a security admin, I want to block password logins so that offboarding in our identity provider is enough.'] },
  { slug: 'custom-roles', name: 'Custom Roles', area: 'Identity', team: 'Identity', facts: ['Built-in roles are too coarse for large workspaces.', 'Admins want to grant billing access without granting content access.'], goals: ['Let admins define roles from a list of permissions.', 'Show the effective permissions of any member.'], nonGoals: ['Per-document permissions.'], stories: ['As a workspace admin, I want a role that can manage billing but not read documents.'] },
  { slug: 'audit-log-export', name: 'Audit Log Export', area: 'Identity', team: 'Security Engineering', facts: ['Compliance teams need audit events in their own security tools.', 'Exports must be complete and tamper-evident.'], goals: ['Stream audit events to customer storage.', 'Offer a one-off export for a date range.'], nonGoals: ['Alerting on audit events.'], stories: ['As an auditor, I want all admin actions for last quarter in our log platform.'] },
  { slug: 'webhook-retries-with-backoff', name: 'Webhook Retries with Backoff', area: 'Platform', team: 'Platform', facts: ['Customers lose events when their endpoint is briefly down.', 'Retries must not overload endpoints that are already struggling.'], goals: ['Retry failed deliveries for 24 hours with exponential backoff.', 'Let customers replay deliveries from the dashboard.'], nonGoals: ['Guaranteed ordering.'], stories: ['As a developer, I want failed webhooks retried so that short outages do not lose events.'] },
  { slug: 'multi-currency-checkout', name: 'Multi-Currency Checkout', area: 'Billing', team: 'Growth', facts: ['International customers abandon checkout when prices are shown only in dollars.', 'Tax calculation differs by currency and country.'], goals: ['Show prices and charge in euros, pounds and Canadian dollars.', 'Keep revenue reporting in dollars.'], nonGoals: ['Currency switching mid-subscription.'], stories: ['As a customer in Germany, I want to pay in euros so that my finance team can reconcile easily.'] },
  { slug: 'spend-approval-workflows', name: 'Spend Approval Workflows', area: 'Insights', team: 'Analytics', facts: ['Customers approve spend in email threads that are hard to audit.', 'Approval chains differ by amount and department.'], goals: ['Let admins define approval chains by amount.', 'Record every decision with a timestamp.'], nonGoals: ['Payment execution.'], stories: ['As a finance manager, I want requests above a threshold to go to a director automatically.'] },
  { slug: 'offline-mode-for-mobile', name: 'Offline Mode for Mobile', area: 'Mobile', team: 'Mobile', facts: ['Field teams lose connectivity and cannot read procedures when they need them most.', 'Offline content must respect permissions and expire.'], goals: ['Let users pin documents for offline reading.', 'Sync changes when the device reconnects.'], nonGoals: ['Offline editing.'], stories: ['As a field technician, I want my runbooks available without signal.'] },
  { slug: 'scheduled-reports', name: 'Scheduled Reports', area: 'Insights', team: 'Analytics', facts: ['Managers export the same report every Monday by hand.', 'Scheduled delivery must respect data permissions.'], goals: ['Deliver reports by email or chat on a schedule.', 'Support CSV and PDF.'], nonGoals: ['A custom report builder.'], stories: ['As a support lead, I want the weekly ticket report in my inbox every Monday.'] },
  { slug: 'smart-payment-reminders', name: 'Smart Payment Reminders', area: 'Billing', team: 'Payments', facts: ['Failed payments are often caused by expired cards rather than unwillingness to pay.', 'Reminder timing affects recovery rates.'], goals: ['Send reminders before cards expire.', 'Adapt reminder timing to past behaviour.'], nonGoals: ['Debt collection.'], stories: ['As an account owner, I want a reminder before my card expires so that service is not interrupted.'] },
  { slug: 'workspace-data-residency', name: 'Workspace Data Residency', area: 'Platform', team: 'Platform', facts: ['European customers require their data, including embeddings in the vector index, to stay in the EU.', 'Residency affects storage, processing and backups.'], goals: ['Let new workspaces choose the EU or US region.', 'Keep all derived data in the chosen region.'], nonGoals: ['Moving existing workspaces between regions.'], stories: ['As a compliance officer, I want proof that our data never leaves the EU.'] },
];

const ROADMAP_AREAS: readonly { readonly area: string; readonly team: string; readonly themes: readonly string[] }[] = [
  { area: 'Search', team: 'Search Relevance', themes: ['Better relevance for long documents', 'Faster index freshness', 'Search analytics for admins', 'Permissions-aware vector index'] },
  { area: 'Billing', team: 'Payments', themes: ['Usage visibility', 'Fewer failed payments', 'International expansion', 'Self-serve plan changes'] },
  { area: 'Identity', team: 'Identity', themes: ['Enterprise readiness', 'Granular permissions', 'Passwordless sign-in', 'Session management'] },
  { area: 'Mobile', team: 'Mobile', themes: ['Offline access', 'Push notification controls', 'Faster startup', 'Tablet layouts'] },
  { area: 'Platform', team: 'Platform', themes: ['Reliability of webhooks', 'Data residency', 'Cost efficiency', 'Developer experience for integrations'] },
  { area: 'Insights', team: 'Analytics', themes: ['Scheduled reports', 'Approval workflows', 'Dashboards for admins', 'Data exports'] },
];

// ------------------------------------------------------------------------------------------------ topic data: onboarding

interface RoleSpec {
  readonly role: string;
  readonly domain: Domain;
  readonly folder: string;
  readonly teams: readonly string[];
  readonly tools: readonly string[];
  readonly firstTasks: readonly string[];
  readonly facts: readonly string[];
}

const ROLES: readonly RoleSpec[] = [
  { role: 'Backend Engineer', domain: 'eng', folder: 'engineering/onboarding', teams: ['Payments', 'Platform', 'Search Relevance', 'Identity', 'Data Infrastructure'], tools: ['the acmectl CLI', '{deployTool} for deploys', '{dashboardTool} for dashboards', '{pagingTool} for on-call', 'Terraform for infrastructure', '{secretsTool} for secrets'], firstTasks: ['Ship a small change to production in your first week.', 'Shadow an on-call shift.', 'Read the design documents for the services your team owns.', 'Pair with a teammate on a code review.'], facts: ['Backend engineers on {team} own their services in production, including on-call.', 'Your first change should be small; the goal is to learn the path to production, not to impress anyone.'] },
  { role: 'Frontend Engineer', domain: 'eng', folder: 'engineering/onboarding', teams: ['Growth', 'Developer Experience', 'Mobile'], tools: ['the design system library', '{deployTool} for deploys', 'the component playground', 'feature flags in the admin console'], firstTasks: ['Fix a small accessibility issue.', 'Ship a change behind a feature flag.', 'Join a design critique.'], facts: ['Frontend work at Acme ships behind feature flags and rolls out gradually.', 'Accessibility is part of every review, not a separate pass.'] },
  { role: 'Site Reliability Engineer', domain: 'eng', folder: 'engineering/onboarding', teams: ['Site Reliability', 'Platform'], tools: ['Terraform', 'kubectl', '{dashboardTool}', '{pagingTool}', 'the incident tooling in {channel}'], firstTasks: ['Run through a game day scenario in staging.', 'Review the on-call escalation policy.', 'Read the last five incident postmortems.'], facts: ['Site reliability engineers help teams run their services rather than running services for them.', 'Reading recent postmortems is the fastest way to understand where our systems are fragile.'] },
  { role: 'Data Engineer', domain: 'eng', folder: 'engineering/onboarding', teams: ['Data Infrastructure', 'Analytics'], tools: ['the ClickHouse warehouse', 'the event bus schema registry', 'the orchestration UI', '{dashboardTool}'], firstTasks: ['Add a column to a warehouse model.', 'Trace one event from producer to dashboard.', 'Review the data retention policy.'], facts: ['Data engineers own the pipelines that move events from the event bus to the warehouse.', 'Customer data in the warehouse follows the same retention rules as production.'] },
  { role: 'Product Manager', domain: 'product', folder: 'product/onboarding', teams: ['Search Relevance', 'Payments', 'Identity', 'Growth', 'Mobile'], tools: ['the roadmap board', 'the analytics workspace', 'the research repository', 'the spec template'], firstTasks: ['Meet five customers in your first month.', 'Read the current specs for your area.', 'Sit in on the weekly support review.'], facts: ['Product managers at Acme write specs, own success metrics and spend time with customers every week.', 'Your first month is for listening; resist the urge to change the roadmap.'] },
  { role: 'Product Designer', domain: 'product', folder: 'product/onboarding', teams: ['Growth', 'Search Relevance', 'Mobile', 'Identity'], tools: ['the design system', 'the prototyping tool', 'the research repository'], firstTasks: ['Present in design critique.', 'Run a usability session.', 'Audit one flow for accessibility.'], facts: ['Designers work as part of product teams and present work early in design critique.'] },
  { role: 'Support Specialist', domain: 'support', folder: 'support/onboarding', teams: ['Customer Support'], tools: ['{helpdesk} for tickets', 'the admin console', 'the status page', 'the macro library'], firstTasks: ['Shadow senior agents for three days.', 'Answer your first tickets with a reviewer.', 'Learn the escalation path to engineering.'], facts: ['Support specialists are the voice of the customer inside Acme.', 'You will spend your first week shadowing before answering tickets on your own.'] },
  { role: 'Finance Analyst', domain: 'finance', folder: 'finance/onboarding', teams: ['Finance'], tools: ['{expenseTool}', 'the accounting system', 'the planning spreadsheet', 'the procurement portal'], firstTasks: ['Shadow a month-end close.', 'Review the expense policy and the procurement policy.', 'Reconcile a sample of card transactions.'], facts: ['Finance analysts support budget owners and keep the monthly close on schedule.'] },
  { role: 'People Partner', domain: 'people', folder: 'people/onboarding', teams: ['People Operations'], tools: ['{hrTool}', 'the benefits portal', 'the survey tool'], firstTasks: ['Meet the managers you support.', 'Review the parental leave and remote work policies.', 'Shadow an onboarding session.'], facts: ['People partners advise managers and employees on everything from growth to difficult conversations.'] },
  { role: 'Engineering Manager', domain: 'eng', folder: 'engineering/onboarding', teams: ['Payments', 'Platform', 'Search Relevance', 'Site Reliability', 'Identity'], tools: ['{hrTool} for approvals', '{pagingTool} for the manager rotation', 'the roadmap board', 'the incident review notes'], firstTasks: ['Hold one-on-ones with every team member.', 'Join the manager on-call rotation as a shadow.', 'Review the team\'s open postmortem action items.'], facts: ['Engineering managers are part of the on-call escalation chain for their department.', 'Your first ninety days are about understanding people, systems and commitments.'] },
];

// ------------------------------------------------------------------------------------------------ topic data: APIs

interface ApiServiceSpec {
  readonly service: string;
  readonly resources: readonly string[];
}

const API_SERVICES: readonly ApiServiceSpec[] = [
  { service: 'ledger-api', resources: ['invoices', 'accounts', 'journal-entries'] },
  { service: 'billing-gateway', resources: ['payments', 'refunds', 'payment-methods'] },
  { service: 'search-api', resources: ['queries', 'collections', 'documents'] },
  { service: 'auth-service', resources: ['tokens', 'sessions', 'clients'] },
  { service: 'notification-hub', resources: ['messages', 'templates', 'subscriptions'] },
  { service: 'webhook-relay', resources: ['endpoints', 'deliveries', 'events'] },
  { service: 'usage-meter', resources: ['meters', 'usage-records', 'summaries'] },
  { service: 'export-service', resources: ['exports', 'jobs'] },
  { service: 'customer-profile', resources: ['customers', 'contacts', 'addresses'] },
  { service: 'vector-indexer', resources: ['indexes', 'vectors', 'snapshots'] },
];

interface ApiAspectSpec {
  readonly slug: string;
  readonly name: string;
  readonly facts: readonly string[];
  readonly rules: readonly string[];
  readonly code: CodeSpec;
}

const API_ASPECTS: readonly ApiAspectSpec[] = [
  {
    slug: 'authentication', name: 'Authentication',
    facts: ['Requests to {service} authenticate with short-lived bearer tokens issued by the auth service.', 'Service-to-service calls use mutual TLS plus a token that names the calling service.', 'Tokens expire after one hour and are refreshed automatically by the client libraries.'],
    rules: ['Send the token in the Authorization header.', 'Never log tokens, even at debug level.', 'Use a separate client ID per environment.'],
    code: sh('curl -s https://{service}.internal.acme.example/v1/{resource} \\', '  -H "Authorization: Bearer $ACME_TOKEN"'),
  },
  {
    slug: 'pagination', name: 'Pagination',
    facts: ['List endpoints on {service} use cursor pagination rather than page numbers.', 'Cursors are opaque and expire after 24 hours.', 'The default page size is 50 and the maximum is 500.'],
    rules: ['Pass the next_cursor value from the previous response.', 'Stop when next_cursor is null.', 'Do not build cursors yourself.'],
    code: { lang: 'json', lines: ['{', '  "data": [ { "id": "{resourceSingular}_8f2c" } ],', '  "next_cursor": "eyJvZmZzZXQiOjUwfQ",', '  "has_more": true', '}'] },
  },
  {
    slug: 'rate-limits', name: 'Rate Limits',
    facts: ['{service} enforces rate limits per client and per workspace.', 'Rejected requests return 429 with a Retry-After header.', 'Internal batch jobs have their own, lower limits so they cannot starve interactive traffic.'],
    rules: ['Respect Retry-After.', 'Use exponential backoff with jitter.', 'Ask in {channel} before raising a limit.'],
    code: sh('HTTP/1.1 429 Too Many Requests', 'Retry-After: 12', 'X-RateLimit-Limit: 600', 'X-RateLimit-Remaining: 0'),
  },
  {
    slug: 'error-handling', name: 'Error Handling',
    facts: ['Errors from {service} use a consistent JSON body with a machine-readable code.', 'Retryable errors are marked explicitly so that clients do not have to guess.', '5xx responses are always safe to retry for idempotent requests.'],
    rules: ['Branch on the error code, not the message.', 'Include the request ID when reporting a problem.', 'Retry only errors marked as retryable.'],
    code: { lang: 'json', lines: ['{', '  "error": {', '    "code": "{resourceSingular}_not_found",', '    "message": "No record with that ID exists.",', '    "retryable": false,', '    "request_id": "req_4b1e9a"', '  }', '}'] },
  },
  {
    slug: 'versioning', name: 'Versioning',
    facts: ['{service} versions its API in the URL path.', 'Breaking changes ship only in a new major version.', 'Old versions are supported for at least twelve months after a new one is released.'],
    rules: ['Pin the major version in your client.', 'Read the changelog before upgrading.', 'Watch deprecation headers in responses.'],
    code: sh('curl -sI https://{service}.internal.acme.example/v1/{resource} | grep -i deprecation'),
  },
  {
    slug: 'idempotency', name: 'Idempotency Keys',
    facts: ['Write endpoints on {service} accept an Idempotency-Key header.', 'Repeated requests with the same key return the original response for 24 hours.', 'Idempotency keys make retries safe after timeouts.'],
    rules: ['Generate a new UUID per logical operation.', 'Reuse the key only when retrying the same operation.', 'Do not share keys across endpoints.'],
    code: sh('curl -s -X POST https://{service}.internal.acme.example/v1/{resource} \\', '  -H "Idempotency-Key: 3f6c2d5e-8a41-4c1f-9d0b-2e7a5b8c9f10" \\', '  -H "Content-Type: application/json" -d @body.json'),
  },
  {
    slug: 'webhooks', name: 'Webhooks',
    facts: ['{service} emits webhook events when {resource} change.', 'Each delivery is signed so that receivers can verify it came from Acme.', 'Failed deliveries are retried with exponential backoff for 24 hours.'],
    rules: ['Verify the signature header before trusting a payload.', 'Respond with 2xx quickly and process asynchronously.', 'Deduplicate by event ID.'],
    code: { lang: 'json', lines: ['{', '  "id": "evt_71c0",', '  "type": "{resourceSingular}.updated",', '  "created_at": "2024-03-04T10:15:00Z",', '  "data": { "id": "{resourceSingular}_8f2c" }', '}'] },
  },
  {
    slug: 'filtering-and-sorting', name: 'Filtering and Sorting',
    facts: ['List endpoints on {service} accept filters as query parameters.', 'Sorting is limited to indexed fields to keep queries fast.', 'Unknown filters are rejected rather than ignored.'],
    rules: ['Combine filters with commas for OR and repeat parameters for AND.', 'Sort with sort=field or sort=-field.', 'Prefer narrow time ranges.'],
    code: sh('curl -s "https://{service}.internal.acme.example/v1/{resource}?status=active&sort=-created_at&limit=100"'),
  },
];

// ------------------------------------------------------------------------------------------------ topic data: meetings

interface AgendaItem {
  readonly id: string;
  readonly title: string;
  readonly notes: readonly string[];
  readonly decision: string;
  readonly action: string;
}

const AGENDA_ITEMS: readonly AgendaItem[] = [
  { id: 'credential-rotation', title: 'Database credential rotation schedule', notes: ['{person} walked through the rotation calendar for next quarter; several services still rotate database credentials by hand.', 'The group agreed that manual credential rotation is the main remaining risk, given the last incident.'], decision: 'Move {service} onto automated credential rotation before the next cycle.', action: 'File tickets for the remaining manual database credential rotations.' },
  { id: 'on-call-escalation', title: 'On-call escalation changes', notes: ['Secondary pages are arriving too late at night because the acknowledgement timeout is too long.', '{person} proposed shortening the escalation timeout and adding the engineering manager level earlier for SEV1.'], decision: 'Shorten the escalation timeout to five minutes for SEV1 and SEV2.', action: 'Update the on-call escalation policy and the {pagingTool} configuration.' },
  { id: 'expense-policy', title: 'Expense policy update', notes: ['Finance presented proposed changes to the expense policy: a higher meal limit in expensive cities and a shorter submission deadline.', 'Managers asked for clearer guidance on team events and remote employee internet costs.'], decision: 'Adopt the new meal limits from next month.', action: 'Publish the revised expense policy and announce it at the all-hands.' },
  { id: 'vector-index-migration', title: 'Vector index migration', notes: ['The new vector index format reduces memory use by about a third in tests.', '{person} reported recall at 10 within one point of the current index on the golden query set.'], decision: 'Migrate one region to the new vector index format first.', action: 'Schedule the vector index rebuild in {region} and share the evaluation results.' },
  { id: 'postmortem-review', title: 'Incident postmortem review', notes: ['The postmortem for last week\'s {service} incident was reviewed; the timeline was clear but two contributing factors had no action items.', 'The group discussed whether the alert could have fired earlier.'], decision: 'Add action items for both contributing factors before publishing.', action: 'Update the incident postmortem and bring it back next week.' },
  { id: 'error-budget', title: 'Error budget status', notes: ['{service} has used most of its error budget for the period after two latency incidents.', 'Feature work for the team is paused until the budget recovers.'], decision: 'Prioritize the connection pool and timeout fixes.', action: 'Report error budget burn weekly until it recovers.' },
  { id: 'hiring', title: 'Hiring plan', notes: ['Two backend roles and one SRE role are open.', 'Interview load is uneven across the team.'], decision: 'Spread interview slots evenly and add two trained interviewers.', action: 'Update the interview rota.' },
  { id: 'release-cadence', title: 'Release cadence', notes: ['Deploys are bunching up on Thursdays, which makes rollbacks harder to attribute.', 'Smaller, more frequent deploys were suggested.'], decision: 'Encourage daily deploys and discourage Thursday batches.', action: 'Share deploy frequency per team in the weekly report.' },
  { id: 'customer-escalation', title: 'Customer escalation from {customer}', notes: ['{customer} reported slow search results during their morning peak.', 'Traces showed time spent in permission filtering rather than the vector index.'], decision: 'Cache permission lookups per session.', action: 'Send {customer} a written update with the timeline for the fix.' },
  { id: 'cloud-costs', title: 'Cloud cost review', notes: ['Compute costs rose this month, driven by idle staging clusters and embedding calls.', 'Re-embedding unchanged documents was found in one connector.'], decision: 'Scale staging down outside working hours and fix the connector to skip unchanged chunks.', action: 'Report savings at the next review.' },
  { id: 'roadmap-checkin', title: 'Roadmap check-in', notes: ['Most commitments for the quarter are on track.', '{feature} is at risk because of a dependency on the {otherTeam} team.'], decision: 'Cut scope on {feature} rather than move the date.', action: 'Update the roadmap and notify stakeholders.' },
  { id: 'flaky-tests', title: 'Flaky test cleanup', notes: ['Twelve tests account for most of the flaky failures in CI.', 'Quarantining them hides real failures, so fixing is preferred.'], decision: 'Assign the top five flaky tests to owners this sprint.', action: 'Track flaky test counts on the team dashboard.' },
  { id: 'design-review', title: 'Design review: {feature}', notes: ['The team walked through the proposed design for {feature}.', 'Questions focused on migration of existing data and failure handling.'], decision: 'Proceed with the design, with an added section on failure modes.', action: 'Update the design document with the failure mode analysis.' },
  { id: 'support-trends', title: 'Support ticket trends', notes: ['Tickets about SSO setup doubled after the last release.', 'Most were caused by unclear error messages.'], decision: 'Improve the SSO error messages and update the macros.', action: 'Update the customer FAQ on single sign-on setup.' },
  { id: 'security-training', title: 'Security training completion', notes: ['Completion of annual security training is at 87%.', 'Most overdue trainings belong to people who joined mid-year.'], decision: 'Send reminders through managers.', action: 'Report completion again in two weeks.' },
  { id: 'api-deprecation', title: 'Deprecation of the v1 API', notes: ['About forty integrations still call the v1 endpoints of {service}.', 'Most are internal scripts.'], decision: 'Announce a deprecation date six months out.', action: 'Contact owners of the remaining v1 callers.' },
  { id: 'kubernetes-upgrade', title: 'Kubernetes upgrade', notes: ['The cluster upgrade in {region} is scheduled for next week.', 'Two services still use a deprecated API version.'], decision: 'Block the upgrade until both services are fixed.', action: 'Open tickets with the owning teams.' },
  { id: 'month-end-close', title: 'Month-end close status', notes: ['The close is on track except for unreconciled card transactions.', 'Late expense reports account for most of the delay.'], decision: 'Send reminders three days before the deadline.', action: 'Share the list of overdue reports with managers.' },
  { id: 'vendor-renewals', title: 'Vendor renewals', notes: ['Three renewals are due next month, one with a significant price increase.', 'Usage of one tool has fallen below half of the licences.'], decision: 'Renegotiate the increase and reduce the underused licences.', action: 'Start procurement reviews for the three renewals.' },
  { id: 'team-health', title: 'Team health survey results', notes: ['Scores for clarity of priorities improved; scores for on-call load did not.', 'Several people mentioned night pages from noisy alerts.'], decision: 'Review the noisiest alerts and remove or tune them.', action: 'Bring a list of alert changes to the next meeting.' },
  { id: 'onboarding-feedback', title: 'Onboarding feedback', notes: ['Recent hires said the first week was well organized but access requests took too long.', 'Production access required three separate approvals.'], decision: 'Bundle standard access requests into one approval.', action: 'Update the onboarding guide and the access request form.' },
  { id: 'index-freshness', title: 'Index freshness regression', notes: ['Index freshness in {region} slipped to twenty minutes at peak.', 'The embedding provider is throttling during large imports.'], decision: 'Queue imports at lower priority than live changes.', action: 'Ship the priority queue change and monitor freshness.' },
];

interface MeetingSeries {
  readonly slug: string;
  readonly name: string;
  readonly domain: Domain;
  readonly team: string;
  readonly agenda: readonly string[];
}

const MEETING_SERIES: readonly MeetingSeries[] = [
  { slug: 'platform-weekly-sync', name: 'Platform Weekly Sync', domain: 'eng', team: 'Platform', agenda: ['credential-rotation', 'error-budget', 'release-cadence', 'kubernetes-upgrade', 'cloud-costs', 'flaky-tests', 'api-deprecation'] },
  { slug: 'search-relevance-review', name: 'Search Relevance Review', domain: 'eng', team: 'Search Relevance', agenda: ['vector-index-migration', 'index-freshness', 'customer-escalation', 'design-review', 'cloud-costs', 'postmortem-review'] },
  { slug: 'payments-engineering-sync', name: 'Payments Engineering Sync', domain: 'eng', team: 'Payments', agenda: ['credential-rotation', 'error-budget', 'postmortem-review', 'api-deprecation', 'design-review', 'flaky-tests'] },
  { slug: 'incident-review', name: 'Weekly Incident Review', domain: 'eng', team: 'Site Reliability', agenda: ['postmortem-review', 'on-call-escalation', 'error-budget', 'team-health', 'credential-rotation'] },
  { slug: 'engineering-all-hands', name: 'Engineering All-Hands', domain: 'eng', team: 'Site Reliability', agenda: ['hiring', 'roadmap-checkin', 'on-call-escalation', 'team-health', 'onboarding-feedback', 'security-training', 'release-cadence'] },
  { slug: 'architecture-review-board', name: 'Architecture Review Board', domain: 'eng', team: 'Platform', agenda: ['design-review', 'vector-index-migration', 'api-deprecation', 'kubernetes-upgrade'] },
  { slug: 'leadership-staff-meeting', name: 'Leadership Staff Meeting', domain: 'product', team: 'Growth', agenda: ['hiring', 'roadmap-checkin', 'expense-policy', 'cloud-costs', 'customer-escalation', 'team-health'] },
  { slug: 'product-roadmap-review', name: 'Product Roadmap Review', domain: 'product', team: 'Growth', agenda: ['roadmap-checkin', 'design-review', 'customer-escalation', 'support-trends'] },
  { slug: 'security-council', name: 'Security Council', domain: 'security', team: 'Security Engineering', agenda: ['credential-rotation', 'security-training', 'vendor-renewals', 'postmortem-review'] },
  { slug: 'finance-month-end-close', name: 'Finance Month-End Close', domain: 'finance', team: 'Payments', agenda: ['month-end-close', 'expense-policy', 'vendor-renewals', 'cloud-costs'] },
  { slug: 'support-escalations-review', name: 'Support Escalations Review', domain: 'support', team: 'Growth', agenda: ['support-trends', 'customer-escalation', 'index-freshness', 'api-deprecation'] },
  { slug: 'people-team-sync', name: 'People Team Sync', domain: 'people', team: 'Platform', agenda: ['hiring', 'onboarding-feedback', 'team-health', 'expense-policy', 'security-training'] },
];

// ------------------------------------------------------------------------------------------------ document items

type Kind =
  | 'runbook' | 'policy' | 'design' | 'faq' | 'postmortem' | 'meeting' | 'spec' | 'roadmap' | 'onboarding' | 'api'
  | 'glossary' | 'guide';

/** Everything needed to render one document: identity, topic and a renderer for its body. */
interface DocItem {
  readonly title: string;
  readonly path: string;
  readonly domain: Domain;
  /** One-sentence summary template; short documents consist of little more than this. */
  readonly lead: string;
  readonly facts: readonly string[];
  readonly vars: Vars;
  readonly render: (c: Composer, md: Markdown, target: number) => void;
}

const TEAM_CHANNELS: Readonly<Record<string, string>> = {
  Payments: '#payments-eng', Growth: '#growth-eng', Identity: '#identity-eng', Platform: '#platform-help',
  'Search Relevance': '#search-relevance', 'Data Infrastructure': '#data-infra', Analytics: '#analytics',
  'Developer Experience': '#dev-experience', 'Security Engineering': '#security', 'Site Reliability': '#sre',
  Mobile: '#mobile-eng', Finance: '#finance-help', 'People Operations': '#people-ops', IT: '#it-help',
  'Customer Support': '#support-escalations',
};

/** Values that must stay consistent within one document (who owns it, which version, which channel...). */
function baseVars(rng: Rng, service: Service, extra: Readonly<Record<string, string>> = {}): Vars {
  const [owner, reviewer] = rng.sample(PEOPLE, 2);
  const team = extra.team ?? service.team;
  return {
    service: service.id,
    serviceName: service.name,
    team,
    owner: owner ?? at(PEOPLE, 0),
    reviewer: reviewer ?? at(PEOPLE, 1),
    date: workday(rng),
    version: String(rng.int(2, 9)),
    minutes: rng.pick(['10', '15', '20', '30']),
    channel: TEAM_CHANNELS[team] ?? rng.pick(CHANNELS),
    ...extra,
  };
}

function serviceOfTeam(rng: Rng, team: string): Service {
  const owned = SERVICES.filter((s) => s.team === team);
  return rng.pick(owned.length > 0 ? owned : SERVICES);
}

/** Substitutes per-document vars only; used for titles, which must be fixed before rendering. */
function fillVars(template: string, vars: Vars): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_match, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`title template refers to {${key}}, which is not a document var`);
    return value;
  });
}

function singular(resource: string): string {
  const base = resource.endsWith('ies') ? `${resource.slice(0, -3)}y`
    : resource.endsWith('sses') ? resource.slice(0, -2)
      : resource.endsWith('s') ? resource.slice(0, -1) : resource;
  return base.replace(/-/g, '_');
}

const HELP_CHANNELS: Readonly<Record<Domain, string>> = {
  eng: '#sre', security: '#security', people: '#people-ops', finance: '#finance-help', product: '#product',
  support: '#support-escalations',
};

const PROCEDURE_INTROS: readonly string[] = [
  'Follow the steps in order. You can pause safely after any step, and the rollback section explains how to undo each one.',
  'Work through these steps from top to bottom and note the time of each one in {channel}.',
  'The steps below assume a calm situation. During an active incident, tell the incident commander before you start.',
];

const GUIDE_INTROS: readonly string[] = [
  'Work through the steps in order; most people finish in one sitting.',
  'The steps below cover the common case. Unusual situations are listed at the end.',
  'Each step links to the tool you need. If a step does not match what you see, tell {team} so that this guide can be fixed.',
];

const ESCALATION_LINES: readonly string[] = [
  'If the procedure does not work or you are unsure at any point, page the {team} on-call engineer through {pagingTool} and follow the on-call escalation policy.',
  'Escalate to the secondary on-call for {team} if you are blocked for more than {minutes} minutes. For customer-facing impact, declare an incident in #incidents.',
  'If customers are affected, declare an incident first and then continue with this runbook under the incident commander\'s direction.',
];

function runbookItem(rng: Rng, spec: RunbookSpec, target: string | undefined): DocItem {
  let title = spec.title;
  let path = `${spec.folder}/${spec.slug}.md`;
  let vars: Vars;
  if (spec.scope === 'service') {
    const service = serviceById(target ?? rng.pick(spec.targets ?? SERVICES.map((s) => s.id)));
    vars = baseVars(rng, service);
    if (target !== undefined) {
      title = `${spec.title} for ${service.name}`;
      path = `${spec.folder}/${service.id}/${spec.slug}.md`;
    }
  } else if (spec.scope === 'region') {
    const region = target ?? rng.pick(REGIONS);
    vars = baseVars(rng, spec.service !== undefined ? serviceById(spec.service) : rng.pick(SERVICES), { region });
    if (target !== undefined) {
      title = `${spec.title} in ${region}`;
      path = `${spec.folder}/${spec.slug}-${region}.md`;
    }
  } else if (spec.scope === 'none') {
    const team = spec.team ?? 'Platform';
    vars = baseVars(rng, serviceOfTeam(rng, team), { team });
  } else {
    const team = target ?? rng.pick(spec.targets ?? ENG_TEAMS);
    vars = baseVars(rng, serviceOfTeam(rng, team), { team });
    if (target !== undefined) {
      title = `${spec.title} (${team})`;
      path = `${spec.folder}/${spec.slug}-${slugify(team)}.md`;
    }
  }
  return {
    title, path, domain: spec.domain, lead: spec.lead, facts: spec.facts, vars,
    render: (c, md, words) => {
      const guide = spec.scope === 'none';
      const appliesTo = spec.scope === 'region' ? c.fill('{region}') : guide ? spec.appliesTo ?? 'All employees' : c.fill('{serviceName}');
      md.quote(c.fill('**Owner:** {team} · **Last reviewed:** {date} by {owner} · **Applies to:** ') + appliesTo);
      c.h2(md, 'Overview');
      md.para(`${c.fill(spec.lead)} ${c.paragraph(1, 3, 0.6)}`);
      if (words > 900) c.prose(md, words * 0.08);
      c.h2(md, guide ? 'When to Use This Guide' : 'When to Use This Runbook');
      md.bullets(c.fillAll(spec.triggers));
      c.h2(md, guide ? 'Before You Start' : 'Prerequisites');
      md.bullets(c.fillAll(spec.prerequisites));
      c.h2(md, guide ? 'Steps' : 'Procedure');
      md.para(c.fill(guide ? c.rng.pick(GUIDE_INTROS) : c.rng.pick(PROCEDURE_INTROS)));
      spec.steps.forEach((step, i) => {
        c.h3(md, `Step ${i + 1}: ${step.title}`);
        md.para(words > 800 ? `${c.fill(step.text)} ${c.paragraph(1, 2, 0.3)}` : c.fill(step.text));
        if (step.code !== undefined) md.code(step.code.lang, c.fillAll(step.code.lines));
      });
      c.h2(md, guide ? 'Check Your Work' : 'Verification');
      md.bullets(c.fillAll(spec.verify));
      c.h2(md, guide ? 'If Something Goes Wrong' : 'Rollback');
      md.para(c.fillAll(spec.rollback).join(' '));
      c.h2(md, guide ? 'Getting Help' : 'Escalation');
      md.para(guide
        ? c.fill(`Ask in ${HELP_CHANNELS[spec.domain]} and mention this guide; {team} answers within a business day.`)
        : c.fill(c.rng.pick(ESCALATION_LINES)));
      c.extras(md, words - 30);
      c.related(md, spec.title);
    },
  };
}

function policyItem(rng: Rng, spec: PolicySpec): DocItem {
  const service = spec.domain === 'eng' || spec.domain === 'security' ? rng.pick(SERVICES) : serviceOfTeam(rng, 'Platform');
  const vars = baseVars(rng, service, { team: spec.owner });
  return {
    title: spec.title, path: `${spec.folder}/${spec.slug}.md`, domain: spec.domain, lead: spec.lead, facts: spec.facts, vars,
    render: (c, md, words) => {
      const major = c.rng.int(2, 5);
      md.quote(c.fill(`**Policy owner:** ${spec.owner} · **Effective:** {date} · **Version:** ${major}.0`));
      c.h2(md, 'Purpose');
      md.para(`${c.fill(spec.lead)} ${c.paragraph(1, 3, 0.6)}`);
      if (words > 700) c.prose(md, words * 0.08);
      c.h2(md, 'Scope');
      md.para(`${c.fill(spec.scope)} ${c.sentence(0.4)}`);
      c.h2(md, 'Policy');
      md.para(c.topical(1, 2));
      for (const group of spec.groups) {
        c.h3(md, capitalize(group.heading));
        md.bullets(c.fillAll(group.rules));
        if (words > 1100) md.para(c.paragraph(1, 3, 0.4));
      }
      c.h2(md, 'Responsibilities');
      md.bullets([
        '**Everyone covered by this policy** follows it and asks when something is unclear.',
        '**Managers** make sure their teams know the policy and handle approvals promptly.',
        `**${spec.owner}** maintains the policy, answers questions in ${HELP_CHANNELS[spec.domain]} and reviews it every year.`,
      ]);
      c.h2(md, 'Exceptions');
      md.para(c.fill(`Exceptions must be requested in writing from ${spec.owner}, with a reason and an end date. ${c.sentence(0.3)}`));
      c.extras(md, words - 60);
      c.h2(md, 'Revision History');
      const date = c.value('date');
      md.table(
        ['Version', 'Date', 'Change', 'Author'],
        Array.from({ length: Math.min(major, 3) }, (_, i) => {
          const version = major - i;
          return [
            `${version}.0`, addDays(date, -i * c.rng.int(120, 300)),
            version === 1 ? 'First version' : c.rng.pick(['Clarified approval rules', 'Updated limits', 'Simplified wording', 'Added regional notes', 'Aligned with the annual review']),
            c.rng.pick(PEOPLE),
          ];
        }),
      );
    },
  };
}

function designItem(rng: Rng, spec: DesignSpec): DocItem {
  const vars = baseVars(rng, serviceById(spec.service), { team: spec.team });
  return {
    title: `Design: ${spec.system}`, path: `engineering/architecture/${spec.slug}.md`, domain: 'eng', lead: spec.lead,
    facts: spec.facts, vars,
    render: (c, md, words) => {
      md.quote(c.fill('**Status:** Accepted · **Authors:** {owner}, {reviewer} · **Team:** {team} · **Last updated:** {date}'));
      c.h2(md, 'Context');
      md.para(`${c.fill(spec.lead)} ${c.paragraph(2, 3, 0.6)}`);
      if (words > 900) c.prose(md, words * 0.1);
      c.h2(md, 'Goals');
      md.bullets(c.fillAll(spec.goals));
      c.h2(md, 'Non-goals');
      md.bullets(c.fillAll(spec.nonGoals));
      c.h2(md, 'Architecture');
      md.para(c.topical(2, 3));
      for (const component of spec.components) {
        c.h3(md, component.name);
        md.para(words > 700 ? `${c.fill(component.text)} ${c.paragraph(1, 3, 0.4)}` : c.fill(component.text));
      }
      c.h2(md, 'Data Flow');
      md.numbered(c.fillAll(spec.flow));
      c.h2(md, 'Failure Modes');
      md.bullets(c.fillAll(spec.failureModes));
      c.h2(md, 'Capacity and Performance');
      md.table(['Metric', 'Today', 'Target'], spec.capacity);
      c.h2(md, 'Alternatives Considered');
      for (const alternative of spec.alternatives) {
        c.h3(md, alternative.name);
        md.para(`${c.fill(alternative.text)} ${words > 1000 ? c.paragraph(1, 2, 0.3) : ''}`.trim());
      }
      c.extras(md, words - 50);
      c.h2(md, 'Open Questions');
      md.bullets(c.rng.sample([
        'How do we test this at production scale before launch?',
        'Which team owns the on-call rotation for the new components?',
        'What is the migration path for existing data?',
        'Do we need a separate deployment per region?',
        'How will we measure success after launch?',
      ], c.rng.int(2, 3)));
    },
  };
}

function faqItem(rng: Rng, spec: FaqSpec): DocItem {
  const vars = baseVars(rng, serviceOfTeam(rng, spec.team), { team: spec.team });
  return {
    title: spec.title, path: `${spec.folder}/${spec.slug}.md`, domain: spec.domain, lead: spec.lead, facts: spec.facts, vars,
    render: (c, md, words) => {
      md.para(`${c.fill(spec.lead)} ${c.paragraph(1, 2, 0.6)}`);
      const split = Math.ceil(spec.qas.length / 2);
      const groups: readonly (readonly [string, readonly QA[]])[] = [
        ['The Basics', spec.qas.slice(0, split)],
        ['Less Common Situations', spec.qas.slice(split)],
      ];
      for (const [heading, qas] of groups) {
        if (qas.length === 0) continue;
        c.h2(md, heading);
        for (const qa of qas) {
          c.h3(md, qa.q);
          md.para(words > 700 ? `${c.fill(qa.a)} ${c.paragraph(1, 2, 0.4)}` : c.fill(qa.a));
        }
      }
      c.extras(md, words - 40);
      c.h2(md, 'Still Have Questions?');
      md.para(c.fill(`Ask in ${HELP_CHANNELS[spec.domain]}; {team} watches the channel during business hours. This FAQ is maintained by {owner}.`));
    },
  };
}

const WENT_WELL: readonly string[] = [
  'The alert fired quickly and pointed at the right service.', 'The runbook was accurate and easy to follow.',
  'Communication in #incidents was calm and regular.', 'The rollback path worked exactly as designed.',
  'Support was told early and could answer customers confidently.', 'The handover between time zones was clean.',
];

const WENT_POORLY: readonly string[] = [
  'It took too long to identify the triggering change.', 'The dashboard did not show the failing dependency.',
  'The status page was updated late.', 'Two people made changes at the same time without coordinating.',
  'The relevant runbook was out of date.', 'The first page went to the wrong team.',
];

function postmortemItem(rng: Rng, spec: IncidentSpec): DocItem {
  const service = serviceById(rng.pick(spec.services));
  const minutes = String(rng.int(12, 140));
  const vars = baseVars(rng, service, { minutes });
  const title = `Postmortem: ${fillVars(spec.title, vars)}`;
  const date = vars.date ?? '2024-01-01';
  return {
    title, path: `engineering/postmortems/${date}-${slugify(fillVars(spec.title, vars))}.md`, domain: 'eng',
    lead: `This incident postmortem covers the {date} incident. ${spec.summary}`, facts: spec.facts, vars,
    render: (c, md, words) => {
      md.quote(c.fill(`**Severity:** SEV${spec.severity} · **Date:** {date} · **Incident commander:** {reviewer} · **Postmortem owner:** {owner} · **Status:** Published`));
      c.h2(md, 'Summary');
      md.para(`${c.fill(spec.summary)} ${c.topical(1, 3)}`);
      c.h2(md, 'Impact');
      c.h3(md, 'Customer impact');
      md.bullets([
        c.fill('{minutes} minutes of degraded or failed requests to {serviceName}.'),
        `About ${c.rng.int(2, 60) * 10} workspaces affected, ${c.rng.int(1, 9)} of them on enterprise plans.`,
        `${c.rng.int(3, 80)} support tickets opened during or after the incident.`,
      ]);
      c.h3(md, 'Internal impact');
      md.para(c.paragraph(1, 3, 0.3));
      c.h2(md, 'Timeline');
      md.para('All times are UTC.');
      let minute = c.rng.int(0, 23) * 60 + c.rng.int(0, 59);
      md.table(['Time (UTC)', 'Event'], spec.timeline.map((event, i) => {
        if (i > 0) minute += c.rng.int(2, Math.max(3, Math.floor(Number(minutes) / spec.timeline.length) + 4));
        const hh = String(Math.floor(minute / 60) % 24).padStart(2, '0');
        const mm = String(minute % 60).padStart(2, '0');
        return [`${hh}:${mm}`, c.fill(event)];
      }));
      c.h2(md, 'Root Cause');
      md.para(c.fillAll(spec.rootCause).join(' '));
      if (words > 800) c.prose(md, words * 0.08);
      c.h2(md, 'Contributing Factors');
      md.bullets(c.fillAll(spec.factors));
      c.h2(md, 'Detection');
      md.para(`${c.fill(spec.detection)} ${c.sentence(0.3)}`);
      c.h2(md, 'Resolution and Recovery');
      md.para(`${c.fill(spec.resolution)} ${c.sentence(0.3)}`);
      c.h2(md, 'What Went Well');
      md.bullets(c.rng.sample(WENT_WELL, c.rng.int(2, 3)));
      c.h2(md, 'What Went Poorly');
      md.bullets(c.rng.sample(WENT_POORLY, c.rng.int(2, 3)));
      c.extras(md, words - 120);
      c.h2(md, 'Action Items');
      md.table(['Action', 'Owner', 'Due', 'Ticket'], spec.actions.map((action, i) => [
        c.fill(action), c.rng.pick(PEOPLE), addDays(c.value('date'), 14 * (i + 1)), c.value('ticket'),
      ]));
      c.h2(md, 'Lessons Learned');
      md.para(c.paragraph(2, 4, 0.4));
    },
  };
}

function agendaItem(id: string): AgendaItem {
  const item = AGENDA_ITEMS.find((a) => a.id === id);
  if (item === undefined) throw new Error(`unknown agenda item ${id}`);
  return item;
}

const MEETING_VOICES: readonly string[] = [
  '{who}:', '{who} noted:', '{who} reminded the group:', '{who} added context:', 'Question from {who}, answered in the room:',
  '{who} pointed out:', 'Follow-up from {who}:',
];

function meetingItem(rng: Rng, series: MeetingSeries): DocItem {
  const vars = baseVars(rng, serviceOfTeam(rng, series.team), {
    team: series.team, feature: rng.pick(PRODUCT_FEATURES), customer: rng.pick(CUSTOMERS), region: rng.pick(REGIONS),
    otherTeam: rng.pick(ENG_TEAMS.filter((t) => t !== series.team)),
  });
  const date = vars.date ?? '2024-01-01';
  const agenda = rng.shuffle(series.agenda).map(agendaItem);
  const first = at(agenda, 0);
  return {
    title: `${series.name} — ${date}`, path: `meetings/${date.slice(0, 4)}/${date}-${series.slug}.md`, domain: series.domain,
    lead: `Notes from the ${series.name} on {date}. The main decision: ${first.decision}`,
    facts: agenda.flatMap((item) => item.notes), vars,
    render: (c, md, words) => {
      const count = Math.max(2, Math.min(agenda.length, Math.round(words / 260)));
      const items = agenda.slice(0, count);
      md.para(c.fill('**Date:** {date} · **Facilitator:** {owner} · **Notes:** {reviewer}'));
      const attendees = [c.value('owner'), c.value('reviewer'), ...c.rng.sample(PEOPLE, c.rng.int(3, 8))]
        .filter((person, i, all) => all.indexOf(person) === i);
      c.h2(md, 'Attendees');
      md.bullets(attendees.map((person) => `${person} (${c.rng.pick([...ENG_TEAMS, ...BUSINESS_TEAMS])})`));
      c.h2(md, 'Agenda');
      md.numbered(items.map((item) => c.fill(item.title)));
      c.h2(md, 'Discussion');
      const perItem = Math.max(0, (words - 250) / count - 60);
      for (const item of items) {
        c.h3(md, c.fill(item.title));
        md.para(c.fillAll(item.notes).join(' '));
        const points: string[] = [];
        for (let spent = 0; spent < perItem;) {
          const point = `${c.rng.pick(MEETING_VOICES).replace('{who}', c.rng.pick(attendees))} ${c.sentence(0)}`;
          points.push(point);
          spent += countWords(point);
        }
        md.bullets(points);
      }
      c.h2(md, 'Decisions');
      md.bullets(items.map((item) => c.fill(item.decision)));
      c.h2(md, 'Action Items');
      md.checklist(items.map((item, i) => `**${c.rng.pick(attendees)}**: ${c.fill(item.action)} Due ${addDays(date, 7 * (1 + (i % 2)))}.`));
      c.extras(md, words - 30);
      c.h2(md, 'Next Meeting');
      md.para(`The next meeting is on ${addDays(date, 7)}. Add agenda items to the shared document by the day before.`);
    },
  };
}

const SOLUTION_PARAGRAPHS: Readonly<Record<string, readonly string[]>> = {
  Experience: [
    'The entry point for {feature} sits where users already work, so it needs no new navigation.',
    'Defaults are chosen so that most workspaces never need to change a setting.',
    'Empty states explain what the feature does and link to the help center.',
  ],
  Permissions: [
    'Only workspace admins can turn {feature} on; members see it once it is enabled.',
    'Every change to the configuration is written to the audit log.',
  ],
  'API Changes': [
    'The public API gains endpoints for {feature} that follow the existing pagination and error conventions.',
    'All new write endpoints accept idempotency keys.',
  ],
  'Data Model': [
    'A new table stores configuration per workspace, keyed by workspace ID.',
    'No existing tables change, which keeps the migration low risk.',
  ],
};

function specItem(rng: Rng, feature: FeatureSpec): DocItem {
  const vars = baseVars(rng, serviceOfTeam(rng, feature.team), { team: feature.team, feature: feature.name.toLowerCase() });
  const status = rng.pick(['Draft', 'In review', 'Approved', 'In development', 'Shipped']);
  return {
    title: `Spec: ${feature.name}`, path: `product/specs/${feature.slug}.md`, domain: 'product',
    lead: `This spec proposes ${feature.name.toLowerCase()} for Acme customers. ${at(feature.facts, 0)}`, facts: feature.facts, vars,
    render: (c, md, words) => {
      md.quote(c.fill(`**Status:** ${status} · **Owner:** {owner} · **Team:** {team} · **Area:** ${feature.area} · **Target:** {quarter} {year}`));
      c.h2(md, 'Summary');
      md.para(`This spec proposes ${feature.name.toLowerCase()}. ${c.topical(1, 2)}`);
      c.h2(md, 'Problem');
      md.para(c.topical(2, 4));
      if (words > 800) c.prose(md, words * 0.1);
      c.h2(md, 'Goals');
      md.bullets(feature.goals);
      c.h2(md, 'Non-goals');
      md.bullets(feature.nonGoals);
      c.h2(md, 'User Stories');
      md.bullets(feature.stories);
      c.h2(md, 'Proposed Solution');
      for (const [heading, paragraphs] of Object.entries(SOLUTION_PARAGRAPHS)) {
        if (heading === 'Data Model' && words < 600) continue;
        c.h3(md, heading);
        md.para(`${c.fillAll(paragraphs).join(' ')} ${words > 900 ? c.paragraph(1, 2, 0.3) : ''}`.trim());
        if (heading === 'API Changes') {
          md.code('json', [
            '{',
            `  "feature": "${feature.slug}",`,
            '  "enabled": true,',
            `  "updated_by": "${slugify(c.value('owner'))}",`,
            `  "updated_at": "${c.value('date')}T09:30:00Z"`,
            '}',
          ]);
        }
      }
      c.h2(md, 'Success Metrics');
      md.table(['Metric', 'Baseline', 'Target'], [
        ['Weekly active workspaces using the feature', '0', `${c.rng.int(10, 40)}% of eligible`],
        ['Related support tickets per week', String(c.rng.int(20, 90)), String(c.rng.int(5, 15))],
        ['Task completion time', `${c.rng.int(6, 20)} min`, `${c.rng.int(1, 5)} min`],
      ]);
      c.h2(md, 'Rollout Plan');
      md.numbered(c.fillAll([
        'Internal dogfooding in the Acme workspace.',
        'Private beta with {n} design partners, including {customer}.',
        'Public beta behind a flag for {percent} of workspaces.',
        'General availability, with an announcement and updated help articles.',
      ]));
      c.extras(md, words - 50);
      c.h2(md, 'Open Questions');
      md.bullets(c.rng.sample([
        'Should the feature be available on the free plan?',
        'Do we need an admin setting to disable it per team?',
        'How do we migrate customers who built a workaround?',
        'What is the right default notification frequency?',
        'Which metrics should appear on the customer-facing dashboard?',
      ], c.rng.int(2, 3)));
    },
  };
}

function roadmapItem(rng: Rng, area: (typeof ROADMAP_AREAS)[number], quarter: string, year: string): DocItem {
  const vars = baseVars(rng, serviceOfTeam(rng, area.team), { team: area.team, quarter, year });
  const features = FEATURES.filter((f) => f.area === area.area);
  const themes = rng.shuffle(area.themes);
  return {
    title: `Roadmap: ${area.area}, ${quarter} ${year}`, path: `product/roadmap/${year}-${quarter.toLowerCase()}-${slugify(area.area)}.md`,
    domain: 'product', lead: `The ${area.area} roadmap for ${quarter} ${year} focuses on ${at(themes, 0).toLowerCase()}.`,
    facts: features.flatMap((f) => f.facts), vars,
    render: (c, md, words) => {
      md.quote(c.fill(`**Owner:** {owner} · **Team:** {team} · **Last updated:** {date}`));
      c.h2(md, 'Themes');
      md.para(`This quarter the ${area.area} area focuses on a small number of themes. ${c.paragraph(1, 2, 0.3)}`);
      md.bullets(themes.slice(0, c.rng.int(2, 3)));
      c.h2(md, 'Committed');
      for (const feature of c.rng.sample(features, c.rng.int(1, Math.max(1, features.length)))) {
        c.h3(md, feature.name);
        md.para(`${c.fill(at(feature.facts, 0))} ${at(feature.goals, 0)} ${words > 900 ? c.paragraph(1, 2, 0.3) : ''}`.trim());
      }
      c.h2(md, 'Stretch Goals');
      md.bullets(themes.slice(2).map((theme) => `${theme}: exploratory work only, no date commitment.`));
      c.h2(md, 'Not This Quarter');
      md.bullets(c.rng.sample(PRODUCT_FEATURES, 2).map((f) => `${capitalize(f)}, which depends on other teams' work.`));
      c.h2(md, 'Milestones');
      c.table(md);
      c.extras(md, words - 50);
      c.h2(md, 'Risks');
      md.bullets([c.combo(), c.combo()]);
    },
  };
}

const DAY_PLANS: readonly string[] = [
  'Your first day is mostly setup: collect your laptop, activate {idp}, meet your manager {owner} and have lunch with your onboarding buddy {reviewer}.',
  'Spend the second day reading: the team page, the service catalog entries for the team, and the handbook pages on the reading list below.',
  'On day three, pair with a teammate on real work and ask every question you have; nothing is too small.',
  'Day four is for your first small task. Your buddy will review it with you.',
  'On day five, join the team retrospective and share one thing that surprised you this week.',
];

function onboardingItem(rng: Rng, role: RoleSpec, team: string): DocItem {
  const vars = baseVars(rng, serviceOfTeam(rng, team), { team });
  return {
    title: `Onboarding Guide: ${role.role} on the ${team} Team`, path: `${role.folder}/${slugify(role.role)}-${slugify(team)}.md`,
    domain: role.domain, lead: `A guide to your first weeks as a ${role.role.toLowerCase()} on the ${team} team at Acme.`,
    facts: role.facts, vars,
    render: (c, md, words) => {
      md.para(`Welcome to the ${team} team! This onboarding guide walks you through your first weeks as a ${role.role.toLowerCase()} at Acme. ${c.topical(1, 2)}`);
      c.h2(md, 'Before Your First Day');
      md.bullets(c.fillAll([
        'Your laptop arrives a few days before your start date; wait until your first morning to set it up, when IT is available.',
        'Look out for the {idp} activation email in your personal inbox.',
        'Your manager, {owner}, will send an invite for your first one-on-one.',
        'Your onboarding buddy is {reviewer}, who will check in with you every day during your first week.',
      ]));
      c.h2(md, 'Your First Week');
      DAY_PLANS.forEach((plan, i) => {
        c.h3(md, `Day ${i + 1}`);
        md.para(words > 900 ? `${c.fill(plan)} ${c.paragraph(1, 2, 0.3)}` : c.fill(plan));
      });
      c.h2(md, 'Accounts and Access');
      md.table(['System', 'How to get access', 'Approver'], [
        [c.fill('{idp}'), 'Activated before day one', 'IT'],
        [c.fill('{hrTool}'), 'Automatic', 'People Operations'],
        ...role.tools.slice(0, 3).map((tool) => [capitalize(c.fill(tool)), 'Request in the IT portal', c.fill('{owner}')]),
      ]);
      c.h2(md, 'Tools You Will Use');
      md.bullets(c.fillAll(role.tools).map(capitalize));
      c.h2(md, 'Your First Tasks');
      md.numbered(role.firstTasks);
      c.h2(md, 'People to Meet');
      md.bullets(c.rng.sample(PEOPLE, c.rng.int(3, 5)).map((person, i) => `${person}, ${at(['who leads the team\'s planning', 'who knows the history of our services', 'from People Operations', 'who runs the on-call rotation', 'from Customer Support, who can tell you what customers struggle with'], i)}.`));
      c.h2(md, 'Reading List');
      md.bullets(c.rng.sample([...RELATED[role.domain], 'Expense Policy', 'Paid Time Off Policy', 'Acceptable Use Policy'], c.rng.int(4, 6)));
      c.h2(md, 'Your First 90 Days');
      for (const [heading, text] of [
        ['First 30 days', 'Learn how the team works, ship small changes and build relationships.'],
        ['Days 31 to 60', 'Take ownership of a small project and start contributing to planning.'],
        ['Days 61 to 90', 'Lead a piece of work end to end and reflect on onboarding with your manager.'],
      ] as const) {
        c.h3(md, heading);
        md.para(words > 1000 ? `${text} ${c.paragraph(1, 2, 0.3)}` : text);
      }
      c.extras(md, words - 20);
    },
  };
}

const ENDPOINTS: readonly (readonly [string, string, string])[] = [
  ['GET', '/v1/{resource}', 'Lists {resource} visible to the caller, newest first. Supports cursor pagination and filters.'],
  ['GET', '/v1/{resource}/:id', 'Returns a single record by ID, or a not-found error.'],
  ['POST', '/v1/{resource}', 'Creates a record. Send an Idempotency-Key header so that retries are safe.'],
  ['PATCH', '/v1/{resource}/:id', 'Updates only the fields you send and leaves the rest unchanged.'],
  ['DELETE', '/v1/{resource}/:id', 'Deletes a record. Deletion is soft for thirty days and permanent afterwards.'],
];

function apiItem(rng: Rng, api: ApiServiceSpec, aspect: ApiAspectSpec): DocItem {
  const service = serviceById(api.service);
  const resource = rng.pick(api.resources);
  const vars = baseVars(rng, service, { resource, resourceSingular: singular(resource) });
  return {
    title: `${service.name} API: ${aspect.name}`, path: `engineering/api/${service.id}/${aspect.slug}.md`, domain: 'eng',
    lead: at(aspect.facts, 0), facts: aspect.facts, vars,
    render: (c, md, words) => {
      md.quote(c.fill('**Service:** `{service}` · **Owner:** {team} · **Base URL:** `https://{service}.internal.acme.example/v1`'));
      c.h2(md, 'Overview');
      md.para(`${c.fill(at(aspect.facts, 0))} ${c.paragraph(1, 3, 0.4)}`);
      c.h2(md, aspect.name);
      md.para(c.topical(2, 3));
      md.bullets(c.fillAll(aspect.rules));
      md.code(aspect.code.lang, c.fillAll(aspect.code.lines));
      c.h2(md, 'Endpoints');
      const endpoints = Math.max(2, Math.min(ENDPOINTS.length * api.resources.length, Math.round(words / 180)));
      let written = 0;
      for (const res of api.resources) {
        for (const [method, path, text] of ENDPOINTS) {
          if (written++ >= endpoints) break;
          c.h3(md, `${method} ${path.replace('{resource}', res)}`);
          md.para(text.replace('{resource}', res.replace(/-/g, ' ')));
        }
      }
      c.h2(md, 'Errors');
      const errors = [
        ['400', 'invalid_request', 'The request failed validation; the body lists the fields.'],
        ['401', 'unauthenticated', 'The token is missing or expired.'],
        ['403', 'forbidden', 'The caller lacks the required scope.'],
        ['404', `${singular(resource)}_not_found`, 'No record with that ID exists.'],
        ['409', 'idempotency_conflict', 'An idempotency key was reused with a different body.'],
        ['429', 'rate_limited', 'Too many requests; honour Retry-After.'],
        ['503', 'unavailable', 'Temporary problem; retry with backoff.'],
      ];
      const kept = errors.filter(() => c.rng.chance(0.75));
      md.table(['Status', 'Code', 'Meaning'], kept.length >= 3 ? kept : errors.slice(0, 4));
      c.extras(md, words - 60);
      c.h2(md, 'Changelog');
      const date = c.value('date');
      md.bullets(c.rng.sample([
        `Added a status filter to the ${resource} list endpoint.`,
        'Raised the default page size to 50.',
        'Deprecated the legacy offset parameter.',
        `Added webhook events for ${resource}.`,
        'Included request IDs in every error body.',
        'Documented retry behaviour for 503 responses.',
      ], 3).map((change, i) => `${addDays(date, -i * c.rng.int(20, 90))}: ${change}`));
    },
  };
}

function glossaryItem(rng: Rng, entry: GlossarySpec): DocItem {
  const vars = baseVars(rng, rng.pick(SERVICES));
  return {
    title: entry.term, path: `glossary/${slugify(entry.term)}.md`, domain: entry.domain,
    lead: `**${entry.term}**: ${entry.definition}`, facts: entry.usage, vars,
    render: (c, md, words) => {
      md.para(`**${entry.term}**: ${entry.definition}`);
      c.h2(md, 'At Acme');
      md.para(`${c.fillAll(entry.usage).join(' ')} ${c.sentence(0.2)}`);
      c.h3(md, 'Where you will see it');
      md.para(c.paragraph(1, 3, 0.3));
      if (words > 250) {
        c.h2(md, 'Why It Matters');
        c.prose(md, Math.min(250, words * 0.3));
      }
      c.extras(md, words - 25);
      c.h2(md, 'Related Terms');
      md.bullets(entry.related);
    },
  };
}

// ------------------------------------------------------------------------------------------------ catalog

interface DeckEntry {
  readonly key: string;
  readonly make: (rng: Rng) => DocItem;
}

const KIND_WEIGHTS: readonly (readonly [Kind, number])[] = [
  ['runbook', 13], ['meeting', 14], ['postmortem', 7], ['api', 7], ['glossary', 9], ['policy', 8], ['onboarding', 7],
  ['spec', 6], ['faq', 7], ['design', 5], ['roadmap', 3], ['guide', 7],
];

interface Anchor {
  readonly kind: Kind;
  readonly key: string;
}

/** Documents that always come first, so that the demo queries have clearly relevant answers at any seed. */
const ANCHORS: readonly Anchor[] = [
  { kind: 'runbook', key: 'rotate-database-credentials' },
  { kind: 'policy', key: 'on-call-escalation-policy' },
  { kind: 'policy', key: 'expense-policy' },
  { kind: 'policy', key: 'incident-postmortem-process' },
  { kind: 'design', key: 'vector-index-service' },
  { kind: 'runbook', key: 'rebuild-the-vector-index' },
  { kind: 'postmortem', key: 'credential-rotation-missed-consumer' },
  { kind: 'postmortem', key: 'vector-index-corruption' },
  { kind: 'faq', key: 'on-call-faq' },
  { kind: 'faq', key: 'expense-reports-faq' },
  { kind: 'glossary', key: 'vector-index' },
  { kind: 'policy', key: 'credential-and-secrets-management-policy' },
  { kind: 'runbook', key: 'hand-over-the-on-call-shift' },
  { kind: 'faq', key: 'incident-response-faq' },
  { kind: 'glossary', key: 'postmortem' },
  { kind: 'faq', key: 'secrets-and-credentials-faq' },
  { kind: 'design', key: 'document-ingestion-pipeline' },
];

class Catalog {
  private readonly decks = new Map<Kind, DeckEntry[]>();
  private incidents: IncidentSpec[] = [];
  private series: MeetingSeries[] = [];

  constructor(private readonly rng: Rng) {
    const deck = (kind: Kind, entries: DeckEntry[]): void => {
      this.decks.set(kind, rng.shuffle(entries));
    };
    deck('runbook', RUNBOOKS.flatMap((spec) => {
      const targets = spec.scope === 'region' ? REGIONS
        : spec.targets ?? (spec.scope === 'team' ? ENG_TEAMS : SERVICES.map((s) => s.id));
      return targets.map((target) => ({ key: `${spec.slug}@${target}`, make: (r) => runbookItem(r, spec, target) }));
    }));
    deck('guide', GUIDES.map((spec) => ({ key: spec.slug, make: (r) => runbookItem(r, spec, undefined) })));
    deck('policy', POLICIES.map((spec) => ({ key: spec.slug, make: (r) => policyItem(r, spec) })));
    deck('design', DESIGNS.map((spec) => ({ key: spec.slug, make: (r) => designItem(r, spec) })));
    deck('faq', FAQS.map((spec) => ({ key: spec.slug, make: (r) => faqItem(r, spec) })));
    deck('glossary', GLOSSARY.map((entry) => ({ key: slugify(entry.term), make: (r) => glossaryItem(r, entry) })));
    deck('spec', FEATURES.map((feature) => ({ key: feature.slug, make: (r) => specItem(r, feature) })));
    deck('roadmap', ROADMAP_AREAS.flatMap((area) => ['2023', '2024'].flatMap((year) => ['Q1', 'Q2', 'Q3', 'Q4'].map((quarter) => ({
      key: `${area.area}-${year}-${quarter}`, make: (r) => roadmapItem(r, area, quarter, year),
    })))));
    deck('onboarding', ROLES.flatMap((role) => role.teams.map((team) => ({
      key: `${role.role}@${team}`, make: (r) => onboardingItem(r, role, team),
    }))));
    deck('api', API_SERVICES.flatMap((api) => API_ASPECTS.map((aspect) => ({
      key: `${api.service}/${aspect.slug}`, make: (r) => apiItem(r, api, aspect),
    }))));
  }

  anchor(anchor: Anchor, docRng: Rng): DocItem | undefined {
    if (anchor.kind === 'runbook') {
      const spec = RUNBOOKS.find((r) => r.slug === anchor.key);
      return spec === undefined ? undefined : runbookItem(docRng, spec, undefined);
    }
    if (anchor.kind === 'postmortem') {
      const spec = INCIDENTS.find((i) => i.slug === anchor.key);
      return spec === undefined ? undefined : postmortemItem(docRng, spec);
    }
    const deck = this.decks.get(anchor.kind) ?? [];
    const index = deck.findIndex((entry) => entry.key === anchor.key);
    if (index < 0) return undefined;
    const [entry] = deck.splice(index, 1);
    return entry?.make(docRng);
  }

  /** Draws the next topic with the catalog's own stream; `docRng` fills in the document's details. */
  next(docRng: Rng): DocItem {
    const available = KIND_WEIGHTS.filter(([kind]) => kind === 'meeting' || kind === 'postmortem' || (this.decks.get(kind)?.length ?? 0) > 0);
    const kind = this.rng.weighted(available);
    // Open-ended kinds cycle through shuffled topics so that no single topic dominates by chance.
    if (kind === 'meeting') {
      if (this.series.length === 0) this.series = this.rng.shuffle(MEETING_SERIES);
      return meetingItem(docRng, at(this.series.splice(0, 1), 0));
    }
    if (kind === 'postmortem') {
      if (this.incidents.length === 0) this.incidents = this.rng.shuffle(INCIDENTS);
      return postmortemItem(docRng, at(this.incidents.splice(0, 1), 0));
    }
    const entry = this.decks.get(kind)?.shift();
    if (entry === undefined) throw new Error(`deck ${kind} is empty`);
    return entry.make(docRng);
  }
}

// ------------------------------------------------------------------------------------------------ public API

type SizeClass = 'short' | 'medium' | 'long';

interface Plan {
  readonly size: SizeClass;
  readonly target: number;
}

/** ~4% stubs of 1-3 sentences, ~10% long documents of 2,000-5,000 words, the rest 200-1,500 words. */
function choosePlan(rng: Rng, anchored: boolean): Plan {
  const r = rng.float();
  if (!anchored && r < 0.04) return { size: 'short', target: 0 };
  if (r < 0.14) return { size: 'long', target: rng.int(2200, 4500) };
  return { size: 'medium', target: 230 + Math.round(1100 * rng.float() ** 1.4) };
}

function renderItem(rng: Rng, item: DocItem, plan: Plan): string {
  const c = new Composer(rng, item.vars, item.domain, item.facts, plan.size === 'long');
  const md = new Markdown();
  md.h1(item.title);
  if (plan.size === 'short') {
    const sentences = [c.fill(item.lead)];
    const extra = rng.int(0, 2);
    if (extra >= 1 && item.facts.length > 0) sentences.push(c.fill(c.fresh(item.facts)));
    if (extra >= 2) sentences.push(c.fill(rng.pick(STUB_NOTES)));
    md.para(sentences.join(' '));
  } else {
    item.render(c, md, plan.target);
  }
  return md.toString();
}

/** Generates `count` documents. Pure and deterministic: the same options always give identical output. */
export function generateCorpus(options: CorpusOptions): GeneratedDoc[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Separate streams: one for what to write (topics and sizes), one per document for how to write it. Keeping them
  // apart stops the variable amount of randomness used while rendering from skewing which topics get chosen.
  const pickRng = new Rng(deriveSeed(seed, 0));
  const catalog = new Catalog(pickRng);
  const docs: GeneratedDoc[] = [];
  const paths = new Set<string>();
  for (let i = 0; i < count; i++) {
    const docRng = new Rng(deriveSeed(seed, i + 1));
    const anchor = ANCHORS[i];
    let item = anchor === undefined ? undefined : catalog.anchor(anchor, docRng);
    for (let attempts = 0; item === undefined || paths.has(item.path); attempts++) {
      if (attempts > 500) throw new Error(`could not find a unique path for document ${i + 1}`);
      item = catalog.next(docRng);
    }
    paths.add(item.path);
    docs.push({ path: item.path, text: renderItem(docRng, item, choosePlan(pickRng, anchor !== undefined)) });
  }
  return docs;
}

/** Writes documents under `dir`, creating folders as needed. Never writes outside `dir`. */
export async function writeCorpus(dir: string, docs: GeneratedDoc[]): Promise<void> {
  for (const doc of docs) {
    const segments = doc.path.split('/');
    if (doc.path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new Error(`refusing to write a document with an unsafe path: ${doc.path}`);
    }
    const target = join(dir, ...segments);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, doc.text, 'utf8');
  }
}

// ------------------------------------------------------------------------------------------------ CLI

interface CliOptions {
  out: string;
  count: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { out: 'examples/corpus', count: 300, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const arg = at(argv, i);
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') {
      console.log('Usage: tsx examples/generate-corpus.ts [--out DIR] [--count N] [--seed S]');
      process.exit(0);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--out':
        options.out = value;
        break;
      case '--count':
        options.count = Number(value);
        break;
      case '--seed':
        options.seed = Number(value);
        break;
      default:
        throw new Error(`unknown argument ${flag}`);
    }
  }
  return options;
}

async function removeMarkdownFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) removed += await removeMarkdownFiles(full);
    else if (entry.isFile() && entry.name.endsWith('.md')) {
      await rm(full);
      removed++;
    }
  }
  return removed;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const docs = generateCorpus({ count: options.count, seed: options.seed });
  const removed = (await exists(options.out)) ? await removeMarkdownFiles(options.out) : 0;
  await writeCorpus(options.out, docs);
  const words = docs.map((doc) => countWords(doc.text)).sort((a, b) => a - b);
  const bytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(doc.text, 'utf8'), 0);
  const median = words.length === 0 ? 0 : at(words, Math.floor(words.length / 2));
  console.log(
    `Wrote ${docs.length} documents to ${options.out} (seed ${options.seed}; removed ${removed} old .md files). ` +
    `Words min/median/max: ${words[0] ?? 0}/${median}/${words[words.length - 1] ?? 0}; total ${bytes} bytes.`,
  );
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
