// Visit report pages: the phone-first form, one report, the list.
import { Badge, ButtonLink, Choices, ErrorSummary, Facts, Field, Pagination, Select, Table, type Errors, type Option } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { CompanySummary, ContactSummary } from '../../registry/index.js';
import type { TaskRow, TopicRow } from '../crm.table.js';
import type { VisitListItem, VisitView } from '../visit.service.js';
import { maySeeConfidential, type ConfidentialRow } from '../policy.js';
import { crmCrumbs, day, Notes, OfflineStatus, ScopeSwitch, SharingFields, sharingFact, type SharingValues } from './common.js';

export const FOLLOW_UP_ROWS = 3;

export interface VisitFormValues extends SharingValues {
  clientId: string;
  companyId?: number;
  companyQ?: string;
  date: string;
  topics: string[];
  contactIds: number[];
  newContact: { firstName: string; lastName: string; role: string; email: string; phone: string };
  notes: string;
  needs: string;
  /** undefined when the form did not carry the field */
  confidentialNotes?: string;
  followUps: { title: string; due: string; ownerId?: number }[];
  version?: number;
}

export function CompanyChoices({ ctx, companies, selected, q }: { ctx: ViewContext; companies: CompanySummary[]; selected?: number; q?: string }) {
  if (companies.length === 0) return <p class="muted">{q && q.length >= 2 ? ctx.t('crm.visit.no_company_found') : ctx.t('crm.visit.type_two_letters')}</p>;
  return (
    <ul class="crm-picker">
      {companies.map((c) => (
        <li>
          <input
            type="radio"
            name="company_id"
            id={`company-${c.id}`}
            value={String(c.id)}
            checked={c.id === selected}
            hx-get={`/crm/entreprises/${c.id}/personnes`}
            hx-trigger="change"
            hx-target="#people"
            hx-swap="innerHTML"
          />
          <label for={`company-${c.id}`}>
            <strong>{c.name}</strong> <span class="muted">{[c.siren, c.postalCode, c.city].filter(Boolean).join(' · ')}</span>
          </label>
        </li>
      ))}
    </ul>
  );
}

/**
 * The required company of a visit or a deal: the chosen one, and a picker to find another (htmx
 * after two characters; without JavaScript, the "Rechercher" button re-renders the form with the
 * matches). `fixed`: the company is shown, not changed (a visit report once filed).
 */
export function CompanyField(p: { ctx: ViewContext; company?: CompanySummary; candidates: CompanySummary[]; companyId?: number; companyQ?: string; errors?: Errors; fixed?: boolean }) {
  const { ctx, company, errors } = p;
  const t = ctx.t;
  return (
    <fieldset class={`field${errors?.company_id ? ' field-error' : ''}`}>
      <legend>
        {t('crm.visit.company')} <span class="req">({t('common.required')})</span>
      </legend>
      {errors?.company_id ? (
        <p class="error-text" id="f-company_id">
          {t(errors.company_id)}
        </p>
      ) : null}
      {company && p.fixed ? (
        <p>
          <input type="hidden" name="company_id" value={String(company.id)} />
          <strong>{company.name}</strong>
        </p>
      ) : (
        <>
          {company ? (
            <p class="crm-chosen">
              <input type="radio" name="company_id" id={`company-${company.id}`} value={String(company.id)} checked />
              <label for={`company-${company.id}`}>
                <strong>{company.name}</strong> <span class="muted">{[company.siren, company.city].filter(Boolean).join(' · ')}</span>
              </label>
            </p>
          ) : null}
          <details class="crm-change-company" open={!company || undefined}>
            <summary>{company ? t('crm.visit.change_company') : t('crm.visit.find_company')}</summary>
            <label for="f-company_q">{t('crm.visit.company_search')}</label>
            <input
              type="search"
              id="f-company_q"
              name="company_q"
              value={p.companyQ ?? ''}
              autocomplete="off"
              hx-get="/crm/entreprises/choix"
              hx-trigger="input changed delay:150ms, search"
              hx-target="#company-results"
              hx-sync="this:replace"
              aria-controls="company-results"
            />
            <button type="submit" name="action" value="search" class="button button-secondary crm-nojs">
              {t('common.search')}
            </button>
            <div id="company-results" aria-live="polite">
              <CompanyChoices ctx={ctx} companies={p.candidates.filter((c) => c.id !== company?.id)} selected={p.companyId} q={p.companyQ} />
            </div>
          </details>
        </>
      )}
    </fieldset>
  );
}

export function PeopleChoices({ ctx, contacts, selected }: { ctx: ViewContext; contacts: ContactSummary[]; selected: number[] }) {
  if (contacts.length === 0) return <p class="muted">{ctx.t('crm.visit.no_people')}</p>;
  return (
    <ul class="crm-picker">
      {contacts.map((c) => (
        <li>
          <input type="checkbox" name="contact_ids" id={`contact-${c.id}`} value={String(c.id)} checked={selected.includes(c.id)} />
          <label for={`contact-${c.id}`}>
            {`${c.firstName} ${c.lastName}`.trim()}
            {c.role ? <span class="muted"> — {c.role}</span> : null}
          </label>
        </li>
      ))}
    </ul>
  );
}

