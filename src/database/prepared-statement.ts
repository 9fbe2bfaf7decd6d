import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

// A statement for a hot path: the driver prepares it once per connection (by name) and afterwards
// only binds and executes it, so PostgreSQL neither parses nor plans it again. Inside a
// transaction it runs on the transaction's connection; otherwise on any pooled one.
export class PreparedStatement<Row extends QueryResultRow = QueryResultRow> {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  async run(manager: EntityManager, values: unknown[]): Promise<Row[]> {
    const runner = manager.queryRunner;
    if (runner && !runner.isReleased && runner.isTransactionActive) {
      const client = (await runner.connect()) as PoolClient;
      return (await client.query<Row>({ name: this.name, text: this.text, values })).rows;
    }
    const pool = (manager.connection.driver as unknown as { master: Pool }).master;
    return (await pool.query<Row>({ name: this.name, text: this.text, values })).rows;
  }
}

// `"full_name" AS "fullName", …` for every column of an entity, so that a raw row comes back
// with the entity's property names. With a prefix, each is named "<prefix>.<property>", for
// statements that return two entities side by side (see pickEntity).
export function entityColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  options: { alias?: string; prefix?: string } = {},
): string {
  const qualifier = options.alias ? `${options.alias}.` : '';
  return dataSource
    .getMetadata(target)
    .columns.map((c) => {
      const name = options.prefix ? `${options.prefix}.${c.propertyName}` : c.propertyName;
      return `${qualifier}"${c.databaseName}" AS "${name}"`;
    })
    .join(', ');
}

// An entity instance from a raw row whose columns were named by entityColumns.
export function toEntity<T extends object>(
  ctor: new () => T,
  row: Record<string, unknown>,
  prefix?: string,
): T {
  if (!prefix) return Object.assign(new ctor(), row);
  const start = `${prefix}.`;
  const entity = new ctor() as Record<string, unknown>;
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(start)) entity[key.slice(start.length)] = value;
  }
  return entity as T;
}
