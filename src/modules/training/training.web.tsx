// Staff handlers of the training centre (/formation…), listed with their access in
// training.routes.ts. The services check each record and open nothing themselves: the handler
// opens the transaction so the change and its audit row commit together.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/errors.js';
import { fromArray, sendExport } from '../../platform/export.js';
import { idParam, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import * as attendance from './attendance.service.js';
import * as catalogue from './catalogue.service.js';
import { addDays, todayInParis } from './dates.js';
import { certificateFor, conventionFor, invoiceDocument, sendCertificates, statementFor } from './documents.service.js';
import * as enrolments from './enrolment.service.js';
import * as invoices from './invoice.service.js';
import type { MailDeps } from './mails.js';
import * as pay from './pay.service.js';
import { bpfPdf } from './pdf.js';
import * as reports from './reports.service.js';
import * as sessions from './sessions.service.js';
import type { TrainingDb } from './training.table.js';
import { CourseFormPage, CoursesPage, InvoicesPage, NewSessionPage, PayMonthPage, PayPage, PlanningPage, ReportsPage, ResourcesPage, SessionPage, SignPage, TrainerPage } from './views/staff.js';
import { dateQuery, formAction, monthQuery, pageQuery, sendPdf, yearQuery } from './web-helpers.js';

type Ctx = ModuleContext<TrainingDb>;
type V = Record<string, string>;
const idOf = (req: FastifyRequest, name = 'id') => requireId(req, name, 'training.not_found');
function values<K extends string>(body: unknown, names: readonly K[], max = 8000): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const n of names) out[n] = str(body, n, max);
  return out;
}
export async function mailDeps({ mailer, config, settings }: Ctx): Promise<MailDeps> {
  return { mailer, publicUrl: config.publicUrl, cciName: await settings.get('cci.name') };
}
const tx = <T,>(db: TrainingDb, fn: (trx: TrainingDb) => Promise<T>) => db.transaction().execute(fn);

// ——— planning and sessions ———

export async function handlePlanning(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const today = todayInParis();
  const from = dateQuery(req, 'du', addDays(today, -30));
  const to = dateQuery(req, 'au', addDays(today, 180));
  const page = pageQuery(req);
  const perPage = 100;
  const q = req.query as Record<string, unknown>;
  const filters = { courseId: idParam(q.cours), trainerId: idParam(q.formateur), roomId: idParam(q.salle) };
  const [{ rows, total }, courses, rooms, trainers] = await Promise.all([sessions.planning(reads, { from, to, page, perPage, ...filters }), catalogue.listCourses(reads, { publishedOnly: false }), catalogue.listRooms(reads), catalogue.listTrainers(reads)]);
  return reply.render(<PlanningPage ctx={req.view()} rows={rows} total={total} page={page} perPage={perPage} query={req.query as Record<string, string>} from={from} to={to} choices={{ courses, rooms, trainers }} filters={filters} />);
}

async function newSessionPage(req: FastifyRequest, db: TrainingDb, v?: V, errors?: FieldErrors) {
  const [courses, rooms, trainers] = await Promise.all([catalogue.listCourses(db, { publishedOnly: false }), catalogue.listRooms(db), catalogue.listTrainers(db)]);
  return <NewSessionPage ctx={req.view()} courses={courses.filter((c) => c.active)} rooms={rooms} trainers={trainers} values={v} errors={errors} />;
}
export async function handleNewSession(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await newSessionPage(req, db));
}
export async function handleCreateSession(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const v = values(req.body, ['course_id', 'kind', 'company_id', 'room_id', 'trainer_id', 'start_date', 'end_date', 'pattern', 'min_trainees', 'max_trainees', 'price', 'notes', 'remote']);
  return formAction(
    req,
    reply,
    async () => {
      const s = await tx(db, (trx) => sessions.createSession(trx, req.actor, { ...v, remote: v.remote === '1' }));
      reply.flash('success', 'training.session_created');
      return reply.redirect(`/formation/sessions/${s.id}`);
    },
    (errors) => newSessionPage(req, db, v, errors),
  );
}

