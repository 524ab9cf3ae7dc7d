// Templates: structured blocks typed as plain text, merge fields with fallbacks, and their
// rendering to accessible HTML and a text part. Pure: no database, no request.
//
// A body is blocks separated by blank lines:
//   # Title                    → heading (## for a second-level heading)
//   [Register](https://…)      → a button (a line holding only a link)
//   ---                        → separator
//   - item / - item            → bulleted list
//   anything else              → paragraph; [text](https://…) inside is a link
// Merge fields anywhere (subject included): {{ contact.first_name | "Madame, Monsieur" }}.

export const MERGE_FIELDS = ['contact.first_name', 'contact.last_name', 'contact.civility', 'contact.email', 'company.name', 'list.name'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];
export type MergeValues = Partial<Record<MergeField, string>>;

export type Block =
  | { type: 'heading'; level: 1 | 2; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'button'; text: string; url: string }
  | { type: 'list'; items: string[] }
  | { type: 'separator' };

/** A piece of text with merge fields: literal strings and fields with their fallback. */
type Part = string | { field: MergeField; fallback: string };
export type Compiled = Part[];

export class TemplateError extends Error {
  constructor(
    public readonly code: 'mailing.merge_unknown' | 'mailing.merge_syntax' | 'mailing.url_invalid',
    public readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

const FIELD_RE = /\{\{\s*([a-z_.]+)\s*(?:\|\s*"([^"{}]*)"\s*)?\}\}/g;

/** Splits text into literal parts and merge fields; an unknown field or a stray {{ is refused. */
export function compileText(text: string): Compiled {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(FIELD_RE)) {
    const before = text.slice(last, m.index);
    if (before.includes('{{') || before.includes('}}')) throw new TemplateError('mailing.merge_syntax', before.slice(before.indexOf('{{')).slice(0, 40));
    if (before) parts.push(before);
    const field = m[1];
    if (!(MERGE_FIELDS as readonly string[]).includes(field)) throw new TemplateError('mailing.merge_unknown', field);
    parts.push({ field: field as MergeField, fallback: m[2] ?? '' });
    last = m.index + m[0].length;
  }
  const rest = text.slice(last);
  if (rest.includes('{{') || rest.includes('}}')) throw new TemplateError('mailing.merge_syntax', rest.slice(Math.max(0, rest.indexOf('{{'))).slice(0, 40));
  if (rest) parts.push(rest);
  return parts;
}

export function fill(parts: Compiled, values: MergeValues, escape: (s: string) => string = (s) => s): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += escape(p);
    else {
      const v = values[p.field]?.trim();
      out += escape(v ? v : p.fallback);
    }
  }
  return out;
}

const LINK_ONLY = /^\[([^\]\n]+)\]\(([^)\s]+)\)$/;
const INLINE_LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;

function checkUrl(url: string): string {
  // Only web and mail links; a merge field may not build a URL (no javascript:, no data:).
  if (!/^(https?:\/\/[^\s<>"]+|mailto:[^\s<>"]+)$/i.test(url) || url.includes('{{')) throw new TemplateError('mailing.url_invalid', url.slice(0, 80));
  return url;
}

/** Parses a body into blocks (and checks every merge field and link). */
export function parseBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of body.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const text = chunk.trim();
    if (!text) continue;
    if (text === '---') blocks.push({ type: 'separator' });
    else if (text.startsWith('## ')) blocks.push({ type: 'heading', level: 2, text: text.slice(3).replace(/\n/g, ' ').trim() });
    else if (text.startsWith('# ')) blocks.push({ type: 'heading', level: 1, text: text.slice(2).replace(/\n/g, ' ').trim() });
    else if (LINK_ONLY.test(text)) {
      const [, label, url] = LINK_ONLY.exec(text)!;
      blocks.push({ type: 'button', text: label, url: checkUrl(url) });
    } else if (text.split('\n').every((l) => l.trim().startsWith('- '))) blocks.push({ type: 'list', items: text.split('\n').map((l) => l.trim().slice(2).trim()) });
    else blocks.push({ type: 'paragraph', text });
  }
  for (const b of blocks) {
    for (const t of b.type === 'list' ? b.items : 'text' in b ? [b.text] : []) {
      compileText(t);
      for (const m of t.matchAll(INLINE_LINK)) checkUrl(m[2]);
    }
  }
  return blocks;
}

