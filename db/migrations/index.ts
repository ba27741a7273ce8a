import { Migration20261203000001_foundation } from './Migration20261203000001_foundation';

// Listed explicitly (not globbed) so tsx, jest and a compiled build all load the same set.
export const MIGRATIONS = [{ name: 'Migration20261203000001_foundation', class: Migration20261203000001_foundation }];
