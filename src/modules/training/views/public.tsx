// Catalogue pages (public site and extranet), the member's enrolments, the hot survey. Pure.
import type { ComponentChildren } from 'preact';
import { Page } from '../../../platform/ui/layout.js';
import { Facts, Field, Select, Table, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { hoursText } from '../dates.js';
import type { Course } from '../training.table.js';
import { dateRange, EnrolmentBadge, Form, money, Paras, Submit } from './common.js';

export interface OpenSession {
  id: number;
  kind: string;
  start_date: string;
  end_date: string;
  max_trainees: number;
  price_cents: number;
  remote: number;
  room: string | null;
  seated: number;
}

export function CatalogueBody({ ctx, courses, q, base }: { ctx: ViewContext; courses: Course[]; q: string; base: string }) {
  const t = ctx.t;
  return (
    <>
      <p>{t('training.catalogue_intro')}</p>
      <form method="get" action={base} class="search-form training-search" role="search">
        <label for="training-q">{t('training.search')}</label>
        <input id="training-q" type="search" name="q" value={q} maxlength={100} />
        <button type="submit" class="button button-secondary">
          {t('training.search_button')}
        </button>
      </form>
      {courses.length === 0 ? (
        <p class="empty">{t('training.no_course')}</p>
      ) : (
        <ul class="training-cards">
          {courses.map((c) => (
            <li class="training-card">
              <h2>
                <a href={`${base}/${c.slug}`}>{c.title}</a>
              </h2>
              <p>{c.summary}</p>
              <p class="training-meta">
                {hoursText(c.duration_hours)} · {money(c.price_cents)} {c.vat_exempt ? '' : 'HT'}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function CatalogueShell({ ctx, children }: { ctx: ViewContext; children: ComponentChildren }) {
  return (
    <Page ctx={ctx} title={ctx.t('training.catalogue')} crumbs={[{ label: ctx.t('training.catalogue') }]}>
      {children}
    </Page>
  );
}

export function CourseBody({ ctx, course, sessions, enrol }: { ctx: ViewContext; course: Course; sessions: OpenSession[]; enrol?: { sessionId?: number; values?: Record<string, string>; errors?: Errors } | 'public' }) {
  const t = ctx.t;
  return (
    <>
      <p class="lead">{course.summary}</p>
      <Facts
        items={[
          [t('training.duration'), hoursText(course.duration_hours)],
          [t('training.price'), money(course.price_cents)],
          [t('training.audience'), course.audience || '—'],
          [t('training.prerequisites'), course.prerequisites || '—'],
          [t('training.access_delay'), course.access_delay || '—'],
        ]}
      />
      <h2>{t('training.objectives')}</h2>
      <Paras text={course.objectives} />
      <h2>{t('training.programme')}</h2>
      <Paras text={course.programme} />
      <h2>{t('training.qualiopi')}</h2>
      <Facts
        items={[
          [t('training.teaching_methods'), course.teaching_methods || '—'],
          [t('training.assessment'), course.assessment || '—'],
          [t('training.accessibility'), course.accessibility],
          [t('training.results'), course.results || '—'],
        ]}
      />
      <h2>{t('training.sessions_to_come')}</h2>
      {sessions.length === 0 ? <p>{t('training.no_session')}</p> : null}
      {sessions.map((s) => {
        const left = Math.max(0, s.max_trainees - s.seated);
        const open = enrol && enrol !== 'public' && enrol.sessionId === s.id ? enrol : undefined;
        return (
          <section class="training-session-card" aria-labelledby={`s-${s.id}`}>
            <h3 id={`s-${s.id}`}>
              {dateRange(s.start_date, s.end_date)} — {t(`training.kind.${s.kind}`)}
            </h3>
            <p>
              {s.remote ? t('training.remote') : (s.room ?? '')} · {left > 0 ? t('training.seats_left', { count: left }) : t('training.full_waiting')}
            </p>
            {enrol === 'public' ? <p>{t('training.public_contact')}</p> : enrol ? <EnrolForm ctx={ctx} sessionId={s.id} values={open?.values} errors={open?.errors} /> : null}
          </section>
        );
      })}
    </>
  );
}

export function EnrolForm({ ctx, sessionId, values = {}, errors, action, company }: { ctx: ViewContext; sessionId: number; values?: Record<string, string>; errors?: Errors; action?: string; company?: boolean }) {
  const t = ctx.t;
  const id = (n: string) => `f-${n}-${sessionId}`;
  return (
    <details class="training-enrol" open={errors ? true : undefined}>
      <summary>{company ? t('training.enrol_staff') : t('training.enrol')}</summary>
      <Form ctx={ctx} action={action ?? `/extranet/formations/sessions/${sessionId}/inscrire`} errors={errors ? Object.fromEntries(Object.entries(errors)) : undefined}>
        <Field ctx={ctx} id={id('trainee_name')} name="trainee_name" label={t('training.trainee_name')} value={values.trainee_name} errors={errors} required maxlength={120} autocomplete="off" />
        <Field ctx={ctx} id={id('trainee_email')} name="trainee_email" type="email" label={t('training.trainee_email')} value={values.trainee_email} errors={errors} required maxlength={200} autocomplete="off" />
        <Field ctx={ctx} id={id('trainee_job')} name="trainee_job" label={t('training.trainee_job')} value={values.trainee_job} errors={errors} maxlength={120} />
        {company ? <Field ctx={ctx} id={id('company_id')} name="company_id" label={t('training.company')} hint={t('training.company_id_hint')} value={values.company_id} errors={errors} inputmode="numeric" maxlength={9} /> : null}
        <Select
          ctx={ctx}
          id={id('funding')}
          name="funding"
          label={t('training.funding')}
          value={values.funding ?? 'company'}
          errors={errors}
          required
          options={['company', 'opco', 'self'].map((v) => ({ value: v, label: t(`training.funding.${v}`) }))}
        />
        <Field ctx={ctx} id={id('opco_name')} name="opco_name" label={t('training.opco_name')} value={values.opco_name} errors={errors} maxlength={120} />
        <Field ctx={ctx} id={id('opco_ref')} name="opco_ref" label={t('training.opco_ref')} value={values.opco_ref} errors={errors} maxlength={60} />
        <Field ctx={ctx} id={id('needs')} name="needs" label={t('training.needs')} value={values.needs} errors={errors} maxlength={500} multiline rows={2} />
        <p class="hint">{t('training.cancel_rule')}</p>
        <Submit label={company ? t('training.enrol_staff') : t('training.enrol')} />
      </Form>
    </details>
  );
}

export interface MemberEnrolmentRow {
  id: number;
  trainee_name: string;
  status: string;
  late_cancel: number;
  start_date: string;
  end_date: string;
  title: string;
}

export function MemberEnrolmentsBody({ ctx, rows }: { ctx: ViewContext; rows: MemberEnrolmentRow[] }) {
  const t = ctx.t;
  return (
    <Table
      ctx={ctx}
      caption={t('training.my_enrolments')}
      empty={t('training.no_enrolment')}
      rows={rows}
      columns={[
        { label: t('training.trainee'), rowHeader: true, cell: (r) => <a href={`/extranet/formations/stagiaires/${r.id}`}>{r.trainee_name}</a> },
        { label: t('training.course'), cell: (r) => r.title },
        { label: t('training.dates'), cell: (r) => dateRange(r.start_date, r.end_date) },
        { label: t('training.status'), cell: (r) => <EnrolmentBadge ctx={ctx} status={r.status} late={r.late_cancel} /> },
      ]}
    />
  );
}

export function MemberEnrolmentBody({ ctx, e, title, dates, certificate, canCancel, attendance }: { ctx: ViewContext; e: { id: number; trainee_name: string; trainee_email: string; status: string; late_cancel: number; funding: string }; title: string; dates: string; certificate: boolean; canCancel: boolean; attendance: { day: string; half: string; status: string | null }[] }) {
  const t = ctx.t;
  const base = `/extranet/formations/stagiaires/${e.id}`;
  return (
    <>
      <Facts
        items={[
          [t('training.course'), title],
          [t('training.dates'), dates],
          [t('training.trainee_email'), e.trainee_email],
          [t('training.funding'), t(`training.funding.${e.funding}`)],
          [t('training.status'), <EnrolmentBadge ctx={ctx} status={e.status} late={e.late_cancel} />],
        ]}
      />
      <ul class="training-docs">
        <li>
          <a href={`${base}/convention.pdf`}>{t('training.convention')}</a>
        </li>
        {certificate ? (
          <>
            <li>
              <a href={`${base}/certificat-realisation.pdf`}>{t('training.certificate_completion')}</a>
            </li>
            <li>
              <a href={`${base}/attestation-assiduite.pdf`}>{t('training.certificate_attendance')}</a>
            </li>
          </>
        ) : null}
      </ul>
      {attendance.length ? (
        <Table
          ctx={ctx}
          caption={t('training.attendance')}
          rows={attendance}
          columns={[
            { label: t('training.day'), rowHeader: true, cell: (r) => `${dateRange(r.day, r.day)} ${t(`training.half.${r.half}`)}` },
            { label: t('training.attendance'), cell: (r) => (r.status ? t(`training.${r.status}`) : '—') },
          ]}
        />
      ) : null}
      {canCancel ? (
        <Form ctx={ctx} action={`${base}/annuler`}>
          <p class="hint">{t('training.cancel_rule')}</p>
          <Field ctx={ctx} name="reason" label={t('training.cancel_reason')} maxlength={500} />
          <Submit label={t('training.cancel')} variant="danger" />
        </Form>
      ) : null}
    </>
  );
}

export function SurveyPage({ ctx, title, token, values = {}, errors, done }: { ctx: ViewContext; title: string; token: string; values?: Record<string, string>; errors?: Errors; done?: boolean }) {
  const t = ctx.t;
  const scores = ['overall', 'content', 'trainer', 'organisation'];
  return (
    <Page ctx={ctx} title={t('training.survey_title')}>
      <p class="lead">{title}</p>
      {done ? (
        <p role="status">{t('training.survey_thanks')}</p>
      ) : (
        <Form ctx={ctx} action={`/formations/avis/${token}`} errors={errors}>
          <p>{t('training.survey_intro')}</p>
          {scores.map((k) => (
            <fieldset class={`field choices training-scale${errors?.[k] ? ' field-error' : ''}`} id={`f-${k}`}>
              <legend>{t(`training.score.${k}`)}</legend>
              {errors?.[k] ? <p class="error-text">{t(errors[k]!)}</p> : null}
              {[1, 2, 3, 4, 5].map((n) => (
                <span class="choice">
                  <input type="radio" id={`f-${k}-${n}`} name={k} value={String(n)} checked={values[k] === String(n)} />
                  <label for={`f-${k}-${n}`}>{n}</label>
                </span>
              ))}
            </fieldset>
          ))}
          <fieldset class="field choices" id="f-recommend">
            <legend>{t('training.score.recommend')}</legend>
            {errors?.recommend ? <p class="error-text">{t(errors.recommend)}</p> : null}
            <span class="choice">
              <input type="radio" id="f-recommend-1" name="recommend" value="1" checked={values.recommend === '1'} />
              <label for="f-recommend-1">{t('training.yes')}</label>
            </span>
            <span class="choice">
              <input type="radio" id="f-recommend-0" name="recommend" value="0" checked={values.recommend === '0'} />
              <label for="f-recommend-0">{t('training.no')}</label>
            </span>
          </fieldset>
          <Field ctx={ctx} name="comment" label={t('training.comment')} value={values.comment} multiline rows={3} maxlength={2000} />
          <Submit label={t('training.send')} />
        </Form>
      )}
    </Page>
  );
}
