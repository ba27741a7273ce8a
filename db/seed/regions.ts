/**
 * Region tree seed: province → 17 cities/prefectures (市州) → counties/districts (县市区) → schools.
 *
 * Pure data, no imports. Sources:
 * - city list, order and recommendation quotas (市州推优名额, teacher/student spaces): SPEC §5
 *   = notice §五; totals 281 teacher spaces, 197 student spaces;
 * - expert nomination quotas (市州推荐省级评审专家名额): SPEC §6 = notice §六; total 148;
 * - 黄石市 county-level units: the progress report of SPEC §9 (the notice itself), including the
 *   pseudo-counties 开发区 (黄石经济技术开发区), 直属高中 (city-run senior high schools) and
 *   市辖区 (city-administered schools, from the notice's change list).
 *
 * Codes: cities and real counties use GB/T 2260 administrative division codes. The four
 * province-administered county-level cities (仙桃/潜江/天门/神农架林区) have no counties, so their
 * demo units are township-level divisions with their 9-digit statistical codes. 黄石市's
 * pseudo-counties use made-up but stable codes (420271 开发区, 420290 直属高中, 420201 市辖区).
 * School codes are `${countyCode}-${nn}`, unique across the whole file.
 *
 * Only 黄石市 has a fuller school list (it is the city of the notice); every other city carries a
 * small demo set of 2 counties × 2 schools (one primary, one junior+senior).
 */

export type Stage = 'primary' | 'junior' | 'senior'; // 小学 / 初中 / 高中

export interface SchoolSeed {
  code: string;
  name: string;
  stages: Stage[];
}

export interface CountySeed {
  code: string;
  name: string;
  schools: SchoolSeed[];
}

export interface CitySeed {
  code: string;
  name: string;
  /** 市州推优名额 — teacher spaces (SPEC §5) */
  teacherQuota: number;
  /** 市州推优名额 — student spaces (SPEC §5) */
  studentQuota: number;
  /** 市州推荐省级评审专家名额 (SPEC §6) */
  expertQuota: number;
  counties: CountySeed[];
}

export const PROVINCE = { code: '42', name: '湖北省' };