async function sessionPage(req: FastifyRequest, db: TrainingDb, id: number, form?: string, v?: V, errors?: FieldErrors) {
  const d = await sessions.sessionDetail(db, id);
  const [list_, invs, rooms, trainers] = await Promise.all([enrolments.enrolmentsOfSession(db, id), invoices.invoicesOfSession(db, id), catalogue.listRooms(db), catalogue.listTrainers(db)]);
  const certificates = new Set<number>();
  for (const e of list_) if (await attendance.certificateReady(db, e)) certificates.add(e.id);
  return <SessionPage ctx={req.view()} d={d} enrolments={list_} invoices={invs} rooms={rooms} trainers={trainers} certificates={certificates} form={form} values={v} errors={errors} />;
}
export async function handleSession(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await sessionPage(req, db, idOf(req)));
}

/** Each session form: run in a transaction, back to the session (anchor), or the page with the form's errors. */
async function sessionSave(req: FastifyRequest, reply: FastifyReply, db: TrainingDb, form: string, v: V, run: (trx: TrainingDb) => Promise<unknown>, flash = 'training.saved', anchor = '') {
  const id = idOf(req);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, run);
      reply.flash('success', flash);
      return reply.redirect(`/formation/sessions/${id}${anchor}`);
    },
    (errors) => sessionPage(req, db, id, form, v, errors),
    { conflict: true },
  );
}

export async function handleUpdateSession(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const v = values(req.body, ['room_id', 'trainer_id', 'min_trainees', 'max_trainees', 'price', 'notes', 'version']);
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  return sessionSave(req, reply, ctx.db, 'edit', v, async (trx) => {
    await sessions.updateSession(trx, req.actor, id, Number(v.version) || 0, v);
    await enrolments.promoteWaiting(trx, req.actor, id, mail);
  });
}
export async function handleAddSlot(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const v = values(req.body, ['day', 'half'], 10);
  const id = idOf(req);
  return sessionSave(req, reply, db, 'slot', v, (trx) => sessions.addSlot(trx, req.actor, id, v), 'training.saved', '#demi-journees');
}
export async function handleRemoveSlot(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const slot = idOf(req, 'slot');
  return sessionSave(req, reply, db, 'slot', {}, (trx) => sessions.removeSlot(trx, req.actor, id, slot), 'training.saved', '#demi-journees');
}
export async function handleConfirmSession(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  await tx(db, (trx) => sessions.setSessionStatus(trx, req.actor, id, 'confirmed'));
  reply.flash('success', 'training.saved');
  return reply.redirect(`/formation/sessions/${id}`);
}
export async function handleCancelSession(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  await tx(ctx.db, async (trx) => {
    await sessions.setSessionStatus(trx, req.actor, id, 'cancelled');
    for (const e of await enrolments.enrolmentsOfSession(trx, id)) if (e.status !== 'cancelled') await enrolments.cancelEnrolment(trx, req.actor, e.id, 'Session annulée par le centre de formation', mail, undefined, { sessionCancelled: true });
  });
  reply.flash('success', 'training.saved');
  return reply.redirect(`/formation/sessions/${id}`);
}
export async function handleStaffEnrol(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const v = values(req.body, ['trainee_name', 'trainee_email', 'trainee_job', 'needs', 'funding', 'opco_name', 'opco_ref', 'company_id'], 500);
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  return formAction(
    req,
    reply,
    async () => {
      const e = await tx(ctx.db, (trx) => enrolments.enrol(trx, req.actor, id, v, mail));
      reply.flash('success', e.status === 'waiting' ? 'training.enrolled_waiting' : 'training.confirmed');
      return reply.redirect(`/formation/sessions/${id}#inscriptions`);
    },
    (errors) => sessionPage(req, ctx.db, id, 'enrol', v, errors),
    { conflict: true },
  );
}
export async function handleIssueInvoices(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  return formAction(
    req,
    reply,
    async () => {
      const made = await tx(db, (trx) => invoices.issueInvoices(trx, req.actor, id));
      reply.flash('success', 'training.invoiced', { count: made.length });
      return reply.redirect(`/formation/sessions/${id}#factures`);
    },
    (errors) => sessionPage(req, db, id, 'invoice', {}, errors),
    { conflict: true },
  );
}
export async function handleSendSurveys(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  const n = await tx(ctx.db, (trx) => attendance.sendSurveys(trx, req.actor, id, mail));
  reply.flash('success', 'training.surveys_sent', { count: n });
  return reply.redirect(`/formation/sessions/${id}`);
}

