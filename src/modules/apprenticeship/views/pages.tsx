// Pages of the apprenticeship-tax campaign: pure components, props in, JSX out.
import { Badge, ButtonLink, ErrorSummary, Facts, Field, Pagination, PostButton, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { Campaign, CampaignWindow, School, Target, Template } from '../apprenticeship.table.js';
import type { Board, GroupLine, SchoolResults } from '../board.service.js';
import type { CampaignSchool } from '../campaign.service.js';
import { euros, hundredths, percent } from '../dates.js';
import type { MemberState, Phase } from '../member.service.js';
import type { RateSet } from '../rules.js';

const loc = (ctx: ViewContext) => (ctx.locale === 'en' ? 'en' : 'fr');
const eur = (ctx: ViewContext, cents: number | null | undefined) => (cents === null || cents === undefined ? '—' : euros(cents, loc(ctx)));

function YearSwitch({ ctx, campaigns, current, path }: { ctx: ViewContext; campaigns: Campaign[]; current: Campaign; path: string }) {
  if (campaigns.length < 2) return null;
  return (
    <nav aria-label={ctx.t('apprenticeship.campaigns')} class="appr-years">
      <ul>
        {campaigns.map((c) => (
          <li>
            <a href={`${path}?annee=${c.year}`} aria-current={c.id === current.id ? 'page' : undefined}>
              {c.year}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

// ——— staff: board ———

function GroupTable({ ctx, caption, rows, keyLabel, none }: { ctx: ViewContext; caption: string; rows: GroupLine[]; keyLabel: string; none: string }) {
  const t = ctx.t;
  return (
    <section>
      <h3>{caption}</h3>
      <Table
        ctx={ctx}
        caption={caption}
        rows={rows}
        columns={[
          { label: keyLabel, cell: (r) => r.label ?? none, rowHeader: true },
          { label: t('apprenticeship.board.targets'), cell: (r) => r.targets, numeric: true },
          { label: t('apprenticeship.board.contacted'), cell: (r) => r.contacted, numeric: true },
          { label: t('apprenticeship.board.pledging'), cell: (r) => r.pledging, numeric: true },
          { label: t('apprenticeship.board.pledged'), cell: (r) => eur(ctx, r.pledgedCents), numeric: true },
          { label: t('apprenticeship.board.confirmed'), cell: (r) => eur(ctx, r.confirmedCents), numeric: true },
        ]}
      />
    </section>
  );
}

export function BoardPage({ ctx, board, campaigns, canManage }: { ctx: ViewContext; board: Board; campaigns: Campaign[]; canManage: boolean }) {
  const t = ctx.t;
  const b = board;
  const ly = b.lastYearTotals;
  const vs = (cur: number, last: number | undefined, money = false) => (last === undefined ? '' : ` (${t('apprenticeship.board.last_year')} : ${money ? eur(ctx, last) : last})`);
  return (
    <Page ctx={ctx} title={t('apprenticeship.board.title', { year: b.campaign.year })} wide crumbs={[{ label: t('apprenticeship.nav.board') }]}>
      <YearSwitch ctx={ctx} campaigns={campaigns} current={b.campaign} path="/taxe-apprentissage" />
      <p class="actions">
        <ButtonLink href={`/taxe-apprentissage/export?annee=${b.campaign.year}&format=csv`} variant="secondary">
          {t('apprenticeship.export_csv')}
        </ButtonLink>{' '}
        <ButtonLink href={`/taxe-apprentissage/export?annee=${b.campaign.year}&format=xlsx`} variant="secondary">
          {t('apprenticeship.export_xlsx')}
        </ButtonLink>{' '}
        <ButtonLink href={`/taxe-apprentissage/cibles?annee=${b.campaign.year}`} variant="secondary">
          {t('apprenticeship.nav.targets')}
        </ButtonLink>
        {canManage ? (
          <>
            {' '}
            <ButtonLink href={`/taxe-apprentissage/campagnes/${b.campaign.id}`} variant="secondary">
              {t('apprenticeship.campaign.edit')}
            </ButtonLink>
          </>
        ) : null}
      </p>
      <section aria-labelledby="appr-totals">
        <h2 id="appr-totals">{t('apprenticeship.board.totals')}</h2>
        <Facts
          items={[
            [t('apprenticeship.board.targets'), `${b.totals.targets}${vs(b.totals.targets, ly?.targets)}`],
            [t('apprenticeship.board.contacted'), `${b.totals.contacted}${vs(b.totals.contacted, ly?.contacted)}`],
            [t('apprenticeship.board.declared'), `${b.totals.declared}${vs(b.totals.declared, ly?.declared)}`],
            [t('apprenticeship.board.pledging'), `${b.totals.pledging}${vs(b.totals.pledging, ly?.pledging)}`],
            [t('apprenticeship.board.confirming'), `${b.totals.confirming}${vs(b.totals.confirming, ly?.confirming)}`],
            [t('apprenticeship.board.pledged'), `${eur(ctx, b.totals.pledgedCents)}${vs(b.totals.pledgedCents, ly?.pledgedCents, true)}`],
            [t('apprenticeship.board.confirmed'), `${eur(ctx, b.totals.confirmedCents)}${vs(b.totals.confirmedCents, ly?.confirmedCents, true)}`],
          ]}
        />
      </section>
      <section aria-labelledby="appr-schools">
        <h2 id="appr-schools">{t('apprenticeship.board.by_school')}</h2>
        <Table
          ctx={ctx}
          caption={t('apprenticeship.board.by_school')}
          rows={b.schools}
          empty={t('apprenticeship.no_schools')}
          columns={[
            { label: t('apprenticeship.school'), cell: (s) => <a href={`/taxe-apprentissage/ecoles/${s.schoolId}/resultats?annee=${b.campaign.year}`}>{s.name}</a>, rowHeader: true },
            { label: t('apprenticeship.goal'), cell: (s) => eur(ctx, s.goalCents), numeric: true },
            { label: t('apprenticeship.board.companies'), cell: (s) => s.companies, numeric: true },
            { label: t('apprenticeship.board.pledged'), cell: (s) => eur(ctx, s.pledgedCents), numeric: true },
            { label: t('apprenticeship.board.confirmed'), cell: (s) => eur(ctx, s.confirmedCents), numeric: true },
            { label: t('apprenticeship.board.pledged_last_year'), cell: (s) => eur(ctx, s.lastYearPledgedCents), numeric: true },
            { label: t('apprenticeship.board.confirmed_last_year'), cell: (s) => eur(ctx, s.lastYearConfirmedCents), numeric: true },
          ]}
        />
      </section>
      <div class="appr-groups">
        <GroupTable ctx={ctx} caption={t('apprenticeship.board.by_adviser')} rows={b.byAdviser} keyLabel={t('apprenticeship.adviser')} none={t('apprenticeship.no_adviser')} />
        <GroupTable ctx={ctx} caption={t('apprenticeship.board.by_sector')} rows={b.bySector} keyLabel={t('apprenticeship.sector')} none={t('apprenticeship.unknown')} />
        <GroupTable ctx={ctx} caption={t('apprenticeship.board.by_territory')} rows={b.byTerritory} keyLabel={t('apprenticeship.department')} none={t('apprenticeship.unknown')} />
      </div>
      <section aria-labelledby="appr-uncontacted">
        <h2 id="appr-uncontacted">{t('apprenticeship.board.not_contacted', { count: b.notContactedTotal })}</h2>
        {b.notContacted.length ? (
          <ul>
            {b.notContacted.map((c) => (
              <li>
                <a href={`/registre/entreprises/${c.company_id}`}>{c.name}</a> {c.department ? <span class="muted">({c.department})</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('apprenticeship.board.all_contacted')}</p>
        )}
        <p>
          <a href={`/taxe-apprentissage/cibles?annee=${b.campaign.year}&contacte=no`}>{t('apprenticeship.board.see_targets')}</a>
        </p>
        <p class="hint">{t('apprenticeship.board.crm_hint')}</p>
      </section>
    </Page>
  );
}

export function NoCampaignPage({ ctx, canManage }: { ctx: ViewContext; canManage: boolean }) {
  return (
    <Page ctx={ctx} title={ctx.t('apprenticeship.nav.board')}>
      <p class="empty">{ctx.t('apprenticeship.no_campaign')}</p>
      {canManage ? <ButtonLink href="/taxe-apprentissage/campagnes">{ctx.t('apprenticeship.nav.settings')}</ButtonLink> : null}
    </Page>
  );
}

// ——— staff: targets ———

export function TargetsPage(p: {
  ctx: ViewContext;
  campaign: Campaign;
  rows: (Target & { adviser_name: string | null })[];
  total: number;
  page: number;
  query: Record<string, string | string[] | undefined>;
  filter: { contacted?: string; q?: string; mine?: boolean };
}) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('apprenticeship.targets.title', { year: p.campaign.year })} wide crumbs={[{ label: t('apprenticeship.nav.board'), href: `/taxe-apprentissage?annee=${p.campaign.year}` }, { label: t('apprenticeship.nav.targets') }]}>
      <form method="get" action="/taxe-apprentissage/cibles" class="appr-filters">
        <input type="hidden" name="annee" value={String(p.campaign.year)} />
        <Field ctx={ctx} name="q" label={t('apprenticeship.targets.search')} type="search" value={p.filter.q ?? ''} />
        <div class="field">
          <label for="f-contacte">{t('apprenticeship.targets.contacted_filter')}</label>
          <select id="f-contacte" name="contacte">
            <option value="">{t('apprenticeship.targets.all')}</option>
            <option value="no" selected={p.filter.contacted === 'no'}>
              {t('apprenticeship.targets.not_contacted')}
            </option>
            <option value="yes" selected={p.filter.contacted === 'yes'}>
              {t('apprenticeship.targets.contacted')}
            </option>
          </select>
        </div>
        <div class="choice">
          <input type="checkbox" id="f-miens" name="miens" value="1" checked={p.filter.mine} />
          <label for="f-miens">{t('apprenticeship.targets.mine')}</label>
        </div>
        <button type="submit" class="button">
          {t('apprenticeship.targets.filter')}
        </button>
      </form>
      <p role="status">{t('apprenticeship.targets.count', { count: p.total })}</p>
      <Table
        ctx={ctx}
        caption={t('apprenticeship.nav.targets')}
        rows={p.rows}
        empty={t('apprenticeship.targets.none')}
        columns={[
          { label: t('apprenticeship.company'), cell: (r) => <a href={`/registre/entreprises/${r.company_id}`}>{r.name}</a>, rowHeader: true },
          { label: t('apprenticeship.sector'), cell: (r) => r.naf_section ?? '—' },
          { label: t('apprenticeship.department'), cell: (r) => r.department ?? '—' },
          { label: t('apprenticeship.adviser'), cell: (r) => r.adviser_name ?? t('apprenticeship.no_adviser') },
          {
            label: t('apprenticeship.targets.contact'),
            cell: (r) =>
              r.contacted_at ? (
                <span>
                  <Badge kind="success">{String(r.contacted_at).slice(0, 10)}</Badge> {r.contact_note ?? ''}
                </span>
              ) : (
                <form method="post" action={`/taxe-apprentissage/cibles/${r.id}/contact`} class="inline-form">
                  <CsrfField ctx={ctx} />
                  <label for={`note-${r.id}`} class="visually-hidden">
                    {t('apprenticeship.targets.note_for', { name: r.name })}
                  </label>
                  <input id={`note-${r.id}`} name="note" maxlength={1000} placeholder={t('apprenticeship.targets.note')} />
                  <button type="submit" class="button button-secondary">
                    {t('apprenticeship.targets.mark_contacted')}
                  </button>
                </form>
              ),
          },
          {
            label: t('apprenticeship.targets.follow'),
            cell: (r) => (r.adviser_id === ctx.actor.id ? <Badge>{t('apprenticeship.targets.yours')}</Badge> : <PostButton ctx={ctx} action={`/taxe-apprentissage/cibles/${r.id}/conseiller`} label={t('apprenticeship.targets.take')} />),
          },
        ]}
      />
      <Pagination ctx={ctx} page={p.page} perPage={50} total={p.total} path="/taxe-apprentissage/cibles" query={p.query} />
    </Page>
  );
}

// ——— staff: settings ———

export interface CampaignFormValues {
  year?: string;
  title: string;
  segment: string;
  opens1: string;
  closes1: string;
  opens2: string;
  closes2: string;
}

function CampaignFields({ ctx, values, errors, withYear }: { ctx: ViewContext; values: CampaignFormValues; errors?: Errors; withYear: boolean }) {
  const t = ctx.t;
  return (
    <>
      {withYear ? <Field ctx={ctx} name="year" label={t('apprenticeship.field.year')} value={values.year ?? ''} errors={errors} required inputmode="numeric" maxlength={4} /> : null}
      <Field ctx={ctx} name="title" label={t('apprenticeship.field.title')} value={values.title} errors={errors} required maxlength={200} />
      <Field ctx={ctx} name="segment" label={t('apprenticeship.field.segment')} hint={t('apprenticeship.field.segment_hint')} value={values.segment} errors={errors} inputmode="numeric" maxlength={9} />
      <fieldset class="field">
        <legend>{t('apprenticeship.window_n', { n: 1 })}</legend>
        <Field ctx={ctx} name="opens1" label={t('apprenticeship.field.opens')} type="date" value={values.opens1} errors={errors} required />
        <Field ctx={ctx} name="closes1" label={t('apprenticeship.field.closes')} type="date" value={values.closes1} errors={errors} required />
      </fieldset>
      <fieldset class="field">
        <legend>{t('apprenticeship.window_n', { n: 2 })}</legend>
        <Field ctx={ctx} name="opens2" label={t('apprenticeship.field.opens')} type="date" value={values.opens2} errors={errors} />
        <Field ctx={ctx} name="closes2" label={t('apprenticeship.field.closes')} type="date" value={values.closes2} errors={errors} />
      </fieldset>
    </>
  );
}

export interface SchoolFormValues {
  name: string;
  siret: string;
  uai: string;
  trainings: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  active?: boolean;
}

function SchoolFields({ ctx, values, errors }: { ctx: ViewContext; values: SchoolFormValues; errors?: Errors }) {
  const t = ctx.t;
  return (
    <>
      <Field ctx={ctx} name="name" label={t('apprenticeship.field.school_name')} value={values.name} errors={errors} required maxlength={200} />
      <Field ctx={ctx} name="siret" label="SIRET" value={values.siret} errors={errors} required inputmode="numeric" maxlength={17} />
      <Field ctx={ctx} name="uai" label="UAI" hint={t('apprenticeship.field.uai_hint')} value={values.uai} errors={errors} required maxlength={8} />
      <Field ctx={ctx} name="trainings" label={t('apprenticeship.field.trainings')} value={values.trainings} errors={errors} multiline rows={3} maxlength={2000} />
      <Field ctx={ctx} name="contactName" label={t('apprenticeship.field.contact_name')} value={values.contactName} errors={errors} maxlength={200} autocomplete="off" />
      <Field ctx={ctx} name="contactEmail" label={t('apprenticeship.field.contact_email')} type="email" value={values.contactEmail} errors={errors} maxlength={200} autocomplete="off" />
      <Field ctx={ctx} name="contactPhone" label={t('apprenticeship.field.contact_phone')} type="tel" value={values.contactPhone} errors={errors} maxlength={40} autocomplete="off" />
    </>
  );
}

const emptyCampaign: CampaignFormValues = { year: '', title: '', segment: '', opens1: '', closes1: '', opens2: '', closes2: '' };
const emptySchool: SchoolFormValues = { name: '', siret: '', uai: '', trainings: '', contactName: '', contactEmail: '', contactPhone: '' };

export function SettingsPage(p: {
  ctx: ViewContext;
  campaigns: Campaign[];
  schools: School[];
  templates: Template[];
  rateSets: RateSet[];
  campaignValues?: CampaignFormValues;
  campaignErrors?: Errors;
  schoolValues?: SchoolFormValues;
  schoolErrors?: Errors;
  templateErrors?: { code: string; errors: Errors; values: { subject: string; body: string; daysBefore: string } };
}) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('apprenticeship.nav.settings')} crumbs={[{ label: t('apprenticeship.nav.board'), href: '/taxe-apprentissage' }, { label: t('apprenticeship.nav.settings') }]}>
      <section aria-labelledby="appr-campaigns">
        <h2 id="appr-campaigns">{t('apprenticeship.campaigns')}</h2>
        <Table
          ctx={ctx}
          caption={t('apprenticeship.campaigns')}
          rows={p.campaigns}
          empty={t('apprenticeship.no_campaign')}
          columns={[
            { label: t('apprenticeship.field.year'), cell: (c) => <a href={`/taxe-apprentissage/campagnes/${c.id}`}>{c.year}</a>, rowHeader: true },
            { label: t('apprenticeship.field.title'), cell: (c) => c.title },
            { label: t('apprenticeship.payroll_year'), cell: (c) => c.payroll_year },
          ]}
        />
        <h3>{t('apprenticeship.campaign.new')}</h3>
        <form method="post" action="/taxe-apprentissage/campagnes" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.campaignErrors} />
          <CampaignFields ctx={ctx} values={p.campaignValues ?? emptyCampaign} errors={p.campaignErrors} withYear />
          <button type="submit" class="button">
            {t('apprenticeship.campaign.create')}
          </button>
        </form>
      </section>
      <section aria-labelledby="appr-schools-h">
        <h2 id="appr-schools-h">{t('apprenticeship.schools')}</h2>
        <Table
          ctx={ctx}
          caption={t('apprenticeship.schools')}
          rows={p.schools}
          empty={t('apprenticeship.no_schools')}
          columns={[
            { label: t('apprenticeship.school'), cell: (s) => <a href={`/taxe-apprentissage/ecoles/${s.id}`}>{s.name}</a>, rowHeader: true },
            { label: 'SIRET', cell: (s) => s.siret },
            { label: 'UAI', cell: (s) => s.uai },
            { label: t('apprenticeship.status'), cell: (s) => (s.active ? <Badge kind="success">{t('apprenticeship.active')}</Badge> : <Badge>{t('apprenticeship.inactive')}</Badge>) },
          ]}
        />
        <h3>{t('apprenticeship.school.new')}</h3>
        <form method="post" action="/taxe-apprentissage/ecoles" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.schoolErrors} />
          <SchoolFields ctx={ctx} values={p.schoolValues ?? emptySchool} errors={p.schoolErrors} />
          <button type="submit" class="button">
            {t('apprenticeship.school.create')}
          </button>
        </form>
      </section>
      <section aria-labelledby="appr-templates">
        <h2 id="appr-templates">{t('apprenticeship.templates')}</h2>
        <p class="hint">{t('apprenticeship.templates_hint')}</p>
        {p.templates.map((tp) => {
          const mine = p.templateErrors?.code === tp.code ? p.templateErrors : undefined;
          const v = mine?.values ?? { subject: tp.subject, body: tp.body, daysBefore: String(tp.days_before) };
          const id = (n: string) => `${tp.code}-${n}`;
          return (
            <form method="post" action={`/taxe-apprentissage/modeles/${tp.code}`} class="appr-template" novalidate>
              <h3>{t(`apprenticeship.template.${tp.code}`)}</h3>
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(tp.version)} />
              <ErrorSummary ctx={ctx} errors={mine?.errors} />
              <Field ctx={ctx} id={id('days')} name="daysBefore" label={t('apprenticeship.field.days_before')} value={v.daysBefore} errors={mine?.errors} inputmode="numeric" maxlength={2} required />
              <Field ctx={ctx} id={id('subject')} name="subject" label={t('apprenticeship.field.subject')} value={v.subject} errors={mine?.errors} maxlength={200} required />
              <Field ctx={ctx} id={id('body')} name="body" label={t('apprenticeship.field.body')} value={v.body} errors={mine?.errors} multiline rows={8} maxlength={5000} required />
              <button type="submit" class="button">
                {t('common.save')}
              </button>
            </form>
          );
        })}
      </section>
      <section aria-labelledby="appr-rates">
        <h2 id="appr-rates">{t('apprenticeship.rates')}</h2>
        <p class="hint">{t('apprenticeship.rates_hint')}</p>
        <Table
          ctx={ctx}
          caption={t('apprenticeship.rates')}
          rows={p.rateSets}
          columns={[
            { label: t('apprenticeship.years'), cell: (r) => `${r.fromYear}–${r.toYear ?? '…'}`, rowHeader: true },
            { label: t('apprenticeship.regime'), cell: (r) => t(`apprenticeship.regime.${r.regime}`) },
            {
              label: t('apprenticeship.rates'),
              cell: (r) =>
                r.regime === 'since2022'
                  ? `${t('apprenticeship.main')} ${r.rates.mainPpm / 10000} %, ${t('apprenticeship.solde')} ${r.rates.soldePpm / 10000} %, Alsace-Moselle ${r.rates.alsaceMainPpm / 10000} %`
                  : `${r.rates.taxPpm / 10000} % (Alsace-Moselle ${r.rates.alsaceTaxPpm / 10000} %) : ${r.rates.regionalBp / 100} / ${r.rates.quotaBp / 100} / ${r.rates.horsQuotaBp / 100} %`,
            },
            { label: t('apprenticeship.csa'), cell: (r) => r.rates.csa.bands.map((b) => `< ${b.belowPct} % : ${b.ppm / 10000} %${b.largePpm ? ` (${r.rates.csa.largeEmployees}+ : ${b.largePpm / 10000} %)` : ''}`).join(' ; ') },
          ]}
        />
      </section>
    </Page>
  );
}

