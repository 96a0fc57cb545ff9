-- An audit event is keyed by tenant and time (the order it is read in), so
-- it needs no index beside its primary key: one index fewer to write per
-- event. (On SQLite this migration also stores sessions and refresh tokens
-- in key order; PostgreSQL has no such table kind.)
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events ADD PRIMARY KEY (tenant_id, occurred_at, id);
DROP INDEX audit_events_time;