export async function handleSendCertificates(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  const n = await tx(ctx.db, (trx) => sendCertificates(trx, req.actor, id, mail));
  reply.flash('success', 'training.certificates_sent', { count: n });
  return reply.redirect(`/formation/sessions/${id}#inscriptions`);
}

// ——— enrolments ———

export async function handleConfirmEnrolment(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  const e = await tx(ctx.db, (trx) => enrolments.confirmEnrolment(trx, req.actor, id, mail));
  reply.flash('success', 'training.confirmed');
  return reply.redirect(`/formation/sessions/${e.session_id}#inscriptions`);
}
export async function handleStaffCancel(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = idOf(req);
  const mail = await mailDeps(ctx);
  const e = await tx(ctx.db, (trx) => enrolments.cancelEnrolment(trx, req.actor, id, str(req.body, 'reason', 500), mail));
  reply.flash('success', 'training.cancelled');
  return reply.redirect(`/formation/sessions/${e.session_id}#inscriptions`);
}
export async function handleConventionPdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const doc = await conventionFor(db, req.actor, idOf(req), await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}
export async function handleCompletionPdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const doc = await certificateFor(db, req.actor, idOf(req), 'completion', await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}
export async function handleAttendancePdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const doc = await certificateFor(db, req.actor, idOf(req), 'attendance', await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}

// ——— attendance (tablet) ———

async function signPage(req: FastifyRequest, db: TrainingDb, slotId: number, who?: string, v?: V, errors?: FieldErrors) {
  const sheet = await attendance.signingSheet(db, slotId);
  return <SignPage ctx={req.view()} sheet={sheet} isToday={sheet.slot.day === todayInParis()} who={who} values={v} errors={errors} />;
}
export async function handleSignPage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await signPage(req, db, idOf(req, 'slot')));
}
export async function handleSign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const slot = idOf(req, 'slot');
  const v = { who: str(req.body, 'who', 12), signature: str(req.body, 'signature', 50_000), typed_confirm: str(req.body, 'typed_confirm', 1), typed_name: str(req.body, 'typed_name', 120) };
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => attendance.sign(trx, req.actor, slot, { ...v, typed_confirm: v.typed_confirm === '1' }));
      reply.flash('success', 'training.signed');
      return reply.redirect(`/formation/emargement/${slot}`);
    },
    (errors) => signPage(req, db, slot, v.who, v, errors),
    { conflict: true },
  );
}
export async function handleMark(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const slot = idOf(req, 'slot');
  const v = { enrolment_id: str(req.body, 'enrolment_id', 12), status: str(req.body, 'status', 10) };
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => attendance.markAttendance(trx, req.actor, slot, v));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/emargement/${slot}`);
    },
    (errors) => signPage(req, db, slot, 'mark', v, errors),
    { conflict: true },
  );
}
export async function handleScan(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const slot = idOf(req, 'slot');
  let file: { filename: string; data: Buffer } | undefined;
  const present: string[] = [];
  let tooBig = false;
  if (req.isMultipart()) {
    const options = { limits: { fileSize: attendance.MAX_SCAN_BYTES + 1, files: 1 }, throwFileSizeLimit: false };
    for await (const part of req.parts(options)) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'scan' && part.filename) {
          file = { filename: part.filename, data };
          tooBig = part.file.truncated;
        }
      } else if (part.fieldname === 'present') present.push(String(part.value ?? '').slice(0, 12));
    }
  }
  if (tooBig && file) file = { ...file, data: Buffer.alloc(attendance.MAX_SCAN_BYTES + 1) };
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => attendance.uploadScan(trx, req.actor, slot, file, present));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/emargement/${slot}`);
    },
    (errors) => signPage(req, db, slot, 'scan', {}, errors),
  );
}
export async function handleScanFile(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const f = await attendance.scanOf(db, req.actor, idOf(req, 'slot'));
  return reply.header('content-type', f.type).header('content-disposition', `attachment; filename="${f.name}"`).header('x-content-type-options', 'nosniff').header('content-security-policy', "sandbox; default-src 'none'").header('cache-control', 'private, no-store').send(f.data);
}