export function CampaignPage(p: { ctx: ViewContext; campaign: Campaign; windows: CampaignWindow[]; schools: School[]; inCampaign: CampaignSchool[]; segmentName: string | null; targets: number; values?: CampaignFormValues; errors?: Errors; goalErrors?: Errors }) {
  const { ctx, campaign: c } = p;
  const t = ctx.t;
  const values: CampaignFormValues = p.values ?? {
    title: c.title,
    segment: c.segment_id === null ? '' : String(c.segment_id),
    opens1: p.windows[0]?.opens_on ?? '',
    closes1: p.windows[0]?.closes_on ?? '',
    opens2: p.windows[1]?.opens_on ?? '',
    closes2: p.windows[1]?.closes_on ?? '',
  };
  const goals = new Map(p.inCampaign.map((s) => [s.id, Number(s.goal_cents)]));
  return (
    <Page ctx={ctx} title={t('apprenticeship.campaign.title', { year: c.year })} crumbs={[{ label: t('apprenticeship.nav.settings'), href: '/taxe-apprentissage/campagnes' }, { label: String(c.year) }]}>
      <form method="post" action={`/taxe-apprentissage/campagnes/${c.id}`} novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="version" value={String(c.version)} />
        <ErrorSummary ctx={ctx} errors={p.errors} />
        <p>{t('apprenticeship.campaign.payroll_year', { year: c.payroll_year })}</p>
        <CampaignFields ctx={ctx} values={values} errors={p.errors} withYear={false} />
        <button type="submit" class="button">
          {t('common.save')}
        </button>
      </form>
      <section aria-labelledby="appr-targets-h">
        <h2 id="appr-targets-h">{t('apprenticeship.nav.targets')}</h2>
        <p>
          {p.segmentName ? t('apprenticeship.campaign.segment_is', { name: p.segmentName }) : t('apprenticeship.campaign.no_segment')} {t('apprenticeship.targets.count', { count: p.targets })}
          {c.targets_refreshed_at ? ` — ${t('apprenticeship.campaign.refreshed', { at: String(c.targets_refreshed_at).slice(0, 16).replace('T', ' ') })}` : ''}
        </p>
        {c.segment_id !== null ? <PostButton ctx={ctx} action={`/taxe-apprentissage/campagnes/${c.id}/cibles`} label={t('apprenticeship.campaign.refresh')} /> : null}
      </section>
      <section aria-labelledby="appr-goals">
        <h2 id="appr-goals">{t('apprenticeship.goals')}</h2>
        <form method="post" action={`/taxe-apprentissage/campagnes/${c.id}/objectifs`} novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.goalErrors} />
          {p.schools.map((s) => (
            <fieldset class="field appr-goal">
              <legend>{s.name}</legend>
              <div class="choice">
                <input type="checkbox" id={`school-${s.id}`} name="school" value={String(s.id)} checked={goals.has(s.id)} />
                <label for={`school-${s.id}`}>{t('apprenticeship.goal.in_campaign')}</label>
              </div>
              <Field ctx={ctx} id={`f-goal_${s.id}`} name={`goal_${s.id}`} label={t('apprenticeship.goal.euros')} value={goals.has(s.id) ? String(Math.round((goals.get(s.id) ?? 0) / 100)) : ''} errors={p.goalErrors} inputmode="numeric" maxlength={12} />
            </fieldset>
          ))}
          <button type="submit" class="button">
            {t('common.save')}
          </button>
        </form>
      </section>
    </Page>
  );
}

