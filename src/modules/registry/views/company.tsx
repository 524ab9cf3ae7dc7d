// Company record: identity, establishments, contacts, tags, notes, history, audit, panels.
import type { VNode } from 'preact';
import { Badge, ButtonLink, ErrorSummary, Facts, Field, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { HEADCOUNT_BANDS, legalFormLabel, nafLabel, LEGAL_FORMS } from '../reference.js';
import type { ManualCompanyInput } from '../company.service.js';
import type { ConsentChannel, ConsentEvent, ConsentState } from '../consent.service.js';
import type { CompanyRow, ContactRow, EstablishmentRow } from '../registry.table.js';
import { mayEditCompany, mayEditRegistry, mayHandlePersonalData, maySeeAudit, maySeePersonalFields } from '../policy.js';
import { formatSiren, vatNumber } from '../rules.js';
import { address } from './search.js';

export interface CompanyPageData {
  company: CompanyRow;
  establishments: EstablishmentRow[];
  contacts: ContactRow[];
  tags: string[];
  notes: { id: number; author_label: string; body: string; created_at: string }[];
  changes: { id: number; at: string; source: string; actor_label: string; action: string; entity: string; changes: Record<string, [unknown, unknown]> }[];
  audit: { id: number; at: string; actor_label: string; action: string; entity: string; changes: string }[];
  panels: VNode[];
  mergedInto?: { id: number; name: string };
  /** each contact's consent per channel (consent.service.ts) */
  consents?: Map<number, Record<ConsentChannel, ConsentState>>;
}

function fmtDate(ctx: ViewContext, iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? iso + 'T12:00:00Z' : iso);
  return iso.length === 10
    ? d.toLocaleDateString(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris' })
    : d.toLocaleString(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
}

function show(v: unknown): string {
  return v === null || v === undefined || v === '' ? '∅' : String(v);
}

/**
 * A changed field as the reader says it: the form's label where there is one, the history's own
 * otherwise; a key with neither (a column added later) is shown spelled out, never as code.
 */
const FIELD_LABELS: Record<string, string> = {
  name: 'registry.name', usual_name: 'registry.history_field.usual_name', acronym: 'registry.acronym', legal_form: 'registry.legal_form', naf_code: 'registry.naf',
  headcount_band: 'registry.headcount', creation_date: 'registry.creation_date', phone: 'registry.phone', email: 'registry.email', website: 'registry.website',
  description: 'registry.description', activity_text: 'registry.activity_text', status: 'registry.status', siren: 'registry.siren', siret: 'registry.siret',
  street_number: 'registry.street_number', street_name: 'registry.street_name', postal_code: 'registry.postal_code', commune_code: 'registry.commune_code',
  first_name: 'registry.first_name', last_name: 'registry.last_name', role: 'registry.role',
  prospecting: 'registry.consent_channel.prospecting', newsletter: 'registry.consent_channel.newsletter', events: 'registry.consent_channel.events',
};
function fieldLabel(t: ViewContext['t'], key: string): string {
  const k = FIELD_LABELS[key] ?? `registry.history_field.${key}`;
  const label = t(k);
  return label === k ? key.replace(/_/g, ' ') : label;
}

/** Values that are codes (consent answers, states) in words; the rest as stored. */
function showValue(t: ViewContext['t'], key: string, v: unknown): string {
  if (typeof v === 'string' && (key === 'consent' || key in { prospecting: 1, newsletter: 1, events: 1 })) {
    const k = `registry.consent.${v}`;
    const label = t(k);
    if (label !== k) return label;
  }
  if (typeof v === 'string' && key === 'status') {
    const k = `registry.history_value.status.${v}`;
    const label = t(k);
    if (label !== k) return label;
  }
  return show(v);
}

export function CompanyPage({ ctx, d }: { ctx: ViewContext; d: CompanyPageData }) {
  const t = ctx.t;
  const c = d.company;
  const edit = mayEditRegistry(ctx.actor);
  const gdpr = mayHandlePersonalData(ctx.actor);
  const vat = vatNumber(c.siren);
  return (
    <Page ctx={ctx} title={c.name} crumbs={[{ label: t('registry.title'), href: '/registre' }, { label: c.name }]}>
      <p>
        <Badge kind={c.status === 'active' ? 'success' : 'danger'}>{t(`registry.company_status.${c.status}`)}</Badge>{' '}
        {c.diffusion === 'partial' ? <Badge kind="warning">{t('registry.partial_long')}</Badge> : null}{' '}
        {c.source === 'manual' ? <Badge kind="neutral">{t('registry.source.manual')}</Badge> : null}
      </p>
      {d.mergedInto ? (
        <p class="flash flash-info" role="status">
          {t('registry.merged_into')} <a href={`/registre/entreprises/${d.mergedInto.id}`}>{d.mergedInto.name}</a>
        </p>
      ) : null}
      {c.diffusion === 'partial' ? <p class="flash flash-info" role="note">{t('registry.partial_warning')}</p> : null}
      {mayEditCompany(ctx.actor, c) ? (
        <p class="actions">
          <ButtonLink href={`/registre/entreprises/${c.id}/modifier`}>{t('common.edit')}</ButtonLink>{' '}
          <ButtonLink href={`/registre/entreprises/${c.id}/contacts/nouveau`} variant="secondary">{t('registry.add_contact')}</ButtonLink>
        </p>
      ) : null}

      <section aria-labelledby="identity">
        <h2 id="identity">{t('registry.identity')}</h2>
        <Facts
          items={[
            [t('registry.siren'), c.siren ? formatSiren(c.siren) : t('registry.no_siren')],
            [t('registry.vat'), vat ?? '—'],
            [t('registry.legal_form'), c.legal_form ? `${legalFormLabel(c.legal_form) ?? ''} (${c.legal_form})` : '—'],
            [t('registry.naf'), c.naf_code ? `${c.naf_code} — ${nafLabel(c.naf_code) ?? ''}` : '—'],
            [t('registry.naf25'), c.naf25_code ?? '—'],
            [t('registry.headcount'), c.headcount_band ? `${HEADCOUNT_BANDS[c.headcount_band] ?? c.headcount_band}${c.headcount_year ? ` (${c.headcount_year})` : ''}` : '—'],
            [t('registry.creation_date'), fmtDate(ctx, c.creation_date) || '—'],
            [t('registry.category'), c.category ?? '—'],
            ...(c.acronym ? [[t('registry.acronym'), c.acronym] as [string, string]] : []),
            // personal fields of sole traders: staff screens only (this page), never exported for prospecting
            ...(c.person_last_name && maySeePersonalFields(ctx.actor, c) ? [[t('registry.person'), `${c.person_first_name ?? ''} ${c.person_last_name}`.trim()] as [string, string]] : []),
            [t('registry.phone'), c.phone ?? '—'],
            [t('registry.email'), c.email ?? '—'],
            [t('registry.website'), c.website ? <a href={c.website} rel="noopener noreferrer">{c.website}</a> : '—'],
            ...(c.description ? [[t('registry.description'), c.description] as [string, string]] : []),
            ...(c.activity_text ? [[t('registry.activity_text'), c.activity_text] as [string, string]] : []),
          ]}
        />
      </section>

      <section aria-labelledby="establishments">
        <h2 id="establishments">{t('registry.establishments')}</h2>
        <Table<EstablishmentRow>
          ctx={ctx}
          caption={t('registry.establishments')}
          rows={d.establishments}
          columns={[
            { label: t('registry.siret'), rowHeader: true, cell: (e) => (e.siret ? formatSiren(e.siret) : '—') },
            {
              label: t('registry.name'),
              cell: (e) => (
                <>
                  {e.sign ?? e.usual_name ?? c.name}
                  {e.is_head_office ? <> <Badge kind="info">{t('registry.head_office')}</Badge></> : null}
                  {e.status === 'closed' ? <> <Badge kind="danger">{t('registry.status.closed')}</Badge></> : null}
                </>
              ),
            },
            { label: t('registry.address'), cell: (e) => [e.address_complement, address({ streetNumber: e.street_number, streetType: e.street_type, streetName: e.street_name, postalCode: e.postal_code, city: e.city })].filter(Boolean).join(', ') + (e.country_code && e.country_code !== 'FR' ? ` (${e.country_code})` : '') },
            { label: t('registry.naf'), cell: (e) => e.naf_code ?? '' },
            { label: t('registry.coordinates'), cell: (e) => (e.latitude !== null ? `${e.latitude.toFixed(5)}, ${e.longitude!.toFixed(5)} (${t(`registry.geo.${e.geo_source ?? 'centroid'}`)})` : '—') },
          ]}
        />
      </section>

      <section aria-labelledby="contacts">
        <h2 id="contacts">{t('registry.contacts')}</h2>
        <Table<ContactRow>
          ctx={ctx}
          caption={t('registry.contacts')}
          rows={d.contacts}
          empty={t('registry.no_contacts')}
          columns={[
            { label: t('registry.contact_name'), rowHeader: true, cell: (x) => `${x.first_name} ${x.last_name}`.trim() },
            { label: t('registry.role'), cell: (x) => x.role ?? '' },
            { label: t('registry.email'), cell: (x) => (x.email ? <a href={`mailto:${x.email}`}>{x.email}</a> : '') },
            { label: t('registry.phone'), cell: (x) => x.phone ?? '' },
            {
              label: t('registry.consent'),
              cell: (x) => (
                <>
                  {`${t(`registry.consent.${x.consent}`)}${x.consent_date ? ` — ${fmtDate(ctx, x.consent_date)}` : ''}${x.consent_source ? ` (${x.consent_source})` : ''}`}
                  <ConsentStates ctx={ctx} states={d.consents?.get(x.id)} channels={['newsletter', 'events']} />
                </>
              ),
            },
            {
              label: t('common.actions'),
              cell: (x) => (
                <>
                  {edit ? <a href={`/registre/contacts/${x.id}/modifier`}>{t('common.edit')}<span class="visually-hidden"> {x.first_name} {x.last_name}</span></a> : null}{' '}
                  {gdpr ? <a href={`/registre/contacts/${x.id}/export.json`}>{t('registry.gdpr_export')}<span class="visually-hidden"> {x.first_name} {x.last_name}</span></a> : null}{' '}
                  {gdpr ? <PostButton ctx={ctx} action={`/registre/contacts/${x.id}/effacer`} label={t('registry.gdpr_erase')} variant="danger" confirm={t('registry.gdpr_erase_confirm')} /> : null}
                </>
              ),
            },
          ]}
        />
      </section>

      <section aria-labelledby="tags">
        <h2 id="tags">{t('registry.tags')}</h2>
        {d.tags.length ? (
          <ul class="tags">
            {d.tags.map((tag) => (
              <li>
                <a href={`/registre?tag=${encodeURIComponent(tag)}`}>{tag}</a>
                {edit ? <PostButton ctx={ctx} action={`/registre/entreprises/${c.id}/etiquettes/retirer`} label={`${t('registry.remove_tag')} ${tag}`} fields={{ tag }} /> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('registry.no_tags')}</p>
        )}
        {edit ? (
          <form method="post" action={`/registre/entreprises/${c.id}/etiquettes`} class="toolbar">
            <CsrfField ctx={ctx} />
            <div class="field">
              <label for="f-tag">{t('registry.new_tag')}</label>
              <input id="f-tag" name="tag" required maxlength={50} />
            </div>
            <button type="submit" class="button button-secondary">{t('registry.add_tag')}</button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="notes">
        <h2 id="notes">{t('registry.notes')}</h2>
        {d.notes.length ? (
          <ul class="timeline">
            {d.notes.map((n) => (
              <li class="timeline-item">
                <p class="timeline-date">
                  {fmtDate(ctx, n.created_at)} — {n.author_label}
                </p>
                <p>{n.body}</p>
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('registry.no_notes')}</p>
        )}
        {edit ? (
          <form method="post" action={`/registre/entreprises/${c.id}/notes`}>
            <CsrfField ctx={ctx} />
            <Field ctx={ctx} name="body" label={t('registry.new_note')} multiline rows={3} required maxlength={4000} />
            <button type="submit" class="button button-secondary">{t('registry.add_note')}</button>
          </form>
        ) : null}
      </section>

      {d.panels.map((p) => p)}

      <section aria-labelledby="history">
        <h2 id="history">{t('registry.history')}</h2>
        {d.changes.length ? (
          <ul class="timeline">
            {d.changes.map((h) => (
              <li class="timeline-item">
                <p class="timeline-date">
                  {fmtDate(ctx, h.at)} — {t(`registry.change_source.${h.source}`)} — {h.actor_label}
                </p>
                <p>
                  {t(`registry.entity.${h.entity}`)} : {t(`registry.change_action.${h.action}`)}
                </p>
                {Object.keys(h.changes).length ? (
                  <ul class="diff">
                    {Object.entries(h.changes).map(([k, [b, a]]) => (
                      <li>
                        {fieldLabel(t, k)} : <del class="diff-old">{showValue(t, k, b)}</del> → <ins class="diff-new">{showValue(t, k, a)}</ins>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('registry.no_history')}</p>
        )}
      </section>

      {maySeeAudit(ctx.actor) ? (
        <section aria-labelledby="audit">
          <h2 id="audit">{t('registry.audit')}</h2>
          {d.audit.length ? (
            <ul class="plain-list">
              {d.audit.map((a) => (
                <li>
                  {fmtDate(ctx, a.at)} — {a.actor_label} — {a.entity} {a.action}
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">{t('registry.no_audit')}</p>
          )}
        </section>
      ) : null}
    </Page>
  );
}

/** The company form's values: what the service takes (a manual company has them all), as typed. */
export type CompanyFormValues = Omit<ManualCompanyInput, 'status'> & { status?: string; version?: number };

export function CompanyFormPage({ ctx, companyId, companyName, values, errors, status = 200 }: { ctx: ViewContext; companyId?: number; companyName?: string; values: CompanyFormValues; errors?: Errors; status?: number }) {
  const t = ctx.t;
  const creating = companyId === undefined;
  const title = creating ? t('registry.new_company') : `${t('common.edit')} — ${companyName}`;
  void status;
  return (
    <Page ctx={ctx} title={title} crumbs={[{ label: t('registry.title'), href: '/registre' }, ...(creating ? [] : [{ label: companyName ?? '', href: `/registre/entreprises/${companyId}` }]), { label: title }]}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="post" action={creating ? '/registre/entreprises' : `/registre/entreprises/${companyId}`} novalidate>
        <CsrfField ctx={ctx} />
        {creating ? null : <input type="hidden" name="version" value={String(values.version ?? '')} />}
        <div class="form-grid">
          <Field ctx={ctx} name="name" label={t('registry.name')} value={values.name} errors={errors} required maxlength={200} />
          {creating ? (
            <>
              <Field ctx={ctx} name="siren" label={t('registry.siren')} value={values.siren} errors={errors} inputmode="numeric" hint={t('registry.siren_hint')} />
              <Field ctx={ctx} name="siret" label={t('registry.siret')} value={values.siret} errors={errors} inputmode="numeric" />
              <Field ctx={ctx} name="countryCode" label={t('registry.country')} value={values.countryCode ?? 'FR'} errors={errors} maxlength={2} hint={t('registry.country_hint')} />
              <Field ctx={ctx} name="streetNumber" label={t('registry.street_number')} value={values.streetNumber} errors={errors} maxlength={10} />
              <Field ctx={ctx} name="streetName" label={t('registry.street_name')} value={values.streetName} errors={errors} maxlength={200} />
              <Field ctx={ctx} name="postalCode" label={t('registry.postal_code')} value={values.postalCode} errors={errors} inputmode="numeric" maxlength={12} />
              <Field ctx={ctx} name="communeCode" label={t('registry.commune_code')} value={values.communeCode} errors={errors} maxlength={5} hint={t('registry.commune_code_hint')} />
              <Field ctx={ctx} name="city" label={t('registry.city_field')} hint={t('registry.city_field_hint')} value={values.city} errors={errors} maxlength={100} />
            </>
          ) : null}
          <Field ctx={ctx} name="acronym" label={t('registry.acronym')} value={values.acronym} errors={errors} maxlength={40} />
          <Select ctx={ctx} name="legalForm" label={t('registry.legal_form')} value={values.legalForm} errors={errors} empty="—" options={Object.entries(LEGAL_FORMS).map(([k, v]) => ({ value: k, label: `${v} (${k})` }))} />
          <Field ctx={ctx} name="nafCode" label={t('registry.naf')} value={values.nafCode} errors={errors} maxlength={6} hint={t('registry.naf_hint')} />
          <Select ctx={ctx} name="headcountBand" label={t('registry.headcount')} value={values.headcountBand} errors={errors} empty="—" options={Object.entries(HEADCOUNT_BANDS).map(([k, v]) => ({ value: k, label: v }))} />
          <Field ctx={ctx} name="creationDate" label={t('registry.creation_date')} type="date" value={values.creationDate} errors={errors} />
          <Field ctx={ctx} name="phone" label={t('registry.phone')} type="tel" value={values.phone} errors={errors} maxlength={30} />
          <Field ctx={ctx} name="email" label={t('registry.email')} type="email" value={values.email} errors={errors} maxlength={200} />
          <Field ctx={ctx} name="website" label={t('registry.website')} type="url" value={values.website} errors={errors} maxlength={300} />
          {creating ? null : <Select ctx={ctx} name="status" label={t('registry.status')} value={values.status} errors={errors} options={['active', 'ceased'].map((v) => ({ value: v, label: t(`registry.company_status.${v}`) }))} />}
        </div>
        {creating && (errors?.confirmDuplicate || values.confirmDuplicate) ? (
          <div class="notice" id="doublon">
            <p>
              {t('registry.possible_duplicate_help')} <a href={`/registre?q=${encodeURIComponent(values.name ?? '')}`}>{t('registry.see_similar')}</a>
            </p>
            <label class="choice">
              <input type="checkbox" name="confirmDuplicate" value="1" checked={values.confirmDuplicate} /> {t('registry.confirm_duplicate')}
            </label>
          </div>
        ) : null}
        <Field ctx={ctx} name="description" label={t('registry.description')} value={values.description} errors={errors} multiline maxlength={4000} />
        <Field ctx={ctx} name="activityText" label={t('registry.activity_text')} value={values.activityText} errors={errors} multiline rows={2} maxlength={1000} />
        <p class="actions">
          <button type="submit" class="button button-primary">{creating ? t('common.create') : t('common.save')}</button>{' '}
          <a href={creating ? '/registre' : `/registre/entreprises/${companyId}`}>{t('common.cancel')}</a>
        </p>
      </form>
    </Page>
  );
}

/** One line per channel with an answer: value, and where and when it was given. */
function ConsentStates({ ctx, states, channels }: { ctx: ViewContext; states?: Record<ConsentChannel, ConsentState>; channels: ConsentChannel[] }) {
  const t = ctx.t;
  const given = channels.filter((ch) => states && states[ch].value !== 'unknown');
  if (!states || given.length === 0) return null;
  return (
    <ul class="consent-states">
      {given.map((ch) => {
        const st = states[ch];
        const params = { channel: t(`registry.consent_channel.${ch}`), value: t(`registry.consent.${st.value}`), origin: st.origin ? t(`registry.consent_origin.${st.origin}`) : '', date: fmtDate(ctx, st.at) };
        return <li>{st.origin && st.at ? t('registry.consent_state_by', params) : t('registry.consent_state', params)}</li>;
      })}
    </ul>
  );
}

export interface ContactConsentView {
  states: Record<ConsentChannel, ConsentState>;
  history: ConsentEvent[];
  values?: Record<string, string>;
  errors?: Errors;
}

/** The contact's consent per channel (the form staff use), then every change, newest first. */
function ContactConsentSection({ ctx, contactId, consent }: { ctx: ViewContext; contactId: number; consent: ContactConsentView }) {
  const t = ctx.t;
  const channels: ConsentChannel[] = ['newsletter', 'events'];
  return (
    <section aria-labelledby="consentements">
      <h2 id="consentements">{t('registry.consent_channels')}</h2>
      <p class="hint">{t('registry.consent_channels_hint')}</p>
      <ErrorSummary ctx={ctx} errors={consent.errors} labels={Object.fromEntries(channels.map((ch) => [ch, t(`registry.consent_channel.${ch}`)]))} />
      <form method="post" action={`/registre/contacts/${contactId}/consentements`} novalidate>
        <CsrfField ctx={ctx} />
        <div class="form-grid">
          {channels.map((ch) => (
            <Select ctx={ctx} name={ch} label={t(`registry.consent_channel.${ch}`)} value={consent.values?.[ch] ?? consent.states[ch].value} errors={consent.errors} options={['unknown', 'granted', 'refused'].map((v) => ({ value: v, label: t(`registry.consent.${v}`) }))} />
          ))}
          <Field ctx={ctx} name="source" label={t('registry.consent_source_optional')} value={consent.values?.source} errors={consent.errors} maxlength={200} />
        </div>
        <p class="actions">
          <button type="submit" class="button button-secondary">{t('registry.consent_save')}</button>
        </p>
      </form>
      <Table<ConsentEvent>
        ctx={ctx}
        caption={t('registry.consent_history')}
        rows={consent.history}
        empty={t('registry.consent_history_empty')}
        columns={[
          { label: t('registry.consent_col.date'), rowHeader: true, cell: (e) => fmtDate(ctx, e.at) },
          { label: t('registry.consent_col.channel'), cell: (e) => t(`registry.consent_channel.${e.channel}`) },
          { label: t('registry.consent_col.value'), cell: (e) => t(`registry.consent.${e.value}`) + (e.source ? ` (${e.source})` : '') },
          { label: t('registry.consent_col.origin'), cell: (e) => t(`registry.consent_origin.${e.origin}`) },
          { label: t('registry.consent_col.author'), cell: (e) => e.by },
        ]}
      />
    </section>
  );
}

export interface ContactFormValues {
  firstName?: string;
  lastName?: string;
  role?: string;
  email?: string;
  phone?: string;
  isOfficer?: boolean;
  consent?: string;
  consentDate?: string;
  consentSource?: string;
  version?: number;
}

export function ContactFormPage({ ctx, company, contactId, values, errors, consent }: { ctx: ViewContext; company: { id: number; name: string }; contactId?: number; values: ContactFormValues; errors?: Errors; consent?: ContactConsentView }) {
  const t = ctx.t;
  const title = contactId ? t('registry.edit_contact') : t('registry.add_contact');
  return (
    <Page ctx={ctx} title={title} crumbs={[{ label: t('registry.title'), href: '/registre' }, { label: company.name, href: `/registre/entreprises/${company.id}` }, { label: title }]}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="post" action={contactId ? `/registre/contacts/${contactId}` : `/registre/entreprises/${company.id}/contacts`} novalidate>
        <CsrfField ctx={ctx} />
        {contactId ? <input type="hidden" name="version" value={String(values.version ?? '')} /> : null}
        <div class="form-grid">
          <Field ctx={ctx} name="firstName" label={t('registry.first_name')} value={values.firstName} errors={errors} maxlength={100} autocomplete="off" />
          <Field ctx={ctx} name="lastName" label={t('registry.last_name')} value={values.lastName} errors={errors} required maxlength={100} autocomplete="off" />
          <Field ctx={ctx} name="role" label={t('registry.role')} value={values.role} errors={errors} maxlength={200} />
          <Field ctx={ctx} name="email" label={t('registry.email')} type="email" value={values.email} errors={errors} maxlength={200} autocomplete="off" />
          <Field ctx={ctx} name="phone" label={t('registry.phone')} type="tel" value={values.phone} errors={errors} maxlength={30} autocomplete="off" />
          <Select ctx={ctx} name="consent" label={t('registry.consent')} value={values.consent ?? 'unknown'} errors={errors} options={['unknown', 'granted', 'refused'].map((v) => ({ value: v, label: t(`registry.consent.${v}`) }))} />
          <Field ctx={ctx} name="consentDate" label={t('registry.consent_date')} type="date" value={values.consentDate} errors={errors} />
          <Field ctx={ctx} name="consentSource" label={t('registry.consent_source')} value={values.consentSource} errors={errors} maxlength={200} hint={t('registry.consent_source_hint')} />
        </div>
        <div class="choice">
          <input type="checkbox" id="f-isOfficer" name="isOfficer" value="1" checked={values.isOfficer} />
          <label for="f-isOfficer">{t('registry.is_officer')}</label>
        </div>
        <p class="actions">
          <button type="submit" class="button button-primary">{t('common.save')}</button> <a href={`/registre/entreprises/${company.id}`}>{t('common.cancel')}</a>
        </p>
      </form>
      {contactId && consent ? <ContactConsentSection ctx={ctx} contactId={contactId} consent={consent} /> : null}
    </Page>
  );
}
