// Staff pages of the training centre (/formation…). Pure components: props in, JSX out.
import { Page } from '../../../platform/ui/layout.js';
import { Actions, ButtonLink, ErrorSummary, Facts, Field, Pagination, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { frDate, hoursText } from '../dates.js';
import type { Bpf, SessionReportRow } from '../reports.service.js';
import type { PlanningRow, SessionDetail } from '../sessions.service.js';
import type { Course, Enrolment, HourRow, Invoice, Room, Trainer } from '../training.table.js';
import { Check, dateRange, EnrolmentBadge, Form, money, pct, StatusBadge, Submit } from './common.js';
import { EnrolForm } from './public.js';

type V = Record<string, string>;
const crumbs = (ctx: ViewContext, ...more: { label: string; href?: string }[]) => [{ label: ctx.t('training.title'), href: '/formation' }, ...more];

export function PlanningPage({ ctx, rows, total, page, perPage, query, from, to, choices, filters }: { ctx: ViewContext; rows: PlanningRow[]; total: number; page: number; perPage: number; query: Record<string, string>; from: string; to: string; choices: { courses: Course[]; rooms: Room[]; trainers: Trainer[] }; filters: { courseId?: number; trainerId?: number; roomId?: number } }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('training.planning')} crumbs={crumbs(ctx, { label: t('training.planning') })} wide>
      <Actions>
        <ButtonLink href="/formation/sessions/nouvelle">{t('training.new_session')}</ButtonLink>
      </Actions>
      <form method="get" action="/formation" class="filters training-filters">
        <div class="field">
          <label for="f-du">{t('training.from')}</label>
          <input id="f-du" type="date" name="du" value={from} />
        </div>
        <div class="field">
          <label for="f-au">{t('training.to')}</label>
          <input id="f-au" type="date" name="au" value={to} />
        </div>
        <Select ctx={ctx} id="f-cours" name="cours" label={t('training.course')} value={filters.courseId ? String(filters.courseId) : ''} empty={t('training.all')} options={choices.courses.map((c) => ({ value: String(c.id), label: c.title }))} />
        <Select ctx={ctx} id="f-formateur" name="formateur" label={t('training.trainer')} value={filters.trainerId ? String(filters.trainerId) : ''} empty={t('training.all')} options={choices.trainers.map((x) => ({ value: String(x.id), label: x.name }))} />
        <Select ctx={ctx} id="f-salle" name="salle" label={t('training.room')} value={filters.roomId ? String(filters.roomId) : ''} empty={t('training.all')} options={choices.rooms.map((r) => ({ value: String(r.id), label: r.name }))} />
        <button type="submit" class="button button-secondary">
          {t('training.filter')}
        </button>
      </form>
      <Table
        ctx={ctx}
        caption={t('training.planning')}
        rows={rows}
        columns={[
          { label: t('training.dates'), rowHeader: true, cell: (r) => <a href={`/formation/sessions/${r.id}`}>{dateRange(r.start_date, r.end_date)}</a> },
          { label: t('training.course'), cell: (r) => `${r.title} (${r.code})` },
          { label: t('training.kind'), cell: (r) => t(`training.kind.${r.kind}`) },
          { label: t('training.room'), cell: (r) => r.room ?? t('training.remote') },
          { label: t('training.trainer'), cell: (r) => r.trainer ?? '—' },
          { label: t('training.seats'), numeric: true, cell: (r) => `${r.seated} / ${r.max_trainees}` },
          { label: t('training.waiting'), numeric: true, cell: (r) => r.waiting },
          { label: t('training.status'), cell: (r) => <StatusBadge ctx={ctx} status={r.status} /> },
        ]}
      />
      <Pagination ctx={ctx} page={page} perPage={perPage} total={total} path="/formation" query={query} />
    </Page>
  );
}

export function NewSessionPage({ ctx, courses, rooms, trainers, values = {}, errors }: { ctx: ViewContext; courses: Course[]; rooms: Room[]; trainers: Trainer[]; values?: V; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('training.new_session')} crumbs={crumbs(ctx, { label: t('training.planning'), href: '/formation' }, { label: t('training.new_session') })}>
      <Form ctx={ctx} action="/formation/sessions" errors={errors}>
        <Select ctx={ctx} name="course_id" label={t('training.course')} required value={values.course_id} errors={errors} empty="" options={courses.map((c) => ({ value: String(c.id), label: `${c.title} (${c.code})` }))} />
        <Select ctx={ctx} name="kind" label={t('training.kind')} required value={values.kind ?? 'inter'} errors={errors} options={['inter', 'intra'].map((k) => ({ value: k, label: t(`training.kind.${k}`) }))} />
        <Field ctx={ctx} name="company_id" label={t('training.company')} hint={t('training.company_id_hint')} value={values.company_id} errors={errors} inputmode="numeric" maxlength={9} />
        <Select ctx={ctx} name="room_id" label={t('training.room')} value={values.room_id} errors={errors} empty={t('training.none')} options={rooms.map((r) => ({ value: String(r.id), label: `${r.name} (${r.capacity})` }))} />
        <Check name="remote" label={t('training.remote')} checked={values.remote === '1'} />
        <Select ctx={ctx} name="trainer_id" label={t('training.trainer')} value={values.trainer_id} errors={errors} empty={t('training.none')} options={trainers.map((x) => ({ value: String(x.id), label: x.name }))} />
        <Field ctx={ctx} name="start_date" type="date" label={t('training.start_date')} required value={values.start_date} errors={errors} />
        <Field ctx={ctx} name="end_date" type="date" label={t('training.end_date')} required value={values.end_date} errors={errors} />
        <Select ctx={ctx} name="pattern" label={t('training.pattern')} value={values.pattern ?? 'day'} errors={errors} options={['day', 'am', 'pm'].map((k) => ({ value: k, label: t(`training.pattern.${k}`) }))} />
        <Field ctx={ctx} name="min_trainees" label={t('training.min')} required value={values.min_trainees ?? '4'} errors={errors} inputmode="numeric" maxlength={3} />
        <Field ctx={ctx} name="max_trainees" label={t('training.max')} required value={values.max_trainees ?? '12'} errors={errors} inputmode="numeric" maxlength={3} />
        <Field ctx={ctx} name="price" label={t('training.session_price')} value={values.price} errors={errors} inputmode="decimal" maxlength={12} />
        <Field ctx={ctx} name="notes" label={t('training.notes')} value={values.notes} errors={errors} multiline rows={2} maxlength={2000} />
        <Submit label={t('training.save')} />
      </Form>
    </Page>
  );
}

