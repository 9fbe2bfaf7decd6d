import type { MigrationInterface } from 'typeorm';

// Every migration, in order. Listed explicitly (not globbed) so the same list works from the
// compiled app, the migration CLI and Jest. `npm run migration:generate -- <Name>` appends here.
export const migrations: (new () => MigrationInterface)[] = [];
