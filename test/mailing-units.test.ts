// Pure parts of the mailing module: templates and merge fields, addresses, tokens, throttle,
// DSN classification. No database, no server.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { checkAddress, isProfessional, truncateIp } from '../src/modules/mailing/addresses.js';
import { checkTemplate, CompiledTemplate } from '../src/modules/mailing/blocks.js';
import { classifyStatus, readReport } from '../src/modules/mailing/bounces.service.js';
import { Throttle } from '../src/modules/mailing/send.service.js';
import { confirmToken, readConfirmToken, readUnsubscribeToken, readVerp, unsubscribeToken, verpAddress } from '../src/modules/mailing/tokens.js';
import { dsn } from './mailing-helpers.js';

const frame = { lang: 'fr' as const, title: 'T', sender: 'CCI', why: 'Pourquoi', unsubscribeLabel: 'Se désabonner', preferencesLabel: 'Préférences', archiveLabel: 'En ligne' };
const links = { unsubscribe: 'https://cci.test/desabonnement/1.x', preferences: 'https://cci.test/abonnements/preferences/y' };

describe('templates', () => {
  it('merge fields with fallbacks, escaped in HTML, never a line break in the subject', () => {
    const tpl = new CompiledTemplate('Bonjour {{ contact.first_name | "Madame, Monsieur" }}', '# Titre\n\nBonjour {{contact.first_name|"Madame"}} de {{ company.name }}.\n\n[Voir](https://www.cci.fr/a)\n\n- un [lien](https://www.cci.fr/b)\n- deux\n\n---');
    expect(tpl.subjectFor({ 'contact.first_name': 'Léa' })).toBe('Bonjour Léa');
    expect(tpl.subjectFor({})).toBe('Bonjour Madame, Monsieur');
    expect(tpl.subjectFor({ 'contact.first_name': 'A\r\nBcc: x@y.fr' })).toBe('Bonjour A Bcc: x@y.fr');
    const html = tpl.html({ 'contact.first_name': '<script>', 'company.name': 'A & B' }, frame, links);
    expect(html).toContain('Bonjour &lt;script&gt; de A &amp; B.');
    expect(html).toContain('<h1>Titre</h1>');
    expect(html).toContain('<a href="https://www.cci.fr/b">lien</a>');
    expect(html).toContain('lang="fr"');
    expect(tpl.links).toEqual(['https://www.cci.fr/a', 'https://www.cci.fr/b']);
    const text = tpl.text({}, frame, { ...links, click: (i) => `https://cci.test/m/clic/1.${i}.sig` });
    expect(text).toContain('Bonjour Madame de .');
    expect(text).toContain('Voir : https://cci.test/m/clic/1.0.sig');
    expect(text).toContain('Se désabonner : https://cci.test/desabonnement/1.x');
  });

  it('refuses unknown fields, stray braces and links that are not web or mail links', () => {
    expect(checkTemplate('S', 'Bonjour {{ contact.prenom }}')).toEqual({ field: 'body', code: 'mailing.merge_unknown', detail: 'contact.prenom' });
    expect(checkTemplate('Bonjour {{ contact.first_name', 'x')?.code).toBe('mailing.merge_syntax');
    expect(checkTemplate('S', '[x](javascript:alert(1))')?.code).toBe('mailing.url_invalid');
    expect(checkTemplate('S', 'Voir [x](data:text/html,abc) ici')?.code).toBe('mailing.url_invalid');
    expect(checkTemplate('S', '[x](https://{{company.name}}.fr)')?.code).toBe('mailing.url_invalid');
    expect(checkTemplate('Objet {{ list.name }}', 'Texte [lien](mailto:contact@cci.fr)')).toBeNull();
  });
});

describe('addresses and tokens', () => {
  it('refuses header injection and malformed addresses; consumer domains are not professional; IPs truncated', () => {
    expect(checkAddress('a@b.fr\r\nBcc: c@d.fr')).toEqual({ ok: false, code: 'mailing.address_injection' });
    expect(checkAddress('a@b.fr\nx')).toEqual({ ok: false, code: 'mailing.address_injection' });
    expect(checkAddress('pas une adresse')).toEqual({ ok: false, code: 'mailing.address_invalid' });
    expect(checkAddress(' Jean.Dupont@Entreprise.FR ')).toEqual({ ok: true, email: 'Jean.Dupont@Entreprise.FR', norm: 'jean.dupont@entreprise.fr', domain: 'entreprise.fr' });
    expect(isProfessional('gmail.com')).toBe(false);
    expect(isProfessional('orange.fr')).toBe(false);
    expect(isProfessional('boulangerie-martin.fr')).toBe(true);
    expect(truncateIp('::ffff:192.168.10.77')).toBe('192.168.10.0');
    expect(truncateIp(undefined)).toBeNull();
  });

  it('signed links: tampering and expiry are detected; VERP names the message', () => {
    const secret = 's'.repeat(40);
    const tok = confirmToken(secret, 42, 60, 1_000_000);
    expect(readConfirmToken(secret, tok, 1_000_000)).toEqual({ subscriberId: 42 });
    expect(readConfirmToken(secret, tok, 1_000_000 + 61_000)).toBe('expired');
    expect(readConfirmToken(secret, tok.replace('42.', '43.'), 1_000_000)).toBeNull();
    expect(readConfirmToken('t'.repeat(40), tok, 1_000_000)).toBeNull();
    expect(readUnsubscribeToken(secret, unsubscribeToken(secret, 7))).toBe(7);
    expect(readUnsubscribeToken(secret, unsubscribeToken(secret, 7).replace(/^7/, '8'))).toBeNull();
    const verp = verpAddress(secret, 'retour.cci.fr', 3, 99);
    expect(readVerp(secret, verp)).toEqual({ campaignId: 3, recipientId: 99 });
    expect(readVerp(secret, verp.replace('-99-', '-98-'))).toBeNull();
  });
});

describe('throttle', () => {
  it('spaces messages 1/rate apart, and each domain 1/rate-per-domain apart', () => {
    const t = new Throttle(10, 2); // 100 ms apart; 500 ms apart per domain
    expect([t.reserve('a.fr', 0), t.reserve('b.fr', 0), t.reserve('c.fr', 0)]).toEqual([0, 100, 200]);
    expect(t.reserve('a.fr', 0)).toBe(500); // a.fr's next slot
    expect(t.reserve('d.fr', 1000)).toBe(0); // later: free again
    const none = new Throttle(0, 0);
    expect([none.reserve('a.fr', 5), none.reserve('a.fr', 5)]).toEqual([0, 0]);
  });
});

describe('bounces', () => {
  it('classifies DSNs: 5.x.x hard, 4.x.x and 5.2.2 soft, delayed ignored; a report that is no DSN is ignored', async () => {
    expect(classifyStatus('5.1.1')).toBe('hard');
    expect(classifyStatus('5.2.2')).toBe('soft');
    expect(classifyStatus('4.4.7')).toBe('soft');
    expect(classifyStatus('4.4.7', 'delayed')).toBeNull();
    const report = readReport(await simpleParser(dsn({ to: 'x@y', recipient: 'a@b.fr', status: '5.1.1' })));
    expect(report).toMatchObject({ kind: 'hard', recipient: 'a@b.fr', status: '5.1.1' });
    expect(readReport(await simpleParser('Subject: Bonjour\r\n\r\nStatus: 5.1.1\r\n'))).toBeNull();
  });
});