export function VisitFormPage(p: {
  ctx: ViewContext;
  values: VisitFormValues;
  errors?: Errors;
  topics: TopicRow[];
  company?: CompanySummary;
  candidates: CompanySummary[];
  contacts: ContactSummary[];
  users: Option[];
  visitId?: number;
  maxDate: string;
  /** editing: the report, whose confidential notes only their author (or crm:confidential) sees */
  confidentialOf?: ConfidentialRow;
}) {
  const { ctx, values: v, errors } = p;
  const t = ctx.t;
  const editing = p.visitId !== undefined;
  // Not carried by the form (or not readable by this reader): the stored notes stay as they are.
  const showConfidential = v.confidentialNotes !== undefined && (!p.confidentialOf || maySeeConfidential(ctx.actor, p.confidentialOf));
  const title = editing ? t('crm.visit.edit_title') : t('crm.visit.new_title');
  const labels: Record<string, string> = { company_id: t('crm.visit.company'), date: t('crm.visit.date'), topics: t('crm.visit.topics'), contact_ids: t('crm.visit.people'), notes: t('crm.visit.notes'), needs: t('crm.visit.needs'), member_title: t('crm.sharing.member_title'), member_summary: t('crm.sharing.member_summary') };
  return (
    <Page ctx={ctx} title={title} crumbs={crmCrumbs(ctx, { label: t('crm.visits.title'), href: '/crm/visites' }, { label: title })}>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={editing ? `/crm/visites/${p.visitId}` : '/crm/visites'} class="crm-visit-form" id="visit-form" data-offline={editing ? undefined : 'visit'} novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="client_id" value={v.clientId} />
        {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : null}
        <OfflineStatus ctx={ctx} />

        <CompanyField ctx={ctx} company={p.company} candidates={p.candidates} companyId={v.companyId} companyQ={v.companyQ} errors={errors} fixed={editing} />

        <Field ctx={ctx} name="date" type="date" label={t('crm.visit.date')} value={v.date} errors={errors} required max={p.maxDate} />

        <fieldset class={`field${errors?.contact_ids ? ' field-error' : ''}`}>
          <legend>{t('crm.visit.people')}</legend>
          {errors?.contact_ids ? (
            <p class="error-text" id="f-contact_ids">
              {t(errors.contact_ids)}
            </p>
          ) : null}
          <div id="people">
            <PeopleChoices ctx={ctx} contacts={p.contacts} selected={v.contactIds} />
          </div>
          {editing ? null : (
            <details class="crm-add-person" open={Object.keys(errors ?? {}).some((k) => k.startsWith('new_contact_')) || undefined}>
              <summary>{t('crm.visit.add_person')}</summary>
              <div class="form-grid">
                <Field ctx={ctx} name="new_contact_first_name" label={t('crm.contact.first_name')} value={v.newContact.firstName} errors={errors} autocomplete="off" />
                <Field ctx={ctx} name="new_contact_last_name" label={t('crm.contact.last_name')} value={v.newContact.lastName} errors={errors} autocomplete="off" />
                <Field ctx={ctx} name="new_contact_role" label={t('crm.contact.role')} value={v.newContact.role} errors={errors} />
                <Field ctx={ctx} name="new_contact_email" type="email" label={t('crm.contact.email')} value={v.newContact.email} errors={errors} autocomplete="off" />
                <Field ctx={ctx} name="new_contact_phone" type="tel" label={t('crm.contact.phone')} value={v.newContact.phone} errors={errors} autocomplete="off" />
              </div>
            </details>
          )}
        </fieldset>

        <Choices ctx={ctx} name="topics" legend={t('crm.visit.topics')} options={p.topics.map((x) => ({ value: x.code, label: x.label }))} values={v.topics} errors={errors} />
        <Field ctx={ctx} name="notes" label={t('crm.visit.notes')} value={v.notes} errors={errors} multiline rows={4} />
        <Field ctx={ctx} name="needs" label={t('crm.visit.needs')} value={v.needs} errors={errors} multiline rows={3} />
        {showConfidential ? <Field ctx={ctx} name="confidential_notes" label={t('crm.visit.confidential_notes')} hint={t('crm.visit.confidential_hint')} value={v.confidentialNotes} errors={errors} multiline rows={2} /> : null}
        <SharingFields ctx={ctx} v={v} errors={errors} />

        {editing ? null : (
          <fieldset class="field crm-followups">
            <legend>{t('crm.visit.followups')}</legend>
            <p class="hint">{t('crm.visit.followups_hint')}</p>
            {Array.from({ length: FOLLOW_UP_ROWS }, (_, i) => {
              const f = v.followUps[i] ?? { title: '', due: '' };
              return (
                <div class="crm-followup">
                  <Field ctx={ctx} name={`followup_${i}_title`} label={t('crm.visit.followup_title', { n: i + 1 })} value={f.title} errors={errors} />
                  <Field ctx={ctx} name={`followup_${i}_due`} type="date" label={t('crm.visit.followup_due', { n: i + 1 })} value={f.due} errors={errors} />
                  <Select ctx={ctx} name={`followup_${i}_owner`} label={t('crm.visit.followup_owner', { n: i + 1 })} options={p.users} value={String(f.ownerId ?? ctx.user?.id ?? '')} errors={errors} />
                </div>
              );
            })}
          </fieldset>
        )}

        <div class="actions crm-save">
          <button type="submit" class="button button-primary">
            {editing ? t('common.save') : t('crm.visit.save')}
          </button>
        </div>
      </form>
      {editing ? null : <script src="/static/crm-offline.js" defer></script>}
    </Page>
  );
}

