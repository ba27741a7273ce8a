import { Migration } from '@mikro-orm/migrations';

// 刷票: a fifth detector rule, repeated refused attempts on one entrant (lib/rules/brushing.ts).
export class Migration20261203220000_repeated_attempts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table brushing_flag drop constraint brushing_flag_kind_check;
      alter table brushing_flag add constraint brushing_flag_kind_check
        check (kind in ('ip_subnet', 'account_cohort', 'fresh_accounts', 'regular_intervals', 'repeated_attempts'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      delete from brushing_flag where kind = 'repeated_attempts';
      alter table brushing_flag drop constraint brushing_flag_kind_check;
      alter table brushing_flag add constraint brushing_flag_kind_check
        check (kind in ('ip_subnet', 'account_cohort', 'fresh_accounts', 'regular_intervals'));
    `);
  }
}
