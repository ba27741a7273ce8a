import { parseCsv, toCsv } from '../../lib/csv';
import { mayReport, parseRegion, resolveAsOf, unitFigures, wholeRegionWord, ZERO_POPULATION } from '../../lib/rules/registration-report';
import { parseRoster } from '../../lib/rules/roster';
import type { Principal } from '../../lib/rules/scope';

const admin = (role: string, scope: Partial<Principal> = {}): Principal => ({ accountId: 'a', role, displayName: 'a', cityId: null, countyId: null, schoolId: null, ...scope });

describe('report rules', () => {
  test('when "as of" is a day, then it is the end of that day in Asia/Shanghai; an instant is itself', () => {
    expect(resolveAsOf('2017-06-18')).toEqual({ at: new Date('2017-06-18T16:00:00Z'), day: '2017-06-18' });
    expect(resolveAsOf('2017-06-18T10:00:00+08:00')).toEqual({ at: new Date('2017-06-18T02:00:00Z'), day: '2017-06-18' });
    // Midnight closes the day before.
    expect(resolveAsOf('2017-06-19T00:00:00+08:00').day).toBe('2017-06-18');
  });

  test('when a region is named, then only province, city:<code> and county:<code> parse', () => {
    expect(parseRegion('province')).toEqual({ level: 'province' });
    expect(parseRegion('city:4202')).toEqual({ level: 'city', code: '4202' });
    expect(parseRegion('county:420202')).toEqual({ level: 'county', code: '420202' });
    expect(parseRegion('city:')).toBeUndefined();
    expect(parseRegion('school:420202-01')).toBeUndefined();
  });

  test('when an admin asks for a region, then only its subtree is allowed', () => {
    const city = { level: 'city' as const, cityId: 2 };
    const county = { level: 'county' as const, cityId: 2, countyId: 7 };
    expect(mayReport(admin('province_admin'), { level: 'province' })).toBe(true);
    expect(mayReport(admin('auditor'), county)).toBe(true);
    expect(mayReport(admin('city_admin', { cityId: 2 }), city)).toBe(true);
    expect(mayReport(admin('city_admin', { cityId: 2 }), county)).toBe(true);
    expect(mayReport(admin('city_admin', { cityId: 3 }), county)).toBe(false);
    expect(mayReport(admin('city_admin', { cityId: 2 }), { level: 'province' })).toBe(false);
    expect(mayReport(admin('county_admin', { countyId: 7 }), county)).toBe(true);
    expect(mayReport(admin('county_admin', { countyId: 7, cityId: 2 }), city)).toBe(false);
    expect(mayReport(admin('school_admin', { schoolId: 1 }), county)).toBe(false);
  });

  test('when the target is 7% of 100 students, then it is 7, not 8 from float error (0.07 × 100 = 7.000000000000001); without a roster the rates are null', () => {
    const c = { registered: 216, approved: 0, registeredBefore: 0, approvedBefore: 0 };
    const s = { registered: 14, approved: 0, registeredBefore: 0, approvedBefore: 0 };
    const f = unitFigures(c, s, { teachers: 300, students: 100, platformSpaces: 0, schools: 1 }, { teacherRate: 1, studentRate: 0.07 }, false);
    expect(f.students).toMatchObject({ target: 7, progress: 2 });
    expect(f.teachers).toMatchObject({ target: 300, progress: 0.72, platformSpaces: 0, platformProgress: null });
    const none = unitFigures(c, c, ZERO_POPULATION, { teacherRate: 1, studentRate: 0.1 }, true);
    expect(none.teachers).toMatchObject({ eligible: null, target: null, progress: null, change: { registered: 216, approved: 0 } });
  });

  test('when the notice names the whole region, then 黄石市 is 全市, 湖北省 全省, 阳新县 全县', () => {
    expect([wholeRegionWord('黄石市'), wholeRegionWord('湖北省'), wholeRegionWord('阳新县'), wholeRegionWord('直属高中')]).toEqual(['全市', '全省', '全县', '直属高中']);
  });
});

describe('CSV and roster rows', () => {
  test('when a quoted field spans lines, then the next record keeps its own line number', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x\ny",2\n3,"say ""hi"""\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x\ny', '2'] },
      { line: 4, cells: ['3', 'say "hi"'] },
    ]);
    expect(parseCsv('a;b\n1;2')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ]);
  });

  test('when written, then CSV has a BOM, CRLF and quotes only where needed', () => {
    expect(toCsv([['区域', '人数'], ['黄石港区, 本部', 206], ['说 "好"', null]])).toBe('\uFEFF区域,人数\r\n"黄石港区, 本部",206\r\n"说 ""好""",\r\n');
  });

  test('when headers are Chinese or English in any order with extra columns, then they map; a missing or doubled one is named', () => {
    const ok = parseRoster([
      { line: 1, cells: ['备注', 'Platform Spaces', '学生数', 'TEACHERS', '学校代码'] },
      { line: 2, cells: ['', '5', '100', '10', '420202-01'] },
    ]);
    expect(ok).toEqual({ rows: [{ line: 2, schoolCode: '420202-01', teachers: 10, students: 100, platformSpaces: 5 }], problems: [] });
    expect(parseRoster([{ line: 1, cells: ['学校代码', '教师数', 'teachers', '学生数'] }, { line: 2, cells: ['x', '1', '1', '1'] }]).problems).toEqual([
      { line: 1, reason: 'column 教师数 appears twice' },
      { line: 1, reason: 'missing column 平台空间数 (platformSpaces)' },
    ]);
    expect(parseRoster([{ line: 1, cells: ['学校代码', '教师数', '学生数', '平台空间数'] }]).problems).toEqual([{ line: 1, reason: 'the file has a header but no rows' }]);
  });
});
