import { CITIES, PROVINCE } from '../../db/seed/regions';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const duplicates = (xs: string[]): string[] => xs.filter((x, i) => xs.indexOf(x) !== i);

const allCounties = CITIES.flatMap((c) => c.counties);
const allSchools = allCounties.flatMap((c) => c.schools);

describe('region seed (db/seed/regions.ts)', () => {
  it('when the seed is loaded, then the province is 湖北省 (42)', () => {
    expect(PROVINCE).toEqual({ code: '42', name: '湖北省' });
  });

  it('when the cities are listed, then there are the 17 cities of SPEC §5 in its order', () => {
    expect(CITIES).toHaveLength(17);
    expect(CITIES.map((c) => c.name)).toEqual([
      '武汉市', '十堰市', '宜昌市', '襄阳市', '孝感市', '荆州市', '黄冈市', '咸宁市', '恩施州',
      '黄石市', '鄂州市', '荆门市', '随州市', '仙桃市', '潜江市', '天门市', '神农架林区',
    ]);
  });

  it('when teacher recommendation quotas are summed, then they total 281', () => {
    expect(sum(CITIES.map((c) => c.teacherQuota))).toBe(281);
  });

  it('when student recommendation quotas are summed, then they total 197', () => {
    expect(sum(CITIES.map((c) => c.studentQuota))).toBe(197);
  });

  it('when expert nomination quotas are summed, then they total 148', () => {
    expect(sum(CITIES.map((c) => c.expertQuota))).toBe(148);
  });

  it('when 黄石市 is looked up, then its quotas are 15/10 and 8 experts', () => {
    const huangshi = CITIES.find((c) => c.name === '黄石市');
    expect(huangshi).toMatchObject({ code: '4202', teacherQuota: 15, studentQuota: 10, expertQuota: 8 });
  });

  it('when 黄石市 counties are listed, then they are exactly the 9 units of the notice', () => {
    const huangshi = CITIES.find((c) => c.name === '黄石市');
    expect(huangshi).toBeDefined();
    const names = huangshi!.counties.map((c) => c.name);
    expect(names).toHaveLength(9);
    expect([...names].sort()).toEqual(
      ['黄石港区', '西塞山区', '下陆区', '铁山区', '大冶市', '阳新县', '开发区', '直属高中', '市辖区'].sort(),
    );
  });

  it('when 黄石市 直属高中 schools are inspected, then they are senior high schools only', () => {
    const zhishu = CITIES.find((c) => c.name === '黄石市')!.counties.find((c) => c.name === '直属高中')!;
    expect(zhishu.schools.length).toBeGreaterThan(0);
    for (const s of zhishu.schools) expect(s.stages).toEqual(['senior']);
  });

  it('when city codes are collected, then they are unique', () => {
    expect(duplicates(CITIES.map((c) => c.code))).toEqual([]);
  });

  it('when county codes are collected, then they are unique', () => {
    expect(duplicates(allCounties.map((c) => c.code))).toEqual([]);
  });

  it('when school codes are collected, then they are unique', () => {
    expect(duplicates(allSchools.map((s) => s.code))).toEqual([]);
  });

  it('when codes of all levels are collected together, then no code is reused across levels', () => {
    const codes = [...CITIES.map((c) => c.code), ...allCounties.map((c) => c.code), ...allSchools.map((s) => s.code)];
    expect(duplicates(codes)).toEqual([]);
  });

  it('when county and school codes are inspected, then each starts with its parent code', () => {
    for (const city of CITIES) {
      for (const county of city.counties) {
        expect(county.code.startsWith(city.code)).toBe(true);
        for (const school of county.schools) expect(school.code.startsWith(`${county.code}-`)).toBe(true);
      }
    }
  });

  it('when every school is inspected, then it has at least one stage and no repeated stage', () => {
    for (const s of allSchools) {
      expect(s.stages.length).toBeGreaterThanOrEqual(1);
      expect(new Set(s.stages).size).toBe(s.stages.length);
      for (const stage of s.stages) expect(['primary', 'junior', 'senior']).toContain(stage);
    }
  });

  it('when every city is inspected, then it has at least one county and every county has a school', () => {
    for (const city of CITIES) {
      expect(city.counties.length).toBeGreaterThan(0);
      for (const county of city.counties) expect(county.schools.length).toBeGreaterThan(0);
    }
  });
});
