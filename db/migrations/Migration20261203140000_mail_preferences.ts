import { Migration } from '@mikro-orm/migrations';

// Reminders (报名截止提醒, 评审截止提醒) can be turned off per account; decisions are always mailed.
export class Migration20261203140000_mail_preferences extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table account add column mail_reminders boolean not null default true;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table account drop column mail_reminders;`);
  }
}