export interface SessionPageProps {
  ctx: ViewContext;
  d: SessionDetail;
  enrolments: Enrolment[];
  invoices: Invoice[];
  rooms: Room[];
  trainers: Trainer[];
  certificates: Set<number>;
  form?: string;
  values?: V;
  errors?: Errors;
}

export function SessionPage({ ctx, d, enrolments, invoices, rooms, trainers, certificates, form, values = {}, errors }: SessionPageProps) {
  const t = ctx.t;
  const s = d.session;
  const base = `/formation/sessions/${s.id}`;
  const err = (f: string) => (form === f ? errors : undefined);
  const val = (f: string, k: string, fallback: string) => (form === f && values[k] !== undefined ? values[k] : fallback);
  const active = s.status !== 'cancelled';
  return (
    <Page ctx={ctx} title={`${d.course.title} — ${dateRange(s.start_date, s.end_date)}`} crumbs={crumbs(ctx, { label: t('training.planning'), href: '/formation' }, { label: `${t('training.session')} ${s.id}` })} wide>
      <Facts
        items={[
          [t('training.course'), <a href={`/formation/catalogue/${d.course.id}`}>{d.course.title}</a>],
          [t('training.kind'), t(`training.kind.${s.kind}`)],
          [t('training.dates'), `${dateRange(s.start_date, s.end_date)} (${hoursText(d.hours)})`],
          [t('training.room'), s.remote ? t('training.remote') : (d.room?.name ?? '—')],
          [t('training.trainer'), d.trainer?.name ?? '—'],
          [t('training.seats'), `${enrolments.filter((e) => e.status === 'confirmed' || e.status === 'requested').length} / ${s.max_trainees} (min. ${s.min_trainees})`],
          [t('training.status'), <StatusBadge ctx={ctx} status={s.status} />],
        ]}
      />
      {form === 'credit' || form === 'invoice' ? <ErrorSummary ctx={ctx} errors={errors} /> : null}
      {active ? (
        <Actions>
          {s.status === 'planned' ? <PostButton ctx={ctx} action={`${base}/confirmer`} label={t('training.confirm_session')} variant="primary" /> : null}
          <PostButton ctx={ctx} action={`${base}/enquete`} label={t('training.send_surveys')} />
          {certificates.size ? <PostButton ctx={ctx} action={`${base}/certificats`} label={t('training.send_certificates')} /> : null}
          <PostButton ctx={ctx} action={`${base}/factures`} label={t('training.issue_invoices')} />
          <PostButton ctx={ctx} action={`${base}/annuler`} label={t('training.cancel_session')} variant="danger" />
        </Actions>
      ) : null}

      <h2 id="inscriptions">{t('training.enrolments')}</h2>
      <Table
        ctx={ctx}
        caption={t('training.enrolments')}
        rows={enrolments}
        empty={t('training.no_enrolment')}
        columns={[
          { label: t('training.trainee'), rowHeader: true, cell: (e) => `${e.trainee_name} <${e.trainee_email}>` },
          { label: t('training.funding'), cell: (e) => `${t(`training.funding.${e.funding}`)}${e.opco_name ? ` — ${e.opco_name}` : ''}` },
          { label: t('training.status'), cell: (e) => <EnrolmentBadge ctx={ctx} status={e.status} late={e.late_cancel} /> },
          {
            label: '',
            cell: (e) => (
              <div class="training-row-actions">
                {e.status === 'requested' || e.status === 'waiting' ? <PostButton ctx={ctx} action={`/formation/stagiaires/${e.id}/confirmer`} label={t('training.confirm')} variant="primary" /> : null}
                {e.status !== 'cancelled' ? <PostButton ctx={ctx} action={`/formation/stagiaires/${e.id}/annuler`} label={t('training.cancel')} /> : null}
                {e.status === 'confirmed' ? <a href={`/formation/stagiaires/${e.id}/convention.pdf`}>{t('training.convention')}</a> : null}
                {certificates.has(e.id) ? <a href={`/formation/stagiaires/${e.id}/certificat-realisation.pdf`}>{t('training.certificate_completion')}</a> : null}
              </div>
            ),
          },
        ]}
      />
      {active ? <EnrolForm ctx={ctx} sessionId={s.id} action={`${base}/inscriptions`} company values={form === 'enrol' ? values : undefined} errors={err('enrol')} /> : null}

      <h2 id="demi-journees">{t('training.half_days')}</h2>
      <Table
        ctx={ctx}
        caption={t('training.half_days')}
        rows={d.slots}
        columns={[
          { label: t('training.day'), rowHeader: true, cell: (x) => `${frDate(x.day)} ${t(`training.half.${x.half}`)}` },
          { label: t('training.hours'), numeric: true, cell: (x) => hoursText(x.hours) },
          { label: t('training.sign_sheet'), cell: (x) => <a href={`/formation/emargement/${x.id}`}>{t('training.sign_sheet')}</a> },
          { label: t('training.scan'), cell: (x) => (x.scan_name ? <a href={`/formation/emargement/${x.id}/scan`}>{x.scan_name}</a> : '—') },
          { label: '', cell: (x) => (active && d.slots.length > 1 ? <PostButton ctx={ctx} action={`${base}/demi-journees/${x.id}/retirer`} label={t('training.remove')} /> : null) },
        ]}
      />
      {active ? (
        <details class="training-panel" open={form === 'slot' ? true : undefined}>
          <summary>{t('training.add_half')}</summary>
          <Form ctx={ctx} action={`${base}/demi-journees`} errors={err('slot')}>
            <Field ctx={ctx} name="day" type="date" label={t('training.day')} required value={val('slot', 'day', '')} errors={err('slot')} min={s.start_date} max={s.end_date} />
            <Select ctx={ctx} name="half" label={t('training.half')} value={val('slot', 'half', 'am')} errors={err('slot')} options={['am', 'pm'].map((h) => ({ value: h, label: t(`training.half.${h}`) }))} />
            <Submit label={t('training.add_half')} variant="secondary" />
          </Form>
        </details>
      ) : null}

      {active ? (
        <details class="training-panel" open={form === 'edit' ? true : undefined}>
          <summary>{t('training.edit_session')}</summary>
          <Form ctx={ctx} action={base} errors={err('edit')}>
            <input type="hidden" name="version" value={String(s.version)} />
            <Select ctx={ctx} name="room_id" label={t('training.room')} value={val('edit', 'room_id', s.room_id ? String(s.room_id) : '')} errors={err('edit')} empty={t('training.none')} options={rooms.map((r) => ({ value: String(r.id), label: `${r.name} (${r.capacity})` }))} />
            <Select ctx={ctx} name="trainer_id" label={t('training.trainer')} value={val('edit', 'trainer_id', s.trainer_id ? String(s.trainer_id) : '')} errors={err('edit')} empty={t('training.none')} options={trainers.map((x) => ({ value: String(x.id), label: x.name }))} />
            <Field ctx={ctx} name="min_trainees" label={t('training.min')} value={val('edit', 'min_trainees', String(s.min_trainees))} errors={err('edit')} inputmode="numeric" maxlength={3} />
            <Field ctx={ctx} name="max_trainees" label={t('training.max')} value={val('edit', 'max_trainees', String(s.max_trainees))} errors={err('edit')} inputmode="numeric" maxlength={3} />
            <Field ctx={ctx} name="price" label={t('training.session_price')} value={val('edit', 'price', (s.price_cents / 100).toFixed(2).replace('.', ','))} errors={err('edit')} inputmode="decimal" maxlength={12} />
            <Field ctx={ctx} name="notes" label={t('training.notes')} value={val('edit', 'notes', s.notes)} errors={err('edit')} multiline rows={2} maxlength={2000} />
            <Submit label={t('training.save')} variant="secondary" />
          </Form>
        </details>
      ) : null}

      <h2 id="factures">{t('training.invoices')}</h2>
      <InvoiceTable ctx={ctx} rows={invoices} />
    </Page>
  );
}

