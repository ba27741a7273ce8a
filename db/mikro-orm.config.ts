// For the MikroORM CLI (`npx mikro-orm migration:list`); processes use db/orm.ts.
import { loadConfig } from '../lib/config';
import { ormOptions } from './orm';

export default ormOptions(loadConfig().DATABASE_URL);
