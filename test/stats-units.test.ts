// Statistics, pure rules (#18): Paris buckets across month ends and DST changes, what a response
// counts as (bots, DNT/GPC, opt-out, referrer domain, IP truncation), the report's due day.
import { describe, expect, it } from 'vitest';
import { countedEvent, deviceOf, isBot, referrerDomain, truncateIp, type ResponseFacts } from '../src/modules/stats/classify.js';
import { change } from '../src/modules/stats/dashboard.service.js';
import { addMonths, dayBounds, hourBucket, monthBounds, parisDay, parisMonth } from '../src/modules/stats/periods.js';
import { reportDue } from '../src/modules/stats/report.service.js';
import { sizeClass } from '../src/modules/stats/rollup.service.js';
import { visitorHash } from '../src/modules/stats/salt.js';

const hours = (b: { from: string; to: string }) => (Date.parse(b.to) - Date.parse(b.from)) / 3_600_000;

describe('Paris periods', () => {
  it('a day lasts 23 hours in March, 25 in October, 24 otherwise; its bounds are local midnights', () => {
    expect(dayBounds('2026-03-29')).toEqual({ from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' });
    expect(hours(dayBounds('2026-03-29'))).toBe(23);
    expect(dayBounds('2026-10-25')).toEqual({ from: '2026-10-24T22:00:00.000Z', to: '2026-10-25T23:00:00.000Z' });
    expect(hours(dayBounds('2026-10-25'))).toBe(25);
    expect(hours(dayBounds('2026-07-14'))).toBe(24);
    expect(hours(dayBounds('2026-12-31'))).toBe(24);
  });

  it('an instant belongs to the Paris day and month, across month and year ends', () => {
    expect(parisDay('2026-10-31T22:59:59Z')).toBe('2026-10-31');
    expect(parisDay('2026-10-31T23:00:00Z')).toBe('2026-11-01'); // winter time: UTC+1
    expect(parisMonth('2026-08-31T22:00:00Z')).toBe('2026-09'); // summer time: UTC+2
    expect(parisMonth('2026-12-31T23:30:00Z')).toBe('2027-01');
    expect(monthBounds('2026-10')).toEqual({ from: '2026-09-30T22:00:00.000Z', to: '2026-10-31T23:00:00.000Z', fromDate: '2026-10-01', toDate: '2026-11-01' });
    expect(hours(monthBounds('2026-10'))).toBe(31 * 24 + 1);
    expect(hours(monthBounds('2026-03'))).toBe(31 * 24 - 1);
    expect(addMonths('2026-01', -12)).toBe('2025-01');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
  });

  it('the two local 02:00 hours of the autumn night are two hour buckets', () => {
    const first = hourBucket('2026-10-25T00:30:00Z'); // 02:30 summer time
    const second = hourBucket('2026-10-25T01:30:00Z'); // 02:30 winter time
    expect(first).not.toBe(second);
    expect(parisDay(first)).toBe('2026-10-25');
    expect(parisDay(second)).toBe('2026-10-25');
  });
});

const facts = (over: Partial<ResponseFacts> = {}): ResponseFacts => ({
  method: 'GET',
  url: '/actualites?page=2',
  route: '/actualites',
  status: 200,
  contentType: 'text/html; charset=utf-8',
  headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', host: 'cci.example' },
  cookies: {},
  actorKind: 'anonymous',
  audienceMember: false,
  ...over,
});

describe('what a response counts as', () => {
  it('a public page view, without its query, an entry when coming from elsewhere (domain only)', () => {
    const e = countedEvent(facts({ headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148', host: 'cci.example', referer: 'https://www.google.fr/search?q=secret+words' } }));
    expect(e).toMatchObject({ kind: 'view', area: 'public', path: '/actualites', entry: true, referrer: 'google.fr', device: 'mobile' });
    expect(JSON.stringify(e)).not.toContain('secret');
    const inside = countedEvent(facts({ headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', host: 'cci.example', referer: 'http://cci.example/' } }));
    expect(inside).toMatchObject({ entry: false, referrer: null });
  });

  it('bots, DNT, GPC, the opt-out cookie, htmx fragments, assets and the API are not counted', () => {
    expect(countedEvent(facts({ headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } }))).toBeNull();
    expect(countedEvent(facts({ headers: {} }))).toBeNull();
    expect(countedEvent(facts({ headers: { 'user-agent': 'Mozilla/5.0 (X11) Firefox/128.0', dnt: '1' } }))).toBeNull();
    expect(countedEvent(facts({ headers: { 'user-agent': 'Mozilla/5.0 (X11) Firefox/128.0', 'sec-gpc': '1' } }))).toBeNull();
    expect(countedEvent(facts({ cookies: { stats_optout: '1' } }))).toBeNull();
    expect(countedEvent(facts({ headers: { 'user-agent': 'Mozilla/5.0 (X11) Firefox/128.0', 'hx-request': 'true' } }))).toBeNull();
    expect(countedEvent(facts({ url: '/static/app.css', route: '/static/*', contentType: 'text/css' }))).toBeNull();
    expect(countedEvent(facts({ url: '/api/v1/holidays?year=2026', route: '/api/v1/holidays', contentType: 'application/json' }))).toBeNull();
    expect(countedEvent(facts({ method: 'POST' }))).toBeNull();
    expect(countedEvent(facts({ contentType: 'application/pdf' }))).toBeNull();
  });

  it('404s, searches (zero results), member sign-ins and the area of each', () => {
    expect(countedEvent(facts({ url: '/nulle-part', route: undefined, status: 404 }))).toMatchObject({ kind: 'not_found', path: '/nulle-part' });
    expect(countedEvent(facts({ url: '/rechercher?q=Horaires%20Piscine', route: '/rechercher', notes: { 'search.results': 0 } }))).toMatchObject({ kind: 'search', term: 'horaires piscine', results: 0 });
    expect(countedEvent(facts({ method: 'POST', url: '/extranet/connexion', route: '/extranet/connexion', status: 302, location: '/extranet', audienceMember: true }))).toMatchObject({ kind: 'sign_in', area: 'extranet' });
    expect(countedEvent(facts({ method: 'POST', url: '/extranet/connexion', route: '/extranet/connexion', status: 302, location: '/extranet/connexion/code?next=%2F', audienceMember: true }))).toBeNull();
    expect(countedEvent(facts({ url: '/crm', route: '/crm', actorKind: 'staff' }))).toMatchObject({ area: 'intranet' });
    expect(countedEvent(facts({ url: '/extranet/demandes', route: '/extranet/demandes', actorKind: 'member', audienceMember: true, memberCompany: 7 }))).toMatchObject({ area: 'extranet', companyId: 7 });
  });

  it('helpers: IP truncation, devices, bots, referrers', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('::ffff:198.51.100.9')).toBe('198.51.100.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(deviceOf('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)')).toBe('tablet');
    expect(deviceOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64)')).toBe('desktop');
    expect(isBot('curl/8.5.0')).toBe(true);
    expect(referrerDomain('not a url', 'x')).toBeNull();
    expect(referrerDomain('https://WWW.Example.ORG/a?b', 'cci.example')).toBe('example.org');
  });

  it('the visitor hash changes with the salt: with another day’s salt the same person is someone else', () => {
    const a = visitorHash('salt-of-monday', '203.0.113.0', 'Firefox');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(visitorHash('salt-of-monday', '203.0.113.0', 'Firefox')).toBe(a);
    expect(visitorHash('salt-of-tuesday', '203.0.113.0', 'Firefox')).not.toBe(a);
  });
});

describe('report and figures', () => {
  const noHoliday = () => false;
  const isHoliday = (d: string) => ['2026-01-01', '2026-05-01', '2026-06-01'].includes(d);
  it('the report is due on the first working day of a month (Paris), for the month before', () => {
    expect(reportDue(new Date('2026-12-01T08:00:00Z'), noHoliday)).toBe('2026-11'); // Tuesday
    expect(reportDue(new Date('2026-12-02T08:00:00Z'), noHoliday)).toBeNull();
    expect(reportDue(new Date('2026-11-02T08:00:00Z'), noHoliday)).toBe('2026-10'); // 1 Nov is a Sunday
    expect(reportDue(new Date('2026-01-02T08:00:00Z'), isHoliday)).toBe('2025-12'); // 1 Jan holiday
    expect(reportDue(new Date('2026-05-04T08:00:00Z'), isHoliday)).toBe('2026-04'); // 1 May Friday holiday, then weekend
    expect(reportDue(new Date('2026-05-31T22:30:00Z'), isHoliday)).toBeNull(); // already 1 June in Paris: Whit Monday
    expect(reportDue(new Date('2026-06-01T22:30:00Z'), isHoliday)).toBe('2026-05'); // 2 June in Paris
  });

  it('change in percent and size classes', () => {
    expect(change(150, 100)).toBe(50);
    expect(change(50, 100)).toBe(-50);
    expect(change(5, 0)).toBeNull();
    expect(sizeClass('03')).toBe('1-9');
    expect(sizeClass('NN')).toBe('unknown');
    expect(sizeClass('42')).toBe('250+');
  });
});
