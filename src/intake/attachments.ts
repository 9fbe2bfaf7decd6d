import { fileTypeFromBuffer } from 'file-type';
import type { Attachment } from 'mailparser';
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { recoverRawName } from './raw-cyrillic.js';

// What the pipeline does with a message's attachments: every one is listed; the first
// `maxCount` within `maxBytes` are kept (offered for download, decoded from the raw message); executables, and archives holding one (or that cannot
// be looked into), are kept but blocked from download. Inline parts of an HTML body (cid: images)
// count as attachments too: a family's photo is often sent that way.

export interface AttachmentLimits {
  maxCount: number;
  maxBytes: number;
}

export interface InspectedAttachment {
  position: number;
  filename: string;
  declaredType: string;
  sniffedType: string | null;
  sizeBytes: number;
  sha256: string;
  stored: boolean;
  blocked: boolean;
  reason: string | null;
}

// Names a family has no reason to send and a caseworker's machine would run.
const EXECUTABLE_EXTENSIONS = new Set(
  (
    'exe com scr pif bat cmd ps1 psm1 vbs vbe js jse wsf wsh hta msi msp mst cpl dll sys jar ' +
    'lnk reg inf app apk sh bash run elf dmg pkg iso img vhd vhdx xll docm xlsm pptm'
  ).split(' '),
);
const EXECUTABLE_TYPES = new Set([
  'application/x-msdownload',
  'application/x-dosexec',
  'application/x-ms-installer',
  'application/x-msi',
  'application/x-elf',
  'application/x-executable',
  'application/x-sharedlib',
  'application/x-mach-binary',
  'application/vnd.microsoft.portable-executable',
  'application/java-archive',
  'application/vnd.android.package-archive',
  'application/x-apple-diskimage',
  'application/x-iso9660-image',
]);
const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);
const OTHER_ARCHIVE_TYPES = new Set([
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/x-7z-compressed',
  'application/x-tar',
  'application/gzip',
  'application/x-gzip',
  'application/x-bzip2',
  'application/x-xz',
  'application/zstd',
  'application/x-cab',
  'application/vnd.ms-cab-compressed',
]);
const ARCHIVE_EXTENSIONS = new Set('zip rar 7z tar gz tgz bz2 xz zst cab arj lzh'.split(' '));

const extensionOf = (name: string) => /\.([a-z0-9]{1,8})$/i.exec(name.trim())?.[1].toLowerCase();

export async function inspectAttachments(
  attachments: readonly Attachment[],
  limits: AttachmentLimits,
): Promise<InspectedAttachment[]> {
  const inspected: InspectedAttachment[] = [];
  let kept = 0;
  for (const [position, part] of attachments.entries()) {
    const content = Buffer.isBuffer(part.content) ? part.content : Buffer.alloc(0);
    const declaredType = (part.contentType || 'application/octet-stream').toLowerCase();
    const sniffedType = (await fileTypeFromBuffer(content).catch(() => undefined))?.mime ?? null;
    const filename = (
      recoverRawName(part.filename?.trim() ?? '') || `attachment-${position + 1}`
    ).replaceAll('\u0000', '');
    let reason: string | null = null;
    let stored = true;
    if (content.length > limits.maxBytes) {
      stored = false;
      reason = `larger than the ${formatBytes(limits.maxBytes)} limit`;
    } else if (kept >= limits.maxCount) {
      stored = false;
      reason = `more than ${limits.maxCount} attachments in one message`;
    }
    const danger = await dangerOf(filename, declaredType, sniffedType, content);
    if (stored) kept += 1;
    inspected.push({
      position,
      filename: filename.slice(0, 255),
      declaredType,
      sniffedType,
      sizeBytes: content.length,
      // Computed by the parser while decoding (mail-parser.ts, PARSE_OPTIONS.checksumAlgo).
      sha256: part.checksum || createHash('sha256').update(content).digest('hex'),
      stored,
      blocked: danger !== null,
      reason: reason ?? danger,
    });
  }
  return inspected;
}

// Why an attachment must not be served, or null when it may.
async function dangerOf(
  filename: string,
  declaredType: string,
  sniffedType: string | null,
  content: Buffer,
): Promise<string | null> {
  const extension = extensionOf(filename);
  if (
    (extension && EXECUTABLE_EXTENSIONS.has(extension)) ||
    EXECUTABLE_TYPES.has(declaredType) ||
    (sniffedType && EXECUTABLE_TYPES.has(sniffedType))
  ) {
    return 'an executable program';
  }
  const isZip =
    (sniffedType && ZIP_TYPES.has(sniffedType)) || (!sniffedType && extension === 'zip');
  if (isZip && !isOfficeDocument(sniffedType, extension)) {
    const names = await zipEntryNames(content);
    if (!names) return 'an archive that cannot be opened to check it';
    const inside = names.find((name) => {
      const ext = extensionOf(name);
      return ext && (EXECUTABLE_EXTENSIONS.has(ext) || ARCHIVE_EXTENSIONS.has(ext));
    });
    if (inside) {
      return ARCHIVE_EXTENSIONS.has(extensionOf(inside)!)
        ? 'an archive holding another archive, which cannot be checked'
        : 'an archive holding an executable program';
    }
    return null;
  }
  if (
    (sniffedType && OTHER_ARCHIVE_TYPES.has(sniffedType)) ||
    OTHER_ARCHIVE_TYPES.has(declaredType) ||
    (extension && ARCHIVE_EXTENSIONS.has(extension))
  ) {
    return 'an archive of a kind that cannot be checked';
  }
  return null;
}

// Office documents are zip files too; their insides are not programs (macro-enabled ones are
// blocked by their extension above).
const isOfficeDocument = (sniffedType: string | null, extension: string | undefined) =>
  (sniffedType !== null && /officedocument|opendocument|epub/.test(sniffedType)) ||
  ['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub'].includes(extension ?? '');

function zipEntryNames(content: Buffer): Promise<string[] | null> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(content, { lazyEntries: false, decodeStrings: true }, (error, zip) => {
      if (error || !zip) return resolve(null);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => names.push(entry.fileName));
      zip.on('end', () => resolve(names));
      zip.on('error', () => resolve(null));
    });
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round(bytes / 1024 / 1024)} MB`
    : `${Math.round(bytes / 1024)} kB`;
}
