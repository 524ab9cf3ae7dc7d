// Public catalogue (/formations), the hot survey (/formations/avis/<token>) and the member
// pages (/extranet/formations…): members enrol their company's employees and see only their
// company's enrolments — the company is the one the extranet's resolver verified.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/errors.js';
import { requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { memberPage } from '../extranet/index.js';
import { answerSurvey, attendanceOf, certificateReady, surveyByToken } from './attendance.service.js';
import * as catalogue from './catalogue.service.js';
import { dateRange } from './views/common.js';
import { todayInParis } from './dates.js';
import { certificateFor, conventionFor } from './documents.service.js';
import * as enrolments from './enrolment.service.js';
import { memberCompanyOf } from './policy.js';
import { getSession, openSessionsOf } from './sessions.service.js';
import type { TrainingDb } from './training.table.js';
import { CatalogueBody, CatalogueShell, CourseBody, MemberEnrolmentBody, MemberEnrolmentsBody, SurveyPage } from './views/public.js';
import { Page } from '../../platform/ui/layout.js';
import { mailDeps } from './training.web.js';
import { formAction, sendPdf, textQuery } from './web-helpers.js';

type Ctx = ModuleContext<TrainingDb>;
const idOf = (req: FastifyRequest) => requireId(req, 'id', 'training.not_found');
const slugOf = (req: FastifyRequest) => String((req.params as { slug?: string }).slug ?? '').slice(0, 100);
const publicView = (req: FastifyRequest) => req.view({ shell: 'public', nav: [] });

// ——— public site ———

export async function handleCatalogue(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = textQuery(req, 'q');
  const ctx = publicView(req);
  return reply.render(
    <CatalogueShell ctx={ctx}>
      <CatalogueBody ctx={ctx} courses={await catalogue.listCourses(db, { q, publishedOnly: true })} q={q} base="/formations" />
    </CatalogueShell>,
  );
}

export async function handleCourse(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const course = await catalogue.findPublishedCourse(db, slugOf(req));
  const ctx = publicView(req);
  const sessions = await openSessionsOf(db, course.id, todayInParis());
  return reply.render(
    <Page ctx={ctx} title={course.title} description={course.summary} crumbs={[{ label: ctx.t('training.catalogue'), href: '/formations' }, { label: course.title }]}>
      <CourseBody ctx={ctx} course={course} sessions={sessions} enrol="public" />
      <p>
        <a href={`/extranet/formations/${course.slug}`}>{ctx.t('training.open_enrolment')}</a>
      </p>
    </Page>,
  );
}

export async function handleSurvey(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const token = String((req.params as { token?: string }).token ?? '');
  const e = await surveyByToken(db, token);
  return reply.render(<SurveyPage ctx={publicView(req)} title={e.title} token={token} done={e.answered !== null} />);
}

export async function handleAnswerSurvey(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const token = String((req.params as { token?: string }).token ?? '');
  const e = await surveyByToken(db, token);
  const v = Object.fromEntries(['overall', 'content', 'trainer', 'organisation', 'recommend', 'comment'].map((k) => [k, str(req.body, k, 2000)])) as Record<'overall' | 'content' | 'trainer' | 'organisation' | 'recommend' | 'comment', string>;
  return formAction(
    req,
    reply,
    async () => {
      await db.transaction().execute((trx) => answerSurvey(trx, { ...req.actor, label: `stagiaire:${e.id}` }, token, v));
      return reply.render(<SurveyPage ctx={publicView(req)} title={e.title} token={token} done />);
    },
    (errors) => <SurveyPage ctx={publicView(req)} title={e.title} token={token} values={v} errors={errors} />,
    { conflict: true },
  );
}

// ——— extranet ———

export async function handleMemberCatalogue(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  memberCompanyOf(req.actor);
  const q = textQuery(req, 'q');
  const courses = await catalogue.listCourses(db, { q, publishedOnly: true });
  return reply.render(
    await memberPage(req, db, req.t('training.catalogue'), (ctx) => (
      <>
        <p>
          <a href="/extranet/formations/mes-inscriptions">{ctx.t('training.my_enrolments')}</a>
        </p>
        <CatalogueBody ctx={ctx} courses={courses} q={q} base="/extranet/formations" />
      </>
    )),
  );
}

async function memberCoursePage(req: FastifyRequest, db: TrainingDb, slug: string, enrol: { sessionId?: number; values?: Record<string, string>; errors?: FieldErrors } = {}) {
  const companyId = memberCompanyOf(req.actor);
  const course = await catalogue.findPublishedCourse(db, slug);
  const sessions = await openSessionsOf(db, course.id, todayInParis(), companyId);
  return memberPage(req, db, course.title, (ctx) => <CourseBody ctx={ctx} course={course} sessions={sessions} enrol={enrol} />, [{ label: req.t('training.catalogue'), href: '/extranet/formations' }, { label: course.title }]);
}

export async function handleMemberCourse(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await memberCoursePage(req, db, slugOf(req)));
}

