import { EntitySchema } from '@mikro-orm/core';
import { BaseEntity, BaseEntitySchema } from './base.entity';

export const ROLES = [
  'teacher', // 教师
  'education_worker', // 相关教育工作者
  'student', // 学生
  'voter',
  'school_admin', // 学校管理员
  'county_admin', // 县市区
  'city_admin', // 市州
  'province_admin', // 省组委会
  'expert', // 省级评审专家
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export class Account extends BaseEntity {
  id!: string;
  username!: string;
  passwordHash!: string;
  displayName!: string;
  email?: string | null;
  role!: Role;
  /** The admin's subtree; null for province-wide and personal roles. */
  cityId?: number | null;
  countyId?: number | null;
  schoolId?: number | null;
  disabled: boolean = false;
  /** Reminders only; decisions about the account are always mailed. */
  mailReminders: boolean = true;
}

export const AccountSchema = new EntitySchema<Account, BaseEntity>({
  class: Account,
  extends: BaseEntitySchema,
  tableName: 'account',
  properties: {
    id: { type: 'uuid', primary: true },
    username: { type: 'string', unique: true },
    passwordHash: { type: 'string', hidden: true },
    displayName: { type: 'string' },
    email: { type: 'string', nullable: true },
    role: { type: 'string' },
    cityId: { type: 'integer', nullable: true },
    countyId: { type: 'integer', nullable: true },
    schoolId: { type: 'integer', nullable: true },
    disabled: { type: 'boolean', default: false },
    mailReminders: { type: 'boolean', default: true },
  },
});

export class Session {
  tokenHash!: string;
  accountId!: string;
  createdAt: Date = new Date();
  expiresAt!: Date;
}

export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'session',
  properties: {
    tokenHash: { type: 'string', primary: true },
    accountId: { type: 'uuid' },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
  },
});