export function InvoiceTable({ ctx, rows }: { ctx: ViewContext; rows: Invoice[] }) {
  const t = ctx.t;
  return (
    <Table
      ctx={ctx}
      caption={t('training.invoices')}
      rows={rows}
      empty="—"
      columns={[
        { label: t('training.number'), rowHeader: true, cell: (i) => <a href={`/formation/factures/${i.id}/pdf`}>{i.number}</a> },
        { label: t('training.kind'), cell: (i) => t(`training.invoice_kind.${i.kind}`) },
        { label: t('training.issued_on'), cell: (i) => frDate(i.issued_on) },
        { label: t('training.customer'), cell: (i) => i.customer_name },
        { label: t('training.net'), numeric: true, cell: (i) => money(i.net_cents) },
        { label: t('training.total'), numeric: true, cell: (i) => money(i.total_cents) },
        { label: t('training.entry'), cell: (i) => i.entry_number ?? '—' },
        {
          label: '',
          cell: (i) =>
            i.kind === 'invoice' && !rows.some((c) => c.credits_invoice_id === i.id) ? (
              <form method="post" action={`/formation/factures/${i.id}/avoir`} class="inline-form">
                <input type="hidden" name="_csrf" value={ctx.csrf} />
                <label for={`reason-${i.id}`} class="visually-hidden">
                  {t('training.credit_reason')}
                </label>
                <input id={`reason-${i.id}`} name="reason" required maxlength={200} placeholder={t('training.credit_reason')} />
                <button type="submit" class="button button-secondary">
                  {t('training.credit')}
                </button>
              </form>
            ) : null,
        },
      ]}
    />
  );
}