export async function handleMemberEnrol(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const v = Object.fromEntries(['trainee_name', 'trainee_email', 'trainee_job', 'needs', 'funding', 'opco_name', 'opco_ref'].map((k) => [k, str(req.body, k, 500)]));
  const s = await getSession(ctx.db, id);
  const course = await catalogue.getCourse(ctx.db, s.course_id);
  const mail = await mailDeps(ctx);
  return formAction(
    req,
    reply,
    async () => {
      const e = await ctx.db.transaction().execute((trx) =>
        enrolments.enrol(trx, req.actor, id, { trainee_name: v.trainee_name, trainee_email: v.trainee_email, trainee_job: v.trainee_job, needs: v.needs, funding: v.funding, opco_name: v.opco_name, opco_ref: v.opco_ref }, mail),
      );
      reply.flash('success', e.status === 'waiting' ? 'training.enrolled_waiting' : 'training.enrolled');
      return reply.redirect(`/extranet/formations/stagiaires/${e.id}`);
    },
    (errors) => memberCoursePage(req, ctx.db, course.slug, { sessionId: id, values: v, errors }),
    { conflict: true },
  );
}

export async function handleMemberEnrolments(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const rows = await enrolments.enrolmentsOfCompany(db, req.actor);
  return reply.render(await memberPage(req, db, req.t('training.my_enrolments'), (ctx) => <MemberEnrolmentsBody ctx={ctx} rows={rows} />, [{ label: req.t('training.catalogue'), href: '/extranet/formations' }, { label: req.t('training.my_enrolments') }]));
}

export async function handleMemberEnrolment(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  memberCompanyOf(req.actor);
  const e = await enrolments.getEnrolment(db, req.actor, idOf(req));
  const s = await getSession(db, e.session_id);
  const course = await catalogue.getCourse(db, s.course_id);
  const ready = await certificateReady(db, e);
  const a = await attendanceOf(db, e.id, e.session_id);
  const canCancel = e.status !== 'cancelled' && s.start_date > todayInParis();
  return reply.render(
    await memberPage(
      req,
      db,
      `${e.trainee_name} — ${course.title}`,
      (ctx) => <MemberEnrolmentBody ctx={ctx} e={e} title={course.title} dates={dateRange(s.start_date, s.end_date)} certificate={ready} canCancel={canCancel} attendance={a.rows.filter((r) => r.day <= todayInParis())} />,
      [{ label: req.t('training.my_enrolments'), href: '/extranet/formations/mes-inscriptions' }, { label: e.trainee_name }],
    ),
  );
}

export async function handleMemberCancel(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  await ctx.db.transaction().execute((trx) => enrolments.cancelEnrolment(trx, req.actor, id, str(req.body, 'reason', 500), mail));
  reply.flash('success', 'training.cancelled');
  return reply.redirect(`/extranet/formations/stagiaires/${id}`);
}

export async function handleMemberConventionPdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  memberCompanyOf(req.actor);
  const doc = await conventionFor(db, req.actor, idOf(req), await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}
export async function handleMemberCompletionPdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  memberCompanyOf(req.actor);
  const doc = await certificateFor(db, req.actor, idOf(req), 'completion', await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}
export async function handleMemberAttendancePdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  memberCompanyOf(req.actor);
  const doc = await certificateFor(db, req.actor, idOf(req), 'attendance', await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}
