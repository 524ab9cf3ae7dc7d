// Duplicate detection's name key: the words that tell businesses apart, and only those.
import { describe, expect, it } from 'vitest';
import { nameKey } from '../src/modules/registry/rules.js';

describe('nameKey', () => {
  it('sets aside "et" / "&", legal forms, articles, accents, case and punctuation', () => {
    const key = nameKey('MEUNIER ET FILS');
    expect(key).toBe('meunier fils');
    for (const same of ['Meunier & Fils', 'SARL MEUNIER-FILS', 'Ets. Meunier et Fils', 'meunier  &  fils (SAS)', 'Établissements Meunier & fils']) expect(nameKey(same), same).toBe(key);
  });
  it('keeps every telling word, in order', () => {
    expect(nameKey('Boulangerie du Centre')).toBe('boulangerie centre');
    expect(nameKey('Centre Boulangerie')).not.toBe(nameKey('Boulangerie du Centre'));
    expect(nameKey('Meunier Fils et Petits-Fils')).not.toBe(nameKey('Meunier et Fils'));
    expect(nameKey('Crème & Chocolat')).toBe('creme chocolat');
  });
  it('is empty when nothing identifies the business', () => {
    expect(nameKey('SARL')).toBe('');
    expect(nameKey('')).toBe('');
    expect(nameKey(null)).toBe('');
  });
});
