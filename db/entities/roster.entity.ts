import { EntitySchema } from '@mikro-orm/core';

/** A school's eligible population for a campaign (花名册), imported by admins (SPEC §9). */
export class Roster {
  campaignId!: string;
  schoolId!: number;
  teachers!: number;
  students!: number;
  /** Teacher spaces registered on the provincial platform (省平台注册教师空间数). */
  platformSpaces!: number;
  /** sha256 of the file that last set this row. */
  sourceHash!: string;
  importedAt!: Date;
  importedBy?: string | null;
}

export const RosterSchema = new EntitySchema<Roster>({
  class: Roster,
  tableName: 'roster',
  properties: {
    campaignId: { type: 'string', primary: true },
    schoolId: { type: 'integer', primary: true },
    teachers: { type: 'integer' },
    students: { type: 'integer' },
    platformSpaces: { type: 'integer' },
    sourceHash: { type: 'string' },
    importedAt: { type: 'datetime' },
    importedBy: { type: 'uuid', nullable: true },
  },
});