export function SchoolPage(p: { ctx: ViewContext; school: School; grants: { id: number; name: string; email: string }[]; values?: SchoolFormValues; errors?: Errors; grantErrors?: Errors; grantEmail?: string }) {
  const { ctx, school: s } = p;
  const t = ctx.t;
  const values: SchoolFormValues = p.values ?? { name: s.name, siret: s.siret, uai: s.uai, trainings: s.trainings, contactName: s.contact_name, contactEmail: s.contact_email, contactPhone: s.contact_phone, active: s.active === 1 };
  return (
    <Page ctx={ctx} title={s.name} crumbs={[{ label: t('apprenticeship.nav.settings'), href: '/taxe-apprentissage/campagnes' }, { label: s.name }]}>
      <p>
        <a href={`/taxe-apprentissage/ecoles/${s.id}/resultats`}>{t('apprenticeship.results.link')}</a>
      </p>
      <form method="post" action={`/taxe-apprentissage/ecoles/${s.id}`} novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="version" value={String(s.version)} />
        <ErrorSummary ctx={ctx} errors={p.errors} />
        <SchoolFields ctx={ctx} values={values} errors={p.errors} />
        <div class="choice">
          <input type="checkbox" id="f-active" name="active" value="1" checked={values.active !== false} />
          <label for="f-active">{t('apprenticeship.active')}</label>
        </div>
        <button type="submit" class="button">
          {t('common.save')}
        </button>
      </form>
      <section aria-labelledby="appr-grants">
        <h2 id="appr-grants">{t('apprenticeship.grants')}</h2>
        <p class="hint">{t('apprenticeship.grants_hint')}</p>
        {p.grants.length ? (
          <ul>
            {p.grants.map((g) => (
              <li>
                {g.name} ({g.email}) <PostButton ctx={ctx} action={`/taxe-apprentissage/ecoles/${s.id}/acces/${g.id}/retirer`} label={t('apprenticeship.grant.revoke')} variant="danger" />
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('apprenticeship.grant.none')}</p>
        )}
        <form method="post" action={`/taxe-apprentissage/ecoles/${s.id}/acces`} novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.grantErrors} />
          <Field ctx={ctx} name="email" type="email" label={t('apprenticeship.grant.email')} value={p.grantEmail ?? ''} errors={p.grantErrors} maxlength={200} required />
          <button type="submit" class="button">
            {t('apprenticeship.grant.add')}
          </button>
        </form>
      </section>
    </Page>
  );
}

export function ResultsPage({ ctx, r, campaigns }: { ctx: ViewContext; r: SchoolResults; campaigns: Campaign[] }) {
  const t = ctx.t;
  const pct = r.goalCents > 0 ? Math.round((r.pledgedCents * 100) / r.goalCents) : null;
  return (
    <Page ctx={ctx} title={t('apprenticeship.results.title', { school: r.school.name, year: r.campaign.year })} crumbs={[{ label: t('apprenticeship.results.crumb') }, { label: r.school.name }]}>
      <YearSwitch ctx={ctx} campaigns={campaigns} current={r.campaign} path={`/taxe-apprentissage/ecoles/${r.school.id}/resultats`} />
      <Facts
        items={[
          ['SIRET / UAI', `${r.school.siret} / ${r.school.uai}`],
          [t('apprenticeship.goal'), eur(ctx, r.goalCents)],
          [t('apprenticeship.board.pledged'), `${eur(ctx, r.pledgedCents)}${pct !== null ? ` (${pct} %)` : ''}`],
          [t('apprenticeship.board.confirmed'), eur(ctx, r.confirmedCents)],
          [t('apprenticeship.board.pledged_last_year'), eur(ctx, r.lastYearPledgedCents)],
          [t('apprenticeship.board.confirmed_last_year'), eur(ctx, r.lastYearConfirmedCents)],
        ]}
      />
      <h2>{t('apprenticeship.results.companies', { count: r.companies.length })}</h2>
      <Table
        ctx={ctx}
        caption={t('apprenticeship.results.companies', { count: r.companies.length })}
        rows={r.companies}
        empty={t('apprenticeship.results.none')}
        columns={[
          { label: t('apprenticeship.company'), cell: (c) => c.name, rowHeader: true },
          { label: t('apprenticeship.pledge.share'), cell: (c) => percent(c.pledgedBp, loc(ctx)), numeric: true },
          { label: t('apprenticeship.board.pledged'), cell: (c) => eur(ctx, c.pledgedCents), numeric: true },
          { label: t('apprenticeship.confirm.share'), cell: (c) => (c.confirmedBp === null ? '—' : percent(c.confirmedBp, loc(ctx))), numeric: true },
          { label: t('apprenticeship.board.confirmed'), cell: (c) => eur(ctx, c.confirmedCents), numeric: true },
        ]}
      />
    </Page>
  );
}

export function MySchoolsBlock({ ctx, schools }: { ctx: ViewContext; schools: { id: number; name: string }[] }) {
  return (
    <section class="card" aria-labelledby="appr-my-schools">
      <h2 id="appr-my-schools">{ctx.t('apprenticeship.results.crumb')}</h2>
      <ul>
        {schools.map((s) => (
          <li>
            <a href={`/taxe-apprentissage/ecoles/${s.id}/resultats`}>{s.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

// ——— member ———

export interface DeclarationValues {
  payroll: string;
  employees: string;
  workStudyEmployees: string;
}

export function MemberTaxBody(p: {
  ctx: ViewContext;
  state?: MemberState;
  phase?: { phase: Phase; window?: CampaignWindow; next?: CampaignWindow };
  canPledge: boolean;
  canConfirm: boolean;
  values?: DeclarationValues;
  errors?: Errors;
  csvErrors?: Errors;
  pledgeErrors?: Errors;
  pledgeValues?: Record<string, string>;
  confirmErrors?: Errors;
}) {
  const { ctx, state } = p;
  const t = ctx.t;
  if (!state) return <p class="empty">{t('apprenticeship.no_campaign')}</p>;
  const d = state.declaration;
  const l = loc(ctx);
  const values: DeclarationValues = p.values ?? (d ? { payroll: hundredths(Number(d.payroll_cents), 'en').replace(/,/g, ''), employees: hundredths(d.employees100, 'en').replace(/,/g, ''), workStudyEmployees: hundredths(d.work_study100, 'en').replace(/,/g, '') } : { payroll: '', employees: '', workStudyEmployees: '' });
  const pledges = new Map(state.pledges.map((x) => [x.school_id, x]));
  const pledgedTotal = state.pledges.reduce((a, x) => a + x.pledged_bp, 0);
  const ph = p.phase;
  return (
    <>
      <p>{t('apprenticeship.member.company', { name: state.company.name })}</p>
      {ph ? (
        <p class={`flash ${ph.phase === 'open' ? 'flash-success' : 'flash-info'}`} role="status">
          {ph.phase === 'open' && ph.window
            ? t('apprenticeship.reminder.open', { to: ph.window.closes_on })
            : ph.phase === 'closed'
              ? t('apprenticeship.reminder.closed')
              : t('apprenticeship.reminder.before', { from: ph.next?.opens_on ?? '', to: ph.next?.closes_on ?? '' })}
        </p>
      ) : null}
      <section aria-labelledby="appr-windows">
        <h2 id="appr-windows">{t('apprenticeship.windows')}</h2>
        <ul>
          {state.windows.map((w) => (
            <li>{t('apprenticeship.window_range', { from: w.opens_on, to: w.closes_on })}</li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="appr-decl">
        <h2 id="appr-decl">{t('apprenticeship.member.declaration', { year: state.campaign.payroll_year })}</h2>
        {state.alsaceMoselle ? <p class="hint">{t('apprenticeship.alsace_note')}</p> : null}
        <form method="post" action="/extranet/taxe-apprentissage/declaration" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.errors} />
          <Field ctx={ctx} name="payroll" label={t('apprenticeship.field.payroll_euros')} hint={t('apprenticeship.field.payroll_hint')} value={values.payroll} errors={p.errors} inputmode="decimal" required maxlength={20} />
          <Field ctx={ctx} name="employees" label={t('apprenticeship.field.employees')} hint={t('apprenticeship.field.employees_hint')} value={values.employees} errors={p.errors} inputmode="decimal" required maxlength={12} />
          <Field ctx={ctx} name="workStudyEmployees" label={t('apprenticeship.field.work_study')} value={values.workStudyEmployees} errors={p.errors} inputmode="decimal" required maxlength={12} />
          <button type="submit" class="button">
            {t('apprenticeship.member.compute')}
          </button>
        </form>
        <details class="appr-import" open={Boolean(p.csvErrors)}>
          <summary>{t('apprenticeship.member.import')}</summary>
          <form method="post" action={`/extranet/taxe-apprentissage/import?_csrf=${encodeURIComponent(ctx.csrf)}`} enctype="multipart/form-data" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.csvErrors} />
            <Field ctx={ctx} name="file" type="file" accept=".csv,text/csv" label={t('apprenticeship.field.csv')} hint={t('apprenticeship.field.csv_hint')} errors={p.csvErrors} required />
            <button type="submit" class="button button-secondary">
              {t('apprenticeship.member.import_button')}
            </button>
          </form>
        </details>
      </section>
      {d ? (
        <section aria-labelledby="appr-amounts">
          <h2 id="appr-amounts">{t('apprenticeship.member.amounts')}</h2>
          <Facts
            items={[
              [t('apprenticeship.main'), euros(Number(d.main_cents), l)],
              [t('apprenticeship.solde'), euros(Number(d.solde_cents), l)],
              [t('apprenticeship.csa'), euros(Number(d.csa_cents), l)],
              [t('apprenticeship.total'), euros(Number(d.main_cents) + Number(d.solde_cents) + Number(d.csa_cents), l)],
            ]}
          />
        </section>
      ) : null}
      {d && Number(d.solde_cents) > 0 ? (
        <section aria-labelledby="appr-pledge">
          <h2 id="appr-pledge">{t('apprenticeship.member.pledge')}</h2>
          <p class="hint">{t('apprenticeship.member.pledge_hint')}</p>
          {p.canPledge ? (
            <form method="post" action="/extranet/taxe-apprentissage/promesses" novalidate>
              <CsrfField ctx={ctx} />
              <ErrorSummary ctx={ctx} errors={p.pledgeErrors} />
              {state.schools.map((s) => (
                <Field
                  ctx={ctx}
                  id={`f-share_${s.id}`}
                  name={`share_${s.id}`}
                  label={t('apprenticeship.member.share_for', { school: s.name })}
                  hint={`SIRET ${s.siret} — UAI ${s.uai}${s.trainings ? ` — ${s.trainings}` : ''}`}
                  value={p.pledgeValues?.[String(s.id)] ?? (pledges.get(s.id)?.pledged_bp ? String(pledges.get(s.id)!.pledged_bp / 100) : '')}
                  errors={p.pledgeErrors}
                  inputmode="decimal"
                  maxlength={6}
                />
              ))}
              <button type="submit" class="button">
                {t('apprenticeship.member.save_pledge')}
              </button>
            </form>
          ) : (
            <p>{t('apprenticeship.window_closed')}</p>
          )}
          {pledgedTotal > 0 ? (
            <>
              <Table
                ctx={ctx}
                caption={t('apprenticeship.member.pledged')}
                rows={state.pledges.filter((x) => x.pledged_bp > 0)}
                columns={[
                  { label: t('apprenticeship.school'), cell: (x) => state.schools.find((s) => s.id === x.school_id)?.name ?? '', rowHeader: true },
                  { label: t('apprenticeship.pledge.share'), cell: (x) => percent(x.pledged_bp, l), numeric: true },
                  { label: t('apprenticeship.amount'), cell: (x) => euros(Number(x.pledged_cents), l), numeric: true },
                ]}
              />
              <p>
                <a href="/extranet/taxe-apprentissage/recapitulatif.pdf" class="button button-secondary" download>
                  {t('apprenticeship.member.pdf')}
                </a>
              </p>
            </>
          ) : null}
        </section>
      ) : null}
      {d && Number(d.solde_cents) > 0 && (p.canConfirm || p.confirmErrors) ? (
        <section aria-labelledby="appr-confirm">
          <h2 id="appr-confirm">{t('apprenticeship.member.confirm')}</h2>
          <p class="hint">{d.confirmed_at ? t('apprenticeship.member.confirmed_on', { at: String(d.confirmed_at).slice(0, 10) }) : t('apprenticeship.member.confirm_hint')}</p>
          <form method="post" action="/extranet/taxe-apprentissage/confirmation" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.confirmErrors} />
            {state.schools.map((s) => {
              const x = pledges.get(s.id);
              const v = x?.confirmed_bp ?? x?.pledged_bp;
              return (
                <Field ctx={ctx} id={`f-confirm_${s.id}`} name={`confirm_${s.id}`} label={t('apprenticeship.member.confirm_for', { school: s.name })} value={v ? String(v / 100) : ''} errors={p.confirmErrors} inputmode="decimal" maxlength={6} />
              );
            })}
            <button type="submit" class="button">
              {t('apprenticeship.member.save_confirm')}
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}

// ——— public: unsubscribe ———

export function UnsubscribePage({ ctx, token, email, refused, done }: { ctx: ViewContext; token: string; email: string; refused: boolean; done?: boolean }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('apprenticeship.unsubscribe.title')}>
      {refused || done ? (
        <p class="flash flash-success" role="status">
          {t('apprenticeship.unsubscribe.done', { email })}
        </p>
      ) : (
        <form method="post" action={`/taxe-apprentissage/desinscription/${token}`}>
          <CsrfField ctx={ctx} />
          <p>{t('apprenticeship.unsubscribe.ask', { email })}</p>
          <button type="submit" class="button">
            {t('apprenticeship.unsubscribe.confirm')}
          </button>
        </form>
      )}
    </Page>
  );
}
