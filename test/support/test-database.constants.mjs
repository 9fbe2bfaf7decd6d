// Environment variables through which the global setup tells each test file where PostgreSQL is.
export const ADMIN_URL_VAR = 'HOMECOMING_TEST_ADMIN_URL';
export const TEMPLATE_DB_VAR = 'HOMECOMING_TEST_TEMPLATE_DB';
export const EMBEDDED_DIR_VAR = 'HOMECOMING_TEST_EMBEDDED_DIR';
