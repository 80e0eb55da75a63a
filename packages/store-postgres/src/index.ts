/**
 * `postgresStore()`: a Store on PostgreSQL (pg), with versioned migrations (`migrate()`, `twofa-postgres migrate`).
 *
 * @packageDocumentation
 * @module @twofa/store-postgres
 */
export { postgresStore, PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { migrate, migrations, type Migration } from './migrations.js';
