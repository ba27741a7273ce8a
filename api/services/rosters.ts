import { createHash } from 'node:crypto';
import busboy from 'busboy';
import ExcelJS from 'exceljs';
import type { Request } from 'express';
import { parseCsv, type CsvRecord } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { parseRoster, type RosterProblem } from '../../lib/rules/roster';
import { inScope, type Principal } from '../../lib/rules/scope';
import type { ApiDeps } from '../deps';

/** 10,000 schools fit in well under 1 MB; anything near this is not a roster. */
export const MAX_ROSTER_BYTES = 5 * 1024 * 1024;

export interface Upload {
  bytes: Buffer;
  filename?: string;
}

function tooLarge(): AppError {
  return new AppError('PayloadTooLarge', `a roster file may be at most ${MAX_ROSTER_BYTES / 1024 / 1024} MB`);
}

/** The uploaded file: the first file part of a multipart/form-data body, or the raw body. */
export function readUpload(req: Request): Promise<Upload> {
  const type = req.headers['content-type'] ?? '';
  if (/^application\/json/i.test(type) || req.readableEnded) {
    return Promise.reject(new AppError('UnsupportedMediaType', 'send the roster as a multipart/form-data file, or as a text/csv or XLSX body'));
  }
  if (/^multipart\/form-data/i.test(type)) {
    return new Promise((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: MAX_ROSTER_BYTES } });
      } catch (err) {
        return reject(new AppError('ValidationFailed', `unreadable multipart body: ${(err as Error).message}`));
      }
      let file: Upload | undefined;
      let failed: AppError | undefined;
      bb.on('file', (_field, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => (failed = tooLarge()));
        stream.on('end', () => (file = { bytes: Buffer.concat(chunks), filename: info.filename }));
      });
      bb.on('error', (err) => reject(new AppError('ValidationFailed', `unreadable multipart body: ${(err as Error).message}`)));
      bb.on('close', () => {
        if (failed) reject(failed);
        else if (!file) reject(new AppError('ValidationFailed', 'no file in the upload (send it as a multipart file part)'));
        else resolve(file);
      });
      req.pipe(bb);
    });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ROSTER_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

