import ExcelJS from 'exceljs';
import { toCsv } from '../../lib/csv';
import type { UnitFigures } from '../../lib/rules/registration-report';
import type { RegistrationReport } from './reports';

// One column list for the CSV and the spreadsheet, in the notice's words.
type Cell = number | string | null;
interface Column {
  header: string;
  /** Spreadsheet number format; rates are fractions shown as percentages. */
  numFmt?: string;
  width: number;
  value: (f: UnitFigures) => Cell;
}

const pct = '0.0%';
const COLUMNS: Column[] = [
  { header: '教师报名人数', width: 12, value: (f) => f.teachers.registered },
  { header: '教师审核通过人数', width: 14, value: (f) => f.teachers.approved },
  { header: '教师报名增加', width: 12, value: (f) => f.teachers.change?.registered ?? null },
  { header: '教师审核通过增加', width: 14, value: (f) => f.teachers.change?.approved ?? null },
  { header: '教师数', width: 10, value: (f) => f.teachers.eligible },
  { header: '教师目标人数', width: 12, value: (f) => f.teachers.target },
  { header: '教师报名率', width: 10, numFmt: pct, value: (f) => f.teachers.progress },
  { header: '平台教师空间数', width: 14, value: (f) => f.teachers.platformSpaces },
  { header: '报名占平台空间比', width: 14, numFmt: pct, value: (f) => f.teachers.platformProgress },
  { header: '学生报名人数', width: 12, value: (f) => f.students.registered },
  { header: '学生审核通过人数', width: 14, value: (f) => f.students.approved },
  { header: '学生报名增加', width: 12, value: (f) => f.students.change?.registered ?? null },
  { header: '学生审核通过增加', width: 14, value: (f) => f.students.change?.approved ?? null },
  { header: '学生数', width: 10, value: (f) => f.students.eligible },
  { header: '学生目标人数', width: 12, value: (f) => f.students.target },
  { header: '学生报名率', width: 10, numFmt: pct, value: (f) => f.students.progress },
];

const UNIT_HEADER: Record<RegistrationReport['unitLevel'], string> = { city: '市州', county: '县市区', school: '学校' };
export const TOTAL_LABEL = '合计';

export function reportHeaders(r: RegistrationReport): string[] {
  return ['代码', UNIT_HEADER[r.unitLevel], ...(r.unitLevel === 'school' ? ['县市区'] : []), ...COLUMNS.map((c) => c.header)];
}

function table(r: RegistrationReport, asText: boolean): Cell[][] {
  const school = r.unitLevel === 'school';
  const values = (f: UnitFigures) =>
    COLUMNS.map((c) => {
      const v = c.value(f);
      return asText && c.numFmt === pct && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : v;
    });
  return [
    ...r.rows.map((u) => [u.code, u.name, ...(school ? [u.county ?? ''] : []), ...values(u.figures)]),
    [r.region.code, TOTAL_LABEL, ...(school ? [''] : []), ...values(r.total)],
  ];
}

function title(r: RegistrationReport): string {
  return `${r.region.name}${r.campaign.name}报名情况（截至${r.asOfDay}${r.compareToDay ? `，对比${r.compareToDay}` : ''}）`;
}

/** The file name of an export: 报名情况-黄石市-2017-06-18.xlsx */
export function exportName(r: RegistrationReport, ext: string): string {
  return `报名情况-${r.region.name}-${r.asOfDay}${r.compareToDay ? `-对比${r.compareToDay}` : ''}.${ext}`;
}

export function reportCsv(r: RegistrationReport): string {
  return toCsv([reportHeaders(r), ...table(r, true)]);
}

/**
 * Sheet 报名情况: header row then one row per unit and 合计, numbers as numbers; sheet 说明:
 * the campaign, region, bounds, targets and the notice's paragraph.
 */
export async function reportXlsx(r: RegistrationReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '网络学习空间交流展示活动';
  wb.created = new Date(0);
  const ws = wb.addWorksheet('报名情况', { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  const headers = reportHeaders(r);
  ws.addRow(headers).font = { bold: true };
  const offset = headers.length - COLUMNS.length;
  ws.columns = headers.map((_h, i) => ({ width: i < offset ? (i === 1 ? 18 : 12) : COLUMNS[i - offset].width }));
  for (const row of table(r, false)) ws.addRow(row);
  COLUMNS.forEach((c, i) => {
    if (c.numFmt) ws.getColumn(offset + i + 1).numFmt = c.numFmt;
  });
  ws.lastRow!.font = { bold: true };

  const about = wb.addWorksheet('说明');
  about.columns = [{ width: 16 }, { width: 80 }];
  const info: [string, string | number][] = [
    ['标题', title(r)],
    ['活动', `${r.campaign.name} (${r.campaign.id})`],
    ['区域', `${r.region.name} (${r.region.key})`],
    ['截至', `${r.asOfDay}（${r.asOf} 之前）`],
    ['对比日期', r.compareToDay ? `${r.compareToDay}（${r.compareTo} 之前）` : '—'],
    ['教师目标比例', r.targets.teacherRate],
    ['学生目标比例', r.targets.studentRate],
    ['通报', r.summary],
  ];
  for (const row of info) about.addRow(row);
  about.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A grouped horizontal bar chart of teachers and students registered per unit (no client code needed). */
export function reportSvg(r: RegistrationReport): string {
  const rows = r.rows;
  const max = Math.max(1, ...rows.map((u) => Math.max(u.figures.teachers.registered, u.figures.students.registered)));
  const label = 150;
  const plot = 520;
  const bar = 12;
  const band = bar * 2 + 10;
  const top = 50;
  const height = top + rows.length * band + 30;
  const x = (n: number) => (n / max) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${label + plot + 80}" height="${height}" font-family="sans-serif" font-size="12" role="img" aria-label="${esc(title(r))}">`,
    `<title>${esc(title(r))}</title>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title(r))}</text>`,
    `<rect x="${label}" y="30" width="10" height="10" fill="#3b6fb6"/><text x="${label + 14}" y="39">教师报名</text>`,
    `<rect x="${label + 90}" y="30" width="10" height="10" fill="#e08a2c"/><text x="${label + 104}" y="39">学生报名</text>`,
  ];
  rows.forEach((u, i) => {
    const y = top + i * band;
    const t = u.figures.teachers.registered;
    const s = u.figures.students.registered;
    parts.push(
      `<text x="${label - 6}" y="${y + bar + 4}" text-anchor="end">${esc(u.name)}</text>`,
      `<rect x="${label}" y="${y}" width="${x(t).toFixed(1)}" height="${bar}" fill="#3b6fb6"/><text x="${(label + x(t) + 4).toFixed(1)}" y="${y + bar - 2}">${t}</text>`,
      `<rect x="${label}" y="${y + bar}" width="${x(s).toFixed(1)}" height="${bar}" fill="#e08a2c"/><text x="${(label + x(s) + 4).toFixed(1)}" y="${y + 2 * bar - 2}">${s}</text>`,
    );
  });
  parts.push(`<line x1="${label}" y1="${top - 4}" x2="${label}" y2="${top + rows.length * band}" stroke="#888"/>`, '</svg>');
  return parts.join('\n');
}
