import { Migration } from '@mikro-orm/migrations';

// Every audit request is itself recorded: who looked at what, when, from where.
export class Migration20261203190000_audit_log extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_log (
        id bigserial primary key,
        account_id uuid not null references account(id),
        action text not null,
        target text not null,
        ip text,
        outcome text,
        at timestamptz not null default now()
      );
      create index audit_log_target_idx on audit_log(target, at);
      create index audit_log_account_idx on audit_log(account_id, at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists audit_log;`);
  }
}
