// The e-mails of the training centre (French, then English), and the iCalendar invitation that
// goes with a convocation: one event per half day, METHOD:REQUEST so calendars offer "accept".
import ical, { ICalCalendarMethod } from 'ical-generator';
import type { Mailer } from '../../platform/mail/index.js';
import { euros, frDate, HALF_TIMES } from './dates.js';
import type { Half } from './training.table.js';

export interface MailDeps {
  /** the platform's mailer (outbox in the caller's transaction) */
  mailer: Mailer;
  publicUrl: string;
  cciName: string;
}

/** Paris wall-clock time of a half day as a UTC instant (CET/CEST by the date's offset). */
export function parisInstant(day: string, time: string): Date {
  const guess = new Date(`${day}T${time}:00Z`);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(guess);
  const [h, m] = parts.split(':').map(Number);
  const offsetMin = h * 60 + m - (guess.getUTCHours() * 60 + guess.getUTCMinutes());
  return new Date(guess.getTime() - offsetMin * 60_000);
}

export function convocationIcal(opts: { enrolmentId: number; title: string; location: string; organiser: { name: string; email: string }; attendee: { name: string; email: string }; slots: { id: number; day: string; half: Half }[]; url: string }): string {
  const cal = ical({ name: opts.title, prodId: { company: 'Consulaire', product: 'training', language: 'FR' }, method: ICalCalendarMethod.REQUEST });
  for (const s of opts.slots) {
    const [from, to] = HALF_TIMES[s.half];
    cal.createEvent({
      id: `training-${opts.enrolmentId}-${s.id}@consulaire`,
      start: parisInstant(s.day, from),
      end: parisInstant(s.day, to),
      summary: opts.title,
      location: opts.location,
      url: opts.url,
      organizer: opts.organiser,
      attendees: [{ name: opts.attendee.name, email: opts.attendee.email, rsvp: true }],
    });
  }
  return cal.toString();
}

export function convocationText(o: { cciName: string; trainee: string; title: string; slots: { day: string; half: Half }[]; location: string; trainer: string; prerequisites: string; url: string }): { subject: string; text: string } {
  const lines = o.slots.map((s) => `- ${frDate(s.day)} ${s.half === 'am' ? 'matin' : 'après-midi'} (${HALF_TIMES[s.half].join('–')})`);
  const subject = `Convocation : ${o.title} — ${frDate(o.slots[0]?.day ?? '')}`;
  const text = [
    `Bonjour ${o.trainee},`,
    '',
    `Vous êtes convoqué(e) à la formation « ${o.title} » organisée par ${o.cciName}.`,
    '',
    'Dates :',
    ...lines,
    '',
    `Lieu : ${o.location}`,
    o.trainer ? `Formateur : ${o.trainer}` : '',
    o.prerequisites ? `Prérequis : ${o.prerequisites}` : '',
    '',
    'L’invitation jointe ajoute ces demi-journées à votre agenda. Pour toute adaptation liée à un handicap, répondez à ce message.',
    `Programme : ${o.url}`,
    '',
    '—',
    `You are invited to the training course "${o.title}" (${o.cciName}). The attached invitation adds each half day to your calendar.`,
  ]
    .filter((l, i, a) => l !== '' || a[i - 1] !== '')
    .join('\n');
  return { subject, text };
}

export function promotedText(o: { trainee: string; title: string; start: string }): { subject: string; text: string } {
  return {
    subject: `Place confirmée : ${o.title}`,
    text: `Bonjour ${o.trainee},\n\nUne place s’est libérée : votre inscription à « ${o.title} » (à partir du ${frDate(o.start)}) est confirmée. Votre convocation suit.\n\n—\nA seat became free: your enrolment in "${o.title}" is confirmed.`,
  };
}

export function surveyText(o: { trainee: string; title: string; url: string }): { subject: string; text: string } {
  return {
    subject: `Votre avis sur « ${o.title} »`,
    text: `Bonjour ${o.trainee},\n\nMerci d’avoir suivi « ${o.title} ». Donnez-nous votre avis à chaud (2 minutes) :\n${o.url}\n\n—\nThank you for attending "${o.title}". Please tell us what you thought (2 minutes): ${o.url}`,
  };
}

export function cancelledText(o: { trainee: string; title: string; start: string; fee: number }): { subject: string; text: string } {
  return {
    subject: `Annulation : ${o.title}`,
    text: `Bonjour ${o.trainee},\n\nVotre inscription à « ${o.title} » du ${frDate(o.start)} est annulée.${o.fee ? ` Annulation tardive : ${euros(o.fee)} restent dus selon nos conditions générales.` : ''}\n\n—\nYour enrolment in "${o.title}" is cancelled.`,
  };
}

export function certificatesText(o: { member: string; trainee: string; title: string; url: string }): { subject: string; text: string } {
  return {
    subject: `Certificat de réalisation : ${o.trainee} — ${o.title}`,
    text: `Bonjour ${o.member},\n\nLe certificat de réalisation de ${o.trainee} pour « ${o.title} » est joint à ce message ; l’attestation d’assiduité est disponible dans votre espace :\n${o.url}\n\n—\nThe completion certificate of ${o.trainee} for "${o.title}" is attached; the attendance certificate is in your company space: ${o.url}`,
  };
}
