"""The real persistence: Piccolo tables on PostgreSQL (asyncpg). Rows never leave this package."""
