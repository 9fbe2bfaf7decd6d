// Every TypeORM entity of the application. Feature modules register theirs with
// TypeOrmModule.forFeature too; this list is what the data source (and the schema-drift check)
// knows about.
export const entities: (new () => object)[] = [];