// ——— catalogue ———

const COURSE_FIELDS = ['code', 'title', 'summary', 'objectives', 'programme', 'prerequisites', 'audience', 'duration_hours', 'price', 'intra_day', 'visibility', 'teaching_methods', 'assessment', 'access_delay', 'accessibility', 'results', 'vat_exempt', 'active'] as const;
const courseInput = (v: Record<(typeof COURSE_FIELDS)[number], string>): catalogue.CourseInput => ({
  code: v.code.toUpperCase(),
  title: v.title,
  summary: v.summary,
  objectives: v.objectives,
  programme: v.programme,
  prerequisites: v.prerequisites,
  audience: v.audience,
  duration_hours: v.duration_hours,
  price: v.price,
  intra_day: v.intra_day,
  visibility: v.visibility,
  teaching_methods: v.teaching_methods,
  assessment: v.assessment,
  access_delay: v.access_delay,
  accessibility: v.accessibility,
  results: v.results,
  vat_exempt: v.vat_exempt === '1',
  active: v.active === '1',
});

export async function handleCourses(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<CoursesPage ctx={req.view()} courses={await catalogue.listCourses(db, { publishedOnly: false })} />);
}
export async function handleNewCourse(req: FastifyRequest, reply: FastifyReply) {
  return reply.render(<CourseFormPage ctx={req.view()} />);
}
export async function handleCreateCourse(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const v = values(req.body, COURSE_FIELDS);
  return formAction(
    req,
    reply,
    async () => {
      const c = await tx(db, (trx) => catalogue.createCourse(trx, req.actor, courseInput(v)));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/catalogue/${c.id}`);
    },
    (errors) => <CourseFormPage ctx={req.view()} values={v} errors={errors} />,
  );
}
export async function handleEditCourse(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<CourseFormPage ctx={req.view()} course={await catalogue.getCourse(db, idOf(req))} />);
}
export async function handleUpdateCourse(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const v = values(req.body, [...COURSE_FIELDS, 'version']);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => catalogue.updateCourse(trx, req.actor, id, Number(v.version) || 0, courseInput(v)));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/catalogue/${id}`);
    },
    async (errors) => <CourseFormPage ctx={req.view()} course={await catalogue.getCourse(db, id)} values={v} errors={errors} />,
    { conflict: true },
  );
}

// ——— rooms and trainers ———

