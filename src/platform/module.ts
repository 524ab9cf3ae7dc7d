// The module contract. A module is a folder under src/modules whose index.ts exports one
// ConsulaireModule; src/app.ts registers the list and nothing else knows a module exists.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Permission } from './access/permissions.js';
import type { Actor } from './audit/audit.js';
import type { AnyDb, Dialect } from './db/index.js';
import type { LoadSnapshot } from './db/load-stats.js';
import type { Messages, Translate } from './i18n/index.js';
import type { JobHandler, Schedule } from './jobs/index.js';
import type { Mailer } from './mail/index.js';
import type { Settings } from './settings.js';
import type { VNode } from 'preact';
import type { ViewContext } from './ui/view-context.js';

/**
 * What a module receives at start: the shared services of the platform. A module's handlers
 * see it as `ModuleContext<XDb>`, with the module's typed handle (platform/db/typed.ts): the
 * untyped `db` is assignable to it, no cast.
 */
export interface ModuleContext<Db = AnyDb> {
  db: Db;
  /**
   * Heavy reads — searches with counts, exports, reports, statistics — off the request path,
   * each statement time-limited (503 past it): see docs/MODULES.md, "How a module runs a heavy
   * read". Writes and reads that must see a write of the same transaction stay on `db`.
   */
  reads: Db;
  /** record pages that read many rows but must stay instant (a company page): never searches */
  quickReads: Db;
  /** event-loop delay and read waits, for the operators' health page */
  loadStats(): LoadSnapshot;
  dialect: Dialect;
  config: Config;
  mailer: Mailer;
  settings: Settings;
  /** panels other modules contribute to a record page (e.g. the CRM timeline on a company) */
  panelsFor(entity: string): RecordPanel[];
  /** what other modules add to a member company's follow-up (the extranet's "Suivi") */
  memberTimelineSources(): MemberTimelineSource[];
  /** every module's activity figures for a period (modules without `kpis` contribute none) */
  kpis(period: KpiPeriod): Promise<{ module: string; kpis: Kpi[] }[]>;
}

/** One entry of a member company's follow-up, contributed by a module (see MemberTimelineSource). */
export interface MemberTimelineEntry {
  /** the module's own kind name, unique across modules (e.g. 'message'): orders ties, names a CSS class */
  kind: string;
  id: number;
  /** YYYY-MM-DD or an ISO timestamp: entries sort newest first, as text */
  date: string;
  /** i18n key of the kind's label ("Message", "Formation"…) */
  label: string;
  title: string;
  /** the member's page for the entry */
  href: string;
  /** already translated (the reader's language is the one `t` carries), optional */
  status?: string;
}

/**
 * A module's records shown in a member company's follow-up: ONLY the company's own records, only
 * what its members may read. `list` gives the newest `limit` entries (date desc, then id desc), so
 * the extranet pages a merge of all sources exactly as it pages its own.
 */
export interface MemberTimelineSource {
  count(ctx: ModuleContext, companyId: number): Promise<number>;
  list(ctx: ModuleContext, companyId: number, limit: number, t: Translate): Promise<MemberTimelineEntry[]>;
}

/**
 * A block a module adds to another module's record page, without the owner importing it:
 * the registry's company page renders every panel registered for 'company'.
 */
export interface RecordPanel {
  entity: string;
  order?: number;
  /** null when there is nothing to show (or the actor may not see it) */
  render(ctx: ModuleContext, view: ViewContext, entityId: number): Promise<VNode | null>;
}

export interface NavEntry {
  /** i18n key of the section heading under which the entry is listed (nav.section.*) */
  section: string;
  /** i18n key of the label */
  label: string;
  href: string;
  /** the entry is shown only to actors with this permission */
  permission: Permission;
  /** order inside the section (smaller first) */
  order?: number;
}

export interface SearchHit {
  /** i18n key of the kind shown beside the hit (e.g. 'registry.kind.company') */
  kind: string;
  title: string;
  subtitle?: string;
  href: string;
}

/** Global search: each module answers for its own records, already scoped to the actor. */
export interface SearchProvider {
  /** permission needed to be asked at all */
  permission: Permission;
  search(ctx: ModuleContext, actor: Actor, q: string, limit: number): Promise<SearchHit[]>;
}

/** An item waiting for the actor ("à traiter" on the home page). */
export interface TodoItem {
  label: string;
  href: string;
  due?: string;
}

/** A period of activity figures: [from, to) as UTC instants (ISO 8601). */
export interface KpiPeriod {
  from: string;
  to: string;
  /** the same period as Paris calendar dates [fromDate, toDate), for date columns */
  fromDate: string;
  toDate: string;
}

/** One figure a module contributes to the statistics dashboard and the monthly report. */
export interface Kpi {
  /** `<module>.<what>`: stable across months (the dashboard compares by key) */
  key: string;
  /** its label in both languages (the module's own words, kept beside its query) */
  label: { fr: string; en: string };
  value: number;
  /** 'count' (default), 'cents' (money, integer cents) or 'percent' */
  unit?: 'count' | 'cents' | 'percent';
  /** a breakdown (an adviser, a team): shown as a row under the figure; absent → the total */
  group?: string;
}

/**
 * Activity figures of a module for a period, from its own data (the stats module asks every
 * module that has one; a module absent contributes nothing). Read on `ctx.reads`.
 */
export type KpiProvider = (ctx: ModuleContext, period: KpiPeriod) => Promise<Kpi[]>;

/**
 * Watches every response after it is sent (usage statistics). `observe` runs on the request
 * thread for every request: it must return at once (buffer, never wait on I/O); `close` runs
 * when the app stops (flush what is buffered).
 */
export interface ResponseObserver {
  observe(req: FastifyRequest, reply: FastifyReply): void;
  close?(): Promise<void>;
}

export interface ConsulaireModule {
  /** folder name, also the prefix of its permissions, error codes and i18n keys */
  name: string;
  messages?: Messages;
  nav?: NavEntry[];
  /** staff and public HTML routes; every route declares `config.permission` or `config.public` */
  web?: (app: FastifyInstance, ctx: ModuleContext) => void | Promise<void>;
  /** JSON API routes, mounted under /api/v1 with TypeBox schemas (and so in OpenAPI) */
  api?: (app: FastifyInstance, ctx: ModuleContext) => void | Promise<void>;
  jobs?: Record<string, JobHandler>;
  schedules?: Schedule[];
  search?: SearchProvider;
  /** labels are translated with `t` (the reader's language) */
  todo?: (ctx: ModuleContext, actor: Actor, t: Translate) => Promise<TodoItem[]>;
  /** a block on the staff home page (/portail): news, links, events…; null when nothing to show */
  home?: (ctx: ModuleContext, view: ViewContext) => Promise<VNode | null>;
  panels?: RecordPanel[];
  /** entries in a member company's follow-up on the extranet */
  memberTimeline?: MemberTimelineSource;
  /** activity figures for the statistics (see KpiProvider) */
  kpis?: KpiProvider;
  /** built once at start with the context: sees every response (see ResponseObserver) */
  onResponse?: (ctx: ModuleContext) => ResponseObserver;
  /** fills the demo CCI (only on an empty database, never in production) */
  seedDemo?: (ctx: ModuleContext, log: (line: string) => void) => Promise<void>;
}

export function defineModule(m: ConsulaireModule): ConsulaireModule {
  return m;
}