export const CITIES: CitySeed[] = [
  {
    code: '4201',
    name: '武汉市',
    teacherQuota: 25,
    studentQuota: 20,
    expertQuota: 15,
    counties: [
      {
        code: '420102',
        name: '江岸区',
        schools: [
          { code: '420102-01', name: '江岸区实验小学', stages: ['primary'] },
          { code: '420102-02', name: '江岸区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420106',
        name: '武昌区',
        schools: [
          { code: '420106-01', name: '武昌区实验小学', stages: ['primary'] },
          { code: '420106-02', name: '武昌区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4203',
    name: '十堰市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '420302',
        name: '茅箭区',
        schools: [
          { code: '420302-01', name: '茅箭区实验小学', stages: ['primary'] },
          { code: '420302-02', name: '茅箭区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420303',
        name: '张湾区',
        schools: [
          { code: '420303-01', name: '张湾区实验小学', stages: ['primary'] },
          { code: '420303-02', name: '张湾区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4205',
    name: '宜昌市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '420502',
        name: '西陵区',
        schools: [
          { code: '420502-01', name: '西陵区实验小学', stages: ['primary'] },
          { code: '420502-02', name: '西陵区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420503',
        name: '伍家岗区',
        schools: [
          { code: '420503-01', name: '伍家岗区实验小学', stages: ['primary'] },
          { code: '420503-02', name: '伍家岗区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4206',
    name: '襄阳市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '420602',
        name: '襄城区',
        schools: [
          { code: '420602-01', name: '襄城区实验小学', stages: ['primary'] },
          { code: '420602-02', name: '襄城区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420606',
        name: '樊城区',
        schools: [
          { code: '420606-01', name: '樊城区实验小学', stages: ['primary'] },
          { code: '420606-02', name: '樊城区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4209',
    name: '孝感市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '420902',
        name: '孝南区',
        schools: [
          { code: '420902-01', name: '孝南区实验小学', stages: ['primary'] },
          { code: '420902-02', name: '孝南区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420984',
        name: '汉川市',
        schools: [
          { code: '420984-01', name: '汉川市实验小学', stages: ['primary'] },
          { code: '420984-02', name: '汉川市第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4210',
    name: '荆州市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '421002',
        name: '沙市区',
        schools: [
          { code: '421002-01', name: '沙市区实验小学', stages: ['primary'] },
          { code: '421002-02', name: '沙市区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '421003',
        name: '荆州区',
        schools: [
          { code: '421003-01', name: '荆州区实验小学', stages: ['primary'] },
          { code: '421003-02', name: '荆州区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4211',
    name: '黄冈市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '421102',
        name: '黄州区',
        schools: [
          { code: '421102-01', name: '黄州区实验小学', stages: ['primary'] },
          { code: '421102-02', name: '黄州区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '421181',
        name: '麻城市',
        schools: [
          { code: '421181-01', name: '麻城市实验小学', stages: ['primary'] },
          { code: '421181-02', name: '麻城市第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4212',
    name: '咸宁市',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '421202',
        name: '咸安区',
        schools: [
          { code: '421202-01', name: '咸安区实验小学', stages: ['primary'] },
          { code: '421202-02', name: '咸安区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '421281',
        name: '赤壁市',
        schools: [
          { code: '421281-01', name: '赤壁市实验小学', stages: ['primary'] },
          { code: '421281-02', name: '赤壁市第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4228',
    name: '恩施州',
    teacherQuota: 20,
    studentQuota: 15,
    expertQuota: 10,
    counties: [
      {
        code: '422801',
        name: '恩施市',
        schools: [
          { code: '422801-01', name: '恩施市实验小学', stages: ['primary'] },
          { code: '422801-02', name: '恩施市第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '422802',
        name: '利川市',
        schools: [
          { code: '422802-01', name: '利川市实验小学', stages: ['primary'] },
          { code: '422802-02', name: '利川市第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4202',
    name: '黄石市',
    teacherQuota: 15,
    studentQuota: 10,
    expertQuota: 8,
    counties: [
      {
        code: '420202',
        name: '黄石港区',
        schools: [
          { code: '420202-01', name: '黄石港区第一小学', stages: ['primary'] },
          { code: '420202-02', name: '黄石港区实验小学', stages: ['primary'] },
          { code: '420202-03', name: '黄石港区第二小学', stages: ['primary'] },
          { code: '420202-04', name: '黄石港区第一初级中学', stages: ['junior'] },
          { code: '420202-05', name: '黄石港区第二中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420203',
        name: '西塞山区',
        schools: [
          { code: '420203-01', name: '西塞山区第一小学', stages: ['primary'] },
          { code: '420203-02', name: '西塞山区实验小学', stages: ['primary'] },
          { code: '420203-03', name: '西塞山区第一初级中学', stages: ['junior'] },
          { code: '420203-04', name: '西塞山区河口九年一贯制学校', stages: ['primary', 'junior'] },
        ],
      },
      {
        code: '420204',
        name: '下陆区',
        schools: [
          { code: '420204-01', name: '下陆区第一小学', stages: ['primary'] },
          { code: '420204-02', name: '下陆区实验小学', stages: ['primary'] },
          { code: '420204-03', name: '下陆区初级中学', stages: ['junior'] },
          { code: '420204-04', name: '下陆区长乐九年一贯制学校', stages: ['primary', 'junior'] },
        ],
      },
      {
        code: '420205',
        name: '铁山区',
        schools: [
          { code: '420205-01', name: '铁山区第一小学', stages: ['primary'] },
          { code: '420205-02', name: '铁山区实验小学', stages: ['primary'] },
          { code: '420205-03', name: '铁山区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420281',
        name: '大冶市',
        schools: [
          { code: '420281-01', name: '大冶市实验小学', stages: ['primary'] },
          { code: '420281-02', name: '大冶市第一小学', stages: ['primary'] },
          { code: '420281-03', name: '大冶市实验中学', stages: ['junior'] },
          { code: '420281-04', name: '大冶市金湖九年一贯制学校', stages: ['primary', 'junior'] },
          { code: '420281-05', name: '大冶市第二中学', stages: ['junior', 'senior'] },
          { code: '420281-06', name: '大冶市第一中学', stages: ['senior'] },
        ],
      },
      {
        code: '420222',
        name: '阳新县',
        schools: [
          { code: '420222-01', name: '阳新县实验小学', stages: ['primary'] },
          { code: '420222-02', name: '阳新县第一小学', stages: ['primary'] },
          { code: '420222-03', name: '阳新县实验中学', stages: ['junior'] },
          { code: '420222-04', name: '阳新县兴国九年一贯制学校', stages: ['primary', 'junior'] },
          { code: '420222-05', name: '阳新县第一中学', stages: ['senior'] },
        ],
      },
      {
        // 黄石经济技术开发区; the notice calls it 开发区
        code: '420271',
        name: '开发区',
        schools: [
          { code: '420271-01', name: '黄石开发区第一小学', stages: ['primary'] },
          { code: '420271-02', name: '黄石开发区实验小学', stages: ['primary'] },
          { code: '420271-03', name: '黄石开发区九年一贯制学校', stages: ['primary', 'junior'] },
          { code: '420271-04', name: '黄石开发区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        // the city's directly administered senior high schools (pseudo-county)
        code: '420290',
        name: '直属高中',
        schools: [
          { code: '420290-01', name: '黄石一中', stages: ['senior'] },
          { code: '420290-02', name: '黄石二中', stages: ['senior'] },
          { code: '420290-03', name: '黄石三中', stages: ['senior'] },
          { code: '420290-04', name: '黄石有色一中', stages: ['senior'] },
        ],
      },
      {
        // city-administered schools (appears in the notice's change list: 市辖区 +6)
        code: '420201',
        name: '市辖区',
        schools: [
          { code: '420201-01', name: '黄石市实验小学', stages: ['primary'] },
          { code: '420201-02', name: '黄石市第十四中学', stages: ['junior'] },
          { code: '420201-03', name: '黄石市特殊教育学校', stages: ['primary', 'junior'] },
        ],
      },
    ],
  },
  {
    code: '4207',
    name: '鄂州市',
    teacherQuota: 15,
    studentQuota: 10,
    expertQuota: 8,
    counties: [
      {
        code: '420704',
        name: '鄂城区',
        schools: [
          { code: '420704-01', name: '鄂城区实验小学', stages: ['primary'] },
          { code: '420704-02', name: '鄂城区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420703',
        name: '华容区',
        schools: [
          { code: '420703-01', name: '华容区实验小学', stages: ['primary'] },
          { code: '420703-02', name: '华容区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4208',
    name: '荆门市',
    teacherQuota: 15,
    studentQuota: 10,
    expertQuota: 8,
    counties: [
      {
        code: '420802',
        name: '东宝区',
        schools: [
          { code: '420802-01', name: '东宝区实验小学', stages: ['primary'] },
          { code: '420802-02', name: '东宝区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '420804',
        name: '掇刀区',
        schools: [
          { code: '420804-01', name: '掇刀区实验小学', stages: ['primary'] },
          { code: '420804-02', name: '掇刀区第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '4213',
    name: '随州市',
    teacherQuota: 15,
    studentQuota: 10,
    expertQuota: 8,
    counties: [
      {
        code: '421303',
        name: '曾都区',
        schools: [
          { code: '421303-01', name: '曾都区实验小学', stages: ['primary'] },
          { code: '421303-02', name: '曾都区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '421381',
        name: '广水市',
        schools: [
          { code: '421381-01', name: '广水市实验小学', stages: ['primary'] },
          { code: '421381-02', name: '广水市第一中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    // province-administered county-level city: demo units are sub-districts (街道)
    code: '429004',
    name: '仙桃市',
    teacherQuota: 10,
    studentQuota: 5,
    expertQuota: 6,
    counties: [
      {
        code: '429004001',
        name: '沙嘴街道',
        schools: [
          { code: '429004001-01', name: '仙桃市沙嘴中心小学', stages: ['primary'] },
          { code: '429004001-02', name: '仙桃市第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '429004002',
        name: '干河街道',
        schools: [
          { code: '429004002-01', name: '仙桃市干河中心小学', stages: ['primary'] },
          { code: '429004002-02', name: '仙桃市第二中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '429005',
    name: '潜江市',
    teacherQuota: 10,
    studentQuota: 5,
    expertQuota: 6,
    counties: [
      {
        code: '429005001',
        name: '园林街道',
        schools: [
          { code: '429005001-01', name: '潜江市园林中心小学', stages: ['primary'] },
          { code: '429005001-02', name: '潜江市第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '429005002',
        name: '杨市街道',
        schools: [
          { code: '429005002-01', name: '潜江市杨市中心小学', stages: ['primary'] },
          { code: '429005002-02', name: '潜江市第二中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    code: '429006',
    name: '天门市',
    teacherQuota: 10,
    studentQuota: 5,
    expertQuota: 6,
    counties: [
      {
        code: '429006001',
        name: '竟陵街道',
        schools: [
          { code: '429006001-01', name: '天门市竟陵中心小学', stages: ['primary'] },
          { code: '429006001-02', name: '天门市第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '429006003',
        name: '杨林街道',
        schools: [
          { code: '429006003-01', name: '天门市杨林中心小学', stages: ['primary'] },
          { code: '429006003-02', name: '天门市第二中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
  {
    // forestry district: demo units are towns (镇)
    code: '429021',
    name: '神农架林区',
    teacherQuota: 6,
    studentQuota: 2,
    expertQuota: 3,
    counties: [
      {
        code: '429021100',
        name: '松柏镇',
        schools: [
          { code: '429021100-01', name: '神农架林区松柏小学', stages: ['primary'] },
          { code: '429021100-02', name: '神农架林区第一中学', stages: ['junior', 'senior'] },
        ],
      },
      {
        code: '429021101',
        name: '阳日镇',
        schools: [
          { code: '429021101-01', name: '神农架林区阳日小学', stages: ['primary'] },
          { code: '429021101-02', name: '神农架林区阳日中学', stages: ['junior', 'senior'] },
        ],
      },
    ],
  },
];
