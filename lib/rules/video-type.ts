// 学生助力 videos: the type is read from the content's first bytes, never from the file name or
// the client's Content-Type. Pure (Uint8Array in, a MIME type or a refusal out).

/** How many leading bytes the sniffer wants before it decides (MPEG-TS needs three packets). */
export const SNIFF_BYTES = 4096;

export type VideoSniff = { ok: true; type: string } | { ok: false; reason: string };

const ascii = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));

/** ISO base media brands that are still images or audio, not video (HEIF/AVIF, M4A). */
const NOT_VIDEO_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'mif1', 'msf1', 'avif', 'avis', 'M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);

/**
 * The video container of `head` (the first bytes of the file, up to SNIFF_BYTES; fewer only when
 * the file is that short). Recognised: MP4/MOV/3GP ('ftyp' box), WebM/Matroska (EBML 1A45DFA3),
 * AVI (RIFF….AVI ), MPEG-TS (sync byte 0x47 every 188 bytes), MPEG-PS (00 00 01 BA) and FLV.
 */
export function sniffVideo(head: Uint8Array): VideoSniff {
  if (head.length >= 12 && ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4);
    if (NOT_VIDEO_BRANDS.has(brand)) return { ok: false, reason: `an ISO media file of brand "${brand.trim()}" is an image or audio, not a video` };
    if (brand === 'qt  ') return { ok: true, type: 'video/quicktime' };
    if (brand.startsWith('3g')) return { ok: true, type: 'video/3gpp' };
    return { ok: true, type: 'video/mp4' };
  }
  // Older QuickTime files may start with another top-level atom.
  if (head.length >= 8 && ['moov', 'mdat', 'wide'].includes(ascii(head, 4, 4))) return { ok: true, type: 'video/quicktime' };
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    const docType = ascii(head, 0, Math.min(head.length, 64));
    return { ok: true, type: docType.includes('webm') ? 'video/webm' : 'video/x-matroska' };
  }
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'AVI ') return { ok: true, type: 'video/x-msvideo' };
  if (head.length >= 4 && ascii(head, 0, 3) === 'FLV' && head[3] === 0x01) return { ok: true, type: 'video/x-flv' };
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0xba) return { ok: true, type: 'video/mpeg' };
  if (head.length >= 188 * 2 + 1 && head[0] === 0x47 && head[188] === 0x47 && head[376] === 0x47) return { ok: true, type: 'video/mp2t' };
  return { ok: false, reason: 'the file is not a video (accepted: MP4, MOV, 3GP, WebM, MKV, AVI, FLV, MPEG, MPEG-TS)' };
}
