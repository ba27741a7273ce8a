import { EntitySchema } from '@mikro-orm/core';
import type { Stage } from '../seed/regions';

// The region tree (SPEC §1): province → 市州 → 县市区 → school. Codes are stable
// across re-seeding; ids are internal.
export class City {
  id!: number;
  code!: string;
  name!: string;
  sortOrder!: number;
}

export class County {
  id!: number;
  code!: string;
  name!: string;
  cityId!: number;
}

export class School {
  id!: number;
  code!: string;
  name!: string;
  countyId!: number;
  cityId!: number;
  stages!: Stage[];
}

export const CitySchema = new EntitySchema<City>({
  class: City,
  tableName: 'city',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    code: { type: 'string', unique: true },
    name: { type: 'string' },
    sortOrder: { type: 'integer' },
  },
});

export const CountySchema = new EntitySchema<County>({
  class: County,
  tableName: 'county',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    code: { type: 'string', unique: true },
    name: { type: 'string' },
    cityId: { type: 'integer' },
  },
});

export const SchoolSchema = new EntitySchema<School>({
  class: School,
  tableName: 'school',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    code: { type: 'string', unique: true },
    name: { type: 'string' },
    countyId: { type: 'integer' },
    cityId: { type: 'integer' },
    stages: { type: 'text[]', columnType: 'text[]' },
  },
});