export function InvoicesPage({ ctx, rows, year }: { ctx: ViewContext; rows: Invoice[]; year: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={`${t('training.invoices')} ${year}`} crumbs={crumbs(ctx, { label: t('training.invoices') })} wide>
      <InvoiceTable ctx={ctx} rows={rows} />
    </Page>
  );
}

export interface SignSheetView {
  slot: { id: number; session_id: number; day: string; half: string };
  session: { id: number; title: string; trainer_id: number | null; trainer_name: string | null };
  trainees: { id: number; trainee_name: string }[];
  marks: { enrolment_id: number | null; trainer_id: number | null; status: string; method: string }[];
}

/** The tablet page: one card per person, a signature pad each (public/training-sign.js) and the keyboard alternative. */
export function SignPage({ ctx, sheet, isToday, who, errors, values = {} }: { ctx: ViewContext; sheet: SignSheetView; isToday: boolean; who?: string; errors?: Errors; values?: V }) {
  const t = ctx.t;
  const people: { who: string; name: string; mark?: { status: string } }[] = [
    ...sheet.trainees.map((x) => ({ who: String(x.id), name: x.trainee_name, mark: sheet.marks.find((m) => m.enrolment_id === x.id) })),
    ...(sheet.session.trainer_id ? [{ who: 'trainer', name: `${sheet.session.trainer_name} (${t('training.trainer')})`, mark: sheet.marks.find((m) => m.trainer_id === sheet.session.trainer_id) }] : []),
  ];
  const base = `/formation/emargement/${sheet.slot.id}`;
  return (
    <Page ctx={ctx} title={t('training.sign_title', { title: sheet.session.title })} crumbs={crumbs(ctx, { label: `${t('training.session')} ${sheet.session.id}`, href: `/formation/sessions/${sheet.session.id}` }, { label: t('training.sign_sheet') })}>
      <p class="lead">
        {frDate(sheet.slot.day)} — {t(`training.half.${sheet.slot.half}`)}
      </p>
      {isToday ? <p>{t('training.sign_intro')}</p> : null}
      <ul class="training-sign-list">
        {people.map((p) => (
          <li class="training-sign-card" id={`sign-${p.who}`}>
            <h2>{p.name}</h2>
            {p.mark ? (
              <p class="badge badge-success">{p.mark.status === 'present' ? t('training.signed_at') : t(`training.${p.mark.status}`)}</p>
            ) : isToday ? (
              <Form ctx={ctx} action={base} errors={who === p.who ? errors : undefined} id={`form-${p.who}`}>
                <input type="hidden" name="who" value={p.who} />
                <div class="training-pad" data-pad>
                  <p class="training-pad-label" id={`pad-label-${p.who}`}>
                    {t('training.signature')}
                  </p>
                  <input type="hidden" name="signature" value="" data-pad-output />
                  <button type="button" class="button button-secondary" data-pad-clear hidden>
                    {t('training.clear')}
                  </button>
                </div>
                <div class="field choice">
                  <input type="checkbox" id={`f-typed_confirm-${p.who}`} name="typed_confirm" value="1" checked={who === p.who && values.typed_confirm === '1'} />
                  <label for={`f-typed_confirm-${p.who}`}>{t('training.typed_confirm')}</label>
                </div>
                <Field ctx={ctx} id={`f-typed_name-${p.who}`} name="typed_name" label={t('training.typed_name')} value={who === p.who ? values.typed_name : ''} errors={who === p.who ? errors : undefined} maxlength={120} autocomplete="off" />
                <Submit label={t('training.sign')} />
              </Form>
            ) : (
              <p>{t('training.not_signed')}</p>
            )}
          </li>
        ))}
      </ul>
      <h2>{t('training.attendance')}</h2>
      {who === 'mark' ? <ErrorSummary ctx={ctx} errors={errors} /> : null}
      {sheet.trainees.map((x) => (
        <form method="post" action={`${base}/presence`} class="inline-form training-mark">
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <input type="hidden" name="enrolment_id" value={String(x.id)} />
          <label for={`mark-${x.id}`}>{x.trainee_name}</label>
          <select id={`mark-${x.id}`} name="status">
            {['present', 'absent', 'excused'].map((st) => (
              <option value={st} selected={sheet.marks.find((m) => m.enrolment_id === x.id)?.status === st}>
                {t(`training.${st}`)}
              </option>
            ))}
          </select>
          <button type="submit" class="button button-secondary">
            {t('training.mark')}
          </button>
        </form>
      ))}
      <h2>{t('training.upload_scan')}</h2>
      <Form ctx={ctx} action={`${base}/scan?_csrf=${encodeURIComponent(ctx.csrf)}`} multipart errors={who === 'scan' ? errors : undefined}>
        <Field ctx={ctx} name="scan" type="file" label={t('training.scan')} accept="application/pdf,image/png,image/jpeg" errors={who === 'scan' ? errors : undefined} />
        <fieldset class="field choices">
          <legend>{t('training.present_on_scan')}</legend>
          {sheet.trainees.map((x) => (
            <div class="choice">
              <input type="checkbox" id={`present-${x.id}`} name="present" value={String(x.id)} />
              <label for={`present-${x.id}`}>{x.trainee_name}</label>
            </div>
          ))}
        </fieldset>
        <Submit label={t('training.send')} variant="secondary" />
      </Form>
      <p>
        <a href={`/formation/sessions/${sheet.session.id}`}>{t('training.back_to_session')}</a>
      </p>
      <script src="/static/training-sign.js" defer></script>
    </Page>
  );
}

