// 异议 evidence: the type is read from the content's first bytes, never from the file name or
// the client's Content-Type. Pure (Uint8Array in, a MIME type or a refusal out).

/** How many leading bytes the sniffer needs. */
export const EVIDENCE_SNIFF_BYTES = 8;

export type EvidenceSniff = { ok: true; type: 'application/pdf' | 'image/jpeg' | 'image/png' } | { ok: false; reason: string };

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** PDF (`%PDF-`), JPEG (FF D8 FF) or PNG (its 8-byte signature); anything else is refused. */
export function sniffEvidence(head: Uint8Array): EvidenceSniff {
  if (head.length >= 5 && String.fromCharCode(...head.subarray(0, 5)) === '%PDF-') return { ok: true, type: 'application/pdf' };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { ok: true, type: 'image/jpeg' };
  if (head.length >= 8 && PNG.every((b, i) => head[i] === b)) return { ok: true, type: 'image/png' };
  return { ok: false, reason: 'evidence must be a PDF, JPEG or PNG file (judged by its content, not its name)' };
}
