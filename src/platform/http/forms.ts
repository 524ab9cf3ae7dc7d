// Reading urlencoded form bodies: every value arrives as a string or a list of strings.
export type FormBody = Record<string, string | string[] | undefined>;

export function str(body: unknown, name: string, max = 10_000): string {
  const v = (body as FormBody | undefined)?.[name];
  const s = Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  return String(s).slice(0, max).trim();
}

/** The raw value, untrimmed (passwords). */
export function raw(body: unknown, name: string, max = 1000): string {
  const v = (body as FormBody | undefined)?.[name];
  return String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, max);
}

export function list(body: unknown, name: string): string[] {
  const v = (body as FormBody | undefined)?.[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x).trim()).filter((x) => x !== '');
}

export function int(body: unknown, name: string): number | undefined {
  const s = str(body, name);
  if (!/^-?\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

/** A positive integer route parameter, or undefined (→ 404 by the caller). */
export function idParam(v: unknown): number | undefined {
  return typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}