export function CoursesPage({ ctx, courses }: { ctx: ViewContext; courses: Course[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('training.catalogue')} crumbs={crumbs(ctx, { label: t('training.catalogue') })} wide>
      <Actions>
        <ButtonLink href="/formation/catalogue/nouvelle">{t('training.new_course')}</ButtonLink>
        <ButtonLink href="/formations" variant="secondary">
          {t('training.course_page')}
        </ButtonLink>
      </Actions>
      <Table
        ctx={ctx}
        caption={t('training.catalogue')}
        rows={courses}
        columns={[
          { label: t('training.course_title'), rowHeader: true, cell: (c) => <a href={`/formation/catalogue/${c.id}`}>{c.title}</a> },
          { label: t('training.code'), cell: (c) => c.code },
          { label: t('training.duration'), numeric: true, cell: (c) => hoursText(c.duration_hours) },
          { label: t('training.price'), numeric: true, cell: (c) => money(c.price_cents) },
          { label: t('training.visibility'), cell: (c) => (c.active ? t(`training.visibility.${c.visibility}`) : '—') },
        ]}
      />
    </Page>
  );
}

export function CourseFormPage({ ctx, course, values, errors }: { ctx: ViewContext; course?: Course; values?: V; errors?: Errors }) {
  const t = ctx.t;
  const v: V = values ?? (course ? { code: course.code, title: course.title, summary: course.summary, objectives: course.objectives, programme: course.programme, prerequisites: course.prerequisites, audience: course.audience, duration_hours: String(course.duration_hours).replace('.', ','), price: (course.price_cents / 100).toFixed(2).replace('.', ','), intra_day: (course.intra_day_cents / 100).toFixed(2).replace('.', ','), vat_exempt: course.vat_exempt ? '1' : '', visibility: course.visibility, teaching_methods: course.teaching_methods, assessment: course.assessment, access_delay: course.access_delay, accessibility: course.accessibility, results: course.results, active: course.active ? '1' : '' } : { vat_exempt: '1', active: '1', visibility: 'public' });
  const title = course ? t('training.edit_course') : t('training.new_course');
  const text = (name: string, label: string, multiline = false, required = false) => <Field ctx={ctx} name={name} label={t(label)} value={v[name]} errors={errors} multiline={multiline} rows={multiline ? 4 : undefined} required={required} maxlength={multiline ? 8000 : 300} />;
  return (
    <Page ctx={ctx} title={title} crumbs={crumbs(ctx, { label: t('training.catalogue'), href: '/formation/catalogue' }, { label: title })}>
      {course?.visibility === 'public' && course.active ? (
        <p>
          <a href={`/formations/${course.slug}`}>{t('training.course_page')}</a>
        </p>
      ) : null}
      <Form ctx={ctx} action={course ? `/formation/catalogue/${course.id}` : '/formation/catalogue'} errors={errors}>
        {course ? <input type="hidden" name="version" value={String(course.version)} /> : null}
        {text('code', 'training.code', false, true)}
        {text('title', 'training.course_title', false, true)}
        {text('summary', 'training.summary', true)}
        {text('objectives', 'training.objectives', true, true)}
        {text('programme', 'training.programme', true, true)}
        {text('prerequisites', 'training.prerequisites', true)}
        {text('audience', 'training.audience')}
        <Field ctx={ctx} name="duration_hours" label={t('training.duration')} value={v.duration_hours} errors={errors} required inputmode="decimal" maxlength={8} />
        <Field ctx={ctx} name="price" label={t('training.price')} value={v.price} errors={errors} required inputmode="decimal" maxlength={12} />
        <Field ctx={ctx} name="intra_day" label={t('training.intra_day')} value={v.intra_day} errors={errors} inputmode="decimal" maxlength={12} />
        <Check name="vat_exempt" label={t('training.vat_exempt')} checked={v.vat_exempt === '1'} />
        <Select ctx={ctx} name="visibility" label={t('training.visibility')} value={v.visibility} errors={errors} options={['public', 'private'].map((x) => ({ value: x, label: t(`training.visibility.${x}`) }))} />
        {text('teaching_methods', 'training.teaching_methods', true)}
        {text('assessment', 'training.assessment', true)}
        {text('access_delay', 'training.access_delay')}
        {text('accessibility', 'training.accessibility', true, true)}
        {text('results', 'training.results', true)}
        <Check name="active" label={t('training.active')} checked={v.active === '1'} />
        <Submit label={t('training.save')} />
      </Form>
    </Page>
  );
}

