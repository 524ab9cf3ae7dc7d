// What the registry's import tests share: the upload form of /registre/imports as a browser sends it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SIRENE sample shipped with the module (units and establishments files). */
export const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'registry', 'reference', 'sample');

/** A multipart body of CSV files (field → [file name, bytes]) and the CSRF token. */
export function multipart(files: Record<string, [string, Buffer]>, csrf: string) {
  const boundary = '----consulaire' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [field, [name, data]] of Object.entries(files)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`), data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}
