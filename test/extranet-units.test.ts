// Pure rules of the extranet: attachment types read from the bytes, file names, communes of a
// correction, the change set built from a form (only correctable fields, only real changes).
import { describe, expect, it } from 'vitest';
import { checkFile, cleanFileName, MAX_ATTACHMENT_BYTES, sniffType } from '../src/modules/extranet/attachments.js';
import { proposedChanges, resolveCommune } from '../src/modules/extranet/corrections.service.js';
import { PDF, PNG } from './extranet-helpers.js';

const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 7)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(60, 0)]);

describe('attachment types are read from the content', () => {
  it('accepts the allowed documents whatever their declared name', () => {
    expect(sniffType(PDF, 'devis.pdf')).toBe('application/pdf');
    expect(sniffType(PDF, 'devis.bin')).toBe('application/pdf');
    expect(sniffType(PNG, 'photo.jpg')).toBe('image/png');
    expect(sniffType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'x.jpeg')).toBe('image/jpeg');
    expect(sniffType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), 'x.webp')).toBe('image/webp');
    expect(sniffType(ZIP, 'rapport.docx')).toMatch(/wordprocessingml/);
    expect(sniffType(Buffer.from('Nom;Ville\nÉcole;Lyon\n'), 'liste.csv')).toMatch(/^text\/csv/);
  });

  it('refuses executables, scripts, archives and binary "text"', () => {
    expect(sniffType(EXE, 'devis.pdf')).toBeUndefined();
    expect(sniffType(ZIP, 'archive.zip')).toBeUndefined();
    expect(sniffType(ZIP, 'devis.pdf')).toBeUndefined();
    expect(sniffType(Buffer.from('<svg onload="alert(1)"/>'), 'logo.svg')).toBeUndefined();
    expect(sniffType(Buffer.from('<html><script>alert(1)</script>'), 'page.html')).toBeUndefined();
    expect(sniffType(Buffer.from([0x61, 0x00, 0x62]), 'notes.txt')).toBeUndefined();
    expect(sniffType(Buffer.from([0xc3, 0x28]), 'notes.txt')).toBeUndefined();
  });

  it('checks the size and cleans the name', () => {
    expect(checkFile('vide.pdf', Buffer.alloc(0))).toEqual({ error: 'extranet.attachment_empty' });
    expect(checkFile('gros.pdf', Buffer.concat([PDF, Buffer.alloc(MAX_ATTACHMENT_BYTES)]))).toEqual({ error: 'extranet.attachment_too_large' });
    const ok = checkFile('../../etc/"passwd".pdf', PDF);
    expect('error' in ok).toBe(false);
    expect(cleanFileName('..\\..\\secret<script>.pdf')).toBe('secret_script_.pdf');
    expect(cleanFileName('\u0000\u0001')).toBe('__');
    expect(cleanFileName('')).toBe('piece-jointe');
  });
});

describe('corrections', () => {
  const current = {
    version: 3,
    address_complement: null,
    street_number: '1',
    street_type: 'RUE',
    street_name: 'DE LA PAIX',
    postal_code: '42000',
    commune_code: '42218',
    city: 'SAINT-ETIENNE',
    phone: '04 77 00 00 00',
    website: null,
    description: null,
    activity_text: null,
  };

  it('finds the commune of a postal code and a name, accents and case ignored', () => {
    expect(resolveCommune('42000', 'Saint-Étienne')).toBe('42218');
    expect(resolveCommune('42000', 'ST ETIENNE')).toBe('42218');
    expect(resolveCommune('42000', 'Paris')).toBeUndefined();
    expect(resolveCommune('00000', 'Nulle part')).toBeUndefined();
  });

  it('keeps only correctable fields that really change', () => {
    const changes = proposedChanges(current, { phone: '04 77 00 00 00', website: 'https://www.exemple.fr', street_name: 'de la Paix', company_id: '9', status: 'accepted' } as Record<string, string>);
    expect(Object.keys(changes)).toEqual(['website']);
    expect(changes.website).toEqual({ from: null, to: 'https://www.exemple.fr' });
  });

  it('moves postal code and commune together, resolved to an INSEE code', () => {
    const changes = proposedChanges(current, { postal_code: '42100', city: 'Saint-Étienne' });
    expect(changes.postal_code).toMatchObject({ from: '42000', to: '42100', communeCode: '42218' });
    expect(changes.city?.communeCode).toBe('42218');
    expect(() => proposedChanges(current, { postal_code: '4210', city: 'Saint-Étienne' })).toThrow();
    expect(() => proposedChanges(current, { postal_code: '42100', city: 'Lyon' })).toThrow();
  });

  it('validates phone, website and a new contact', () => {
    expect(() => proposedChanges(current, { phone: 'appelez-nous' })).toThrow();
    expect(() => proposedChanges(current, { website: 'javascript:alert(1)' })).toThrow();
    expect(() => proposedChanges(current, { contact_first_name: 'Sans nom' })).toThrow();
    const c = proposedChanges(current, { contact_first_name: 'Ana', contact_last_name: 'Roy', contact_email: 'ana@roy.fr' });
    expect(c.new_contact?.contact).toMatchObject({ firstName: 'Ana', lastName: 'Roy', email: 'ana@roy.fr' });
  });
});