export function ResourcesPage({ ctx, rooms, trainers, form, values = {}, errors }: { ctx: ViewContext; rooms: Room[]; trainers: Trainer[]; form?: string; values?: V; errors?: Errors }) {
  const t = ctx.t;
  const e = (f: string) => (form === f ? errors : undefined);
  const v = (f: string) => (form === f ? values : {});
  return (
    <Page ctx={ctx} title={t('training.nav.resources')} crumbs={crumbs(ctx, { label: t('training.nav.resources') })} wide>
      <h2>{t('training.rooms')}</h2>
      <Table
        ctx={ctx}
        caption={t('training.rooms')}
        rows={rooms}
        columns={[
          { label: t('training.room_name'), rowHeader: true, cell: (r) => r.name },
          { label: t('training.capacity'), numeric: true, cell: (r) => r.capacity },
          { label: t('training.equipment'), cell: (r) => r.equipment },
          { label: t('training.accessible'), cell: (r) => (r.accessible ? t('training.yes') : t('training.no')) },
        ]}
      />
      <details class="training-panel" open={form === 'room' ? true : undefined}>
        <summary>{t('training.new_room')}</summary>
        <Form ctx={ctx} action="/formation/salles" errors={e('room')}>
          <Field ctx={ctx} id="f-room-name" name="name" label={t('training.room_name')} value={v('room').name} errors={e('room')} required maxlength={120} />
          <Field ctx={ctx} name="capacity" label={t('training.capacity')} value={v('room').capacity} errors={e('room')} required inputmode="numeric" maxlength={3} />
          <Field ctx={ctx} name="equipment" label={t('training.equipment')} value={v('room').equipment} errors={e('room')} maxlength={500} />
          <Check name="accessible" label={t('training.accessible')} checked={form !== 'room' || v('room').accessible === '1'} />
          <Submit label={t('training.save')} variant="secondary" />
        </Form>
      </details>
      <h2>{t('training.trainers')}</h2>
      <Table
        ctx={ctx}
        caption={t('training.trainers')}
        rows={trainers}
        columns={[
          { label: t('training.name'), rowHeader: true, cell: (x) => <a href={`/formation/formateurs/${x.id}`}>{x.name}</a> },
          { label: t('training.trainer_status'), cell: (x) => t(`training.trainer_status.${x.status}`) },
          { label: t('training.rate_face'), numeric: true, cell: (x) => money(x.rate_face_cents) },
          { label: t('training.skills'), cell: (x) => x.skills },
        ]}
      />
      <details class="training-panel" open={form === 'trainer' ? true : undefined}>
        <summary>{t('training.new_trainer')}</summary>
        <TrainerForm ctx={ctx} action="/formation/formateurs" values={v('trainer')} errors={e('trainer')} />
      </details>
    </Page>
  );
}

export function TrainerForm({ ctx, action, values = {}, errors }: { ctx: ViewContext; action: string; values?: V; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Form ctx={ctx} action={action} errors={errors}>
      <Field ctx={ctx} id="f-trainer-name" name="name" label={t('training.name')} value={values.name} errors={errors} required maxlength={120} />
      <Field ctx={ctx} name="email" type="email" label={t('training.email')} value={values.email} errors={errors} required maxlength={200} />
      <Select ctx={ctx} name="status" label={t('training.trainer_status')} value={values.status ?? 'contract'} errors={errors} options={['contract', 'salaried'].map((x) => ({ value: x, label: t(`training.trainer_status.${x}`) }))} />
      <Field ctx={ctx} name="iban" label={t('training.iban')} value={values.iban} errors={errors} maxlength={42} autocomplete="off" />
      <Field ctx={ctx} name="bic" label={t('training.bic')} value={values.bic} errors={errors} maxlength={11} autocomplete="off" />
      <Field ctx={ctx} name="rate_face" label={t('training.rate_face')} value={values.rate_face} errors={errors} required inputmode="decimal" maxlength={10} />
      <Field ctx={ctx} name="rate_prep" label={t('training.rate_prep')} value={values.rate_prep} errors={errors} inputmode="decimal" maxlength={10} />
      <Field ctx={ctx} name="rate_remote" label={t('training.rate_remote')} value={values.rate_remote} errors={errors} inputmode="decimal" maxlength={10} />
      <Field ctx={ctx} name="skills" label={t('training.skills')} value={values.skills} errors={errors} maxlength={500} />
      <Submit label={t('training.save')} variant="secondary" />
    </Form>
  );
}

export function TrainerPage({ ctx, trainer, unavailable, form, values, errors }: { ctx: ViewContext; trainer: Trainer; unavailable: { day: string; half: string }[]; form?: string; values?: V; errors?: Errors }) {
  const t = ctx.t;
  const euro = (c: number) => (c / 100).toFixed(2).replace('.', ',');
  const v: V = form === 'trainer' && values ? values : { name: trainer.name, email: trainer.email, status: trainer.status, iban: trainer.iban ?? '', bic: trainer.bic ?? '', rate_face: euro(trainer.rate_face_cents), rate_prep: euro(trainer.rate_prep_cents), rate_remote: euro(trainer.rate_remote_cents), skills: trainer.skills };
  return (
    <Page ctx={ctx} title={trainer.name} crumbs={crumbs(ctx, { label: t('training.nav.resources'), href: '/formation/ressources' }, { label: trainer.name })}>
      <TrainerForm ctx={ctx} action={`/formation/formateurs/${trainer.id}`} values={v} errors={form === 'trainer' ? errors : undefined} />
      <h2>{t('training.unavailable')}</h2>
      <ul>
        {unavailable.map((u) => (
          <li>
            {frDate(u.day)} {t(`training.half.${u.half}`)}
          </li>
        ))}
      </ul>
      <Form ctx={ctx} action={`/formation/formateurs/${trainer.id}/indisponibilites`} errors={form === 'off' ? errors : undefined}>
        <Field ctx={ctx} name="day" type="date" label={t('training.day')} value={form === 'off' ? values?.day : ''} errors={form === 'off' ? errors : undefined} required />
        <Select ctx={ctx} name="half" label={t('training.half')} value={form === 'off' ? values?.half : 'day'} errors={form === 'off' ? errors : undefined} options={['day', 'am', 'pm'].map((h) => ({ value: h, label: t(`training.half.${h}`) }))} />
        <Submit label={t('training.add_unavailable')} variant="secondary" />
      </Form>
    </Page>
  );
}