async function resourcesPage(req: FastifyRequest, db: TrainingDb, form?: string, v?: V, errors?: FieldErrors) {
  const [rooms, trainers] = await Promise.all([catalogue.listRooms(db), catalogue.listTrainers(db)]);
  return <ResourcesPage ctx={req.view()} rooms={rooms} trainers={trainers} form={form} values={v} errors={errors} />;
}
export async function handleResources(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await resourcesPage(req, db));
}
const ROOM_FIELDS = ['name', 'capacity', 'equipment', 'accessible'] as const;
export async function handleCreateRoom(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const v = values(req.body, ROOM_FIELDS, 500);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => catalogue.saveRoom(trx, req.actor, null, { ...v, accessible: v.accessible === '1' }));
      reply.flash('success', 'training.saved');
      return reply.redirect('/formation/ressources');
    },
    (errors) => resourcesPage(req, db, 'room', v, errors),
  );
}
export async function handleUpdateRoom(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const v = values(req.body, ROOM_FIELDS, 500);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => catalogue.saveRoom(trx, req.actor, id, { ...v, accessible: v.accessible === '1' }));
      reply.flash('success', 'training.saved');
      return reply.redirect('/formation/ressources');
    },
    (errors) => resourcesPage(req, db, 'room', v, errors),
  );
}
const TRAINER_FIELDS = ['name', 'email', 'status', 'iban', 'bic', 'rate_face', 'rate_prep', 'rate_remote', 'skills'] as const;
export async function handleCreateTrainer(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const v = values(req.body, TRAINER_FIELDS, 500);
  return formAction(
    req,
    reply,
    async () => {
      const x = await tx(db, (trx) => catalogue.saveTrainer(trx, req.actor, null, v));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/formateurs/${x.id}`);
    },
    (errors) => resourcesPage(req, db, 'trainer', v, errors),
  );
}
async function trainerPage(req: FastifyRequest, db: TrainingDb, id: number, form?: string, v?: V, errors?: FieldErrors) {
  const trainer = await catalogue.getTrainer(db, id);
  return <TrainerPage ctx={req.view()} trainer={trainer} unavailable={await catalogue.unavailabilityOf(db, id, todayInParis())} form={form} values={v} errors={errors} />;
}
export async function handleTrainer(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await trainerPage(req, db, idOf(req)));
}
export async function handleUpdateTrainer(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const v = values(req.body, TRAINER_FIELDS, 500);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => catalogue.saveTrainer(trx, req.actor, id, v));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/formateurs/${id}`);
    },
    (errors) => trainerPage(req, db, id, 'trainer', v, errors),
  );
}
export async function handleAddUnavailability(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const v = values(req.body, ['day', 'half'], 10);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => catalogue.addUnavailability(trx, req.actor, id, v));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/formateurs/${id}`);
    },
    (errors) => trainerPage(req, db, id, 'off', v, errors),
  );
}

// ——— invoices ———

export async function handleInvoices(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const year = yearQuery(req);
  return reply.render(<InvoicesPage ctx={req.view()} rows={await invoices.listInvoices(db, year)} year={year} />);
}
export async function handleInvoicePdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const doc = await invoiceDocument(db, req.actor, idOf(req), await settings.get('cci.name'));
  return sendPdf(reply, doc.name, doc.pdf);
}
export async function handleCredit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const inv = await invoices.getInvoice(db, id);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => invoices.creditInvoice(trx, req.actor, id, str(req.body, 'reason', 200)));
      reply.flash('success', 'training.credited');
      return reply.redirect(`/formation/sessions/${inv.session_id}#factures`);
    },
    (errors) => sessionPage(req, db, inv.session_id, 'credit', {}, errors),
    { conflict: true },
  );
}

// ——— trainers' pay ———

