// Rich text from the toolbar editor (or pasted from Word / web pages) is cleaned on the server
// with an allow-list: whatever the browser sent, only these tags and attributes are stored.
// Images may only point at our own files (/fichiers/…); links only at http(s), mailto, tel or
// relative URLs. Scripts, event handlers, styles, SVG, iframes, forms and data: URLs are dropped.
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['h2', 'h3', 'h4', 'p', 'br', 'strong', 'em', 'u', 's', 'ul', 'ol', 'li', 'a', 'img', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'blockquote', 'hr'],
  allowedAttributes: {
    a: ['href', 'hreflang', 'title'],
    img: ['src', 'alt', 'width', 'height'],
    th: ['scope', 'colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  allowedClasses: {},
  allowedStyles: {},
  // Word wraps everything in spans, divs and <o:p>; h1 belongs to the page title.
  transformTags: { b: 'strong', i: 'em', h1: 'h2', h5: 'h4', h6: 'h4', div: 'p', strike: 's', del: 's' },
  nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'xml', 'title', 'head', 'svg', 'math', 'template', 'iframe', 'object'],
  exclusiveFilter: (frame) => {
    if (frame.tag === 'img') return !/^\/fichiers\/\d+(\/[\w.-]*)?$/.test(frame.attribs.src ?? '');
    // Word's empty paragraphs (&nbsp; only) and links left without a target.
    if (frame.tag === 'p') return !frame.text.replace(/\u00a0/g, ' ').trim() && !frame.mediaChildren.length;
    if (frame.tag === 'a') return !frame.attribs.href;
    return false;
  },
};

/** The stored form of a rich text: safe to print as HTML on any page. */
export function cleanHtml(input: string): string {
  return sanitizeHtml(input, OPTIONS).trim();
}

/** Images of a cleaned body that lack an alternative text (RGAA 1.1). */
export function imagesWithoutAlt(html: string): number {
  let missing = 0;
  for (const m of html.matchAll(/<img\b[^>]*>/g)) {
    const alt = /\balt="([^"]*)"/.exec(m[0]);
    if (!alt || !alt[1].trim()) missing++;
  }
  return missing;
}

/** Plain text of a cleaned body (search, feeds' summaries, diffs). */
export function textOf(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|h\d|li|tr|blockquote)>/g, '$&\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

/** Lower-case, accent-free text for LIKE searches on both databases. */
export function searchable(...parts: string[]): string {
  return parts.join(' ').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** URL-friendly slug from a title: "Événement à Lyon !" → "evenement-a-lyon". */
export function slugify(s: string): string {
  return (
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/œ/g, 'oe')
      .replace(/æ/g, 'ae')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'contenu'
  );
}