export function PayPage({ ctx, month, rows }: { ctx: ViewContext; month: string; rows: { id: number; trainer_name: string; trainer_status: string; status: string; total_cents: number; payment_order_id: number | null }[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={`${t('training.pay')} — ${month}`} crumbs={crumbs(ctx, { label: t('training.pay') })} wide>
      <form method="get" action="/formation/paie" class="filters">
        <div class="field">
          <label for="f-mois">{t('training.month')}</label>
          <input id="f-mois" type="month" name="mois" value={month} />
        </div>
        <button type="submit" class="button button-secondary">
          {t('training.filter')}
        </button>
      </form>
      <Actions>
        <PostButton ctx={ctx} action="/formation/paie/generer" label={t('training.generate')} variant="primary" fields={{ month }} />
        <ButtonLink href={`/formation/paie/export.csv?mois=${month}`} variant="secondary">
          {t('training.payroll_csv')}
        </ButtonLink>
      </Actions>
      <Table
        ctx={ctx}
        caption={t('training.pay')}
        rows={rows}
        columns={[
          { label: t('training.trainer'), rowHeader: true, cell: (r) => <a href={`/formation/paie/${r.id}`}>{r.trainer_name}</a> },
          { label: t('training.trainer_status'), cell: (r) => t(`training.trainer_status.${r.trainer_status}`) },
          { label: t('training.amount'), numeric: true, cell: (r) => money(r.total_cents) },
          { label: t('training.status'), cell: (r) => <StatusBadge ctx={ctx} status={r.status} /> },
          { label: t('training.payment_order'), cell: (r) => (r.payment_order_id ? `#${r.payment_order_id}` : '—') },
        ]}
      />
    </Page>
  );
}

export function PayMonthPage({ ctx, m, hours, values = {}, errors }: { ctx: ViewContext; m: { id: number; month: string; status: string; total_cents: number; trainer_name: string; trainer_status: string; entry_number: string | null; payment_order_id: number | null }; hours: HourRow[]; values?: V; errors?: Errors }) {
  const t = ctx.t;
  const base = `/formation/paie/${m.id}`;
  return (
    <Page ctx={ctx} title={`${m.trainer_name} — ${m.month}`} crumbs={crumbs(ctx, { label: t('training.pay'), href: `/formation/paie?mois=${m.month}` }, { label: m.trainer_name })}>
      <Facts
        items={[
          [t('training.trainer_status'), t(`training.trainer_status.${m.trainer_status}`)],
          [t('training.status'), <StatusBadge ctx={ctx} status={m.status} />],
          [t('training.amount'), money(m.total_cents)],
          [t('training.entry'), m.entry_number ?? '—'],
          [t('training.payment_order'), m.payment_order_id ? `#${m.payment_order_id}` : '—'],
        ]}
      />
      <p>
        <a href={`${base}/releve.pdf`}>{t('training.statement')}</a>
      </p>
      <Table
        ctx={ctx}
        caption={t('training.hours')}
        rows={hours}
        columns={[
          { label: t('training.day'), rowHeader: true, cell: (h) => frDate(h.day) },
          { label: t('training.hour_kind'), cell: (h) => t(`training.hour_kind.${h.kind}`) },
          { label: t('training.label'), cell: (h) => h.label },
          { label: t('training.hours'), numeric: true, cell: (h) => hoursText(h.hours) },
          { label: t('training.amount'), numeric: true, cell: (h) => money(h.amount_cents) },
        ]}
      />
      {m.status === 'draft' ? (
        <>
          <details class="training-panel" open={errors ? true : undefined}>
            <summary>{t('training.add_hours')}</summary>
            <Form ctx={ctx} action={`${base}/heures`} errors={errors}>
              <Field ctx={ctx} name="day" type="date" label={t('training.day')} value={values.day} errors={errors} required />
              <Select ctx={ctx} name="kind" label={t('training.hour_kind')} value={values.kind ?? 'prep'} errors={errors} options={['prep', 'remote', 'face'].map((k) => ({ value: k, label: t(`training.hour_kind.${k}`) }))} />
              <Field ctx={ctx} name="hours" label={t('training.hours')} value={values.hours} errors={errors} required inputmode="decimal" maxlength={6} />
              <Field ctx={ctx} name="label" label={t('training.label')} value={values.label} errors={errors} required maxlength={200} />
              <Submit label={t('training.add_hours')} variant="secondary" />
            </Form>
          </details>
          <Actions>
            <PostButton ctx={ctx} action={`${base}/declarer`} label={t('training.declare')} variant="primary" />
          </Actions>
        </>
      ) : null}
      {m.status === 'declared' ? (
        <Actions>
          <PostButton ctx={ctx} action={`${base}/valider`} label={t('training.validate')} variant="primary" />
        </Actions>
      ) : null}
    </Page>
  );
}

export interface SurveyRow {
  id: number;
  name: string;
  answers: number;
  overall: number;
  content: number;
  trainer: number;
  organisation: number;
  recommend: number;
}

export function ReportsPage({ ctx, year, sessions, trainers, byCourse, byTrainer, bpf }: { ctx: ViewContext; year: string; sessions: SessionReportRow[]; trainers: { id: number; name: string; status: string; face: number; prep: number; remote: number; amount_cents: number }[]; byCourse: SurveyRow[]; byTrainer: SurveyRow[]; bpf: Bpf }) {
  const t = ctx.t;
  const n1 = (x: number) => x.toFixed(1).replace('.', ',');
  const surveyCols = [
    { label: t('training.name'), rowHeader: true, cell: (r: SurveyRow) => r.name },
    { label: t('training.answers'), numeric: true, cell: (r: SurveyRow) => r.answers },
    { label: t('training.score.overall'), numeric: true, cell: (r: SurveyRow) => n1(r.overall) },
    { label: t('training.score.content'), numeric: true, cell: (r: SurveyRow) => n1(r.content) },
    { label: t('training.score.trainer'), numeric: true, cell: (r: SurveyRow) => n1(r.trainer) },
    { label: t('training.score.organisation'), numeric: true, cell: (r: SurveyRow) => n1(r.organisation) },
    { label: t('training.score.recommend'), numeric: true, cell: (r: SurveyRow) => `${Math.round(r.recommend)} %` },
  ];
  return (
    <Page ctx={ctx} title={`${t('training.reports')} ${year}`} crumbs={crumbs(ctx, { label: t('training.reports') })} wide>
      <form method="get" action="/formation/bilans" class="filters">
        <div class="field">
          <label for="f-annee">{t('training.year')}</label>
          <input id="f-annee" name="annee" value={year} inputmode="numeric" maxlength={4} />
        </div>
        <button type="submit" class="button button-secondary">
          {t('training.filter')}
        </button>
      </form>
      <h2 id="bpf">{t('training.bpf')}</h2>
      <Facts
        items={[
          [t('training.bpf.trainees'), String(bpf.trainees)],
          [t('training.bpf.trainee_hours'), hoursText(bpf.traineeHours)],
          [t('training.bpf.sessions'), String(bpf.sessions)],
          [t('training.bpf.revenue_company'), money(bpf.revenue.company)],
          [t('training.bpf.revenue_opco'), money(bpf.revenue.opco)],
          [t('training.bpf.revenue_person'), money(bpf.revenue.person)],
          [t('training.bpf.revenue_total'), money(bpf.revenue.total)],
          [t('training.bpf.hours_salaried'), hoursText(bpf.trainerHours.salaried)],
          [t('training.bpf.hours_contract'), hoursText(bpf.trainerHours.contract)],
        ]}
      />
      <Actions>
        <ButtonLink href={`/formation/bpf.csv?annee=${year}`} variant="secondary">
          {`${t('training.bpf')} — ${t('training.download_csv')}`}
        </ButtonLink>
        <ButtonLink href={`/formation/bpf.pdf?annee=${year}`} variant="secondary">
          {`${t('training.bpf')} — ${t('training.download_pdf')}`}
        </ButtonLink>
        <ButtonLink href={`/formation/bilans/sessions.csv?annee=${year}`} variant="secondary">
          {`${t('training.session')} — ${t('training.download_csv')}`}
        </ButtonLink>
      </Actions>
      <h2>{t('training.session')}</h2>
      <Table
        ctx={ctx}
        caption={t('training.session')}
        rows={sessions}
        columns={[
          { label: t('training.dates'), rowHeader: true, cell: (r) => <a href={`/formation/sessions/${r.id}`}>{frDate(r.start_date)}</a> },
          { label: t('training.course'), cell: (r) => r.title },
          { label: t('training.fill_rate'), numeric: true, cell: (r) => `${r.seated}/${r.max_trainees} (${pct(r.fill)})` },
          { label: t('training.revenue'), numeric: true, cell: (r) => money(r.revenue_cents) },
          { label: t('training.cost'), numeric: true, cell: (r) => money(r.cost_cents) },
          { label: t('training.margin'), numeric: true, cell: (r) => money(r.margin_cents) },
        ]}
      />
      <h2>{t('training.hours_per_trainer')}</h2>
      <Table
        ctx={ctx}
        caption={t('training.hours_per_trainer')}
        rows={trainers}
        columns={[
          { label: t('training.trainer'), rowHeader: true, cell: (r) => r.name },
          { label: t('training.hour_kind.face'), numeric: true, cell: (r) => hoursText(r.face) },
          { label: t('training.hour_kind.prep'), numeric: true, cell: (r) => hoursText(r.prep) },
          { label: t('training.hour_kind.remote'), numeric: true, cell: (r) => hoursText(r.remote) },
          { label: t('training.amount'), numeric: true, cell: (r) => money(r.amount_cents) },
        ]}
      />
      <h2>{`${t('training.survey_results')} — ${t('training.by_course')}`}</h2>
      <Table ctx={ctx} caption={t('training.by_course')} rows={byCourse} columns={surveyCols} />
      <h2>{`${t('training.survey_results')} — ${t('training.by_trainer')}`}</h2>
      <Table ctx={ctx} caption={t('training.by_trainer')} rows={byTrainer} columns={surveyCols} />
    </Page>
  );
}