/** Checks a subject and a body; returns the field errors (i18n key and its detail) or nothing. */
export function checkTemplate(subject: string, body: string): { field: 'subject' | 'body'; code: string; detail: string } | null {
  for (const [field, run] of [
    ['subject', () => compileText(subject)],
    ['body', () => parseBlocks(body)],
  ] as const) {
    try {
      run();
    } catch (e) {
      if (e instanceof TemplateError) return { field, code: e.code, detail: e.detail };
      throw e;
    }
  }
  return null;
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What every message of a campaign says around its blocks. */
export interface Frame {
  lang: 'fr' | 'en';
  title: string;
  /** sender identity (DOMAIN.md: every message identifies the sender) */
  sender: string;
  /** why this person receives it, and the B2B mention for segment lists */
  why: string;
  unsubscribeLabel: string;
  preferencesLabel: string;
  archiveLabel: string;
}

/** Per-recipient links. */
export interface Links {
  unsubscribe: string;
  preferences: string;
  archive?: string;
  /** tracking on: link i of the body goes through this redirect */
  click?: (index: number, url: string) => string;
  /** tracking on: the open-count image */
  openPixel?: string;
}

interface CompiledBlock {
  type: Block['type'];
  level?: 1 | 2;
  parts?: Compiled;
  items?: Compiled[];
  url?: string;
  linkIndex?: number;
}

/**
 * A template compiled once per campaign: each recipient's message is then string concatenation
 * (the bench sends 100,000). `links` lists every URL of the body, numbered for click counts.
 */
export class CompiledTemplate {
  readonly subject: Compiled;
  readonly blocks: CompiledBlock[] = [];
  readonly links: string[] = [];

  constructor(subject: string, body: string) {
    this.subject = compileText(subject);
    for (const b of parseBlocks(body)) {
      if (b.type === 'separator') this.blocks.push({ type: 'separator' });
      else if (b.type === 'button') this.blocks.push({ type: 'button', parts: compileText(b.text), url: b.url, linkIndex: this.link(b.url) });
      else if (b.type === 'list') this.blocks.push({ type: 'list', items: b.items.map((i) => this.inline(i)) });
      else if (b.type === 'heading') this.blocks.push({ type: 'heading', level: b.level, parts: compileText(b.text) });
      else this.blocks.push({ type: 'paragraph', parts: this.inline(b.text) });
    }
  }

  private link(url: string): number {
    const i = this.links.indexOf(url);
    if (i >= 0) return i;
    this.links.push(url);
    return this.links.length - 1;
  }

  /** Inline links become markers \u0000<index>\u0001label\u0002 kept through compileText. */
  private inline(text: string): Compiled {
    return compileText(text.replace(INLINE_LINK, (_m, label: string, url: string) => `\u0000${this.link(url)}\u0001${label}\u0002`));
  }

  subjectFor(values: MergeValues): string {
    // A subject is one header line: merge values never bring a line break into it.
    return fill(this.subject, values).replace(/[\r\n]+/g, ' ');
  }

  html(values: MergeValues, frame: Frame, links: Links): string {
    const href = (i: number) => escapeHtml(links.click ? links.click(i, this.links[i]) : this.links[i]);
    const inlineHtml = (parts: Compiled) =>
      fill(parts, values, escapeHtml).replace(/\u0000(\d+)\u0001([^\u0002]*)\u0002/g, (_m, i: string, label: string) => `<a href="${href(Number(i))}">${label}</a>`);
    let body = '';
    for (const b of this.blocks) {
      if (b.type === 'separator') body += '<hr>';
      else if (b.type === 'heading') body += `<h${b.level}>${fill(b.parts!, values, escapeHtml)}</h${b.level}>`;
      else if (b.type === 'button') body += `<p class="button"><a href="${href(b.linkIndex!)}">${fill(b.parts!, values, escapeHtml)}</a></p>`;
      else if (b.type === 'list') body += `<ul>${b.items!.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</ul>`;
      else body += `<p>${inlineHtml(b.parts!).replace(/\n/g, '<br>')}</p>`;
    }
    const e = escapeHtml;
    return (
      `<!doctype html><html lang="${frame.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(this.subjectFor(values))}</title>` +
      `<style>body{margin:0;background:#f4f4f4;color:#1a1a1a;font:16px/1.5 Arial,sans-serif}main{max-width:600px;margin:0 auto;background:#fff;padding:24px}` +
      `h1{font-size:24px}h2{font-size:20px}a{color:#00468c}.button a{display:inline-block;background:#00468c;color:#fff;padding:12px 20px;text-decoration:none;border-radius:4px}` +
      `footer{max-width:600px;margin:0 auto;padding:16px 24px;font-size:13px;color:#333}</style></head>` +
      `<body><main role="main" aria-label="${e(frame.title)}">${body}</main>` +
      `<footer><p>${e(frame.sender)}</p><p>${e(frame.why)}</p>` +
      `<p><a href="${e(links.unsubscribe)}">${e(frame.unsubscribeLabel)}</a> · <a href="${e(links.preferences)}">${e(frame.preferencesLabel)}</a>` +
      (links.archive ? ` · <a href="${e(links.archive)}">${e(frame.archiveLabel)}</a>` : '') +
      `</p></footer>${links.openPixel ? `<img src="${e(links.openPixel)}" alt="" width="1" height="1">` : ''}</body></html>`
    );
  }

  text(values: MergeValues, frame: Frame, links: Links): string {
    const linkRefs: string[] = [];
    const inlineText = (parts: Compiled) =>
      fill(parts, values).replace(/\u0000(\d+)\u0001([^\u0002]*)\u0002/g, (_m, i: string, label: string) => {
        const url = links.click ? links.click(Number(i), this.links[Number(i)]) : this.links[Number(i)];
        linkRefs.push(url);
        return `${label} [${linkRefs.length}]`;
      });
    const out: string[] = [];
    for (const b of this.blocks) {
      if (b.type === 'separator') out.push('----------');
      else if (b.type === 'heading') {
        const t = fill(b.parts!, values);
        out.push(b.level === 1 ? `${t}\n${'='.repeat(Math.min(t.length, 60))}` : t);
      } else if (b.type === 'button') out.push(`${fill(b.parts!, values)} : ${links.click ? links.click(b.linkIndex!, b.url!) : b.url}`);
      else if (b.type === 'list') out.push(b.items!.map((i) => `- ${inlineText(i)}`).join('\n'));
      else out.push(inlineText(b.parts!));
    }
    if (linkRefs.length) out.push(linkRefs.map((u, i) => `[${i + 1}] ${u}`).join('\n'));
    out.push(`--\n${frame.sender}\n${frame.why}\n${frame.unsubscribeLabel} : ${links.unsubscribe}\n${frame.preferencesLabel} : ${links.preferences}${links.archive ? `\n${frame.archiveLabel} : ${links.archive}` : ''}`);
    return out.join('\n\n') + '\n';
  }

  /** Plain paragraphs for a letter (PDF): headings, paragraphs, lists; links as their text and URL. */
  letterBlocks(values: MergeValues): { kind: 'heading' | 'paragraph' | 'separator'; text: string }[] {
    const strip = (parts: Compiled) => fill(parts, values).replace(/\u0000(\d+)\u0001([^\u0002]*)\u0002/g, (_m, i: string, label: string) => `${label} (${this.links[Number(i)]})`);
    return this.blocks.map((b) =>
      b.type === 'separator'
        ? { kind: 'separator' as const, text: '' }
        : b.type === 'heading'
          ? { kind: 'heading' as const, text: fill(b.parts!, values) }
          : b.type === 'button'
            ? { kind: 'paragraph' as const, text: `${fill(b.parts!, values)} : ${b.url}` }
            : b.type === 'list'
              ? { kind: 'paragraph' as const, text: b.items!.map((i) => `• ${strip(i)}`).join('\n') }
              : { kind: 'paragraph' as const, text: strip(b.parts!) },
    );
  }
}
