// For the training tests: the text of a PDF (streams inflated, strings of the text operators
// decoded from WinAnsi), written here independently of the module that draws the PDFs.
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';

const WIN_ANSI: Record<number, string> = { 0x80: '€', 0x92: '’', 0x96: '–', 0x97: '—', 0x85: '…', 0x91: '‘', 0x93: '“', 0x94: '”' };

function decodeHex(hex: string): string {
  let out = '';
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    out += WIN_ANSI[b] ?? String.fromCharCode(b);
  }
  return out;
}

/** The text of the PDF: every text-showing operator's string, joined by spaces (lines wrapped by the layout read as one). */
export function pdfText(pdf: Buffer): string {
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    const bytes = pdf.subarray(start, end);
    let content: string;
    try {
      content = inflateSync(bytes).toString('latin1');
    } catch {
      content = bytes.toString('latin1');
    }
    // [<48656c6c6f> 20 <776f726c64>] TJ   or   <...> Tj
    for (const op of content.matchAll(/\[((?:<[0-9a-fA-F]*>|\s|-?\d+(?:\.\d+)?)*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      if (op[2] !== undefined) lines.push(decodeHex(op[2]));
      else lines.push([...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => decodeHex(h[1])).join(''));
    }
    re.lastIndex = end;
  }
  return lines.join(' ').replace(/\s+/g, ' ');
}