function cellText(v: ExcelJS.CellValue): string {
  if (v == null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('formula' in v || 'sharedFormula' in v) return cellText((v.result ?? null) as ExcelJS.CellValue);
  if ('hyperlink' in v) return v.text;
  if ('error' in v) return v.error;
  return '';
}

/** XLSX files are zip archives; anything else is read as CSV. */
function isZip(b: Buffer): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

export async function readRosterFile(file: Upload): Promise<{ format: 'csv' | 'xlsx'; records: CsvRecord[] }> {
  if (file.bytes.length === 0) throw new AppError('ValidationFailed', 'the file is empty', [{ line: 1, reason: 'the file is empty' }]);
  if (isZip(file.bytes)) {
    const wb = new ExcelJS.Workbook();
    try {
      // exceljs types its Buffer parameter against an older @types/node.
      await wb.xlsx.load(file.bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
    } catch (err) {
      throw new AppError('ValidationFailed', `not a readable XLSX file: ${(err as Error).message}`);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new AppError('ValidationFailed', 'the workbook has no sheet');
    const records: CsvRecord[] = [];
    ws.eachRow({ includeEmpty: false }, (row, line) => {
      const cells: string[] = [];
      for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
      records.push({ line, cells });
    });
    return { format: 'xlsx', records };
  }
  if (/\.xlsx?$/i.test(file.filename ?? '')) throw new AppError('ValidationFailed', 'the file is named .xlsx but is not an XLSX workbook');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    throw new AppError('ValidationFailed', 'the CSV is not UTF-8 text (in Excel: Save As → "CSV UTF-8")');
  }
  return { format: 'csv', records: parseCsv(text) };
}

export interface RosterImportResult {
  /** `unchanged`: every row already held these numbers (e.g. the same file again). */
  status: 'imported' | 'unchanged' | 'valid';
  format: 'csv' | 'xlsx';
  sourceHash: string;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

const pgArray = (xs: (number | string)[]) => `{${xs.join(',')}}`;

/**
 * All or nothing: every bad row is reported with its line and reason and then nothing is
 * written; a good file is written in one statement, touching only rows whose numbers differ.
 */
export async function importRoster(deps: ApiDeps, p: Principal, campaignId: string, file: Upload, dryRun: boolean): Promise<RosterImportResult> {
  const conn = deps.orm.em.fork().getConnection();
  const [campaign] = await conn.execute(`select id from campaign where id = ?`, [campaignId]);
  if (!campaign) throw new AppError('NotFound', `no campaign ${campaignId}`);
  const sourceHash = createHash('sha256').update(file.bytes).digest('hex');
  const { format, records } = await readRosterFile(file);
  const { rows, problems } = parseRoster(records);

  const codes = rows.map((r) => r.schoolCode);
  const schools = new Map<string, { id: number; name: string; county_id: number; city_id: number }>();
  if (codes.length > 0) {
    const found = await conn.execute(`select id, code, name, county_id, city_id from school where code = any(?::text[])`, [pgArray(codes.map((c) => `"${c.replace(/["\\]/g, '\\$&')}"`))]);
    for (const s of found) schools.set(s.code, s as { id: number; name: string; county_id: number; city_id: number });
  }
  const good: { schoolId: number; teachers: number; students: number; platformSpaces: number }[] = [];
  for (const r of rows) {
    const s = schools.get(r.schoolCode);
    if (!s) problems.push({ line: r.line, schoolCode: r.schoolCode, reason: `no school with code ${r.schoolCode}` });
    else if (p.role !== 'province_admin' && !inScope(p, { cityId: s.city_id, countyId: s.county_id, schoolId: s.id })) {
      problems.push({ line: r.line, schoolCode: r.schoolCode, reason: `school ${r.schoolCode} (${s.name}) is outside your ${p.role.replace('_admin', '')}` });
    } else good.push({ schoolId: s.id, teachers: r.teachers, students: r.students, platformSpaces: r.platformSpaces });
  }
  if (problems.length > 0) {
    problems.sort((a: RosterProblem, b: RosterProblem) => a.line - b.line);
    throw new AppError('ValidationFailed', `the roster has ${problems.length} bad row(s); nothing was imported`, problems);
  }
  const base = { format, sourceHash, rows: good.length };
  if (dryRun) return { status: 'valid', ...base, inserted: 0, updated: 0, unchanged: 0 };

  const [result] = await deps.orm.em.fork().transactional(async (em) =>
    em.getConnection().execute(
      `with incoming as (
         select * from unnest(?::int[], ?::int[], ?::int[], ?::int[]) as t(school_id, teachers, students, platform_spaces)
       ), written as (
         insert into roster (campaign_id, school_id, teachers, students, platform_spaces, source_hash, imported_at, imported_by)
         select ?, school_id, teachers, students, platform_spaces, ?, ?::timestamptz, ?::uuid from incoming
         on conflict (campaign_id, school_id) do update
           set teachers = excluded.teachers, students = excluded.students, platform_spaces = excluded.platform_spaces,
               source_hash = excluded.source_hash, imported_at = excluded.imported_at, imported_by = excluded.imported_by
           where (roster.teachers, roster.students, roster.platform_spaces) is distinct from (excluded.teachers, excluded.students, excluded.platform_spaces)
         returning (xmax = 0) as inserted
       )
       select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`,
      [
        pgArray(good.map((g) => g.schoolId)),
        pgArray(good.map((g) => g.teachers)),
        pgArray(good.map((g) => g.students)),
        pgArray(good.map((g) => g.platformSpaces)),
        campaignId,
        sourceHash,
        new Date(deps.clock()).toISOString(),
        p.accountId,
      ],
    ),
  );
  const inserted = result.inserted as number;
  const updated = result.updated as number;
  return { status: inserted + updated === 0 ? 'unchanged' : 'imported', ...base, inserted, updated, unchanged: good.length - inserted - updated };
}

/** Each school of the region with its roster numbers, or null where none was imported. */
export async function listRosters(deps: ApiDeps, campaignId: string, countyIds: number[]) {
  const rows = await deps.orm.em.fork().getConnection().execute(
    `select s.id as "schoolId", s.code, s.name, c.name as county, r.teachers, r.students, r.platform_spaces as "platformSpaces",
            r.source_hash as "sourceHash", r.imported_at as "importedAt"
       from school s join county c on c.id = s.county_id
       left join roster r on r.school_id = s.id and r.campaign_id = ?
      where s.county_id = any(?::int[])
      order by s.code`,
    [campaignId, pgArray(countyIds)],
  );
  return rows;
}
