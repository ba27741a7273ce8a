// School rosters (eligible population, SPEC §9): which columns a roster file has and what a
// good row is. Pure; the import service adds the checks that need the database (the school
// exists, it is in the importer's subtree) and writes all rows or none.

export const ROSTER_FIELDS = ['schoolCode', 'teachers', 'students', 'platformSpaces'] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

/** Chinese headers as the bureaus write them, and English ones; compared without case, spaces, _ or -. */
const HEADER_ALIASES: Record<RosterField, string[]> = {
  schoolCode: ['学校代码', '学校编码', 'schoolcode'],
  teachers: ['教师数', '教师人数', 'teachers', 'teachercount'],
  students: ['学生数', '学生人数', 'students', 'studentcount'],
  platformSpaces: ['平台空间数', '平台教师空间数', '省平台注册教师空间数', 'platformspaces', 'spaces'],
};

export const ROSTER_HEADERS_ZH: Record<RosterField, string> = { schoolCode: '学校代码', teachers: '教师数', students: '学生数', platformSpaces: '平台空间数' };

/** Counts above this are typing errors, not schools. */
export const MAX_COUNT = 100_000;

function norm(h: string): string {
  return h.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_\-()（）]/g, '');
}

export interface RosterProblem {
  /** 1-based line (CSV) or row (XLSX) of the file; the header is line 1. */
  line: number;
  reason: string;
  schoolCode?: string;
}

export type ColumnMap = Record<RosterField, number>;

export function mapHeader(cells: string[]): { columns: ColumnMap } | { problems: string[] } {
  const columns: Partial<ColumnMap> = {};
  const problems: string[] = [];
  cells.forEach((cell, i) => {
    const h = norm(cell);
    for (const f of ROSTER_FIELDS) {
      if (!HEADER_ALIASES[f].includes(h)) continue;
      if (columns[f] !== undefined) problems.push(`column ${ROSTER_HEADERS_ZH[f]} appears twice`);
      columns[f] = i;
    }
  });
  for (const f of ROSTER_FIELDS) {
    if (columns[f] === undefined) problems.push(`missing column ${ROSTER_HEADERS_ZH[f]} (${f})`);
  }
  return problems.length > 0 ? { problems } : { columns: columns as ColumnMap };
}

export interface RosterRow {
  line: number;
  schoolCode: string;
  teachers: number;
  students: number;
  platformSpaces: number;
}

function count(raw: string | undefined, label: string): number | string {
  const v = (raw ?? '').trim().replace(/,/g, '');
  if (v === '') return `${label} is empty`;
  if (!/^\d+(\.0+)?$/.test(v)) return `${label} is not a whole number ≥ 0: "${raw}"`;
  const n = Number(v);
  if (n > MAX_COUNT) return `${label} ${n} is more than ${MAX_COUNT}`;
  return n;
}

/** One data row → a roster row or the reason it is bad. */
export function parseRosterRow(cells: string[], columns: ColumnMap, line: number): { row: RosterRow } | { problem: RosterProblem } {
  const schoolCode = (cells[columns.schoolCode] ?? '').trim();
  if (!schoolCode) return { problem: { line, reason: 'school code (学校代码) is empty' } };
  const values: Partial<Record<RosterField, number>> = {};
  for (const f of ['teachers', 'students', 'platformSpaces'] as const) {
    const v = count(cells[columns[f]], `${ROSTER_HEADERS_ZH[f]} (${f})`);
    if (typeof v === 'string') return { problem: { line, schoolCode, reason: v } };
    values[f] = v;
  }
  return { row: { line, schoolCode, teachers: values.teachers!, students: values.students!, platformSpaces: values.platformSpaces! } };
}

/**
 * Header, rows and duplicates: every bad row is reported (not just the first), so an admin
 * fixes the file once. Blank rows are skipped.
 */
export function parseRoster(lines: { line: number; cells: string[] }[]): { rows: RosterRow[]; problems: RosterProblem[] } {
  const nonBlank = lines.filter((l) => l.cells.some((c) => c.trim() !== ''));
  if (nonBlank.length === 0) return { rows: [], problems: [{ line: 1, reason: 'the file is empty' }] };
  const [head, ...data] = nonBlank;
  const header = mapHeader(head.cells);
  if ('problems' in header) return { rows: [], problems: header.problems.map((reason) => ({ line: head.line, reason })) };
  if (data.length === 0) return { rows: [], problems: [{ line: head.line, reason: 'the file has a header but no rows' }] };
  const rows: RosterRow[] = [];
  const problems: RosterProblem[] = [];
  const seen = new Map<string, number>();
  for (const l of data) {
    const r = parseRosterRow(l.cells, header.columns, l.line);
    if ('problem' in r) {
      problems.push(r.problem);
      continue;
    }
    const first = seen.get(r.row.schoolCode);
    if (first !== undefined) {
      problems.push({ line: l.line, schoolCode: r.row.schoolCode, reason: `school ${r.row.schoolCode} already appears on line ${first}` });
      continue;
    }
    seen.set(r.row.schoolCode, l.line);
    rows.push(r.row);
  }
  return { rows, problems };
}
