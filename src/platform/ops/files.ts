// Writing an uploaded file where the portal keeps it (DATA_DIR), all or nothing. The name is
// the content's hash and a file already there is trusted as is, so a file cut short by a full
// disk (ENOSPC), a quota or a crash must never appear under its final name: the bytes go to a
// temporary file in the same folder, are flushed, then renamed (atomic on one filesystem).
// On failure the temporary file is removed and the error rethrown: ENOSPC / EDQUOT become a 507
// at the HTTP edge (platform/http/errors.tsx), and the caller's transaction rolls back, so no row
// points to a missing or truncated file (test/ops-fault-disk.test.ts).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export function writeFileAtomic(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o640);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** No room left to write (disk full, or the quota of the portal's user reached). */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
