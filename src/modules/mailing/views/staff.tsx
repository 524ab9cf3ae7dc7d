// Staff pages of the mailing module: pure components, props in, JSX out.
import { Actions, Badge, ButtonLink, Choices, ErrorSummary, Facts, Field, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { AudienceCounts } from '../lists.service.js';
import type { Campaign, CampaignStatus, LetterBatch, MailingList, Subscriber, Template } from '../mailing.table.js';
import type { CampaignStats } from '../campaigns.service.js';

const fmt = (ctx: ViewContext, iso: string | null) => (iso ? new Intl.DateTimeFormat(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(iso)) : '—');
const crumbs = (ctx: ViewContext, label: string, href?: string) => [{ label: ctx.t('mailing.title'), href: '/mailing/campagnes' }, ...(href ? [{ label, href }] : [])];

const STATUS_KIND: Record<CampaignStatus, 'neutral' | 'success' | 'warning' | 'danger' | 'info'> = { draft: 'neutral', awaiting_approval: 'warning', scheduled: 'info', sending: 'info', paused: 'warning', finished: 'success', cancelled: 'danger' };
export const StatusBadge = ({ ctx, status }: { ctx: ViewContext; status: CampaignStatus }) => <Badge kind={STATUS_KIND[status]}>{ctx.t(`mailing.status.${status}`)}</Badge>;

function SubNav({ ctx, current }: { ctx: ViewContext; current: string }) {
  const links: [string, string][] = [
    ['/mailing/campagnes', 'mailing.nav.campaigns'],
    ['/mailing/listes', 'mailing.nav.lists'],
    ['/mailing/modeles', 'mailing.nav.templates'],
    ['/mailing/courriers', 'mailing.nav.letters'],
  ];
  return (
    <nav class="mailing-subnav" aria-label={ctx.t('mailing.title')}>
      <ul>
        {links.map(([href, key]) => (
          <li>
            <a href={href} aria-current={href === current ? 'page' : undefined}>
              {ctx.t(key)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export interface ContentValues {
  name?: string;
  subject?: string;
  body?: string;
  list_id?: string;
}

function ContentFields({ ctx, values, errors, nameLabel }: { ctx: ViewContext; values: ContentValues; errors?: Errors; nameLabel: string }) {
  return (
    <>
      <Field ctx={ctx} name="name" label={nameLabel} value={values.name} errors={errors} required maxlength={200} />
      <Field ctx={ctx} name="subject" label={ctx.t('mailing.template.subject')} value={values.subject} errors={errors} required maxlength={250} />
      <Field ctx={ctx} name="body" label={ctx.t('mailing.template.body')} value={values.body} errors={errors} required multiline rows={14} hint={ctx.t('mailing.template.body_hint')} />
    </>
  );
}

const listOptions = (lists: MailingList[]) => lists.map((l) => ({ value: String(l.id), label: l.name }));

// ————— campaigns —————

export function CampaignsPage(p: { ctx: ViewContext; campaigns: (Campaign & { list_name: string })[]; lists: MailingList[]; templates: Template[]; values?: ContentValues; errors?: Errors; canWrite: boolean }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.campaigns')} crumbs={crumbs(ctx, '')}>
      <SubNav ctx={ctx} current="/mailing/campagnes" />
      <Table
        ctx={ctx}
        caption={ctx.t('mailing.campaigns')}
        rows={p.campaigns}
        empty={ctx.t('mailing.none')}
        columns={[
          { label: ctx.t('mailing.campaign'), rowHeader: true, cell: (c) => <a href={`/mailing/campagnes/${c.id}`}>{c.name}</a> },
          { label: ctx.t('mailing.list'), cell: (c) => c.list_name },
          { label: ctx.t('mailing.campaign.status'), cell: (c) => <StatusBadge ctx={ctx} status={c.status} /> },
          { label: ctx.t('mailing.when'), cell: (c) => fmt(ctx, c.finished_at ?? c.started_at ?? c.scheduled_at ?? c.created_at) },
        ]}
      />
      {p.canWrite ? (
        <section aria-labelledby="new-campaign">
          <h2 id="new-campaign">{ctx.t('mailing.campaign.new')}</h2>
          <form method="post" action="/mailing/campagnes" class="form" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.errors} />
            <Select ctx={ctx} name="list_id" label={ctx.t('mailing.list')} options={listOptions(p.lists)} value={p.values?.list_id} errors={p.errors} required empty="" />
            <ContentFields ctx={ctx} values={p.values ?? {}} errors={p.errors} nameLabel={ctx.t('mailing.campaign.name')} />
            <button type="submit" class="button button-primary">
              {ctx.t('mailing.create')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

export interface CampaignData {
  campaign: Campaign;
  list: MailingList;
  lists: MailingList[];
  stats: CampaignStats;
  failures: { id: number; email: string; status: string; attempts: number; error: string | null }[];
  /** sent presumed at a crash recovery (ADR 0012) */
  presumed: { id: number; email: string; sent_at: string | null }[];
  audience: AudienceCounts | null;
  approvalAbove: number;
  canWrite: boolean;
  canSend: boolean;
}

export function CampaignPage(p: { ctx: ViewContext; data: CampaignData; values?: ContentValues; errors?: Errors; form?: string }) {
  const { ctx } = p;
  const { campaign: c, stats } = p.data;
  const draft = c.status === 'draft';
  const v = p.values ?? { name: c.name, subject: c.subject, body: c.body, list_id: String(c.list_id) };
  const errs = (form: string) => (p.form === form ? p.errors : undefined);
  const counts = stats.counts;
  return (
    <Page ctx={ctx} title={c.name} crumbs={crumbs(ctx, ctx.t('mailing.campaigns'), '/mailing/campagnes')}>
      <SubNav ctx={ctx} current="/mailing/campagnes" />
      <Facts
        items={[
          [ctx.t('mailing.campaign.status'), <StatusBadge ctx={ctx} status={c.status} />],
          [ctx.t('mailing.list'), p.data.list.name],
          [ctx.t('mailing.template.subject'), c.subject],
          ...(p.data.audience ? ([[ctx.t('mailing.audience'), ctx.t('mailing.audience.detail', { ...p.data.audience })]] as [string, string][]) : []),
          ...(c.scheduled_at ? ([[ctx.t('mailing.send.at'), fmt(ctx, c.scheduled_at)]] as [string, string][]) : []),
        ]}
      />
      <Actions>
        <ButtonLink href={`/mailing/campagnes/${c.id}/apercu`} variant="secondary">
          {ctx.t('mailing.preview')}
        </ButtonLink>
        {p.data.canSend && c.status === 'sending' ? <PostButton ctx={ctx} action={`/mailing/campagnes/${c.id}/action`} label={ctx.t('mailing.action.pause')} fields={{ action: 'pause', version: c.version }} /> : null}
        {p.data.canSend && c.status === 'paused' ? <PostButton ctx={ctx} action={`/mailing/campagnes/${c.id}/action`} label={ctx.t('mailing.action.resume')} variant="primary" fields={{ action: 'resume', version: c.version }} /> : null}
        {p.data.canSend && c.status === 'scheduled' ? <PostButton ctx={ctx} action={`/mailing/campagnes/${c.id}/action`} label={ctx.t('mailing.action.unschedule')} fields={{ action: 'unschedule', version: c.version }} /> : null}
        {p.data.canSend && ['paused', 'scheduled', 'awaiting_approval', 'sending'].includes(c.status) ? <PostButton ctx={ctx} action={`/mailing/campagnes/${c.id}/action`} label={ctx.t('mailing.action.cancel')} variant="danger" fields={{ action: 'cancel', version: c.version }} /> : null}
      </Actions>
      {errs('action') ? <ErrorSummary ctx={ctx} errors={errs('action')} /> : null}

      {!draft ? (
        <section aria-labelledby="stats">
          <h2 id="stats">{ctx.t('mailing.stats')}</h2>
          <Facts
            items={[
              [ctx.t('mailing.stats.sent'), String(counts.sent)],
              [ctx.t('mailing.stats.queued'), String(counts.queued + counts.claimed)],
              [ctx.t('mailing.stats.bounced'), `${counts.bounced} (${stats.bounces.hard} / ${stats.bounces.soft} / ${stats.bounces.complaint})`],
              [ctx.t('mailing.stats.presumed'), String(c.presumed_sent)],
              [ctx.t('mailing.stats.failed'), String(counts.failed)],
              [ctx.t('mailing.stats.unsubscribes'), String(stats.unsubscribes)],
              ...(stats.opens !== null ? ([[ctx.t('mailing.stats.opens'), String(stats.opens)]] as [string, string][]) : []),
            ]}
          />
          {stats.opens === null ? <p class="hint">{ctx.t('mailing.stats.no_tracking')}</p> : null}
          {stats.clicks?.length ? (
            <Table ctx={ctx} caption={ctx.t('mailing.stats.clicks')} rows={stats.clicks} columns={[{ label: 'URL', rowHeader: true, cell: (l) => l.url }, { label: ctx.t('mailing.stats.clicks'), numeric: true, cell: (l) => String(l.clicks) }]} />
          ) : null}
          {c.resent_uncertain ? <p class="hint">{ctx.t('mailing.stats.resent', { n: c.resent_uncertain })}</p> : null}
          {p.data.presumed.length ? (
            <>
              <h3>{ctx.t('mailing.presumed')}</h3>
              <p class="hint">{ctx.t('mailing.presumed.hint')}</p>
              <Table
                ctx={ctx}
                caption={ctx.t('mailing.presumed')}
                rows={p.data.presumed}
                columns={[
                  { label: ctx.t('mailing.email'), rowHeader: true, cell: (r) => r.email },
                  { label: ctx.t('mailing.presumed.at'), cell: (r) => (r.sent_at ? fmt(ctx, r.sent_at) : '') },
                  ...(p.data.canSend ? [{ label: ctx.t('mailing.presumed.action'), cell: (r: { id: number; email: string }) => <PostButton ctx={ctx} action={`/mailing/campagnes/${c.id}/renvoyer`} label={ctx.t('mailing.action.resend_one', { email: r.email })} fields={{ recipient: r.id }} /> }] : []),
                ]}
              />
            </>
          ) : null}
          <h3>{ctx.t('mailing.failures')}</h3>
          <Table
            ctx={ctx}
            caption={ctx.t('mailing.failures')}
            rows={p.data.failures}
            empty={ctx.t('mailing.none')}
            columns={[
              { label: ctx.t('mailing.email'), rowHeader: true, cell: (f) => f.email },
              { label: ctx.t('mailing.campaign.status'), cell: (f) => f.status },
              { label: ctx.t('mailing.failure.attempts'), numeric: true, cell: (f) => String(f.attempts) },
              { label: ctx.t('mailing.failure.error'), cell: (f) => f.error ?? '' },
            ]}
          />
          {p.data.canSend && counts.failed > 0 ? <PostButton ctx={ctx} action={`/mailing/campagnes/${c.id}/relancer`} label={ctx.t('mailing.action.retry')} variant="primary" /> : null}
        </section>
      ) : null}

      {draft && p.data.canSend ? (
        <section aria-labelledby="send">
          <h2 id="send">{ctx.t('mailing.send')}</h2>
          <p>{ctx.t('mailing.send.approval', { n: p.data.approvalAbove })}</p>
          <form method="post" action={`/mailing/campagnes/${c.id}/envoyer`} class="form" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(c.version)} />
            <ErrorSummary ctx={ctx} errors={errs('send')} />
            <Field ctx={ctx} name="scheduled_at" type="datetime-local" label={ctx.t('mailing.send.at')} hint={ctx.t('mailing.send.at_hint')} errors={errs('send')} />
            <button type="submit" class="button button-primary">
              {ctx.t('mailing.send.now')}
            </button>
          </form>
        </section>
      ) : null}

      {p.data.canWrite ? (
        <section aria-labelledby="test">
          <h2 id="test">{ctx.t('mailing.test')}</h2>
          <form method="post" action={`/mailing/campagnes/${c.id}/test`} class="form form-inline" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={errs('test')} />
            <Field ctx={ctx} name="test_to" type="email" label={ctx.t('mailing.test.to')} value={ctx.user?.email} errors={errs('test')} required autocomplete="email" />
            <button type="submit" class="button button-secondary">
              {ctx.t('mailing.test.send')}
            </button>
          </form>
        </section>
      ) : null}

      {draft && p.data.canWrite ? (
        <section aria-labelledby="edit">
          <h2 id="edit">{ctx.t('mailing.edit')}</h2>
          <form method="post" action={`/mailing/campagnes/${c.id}`} class="form" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(c.version)} />
            <ErrorSummary ctx={ctx} errors={errs('edit')} />
            <Select ctx={ctx} name="list_id" label={ctx.t('mailing.list')} options={listOptions(p.data.lists)} value={v.list_id} errors={errs('edit')} required />
            <ContentFields ctx={ctx} values={v} errors={errs('edit')} nameLabel={ctx.t('mailing.campaign.name')} />
            <button type="submit" class="button button-primary">
              {ctx.t('mailing.save')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

export function PreviewPage(p: { ctx: ViewContext; campaign: Campaign; recipients: { email: string }[]; who: string; subject: string; text: string }) {
  const { ctx, campaign: c } = p;
  return (
    <Page ctx={ctx} title={`${ctx.t('mailing.preview')} — ${c.name}`} crumbs={[...crumbs(ctx, ctx.t('mailing.campaigns'), '/mailing/campagnes'), { label: c.name, href: `/mailing/campagnes/${c.id}` }]}>
      <form method="get" action={`/mailing/campagnes/${c.id}/apercu`} class="form form-inline">
        <Select ctx={ctx} name="qui" label={ctx.t('mailing.preview.for')} options={p.recipients.map((r, i) => ({ value: String(i), label: r.email }))} value={p.who} />
        <button type="submit" class="button button-secondary">
          {ctx.t('mailing.preview.show')}
        </button>
      </form>
      <Facts items={[[ctx.t('mailing.template.subject'), p.subject]]} />
      <h2>{ctx.t('mailing.preview.html')}</h2>
      <iframe class="mailing-preview" title={ctx.t('mailing.preview.html')} src={`/mailing/campagnes/${c.id}/apercu.html?qui=${encodeURIComponent(p.who)}`} sandbox=""></iframe>
      <h2>{ctx.t('mailing.preview.text')}</h2>
      <pre class="mailing-text">{p.text}</pre>
    </Page>
  );
}

// ————— lists —————

export interface ListValues {
  name?: string;
  description?: string;
  kind?: string;
  segment_id?: string;
  public?: boolean;
  wording?: string;
  archived?: boolean;
}

function ListFields({ ctx, values, errors, segments }: { ctx: ViewContext; values: ListValues; errors?: Errors; segments: { id: number; name: string }[] }) {
  return (
    <>
      <Field ctx={ctx} name="name" label={ctx.t('mailing.list.name')} value={values.name} errors={errors} required maxlength={200} />
      <Field ctx={ctx} name="description" label={ctx.t('mailing.list.description')} value={values.description} errors={errors} multiline rows={3} />
      <Choices
        ctx={ctx}
        type="radio"
        name="kind"
        legend={ctx.t('mailing.list.kind')}
        values={[values.kind ?? 'subscription']}
        errors={errors}
        options={[
          { value: 'subscription', label: ctx.t('mailing.list.kind.subscription') },
          { value: 'segment', label: ctx.t('mailing.list.kind.segment') },
        ]}
      />
      <Select ctx={ctx} name="segment_id" label={ctx.t('mailing.list.segment')} options={segments.map((s) => ({ value: String(s.id), label: s.name }))} value={values.segment_id} errors={errors} empty="" />
      <Choices ctx={ctx} name="public" legend={ctx.t('mailing.list.public')} values={values.public ? ['1'] : []} options={[{ value: '1', label: ctx.t('mailing.list.public') }]} />
      <Field ctx={ctx} name="wording" label={ctx.t('mailing.list.wording')} value={values.wording} errors={errors} multiline rows={3} hint={ctx.t('mailing.list.wording_hint')} />
    </>
  );
}

export function ListsPage(p: { ctx: ViewContext; lists: (MailingList & { members: number })[]; segments: { id: number; name: string }[]; values?: ListValues; errors?: Errors; canWrite: boolean }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.lists')} crumbs={crumbs(ctx, '')}>
      <SubNav ctx={ctx} current="/mailing/listes" />
      <Table
        ctx={ctx}
        caption={ctx.t('mailing.lists')}
        rows={p.lists}
        empty={ctx.t('mailing.none')}
        columns={[
          { label: ctx.t('mailing.list'), rowHeader: true, cell: (l) => <a href={`/mailing/listes/${l.id}`}>{l.name}</a> },
          { label: ctx.t('mailing.list.kind'), cell: (l) => ctx.t(`mailing.list.kind.${l.kind}`) },
          { label: ctx.t('mailing.list.members'), numeric: true, cell: (l) => (l.kind === 'subscription' ? String(l.members) : '—') },
        ]}
      />
      {p.canWrite ? (
        <section aria-labelledby="new-list">
          <h2 id="new-list">{ctx.t('mailing.list.new')}</h2>
          <form method="post" action="/mailing/listes" class="form" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.errors} />
            <ListFields ctx={ctx} values={p.values ?? {}} errors={p.errors} segments={p.segments} />
            <button type="submit" class="button button-primary">
              {ctx.t('mailing.create')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

export function ListPage(p: { ctx: ViewContext; list: MailingList; subscribers: Subscriber[]; audience: AudienceCounts; segments: { id: number; name: string }[]; values?: ListValues; errors?: Errors; form?: string; canWrite: boolean }) {
  const { ctx, list } = p;
  const v: ListValues = p.values ?? { name: list.name, description: list.description, kind: list.kind, segment_id: list.segment_id ? String(list.segment_id) : '', public: list.public === 1, wording: list.wording, archived: list.archived === 1 };
  const errs = (form: string) => (p.form === form ? p.errors : undefined);
  return (
    <Page ctx={ctx} title={list.name} crumbs={crumbs(ctx, ctx.t('mailing.lists'), '/mailing/listes')}>
      <SubNav ctx={ctx} current="/mailing/listes" />
      <Facts items={[[ctx.t('mailing.list.kind'), ctx.t(`mailing.list.kind.${list.kind}`)], [ctx.t('mailing.audience'), ctx.t('mailing.audience.detail', { ...p.audience })]]} />
      {list.kind === 'subscription' ? (
        <section aria-labelledby="subs">
          <h2 id="subs">{ctx.t('mailing.subscribers')}</h2>
          <Table
            ctx={ctx}
            caption={ctx.t('mailing.subscribers')}
            rows={p.subscribers}
            empty={ctx.t('mailing.none')}
            columns={[
              { label: ctx.t('mailing.email'), rowHeader: true, cell: (s) => s.email },
              { label: ctx.t('mailing.campaign.status'), cell: (s) => ctx.t(`mailing.subscriber.status.${s.status}`) },
              { label: ctx.t('mailing.subscriber.proof'), cell: (s) => `${s.source}, ${fmt(ctx, s.requested_at)} → ${fmt(ctx, s.confirmed_at)}, IP ${s.ip ?? '—'}` },
            ]}
          />
          {p.canWrite ? (
            <form method="post" action={`/mailing/listes/${list.id}/abonnes`} class="form form-inline" novalidate>
              <CsrfField ctx={ctx} />
              <ErrorSummary ctx={ctx} errors={errs('subscriber')} />
              <Field ctx={ctx} name="email" type="email" label={ctx.t('mailing.subscriber.add')} errors={errs('subscriber')} required />
              <button type="submit" class="button button-secondary">
                {ctx.t('mailing.subscribe')}
              </button>
            </form>
          ) : null}
        </section>
      ) : null}
      {p.canWrite ? (
        <section aria-labelledby="edit-list">
          <h2 id="edit-list">{ctx.t('mailing.edit')}</h2>
          <form method="post" action={`/mailing/listes/${list.id}`} class="form" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(list.version)} />
            <ErrorSummary ctx={ctx} errors={errs('edit')} />
            <ListFields ctx={ctx} values={v} errors={errs('edit')} segments={p.segments} />
            <Choices ctx={ctx} name="archived" legend={ctx.t('mailing.list.archived')} values={v.archived ? ['1'] : []} options={[{ value: '1', label: ctx.t('mailing.list.archived') }]} />
            <button type="submit" class="button button-primary">
              {ctx.t('mailing.save')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

// ————— templates —————

export function TemplatesPage(p: { ctx: ViewContext; templates: Template[]; values?: ContentValues; errors?: Errors }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.templates')} crumbs={crumbs(ctx, '')}>
      <SubNav ctx={ctx} current="/mailing/modeles" />
      <Table ctx={ctx} caption={ctx.t('mailing.templates')} rows={p.templates} empty={ctx.t('mailing.none')} columns={[{ label: ctx.t('mailing.template'), rowHeader: true, cell: (x) => <a href={`/mailing/modeles/${x.id}`}>{x.name}</a> }, { label: ctx.t('mailing.template.subject'), cell: (x) => x.subject }]} />
      <section aria-labelledby="new-template">
        <h2 id="new-template">{ctx.t('mailing.template.new')}</h2>
        <form method="post" action="/mailing/modeles" class="form" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.errors} />
          <ContentFields ctx={ctx} values={p.values ?? {}} errors={p.errors} nameLabel={ctx.t('mailing.template.name')} />
          <button type="submit" class="button button-primary">
            {ctx.t('mailing.create')}
          </button>
        </form>
      </section>
    </Page>
  );
}

export function TemplatePage(p: { ctx: ViewContext; template: Template; lists: MailingList[]; values?: ContentValues; errors?: Errors }) {
  const { ctx, template: x } = p;
  const v = p.values ?? { name: x.name, subject: x.subject, body: x.body };
  return (
    <Page ctx={ctx} title={x.name} crumbs={crumbs(ctx, ctx.t('mailing.templates'), '/mailing/modeles')}>
      <SubNav ctx={ctx} current="/mailing/modeles" />
      <form method="post" action={`/mailing/modeles/${x.id}`} class="form" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="version" value={String(x.version)} />
        <ErrorSummary ctx={ctx} errors={p.errors} />
        <ContentFields ctx={ctx} values={v} errors={p.errors} nameLabel={ctx.t('mailing.template.name')} />
        <button type="submit" class="button button-primary">
          {ctx.t('mailing.save')}
        </button>
      </form>
      <section aria-labelledby="use-template">
        <h2 id="use-template">{ctx.t('mailing.template.use')}</h2>
        <form method="post" action="/mailing/campagnes" class="form form-inline" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="name" value={x.name} />
          <input type="hidden" name="subject" value={x.subject} />
          <input type="hidden" name="body" value={x.body} />
          <Select ctx={ctx} name="list_id" label={ctx.t('mailing.list')} options={listOptions(p.lists)} required />
          <button type="submit" class="button button-secondary">
            {ctx.t('mailing.create')}
          </button>
        </form>
      </section>
    </Page>
  );
}

// ————— letters and settings —————

export function LettersPage(p: { ctx: ViewContext; batches: LetterBatch[]; templates: Template[]; segments: { id: number; name: string }[]; values?: { name?: string; template_id?: string; segment_id?: string }; errors?: Errors }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.letters')} crumbs={crumbs(ctx, '')}>
      <SubNav ctx={ctx} current="/mailing/courriers" />
      <p>{ctx.t('mailing.letters.intro')}</p>
      <Table
        ctx={ctx}
        caption={ctx.t('mailing.letters')}
        rows={p.batches}
        empty={ctx.t('mailing.none')}
        columns={[
          { label: ctx.t('mailing.letters.name'), rowHeader: true, cell: (b) => b.name },
          { label: ctx.t('mailing.letters.count'), numeric: true, cell: (b) => String(b.letters) },
          { label: ctx.t('mailing.created_at'), cell: (b) => `${fmt(ctx, b.created_at)} — ${b.created_by_name}` },
          { label: 'PDF', cell: (b) => <a href={`/mailing/courriers/${b.id}`}>{ctx.t('mailing.letters.download')}</a> },
        ]}
      />
      <section aria-labelledby="new-letters">
        <h2 id="new-letters">{ctx.t('mailing.letters.new')}</h2>
        <form method="post" action="/mailing/courriers" class="form" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.errors} />
          <Field ctx={ctx} name="name" label={ctx.t('mailing.letters.name')} value={p.values?.name} errors={p.errors} required />
          <Select ctx={ctx} name="template_id" label={ctx.t('mailing.template')} options={p.templates.map((x) => ({ value: String(x.id), label: x.name }))} value={p.values?.template_id} errors={p.errors} required empty="" />
          <Select ctx={ctx} name="segment_id" label={ctx.t('mailing.list.segment')} options={p.segments.map((s) => ({ value: String(s.id), label: s.name }))} value={p.values?.segment_id} errors={p.errors} required empty="" />
          <button type="submit" class="button button-primary">
            {ctx.t('mailing.letters.create')}
          </button>
        </form>
      </section>
    </Page>
  );
}

export function SettingsPage(p: { ctx: ViewContext; tracking: boolean; suppressions: { email_norm: string; reason: string; detail: string; created_at: string }[] }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.settings')} crumbs={crumbs(ctx, '')}>
      <SubNav ctx={ctx} current="/mailing/reglages" />
      <form method="post" action="/mailing/reglages" class="form">
        <CsrfField ctx={ctx} />
        <Choices ctx={ctx} name="tracking" legend={ctx.t('mailing.stats')} values={p.tracking ? ['1'] : []} options={[{ value: '1', label: ctx.t('mailing.tracking') }]} />
        <button type="submit" class="button button-primary">
          {ctx.t('mailing.save')}
        </button>
      </form>
      <h2>{ctx.t('mailing.suppressions')}</h2>
      <Table
        ctx={ctx}
        caption={ctx.t('mailing.suppressions')}
        rows={p.suppressions}
        empty={ctx.t('mailing.none')}
        columns={[
          { label: ctx.t('mailing.email'), rowHeader: true, cell: (s) => s.email_norm },
          { label: ctx.t('mailing.campaign.status'), cell: (s) => ctx.t(`mailing.suppression.reason.${s.reason}`) },
          { label: ctx.t('mailing.when'), cell: (s) => fmt(ctx, s.created_at) },
        ]}
      />
    </Page>
  );
}