export async function handlePay(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const month = monthQuery(req);
  return reply.render(<PayPage ctx={req.view()} month={month} rows={await pay.payMonthsOf(db, month)} />);
}
export async function handleGenerate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const month = str(req.body, 'month', 7);
  const n = await tx(db, (trx) => pay.generateMonth(trx, req.actor, month));
  reply.flash('success', 'training.generated', { count: n });
  return reply.redirect(`/formation/paie?mois=${month}`);
}
async function payMonthPage(req: FastifyRequest, db: TrainingDb, id: number, v?: V, errors?: FieldErrors) {
  const { month, hours } = await pay.getPayMonth(db, id);
  return <PayMonthPage ctx={req.view()} m={month} hours={hours} values={v} errors={errors} />;
}
export async function handlePayMonth(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await payMonthPage(req, db, idOf(req)));
}
export async function handleAddHours(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  const v = values(req.body, ['day', 'kind', 'hours', 'label'], 200);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => pay.addHours(trx, req.actor, id, v));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/paie/${id}`);
    },
    (errors) => payMonthPage(req, db, id, v, errors),
    { conflict: true },
  );
}
export async function handleDeclare(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  await tx(db, (trx) => pay.declareMonth(trx, req.actor, id));
  reply.flash('success', 'training.saved');
  return reply.redirect(`/formation/paie/${id}`);
}
export async function handleValidate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = idOf(req);
  return formAction(
    req,
    reply,
    async () => {
      await tx(db, (trx) => pay.validateMonth(trx, req.actor, id, todayInParis()));
      reply.flash('success', 'training.saved');
      return reply.redirect(`/formation/paie/${id}`);
    },
    (errors) => payMonthPage(req, db, id, {}, errors),
    { conflict: true },
  );
}
export async function handleStatementPdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const doc = await statementFor(db, req.actor, idOf(req), await settings.get('cci.name'), (s) => req.t(`training.pay_status.${s}`));
  return sendPdf(reply, doc.name, doc.pdf);
}
export async function handlePayrollCsv(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const month = monthQuery(req);
  const t = req.t;
  return sendExport(reply, 'csv', `formateurs-paie-${month}`, fromArray(await pay.payrollRows(reads, month)), [
    { header: t('training.name'), value: (r) => r.name },
    { header: t('training.email'), value: (r) => r.email },
    { header: t('training.day'), value: (r) => r.day },
    { header: t('training.hour_kind'), value: (r) => t(`training.hour_kind.${r.kind}`) },
    { header: t('training.hours'), value: (r) => String(r.hours).replace('.', ',') },
    { header: t('training.rate_face'), value: (r) => (r.rate_cents / 100).toFixed(2).replace('.', ',') },
    { header: t('training.amount'), value: (r) => (r.amount_cents / 100).toFixed(2).replace('.', ',') },
    { header: t('training.label'), value: (r) => r.label },
  ]);
}

// ——— reports ———

export async function handleReports(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const year = yearQuery(req);
  const [s, tr, byCourse, byTrainer, b] = await Promise.all([reports.sessionReport(reads, req.actor, year), reports.trainerHours(reads, req.actor, year), attendance.surveyResults(reads, 'course'), attendance.surveyResults(reads, 'trainer'), reports.bpf(reads, req.actor, year)]);
  return reply.render(<ReportsPage ctx={req.view()} year={year} sessions={s} trainers={tr} byCourse={byCourse} byTrainer={byTrainer} bpf={b} />);
}
export async function handleSessionsCsv(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const year = yearQuery(req);
  const t = req.t;
  const cents = (c: number) => (c / 100).toFixed(2).replace('.', ',');
  return sendExport(reply, 'csv', `formation-sessions-${year}`, fromArray(await reports.sessionReport(reads, req.actor, year)), [
    { header: t('training.session'), value: (r) => r.id },
    { header: t('training.course'), value: (r) => r.title },
    { header: t('training.start_date'), value: (r) => r.start_date },
    { header: t('training.kind'), value: (r) => r.kind },
    { header: t('training.seats'), value: (r) => `${r.seated}/${r.max_trainees}` },
    { header: t('training.fill_rate'), value: (r) => `${Math.round(r.fill * 100)} %` },
    { header: t('training.revenue'), value: (r) => cents(r.revenue_cents) },
    { header: t('training.cost'), value: (r) => cents(r.cost_cents) },
    { header: t('training.margin'), value: (r) => cents(r.margin_cents) },
  ]);
}
export async function handleBpfCsv(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const year = yearQuery(req);
  const b = await reports.bpf(reads, req.actor, year);
  const t = req.t;
  const cents = (c: number) => (c / 100).toFixed(2).replace('.', ',');
  const rows: [string, string][] = [
    [t('training.bpf.trainees'), String(b.trainees)],
    [t('training.bpf.trainee_hours'), String(b.traineeHours).replace('.', ',')],
    [t('training.bpf.sessions'), String(b.sessions)],
    [t('training.bpf.revenue_company'), cents(b.revenue.company)],
    [t('training.bpf.revenue_opco'), cents(b.revenue.opco)],
    [t('training.bpf.revenue_person'), cents(b.revenue.person)],
    [t('training.bpf.revenue_total'), cents(b.revenue.total)],
    [t('training.bpf.hours_salaried'), String(b.trainerHours.salaried).replace('.', ',')],
    [t('training.bpf.hours_contract'), String(b.trainerHours.contract).replace('.', ',')],
  ];
  return sendExport(reply, 'csv', `bpf-${year}`, fromArray(rows), [
    { header: t('training.label'), value: (r) => r[0] },
    { header: year, value: (r) => r[1] },
  ]);
}
export async function handleBpfPdf(req: FastifyRequest, reply: FastifyReply, { reads, settings }: Ctx) {
  const year = yearQuery(req);
  return sendPdf(reply, `bpf-${year}`, await bpfPdf(await settings.get('cci.name'), await reports.bpf(reads, req.actor, year)));
}

