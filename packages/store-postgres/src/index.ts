export { postgresStore, PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { migrate, migrations, type Migration } from './migrations.js';