export function VisitPage({ ctx, visit, topics, tasks, taskOwners }: { ctx: ViewContext; visit: VisitView; topics: TopicRow[]; tasks: TaskRow[]; taskOwners: Map<number, string> }) {
  const t = ctx.t;
  const topicLabel = new Map(topics.map((x) => [x.code, x.label]));
  const title = t('crm.visit.title', { company: visit.company?.name ?? '?', date: day(ctx, visit.visit_date) });
  return (
    <Page ctx={ctx} title={title} crumbs={crmCrumbs(ctx, { label: t('crm.visits.title'), href: '/crm/visites' }, { label: title })}>
      <Facts
        items={[
          [t('crm.visit.company'), visit.company ? <a href={`/registre/entreprises/${visit.company.id}`}>{visit.company.name}</a> : '?'],
          [t('crm.visit.date'), day(ctx, visit.visit_date)],
          [t('crm.owner'), visit.ownerName],
          [t('crm.visit.topics'), visit.topicCodes.map((c) => topicLabel.get(c) ?? c).join(', ') || '—'],
          [t('crm.visit.people'), visit.participants.map((c) => `${c.firstName} ${c.lastName}`.trim()).join(', ') || '—'],
          sharingFact(ctx, visit),
          ...(visit.shared_with_company === 1 && visit.member_summary ? ([[t('crm.sharing.member_summary'), visit.member_summary]] as [string, string][]) : []),
        ]}
      />
      <Notes ctx={ctx} notes={visit.notes} needs={visit.needs} confidential={maySeeConfidential(ctx.actor, visit) ? (visit.confidential_notes ?? null) : undefined} />
      <h2>{t('crm.visit.followups')}</h2>
      <Table
        ctx={ctx}
        caption={t('crm.visit.followups')}
        rows={tasks}
        empty={t('crm.tasks.none')}
        columns={[
          { label: t('crm.task.title'), cell: (x) => x.title, rowHeader: true },
          { label: t('crm.task.due'), cell: (x) => day(ctx, x.due_date) },
          { label: t('crm.owner'), cell: (x) => taskOwners.get(x.owner_id) ?? '' },
          { label: t('crm.task.status'), cell: (x) => (x.done_at ? <Badge kind="success">{t('crm.task.done')}</Badge> : <Badge kind="warning">{t('crm.task.open')}</Badge>) },
        ]}
      />
      <div class="actions">
        {visit.canEdit ? <ButtonLink href={`/crm/visites/${visit.id}/modifier`}>{t('common.edit')}</ButtonLink> : null}
        {visit.company ? <ButtonLink variant="secondary" href={`/crm/entreprises/${visit.company.id}/chronologie`}>{t('crm.timeline.title')}</ButtonLink> : null}
      </div>
    </Page>
  );
}

export function VisitsPage({ ctx, items, total, page, scope, canTeam, names, owners, topics }: { ctx: ViewContext; items: VisitListItem[]; total: number; page: number; scope: string; canTeam: boolean; names: Map<number, string>; owners: Map<number, string>; topics: TopicRow[] }) {
  const t = ctx.t;
  const topicLabel = new Map(topics.map((x) => [x.code, x.label]));
  return (
    <Page ctx={ctx} title={t('crm.visits.title')} crumbs={crmCrumbs(ctx, { label: t('crm.visits.title') })}>
      <div class="actions">
        <ButtonLink href="/crm/visites/nouvelle">{t('crm.visit.new_title')}</ButtonLink>
      </div>
      <ScopeSwitch ctx={ctx} path="/crm/visites" scope={scope} canTeam={canTeam} />
      <OfflineStatus ctx={ctx} />
      <Table
        ctx={ctx}
        caption={t('crm.visits.title')}
        rows={items}
        empty={t('crm.visits.none')}
        columns={[
          { label: t('crm.visit.date'), cell: (v) => <a href={`/crm/visites/${v.id}`}>{day(ctx, v.visit_date)}</a>, rowHeader: true },
          { label: t('crm.visit.company'), cell: (v) => names.get(v.company_id) ?? `#${v.company_id}` },
          { label: t('crm.visit.topics'), cell: (v) => (JSON.parse(v.topics) as string[]).map((c) => topicLabel.get(c) ?? c).join(', ') },
          { label: t('crm.owner'), cell: (v) => owners.get(v.owner_id) ?? '' },
        ]}
      />
      <Pagination ctx={ctx} page={page} perPage={50} total={total} path="/crm/visites" query={{ portee: scope }} />
      <script src="/static/crm-offline.js" defer></script>
    </Page>
  );
}
